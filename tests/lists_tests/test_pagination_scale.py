"""Pages whose cost grew with the data (issue 6): deep list pages, the admin's refugee changelist. Same rows
and order as before, read through the indexes (EXPLAIN), same number of queries on either side of the count
cap. No timings here: `manage.py bench` measures them. The searches are tested in lists_tests/test_search.py.
"""

import re
from math import ceil

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oimsite.lists import admin_base
from resettlement.models import DEPARTED_STAGES, Refugee
from tests import helpers

pytestmark = pytest.mark.django_db

is_postgresql = connection.vendor == "postgresql"


def page_query(captured, table: str) -> str:
    return next(q["sql"] for q in captured if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]
                and "COUNT(" not in q["sql"] and "LIMIT" in q["sql"])


def explain(sql: str, *settings: str) -> str:
    with connection.cursor() as cursor:
        if is_postgresql:
            cursor.execute("ANALYZE")  # statistics, as a database in use has them
            for setting in settings:
                cursor.execute(f"SET LOCAL {setting}")
            cursor.execute("EXPLAIN " + sql)
        else:
            cursor.execute("ANALYZE")
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(str(row) for row in cursor.fetchall())


# --- admin changelists: the count and the totals ------------------------------------------------

def changelist_queries(client, url: str, query: dict) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200
    return [q["sql"] for q in captured]


@pytest.mark.parametrize("name", ["admin:resettlement_refugee_changelist", "admin:returns_returnee_changelist"])
def test_beyond_the_cap_the_totals_are_not_computed_and_the_query_count_stays(admin_client_logged, monkeypatch,
                                                                              name):
    helpers.small_world(3)
    url = reverse(name)
    under = changelist_queries(admin_client_logged, url, {})
    monkeypatch.setattr(admin_base, "COUNT_CAP", 5)
    over = changelist_queries(admin_client_logged, url, {})
    assert len(over) == len(under)
    # Over the cap: no aggregate of the totals; the count comes from the planner's estimate (PostgreSQL)
    # or an exact COUNT(*) (SQLite) instead.
    assert any("FILTER (WHERE" in sql or "CASE WHEN" in sql for sql in under)
    assert not any("FILTER (WHERE" in sql or "CASE WHEN" in sql for sql in over)
    response = admin_client_logged.get(url)
    assert response.context["changelist_totals"] is None
    assert response.context["cl"].result_count >= 6


def test_the_admin_count_is_exact_up_to_the_cap(admin_client_logged):
    helpers.small_world(3)
    response = admin_client_logged.get(reverse("admin:resettlement_refugee_changelist"))
    assert response.context["cl"].result_count == Refugee.objects.count()
    assert response.context["cl"].paginator.capped == Refugee.objects.count()


# --- a total order: no row on two pages ----------------------------------------------------------

@pytest.mark.parametrize(("name", "table_name", "sorts"), [
    ("reintegration:session_list", "reintegration_supportsession", ["", "-date", "date", "returnee_name", "kind"]),
    ("returns:returnee_list", "returns_returnee", ["", "family_name", "-age_at_return"]),
    ("resettlement:refugee_list", "resettlement_refugee", ["", "-file"]),
])
def test_deep_pages_show_the_rows_of_the_whole_ordered_list(admin_client_logged, name, table_name, sorts):
    helpers.small_world(4)
    for sort in sorts:
        params = {"sort": sort} if sort else {}
        whole = admin_client_logged.get(reverse(name), {**params, "per_page": 500})
        everything = [row.record.pk for row in whole.context["table"].page.object_list]
        assert len(everything) > 14, "the world is too small to have deep pages"
        seen = []
        for number in range(1, ceil(len(everything) / 7) + 1):
            with CaptureQueriesContext(connection) as captured:
                response = admin_client_logged.get(reverse(name), {**params, "per_page": 7, "page": number})
            assert response.status_code == 200
            rows = [row.record.pk for row in response.context["table"].page.object_list]
            assert rows == everything[(number - 1) * 7:number * 7], (sort, number)
            seen += rows
            # Equal values cannot change places between two pages: the order ends with a unique key.
            assert re.search(r'\."(id|case_number|file_number)" (ASC|DESC) LIMIT', page_query(captured, table_name))
        assert seen == everything  # every row once, none twice


def test_the_deep_page_of_sessions_is_read_in_order_from_the_date_index(admin_client_logged, baseline):
    with CaptureQueriesContext(connection) as captured:
        response = admin_client_logged.get(reverse("reintegration:session_list"), {"page": 20})
    assert response.status_code == 200
    plan = explain(page_query(captured, "reintegration_supportsession"), "enable_sort = off",
                   "enable_incremental_sort = off")
    assert "session_date_id_idx" in plan, plan


# --- admin refugee changelist --------------------------------------------------------------------

def test_the_admin_refugee_order_is_read_from_its_index(admin_client_logged, baseline):
    with CaptureQueriesContext(connection) as captured:
        response = admin_client_logged.get(reverse("admin:resettlement_refugee_changelist"))
    assert response.status_code == 200
    sql = page_query(captured, "resettlement_refugee")
    assert 'ORDER BY "resettlement_refugee"."file_id" DESC' in sql and '"resettlement_refugee"."id" DESC' in sql
    plan = explain(sql, "enable_sort = off", "enable_incremental_sort = off", "enable_seqscan = off")
    assert "refugee_admin_order_idx" in plan, plan
    if is_postgresql:
        assert "Sort" not in plan, plan


@pytest.mark.parametrize("query", [{}, {"q": "a"}, {"nationality__exact": "SY"}, {"file__stage__exact": "departed"}])
def test_refugee_totals_count_the_departed_files_as_a_join_does(admin_client_logged, baseline, query):
    response = admin_client_logged.get(reverse("admin:resettlement_refugee_changelist"), query)
    queryset = response.context["cl"].queryset
    totals = [value for _label, value in response.context["changelist_totals"]]
    assert totals == [
        queryset.count(),
        queryset.filter(file__stage__in=DEPARTED_STAGES).count(),
        queryset.filter(is_principal_applicant=True).count(),
    ]
    if not query:
        assert totals[1] > 0


def test_the_admin_refugees_filtered_by_nationality_are_read_in_order_from_an_index(admin_client_logged,
                                                                                    baseline):
    """The page is the first rows of refugee_nationality_order_idx for the nationality (no sort of all of
    them), and its count reads that index alone."""
    with CaptureQueriesContext(connection) as captured:
        response = admin_client_logged.get(reverse("admin:resettlement_refugee_changelist"),
                                           {"nationality__exact": "SY", "sex__exact": "F"})
    assert response.status_code == 200
    assert response.context["cl"].result_count > 50
    page = explain(page_query(captured, "resettlement_refugee"), "enable_sort = off",
                   "enable_incremental_sort = off", "enable_seqscan = off")
    assert "refugee_nationality_order_idx" in page, page
    assert ("Sort" if is_postgresql else "TEMP B-TREE") not in page, page
    count = next(q["sql"] for q in captured if "COUNT(*)" in q["sql"] and "resettlement_refugee" in q["sql"])
    plan = explain(count, "enable_seqscan = off", "enable_bitmapscan = off")
    assert ("Index Only Scan using refugee_nationality_order_idx" if is_postgresql
            else "COVERING INDEX refugee_nationality_order_idx") in plan, plan
