"""Readable history of a case record (django-simple-history): who, when, which field from what to what."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country
from simple_history.models import DeletedObject, HistoricalRecords, ModelChange, ModelDelta
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_m2m_reverse_field_name

# Where prefetch_m2m_history leaves a record's m2m history rows: {field name: [row dict, …]}.
_M2M_ROWS_ATTR = "_prefetched_m2m_history"

ACTIONS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


class CaseHistory(HistoricalRecords):
    """django-simple-history's records, without reading back the many-to-many rows of a record just created.

    A new record has none (its many-to-many rows are added after its first save, and each addition writes a
    "changed" history row that holds them), yet the library reads them for every creation: a query for the
    rows, and one more to rebuild the record from its history row only to find their table. Kept otherwise
    as the library writes them.
    """

    def create_historical_record_m2ms(self, history_instance: Any, instance: models.Model) -> None:
        if history_instance.history_type == "+":
            return
        super().create_historical_record_m2ms(history_instance, instance)


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


class ReadableHistoryContextHelper(HistoricalRecordContextHelper):
    """simple-history's admin history page with the values the detail pages show: labels, not codes
    ("Sénégal", not "SN"), the names of the vulnerabilities, not a list of objects, and "—" for no value."""

    def prepare_delta_change_value(self, change: ModelChange, value: Any) -> str:
        return _display(self.model._meta.get_field(change.field), value) or "—"


def select_history_related(records: models.QuerySet) -> models.QuerySet:
    """Historical records with their users and tracked foreign keys, in the same query.

    (simple-history's `_select_related_history_tracked_objs()` calls `select_related()` with no names on a
    model without foreign keys, which drops the `history_user` asked for before: a query per record.)
    """
    foreign_keys = [f.name for f in records.model.tracked_fields if isinstance(f, models.ForeignKey)]
    return records.select_related("history_user", *foreign_keys)


def _m2m_history_model(record: models.Model, field: models.ManyToManyField) -> type[models.Model]:
    return getattr(type(record), field.name).model


def _m2m_through_fields(m2m_model: type[models.Model]) -> list[models.ForeignKey]:
    # As simple-history's diff: the through model's own foreign keys, not the link to the historical record.
    return [f for f in m2m_model._meta.fields if f.editable and f.is_relation and f.name != "history"]


def prefetch_m2m_history(records: list[models.Model]) -> None:
    """Load the m2m history rows of `records` (historical records of one model) and their related objects.

    A fixed number of queries per m2m field (the rows, then one per foreign key of the through model),
    however many records; simple-history's diff_against runs queries per record and per m2m field.
    diff_records reads these rows instead.
    """
    if not records:
        return
    for record in records:
        setattr(record, _M2M_ROWS_ATTR, {})
    for m2m_field in records[0]._history_m2m_fields:
        m2m_model = _m2m_history_model(records[0], m2m_field)
        through = _m2m_through_fields(m2m_model)
        target = get_m2m_reverse_field_name(m2m_field)
        rows = list(m2m_model.objects.filter(history__in=[r.pk for r in records]).order_by(f"{target}_id"))
        # The related objects by key, one query per foreign key (a deleted one shows as simple-history's
        # DeletedObject; a join would drop its row).
        related = {
            f.name: f.related_model._base_manager.in_bulk({getattr(row, f.attname) for row in rows}) for f in through
        }
        rows_by_record: dict[Any, list[dict[str, Any]]] = {}
        for row in rows:
            rows_by_record.setdefault(row.history_id, []).append({
                f.name: related[f.name].get(getattr(row, f.attname))
                or DeletedObject(f.related_model, getattr(row, f.attname))
                for f in through
            })
        for record in records:
            getattr(record, _M2M_ROWS_ATTR)[m2m_field.name] = rows_by_record.get(record.pk, [])


def _m2m_rows(record: models.Model, field: models.ManyToManyField) -> list[dict[str, Any]]:
    prefetched = getattr(record, _M2M_ROWS_ATTR, None)
    if prefetched is None:
        prefetch_m2m_history([record])
        prefetched = getattr(record, _M2M_ROWS_ATTR)
    return prefetched[field.name]


def _row_keys(rows: list[dict[str, Any]]) -> list[tuple]:
    return sorted(tuple(sorted((name, value.pk) for name, value in row.items())) for row in rows)


def diff_records(new: models.Model, old: models.Model) -> ModelDelta:
    """`new.diff_against(old, foreign_keys_are_objs=True)`, reading the m2m rows left by prefetch_m2m_history.

    The same changes and values as simple-history's (an m2m value is a list of through-row dicts of related
    objects), without its queries per record: call prefetch_m2m_history on the records first, and load
    them with their tracked foreign keys (select_history_related).
    """
    m2m_fields = list(old._history_m2m_fields)
    delta = new.diff_against(old, excluded_fields=[f.name for f in m2m_fields], foreign_keys_are_objs=True)
    changes = list(delta.changes)
    for m2m_field in m2m_fields:
        old_rows, new_rows = _m2m_rows(old, m2m_field), _m2m_rows(new, m2m_field)
        if _row_keys(old_rows) != _row_keys(new_rows):
            changes.append(ModelChange(m2m_field.name, old_rows, new_rows))
    changes.sort(key=lambda change: change.field)
    return ModelDelta(changes, [change.field for change in changes], old, new)


def history_entries(obj: models.Model, limit: int = 100) -> list[HistoryEntry]:
    """The most recent `limit` history records of `obj`, newest first, each with its field changes.

    One query for the records (with their users and tracked foreign keys), one per m2m field for their m2m
    rows; the diffs are computed in Python between neighbours.
    """
    manager = getattr(obj, "history", None)
    if manager is None:
        return []
    # One extra record so that the oldest shown entry can be diffed against its predecessor.
    records = list(select_history_related(manager.all()).order_by("-history_date", "-history_id")[: limit + 1])
    prefetch_m2m_history(records)
    model = type(obj)
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes: list[FieldChange] = []
        if previous is not None and record.history_type != "-":
            for change in diff_records(record, previous).changes:
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
