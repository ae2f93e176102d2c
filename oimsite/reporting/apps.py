from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from oimsite.reporting import triggers


class ReportingConfig(AppConfig):
    """The annual report: indicators, per-year counts, published figures, dashboard, shared export.

    The label stays `oimsite`, the app's name before it moved here, so that its tables and migration history
    are unchanged.
    """

    name = "oimsite.reporting"
    label = "oimsite"
    verbose_name = _("Annual report")

    def ready(self) -> None:
        post_migrate.connect(restore_figure_triggers, sender=self, dispatch_uid="oimsite.restore_figure_triggers")


def restore_figure_triggers(sender: AppConfig, using: str = "default", **kwargs) -> None:
    """After migrate: a migration that rebuilt a counted table on SQLite dropped the triggers that keep the
    figures true (oimsite/reporting/triggers.py)."""
    triggers.ensure_installed(connections[using])
