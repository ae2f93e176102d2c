"""Two people editing the same record: the second save is refused, the first one's change is kept."""

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.roles import CASE_WORKER, RESETTLEMENT_OFFICER
from oimsite.core.concurrency import STALE_EDIT_MESSAGE, StaleEditError, VersionedModelForm, save_versioned
from resettlement.models import ResettlementFile
from returns.models import Returnee
from tests.helpers import admin_form_data, in_english

CASES = [
    (CASE_WORKER, "returns_returnee", "returnee", "family_name"),
    (RESETTLEMENT_OFFICER, "resettlement_resettlementfile", "file", "notes"),
]


@pytest.mark.parametrize(("role", "admin_name", "key", "field"), CASES)
def test_second_admin_save_is_refused(db, make_user, cases, role, admin_name, key, field):
    obj = cases[key]
    url = reverse(f"admin:{admin_name}_change", args=[obj.pk])
    alice, bob = in_english(Client()), in_english(Client())
    alice.force_login(make_user("alice", role))
    bob.force_login(make_user("bob", role))
    form_a, form_b = admin_form_data(alice.get(url)), admin_form_data(bob.get(url))
    form_a[field], form_b[field] = "Alice-Change", "Bob-Change"
    history_before = obj.history.count()

    assert alice.post(url, form_a).status_code == 302
    response = bob.post(url, form_b)
    assert response.status_code == 200
    with translation.override("en"):
        assert str(STALE_EDIT_MESSAGE) in response.content.decode()
    obj.refresh_from_db()
    assert getattr(obj, field) == "Alice-Change"
    assert obj.version == 2
    assert obj.history.count() == history_before + 1  # Alice's change; nothing from Bob


def test_missing_or_forged_version_is_refused(db, make_user, cases):
    returnee = cases["returnee"]
    url = reverse("admin:returns_returnee_change", args=[returnee.pk])
    client = in_english(Client())
    client.force_login(make_user("carla", CASE_WORKER))
    data = admin_form_data(client.get(url))
    data["family_name"] = "Changed"
    for version in (None, "99"):
        if version is None:
            data.pop("edit_version")
        else:
            data["edit_version"] = version
        response = client.post(url, data)
        assert response.status_code == 200
        assert "Someone else saved this record" in response.content.decode()
    assert Returnee.objects.get(pk=returnee.pk).family_name == "Diallo"


def test_save_versioned_refuses_a_race_the_form_check_missed(db, cases):
    """The form's check passed for both, then A saved: B's conditional UPDATE finds no row."""
    a = Returnee.objects.get(pk=cases["returnee"].pk)
    b = Returnee.objects.get(pk=cases["returnee"].pk)
    a.notes, b.notes = "A", "B"
    save_versioned(a, 1)
    with pytest.raises(StaleEditError):
        save_versioned(b, 1)
    assert Returnee.objects.get(pk=a.pk).notes == "A"
    assert Returnee.objects.get(pk=a.pk).version == 2


def test_admin_race_redirects_with_the_message(db, make_user, cases, monkeypatch):
    """If the row changes between the form's check and the save, the admin rolls back and says so."""
    from oimsite.lists.admin_base import CaseAdmin

    returnee = cases["returnee"]
    url = reverse("admin:returns_returnee_change", args=[returnee.pk])
    client = in_english(Client())
    client.force_login(make_user("dora", CASE_WORKER))
    data = admin_form_data(client.get(url))
    data["family_name"] = "Dora"
    original = CaseAdmin.save_model

    def concurrent_save_first(self, request, obj, form, change):
        Returnee.objects.filter(pk=obj.pk).update(version=5)  # someone else's save lands now
        original(self, request, obj, form, change)

    monkeypatch.setattr(CaseAdmin, "save_model", concurrent_save_first)
    response = client.post(url, data, follow=True)
    assert "Someone else saved this record" in response.content.decode()
    returnee.refresh_from_db()
    assert returnee.family_name == "Diallo" and returnee.version == 1  # rolled back, the update included


class FileForm(VersionedModelForm):
    class Meta:
        model = ResettlementFile
        fields = ["notes", "file_number", "destination_country", "stage", "referral_date", "departure_date"]


def test_versioned_model_form_outside_the_admin(db, cases):
    file = cases["file"]
    initial = forms.model_to_dict(file, fields=FileForm.Meta.fields)
    data = {k: ("" if v is None else v) for k, v in initial.items()}
    first = FileForm({**data, "notes": "one", "edit_version": 1}, instance=ResettlementFile.objects.get(pk=file.pk))
    second = FileForm({**data, "notes": "two", "edit_version": 1}, instance=ResettlementFile.objects.get(pk=file.pk))
    assert first.is_valid(), first.errors
    first.save()
    assert not second.is_valid()
    with translation.override("en"):
        assert str(STALE_EDIT_MESSAGE) in second.non_field_errors()
    file.refresh_from_db()
    assert (file.notes, file.version) == ("one", 2)
