"""Owners in the returnee admin: the "Reassign selected cases" action, the owner field, the stage."""

from __future__ import annotations

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from accounts.roles import ADMINISTRATOR, CASE_WORKER, SUPERVISOR
from oimsite.lists.owners import INACTIVE_OWNER
from resettlement.models import FileAssignment
from returns.models import Returnee, ReturneeAssignment
from tests.helpers import admin_form_data, in_english, resettlement_file, returnee

CHANGELIST = "admin:returns_returnee_changelist"


def action_post(cases, **extra) -> dict:
    return {"action": "reassign_selected", ACTION_CHECKBOX_NAME: [str(c.pk) for c in cases], **extra}


def test_a_supervisor_reassigns_ten_cases_at_once(client, make_user):
    boss = make_user("boss", SUPERVISOR)
    worker = make_user("worker", CASE_WORKER)
    cases = [returnee() for _ in range(10)]
    client = in_english(client)
    client.force_login(boss)
    url = reverse(CHANGELIST)

    page = client.get(url)
    assert "reassign_selected" in dict(page.context["action_form"].fields["action"].choices)
    confirm = client.post(url, action_post(cases))
    assert confirm.status_code == 200
    assert "Choose the new owner of these 10 cases" in confirm.content.decode()
    assert not ReturneeAssignment.objects.exists()  # nothing before the confirmation

    done = client.post(url, action_post(cases, apply="yes", assigned_to=worker.pk, reason="Caseload balance"),
                       follow=True)
    assert "10 cases reassigned to worker." in [str(m) for m in done.context["messages"]]
    assert set(Returnee.objects.filter(assigned_to=worker).values_list("pk", flat=True)) == {c.pk for c in cases}
    log = ReturneeAssignment.objects.all()
    assert log.count() == 10
    assert {(e.from_user_id, e.to_user_id, e.by_id, e.reason) for e in log} == {
        (None, worker.pk, boss.pk, "Caseload balance")}
    for case in cases:
        last = case.history.first()
        assert (last.history_user_id, last.history_change_reason, last.assigned_to_id) == (
            boss.pk, "Caseload balance", worker.pk)
        assert Returnee.objects.get(pk=case.pk).assigned_on is not None


def test_a_case_worker_is_not_offered_the_action_and_a_forged_post_changes_nothing(client, make_user):
    worker = make_user("worker", CASE_WORKER)
    other = make_user("other", CASE_WORKER)
    cases = [returnee(), returnee()]
    client.force_login(worker)
    url = reverse(CHANGELIST)
    action_form = client.get(url).context["action_form"]
    assert action_form is None or "reassign_selected" not in dict(action_form.fields["action"].choices)
    for data in (action_post(cases), action_post(cases, apply="yes", assigned_to=other.pk, reason="Mine now")):
        response = client.post(url, data)
        assert response.status_code in (200, 302, 403)
    assert not Returnee.objects.filter(assigned_to__isnull=False).exists()
    assert not ReturneeAssignment.objects.exists()


def test_reassigning_to_an_inactive_account_is_refused(client, make_user):
    boss = make_user("boss", SUPERVISOR)
    gone = make_user("gone", CASE_WORKER)
    gone.is_active = False
    gone.save()
    case = returnee()
    client = in_english(client)
    client.force_login(boss)
    response = client.post(reverse(CHANGELIST), action_post([case], apply="yes", assigned_to=gone.pk, reason="x"))
    assert response.status_code == 200
    assert f"New owner: {INACTIVE_OWNER}" in response.content.decode()
    assert Returnee.objects.get(pk=case.pk).assigned_to is None
    assert not ReturneeAssignment.objects.exists()


def test_the_reason_is_required(client, make_user):
    boss = make_user("boss", SUPERVISOR)
    worker = make_user("worker", CASE_WORKER)
    case = returnee()
    client = in_english(client)
    client.force_login(boss)
    response = client.post(reverse(CHANGELIST), action_post([case], apply="yes", assigned_to=worker.pk, reason=""))
    assert "Reason: This field is required." in response.content.decode()
    assert Returnee.objects.get(pk=case.pk).assigned_to is None


def test_the_resettlement_action_reassigns_files(client, make_user):
    boss = make_user("boss", SUPERVISOR)
    officer = make_user("officer", "Chargé de réinstallation")
    files = [resettlement_file(), resettlement_file()]
    client.force_login(boss)
    url = reverse("admin:resettlement_resettlementfile_changelist")
    client.post(url, action_post(files, apply="yes", assigned_to=officer.pk, reason="Leave"))
    assert FileAssignment.objects.filter(to_user=officer, by=boss, reason="Leave").count() == 2


# --- The owner field of the change page -------------------------------------------------------------------------

def change_url(case: Returnee) -> str:
    return reverse("admin:returns_returnee_change", args=[case.pk])


def test_a_supervisor_sets_the_owner_on_the_change_page_and_it_is_logged(client, make_user):
    boss = make_user("boss", SUPERVISOR)
    worker = make_user("worker", CASE_WORKER)
    case = returnee()
    client.force_login(boss)
    data = admin_form_data(client.get(change_url(case)))
    data["assigned_to"] = str(worker.pk)
    assert client.post(change_url(case), data).status_code == 302
    case.refresh_from_db()
    assert case.assigned_to == worker and case.assigned_on is not None
    entry = ReturneeAssignment.objects.get()
    assert (entry.from_user, entry.to_user, entry.by) == (None, worker, boss)
    # The change page shows the log.
    assert "worker" in client.get(change_url(case)).content.decode().split("assignment-log", 1)[1][:500]


def test_the_owner_field_refuses_an_inactive_account(client, make_user):
    boss = make_user("boss", SUPERVISOR)
    gone = make_user("gone", CASE_WORKER)
    gone.is_active = False
    gone.save()
    case = returnee()
    client = in_english(client)
    client.force_login(boss)
    data = admin_form_data(client.get(change_url(case)))
    data["assigned_to"] = str(gone.pk)
    response = client.post(change_url(case), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["assigned_to"] == [str(INACTIVE_OWNER)]
    assert Returnee.objects.get(pk=case.pk).assigned_to is None


def test_a_case_worker_sees_the_owner_read_only_and_cannot_post_one(client, make_user):
    worker = make_user("worker", CASE_WORKER)
    case = returnee()
    client.force_login(worker)
    page = client.get(change_url(case))
    assert "assigned_to" not in page.context["adminform"].form.fields
    data = admin_form_data(page)
    data["assigned_to"] = str(worker.pk)
    assert client.post(change_url(case), data).status_code == 302
    assert Returnee.objects.get(pk=case.pk).assigned_to is None
    assert not ReturneeAssignment.objects.exists()


# --- The stage ----------------------------------------------------------------------------------------------------

def test_a_transition_that_is_not_allowed_is_refused_on_the_stage_field(client, make_user):
    client = in_english(client)
    client.force_login(make_user("worker", CASE_WORKER))
    case = returnee(departed=None)
    Returnee.objects.filter(pk=case.pk).update(stage="withdrawn", status="withdrawn")
    data = admin_form_data(client.get(change_url(case)))
    data["stage"] = "travel"
    response = client.post(change_url(case), data)
    assert response.status_code == 200
    assert "A case cannot go from “Withdrawn” to “Travel being prepared”." in \
        response.context["adminform"].form.errors["stage"]
    assert Returnee.objects.get(pk=case.pk).stage == "withdrawn"


def test_closing_needs_a_reason_and_the_status_follows_the_stage(client, make_user):
    client = in_english(client)
    client.force_login(make_user("worker", CASE_WORKER))
    case = returnee(departed=None)
    data = admin_form_data(client.get(change_url(case)))
    data["stage"] = "closed"
    response = client.post(change_url(case), data)
    assert response.context["adminform"].form.errors["closure_reason"] == ["Give the reason for closing the case."]
    data.update(stage="withdrawn", status="departed")  # a forged status is ignored: the stage decides
    assert client.post(change_url(case), data).status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.status) == ("withdrawn", "withdrawn")
    assert case.history.first().stage == "withdrawn"


def test_the_log_admin_is_read_only_and_a_logged_case_can_still_be_deleted(client, make_user):
    boss = make_user("boss", SUPERVISOR)
    case = returnee()
    ReturneeAssignment.objects.create(case=case, to_user=boss, by=boss, reason="r")
    client.force_login(boss)
    assert client.get(reverse("admin:returns_returneeassignment_changelist")).status_code == 200
    assert client.get(reverse("admin:returns_returneeassignment_add")).status_code == 403
    entry = ReturneeAssignment.objects.get()
    assert client.post(reverse("admin:returns_returneeassignment_delete", args=[entry.pk]),
                       {"post": "yes"}).status_code == 403
    root = make_user("root", ADMINISTRATOR)
    client.force_login(root)
    response = client.post(reverse("admin:returns_returnee_delete", args=[case.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Returnee.objects.filter(pk=case.pk).exists()
