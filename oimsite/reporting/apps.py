from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """The annual report: indicators, per-year summaries, published figures, dashboard, shared export.

    The label stays `oimsite`, the app's name before it moved here, so that its tables and migration history
    are unchanged.
    """

    name = "oimsite.reporting"
    label = "oimsite"
    verbose_name = _("Annual report")

    def ready(self) -> None:
        from oimsite.reporting.summaries import connect_signals

        connect_signals()
