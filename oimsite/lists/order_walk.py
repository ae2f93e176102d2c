"""SQLite: the page of a search that matches many rows, read by walking the list's order.

A search on SQLite is `id IN (<matches>)`: the trigram table's rowids (oimsite/core/fts.py), or a UNION of
index-served SELECTs (oimsite/lists/search.py). SQLite always drives from that list: it reads every matching row
by its key, then sorts them all for a page of 50. That costs what the matches number: 17 ms for a name
shared by 10,000 returnees at ×100, against 0.5 ms at ×1. PostgreSQL chooses between the two plans from
its statistics; SQLite has none.

When the paginator has counted more matches than its cap, they are dense in the table, and walking the
list's order index while keeping the rows whose key is in the list finds a page after about
`page size × rows / matches` index entries, whatever the table size. `in_order()` marks a page's query
for that plan: its `KeysIn` conditions are then written `+id IN (…)`, a form SQLite cannot look keys up
by, so it walks the ordering index and tests each key against the list (built once). A search that
matches few rows keeps the plain form, where driving from the matches is the better plan.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Lookup, QuerySet

# The attribute on a Query that asks for the walk (Query.clone() copies it to the query's clones).
_WALK = "oimsite_walk_in_order"


class KeysIn(Lookup):
    """`key IN (subquery)` (a RawSQL or Subquery of keys), which a query marked by `in_order()` writes so
    that SQLite walks the query's order instead of looking each key up (`+key IN …`)."""

    lookup_name = "keys_in"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = compiler.compile(self.rhs)
        if connection.vendor == "sqlite" and getattr(compiler.query, _WALK, False):
            lhs_sql = f"+{lhs_sql}"
        return f"{lhs_sql} IN {rhs_sql}", (*lhs_params, *rhs_params)


def in_order(queryset: QuerySet) -> QuerySet:
    """The queryset, its `KeysIn` conditions written for a walk in its order (SQLite; no effect elsewhere)."""
    queryset = queryset.all()
    setattr(queryset.query, _WALK, True)
    return queryset
