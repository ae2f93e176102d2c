from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and audit")

    def ready(self) -> None:
        from . import language, signals  # noqa: F401  (connect the audit and language receivers)

        post_migrate.connect(resync_roles, sender=self, dispatch_uid="accounts.resync_roles")


def resync_roles(sender: AppConfig, using: str = "default", **kwargs) -> None:
    """After every migrate (and test flush), so that permissions of models added since reach the roles."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from .roles import sync_roles

    # post_migrate reaches the apps one by one: those after us have no permissions yet on a new database.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_roles(using=using)
