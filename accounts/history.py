"""Readable history of a case record (django-simple-history): who, when, which field from what to what."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country

ACTIONS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    date: Any
    user: Any
    action: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)


def _display(model_field: models.Field, value: Any) -> str:
    if value is None or value == "":
        return ""
    if model_field.many_to_many:
        # simple-history gives the through rows, e.g. {"returnee": …, "vulnerabilitycategory": …}.
        target = model_field.m2m_reverse_field_name()
        return ", ".join(sorted(str(row[target]) for row in value))
    if isinstance(value, Country):
        return str(value.name or value.code)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if hasattr(value, "strftime") and not hasattr(value, "hour"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def history_entries(obj: models.Model, limit: int = 100) -> list[HistoryEntry]:
    """The most recent `limit` history records of `obj`, newest first, each with its field changes.

    One query for the records (and their users); the diffs are computed in Python between neighbours.
    """
    manager = getattr(obj, "history", None)
    if manager is None:
        return []
    # One extra record so that the oldest shown entry can be diffed against its predecessor.
    records = list(manager.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    model = type(obj)
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes: list[FieldChange] = []
        if previous is not None and record.history_type != "-":
            for change in record.diff_against(previous, foreign_keys_are_objs=True).changes:
                model_field = model._meta.get_field(change.field)
                changes.append(FieldChange(
                    str(model_field.verbose_name), _display(model_field, change.old), _display(model_field, change.new)
                ))
        elif previous is None and record.history_type == "+":
            # The first version: every value that was recorded at creation.
            tracked = {f.name for f in manager.model._meta.concrete_fields}
            for model_field in model._meta.concrete_fields:
                if model_field.editable and not model_field.primary_key and model_field.name in tracked:
                    value = getattr(record, model_field.name, None)
                    if value not in (None, ""):
                        changes.append(FieldChange(str(model_field.verbose_name), "", _display(model_field, value)))
        entries.append(HistoryEntry(
            date=record.history_date, user=record.history_user, action=str(ACTIONS.get(record.history_type, "")),
            reason=record.history_change_reason or "", changes=changes,
        ))
    return entries
