"""A search that matches more rows than the paginator's cap: on SQLite its page is found by walking the list's
order (oimsite/lists/order_walk.py). The same rows in the same order as the plain plan, on both databases; on
SQLite, the plan walks the order's index instead of sorting every match."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oimsite.lists import views as lists
from oimsite.lists.order_walk import in_order
from oimsite.lists.pagination import SEARCH_COUNT_CAP, total_order
from oimsite.lists.search import search
from resettlement.models import Refugee
from returns.models import Returnee
from tests import helpers
from tests.perf_tests.test_pages_at_scale import page_query

pytestmark = pytest.mark.django_db

is_sqlite = connection.vendor == "sqlite"


@pytest.fixture
def world():
    helpers.small_world(4)  # 24 returnees, 20 of them Diallo; 28 refugees
    for i in range(12):
        helpers.returnee(family=f"Diallo-Ba{i}", departed=None)  # ties on the date, none on the case number


def walked(sql: str, table: str) -> bool:
    return f'+"{table}"."id" IN' in sql


@pytest.mark.parametrize("query", [{"q": "Diallo"}, {"q": "Diallo", "page": 2}, {"q": "iallo", "sort": "family_name"},
                                   {"q": "Diallo Ba", "sort": "-case_number"}])
def test_a_dense_search_shows_the_same_rows_in_the_same_order(admin_client_logged, world, monkeypatch, query):
    url = reverse("returns:returnee_list")
    query = {**query, "per_page": 5}
    plain = [row.record.pk for row in admin_client_logged.get(url, query).context["table"].page.object_list]
    monkeypatch.setattr(lists, "SEARCH_COUNT_CAP", 10)  # 12 or more matches: over it
    with CaptureQueriesContext(connection) as captured:
        response = admin_client_logged.get(url, query)
    assert response.context["result_count_capped"] is True
    dense = [row.record.pk for row in response.context["table"].page.object_list]
    assert dense == plain and len(dense) == 5
    sql = page_query(captured.captured_queries, "returns_returnee")
    assert walked(sql, "returns_returnee") == is_sqlite


def test_a_search_under_the_cap_keeps_the_plain_plan(admin_client_logged, world):
    with CaptureQueriesContext(connection) as captured:
        response = admin_client_logged.get(reverse("returns:returnee_list"), {"q": "Diallo"})
    assert response.context["result_count_capped"] is False
    assert not walked(page_query(captured.captured_queries, "returns_returnee"), "returns_returnee")


def plan_of(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row) for row in cursor.fetchall())


@pytest.mark.skipif(not is_sqlite, reason="PostgreSQL chooses between the two plans from its statistics")
def test_sqlite_walks_the_order_index_instead_of_sorting_the_matches(world):
    searched = total_order(search(Returnee.objects.order_by("-departure_date", "case_number"),
                                  ("case_number", "family_name", "given_name"), "Diallo"))
    plain = plan_of(searched[:50])
    assert "returns_returnee_fts" in plain and "TEMP B-TREE FOR ORDER BY" in plain
    walk = plan_of(in_order(searched)[:50])
    assert "returnee_dep_case_idx" in walk and "TEMP B-TREE FOR ORDER BY" not in walk
    assert list(in_order(searched)[:50]) == list(searched[:50])


@pytest.mark.parametrize("term", ["Ab", "Family", "Person1", "zz-none"])
def test_the_admin_search_pages_and_totals_with_the_search_cap(admin_client_logged, world, monkeypatch, rf,
                                                                 term):
    from django.contrib import admin

    from oimsite.lists import admin_base

    for i in range(6):
        helpers.resettlement_file(to="CA", size=1).refugees.update(family_name=f"Abdi{i}")
    url = reverse("admin:resettlement_refugee_changelist")
    model_admin = admin.site._registry[Refugee]
    monkeypatch.setattr(model_admin, "list_per_page", 2)  # several pages: the changelist pages its query
    plain = admin_client_logged.get(url, {"q": term})
    # Django's own search, as the reference for the number of matches.
    django_search, _duplicates = admin.ModelAdmin.get_search_results(model_admin, rf.get("/"), Refugee.objects.all(),
                                                                     term)
    matches = django_search.count()
    assert plain.context["cl"].result_count == matches
    assert (plain.context["changelist_totals"] is None) == (matches > SEARCH_COUNT_CAP)
    monkeypatch.setattr(admin_base, "SEARCH_COUNT_CAP", 3)
    with CaptureQueriesContext(connection) as captured:
        capped = admin_client_logged.get(url, {"q": term})
    assert [r.pk for r in capped.context["cl"].result_list] == [r.pk for r in plain.context["cl"].result_list]
    assert capped.context["cl"].paginator.cap == 3
    # Over the search's cap: no totals, the note names the search's cap; the count stays (estimated on
    # PostgreSQL, exact on SQLite).
    assert (capped.context["changelist_totals"] is None) == (matches > 3)
    if matches > 3:
        assert capped.context["changelist_totals_cap"] == 3
        assert capped.context["cl"].result_count >= 4
        assert walked(page_query(captured.captured_queries, "resettlement_refugee"), "resettlement_refugee") == (
            is_sqlite)
    # Without a search, the changelist's cap is COUNT_CAP: totals as before.
    assert admin_client_logged.get(url).context["changelist_totals"] is not None
