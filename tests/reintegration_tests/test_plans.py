"""Reintegration plans in the admin and on their pages: completion only with every goal resolved (the goals
being submitted included), support after return needs an agreed plan, a session serves a goal of its own
returnee's plan, late plans are flagged."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import CASE_WORKER
from reintegration.models import PLAN_HAS_OPEN_GOALS, PlanGoal, ReintegrationPlan, SupportSession
from returns.models import Returnee
from tests.helpers import admin_form_data, build_session, in_english, returnee, session


@pytest.fixture
def worker_client(client, make_user):
    client = in_english(client)
    client.force_login(make_user("worker", CASE_WORKER))
    return client


@pytest.fixture
def plan(db):
    plan = ReintegrationPlan.objects.create(returnee=returnee(), status="agreed", agreed_on=date(2024, 5, 20))
    PlanGoal.objects.create(plan=plan, dimension="economic", need="Start a shop", planned_support="economic")
    return plan


def plan_url(plan: ReintegrationPlan) -> str:
    return reverse("admin:reintegration_reintegrationplan_change", args=[plan.pk])


def goal_key(data: dict, field: str) -> str:
    return next(key for key in data if key.endswith(f"-0-{field}"))


def test_completing_a_plan_with_an_open_goal_is_refused(worker_client, plan):
    data = admin_form_data(worker_client.get(plan_url(plan)))
    data.update(status="completed", closed_on="2024-09-01")
    response = worker_client.post(plan_url(plan), data)
    assert response.status_code == 200
    assert str(PLAN_HAS_OPEN_GOALS) in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "agreed"


def test_completing_a_plan_while_resolving_its_goals_in_the_same_submission_is_accepted(worker_client, plan):
    data = admin_form_data(worker_client.get(plan_url(plan)))
    data.update(status="completed", closed_on="2024-09-01")
    data[goal_key(data, "status")] = "achieved"
    data[goal_key(data, "outcome")] = "The shop opened in August."
    assert worker_client.post(plan_url(plan), data).status_code == 302
    plan.refresh_from_db()
    assert plan.status == "completed"
    assert plan.goals.get().status == "achieved"


def test_a_new_open_goal_submitted_with_a_completed_plan_is_refused(worker_client, plan):
    PlanGoal.objects.filter(plan=plan).update(status="dropped")
    data = admin_form_data(worker_client.get(plan_url(plan)))
    data.update(status="completed", closed_on="2024-09-01")
    prefix = goal_key(data, "status").rsplit("-0-", 1)[0]
    data.update({f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-1-dimension": "social", f"{prefix}-1-need": "Housing",
                 f"{prefix}-1-planned_support": "social", f"{prefix}-1-status": "planned"})
    response = worker_client.post(plan_url(plan), data)
    assert response.status_code == 200
    assert str(PLAN_HAS_OPEN_GOALS) in response.content.decode()
    assert plan.goals.count() == 1
    assert ReintegrationPlan.objects.get(pk=plan.pk).status == "agreed"


def test_the_model_refuses_completion_with_an_open_goal_in_the_database(plan):
    plan.status, plan.closed_on = "completed", date(2024, 9, 1)
    with pytest.raises(ValidationError) as error:
        plan.full_clean()
    assert error.value.message_dict["status"] == [str(PLAN_HAS_OPEN_GOALS)]


def test_support_after_return_needs_an_agreed_plan(worker_client, db):
    case = returnee()
    data = {"returnee": case.pk, "date": "2024-06-01", "phase": "post_return", "kind": "cash", "mode": "in_person",
            "provider": "iom_origin", "notes": ""}
    response = worker_client.post(reverse("admin:reintegration_supportsession_add"), data)
    assert response.status_code == 200
    assert "needs an agreed reintegration plan" in " ".join(response.context["adminform"].form.errors["kind"])
    assert not SupportSession.objects.exists()
    ReintegrationPlan.objects.create(returnee=case, status="agreed", agreed_on=date(2024, 5, 20))
    assert worker_client.post(reverse("admin:reintegration_supportsession_add"), data).status_code == 302


def test_a_session_serves_a_goal_of_its_own_returnee_only(worker_client, plan):
    goal = plan.goals.get()
    other = returnee()
    ReintegrationPlan.objects.create(returnee=other, status="agreed", agreed_on=date(2024, 5, 20))
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            build_session(other, goal=goal).full_clean()
        assert error.value.message_dict["goal"] == ["This goal belongs to another returnee's plan."]

    data = {"returnee": other.pk, "date": "2024-06-01", "phase": "post_return", "kind": "cash", "mode": "in_person",
            "provider": "iom_origin", "notes": "", "goal": goal.pk}
    response = worker_client.post(reverse("admin:reintegration_supportsession_add"), data)
    assert response.status_code == 200
    assert "Choose a goal of this returnee's reintegration plan" in \
        " ".join(response.context["adminform"].form.errors["goal"])
    data.update(returnee=plan.returnee_id)
    assert worker_client.post(reverse("admin:reintegration_supportsession_add"), data).status_code == 302
    assert SupportSession.objects.get().goal == goal


def test_late_plans_are_flagged_in_the_list_and_the_admin(worker_client, db):
    today = timezone.localdate()
    late = ReintegrationPlan.objects.create(returnee=returnee(departed=today - timedelta(days=45)))
    recent = ReintegrationPlan.objects.create(returnee=returnee(departed=today - timedelta(days=5)))
    agreed = ReintegrationPlan.objects.create(returnee=returnee(departed=today - timedelta(days=90)),
                                              status="agreed", agreed_on=today - timedelta(days=80))
    rows = worker_client.get(reverse("reintegration:plan_list") + "?late=true").context["table"].paginated_rows
    assert [row.record.pk for row in rows] == [late.pk]
    rows = worker_client.get(reverse("reintegration:plan_list") + "?late=false").context["table"].paginated_rows
    assert {row.record.pk for row in rows} == {recent.pk, agreed.pk}
    response = worker_client.get(reverse("admin:reintegration_reintegrationplan_changelist") + "?late=yes")
    assert list(response.context["cl"].queryset) == [late]
    assert 'alt="True"' in response.content.decode()  # the "late" column


def test_the_plan_page_lists_goals_and_the_sessions_serving_each(worker_client, plan):
    goal = plan.goals.get()
    served = session(plan.returnee, on=date(2024, 6, 3), kind="economic")
    SupportSession.objects.filter(pk=served.pk).update(goal=goal)
    response = worker_client.get(reverse("reintegration:plan_detail", args=[plan.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Start a shop" in content
    assert served.get_absolute_url() in content
    assert Returnee.objects.count() == 1
