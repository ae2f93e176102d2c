"""Columns shared by the lists' tables."""

from __future__ import annotations

from datetime import date
from typing import Any

import django_tables2 as tables
from django.db import models
from django.db.models import Case, F, Value, When
from django.db.models.functions import Concat
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


class FullNameColumn(tables.Column):
    """A related person's name as `PersonFields.full_name` writes it ("given family"). `accessor` names the
    person's family name ("returnee__family_name"): the value sorted by, and an empty one is an empty cell.

    `export_expression` gives the same cell in SQL, so that the exports read it from the database
    (oimsite/lists/exports.py)."""

    def render(self, record: Any, bound_column: Any) -> str:
        person, _family_name = bound_column.accessor.penultimate(record)
        return person.full_name

    def export_expression(self, path: str) -> models.Expression:
        person = path.rpartition("__")[0]
        full_name = Concat(F(f"{person}__given_name"), Value(" "), F(path), output_field=models.CharField())
        return Case(When(**{path: ""}, then=Value("")), default=full_name, output_field=models.CharField())
