"""Pages whose cost grew with the data (issue 6): deep list pages, the admin's refugee changelist, the lists'
search on PostgreSQL. Same rows and order as before, read through the indexes (EXPLAIN), same number of
queries on either side of the count cap. No timings here: `manage.py bench` measures them.
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oimsite import admin_base
from resettlement.models import Refugee
from tests import factories

pytestmark = pytest.mark.django_db

is_postgresql = connection.vendor == "postgresql"


def populate() -> None:
    call_command("populate", scale="1", no_progress=True, stdout=io.StringIO())


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
    factories.small_world(3)
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
    factories.small_world(3)
    response = admin_client_logged.get(reverse("admin:resettlement_refugee_changelist"))
    assert response.context["cl"].result_count == Refugee.objects.count()
    assert response.context["cl"].paginator.capped == Refugee.objects.count()
