"""The AVRR departure checklist: the stage "returned" is refused until the declaration is signed (with its
document), a travel document is valid on the departure date and the returnee is not unfit; the movement team's
"ready to travel" list."""

from __future__ import annotations

import html
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.roles import CASE_WORKER, DATA_OFFICER
from returns.models import DepartureChecklist, Returnee
from tests import helpers as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield

DEPARTURE = date(2024, 6, 1)


def travelling(**extra) -> Returnee:
    person = f.returnee(departed=None, stage="travel", **extra)
    return Returnee.objects.get(pk=person.pk)  # as loaded: the stored stage is known


def complete_checklist(person: Returnee, **overrides) -> DepartureChecklist:
    declaration = f.document(returnee=person, kind="voluntariness", name="declaration.pdf")
    fields = {"returnee": person, "planned_departure_date": DEPARTURE, "declaration_signed_on": date(2024, 5, 2),
              "declaration_document": declaration, "travel_document_type": "laissez_passer",
              "travel_document_number": "LP-2024-118", "travel_document_expires": date(2024, 8, 31),
              "fitness_checked_on": date(2024, 5, 20), "fitness": "fit", "escort": "none",
              "reception_confirmed_on": date(2024, 5, 25), "onward_transport": "Bus to Bamako"}
    fields.update(overrides)
    checklist = DepartureChecklist(**fields)
    checklist.full_clean()
    checklist.save()
    return checklist


def mark_returned(person: Returnee) -> None:
    person.stage, person.departure_date = "returned", DEPARTURE
    person.full_clean()


def test_a_case_without_a_checklist_cannot_be_marked_returned():
    person = travelling()
    with pytest.raises(ValidationError) as exc:
        mark_returned(person)
    assert exc.value.message_dict["stage"] == [
        "This case cannot be marked as returned yet: no departure checklist. Complete its departure checklist first."]


@pytest.mark.parametrize(("overrides", "blocker"), [
    ({"declaration_signed_on": None, "declaration_document": None},
     "voluntariness declaration not signed, or its document missing"),
    ({"travel_document_type": "", "travel_document_number": "", "travel_document_expires": None},
     "no travel document recorded"),
    ({"travel_document_expires": date(2024, 5, 31)}, "travel document not valid on the departure date"),
    ({"fitness": "unfit"}, "unfit to travel"),
])
def test_each_missing_item_blocks_the_return_and_is_named(overrides, blocker):
    person = travelling()
    if overrides.get("declaration_document", "") is None:
        checklist = complete_checklist(person)
        for key, value in overrides.items():
            setattr(checklist, key, value)
        checklist.save()
    else:
        complete_checklist(person, **overrides)
    person = Returnee.objects.get(pk=person.pk)
    with pytest.raises(ValidationError) as exc:
        mark_returned(person)
    [message] = exc.value.message_dict["stage"]
    assert f": {blocker}." in message


def test_a_complete_checklist_releases_the_case():
    person = travelling()
    complete_checklist(person, fitness="fit_with_escort", escort="medical")
    person = Returnee.objects.get(pk=person.pk)
    mark_returned(person)
    person.save()
    assert Returnee.objects.get(pk=person.pk).status == "departed"


def test_returned_cases_recorded_before_the_checklist_keep_being_edited():
    person = Returnee.objects.get(pk=f.returnee().pk)  # returned, no checklist
    person.notes = "Suivi par téléphone."
    person.stage = "reintegration"
    person.full_clean()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("declaration_signed_on", date(2024, 6, 2), "This date is after the departure (01/06/2024)"),
    ("fitness_checked_on", date(2024, 7, 1), "This date is after the departure (01/06/2024)"),
    ("reception_confirmed_on", date(2024, 6, 5), "This date is after the departure (01/06/2024)"),
    ("escort", "none", "A returnee fit to travel with an escort needs an escort."),
    ("travel_document_number", "", "Give the travel document's number."),
])
def test_checklist_rules(field, value, message):
    person = f.returnee(departed=DEPARTURE)
    overrides = {"fitness": "fit_with_escort", "escort": "operational", field: value}
    with pytest.raises(ValidationError) as exc:
        complete_checklist(person, **overrides)
    assert any(m.startswith(message) for m in exc.value.message_dict[field])


def test_the_declaration_is_a_voluntariness_document_of_the_same_returnee():
    person, other = travelling(), travelling()
    foreign = f.document(returnee=other, kind="voluntariness")
    with pytest.raises(ValidationError) as exc:
        complete_checklist(person, declaration_document=foreign)
    assert exc.value.message_dict["declaration_document"] == ["Choose a document of this returnee."]
    passport = f.document(returnee=person, kind="travel")
    with pytest.raises(ValidationError) as exc:
        complete_checklist(person, declaration_document=passport)
    assert "voluntariness declaration" in exc.value.message_dict["declaration_document"][0]


def test_the_admin_refuses_the_return_then_accepts_it_with_the_checklist_in_the_same_form(role_client):
    person = travelling()
    declaration = f.document(returnee=person, kind="voluntariness", name="declaration.pdf")
    client = f.in_english(role_client(CASE_WORKER))
    url = reverse("admin:returns_returnee_change", args=[person.pk])
    data = f.admin_form_data(client.get(url))
    data.update({"stage": "returned", "departure_date": "01/06/2024"})
    response = client.post(url, data)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "This case cannot be marked as returned yet: no departure checklist." in page
    assert Returnee.objects.get(pk=person.pk).stage == "travel"
    data.update({"checklist-0-declaration_signed_on": "02/05/2024",
                 "checklist-0-declaration_document": str(declaration.pk),
                 "checklist-0-travel_document_type": "passport", "checklist-0-travel_document_number": "A123456",
                 "checklist-0-travel_document_expires": "31/05/2024", "checklist-0-fitness": "fit",
                 "checklist-0-fitness_checked_on": "20/05/2024", "checklist-0-escort": "none"})
    response = client.post(url, data)
    assert "travel document not valid on the departure date" in html.unescape(response.content.decode())
    assert not DepartureChecklist.objects.exists()
    data["checklist-0-travel_document_expires"] = "31/12/2026"
    response = client.post(url, data)
    assert response.status_code == 302, html.unescape(response.content.decode())[:3000]
    person = Returnee.objects.get(pk=person.pk)
    assert (person.stage, person.departure_date, person.checklist.travel_document_number) == (
        "returned", DEPARTURE, "A123456")


def test_the_ready_to_travel_list(role_client):
    ready = travelling(family="Prête")
    complete_checklist(ready)
    blocked = travelling(family="Bloquée")
    complete_checklist(blocked, fitness="unfit")
    no_list = travelling(family="Sanschecklist")
    f.returnee(family="Partie")  # returned: not on the list
    client = f.in_english(role_client(CASE_WORKER))
    page = html.unescape(client.get(reverse("returns:travel_list")).content.decode())
    assert "Prête" in page and "Bloquée" in page and "Sanschecklist" in page and "Partie" not in page
    assert "Blocked by: unfit to travel" in page and "Blocked by: no departure checklist" in page
    assert "Ready to travel" in page
    page = client.get(reverse("returns:travel_list"), {"readiness": "ready"}).content.decode()
    assert "Prête" in page and "Bloquée" not in page and no_list.family_name not in page
    page = client.get(reverse("returns:travel_list"), {"readiness": "blocked"}).content.decode()
    assert "Prête" not in page and "Bloquée" in page and no_list.family_name in page
    assert set(Returnee.objects.awaiting_travel().ready_to_travel()) == {ready}
    assert set(Returnee.objects.awaiting_travel().blocked_for_travel()) == {blocked, no_list}


def test_the_ready_to_travel_list_needs_the_checklist_permission(role_client):
    assert role_client(DATA_OFFICER).get(reverse("returns:travel_list")).status_code == 200
    assert role_client(None).get(reverse("returns:travel_list")).status_code == 403


def test_a_new_case_at_an_after_return_stage_is_said_to_be_recorded_after_the_fact(admin_client_logged):
    """The checklist holds the move to "returned"; the add form lets a case start after the return only for a
    return that took place before it was recorded, said by ticking a box, and kept in the case's history."""
    client = f.in_english(admin_client_logged)
    url = reverse("admin:returns_returnee_add")
    page = client.get(url).content.decode()
    assert 'name="recorded_after_return"' in page
    data = f.returnee_add_data()
    del data["recorded_after_return"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert ("A new case at the stage “Returned” skips the departure checklist. Tick this box if the return took "
            "place before it was recorded") in html.unescape(response.content.decode())
    assert not Returnee.objects.exists()
    response = client.post(url, {**data, "recorded_after_return": "on"})
    assert response.status_code == 302
    person = Returnee.objects.get()
    assert person.stage == "returned" and not DepartureChecklist.objects.exists()
    assert person.history.get().history_change_reason == "Return recorded after the fact (no departure checklist)"
    # Before the return, nothing to say: the checklist will hold the move.
    response = client.post(url, {**data, "case_number": "RVA-2024-09998", "stage": "registered",
                                 "departure_date": "", "given_name": "Awa", "family_name": "Sow"})
    assert response.status_code == 302
