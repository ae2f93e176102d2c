from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OimsiteConfig(AppConfig):
    name = "oimsite"
    verbose_name = _("Annual report")
