from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    """The daily casework pages (My work, the caseload) and the case timelines; no models of its own."""

    name = "casework"
    verbose_name = _("Daily casework")

    def ready(self) -> None:
        from oimsite.core import panels

        from .panels import file_timeline_panel, returnee_timeline_panel

        panels.register("returns.returnee", returnee_timeline_panel)
        panels.register("resettlement.resettlementfile", file_timeline_panel)
