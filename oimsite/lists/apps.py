from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListsConfig(AppConfig):
    """The machinery every case list and case admin shares: views, filters, tables, search, paging, exports."""

    name = "oimsite.lists"
    label = "lists"
    verbose_name = _("Lists")
