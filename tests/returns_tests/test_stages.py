"""A returnee's stage: every allowed and refused move with the message the user reads, the counting status that
follows the stage, the database's refusal of a stage and status that disagree, closing with a reason, and the
reintegration plan's rule on completing."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from reintegration.models import GoalStatus, PlanGoal, PlanStatus, ReintegrationPlan
from returns.models import (
    AFTER_RETURN_STAGES,
    BEFORE_RETURN_STAGES,
    TRANSITIONS,
    Returnee,
    ReturnStatus,
    Stage,
    status_for_stage,
)
from tests import helpers as f

pytestmark = pytest.mark.django_db

DEPARTED = date(2024, 5, 10)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def fields_for(stage: str, departed: bool) -> dict:
    """The other fields a case at `stage` needs to be valid."""
    has_date = stage in AFTER_RETURN_STAGES or (stage == Stage.CLOSED and departed)
    return {"stage": stage, "departure_date": DEPARTED if has_date else None,
            "closure_reason": "completed" if stage == Stage.CLOSED else "",
            "status": status_for_stage(stage, DEPARTED if has_date else None)}


def stored(stage: str, departed: bool = False) -> Returnee:
    """A saved case at `stage`, read back from the database (clean() checks a move against the stored stage)."""
    person = f.saved_returnee(**fields_for(stage, departed))
    return Returnee.objects.get(pk=person.pk)


def moved(person: Returnee, stage: str) -> Returnee:
    departed = person.departure_date is not None
    for name, value in fields_for(stage, departed or stage in AFTER_RETURN_STAGES).items():
        setattr(person, name, value)
    return person


def refusal(stage_from: str, stage_to: str) -> str:
    return f"A case cannot go from “{Stage(stage_from).label}” to “{Stage(stage_to).label}”."


PAIRS = [(a, b) for a, b in itertools.permutations(Stage.values, 2)]
ALLOWED = [(a, b) for a, b in PAIRS if b in TRANSITIONS[a]]
REFUSED = [(a, b) for a, b in PAIRS if b not in TRANSITIONS[a]]


def test_every_stage_has_its_moves():
    assert set(TRANSITIONS) == set(Stage.values)
    assert len(ALLOWED) + len(REFUSED) == 8 * 7 and ALLOWED and REFUSED


@pytest.mark.parametrize(("stage_from", "stage_to"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_an_allowed_move_is_accepted_and_the_status_follows(stage_from, stage_to):
    person = stored(stage_from)
    if stage_to == Stage.RETURNED and stage_from in BEFORE_RETURN_STAGES:
        f.ready_to_travel(person, DEPARTED)  # the departure checklist's rule (tests/returns_tests/test_checklist.py)
    person = moved(person, stage_to)
    person.status = "open"  # whatever a form left there: the stage decides
    person.full_clean()
    assert person.status == status_for_stage(stage_to, person.departure_date)
    assert person.stage_changed_on == timezone.localdate()
    person.save()


@pytest.mark.parametrize(("stage_from", "stage_to"), REFUSED, ids=[f"{a}->{b}" for a, b in REFUSED])
def test_a_refused_move_names_both_stages(stage_from, stage_to):
    person = moved(stored(stage_from), stage_to)
    with pytest.raises(ValidationError) as excinfo:
        person.full_clean()
    assert refusal(stage_from, stage_to) in excinfo.value.message_dict["stage"]


def test_a_closed_case_reopens_into_reintegration_after_the_return():
    person = moved(stored(Stage.CLOSED, departed=True), Stage.REINTEGRATION)
    person.full_clean()
    assert person.status == ReturnStatus.DEPARTED and person.closure_reason == ""


@pytest.mark.parametrize(("stage", "departure", "status"), [
    (Stage.REGISTERED, None, ReturnStatus.OPEN), (Stage.COUNSELLED, None, ReturnStatus.OPEN),
    (Stage.TRAVEL, None, ReturnStatus.OPEN), (Stage.RETURNED, DEPARTED, ReturnStatus.DEPARTED),
    (Stage.REINTEGRATION, DEPARTED, ReturnStatus.DEPARTED), (Stage.COMPLETED, DEPARTED, ReturnStatus.DEPARTED),
    (Stage.CLOSED, DEPARTED, ReturnStatus.DEPARTED), (Stage.CLOSED, None, ReturnStatus.OPEN),
    (Stage.WITHDRAWN, None, ReturnStatus.WITHDRAWN),
])
def test_the_counting_status_follows_the_stage(stage, departure, status):
    person = f.build_returnee(stage=stage, departure_date=departure, status="open",
                              closure_reason="completed" if stage == Stage.CLOSED else "")
    person.full_clean()
    assert person.status == status


def test_an_after_return_stage_needs_a_departure_date():
    with pytest.raises(ValidationError) as excinfo:
        f.build_returnee(stage=Stage.REINTEGRATION, departure_date=None).full_clean()
    assert "A case at the stage “Reintegration in progress” needs a departure date." in \
        excinfo.value.message_dict["departure_date"]


@pytest.mark.parametrize("stage", [Stage.REGISTERED, Stage.COUNSELLED, Stage.TRAVEL, Stage.WITHDRAWN])
def test_a_case_not_yet_returned_has_no_departure_date(stage):
    with pytest.raises(ValidationError) as excinfo:
        f.build_returnee(stage=stage, departure_date=DEPARTED).full_clean()
    assert ("A case with a departure date has returned: choose “Returned” or a later stage, or clear the date."
            in excinfo.value.message_dict["stage"])


def test_closing_needs_a_reason_and_only_a_closed_case_has_one():
    person = stored(Stage.RETURNED)
    person.stage = Stage.CLOSED
    with pytest.raises(ValidationError) as excinfo:
        person.full_clean()
    assert excinfo.value.message_dict["closure_reason"] == ["Give the reason for closing the case."]
    person.closure_reason = "lost_contact"
    person.full_clean()
    assert person.status == ReturnStatus.DEPARTED
    open_case = f.build_returnee(stage=Stage.RETURNED, closure_reason="declined")
    with pytest.raises(ValidationError) as excinfo:
        open_case.full_clean()
    assert excinfo.value.message_dict["closure_reason"] == ["Only a closed case has a closure reason."]


@pytest.mark.parametrize("change", [
    {"status": ReturnStatus.OPEN},  # returned, counted as open
    {"status": ReturnStatus.WITHDRAWN, "departure_date": None},
    {"stage": Stage.WITHDRAWN},  # withdrawn, counted as returned
    {"stage": Stage.REGISTERED},
    {"stage": Stage.CLOSED},  # without a reason
    {"closure_reason": "declined"},  # a reason on an open case
], ids=["returned-open", "returned-withdrawn", "withdrawn-departed", "registered-departed", "closed-no-reason",
        "reason-not-closed"])
def test_the_database_refuses_a_stage_and_status_that_disagree_whoever_writes(change):
    person = f.saved_returnee()
    with pytest.raises(IntegrityError), transaction.atomic():
        Returnee.objects.filter(pk=person.pk).update(**change)
    with pytest.raises(IntegrityError), transaction.atomic():
        Returnee.objects.bulk_create([f.build_returnee(**{"stage": Stage.RETURNED, **change})])


def plan_with_goal(person: Returnee, goal_status: str, plan_status: str = PlanStatus.AGREED) -> PlanGoal:
    plan = ReintegrationPlan.objects.create(returnee=person, status=plan_status, agreed_on=DEPARTED,
                                            closed_on=date(2024, 9, 1) if plan_status == PlanStatus.ABANDONED else None,
                                            closure_reason="Left again" if plan_status == PlanStatus.ABANDONED else "")
    return PlanGoal.objects.create(plan=plan, dimension="economic", need="Open a shop", planned_support="cash",
                                   status=goal_status, outcome="Open" if goal_status == GoalStatus.ACHIEVED else "")


def test_a_reintegration_completes_only_when_no_goal_is_still_open():
    person = stored(Stage.REINTEGRATION)
    goal = plan_with_goal(person, GoalStatus.IN_PROGRESS)
    person.stage = Stage.COMPLETED
    with pytest.raises(ValidationError) as excinfo:
        person.full_clean()
    assert excinfo.value.message_dict["stage"] == [
        "The reintegration cannot be completed while a goal of the plan is still planned or in progress."]
    goal.status, goal.outcome = GoalStatus.ACHIEVED, "The shop is open"
    goal.save()
    person.full_clean()


def test_an_open_goal_of_an_abandoned_plan_does_not_hold_the_case_back():
    person = stored(Stage.REINTEGRATION)
    plan_with_goal(person, GoalStatus.PLANNED, plan_status=PlanStatus.ABANDONED)
    person.stage = Stage.COMPLETED
    person.full_clean()
