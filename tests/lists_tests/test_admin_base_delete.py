"""The admin: a returnee is deleted with their sessions and a file with its refugees, after a confirmation that
lists them, by those allowed to delete both; a departed file needs a refugee; the refugees inline."""

import re
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from oimsite.reporting import indicators
from reintegration.models import SupportSession
from resettlement.models import Refugee, ResettlementFile
from returns.models import Returnee
from tests import helpers as f
from tests.helpers import admin_form_data, in_english

pytestmark = pytest.mark.django_db

DEPARTED_NEEDS_REFUGEE = "A departed or arrived file needs at least one refugee"


@pytest.fixture
def person():
    returnee = f.returnee(to="SN", departed=date(2024, 5, 10))
    f.session(returnee, on=date(2024, 4, 1), phase="pre_departure", kind="counselling", mode="virtual")
    f.session(returnee, on=date(2024, 6, 1), kind="cash")
    return returnee


@pytest.fixture
def family():
    return f.resettlement_file(to="CA", size=3)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_deleting_a_returnee_lists_the_sessions_that_go_with_it(admin_client_logged, person):
    url = reverse("admin:returns_returnee_delete", args=[person.pk])
    page = text(in_english(admin_client_logged).get(url))
    assert "Are you sure you want to delete the returnee" in page
    assert page.count("Support session:") == 2
    assert "Support sessions: 2" in page
    assert "would require deleting the following protected" not in page
    assert "Cannot delete" not in page


def test_a_returnee_and_their_sessions_are_deleted_together_history_kept(admin_client_logged, person):
    before = indicators.compute(2024)
    assert before["avrr.returned"].value == 1 and before["avrr.post_return_support"].value == 1
    session_ids = list(person.sessions.values_list("pk", flat=True))
    response = admin_client_logged.post(reverse("admin:returns_returnee_delete", args=[person.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Returnee.objects.filter(pk=person.pk).exists()
    assert not SupportSession.objects.filter(pk__in=session_ids).exists()
    # History is kept: each record's last version says it was deleted, by whom.
    assert Returnee.history.filter(id=person.pk, history_type="-").get().history_user.username == "root"
    assert SupportSession.history.filter(id__in=session_ids, history_type="-").count() == 2
    after = indicators.compute(2024)
    assert after["avrr.returned"].value == 0 and after["avrr.post_return_support"].value == 0
    assert after.as_dict() == indicators.compute(2024, live=True).as_dict()


def test_the_bulk_delete_action_deletes_returnees_with_their_sessions(admin_client_logged, person):
    other = f.returnee(to="GN")
    f.session(other, on=date(2024, 7, 1))
    url = reverse("admin:returns_returnee_changelist")
    chosen = {"action": "delete_selected", "_selected_action": [str(person.pk), str(other.pk)]}
    confirm = text(in_english(admin_client_logged).post(url, chosen))
    assert "Support sessions: 3" in confirm and "Returnees: 2" in confirm
    assert admin_client_logged.post(url, {**chosen, "post": "yes"}).status_code == 302
    assert not Returnee.objects.exists() and not SupportSession.objects.exists()


def test_who_may_not_delete_sessions_is_told_so_and_nothing_is_deleted(client, django_user_model, person):
    user = django_user_model.objects.create_user("editor", password="Correct-Horse-Battery-9", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(
        codename__in=["view_returnee", "change_returnee", "delete_returnee", "view_supportsession"]))
    client.force_login(user)
    url = reverse("admin:returns_returnee_delete", args=[person.pk])
    page = text(in_english(client).get(url))
    assert "your account doesn't have permission to delete the following types of objects" in page
    assert "support session" in page
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Returnee.objects.filter(pk=person.pk).exists() and person.sessions.count() == 2


def test_a_file_and_its_refugees_are_deleted_together(admin_client_logged, family):
    url = reverse("admin:resettlement_resettlementfile_delete", args=[family.pk])
    page = text(in_english(admin_client_logged).get(url))
    assert "Refugees: 3" in page and "protected" not in page
    assert indicators.compute(2024)["resettlement.departed"].value == 3
    assert admin_client_logged.post(url, {"post": "yes"}).status_code == 302
    assert not ResettlementFile.objects.exists() and not Refugee.objects.exists()
    assert Refugee.history.filter(history_type="-").count() == 3
    assert indicators.compute(2024)["resettlement.departed"].value == 0


def test_a_returnee_alone_still_cannot_be_deleted_outside_the_admin(person):
    from django.db.models import RestrictedError

    with pytest.raises(RestrictedError):
        person.delete()
    assert person.sessions.count() == 2


# --- a departed file has refugees -----------------------------------------------------------------------------

def file_post_data(**overrides):
    data = {
        "file_number": "RST-2024-0999", "destination_country": "CA", "stage": "departed",
        "referral_date": "2024-01-10", "departure_date": "2024-03-01", "consent_date": "", "consent_scope": "",
        "notes": "", "refugees-TOTAL_FORMS": "0", "refugees-INITIAL_FORMS": "0",
        "refugees-MIN_NUM_FORMS": "0", "refugees-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


REFUGEE_ROW = {"given_name": "Omar", "family_name": "Haddad", "sex": "M", "date_of_birth": "1988-01-02",
               "nationality": "SY", "is_principal_applicant": "on", "relationship": "principal"}


def with_rows(data, *rows, start=0):
    for i, row in enumerate(rows, start):
        data.update({f"refugees-{i}-{key}": value for key, value in row.items()})
    data["refugees-TOTAL_FORMS"] = str(start + len(rows))
    return data


@pytest.mark.parametrize("stage", ["departed", "arrived"])
def test_the_admin_refuses_a_new_departed_file_without_refugees(admin_client_logged, stage):
    response = in_english(admin_client_logged).post(reverse("admin:resettlement_resettlementfile_add"),
                                        file_post_data(stage=stage))
    assert response.status_code == 200
    assert text(response).count(DEPARTED_NEEDS_REFUGEE) == 1
    assert not ResettlementFile.objects.exists()


def test_the_admin_accepts_a_new_departed_file_with_its_refugees(admin_client_logged):
    response = admin_client_logged.post(reverse("admin:resettlement_resettlementfile_add"),
                                        with_rows(file_post_data(), REFUGEE_ROW))
    assert response.status_code == 302
    assert ResettlementFile.objects.get().refugees.count() == 1


def test_the_admin_accepts_a_file_set_departed_while_its_first_refugees_are_added(admin_client_logged):
    file = f.resettlement_file(departed=None, size=0)
    url = reverse("admin:resettlement_resettlementfile_change", args=[file.pk])
    data = admin_form_data(admin_client_logged.get(url))
    data.update(stage="departed", departure_date="2024-03-01", travel_booked_on="2024-02-01")
    # With the refugee's departure checklist (resettlement's rule for a file that departs).
    row = {**REFUGEE_ROW, "medical_clearance_on": "2024-01-10", "exit_permit_on": "2024-01-20",
           "cultural_orientation_on": "2024-01-25"}
    assert admin_client_logged.post(url, with_rows(data, row)).status_code == 302
    assert ResettlementFile.objects.get(pk=file.pk).stage == "departed"


def test_the_admin_refuses_removing_the_last_refugee_of_a_departed_file(admin_client_logged):
    file = f.resettlement_file(size=1)
    url = reverse("admin:resettlement_resettlementfile_change", args=[file.pk])
    data = admin_form_data(admin_client_logged.get(url))
    data["refugees-0-DELETE"] = "on"
    response = in_english(admin_client_logged).post(url, data)
    assert response.status_code == 200
    assert text(response).count(DEPARTED_NEEDS_REFUGEE) == 1
    assert file.refugees.count() == 1


def test_the_model_refuses_a_departed_file_without_refugees():
    file = f.resettlement_file(departed=None, size=0)
    file.stage, file.departure_date = "departed", date(2024, 3, 1)
    with translation.override("en"):
        with pytest.raises(ValidationError) as raised:
            file.full_clean()
        assert raised.value.message_dict["stage"][0].startswith(DEPARTED_NEEDS_REFUGEE)
    file.stage, file.departure_date = "accepted", None
    file.full_clean()  # before departure a file may wait for its refugees


# --- the refugees inline ----------------------------------------------------------------------------------

def test_a_new_refugee_row_has_no_relationship_chosen(admin_client_logged, family):
    for url in (reverse("admin:resettlement_resettlementfile_add"),
                reverse("admin:resettlement_resettlementfile_change", args=[family.pk]),
                reverse("admin:resettlement_refugee_add")):
        page = admin_client_logged.get(url).content.decode()
        new_row = re.search(r'<select name="(?:refugees-__prefix__-)?relationship".*?</select>', page, re.S).group(0)
        assert '<option value="" selected>---------</option>' in new_row, url
        assert new_row.count("selected") == 1, url


def test_a_second_principal_applicant_is_refused_once(admin_client_logged, family):
    url = reverse("admin:resettlement_resettlementfile_change", args=[family.pk])
    data = admin_form_data(admin_client_logged.get(url))
    response = in_english(admin_client_logged).post(url, with_rows(data, REFUGEE_ROW, start=3))
    assert response.status_code == 200
    assert text(response).count("A file has only one principal applicant.") == 1
    assert family.refugees.count() == 3
