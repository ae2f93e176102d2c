"""Writes of reintegration casework that span several records: the follow-up schedule, a follow-up done
with the next one planned, a referral sent without consent and its entry in the audit log. Each runs in one
transaction."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import AuditEvent, AuditEventKind
from returns.models import AFTER_RETURN_STAGES, MOROCCO, Returnee, Stage

from .models import FollowUp, FollowUpScheduleStep, PlanGoal, Programme, Referral


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer days."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def programme_of(returnee: Returnee) -> str:
    return Programme.FROM_MOROCCO if returnee.host_country == MOROCCO else Programme.TO_MOROCCO


@transaction.atomic(savepoint=False)
def schedule_follow_ups(returnee: Returnee, *, new: bool = False) -> list[FollowUp]:
    """Plan the programme's follow-ups for a returnee who has left, once: nothing if any scheduled one exists
    (`new`: the returnee was just created, so none does).

    Each is due the given number of months after the departure and goes to the case's owner.
    """
    if returnee.departure_date is None or returnee.stage not in AFTER_RETURN_STAGES:
        return []
    if not new and FollowUp.objects.filter(returnee=returnee, scheduled=True).exists():
        return []
    steps = FollowUpScheduleStep.objects.filter(programme=programme_of(returnee), active=True)
    return bulk_create_with_history([
        FollowUp(returnee=returnee, kind=step.kind, due_date=add_months(returnee.departure_date,
                 step.months_after_departure), assigned_to_id=returnee.assigned_to_id, scheduled=True)
        for step in steps
    ], FollowUp)


@transaction.atomic
def plan_next_follow_up(follow_up: FollowUp) -> FollowUp | None:
    """The follow-up planned by `next_due`, once: same kind and owner, due on that day."""
    if follow_up.next_due is None:
        return None
    existing = FollowUp.objects.filter(returnee_id=follow_up.returnee_id, due_date=follow_up.next_due,
                                       done_on__isnull=True).first()
    if existing is not None:
        return existing
    return FollowUp.objects.create(returnee_id=follow_up.returnee_id, kind=follow_up.kind,
                                   due_date=follow_up.next_due, assigned_to_id=follow_up.assigned_to_id)


def check_completed_reintegration(returnee: Any, errors: dict[str, list]) -> None:
    """A returnee's reintegration is completed only when no goal of a plan at work is still open
    (registered in returns.models.STAGE_RULES)."""
    if returnee.stage != Stage.COMPLETED or returnee.pk is None or returnee.stored_stage == Stage.COMPLETED:
        return
    if PlanGoal.objects.open().filter(plan__returnee=returnee).exclude(plan__status="abandoned").exists():
        errors.setdefault("stage", []).append(
            _("The reintegration cannot be completed while a goal of the plan is still planned or in progress.")
        )


def schedule_on_return(sender: type[Returnee], instance: Returnee, created: bool, raw: bool = False,
                       **kwargs: Any) -> None:
    """post_save of a returnee: when the case reaches the return, its follow-ups are planned.

    Only on that change (or a returnee created as returned), so an ordinary edit costs nothing; writers
    that skip save() (bulk_create, loaddata, imports) run `manage.py schedule_follow_ups`, which is
    idempotent.
    """
    if raw or instance.stage not in AFTER_RETURN_STAGES:
        return
    if created or instance.stored_stage not in AFTER_RETURN_STAGES:
        schedule_follow_ups(instance, new=created)
        # What was saved is now the stored stage: a second save of the same instance plans nothing.
        instance._stored_stage = instance.stage


@transaction.atomic
def save_referral(referral: Referral, *, by: Any, request: Any = None) -> Referral:
    """Save a validated referral; one sent without the returnee's data-sharing consent is written to the audit
    log with its reason, in the same transaction (no override without its trace)."""
    sending = referral.is_new_sending
    if referral.pk is None and referral.sent_by_id is None:
        referral.sent_by = by
    referral.save()
    if sending and referral.consent_override:
        log_consent_override(referral, by=by, request=request)
    # Later edits are checked against what is now stored.
    referral._stored_sending = (referral.returnee_id, referral.partner_id, referral.sent_on)
    return referral


def log_consent_override(referral: Referral, *, by: Any, request: Any = None) -> None:
    """The audit log's entry for a referral sent without data-sharing consent (call it in the save's transaction)."""
    AuditEvent.objects.record(
        AuditEventKind.REFERRAL_OVERRIDE, request=request, user=by, what="reintegration.referral",
        referral=referral.pk, returnee=referral.returnee.case_number, partner=referral.partner.name,
        service=referral.service, reason=referral.override_reason,
    )
