from __future__ import annotations

from django import template
from django.template import Context
from django.utils.safestring import SafeString
from django_tables2 import Table

from oimsite.lists import table_rendering

register = template.Library()


@register.simple_tag(takes_context=True)
def table_body(context: Context, table: Table) -> SafeString:
    """The table's `<tbody>` (oimsite/lists/table_rendering.py)."""
    return table_rendering.table_body(table, context)
