"""Follow-ups in the admin: no visit done before the departure, the next one planned from `next_due`, an
inactive owner refused; the schedule kept in the admin."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from accounts.roles import ADMINISTRATOR, CASE_WORKER
from oimsite.lists.owners import INACTIVE_OWNER
from reintegration.models import FollowUp, FollowUpScheduleStep
from tests.helpers import admin_form_data, in_english, returnee

ADD = "admin:reintegration_followup_add"


@pytest.fixture
def worker(make_user):
    return make_user("worker", CASE_WORKER)


@pytest.fixture
def worker_client(client, worker):
    client = in_english(client)
    client.force_login(worker)
    return client


@pytest.fixture
def case(db):
    case = returnee(departed=date(2024, 5, 10))
    FollowUp.objects.all().delete()  # those the schedule planned on the return
    return case


def follow_up_data(case, **overrides) -> dict:
    data = {"returnee": case.pk, "kind": "phone", "due_date": "2024-06-10", "assigned_to": "", "done_on": "",
            "outcome": "", "notes": "", "next_due": ""}
    data.update(overrides)
    return data


def test_a_follow_up_cannot_be_done_before_the_departure(worker_client, case):
    response = worker_client.post(reverse(ADD), follow_up_data(case, done_on="2024-05-01", outcome="reached"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["done_on"] == [
        "A follow-up cannot be done before the departure (10/05/2024)."]
    assert not FollowUp.objects.exists()


def test_saving_with_next_due_plans_the_next_follow_up(worker_client, worker, case):
    data = follow_up_data(case, done_on="2024-06-10", outcome="needs_support", next_due="2024-07-10",
                          assigned_to=worker.pk)
    assert worker_client.post(reverse(ADD), data).status_code == 302
    first, planned = FollowUp.objects.order_by("due_date")
    assert (first.done_on, first.next_due) == (date(2024, 6, 10), date(2024, 7, 10))
    assert (planned.due_date, planned.kind, planned.assigned_to, planned.done_on) == (
        date(2024, 7, 10), "phone", worker, None)
    # Saving the first again plans nothing more.
    url = reverse("admin:reintegration_followup_change", args=[first.pk])
    assert worker_client.post(url, admin_form_data(worker_client.get(url))).status_code == 302
    assert FollowUp.objects.count() == 2


def test_an_inactive_owner_is_refused(worker_client, make_user, case):
    gone = make_user("gone", CASE_WORKER)
    gone.is_active = False
    gone.save()
    response = worker_client.post(reverse(ADD), follow_up_data(case, assigned_to=gone.pk))
    assert response.context["adminform"].form.errors["assigned_to"] == [str(INACTIVE_OWNER)]
    assert not FollowUp.objects.exists()


def test_next_due_must_come_after_the_due_date(worker_client, case):
    response = worker_client.post(reverse(ADD), follow_up_data(case, next_due="2024-06-01"))
    assert response.context["adminform"].form.errors["next_due"] == ["The next follow-up is due after this one."]
    assert not FollowUp.objects.exists()


def test_the_schedule_is_kept_in_the_admin(client, make_user, db):
    client = in_english(client)
    client.force_login(make_user("root", ADMINISTRATOR))
    url = reverse("admin:reintegration_followupschedulestep_add")
    data = {"programme": "to_morocco", "months_after_departure": "24", "kind": "home", "active": "on"}
    assert client.post(url, data).status_code == 302
    assert FollowUpScheduleStep.objects.filter(programme="to_morocco", months_after_departure=24).exists()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "This programme already plans a follow-up that month." in response.content.decode()
    response = client.post(url, {**data, "months_after_departure": "0"})
    assert "months_after_departure" in response.context["adminform"].form.errors


def test_a_case_worker_reads_the_schedule_but_cannot_change_it(worker_client, db):
    assert worker_client.get(reverse("admin:reintegration_followupschedulestep_changelist")).status_code == 200
    assert worker_client.get(reverse("admin:reintegration_followupschedulestep_add")).status_code == 403
