from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OimsiteConfig(AppConfig):
    name = "oimsite"
    verbose_name = _("Annual report")

    def ready(self) -> None:
        from oimsite import tables_signature
        from oimsite.summaries import connect_signals

        connect_signals()
        tables_signature.install()
        post_migrate.connect(repair_trigram_search, sender=self, dispatch_uid="oimsite.repair_trigram_search")


def repair_trigram_search(sender: AppConfig, using: str = "default", **kwargs) -> None:
    """After migrate: a migration that rebuilt a searched table on SQLite dropped its triggers (oimsite/fts.py)."""
    from oimsite import fts

    fts.repair(connections[using])
