"""Counting for pages over large tables without a full COUNT(*) on each load."""

from __future__ import annotations

import json
from collections.abc import Sequence
from math import ceil
from typing import Any

from django.core.paginator import EmptyPage, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Lists and changelist totals count exactly up to this many rows; beyond it they say "more than" (lists) or
# show an estimate (admin changelists). A filtered count (a year's returns, a drill-down from the dashboard)
# stays well under it.
COUNT_CAP = 10_000
# A searched list counts up to this many: a name or a number is searched to find someone, and a word shared
# by more people asks for a narrower search. Matches are read one by one (rechecked against the trigram
# index's candidates), so this keeps a search's count as cheap as its first page whatever the table size.
SEARCH_COUNT_CAP = 1_000


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


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> int:
    """The number of rows, counted over at most cap + 1 of them (> cap means "more than cap").

    One query, `SELECT COUNT(*) FROM (SELECT id … LIMIT cap + 1)`: its cost is bounded by the cap
    whatever the table size, unlike a COUNT(*) over the whole filtered set.
    """
    return queryset.order_by().values("pk")[: cap + 1].count()


class EstimatedCountPaginator(Paginator):
    """The admin's paginator: exact counts up to `cap` rows; beyond, the planner's estimate (PostgreSQL) or
    the exact count (SQLite).

    The first query counts at most cap + 1 rows (`capped`, bounded at any table size). Only beyond the cap
    is a second one made: an EXPLAIN on PostgreSQL, a COUNT(*) on SQLite, the development database. The
    admin's totals need their own query only at or under the cap (CaseAdmin), so a changelist makes the
    same number of queries on either side of it.
    """

    def __init__(self, *args: Any, cap: int = COUNT_CAP, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cap = cap

    @cached_property
    def capped(self) -> int:
        """The number of rows, counted over at most cap + 1 of them (> cap means "more than cap")."""
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return len(queryset)
        return capped_count(queryset, self.cap)

    @cached_property
    def count(self) -> int:
        if self.capped <= self.cap:
            return self.capped
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or connections[queryset.db].vendor != "postgresql":
            return super().count
        return max(planner_estimate(queryset) or 0, self.capped)


class BeyondCapError(EmptyPage):
    """A page past the first `cap` rows of a list too long to count."""

    def __init__(self, cap: int) -> None:
        super().__init__(str(cap))
        self.cap = cap


class CappedPaginator(Paginator):
    """The lists' paginator (django-tables2's `paginator_class`): counts at most `cap` + 1 rows and pages
    through the first `cap` only.

    django-tables2 pages its rows, whose length is a full COUNT(*): the view passes the queryset behind them
    as `queryset` (a paginator argument, through `get_table_pagination`), and that is what is counted.
    Deep pages are bounded: an OFFSET grows linearly with the page number, so past `cap` rows the list asks
    for a narrower filter instead (BeyondCapError), the same limit as the count shown. The cap is COUNT_CAP,
    or SEARCH_COUNT_CAP for a searched list.
    """

    cap = COUNT_CAP

    def __init__(self, object_list: Sequence[Any], per_page: int, *args: Any, cap: int | None = None,
                 queryset: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, *args, **kwargs)
        if cap is not None:
            self.cap = cap
        self.queryset = queryset

    @cached_property
    def count(self) -> int:
        if self.queryset is not None:
            return capped_count(self.queryset, self.cap)
        return super().count

    @property
    def more_than_cap(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        hits = max(1, min(self.count, self.cap) - self.orphans)
        return ceil(hits / self.per_page)

    def validate_number(self, number: int | float | str) -> int:
        try:
            return super().validate_number(number)
        except EmptyPage:
            if self.more_than_cap:
                raise BeyondCapError(self.cap) from None
            raise
