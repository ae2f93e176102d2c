"""Writes that span several records of a returnee: merging two records of one person."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from oimsite.core.assignment import AssignmentLogEntry
from oimsite.core.names import records_merged

from .models import Returnee

# The fields the annual report counts by: two records that differ on one of them are not merged until someone
# has corrected one (which return happened, from where, to where?).
COUNTED_FIELDS = ("departure_date", "status", "host_country", "return_country", "sex", "date_of_birth", "nationality")
# Filled on the kept record from the other when empty there.
FILLED_FIELDS = ("name_ar", "consent_date", "consent_scope")


class MergeRefused(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def merge_conflicts(keep: Returnee, other: Returnee) -> list[str]:
    """What must be resolved before `other` is merged into `keep`: the counted fields on which they differ."""
    if keep.pk == other.pk:
        return [_("A record cannot be merged with itself.")]
    problems = []
    for name in COUNTED_FIELDS:
        mine, theirs = getattr(keep, name), getattr(other, name)
        if mine != theirs:
            field = Returnee._meta.get_field(name)
            problems.append(_("The records differ on “%(field)s” (%(keep)s: %(a)s; %(other)s: %(b)s): correct one of "
                              "them first.") % {"field": field.verbose_name, "keep": keep.case_number,
                                                "other": other.case_number, "a": _shown(keep, name) or "—",
                                                "b": _shown(other, name) or "—"})
    return problems


def _shown(record: Returnee, name: str) -> str:
    display = getattr(record, f"get_{name}_display", None)
    value = display() if display is not None else getattr(record, name)
    return "" if value is None else str(value)


@transaction.atomic
def merge_returnees(keep: Returnee, other: Returnee, *, by: Any) -> dict[str, int]:
    """Move everything of `other` (sessions, plans, follow-ups, vulnerabilities, assignments) to `keep`, record
    the merge in both histories and delete `other`. Refused (MergeRefused, nothing written) when they conflict on
    a counted field or a rule of the moved records (one open plan per returnee, …)."""
    keep = Returnee.objects.select_for_update().get(pk=keep.pk)
    other = Returnee.objects.select_for_update().get(pk=other.pk)
    problems = merge_conflicts(keep, other)
    if problems:
        raise MergeRefused(problems)
    reason = _("Merged with %(case)s") % {"case": other.case_number}
    moved: dict[str, int] = {}
    try:
        with transaction.atomic():
            for relation in Returnee._meta.related_objects:
                if relation.many_to_many or not relation.one_to_many:
                    continue
                model, name = relation.related_model, relation.field.name
                rows = list(model._base_manager.filter(**{name: other}))
                if issubclass(model, AssignmentLogEntry):
                    # The log is append-only: the other's entries are copied to the kept record.
                    for row in rows:
                        note = f"{row.reason} ({reason})" if row.reason else reason
                        model.objects.create(case=keep, from_user=row.from_user, to_user=row.to_user, by=row.by,
                                             at=row.at, reason=note[:200])
                else:
                    for row in rows:
                        setattr(row, name, keep)
                        row._change_reason = reason
                        row._history_user = by
                        row.save()
                moved[relation.get_accessor_name()] = len(rows)
    except (IntegrityError, ValidationError) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        raise MergeRefused([_("The records cannot be merged: %(error)s") % {"error": " ".join(messages)}]) from exc
    vulnerabilities = list(other.vulnerabilities.all())
    for name in FILLED_FIELDS:
        if not getattr(keep, name) and getattr(other, name):
            setattr(keep, name, getattr(other, name))
    if other.notes:
        keep.notes = f"{keep.notes}\n\n{other.case_number}: {other.notes}".strip()
    keep._change_reason, keep._history_user = reason, by
    keep.version += 1
    keep.save()
    keep.vulnerabilities.add(*vulnerabilities)
    moved["vulnerabilities"] = len(vulnerabilities)
    other._change_reason = _("Merged into %(case)s") % {"case": keep.case_number}
    other._history_user = by
    other.delete()
    records_merged.send(sender=Returnee, kept=keep, merged=other.case_number, by=by, moved=moved)
    return moved
