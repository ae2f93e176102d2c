"""Every bad parameter is said on the list page (a 400 with the form), a page past the end shows the last page,
an unknown export format is a 404 that says so; never a 500."""

import pytest
from django.urls import reverse

from oimsite.core.params import YEAR_MIN, year_max
from tests import helpers
from tests.helpers import in_english

pytestmark = pytest.mark.django_db

INVALID_CHOICE = "Select a valid choice."
WHOLE_NUMBER = "Enter a whole number."

COMMON = [
    ("page", "abc", 400, "The page number must be a whole number from 1."),
    ("page", "0", 400, "The page number must be a whole number from 1."),
    ("page", "²", 400, "The page number must be a whole number from 1."),
    ("per_page", "١", 400, "The number of rows per page must be between 1 and 500."),
    ("page", "999", 200, "There is no page 999: here is the last page, 1."),
    ("per_page", "-1", 400, "The number of rows per page must be between 1 and 500."),
    ("per_page", "100000", 400, "The number of rows per page must be between 1 and 500."),
    ("sort", "nope", 400, "This list cannot be sorted by “nope”."),
    ("sort", "-password", 400, "This list cannot be sorted by “-password”."),
    ("_export", "pdf", 404, "Unknown export format “pdf”: choose one of csv, xlsx."),
    ("_export", "", 404, "Unknown export format “”"),
]

PER_LIST = {
    "returns:returnee_list": [
        ("returned_in", "abc", 400, WHOLE_NUMBER),
        ("returned_in", "99999", 400, f"Ensure this value is less than or equal to {year_max()}."),
        ("supported_after_return_in", "2O24", 400, WHOLE_NUMBER),
        ("enhanced_support_in", "-5", 400, f"Ensure this value is greater than or equal to {YEAR_MIN}."),
        ("return_country", "ZZ", 400, INVALID_CHOICE),
        ("host_country", "<script>", 400, INVALID_CHOICE),
        ("nationality", "123", 400, INVALID_CHOICE),
        ("sex", "X", 400, INVALID_CHOICE),
        ("age_band", "old", 400, INVALID_CHOICE),
        ("status", "lost", 400, INVALID_CHOICE),
        ("programme", "mars", 400, INVALID_CHOICE),
        ("vulnerability", "abc", 400, INVALID_CHOICE),
        ("vulnerability", "999999", 400, INVALID_CHOICE),
        ("departure_date_after", "2024-13-45", 400, "Enter a valid date."),
        ("departure_date_after", "2024-02-30", 400, "Enter a valid date."),
        ("counselled_virtually", "maybe", 400, INVALID_CHOICE),
        ("counselled_virtually", "unknown", 400, INVALID_CHOICE),
    ],
    "reintegration:session_list": [
        ("year", "abc", 400, WHOLE_NUMBER),
        ("kind", "magic", 400, INVALID_CHOICE),
        ("phase", "during", 400, INVALID_CHOICE),
        ("mode", "telepathy", 400, INVALID_CHOICE),
        ("provider", "nobody", 400, INVALID_CHOICE),
        ("return_country", "XX", 400, INVALID_CHOICE),
        ("date_before", "yesterday", 400, "Enter a valid date."),
        ("enhanced", "perhaps", 400, INVALID_CHOICE),
    ],
    "resettlement:file_list": [
        ("departed_in", "twenty", 400, WHOLE_NUMBER),
        ("destination", "Narnia", 400, INVALID_CHOICE),
        ("stage", "flying", 400, INVALID_CHOICE),
    ],
    "resettlement:refugee_list": [
        ("departed_in", "1.5", 400, WHOLE_NUMBER),
        ("destination", "QQ", 400, INVALID_CHOICE),
        ("nationality", "??", 400, INVALID_CHOICE),
        ("sex", "Z", 400, INVALID_CHOICE),
        ("stage", "gone", 400, INVALID_CHOICE),
        ("is_principal_applicant", "2", 400, INVALID_CHOICE),
    ],
}

CASES = [(name, *case) for name, cases in PER_LIST.items() for case in [*cases, *COMMON]]


@pytest.mark.parametrize(("name", "param", "value", "status", "message"), CASES,
                         ids=[f"{c[0]}-{c[1]}={c[2]}" for c in CASES])
def test_bad_list_parameter(admin_client_logged, name, param, value, status, message):
    helpers.small_world(1)
    response = in_english(admin_client_logged).get(reverse(name), {param: value})
    assert response.status_code == status
    assert message in response.content.decode()


@pytest.mark.parametrize(("name", "start", "end"), [
    ("returns:returnee_list", "departure_date_after", "departure_date_before"),
    ("reintegration:session_list", "date_after", "date_before"),
    ("resettlement:file_list", "departure_date_after", "departure_date_before"),
])
def test_a_date_range_that_ends_before_it_starts_is_refused(admin_client_logged, name, start, end):
    response = in_english(admin_client_logged).get(reverse(name), {start: "2025-01-01", end: "2024-01-01"})
    assert response.status_code == 400
    assert "The end of the range is before its start." in response.content.decode()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "There is no record for the year “abc”: choose a year in the list."),
        ("2019", "There is no record for the year “2019”: choose a year in the list."),
        ("99999999999999999999", "There is no record for the year"),
        ("", "This field is required."),
    ],
)
@pytest.mark.parametrize("name", ["dashboard", "reconciliation"])
def test_bad_year(admin_client_logged, name, value, message):
    helpers.small_world(1)
    response = in_english(admin_client_logged).get(reverse(name), {"year": value})
    assert response.status_code == 400
    assert message in response.content.decode()
