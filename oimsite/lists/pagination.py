"""Counting for pages over large tables without a full COUNT(*) on each load."""

from __future__ import annotations

import json
from math import ceil
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django_tables2.rows import BoundRows

from oimsite.lists.order_walk import in_order

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


class EstimatedCountPaginator(Paginator):
    """Exact counts up to `cap` rows; beyond, the planner's estimate (PostgreSQL) or the exact count (SQLite).

    The first query counts at most cap + 1 rows (`capped`, bounded at any table size). Only beyond the cap
    is a second one made: an EXPLAIN on PostgreSQL, a COUNT(*) on SQLite, the development database. The
    admin's totals need their own query only at or under the cap (CaseAdmin), so a changelist makes the
    same number of queries on either side of it.
    """

    def __init__(self, *args: Any, cap: int = COUNT_CAP, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cap = cap

    def page(self, number: int | float | str) -> Page:
        # More rows than the cap: dense enough for SQLite to find the page by walking the order
        # (oimsite/lists/order_walk.py). The count is already made, on the queryset as it was.
        if isinstance(self.object_list, QuerySet) and self.capped > self.cap:
            self.object_list = in_order(self.object_list)
        return super().page(number)

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


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> int:
    """The number of rows, counted over at most cap + 1 of them (> cap means "more than cap").

    One query, `SELECT COUNT(*) FROM (SELECT id … LIMIT cap + 1)`: its cost is bounded by the cap
    whatever the table size, unlike a COUNT(*) over the whole filtered set.
    """
    return queryset.order_by().values("pk")[: cap + 1].count()


def total_order(queryset: QuerySet) -> QuerySet:
    """The queryset in its own order, with the primary key appended unless a unique field already decides.

    Sorted on a column with ties (sessions by date), a page's rows are otherwise whatever the plan yields:
    two pages may show a row twice and skip another. The key follows the first column's direction, so an
    index on (column, id) serves the order in both directions (as the admin's changelists do with -pk).
    """
    ordering = list(queryset.query.order_by or (queryset.query.get_meta().ordering
                                                if queryset.query.default_ordering else []))
    if not ordering:
        return queryset
    opts = queryset.model._meta
    for item in ordering:
        name = item.lstrip("-") if isinstance(item, str) else None
        if name in ("pk", opts.pk.name):
            return queryset
        if name and "__" not in name:
            try:
                if opts.get_field(name).unique:
                    return queryset
            except FieldDoesNotExist:
                pass
    first = ordering[0]
    descending = first.startswith("-") if isinstance(first, str) else getattr(first, "descending", False)
    return queryset.order_by(*ordering, "-pk" if descending else "pk")


def page_rows(queryset: QuerySet, bottom: int, top: int, *, dense: bool = False) -> QuerySet:
    """Rows bottom..top of the queryset (in total_order). Past the first page, a deferred join: the page's
    keys are picked by `id IN (SELECT id … ORDER BY … LIMIT … OFFSET …)`, which walks only the ordering's
    index (no join, no computed column for the skipped rows), and only the page's rows are then read,
    joined and annotated. The OFFSET costs index entries instead of whole joined rows. `dense`: the
    queryset has more rows than a paginator's cap, so SQLite walks the order for a search's page too
    (oimsite/lists/order_walk.py).
    """
    ordered = total_order(queryset)
    if dense:
        ordered = in_order(ordered)
    if bottom == 0:
        return ordered[:top]
    keys = ordered.values("pk")[bottom:top]
    return ordered.filter(pk__in=keys)


class BeyondCapError(EmptyPage):
    """A page past the first `cap` rows of a list too long to count."""

    def __init__(self, cap: int) -> None:
        super().__init__(str(cap))
        self.cap = cap


class CappedPaginator(Paginator):
    """A paginator that counts at most `cap` + 1 rows and pages through the first `cap` only.

    Deep pages are bounded: an OFFSET grows linearly with the page number, so past `cap` rows the list
    asks for a narrower filter instead (BeyondCapError) — the same limit as the count shown. The cap is
    COUNT_CAP, or SEARCH_COUNT_CAP for a searched list.
    """

    cap = COUNT_CAP

    def __init__(self, *args: Any, cap: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if cap is not None:
            self.cap = cap

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            # django-tables2 paginates its BoundRows, whose len() is a full COUNT: count the queryset
            # behind them (rows.data is the TableData, rows.data.data the ordered QuerySet).
            queryset = getattr(getattr(self.object_list, "data", None), "data", None)
        if isinstance(queryset, QuerySet):
            return capped_count(queryset, self.cap)
        return len(self.object_list)

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

    def page(self, number: int | float | str) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        data = getattr(getattr(rows, "data", None), "data", None)
        dense = self.more_than_cap
        if isinstance(rows, BoundRows) and isinstance(data, QuerySet) and not data.query.is_sliced:
            page = BoundRows(data=page_rows(data, bottom, top, dense=dense), table=rows.table,
                             pinned_data=rows.pinned_data)
            return self._get_page(page, number, self)
        if isinstance(rows, QuerySet) and not rows.query.is_sliced:
            return self._get_page(page_rows(rows, bottom, top, dense=dense), number, self)
        return self._get_page(rows[bottom:top], number, self)
