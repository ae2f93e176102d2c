"""Bad input to the admin — URL parameters and forms — gets a message, never a 500, and writes nothing."""

import pytest
from django.urls import reverse

from oimsite.reporting.models import PublishedFigure
from reintegration.models import SupportSession
from resettlement.models import Refugee, ResettlementFile
from tests.helpers import in_english

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "admin:returns_returnee_changelist", "admin:reintegration_supportsession_changelist",
    "admin:resettlement_resettlementfile_changelist", "admin:resettlement_refugee_changelist",
]
BAD_PARAMETERS = [
    "year=99999", "year=0", "year=²", "year=abc", "year=1989", "p=abc", "p=99999", "o=99", "o=abc",
    "status__exact=nope", "sex__exact=<script>", "q=" + "x" * 5000, "q=%27%20OR%201%3D1--",
]


@pytest.mark.parametrize("name", CHANGELISTS)
@pytest.mark.parametrize("query", BAD_PARAMETERS)
def test_changelists_answer_bad_parameters_without_error(admin_client_logged, name, query):
    response = admin_client_logged.get(f"{reverse(name)}?{query}")
    # The admin answers an unknown filter value with its "?e=1" page (a redirect), or shows the list.
    assert response.status_code in (200, 302), (query, response.status_code)
    if response.status_code == 302:
        assert response["Location"].endswith("?e=1")


def test_two_principal_applicants_added_together_are_refused_next_to_the_field(admin_client_logged):
    data = {
        "file_number": "RST-2024-0999", "destination_country": "CA", "stage": "referred",
        "referral_date": "2024-01-10", "departure_date": "", "consent_date": "", "consent_scope": "", "notes": "",
        "refugees-TOTAL_FORMS": "2", "refugees-INITIAL_FORMS": "0",
        "refugees-MIN_NUM_FORMS": "0", "refugees-MAX_NUM_FORMS": "1000",
    }
    for i, name in enumerate(["Omar", "Lina"]):
        data.update({
            f"refugees-{i}-given_name": name, f"refugees-{i}-family_name": "Haddad", f"refugees-{i}-sex": "M",
            f"refugees-{i}-date_of_birth": "1988-01-02", f"refugees-{i}-nationality": "SY",
            f"refugees-{i}-is_principal_applicant": "on", f"refugees-{i}-relationship": "principal",
        })
    response = in_english(admin_client_logged).post(
        reverse("admin:resettlement_resettlementfile_add"), data
    )
    assert response.status_code == 200
    assert "A file has only one principal applicant." in response.content.decode()
    assert ResettlementFile.objects.count() == 0
    assert Refugee.objects.count() == 0


@pytest.mark.parametrize(("url_name", "field", "data"), [
    ("admin:reintegration_supportsession_add", "returnee",
     {"date": "2024-05-01", "phase": "post_return", "kind": "cash", "mode": "in_person", "provider": "iom_origin"}),
    ("admin:resettlement_refugee_add", "file",
     {"given_name": "Omar", "family_name": "Haddad", "sex": "M", "date_of_birth": "1988-01-02",
      "nationality": "SY", "relationship": "principal", "is_principal_applicant": "on"}),
])
@pytest.mark.parametrize("value", ["abc", "1.5", "-1", "99999999999999999999"])
def test_autocomplete_fields_refuse_a_value_that_is_not_a_record(admin_client_logged, url_name, field, data, value):
    response = in_english(admin_client_logged).post(reverse(url_name), {**data, field: value})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert SupportSession.objects.count() == 0 and Refugee.objects.count() == 0


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"key": "nonsense"}, "key", "Unknown indicator “nonsense”"),
    ({"key": "avrr.by_country.ZZ"}, "key", "“ZZ” is not an ISO 3166 country code."),
    ({"key": "avrr.returned.share", "unit": "percent"}, "key", "Only these indicators have a percentage"),
    ({"key": "avrr.enhanced_support.share", "unit": "count"}, "unit", "A key ending in .share is a percentage"),
    ({"value": "12.5"}, "value", "A count is a whole number."),
    ({"value": "-5"}, "value", "Ensure this value is greater than or equal to 0."),
    ({"key": "avrr.enhanced_support.share", "unit": "percent", "value": "140"}, "value",
     "A percentage is at most 100."),
    ({"year": "30000"}, "year", "Ensure this value is less than or equal to"),
])
def test_published_figures_are_checked(admin_client_logged, fields, field, message):
    data = {"key": "avrr.returned", "year": "2024", "value": "2196", "unit": "count", "source": "Bilan 2024"}
    data.update(fields)
    response = in_english(admin_client_logged).post(reverse("admin:oimsite_publishedfigure_add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert PublishedFigure.objects.count() == 0


def test_a_valid_published_figure_is_saved(admin_client_logged):
    data = {"key": "avrr.by_country.CI", "year": "2024", "value": "523", "unit": "count", "source": "Bilan 2024"}
    response = admin_client_logged.post(reverse("admin:oimsite_publishedfigure_add"), data)
    assert response.status_code == 302
    assert PublishedFigure.objects.get().value == 523
