"""The four case lists: filters, counts, sorting, exports and their permission, query counts."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from oimsite.lists.exports import export_done
from oimsite.reporting import indicators
from tests import helpers
from tests.helpers import SESSION_TOUCH_QUERIES, in_english

pytestmark = pytest.mark.django_db

LISTS = ["returns:returnee_list", "reintegration:session_list", "resettlement:file_list",
         "resettlement:refugee_list"]


def shown_count(response) -> int:
    return response.context["result_count"]


def csv_rows(response) -> list[list[str]]:
    # CSV exports stream (StreamingHttpResponse): read the chunks.
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))


@pytest.mark.parametrize("name", LISTS)
def test_list_needs_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", LISTS)
def test_list_needs_view_permission(client, django_user_model, name):
    client.force_login(django_user_model.objects.create_user("nobody", password="Correct-Horse-Battery-9"))
    assert client.get(reverse(name)).status_code == 403


def test_returnee_list_shows_the_exact_filtered_count(admin_client_logged):
    helpers.small_world(3)
    response = admin_client_logged.get(reverse("returns:returnee_list"), {"programme": "from_morocco"})
    assert response.status_code == 200
    assert shown_count(response) == 12
    assert "12 records" in response.content.decode() or "12 enregistrements" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"programme": "from_morocco", "returned_in": 2024}, 2),
        ({"programme": "to_morocco"}, 2),
        ({"return_country": "CI"}, 1),
        ({"host_country": "TR"}, 1),
        ({"sex": "F", "programme": "to_morocco"}, 1),
        ({"age_band": "60+"}, 1),
        ({"status": "open"}, 1),
        ({"counselled_virtually": "true"}, 1),
        ({"supported_after_return_in": 2024}, 3),
        ({"enhanced_support_in": 2024}, 1),
        ({"vulnerability": "__child__"}, 1),
        ({"q": "rva-2024"}, 5),
        ({"q": "evil"}, 1),
        ({"departure_date_after": "2024-01-01", "departure_date_before": "2024-12-31"}, 4),
    ],
)
def test_returnee_filters(admin_client_logged, params, expected):
    helpers.small_world(1)
    if params.get("vulnerability") == "__child__":
        from returns.models import VulnerabilityCategory

        params = {"vulnerability": VulnerabilityCategory.objects.get(code="child").pk}
    response = admin_client_logged.get(reverse("returns:returnee_list"), params)
    assert response.status_code == 200, response.context["filter"].form.errors
    assert shown_count(response) == expected


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        ("reintegration:session_list", {"phase": "post_return", "year": 2024}, 3),
        ("reintegration:session_list", {"programme": "to_morocco"}, 1),
        ("reintegration:session_list", {"kind": "counselling", "mode": "virtual"}, 1),
        ("reintegration:session_list", {"enhanced": "true"}, 1),
        ("reintegration:session_list", {"provider": "iom_morocco"}, 0),
        ("reintegration:session_list", {"return_country": "SN"}, 2),
        ("resettlement:file_list", {"departed_in": 2024}, 2),
        ("resettlement:file_list", {"stage": "referred"}, 1),
        ("resettlement:file_list", {"destination": "US"}, 2),
        ("resettlement:file_list", {"q": "Person1"}, 3),
        ("resettlement:refugee_list", {"departed_in": 2024, "destination": "US"}, 2),
        ("resettlement:refugee_list", {"is_principal_applicant": "true"}, 3),
        ("resettlement:refugee_list", {"nationality": "SY", "sex": "F"}, 3),
    ],
)
def test_other_filters(admin_client_logged, name, params, expected):
    helpers.small_world(1)
    response = admin_client_logged.get(reverse(name), params)
    assert response.status_code == 200, response.context["filter"].form.errors
    assert shown_count(response) == expected


def test_file_list_counts_refugees_per_file(admin_client_logged):
    helpers.resettlement_file(to="CA", size=4)
    response = admin_client_logged.get(reverse("resettlement:file_list"), {"_export": "csv"})
    assert csv_rows(response)[1][-2] == "4"  # the refugees, before the owner


def test_every_indicator_drill_down_lists_as_many_rows_as_the_indicator(admin_client_logged):
    helpers.small_world(2)
    report = indicators.compute(2024)
    checked = 0
    for key, indicator in report.indicators.items():
        if not indicator.url.startswith("/re"):  # the count of countries links to its breakdown
            continue
        response = admin_client_logged.get(indicator.url)
        assert shown_count(response) == indicator.value, key
        export = admin_client_logged.get(indicator.url + "&_export=csv")
        assert len(csv_rows(export)) - 1 == indicator.value, key
        checked += 1
    assert checked >= 15


def test_csv_export_neutralises_formulas_and_sends_the_signal(admin_client_logged):
    helpers.small_world(1)
    received = []

    def listener(sender, **kwargs):
        received.append(kwargs)

    export_done.connect(listener)
    try:
        response = admin_client_logged.get(reverse("returns:returnee_list"), {"q": "evil", "_export": "csv"})
        rows = csv_rows(response)  # the CSV streams: the signal is sent once its last row is written
    finally:
        export_done.disconnect(listener)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="returnees.csv"'
    assert "'+Evil" in rows[1]
    assert "'=cmd" in rows[1]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert len(received) == 1
    assert received[0]["row_count"] == 1
    assert received[0]["export_format"] == "csv"
    assert received[0]["filters"] == "q=evil"
    assert received[0]["model"].__name__ == "Returnee"


def test_xlsx_export(admin_client_logged):
    helpers.small_world(1)
    response = admin_client_logged.get(reverse("resettlement:refugee_list"), {"departed_in": 2024,
                                                                               "_export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(helpers.streamed_body(response))).active
    assert sheet.max_row == 1 + 5


@pytest.mark.parametrize("name", LISTS)
def test_export_needs_the_export_permission(viewer_client, name):
    helpers.small_world(1)
    assert viewer_client.get(reverse(name)).status_code == 200
    response = in_english(viewer_client).get(reverse(name), {"_export": "csv"})
    assert response.status_code == 403
    assert "You are not allowed to export these records." in response.content.decode()
    # No export button is offered either.
    assert "_export=csv" not in viewer_client.get(reverse(name)).content.decode()


def test_sorting_by_a_column(admin_client_logged):
    helpers.small_world(1)
    response = admin_client_logged.get(reverse("returns:returnee_list"), {"sort": "family_name"})
    names = [r.record.family_name for r in response.context["table"].paginated_rows]
    assert names == sorted(names)


def test_pagination_keeps_the_total(admin_client_logged):
    helpers.small_world(3)
    response = admin_client_logged.get(reverse("returns:returnee_list"), {"per_page": 5, "page": 2})
    assert shown_count(response) == 18
    assert len(response.context["table"].page.object_list) == 5


def test_detail_pages(admin_client_logged):
    helpers.small_world(1)
    from resettlement.models import Refugee, ResettlementFile
    from returns.models import Returnee

    returnee = Returnee.objects.get(return_country="CI")
    page = admin_client_logged.get(returnee.get_absolute_url()).content.decode()
    assert returnee.case_number in page
    assert page.count('href="/reintegration/') >= 2  # the timeline links each session
    session = returnee.sessions.first()
    assert returnee.case_number in admin_client_logged.get(session.get_absolute_url()).content.decode()
    file = ResettlementFile.objects.filter(destination_country="CA").first()
    page = admin_client_logged.get(file.get_absolute_url()).content.decode()
    assert page.count('href="/resettlement/refugees/') >= 3
    refugee = Refugee.objects.first()
    assert refugee.file.file_number in admin_client_logged.get(refugee.get_absolute_url()).content.decode()


# Queries of one list page for a superuser: session, user, COUNT of the filtered rows (capped), the page's rows
# (plus the vulnerability choices of the returnee filter form, and the staff of the "assigned to" filter on the
# returnee and file lists).
LIST_QUERIES = {
    "returns:returnee_list": 6 + SESSION_TOUCH_QUERIES,
    "reintegration:session_list": 4 + SESSION_TOUCH_QUERIES,
    # + the stage pipeline above the list (its counts and averages, then its medians).
    "resettlement:file_list": 7 + SESSION_TOUCH_QUERIES,
    "resettlement:refugee_list": 4 + SESSION_TOUCH_QUERIES,
}


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("scale", [1, 10])
def test_list_queries_do_not_grow_with_the_data(admin_client_logged, django_assert_num_queries, name, scale):
    helpers.small_world(scale)  # 6 to 60 returnees, 7 to 70 refugees
    with django_assert_num_queries(LIST_QUERIES[name]):
        response = admin_client_logged.get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("scale", [1, 10])
def test_export_queries_do_not_grow_with_the_data(admin_client_logged, name, scale):
    helpers.small_world(scale)
    with CaptureQueriesContext(connection) as queries:
        csv_rows(admin_client_logged.get(reverse(name), {"_export": "csv"}))  # consumed: the CSV streams
    # Session and user, one (capped) COUNT of the filtered rows, the rows, the audit event, the session touch;
    # on PostgreSQL, whose COPY writes the rows, also the staff's names once for a list with owners.
    owners = connection.vendor == "postgresql" and name in ("returns:returnee_list", "resettlement:file_list")
    assert len(queries) == 5 + owners + SESSION_TOUCH_QUERIES, [q["sql"][:80] for q in queries]
    assert any(q["sql"].startswith("COPY (") for q in queries) == (connection.vendor == "postgresql")
