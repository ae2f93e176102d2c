"""Columns shared by the lists' tables."""

from __future__ import annotations

from datetime import date
from typing import Any

import django_tables2 as tables
from django.utils import formats


class ShortDateColumn(tables.DateColumn):
    """`DateColumn(short=True)`: the date in the language's short format, ISO in exports; formatted
    directly rather than by a template that `DateColumn` compiles for every cell."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["short"] = True
        super().__init__(*args, **kwargs)

    def render(self, value: date | None, bound_column: Any) -> str:
        # Empty values come here too, as to DateColumn's template (`|default:default`), exports included.
        if value in (None, ""):
            return bound_column.default
        return formats.date_format(value, "SHORT_DATE_FORMAT")
