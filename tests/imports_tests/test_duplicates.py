"""Duplicate people: the name key, the admin's add-form warning, the Possible duplicates page and the merge."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEvent, AuditEventKind
from accounts.roles import ADMINISTRATOR, CASE_WORKER
from oimsite.core.names import name_key
from reintegration.models import FollowUp, SupportSession
from returns.models import DepartureChecklist, Returnee, ReturneeAssignment
from returns.services import MergeRefused, merge_returnees
from tests.helpers import admin_form_data, ready_to_travel, saved_returnee, session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # The messages are checked in English here; the admin's tests read them in French.
    with translation.override("en"):
        yield


@pytest.mark.parametrize(("one", "other"), [
    (("Mohamed", "El-Amrani"), ("Mohammed", "Elamrani")),
    (("Muhammad", "Al Amrani"), ("MOHAMED", "el amrani")),
    (("Ahmed", "Ould Salem"), ("Ahmad", "Wuld Salem")),
    (("Aïcha", "Koné"), ("Aicha", "KONE")),
    (("Fatima-Zahra", "Benali"), ("Fatima Zahra", "Ben Ali")),
    (("Youssef", "Chraibi"), ("Yousef", "Shraibi")),
])
def test_spellings_of_one_name_share_a_key(one, other):
    assert name_key(*one) == name_key(*other)


@pytest.mark.parametrize(("one", "other"), [
    (("Mohamed", "Amrani"), ("Mamadou", "Amrani")),
    (("Awa", "Diallo"), ("Awa", "Diop")),
])
def test_different_names_do_not(one, other):
    assert name_key(*one) != name_key(*other)


def test_the_key_is_kept_by_save_bulk_create_and_raw_saves():
    """The database computes the key (a generated column: see tests/core_tests/test_name_key_column.py for
    QuerySet.update, loaddata and raw SQL); a key set on an instance is not written."""
    record = saved_returnee(given_name="Mohamed", family_name="El-Amrani")
    assert Returnee.objects.get(pk=record.pk).name_key == "MHMDMRN"
    record.family_name = "Benali"
    record.save()
    assert Returnee.objects.get(pk=record.pk).name_key == name_key("Mohamed", "Benali")
    copy = Returnee.objects.get(pk=record.pk)
    copy.pk, copy.case_number, copy.given_name, copy.name_key = None, "RVA-2024-09999", "Awa", "STALE"
    Returnee.objects.bulk_create([copy])
    assert Returnee.objects.get(case_number="RVA-2024-09999").name_key == name_key("Awa", "Benali")
    copy.case_number, copy.pk, copy.name_key = "RVA-2024-09998", None, "STALE"
    Returnee.save_base(copy, raw=True)
    assert Returnee.objects.get(case_number="RVA-2024-09998").name_key == name_key("Awa", "Benali")


def test_the_add_form_lists_the_candidates_before_saving(role_client):
    saved_returnee(case_number="RVA-2023-00001", given_name="Mohamed", family_name="El-Amrani",
                   date_of_birth=date(1990, 1, 1))
    client = role_client(CASE_WORKER)
    url = reverse("admin:returns_returnee_add")
    data = admin_form_data(client.get(url))
    data.update(case_number="RVA-2024-00301", given_name="Mohammed", family_name="Elamrani", sex="M",
                date_of_birth="01/01/1990", nationality="SN", host_country="MA", return_country="SN",
                stage="registered")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "RVA-2023-00001 (Mohamed El-Amrani, 01/01/1990)" in response.content.decode()
    assert not Returnee.objects.filter(case_number="RVA-2024-00301").exists()
    data["not_a_duplicate"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Returnee.objects.filter(case_number="RVA-2024-00301").exists()


def test_the_possible_duplicates_page_groups_them(role_client):
    a = saved_returnee(given_name="Mohamed", family_name="El-Amrani", date_of_birth=date(1990, 1, 1))
    b = saved_returnee(given_name="Muhammad", family_name="Alamrani", date_of_birth=date(1990, 1, 1))
    saved_returnee(given_name="Mohamed", family_name="El-Amrani", date_of_birth=date(1991, 1, 1))
    client = role_client(CASE_WORKER)
    response = client.get(reverse("admin:returns_returnee_duplicates"))
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [{record.pk for record in group} for group in groups] == [{a.pk, b.pk}]
    # Merging is for administrators.
    assert reverse("admin:returns_returnee_merge", args=[a.pk]) not in response.content.decode()
    assert client.get(reverse("admin:returns_returnee_merge", args=[a.pk])).status_code == 403


def test_merge_moves_everything_and_records_it(role_client):
    keep = saved_returnee(given_name="Mohamed", family_name="El-Amrani", date_of_birth=date(1990, 1, 1))
    other = saved_returnee(vulnerable=True, given_name="Muhammad", family_name="Alamrani",
                           date_of_birth=date(1990, 1, 1), notes="Vu à Oujda")
    session(other, on=date(2024, 4, 1), phase="pre_departure", kind="counselling", mode="virtual")
    follow_ups = FollowUp.objects.filter(returnee=other).count()
    ReturneeAssignment.objects.create(case=other, reason="first owner")
    client = role_client(ADMINISTRATOR)
    url = reverse("admin:returns_returnee_merge", args=[keep.pk])
    assert other.case_number in client.get(url).content.decode()  # offered as a duplicate of this record
    assert client.get(url, {"other": other.pk}).status_code == 200
    response = client.post(url, {"other": other.pk})
    assert response.status_code == 302
    assert not Returnee.objects.filter(pk=other.pk).exists()
    assert SupportSession.objects.filter(returnee=keep).count() == 1
    assert FollowUp.objects.filter(returnee=keep).count() >= follow_ups
    assert list(keep.vulnerabilities.values_list("code", flat=True)) == ["medical_case"]
    assert ReturneeAssignment.objects.filter(case=keep, reason__startswith="first owner").exists()
    keep.refresh_from_db()
    assert other.case_number in keep.notes
    assert keep.history.first().history_change_reason.endswith(other.case_number)
    assert Returnee.history.filter(id=other.pk).first().history_change_reason.endswith(keep.case_number)
    event = AuditEvent.objects.get(kind=AuditEventKind.MERGE)
    assert (event.detail["kept"], event.detail["merged"]) == (keep.case_number, other.case_number)


def test_merge_is_refused_while_the_records_differ_on_a_counted_field(role_client, superuser):
    keep = saved_returnee(given_name="Mohamed", family_name="El-Amrani", date_of_birth=date(1990, 1, 1),
                          departure_date=date(2024, 5, 10))
    other = saved_returnee(given_name="Muhammad", family_name="Alamrani", date_of_birth=date(1990, 1, 1),
                           departure_date=date(2024, 6, 10))
    with pytest.raises(MergeRefused) as refused:
        merge_returnees(keep, other, by=superuser)
    assert "differ" in str(refused.value)
    client = role_client(ADMINISTRATOR)
    response = client.post(reverse("admin:returns_returnee_merge", args=[keep.pk]), {"other": other.pk})
    assert response.status_code == 409
    assert Returnee.objects.filter(pk=other.pk).exists()
    assert response.context["problems"]


def test_the_possible_duplicates_page_groups_returnees_sharing_a_travel_document_number(role_client):
    a = saved_returnee(given_name="Aminata", family_name="Diallo", date_of_birth=date(1990, 1, 1))
    b = saved_returnee(given_name="Fatou", family_name="Sow", date_of_birth=date(1985, 6, 1))
    c = saved_returnee(given_name="Awa", family_name="Ba", date_of_birth=date(1992, 3, 1))
    ready_to_travel(a, travel_document_number="AB 12-345")
    ready_to_travel(b, travel_document_number="ab12345")
    ready_to_travel(c, travel_document_number="AB12346")
    response = role_client(CASE_WORKER).get(reverse("admin:returns_returnee_duplicates"))
    assert response.status_code == 200
    assert response.context["groups"] == []
    assert [(number, {record.pk for record in group}) for number, group in response.context["document_groups"]] \
        == [("AB12345", {a.pk, b.pk})]
    assert "AB12345" in response.content.decode()
    assert set(Returnee.objects.sharing_a_travel_document().values_list("pk", flat=True)) == {a.pk, b.pk}


def test_saving_a_travel_document_number_another_returnee_gives_warns_and_keeps_the_change(admin_client_logged):
    first = saved_returnee(given_name="Aminata", family_name="Diallo", date_of_birth=date(1990, 1, 1))
    second = saved_returnee(given_name="Fatou", family_name="Sow", date_of_birth=date(1985, 6, 1))
    ready_to_travel(first, travel_document_number="AB 12345")
    ready_to_travel(second, travel_document_number="CD999")
    url = reverse("admin:returns_returnee_change", args=[second.pk])
    data = admin_form_data(admin_client_logged.get(url))
    data["checklist-0-travel_document_number"] = "ab-12345"
    response = admin_client_logged.post(url, data, follow=True)
    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    assert any(first.case_number in message and "ab-12345" in message for message in shown), shown
    assert DepartureChecklist.objects.get(returnee=second).travel_document_number == "ab-12345"

    response = admin_client_logged.post(url, admin_form_data(admin_client_logged.get(url)) | {
        "checklist-0-travel_document_number": "CD999"}, follow=True)
    assert not any(first.case_number in str(message) for message in response.context["messages"])


def test_a_travel_document_number_is_compared_by_the_same_rule_wherever_it_comes_from():
    first = saved_returnee(given_name="Aminata", family_name="Diallo", date_of_birth=date(1990, 1, 1))
    second = saved_returnee(given_name="Fatou", family_name="Sow", date_of_birth=date(1985, 6, 1))
    third = saved_returnee(given_name="Awa", family_name="Ba", date_of_birth=date(1992, 3, 1))
    fourth = saved_returnee(given_name="Binta", family_name="Cissé", date_of_birth=date(1993, 3, 1))
    ready_to_travel(first, travel_document_number="né-12 34")
    ready_to_travel(second, travel_document_number="NÉ1234")  # another letter than é for SQLite's upper()
    ready_to_travel(third, travel_document_number="--")
    ready_to_travel(fourth, travel_document_number=". .")
    # The given number goes through the database's own folding, as the stored ones do (SQLite's upper() leaves
    # "é" as it is, PostgreSQL's makes it "É"): the number as stored is always found.
    found = set(Returnee.objects.holding_travel_document("né.1234").values_list("pk", flat=True))
    assert first.pk in found and found <= {first.pk, second.pk}
    # Numbers of separators only are no number: never a duplicate of each other.
    assert not Returnee.objects.holding_travel_document("-").exists()
    assert not Returnee.objects.sharing_a_travel_document().filter(pk__in=[third.pk, fourth.pk]).exists()
