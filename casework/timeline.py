"""A case's timeline: everything that happened to it, oldest first, with who and when.

A returnee's: stage changes and notes (its history rows), support sessions, the plan's and its goals' changes
(their history rows), follow-ups (due, or done), changes of owner (the assignment log). A resettlement file's:
stage changes and notes, changes of owner, refugees added. One query per kind of entry, whatever the case's
size; each kind is shown only to those allowed to see its records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from reintegration.models import (
    Dimension,
    FollowUp,
    GoalStatus,
    PlanGoal,
    PlanStatus,
    ReintegrationPlan,
    SupportSession,
)
from resettlement.models import FileAssignment, Refugee, ResettlementFile
from resettlement.models import Stage as FileStage
from returns.models import Returnee, ReturneeAssignment, Stage


@dataclass(frozen=True)
class Entry:
    """One line of the timeline. `on` is a date (a session, a follow-up) or a date and time (a change)."""

    on: date | datetime
    kind: str  # stage, note, session, plan, goal, follow-up, assignment, refugee: a CSS class and a test hook
    text: str
    who: str = ""
    url: str = ""
    detail: str = ""
    flag: str = ""  # "overdue" or "planned" for a follow-up not done
    # True when `who` is the person the entry is for (a follow-up's assignee), not the one who recorded it.
    who_is_owner: bool = False

    @property
    def has_time(self) -> bool:
        return isinstance(self.on, datetime)

    @property
    def sort_key(self) -> datetime:
        if isinstance(self.on, datetime):
            return timezone.localtime(self.on) if timezone.is_aware(self.on) else self.on
        return timezone.make_aware(datetime.combine(self.on, time.min))


def person(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _labels(choices: Any) -> Any:
    """The label of a stored choice (the value itself if the choice has since been removed)."""
    labels = dict(choices.choices)
    return lambda value: str(labels.get(value, value))


def _sorted(entries: list[Entry]) -> list[Entry]:
    # Stable: entries of the same moment keep the order in which they were built (stage before notes …).
    return sorted(entries, key=lambda entry: entry.sort_key)


def _record_changes(rows: list[Any], stage_label: Any, kind_created: str) -> list[Entry]:
    """Stage changes and notes edits of one case, from its history rows in order."""
    entries = []
    previous = None
    for row in rows:
        who = person(row.history_user)
        if previous is None or row.stage != previous.stage:
            label = stage_label(row.stage)
            if previous is None:
                text = _("%(what)s recorded at the stage “%(stage)s”") % {"what": kind_created, "stage": label}
            else:
                text = _("Stage: %(old)s → %(new)s") % {"old": stage_label(previous.stage), "new": label}
            entries.append(Entry(row.history_date, "stage", text, who, detail=row.history_change_reason or ""))
        if previous is not None and row.notes != previous.notes and row.notes.strip():
            entries.append(Entry(row.history_date, "note", _("Notes updated"), who, detail=row.notes))
        previous = row
    return entries


def _assignments(log: Any) -> list[Entry]:
    entries = []
    for change in log:
        if change.to_user_id is None:
            text = _("Owner removed (was %(from)s)") % {"from": person(change.from_user) or "—"}
        elif change.from_user_id is None:
            text = _("Assigned to %(to)s") % {"to": person(change.to_user)}
        else:
            text = _("Reassigned from %(from)s to %(to)s") % {"from": person(change.from_user),
                                                                "to": person(change.to_user)}
        entries.append(Entry(change.at, "assignment", text, person(change.by), detail=change.reason))
    return entries


def _creators(history_rows: Any) -> dict[int, str]:
    """Who created each record, from its history's creation rows (records loaded in bulk have none)."""
    return {row.id: person(row.history_user) for row in history_rows}


def returnee_timeline(returnee: Returnee, user: Any) -> list[Entry]:
    """The returnee's timeline as `user` may see it, oldest first."""
    entries = _record_changes(
        list(Returnee.history.filter(id=returnee.pk).select_related("history_user")
             .order_by("history_date", "history_id")),
        _labels(Stage), _("Case"),
    )
    if user.has_perm("returns.view_returneeassignment"):
        entries += _assignments(ReturneeAssignment.objects.filter(case=returnee)
                                .select_related("from_user", "to_user", "by").order_by("at", "pk"))
    if user.has_perm("reintegration.view_supportsession"):
        creators = _creators(SupportSession.history.filter(returnee_id=returnee.pk, history_type="+")
                             .select_related("history_user"))
        for session in SupportSession.objects.filter(returnee=returnee).order_by("date", "pk"):
            entries.append(Entry(session.date, "session",
                                 _("Session: %(kind)s (%(phase)s)") % {"kind": session.get_kind_display(),
                                                                       "phase": session.get_phase_display()},
                                 creators.get(session.pk, ""), url=session.get_absolute_url()))
    if user.has_perm("reintegration.view_reintegrationplan"):
        entries += _plan_entries(returnee, with_goals=user.has_perm("reintegration.view_plangoal"))
    if user.has_perm("reintegration.view_followup"):
        entries += _follow_up_entries(returnee)
    return _sorted(entries)


def _plan_entries(returnee: Returnee, with_goals: bool) -> list[Entry]:
    entries = []
    rows = list(ReintegrationPlan.history.filter(returnee_id=returnee.pk).select_related("history_user")
                .order_by("history_date", "history_id"))
    last_status: dict[int, str] = {}
    for row in rows:
        who = person(row.history_user)
        status = _labels(PlanStatus)(row.status)
        if row.history_type == "-":
            entries.append(Entry(row.history_date, "plan", _("Plan deleted"), who))
        elif row.id not in last_status:
            entries.append(Entry(row.history_date, "plan", _("Plan created (%(status)s)") % {"status": status}, who,
                                 detail=row.notes))
        elif row.status != last_status[row.id]:
            text = _("Plan: %(status)s") % {"status": status}
            detail = row.closure_reason if row.status == PlanStatus.ABANDONED else ""
            entries.append(Entry(row.history_date, "plan", text, who, detail=detail))
        last_status[row.id] = row.status
    if with_goals and last_status:
        goal_status: dict[int, str] = {}
        for row in (PlanGoal.history.filter(plan_id__in=list(last_status)).select_related("history_user")
                    .order_by("history_date", "history_id")):
            who = person(row.history_user)
            goal = f"{_labels(Dimension)(row.dimension)} — {row.need}"
            if row.history_type == "-":
                entries.append(Entry(row.history_date, "goal", _("Goal removed: %(goal)s") % {"goal": goal}, who))
            elif row.id not in goal_status:
                entries.append(Entry(row.history_date, "goal", _("Goal added: %(goal)s") % {"goal": goal}, who))
            elif row.status != goal_status[row.id]:
                entries.append(Entry(row.history_date, "goal", _("Goal %(goal)s: %(status)s") % {
                    "goal": goal, "status": _labels(GoalStatus)(row.status)}, who,
                    detail=row.outcome))
            goal_status[row.id] = row.status
    return entries


def _follow_up_entries(returnee: Returnee) -> list[Entry]:
    entries = []
    today = timezone.localdate()
    follow_ups = FollowUp.objects.filter(returnee=returnee).select_related("assigned_to").order_by("due_date", "pk")
    for follow_up in follow_ups:
        who = person(follow_up.assigned_to)
        kind = follow_up.get_kind_display()
        if follow_up.done_on:
            entries.append(Entry(follow_up.done_on, "follow-up",
                                 _("Follow-up done: %(kind)s — %(outcome)s") % {
                                     "kind": kind, "outcome": follow_up.get_outcome_display()},
                                 who, detail=follow_up.notes, who_is_owner=True))
        else:
            overdue = follow_up.due_date < today
            entries.append(Entry(follow_up.due_date, "follow-up",
                                 _("Follow-up due: %(kind)s") % {"kind": kind}, who,
                                 flag="overdue" if overdue else "planned", who_is_owner=True))
    return entries


def file_timeline(file: ResettlementFile, user: Any) -> list[Entry]:
    """The resettlement file's timeline as `user` may see it, oldest first."""
    entries = _record_changes(
        list(ResettlementFile.history.filter(id=file.pk).select_related("history_user")
             .order_by("history_date", "history_id")),
        _labels(FileStage), _("File"),
    )
    if user.has_perm("resettlement.view_fileassignment"):
        entries += _assignments(FileAssignment.objects.filter(case=file)
                                .select_related("from_user", "to_user", "by").order_by("at", "pk"))
    if user.has_perm("resettlement.view_refugee"):
        creators = _creators(Refugee.history.filter(file_id=file.pk, history_type="+").select_related("history_user"))
        for refugee in Refugee.objects.filter(file=file).order_by("created_at", "pk"):
            entries.append(Entry(refugee.created_at, "refugee",
                                 _("Refugee added: %(name)s") % {"name": refugee.full_name},
                                 creators.get(refugee.pk, ""), url=refugee.get_absolute_url()))
    return _sorted(entries)
