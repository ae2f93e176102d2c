from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared bases of the case records (no models of its own) and the site's maintenance commands."""

    name = "oimsite.core"
    label = "core"
    verbose_name = _("Shared bases")
