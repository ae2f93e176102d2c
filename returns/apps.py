from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    name = "returns"
    verbose_name = _("Assisted returns")

    def ready(self) -> None:
        post_migrate.connect(restore_categories, sender=self, dispatch_uid="returns.restore_categories")


def restore_categories(sender: AppConfig, using: str = "default", **kwargs) -> None:
    """After migrate and after a flush (which empties the migration-seeded rows), the categories exist."""
    from .models import VulnerabilityCategory
    from .vulnerability_categories import ensure_categories

    ensure_categories(VulnerabilityCategory, using=using)
