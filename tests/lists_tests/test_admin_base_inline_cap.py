"""The inline-form bomb: a forged TOTAL_FORMS of thousands no longer builds and renders
thousands of forms; more new rows than a person enters at once are refused with a message, nothing saved.
"""

from __future__ import annotations

import time

import pytest
from django.conf import global_settings, settings
from django.urls import reverse

from oimsite.lists.admin_base import MAX_NEW_INLINE_ROWS
from resettlement.models import ResettlementFile
from returns.models import Returnee
from tests.helpers import NO_CHECKLIST, in_english

# The departure checklist inline of the returnee form, left empty.

pytestmark = pytest.mark.django_db

RETURNEE = {
    "case_number": "RVA-2024-07777", "stage": "registered", "given_name": "Awa", "family_name": "Bomb", "sex": "F",
    "date_of_birth": "1990-01-01", "nationality": "SN", "host_country": "MA", "return_country": "SN",
}


def session_rows(count: int) -> dict[str, str]:
    rows = {}
    for i in range(count):
        rows.update({f"sessions-{i}-date": "2024-01-10", f"sessions-{i}-phase": "pre_departure",
                     f"sessions-{i}-kind": "counselling", f"sessions-{i}-mode": "virtual",
                     f"sessions-{i}-provider": "iom_origin"})
    return rows


@pytest.mark.parametrize("initial", ["0", "2000"])
def test_a_forged_total_of_2000_inline_forms_is_refused_quickly(admin_client_logged, initial):
    data = {**RETURNEE, **NO_CHECKLIST, "sessions-TOTAL_FORMS": "2000", "sessions-INITIAL_FORMS": initial}
    started = time.perf_counter()
    response = in_english(admin_client_logged).post(reverse("admin:returns_returnee_add"), data)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert len(formset.forms) <= MAX_NEW_INLINE_ROWS
    text = response.content.decode()
    assert f"At most {MAX_NEW_INLINE_ROWS} new rows can be added at once" in text
    assert len(response.content) < 1_000_000
    assert not Returnee.objects.filter(case_number="RVA-2024-07777").exists()
    assert elapsed < 10  # the uncapped form took 15 to 34 s on the attack's machine


def test_rows_a_person_enters_are_saved(admin_client_logged):
    data = {**RETURNEE, **NO_CHECKLIST, "sessions-TOTAL_FORMS": "3", "sessions-INITIAL_FORMS": "0", **session_rows(3)}
    response = admin_client_logged.post(reverse("admin:returns_returnee_add"), data)
    assert response.status_code == 302
    assert Returnee.objects.get(case_number="RVA-2024-07777").sessions.count() == 3


def test_one_row_over_the_cap_is_refused_and_nothing_is_saved(admin_client_logged):
    count = MAX_NEW_INLINE_ROWS + 1
    data = {**RETURNEE, **NO_CHECKLIST, "sessions-TOTAL_FORMS": str(count), "sessions-INITIAL_FORMS": "0",
            **session_rows(count)}
    response = in_english(admin_client_logged).post(reverse("admin:returns_returnee_add"), data)
    assert response.status_code == 200
    assert "At most" in response.content.decode()
    assert not Returnee.objects.filter(case_number="RVA-2024-07777").exists()


def test_the_refugees_of_a_file_are_capped_too(admin_client_logged):
    data = {"file_number": "RST-2024-0777", "destination_country": "CA", "stage": "referred",
            "referral_date": "2024-01-05", "refugees-TOTAL_FORMS": "2000", "refugees-INITIAL_FORMS": "0"}
    response = in_english(admin_client_logged).post(reverse("admin:resettlement_resettlementfile_add"), data)
    assert response.status_code == 200
    assert len(response.context["inline_admin_formsets"][0].formset.forms) <= MAX_NEW_INLINE_ROWS
    assert not ResettlementFile.objects.filter(file_number="RST-2024-0777").exists()


def test_djangos_limit_on_the_number_of_fields_is_kept():
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == global_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
