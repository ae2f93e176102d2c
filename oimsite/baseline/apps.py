from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BaselineConfig(AppConfig):
    """The synthetic 2024 baseline: its generator, names, and the validating loader."""

    name = "oimsite.baseline"
    label = "baseline"
    verbose_name = _("2024 baseline")
