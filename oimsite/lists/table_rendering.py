"""The lists' tables, written at a lower cost per row than django-tables2's stock rendering.

A list page of 50 rows spent about half its time in the table body: the template loop of
`django_tables2/table.html` runs a dozen template nodes per cell, and `DateColumn` compiles its template
code again for every cell. Here the `<tbody>` is written in Python from the same pieces (the rows' and
cells' attributes, each cell rendered by its column, the value escaped and localised as `{{ cell }}`
does), and dates are formatted directly. The HTML is the stock template's (tests/lists_tests/
test_table_rendering.py compares them), so sorting, pagination and the header stay django-tables2's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import django_tables2 as tables
from django.template import Context
from django.template.base import render_value_in_context
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django_tables2 import Table
from django_tables2.utils import AttributeDict


class ShortDateColumn(tables.DateColumn):
    """`DateColumn(short=True)`: the date in the language's short format, ISO in exports; formatted
    directly rather than by a template compiled per cell."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["short"] = True
        super().__init__(*args, **kwargs)

    def render(self, value: date | None, bound_column: Any) -> str:
        # Empty values come here too, as to DateColumn's template (`|default:default`), exports included.
        if value in (None, ""):
            return bound_column.default
        return formats.date_format(value, "SHORT_DATE_FORMAT")


def _cell_html(column: Any, cell: Any, context: Context) -> str:
    """A cell's content as the stock template writes it (`{{ cell }}`, or `|localize` / `|unlocalize`)."""
    if column.localize is None:
        return render_value_in_context(cell, context)
    return conditional_escape(str(formats.localize(cell, use_l10n=bool(column.localize))))


def _computed(attrs: dict) -> bool:
    """Whether attributes include a callable (computed per cell from its record and value)."""
    return any(callable(value) or (isinstance(value, dict) and _computed(value)) for value in attrs.values())


def table_body(table: Table, context: Context) -> SafeString:
    """The table's `<tbody>`: the `table.tbody` block of `django_tables2/table.html`, in Python."""
    tbody_attrs = table.attrs.get("tbody")
    parts = [f"<tbody {AttributeDict(tbody_attrs).as_html() if tbody_attrs else ''}>"]
    # A cell's attributes are its column's (and the table's), the same on every row unless one is computed.
    fixed_td = {column.name: column.attrs["td"].as_html() for column in table.columns
                if not _computed({**table.attrs, **column.column.attrs})}
    rows = 0
    for row in table.paginated_rows:
        rows += 1
        parts.append(f"<tr {row.attrs.as_html()}>")
        # items() sets each column's current record and value, which computed attributes read.
        for column, cell in row.items():
            td = fixed_td.get(column.name)
            if td is None:
                td = column.attrs["td"].as_html()
            parts.append(f"<td {td}>{_cell_html(column, cell, context)}</td>")
        parts.append("</tr>")
    if not rows and table.empty_text:
        parts.append(format_html('<tr><td colspan="{}">{}</td></tr>', len(table.columns), table.empty_text))
    parts.append("</tbody>")
    # Every value above is escaped, or built by format_html or django-tables2 (attributes).
    return mark_safe("".join(parts))
