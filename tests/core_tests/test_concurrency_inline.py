"""Rows edited inline under a record (sessions under a returnee, refugees under a file): no lost updates.

A loads the parent's page; B changes one of its rows on the row's own page; A's save of the parent is
refused with the message asking to reload, B's change stays, and nothing of A's submission is written.
"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.roles import ADMINISTRATOR, CASE_WORKER, RESETTLEMENT_OFFICER
from oimsite.core.concurrency import STALE_EDIT_MESSAGE
from oimsite.lists.admin_base import CaseAdmin
from reintegration.models import Kind, SupportSession
from resettlement.models import Refugee
from tests.helpers import admin_form_data, in_english

# (role, parent admin, parent key, parent field A changes, row admin, row key, row field, B's value)
INLINES = {
    "sessions": (CASE_WORKER, "returns_returnee", "returnee", "family_name",
                 "reintegration_supportsession", "session", "kind", Kind.VOCATIONAL_TRAINING),
    "refugees": (RESETTLEMENT_OFFICER, "resettlement_resettlementfile", "file", "notes",
                 "resettlement_refugee", "refugee", "given_name", "Bob-Name"),
}
PARENT_VALUES = {"family_name": "Diallo", "notes": ""}


def _client(make_user, username, role):
    client = in_english(Client())
    client.force_login(make_user(username, role))
    return client


def _row_key(data: dict, field: str) -> str:
    """The inline form's key for `field` of the first (only) row, e.g. "sessions-0-kind"."""
    [id_key] = [k for k in data if k.endswith("-0-id")]
    return id_key.removesuffix("id") + field


def _stale_setup(make_user, cases, case, alice_role=None):
    role, parent_admin, parent_key, _parent_field, row_admin, row_key, row_field, bob_value = INLINES[case]
    parent, row = cases[parent_key], cases[row_key]
    url = reverse(f"admin:{parent_admin}_change", args=[parent.pk])
    alice, bob = _client(make_user, "alice", alice_role or role), _client(make_user, "bob", role)
    form_a = admin_form_data(alice.get(url))
    assert form_a[_row_key(form_a, "edit_version")] == "1"

    row_url = reverse(f"admin:{row_admin}_change", args=[row.pk])
    form_b = admin_form_data(bob.get(row_url))
    form_b[row_field] = bob_value
    assert bob.post(row_url, form_b).status_code == 302
    row.refresh_from_db()
    assert (getattr(row, row_field), row.version) == (bob_value, 2)
    return alice, url, form_a, parent, row


def _assert_refused(response):
    assert response.status_code == 200
    with translation.override("en"):
        assert str(STALE_EDIT_MESSAGE) in response.content.decode()


@pytest.mark.parametrize("case", INLINES)
@pytest.mark.parametrize("parent_changed", [False, True], ids=["parent-unchanged", "parent-changed"])
def test_stale_inline_row_refuses_the_whole_save(db, make_user, cases, case, parent_changed):
    alice, url, form_a, parent, row = _stale_setup(make_user, cases, case)
    parent_field, row_field, bob_value = INLINES[case][3], INLINES[case][6], INLINES[case][7]
    if parent_changed:
        form_a[parent_field] = "Alice-Change"
    parent_history = parent.history.count()
    row_history = row.history.count()

    _assert_refused(alice.post(url, form_a))

    row.refresh_from_db()
    parent.refresh_from_db()
    assert (getattr(row, row_field), row.version) == (bob_value, 2)  # B's change kept
    assert getattr(parent, parent_field) == PARENT_VALUES[parent_field]  # A's change not written
    assert parent.version == 1
    assert (parent.history.count(), row.history.count()) == (parent_history, row_history)


@pytest.mark.parametrize("case", INLINES)
def test_deleting_a_row_changed_since_is_refused(db, make_user, cases, case):
    # Only administrators delete records.
    alice, url, form_a, parent, row = _stale_setup(make_user, cases, case, alice_role=ADMINISTRATOR)
    form_a[_row_key(form_a, "DELETE")] = "on"
    form_a[INLINES[case][3]] = "Alice-Change"

    _assert_refused(alice.post(url, form_a))

    assert type(row).objects.filter(pk=row.pk).exists()
    parent.refresh_from_db()
    assert getattr(parent, INLINES[case][3]) == PARENT_VALUES[INLINES[case][3]]


@pytest.mark.parametrize("case", INLINES)
def test_inline_change_without_conflict_saves_and_bumps_the_version(db, make_user, cases, case):
    role, parent_admin, parent_key, _pf, _ra, row_key, row_field, new_value = INLINES[case]
    parent, row = cases[parent_key], cases[row_key]
    url = reverse(f"admin:{parent_admin}_change", args=[parent.pk])
    alice = _client(make_user, "alice", role)
    data = admin_form_data(alice.get(url))
    data[_row_key(data, row_field)] = new_value

    assert alice.post(url, data).status_code == 302
    row.refresh_from_db()
    assert (getattr(row, row_field), row.version) == (new_value, 2)

    # The next save from a freshly loaded page carries the new version and goes through.
    if case == "refugees":
        # A departed file keeps at least one refugee: the row deleted below is not its last.
        Refugee.objects.create(file=parent, given_name="Marie", family_name="Mbala", sex="F",
                               date_of_birth=row.date_of_birth, nationality="CD", relationship="spouse")
    alice = _client(make_user, "root", ADMINISTRATOR)  # only administrators delete records
    data = admin_form_data(alice.get(url))
    assert data[_row_key(data, "edit_version")] == "2"
    data[_row_key(data, "DELETE")] = "on"
    assert alice.post(url, data).status_code == 302
    assert not type(row).objects.filter(pk=row.pk).exists()


def test_new_inline_row_is_added(db, make_user, cases):
    returnee = cases["returnee"]
    url = reverse("admin:returns_returnee_change", args=[returnee.pk])
    alice = _client(make_user, "alice", CASE_WORKER)
    data = admin_form_data(alice.get(url))
    prefix = _row_key(data, "kind").rsplit("-0-", 1)[0]
    row = {k.replace(f"{prefix}-0-", f"{prefix}-1-"): v for k, v in data.items()
           if k.startswith(f"{prefix}-0-") and not k.endswith(("-id", "-edit_version"))}
    data.update(row, **{f"{prefix}-TOTAL_FORMS": "2"})
    assert alice.post(url, data).status_code == 302
    assert SupportSession.objects.filter(returnee=returnee).count() == 2


@pytest.mark.parametrize("delete", [False, True], ids=["change", "delete"])
def test_inline_race_after_the_form_check_rolls_everything_back(db, make_user, cases, monkeypatch, delete):
    """The row changes between the forms' check and the save: the conditional UPDATE refuses, all rolls back."""
    returnee, session = cases["returnee"], cases["session"]
    url = reverse("admin:returns_returnee_change", args=[returnee.pk])
    client = _client(make_user, "dora", ADMINISTRATOR if delete else CASE_WORKER)
    data = admin_form_data(client.get(url))
    data["family_name"] = "Dora"
    if delete:
        data[_row_key(data, "DELETE")] = "on"
    else:
        data[_row_key(data, "kind")] = Kind.HEALTH
    original = CaseAdmin.save_related

    def concurrent_save_first(self, request, form, formsets, change):
        SupportSession.objects.filter(pk=session.pk).update(version=5)  # someone else's save lands now
        original(self, request, form, formsets, change)

    monkeypatch.setattr(CaseAdmin, "save_related", concurrent_save_first)
    response = client.post(url, data, follow=True)
    assert "Someone else saved this record" in response.content.decode()
    returnee.refresh_from_db()
    session.refresh_from_db()
    assert (returnee.family_name, returnee.version) == ("Diallo", 1)  # the parent's save rolled back
    assert (session.kind, session.version) == (Kind.CASH, 1)  # and the row's, its version included
