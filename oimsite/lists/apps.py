from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class ListsConfig(AppConfig):
    """The machinery every case list and case admin shares: views, filters, tables, search, paging, exports."""

    name = "oimsite.lists"
    label = "lists"
    verbose_name = _("Lists")

    def ready(self) -> None:
        from oimsite.lists.search import register_search_fold

        # SQLite's search_fold() (oimsite/lists/search.py), on every connection opened from now on.
        connection_created.connect(register_search_fold, dispatch_uid="oimsite.lists.search_fold")
