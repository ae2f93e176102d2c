from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared bases of the case records (no models of its own) and the site's maintenance commands."""

    name = "oimsite.core"
    label = "core"
    verbose_name = _("Shared bases")

    def ready(self) -> None:
        from oimsite.core.names import register_name_key

        # SQLite's name_key() (oimsite/core/names.py), on every connection opened from now on.
        connection_created.connect(register_name_key, dispatch_uid="oimsite.core.name_key")
