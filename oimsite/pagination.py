"""Counting for pages over large tables without a full COUNT(*) on each load."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Up to this many rows a page count is exact; beyond it PostgreSQL's planner estimate is used.
EXACT_UP_TO = 1000


def planner_estimate(queryset: QuerySet) -> int | None:
    """The number of rows PostgreSQL's planner expects the query to return (None on other databases).

    Unfiltered, this is pg_class.reltuples scaled to the table's current size; filtered, the planner's
    selectivity estimate. Cheap (planning only) and usually within a few per cent on these tables.
    """
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """Exact counts for small results, the planner's estimate for large ones on PostgreSQL.

    On PostgreSQL the count costs two bounded queries whatever the data size: a count capped at
    EXACT_UP_TO rows (an index range of at most that many rows), and an EXPLAIN. Elsewhere (SQLite, the
    development database) it falls back to the exact count, in one query.
    """

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or connections[queryset.db].vendor != "postgresql":
            return super().count
        estimate = planner_estimate(queryset) or 0
        capped = queryset.order_by().values("pk")[: EXACT_UP_TO + 1].count()
        if capped <= EXACT_UP_TO:
            return capped
        return max(estimate, capped)
