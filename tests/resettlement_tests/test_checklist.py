"""The resettlement departure checklist: travel booked for the file, and for each refugee medical clearance,
exit permit and cultural orientation (or its exemption); a file cannot reach "departed" with an item missing."""

from __future__ import annotations

import html
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.roles import RESETTLEMENT_OFFICER
from resettlement.models import Refugee, ResettlementFile
from tests import helpers as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def ready_file(size: int = 2) -> ResettlementFile:
    family = f.resettlement_file(departed=None, stage="ready", size=size)
    return ResettlementFile.objects.get(pk=family.pk)


def complete(family: ResettlementFile) -> None:
    family.travel_booked_on = date(2024, 5, 1)
    ResettlementFile.objects.filter(pk=family.pk).update(travel_booked_on=date(2024, 5, 1))
    family.refugees.update(medical_clearance_on=date(2024, 4, 1), exit_permit_on=date(2024, 4, 15),
                           cultural_orientation_on=date(2024, 4, 20))


def depart(family: ResettlementFile) -> None:
    family.stage, family.departure_date = "departed", date(2024, 6, 1)
    family.full_clean()


def test_a_file_with_items_missing_cannot_depart_and_the_message_names_them():
    family = ready_file()
    with pytest.raises(ValidationError) as exc:
        depart(family)
    [message] = exc.value.message_dict["stage"]
    assert message.startswith("This file cannot depart with its departure checklist incomplete: travel not booked; ")
    assert "Person0 Family" in message and "medical clearance, exit permit, cultural orientation" in message


def test_a_complete_checklist_lets_the_file_depart_and_an_exemption_counts():
    family = ready_file()
    complete(family)
    child = family.refugees.get(relationship="child")
    Refugee.objects.filter(pk=child.pk).update(cultural_orientation_on=None, cultural_orientation_exempt=True)
    family = ResettlementFile.objects.get(pk=family.pk)
    depart(family)


def test_files_departed_before_the_checklist_keep_being_edited():
    family = ResettlementFile.objects.get(pk=f.resettlement_file().pk)
    family.stage = "arrived"
    family.full_clean()


@pytest.mark.parametrize("field", ["medical_clearance_on", "exit_permit_on", "cultural_orientation_on"])
def test_a_refugee_checklist_date_after_the_departure_is_refused(field):
    family = f.resettlement_file(departed=date(2024, 6, 1))
    refugee = family.refugees.get()
    setattr(refugee, field, date(2024, 6, 2))
    with pytest.raises(ValidationError) as exc:
        refugee.full_clean()
    assert exc.value.message_dict[field][0].startswith("This date is after the departure (01/06/2024)")


def test_travel_booked_after_the_departure_is_refused():
    family = f.build_file(travel_booked_on=date(2024, 4, 3))
    with pytest.raises(ValidationError) as exc:
        family.full_clean()
    assert exc.value.message_dict["travel_booked_on"][0].startswith("This date is after the departure")


def test_the_admin_checks_the_checklist_with_the_rows_submitted(role_client):
    family = ready_file(size=1)
    client = f.in_english(role_client(RESETTLEMENT_OFFICER))
    url = reverse("admin:resettlement_resettlementfile_change", args=[family.pk])
    data = f.admin_form_data(client.get(url))
    data.update({"stage": "departed", "departure_date": "01/06/2024"})
    response = client.post(url, data)
    page = html.unescape(response.content.decode())
    assert "This file cannot depart with its departure checklist incomplete: travel not booked" in page
    assert ResettlementFile.objects.get(pk=family.pk).stage == "ready"
    data.update({"travel_booked_on": "02/05/2024", "refugees-0-medical_clearance_on": "01/04/2024",
                 "refugees-0-exit_permit_on": "15/04/2024", "refugees-0-cultural_orientation_on": "20/04/2024"})
    response = client.post(url, data)
    assert response.status_code == 302, html.unescape(response.content.decode())[:2000]
    assert ResettlementFile.objects.get(pk=family.pk).stage == "departed"
