"""Searches served by indexes (issue 6): the admin's prefix searches (`^field`) on both databases, the
lists' search inside words by trigram indexes on PostgreSQL and trigram full-text tables on SQLite.

Django writes istartswith as `UPPER("col"::text) LIKE UPPER(…)` on PostgreSQL and `"col" LIKE … ESCAPE '\\'`
on SQLite; each database has its own indexes for it (see oimsite/core/migration_ops.py). The test runs the
changelist's real count query (the same WHERE as its page, without the ORDER BY that lets a planner prefer
walking the sort index on tiny tables) under EXPLAIN and looks for the indexes in the plan. PostgreSQL is
also told not to prefer a sequential or full-index scan: what is checked is that the indexes *can* serve
the search, which is what fails when the search expression and the index do not match. On SQLite the lists'
search is `id IN (SELECT rowid FROM <table>_fts WHERE … MATCH …)`: its count and page queries must read the
full-text tables and scan no table.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

SEARCHES = [
    ("admin:returns_returnee_changelist", "RVA-2020-0001", "returns_returnee", ("returnee_case_",)),
    ("admin:returns_returnee_changelist", "Haddad", "returns_returnee", ("returnee_family_", "returnee_given_")),
    ("admin:resettlement_resettlementfile_changelist", "RST-2020-01", "resettlement_resettlementfile",
     ("file_number_",)),
    ("admin:resettlement_refugee_changelist", "Haddad", "resettlement_refugee",
     ("refugee_family_", "refugee_given_", "file_number_")),
    ("admin:reintegration_supportsession_changelist", "RMA-2020-0001", "reintegration_supportsession",
     ("returnee_case_", "returnee_family_", "returnee_given_")),
]


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Only scans driven by an index condition: a full scan of a table or of its primary key is
            # what wins on tiny tables, and it would hide whether the search's own indexes can serve.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("EXPLAIN " + sql)
        else:
            cursor.execute("ANALYZE")  # statistics, as a database in use has them
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(str(row) for row in cursor.fetchall())


def assert_search_uses(client, name: str, term: str, table: str, indexes: tuple[str, ...]) -> None:
    """Search page `name` for `term` and require `indexes` in the plan of its count query over `table`."""
    call_command("populate", scale="1", no_progress=True, stdout=io.StringIO())
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name), {"q": term})
    assert response.status_code == 200
    count_queries = [q["sql"] for q in captured if ("LIKE" in q["sql"] or " MATCH " in q["sql"])
                     and f'FROM "{table}"' in q["sql"] and "COUNT(" in q["sql"]]
    assert count_queries, "the page ran no search query"
    plan = explain(count_queries[0])
    for index in indexes:
        assert index in plan, plan


@pytest.mark.parametrize(("name", "term", "table", "indexes"), SEARCHES)
def test_admin_prefix_search_is_served_by_an_index(admin_client_logged, name, term, table, indexes):
    assert_search_uses(admin_client_logged, name, term, table, indexes)


LIST_SEARCHES = [
    ("returns:returnee_list", "adda", "returns_returnee", ("returnee_case_trgm", "returnee_family_trgm",
                                                          "returnee_given_trgm")),
    ("reintegration:session_list", "adda", "returns_returnee", ("returnee_case_trgm", "returnee_family_trgm",
                                                               "returnee_given_trgm")),
    ("resettlement:refugee_list", "adda", "resettlement_refugee", ("refugee_family_trgm", "refugee_given_trgm",
                                                                  "file_number_trgm")),
]


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="trigram indexes are PostgreSQL's: SQLite has trigram full-text tables (test below)")
@pytest.mark.parametrize(("name", "term", "table", "indexes"), LIST_SEARCHES)
def test_list_search_inside_words_is_served_by_trigram_indexes(admin_client_logged, name, term, table, indexes):
    assert_search_uses(admin_client_logged, name, term, table, indexes)


SQLITE_LIST_SEARCHES = [
    ("returns:returnee_list", "Haddad", ("returns_returnee_fts",)),
    ("reintegration:session_list", "RVA-2020", ("returns_returnee_fts",)),
    ("resettlement:refugee_list", "Haddad", ("resettlement_refugee_fts", "resettlement_resettlementfile_fts")),
    ("resettlement:file_list", "Haddad", ("resettlement_refugee_fts", "resettlement_resettlementfile_fts")),
]


@pytest.mark.skipif(connection.vendor != "sqlite",
                    reason="trigram full-text tables are SQLite's: PostgreSQL has trigram indexes (test above)")
@pytest.mark.parametrize(("name", "term", "fts_tables"), SQLITE_LIST_SEARCHES)
def test_list_search_inside_words_reads_the_trigram_tables_and_scans_no_table(admin_client_logged, name, term,
                                                                              fts_tables):
    call_command("populate", scale="1", no_progress=True, stdout=io.StringIO())
    with CaptureQueriesContext(connection) as captured:
        response = admin_client_logged.get(reverse(name), {"q": term})
    assert response.status_code == 200
    assert response.context["table"].paginator.count > 0, "the term should find rows, so the page query runs"
    searches = [q["sql"] for q in captured if " MATCH " in q["sql"]]
    assert len(searches) == 2, searches  # the capped count and the page
    for sql in searches:
        plan = explain(sql)
        for fts_table in fts_tables:
            assert re.search(rf"SCAN {fts_table} VIRTUAL TABLE INDEX \d+:M", plan), plan  # M: the MATCH
        # Every other table is read by key; a SCAN (of a table or of a whole index) reads every row.
        scans = [line for line in plan.splitlines() if "'SCAN " in line
                 and "VIRTUAL TABLE" not in line and "'SCAN subquery'" not in line]
        assert not scans, plan
