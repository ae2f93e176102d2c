"""Reintegration casework: plans and their constraints, support that follows an agreed plan, follow-ups and their
rules, the schedule the return plans once (and never on an ordinary edit), and its idempotent command."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from reintegration.models import FollowUp, PlanGoal, PlanStatus, ReintegrationPlan
from reintegration.services import add_months, plan_next_follow_up, schedule_follow_ups
from returns.models import Returnee, Stage
from tests import helpers as f

pytestmark = pytest.mark.django_db

DEPARTED = date(2024, 5, 10)
PLAN_NEEDED = ("Support after return other than counselling needs an agreed reintegration plan, agreed on or "
               "before the session's date: record the plan and its agreement first.")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def refused(instance, field: str) -> list[str]:
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict[field]


def plan(person: Returnee, **fields) -> ReintegrationPlan:
    return ReintegrationPlan(returnee=person, **{"status": PlanStatus.AGREED, "agreed_on": DEPARTED, **fields})


# --- plans ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"status": PlanStatus.AGREED, "agreed_on": None}, "agreed_on",
     "Give the date the plan was agreed with the returnee."),
    ({"status": PlanStatus.COMPLETED}, "closed_on", "Give the date the plan was closed."),
    ({"status": PlanStatus.ABANDONED, "closed_on": date(2024, 8, 1)}, "closure_reason",
     "Give the reason the plan was abandoned."),
    ({"closed_on": date(2024, 8, 1)}, "closed_on", "Only a completed or abandoned plan has a closing date."),
    ({"status": PlanStatus.COMPLETED, "closed_on": date(2024, 5, 1)}, "closed_on",
     "A plan cannot be closed before it was agreed."),
    ({"agreed_on": date(2099, 1, 1)}, "agreed_on", "This date cannot be in the future."),
    ({"agreed_on": date(1990, 1, 1)}, "agreed_on", "The plan cannot be agreed before the returnee was born."),
])
def test_a_plan_breaking_a_rule_is_refused_with_its_message(fields, field, message):
    assert message in refused(plan(f.saved_returnee(), **fields), field)


@pytest.mark.parametrize(("fields", "constraint"), [
    ({"agreed_on": None}, "plan_agreed_has_date"),
    ({"status": PlanStatus.COMPLETED}, "plan_closed_has_date"),
    ({"status": PlanStatus.COMPLETED, "closed_on": date(2024, 5, 1)}, "plan_closed_after_agreed"),
])
def test_the_database_refuses_a_plan_breaking_its_constraints(fields, constraint):
    with pytest.raises(IntegrityError, match=constraint if connection.vendor == "postgresql" else None), \
            transaction.atomic():
        plan(f.saved_returnee(), **fields).save()


def test_one_plan_at_work_per_returnee():
    person = f.saved_returnee()
    plan(person).save()
    second = plan(person, status=PlanStatus.DRAFT, agreed_on=None)
    with pytest.raises(ValidationError) as excinfo:
        second.validate_constraints()
    assert "This returnee already has a plan in draft or agreed." in str(excinfo.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    # Once the first is completed, a new plan may start.
    ReintegrationPlan.objects.filter(returnee=person).update(status=PlanStatus.COMPLETED, closed_on=date(2024, 9, 1))
    second.save()


def test_a_plan_completes_only_when_every_goal_is_resolved():
    agreed = plan(f.saved_returnee())
    agreed.save()
    goal = PlanGoal.objects.create(plan=agreed, dimension="economic", need="Open a shop", planned_support="cash")
    agreed.status, agreed.closed_on = PlanStatus.COMPLETED, date(2024, 9, 1)
    assert refused(agreed, "status") == [
        "A plan completes only when every goal is achieved, partly achieved or dropped."]
    goal.status = "achieved"
    assert refused(goal, "outcome") == ["Describe the outcome of an achieved or partly achieved goal."]
    goal.outcome = "The shop is open"
    goal.save()
    agreed.full_clean()


def test_late_plans_are_drafts_a_month_after_the_return():
    today = timezone.localdate()
    late = f.saved_returnee(departure_date=today - timedelta(days=31))
    recent = f.saved_returnee(departure_date=today - timedelta(days=29))
    for person in (late, recent):
        plan(person, status=PlanStatus.DRAFT, agreed_on=None).save()
    assert [p.returnee for p in ReintegrationPlan.objects.late()] == [late]
    assert ReintegrationPlan.objects.get(returnee=late).is_late


# --- support follows an agreed plan ------------------------------------------------------------------------------

def test_support_after_the_return_needs_a_plan_agreed_on_or_before_its_date():
    person = f.saved_returnee()
    session = f.build_session(person, date=date(2024, 6, 1))
    assert refused(session, "kind") == [PLAN_NEEDED]
    plan(person, status=PlanStatus.DRAFT, agreed_on=None).save()
    assert refused(session, "kind") == [PLAN_NEEDED]  # a draft is not agreed
    ReintegrationPlan.objects.filter(returnee=person).update(status=PlanStatus.AGREED, agreed_on=date(2024, 6, 2))
    assert refused(session, "kind") == [PLAN_NEEDED]  # agreed after the session
    ReintegrationPlan.objects.filter(returnee=person).update(agreed_on=date(2024, 6, 1))
    session.full_clean()


def test_counselling_after_the_return_needs_no_plan():
    person = f.saved_returnee()
    f.build_session(person, kind="counselling", date=date(2024, 6, 1)).full_clean()


def test_a_session_recorded_before_plans_existed_is_edited_without_one_until_its_kind_or_date_changes():
    person = f.saved_returnee()
    f.session(person, on=date(2024, 6, 1))  # written without clean(), as before plans existed
    session = person.sessions.get()
    session.notes = "Paid in two parts"
    session.full_clean()
    session.date = date(2024, 6, 3)
    assert refused(session, "kind") == [PLAN_NEEDED]


def test_a_session_serves_a_goal_of_its_own_returnees_plan():
    person, other = f.saved_returnee(), f.saved_returnee()
    f.agreed_plan(person)
    other_plan = f.agreed_plan(other)
    goal = PlanGoal.objects.create(plan=other_plan, dimension="economic", need="Open a shop", planned_support="cash")
    assert refused(f.build_session(person, goal=goal), "goal") == ["This goal belongs to another returnee's plan."]


# --- follow-ups ----------------------------------------------------------------------------------------------------

def follow_up(person: Returnee, **fields) -> FollowUp:
    return FollowUp(returnee=person, **{"kind": "phone", "due_date": date(2024, 6, 10), **fields})


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"done_on": date(2024, 6, 12)}, "outcome", "Give the outcome of the follow-up that was done."),
    ({"outcome": "reached"}, "done_on", "Give the day the follow-up was done, or clear the outcome."),
    ({"done_on": date(2099, 1, 1), "outcome": "reached"}, "done_on", "A follow-up cannot be done in the future."),
    ({"next_due": date(2024, 6, 10)}, "next_due", "The next follow-up is due after this one."),
    ({"done_on": date(2024, 5, 1), "outcome": "reached"}, "done_on",
     "A follow-up cannot be done before the departure (10/05/2024)."),
    ({"due_date": date(2024, 5, 1)}, "due_date", "A follow-up cannot be due before the departure (10/05/2024)."),
])
def test_a_follow_up_breaking_a_rule_is_refused_with_its_message(fields, field, message):
    assert message in refused(follow_up(f.saved_returnee(), **fields), field)


def test_a_follow_up_needs_a_returnee_who_has_left_and_an_active_staff_owner(django_user_model):
    waiting = f.saved_returnee(stage=Stage.REGISTERED, departure_date=None, status="open")
    assert refused(follow_up(waiting, due_date=date(2024, 6, 10)), "returnee") == [
        "Follow-ups and monitoring visits start after the return: this returnee has not left yet."]
    gone = django_user_model.objects.create_user("gone", is_staff=True, is_active=False)
    # The field's choices refuse it as well (limit_choices_to); the model's rule says why.
    assert "Choose an active staff account." in refused(follow_up(f.saved_returnee(), assigned_to=gone),
                                                        "assigned_to")


def test_the_database_refuses_a_done_follow_up_without_an_outcome():
    done = follow_up(f.saved_returnee())
    done.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.filter(pk=done.pk).update(done_on=date(2024, 6, 12))
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.filter(pk=done.pk).update(next_due=date(2024, 6, 1))


def test_pending_overdue_due_within_and_for_user(django_user_model):
    worker = django_user_model.objects.create_user("worker", is_staff=True)
    person = Returnee.objects.bulk_create([f.build_returnee()])[0]  # no signal: no scheduled follow-ups
    today = timezone.localdate()
    late = follow_up(person, due_date=today - timedelta(days=1), assigned_to=worker)
    soon = follow_up(person, due_date=today + timedelta(days=5), assigned_to=worker)
    far = follow_up(person, due_date=today + timedelta(days=40))
    done = follow_up(person, due_date=today - timedelta(days=3), done_on=today - timedelta(days=2), outcome="reached")
    FollowUp.objects.bulk_create([late, soon, far, done])
    assert list(FollowUp.objects.overdue()) == [late] and late.is_overdue and not done.is_overdue
    assert list(FollowUp.objects.due_within(7)) == [soon]
    assert set(FollowUp.objects.pending()) == {late, soon, far}
    assert set(FollowUp.objects.for_user(worker)) == {late, soon}


def test_a_follow_up_done_plans_the_next_once():
    person = Returnee.objects.bulk_create([f.build_returnee()])[0]  # no signal: no scheduled follow-ups
    done = follow_up(person, done_on=date(2024, 6, 11), outcome="needs_support",
                     next_due=date(2024, 7, 10))
    done.save()
    first = plan_next_follow_up(done)
    assert (first.due_date, first.kind, first.done_on) == (date(2024, 7, 10), "phone", None)
    assert plan_next_follow_up(done) == first
    assert FollowUp.objects.count() == 2


# --- the schedule ---------------------------------------------------------------------------------------------------

SCHEDULE = [(date(2024, 6, 10), "phone"), (date(2024, 8, 10), "home"), (date(2024, 11, 10), "home"),
            (date(2025, 5, 10), "phone")]


def scheduled(person: Returnee) -> list[tuple[date, str]]:
    return list(person.follow_ups.filter(scheduled=True).order_by("due_date").values_list("due_date", "kind"))


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 11, 15), 3) == date(2025, 2, 15)


def test_a_case_saved_as_returned_gets_the_four_follow_ups_of_the_schedule(django_user_model):
    owner = django_user_model.objects.create_user("owner", is_staff=True)
    person = f.saved_returnee(assigned_to=owner)
    assert scheduled(person) == SCHEDULE
    assert set(person.follow_ups.values_list("assigned_to", flat=True)) == {owner.pk}


def test_a_case_reaching_the_return_gets_them_once_and_an_ordinary_edit_plans_nothing():
    person = f.saved_returnee(stage=Stage.TRAVEL, departure_date=None, status="open")
    assert scheduled(person) == []
    f.ready_to_travel(person, DEPARTED)
    person = Returnee.objects.get(pk=person.pk)
    person.stage, person.departure_date = Stage.RETURNED, DEPARTED
    person.full_clean()
    person.save()
    assert scheduled(person) == SCHEDULE
    person.notes = "Called the family"
    person.full_clean()
    with CaptureQueriesContext(connection) as queries:
        person.save()
    assert not [q for q in queries if "reintegration_followup" in q["sql"]]
    edited = Returnee.objects.get(pk=person.pk)
    edited.stage = Stage.REINTEGRATION
    edited.full_clean()
    edited.save()  # a move between stages after the return plans nothing more
    assert scheduled(person) == SCHEDULE
    assert schedule_follow_ups(person) == []


def test_the_schedule_command_plans_what_raw_writes_skipped_and_is_idempotent():
    people = Returnee.objects.bulk_create([f.build_returnee(), f.build_returnee()])  # no signal: no follow-ups
    f.saved_returnee(stage=Stage.REGISTERED, departure_date=None, status="open")
    assert FollowUp.objects.count() == 0
    out = StringIO()
    call_command("schedule_follow_ups", stdout=out)
    assert "8 follow-ups planned." in out.getvalue()
    assert all(scheduled(person) == SCHEDULE for person in people)
    out = StringIO()
    call_command("schedule_follow_ups", stdout=out)
    assert "0 follow-ups planned." in out.getvalue()
    assert FollowUp.objects.count() == 8
