"""Lists at scale: the capped count, bounded deep pages, the streamed CSV export and the XLSX limit."""

import csv
import io

import pytest
from django.urls import reverse

from oimsite.lists import pagination
from oimsite.lists import views as lists
from oimsite.lists.exports import export_done
from resettlement.models import Refugee, ResettlementFile
from resettlement.tables import RefugeeTable, ResettlementFileTable
from resettlement.views import refugee_count
from returns.models import Returnee
from returns.tables import ReturneeTable
from tests import helpers
from tests.helpers import in_english

pytestmark = pytest.mark.django_db


@pytest.fixture
def cap_of_10(monkeypatch):
    # The cap is 10,000 in production; 10 lets a small world exceed it.
    monkeypatch.setattr(pagination, "COUNT_CAP", 10)
    monkeypatch.setattr(pagination.CappedPaginator, "cap", 10)
    monkeypatch.setattr(lists, "COUNT_CAP", 10)
    monkeypatch.setattr(lists, "XLSX_MAX_ROWS", 10)


def test_capped_count_is_exact_up_to_the_cap():
    helpers.small_world(3)  # 18 returnees
    assert pagination.capped_count(Returnee.objects.all(), 100) == 18
    assert pagination.capped_count(Returnee.objects.all(), 18) == 18
    assert pagination.capped_count(Returnee.objects.all(), 10) == 11


def test_a_list_longer_than_the_cap_says_more_than(admin_client_logged, cap_of_10):
    helpers.small_world(3)
    response = in_english(admin_client_logged).get(reverse("returns:returnee_list"))
    assert response.status_code == 200
    assert response.context["result_count"] == 10
    assert response.context["result_count_capped"] is True
    assert "More than 10 records" in response.content.decode()
    # A filtered list under the cap is still counted exactly.
    response = admin_client_logged.get(reverse("returns:returnee_list"), {"programme": "to_morocco"})
    assert response.context["result_count"] == 6
    assert response.context["result_count_capped"] is False


def test_pages_beyond_the_cap_show_the_last_page_with_a_message(admin_client_logged, cap_of_10):
    helpers.small_world(3)
    url = reverse("returns:returnee_list")
    last = admin_client_logged.get(url, {"per_page": 5, "page": 2})
    assert last.status_code == 200
    response = in_english(admin_client_logged).get(url, {"per_page": 5, "page": 3})
    assert response.status_code == 200
    assert response.context["table"].page.number == 2
    assert "Only the first 10 records of a list can be paged through" in response.content.decode()


def test_xlsx_export_above_the_limit_is_refused_csv_is_not(admin_client_logged, cap_of_10):
    helpers.small_world(3)
    url = reverse("returns:returnee_list")
    response = in_english(admin_client_logged).get(url, {"_export": "xlsx"})
    assert response.status_code == 400
    assert "An XLSX export is limited to 10 rows" in response.content.decode()
    response = admin_client_logged.get(url, {"_export": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))
    assert len(rows) == 1 + 18


@pytest.fixture
def search_cap_of_5(monkeypatch):
    # SEARCH_COUNT_CAP is 1,000 in production; 5 lets a search of a small world exceed it.
    monkeypatch.setattr(lists, "SEARCH_COUNT_CAP", 5)


def test_a_search_is_counted_to_its_own_cap(admin_client_logged, search_cap_of_5):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    helpers.small_world(3)  # 18 returnees, 15 of them Diallo
    url = reverse("returns:returnee_list")
    with CaptureQueriesContext(connection) as queries:
        response = in_english(admin_client_logged).get(url, {"q": "Diallo"})
    assert response.context["result_count"] == 5
    assert response.context["result_count_capped"] is True
    assert "More than 5 records" in response.content.decode()
    counts = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(")]
    assert len(counts) == 1 and "LIMIT 6" in counts[0]
    # The page shows matches only, and paging stops at the search's cap, with a message.
    assert {row.record.family_name for row in response.context["table"].page.object_list} == {"Diallo"}
    assert admin_client_logged.get(url, {"q": "Diallo", "per_page": 5, "page": 1}).status_code == 200
    response = in_english(admin_client_logged).get(url, {"q": "Diallo", "per_page": 5, "page": 2})
    assert response.status_code == 200
    assert response.context["table"].page.number == 1
    assert "Only the first 5 records of a list can be paged through" in response.content.decode()
    # Under the search's cap, and without a search (or with a blank one), the count is exact as before.
    response = admin_client_logged.get(url, {"q": "+Evil"})
    assert (response.context["result_count"], response.context["result_count_capped"]) == (3, False)
    for blank in ({}, {"q": "  "}):
        response = admin_client_logged.get(url, blank)
        assert (response.context["result_count"], response.context["result_count_capped"]) == (18, False)


def test_a_searched_export_holds_every_match(admin_client_logged, search_cap_of_5, cap_of_10):
    helpers.small_world(3)
    url = reverse("returns:returnee_list")
    response = admin_client_logged.get(url, {"q": "Diallo", "_export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))
    assert len(rows) == 1 + 15
    # The XLSX limit (10 here) is checked against the export's own count, not the search's cap of 5.
    response = in_english(admin_client_logged).get(url, {"q": "Diallo", "_export": "xlsx"})
    assert response.status_code == 400
    assert "An XLSX export is limited to 10 rows" in response.content.decode()


def _records(body: bytes) -> list[list[str]]:
    """The CSV's records, cell by cell: PostgreSQL's COPY ends a record with LF where Python's writer writes
    CRLF (docs/benchmarks.md); every cell, quote and order must still be the same."""
    return list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))


def _old_export(table) -> bytes:
    # The export before streaming: django-tables2's TableExport through tablib, in memory.
    return lists.SafeTableExport(export_format="csv", table=table).response().content


@pytest.mark.parametrize(("name", "table"), [
    ("returns:returnee_list", lambda: ReturneeTable(Returnee.objects.with_age_at_return())),
    ("resettlement:file_list",
     lambda: ResettlementFileTable(ResettlementFile.objects.annotate(refugee_count=refugee_count()))),
    ("resettlement:refugee_list", lambda: RefugeeTable(Refugee.objects.select_related("file"))),
])
def test_streamed_csv_equals_the_in_memory_export(admin_client_logged, name, table):
    helpers.small_world(2)
    response = admin_client_logged.get(reverse(name), {"_export": "csv"})
    assert response.streaming
    streamed = b"".join(response.streaming_content)
    assert _records(streamed) == _records(_old_export(table()))
    assert b"'+Evil" in streamed or name != "returns:returnee_list"


def test_streamed_csv_in_several_chunks_and_signal_at_the_end(admin_client_logged, monkeypatch):
    helpers.small_world(3)
    monkeypatch.setattr(lists, "EXPORT_CHUNK_BYTES", 100)
    received = []

    def listener(sender, **kwargs):
        received.append(kwargs["row_count"])

    export_done.connect(listener)
    try:
        response = admin_client_logged.get(reverse("returns:returnee_list"), {"_export": "csv"})
        chunks = []
        for chunk in response.streaming_content:
            assert received == []  # not before the last row
            chunks.append(chunk)
    finally:
        export_done.disconnect(listener)
    assert len(chunks) > 3
    assert _records(b"".join(chunks)) == _records(_old_export(ReturneeTable(Returnee.objects.with_age_at_return())))
    assert received == [18]


def test_country_names_follow_the_language_with_the_cached_choices():
    from django.utils import translation

    returnee = Returnee(nationality="MA")
    for _ in range(2):  # the second pass reads the cache of each language
        with translation.override("en"):
            assert returnee.get_nationality_display() == "Morocco"
        with translation.override("fr"):
            assert returnee.get_nationality_display() == "Maroc"


@pytest.mark.parametrize("name", ["returns:returnee_list", "reintegration:session_list", "resettlement:file_list",
                                  "resettlement:refugee_list"])
def test_the_list_count_is_capped_in_sql(admin_client_logged, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    helpers.small_world(1)
    with CaptureQueriesContext(connection) as queries:
        assert admin_client_logged.get(reverse(name)).status_code == 200
    counts = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(")]
    assert len(counts) == 1
    assert f"LIMIT {pagination.COUNT_CAP + 1}" in counts[0]
