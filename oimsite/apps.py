from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OimsiteConfig(AppConfig):
    name = "oimsite"
    verbose_name = _("Annual report")

    def ready(self) -> None:
        from oimsite import tables_signature
        from oimsite.summaries import connect_signals

        connect_signals()
        tables_signature.install()
