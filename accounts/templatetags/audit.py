from django import template
from django.db.models import Model

from oimsite.core.history import HistoryEntry
from oimsite.core.history import history_entries as _history_entries

register = template.Library()


@register.filter
def history_entries(obj: Model) -> list[HistoryEntry]:
    """`{% include "accounts/_history.html" with entries=object|history_entries %}` on a detail page."""
    return _history_entries(obj)
