"""Search that an index can serve, for the admin and the lists, when some fields are on a related model.

Django ORs every search field of a term in one WHERE clause over a join (`r.family_name LIKE … OR
f.file_number LIKE …`; through a reverse relation it also needs DISTINCT). An OR that mixes two tables'
columns cannot be answered from their indexes, so the database scans the whole changelist in order until it
has a page of matches: the slowest admin page at scale (an OR of `IN (subquery)` branches is no better:
neither database turns it into index lookups).

Here a term whose fields are all on one table is a plain condition on it (`returnee_id IN (SELECT id FROM
returnees WHERE …)` for a session's returnee). A term whose fields span tables becomes `id IN (SELECT id …
UNION SELECT …)`, one SELECT per table (`SELECT id FROM refugees WHERE family_name LIKE …`, `SELECT file_id
FROM refugees WHERE …` through a reverse foreign key, `… WHERE file_id IN (SELECT id FROM files WHERE
file_number LIKE …)` through a forward one), each served by that table's indexes, and no row comes twice.
On PostgreSQL, which plans `id IN (… UNION …)` as a join that scans the whole table once the matches are
many, the related keys are an array instead: `family_name LIKE … OR file_id = ANY(ARRAY(SELECT id FROM
files WHERE …))`, all index conditions of one bitmap scan driven by the matches (AnyOfSubquery).
Same matches as Django's search, except through a reverse relation: there each word may match a different
related row (a file is found by "Ali Benali" when one of its refugees is Ali and another Benali), where
Django's needs one related row matching every word.

The admin searches by prefix (`^field`: B-tree indexes on both databases); the lists search inside the
words (`contains`): on PostgreSQL `UPPER(col) LIKE '%term%'`, served by trigram GIN indexes; on SQLite, for
the columns a trigram full-text table covers and terms of three characters or more, `id IN (SELECT rowid
FROM <table>_fts WHERE … MATCH '{col1 col2} : "term"')` (oimsite/core/fts.py, which also says where its matches
differ from LIKE's), and a plain LIKE (a scan) for shorter terms.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Sequence
from functools import reduce
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import F, Lookup, Model, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.utils.text import smart_split, unescape_string_literal

from oimsite.core import fts
from oimsite.lists.order_walk import KeysIn

# Django's prefixes of search_fields and the lookups they stand for ("@" full-text is not used here).
_PREFIX_LOOKUPS = {"^": "istartswith", "=": "iexact"}


def _split(field: str) -> tuple[str, str]:
    """(`path`, `lookup`) of a search field such as "^file__file_number"."""
    lookup = _PREFIX_LOOKUPS.get(field[:1])
    return (field[1:], lookup) if lookup else (field, "icontains")


def _terms(search_term: str) -> list[str]:
    """The search's words, quoted phrases kept whole (as the admin splits them)."""
    terms = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        terms.append(bit)
    return terms


def key_pair(model: type[Model], name: str) -> tuple[str, str] | None:
    """How `model`'s rows meet those of its relation `name` in a subquery: (field here, field there), or
    None when `name` is not a foreign key in either direction (many-to-many)."""
    try:
        field: Any = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if field.is_relation and field.concrete and (field.many_to_one or field.one_to_one):
        return name, "pk"
    if field.is_relation and field.one_to_many:
        return "pk", field.field.name
    return None


def can_search(model: type[Model], search_fields: Sequence[str]) -> bool:
    return all(key_pair(model, path.partition("__")[0]) is not None
               for path, _lookup in map(_split, search_fields) if "__" in path)


def table_condition(vendor: str, model: type[Model], fields: Sequence[tuple[str, str]], term: str) -> Q:
    """`term` in one of `fields` ((path, lookup) on `model`), ORed: the `icontains` fields that a trigram
    table covers are one `pk IN (SELECT rowid … MATCH …)` on SQLite (oimsite/core/fts.py), the rest plain lookups."""
    inside = {_column(model, path): path for path, lookup in fields if lookup == "icontains"}
    served = fts.served_columns(vendor, model, [column for column in inside if column], term)
    condition = fts.contains(model, served, term) if served else Q()
    served_paths = {inside[column] for column in served}
    for path, lookup in fields:
        if not (lookup == "icontains" and path in served_paths):
            condition |= Q(**{f"{path}__{lookup}": term})
    return condition


def _column(model: type[Model], path: str) -> str | None:
    """The column of `model`'s own field `path`, or None for a path through a relation or an unknown name."""
    if "__" in path:
        return None
    try:
        return model._meta.get_field(path).column  # type: ignore[union-attr]
    except FieldDoesNotExist:
        return None


def search(queryset: QuerySet, search_fields: Sequence[str], text: str) -> QuerySet:
    """Rows where every word of `text` matches one of `search_fields` (admin syntax: `^` prefix, `=` exact,
    plain: contains), one index-served SELECT per table (see the module docstring)."""
    model = queryset.model
    fields = [_split(f) for f in search_fields]
    manager = model._default_manager
    vendor = connections[queryset.db].vendor
    local_fields: list[tuple[str, str]] = []
    remote_fields: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for path, lookup in fields:
        relation, _sep, rest = path.partition("__")
        if rest:
            remote_fields[relation].append((rest, lookup))
        else:
            local_fields.append((path, lookup))
    for term in _terms(text):
        local = table_condition(vendor, model, local_fields, term)
        # One condition per table: this one's columns, or `key IN (SELECT … FROM related WHERE …)`.
        conditions = [local] if local else []
        arrays = [local] if local else []
        for relation, related_fields in remote_fields.items():
            related_model = model._meta.get_field(relation).related_model
            condition = table_condition(vendor, related_model, related_fields, term)
            related = related_model._default_manager.filter(condition)
            here, there = key_pair(model, relation)  # type: ignore[misc]
            keys = related.values(there).order_by()
            conditions.append(Q(**{f"{here}__in": keys}))
            arrays.append(Q(AnyOfSubquery(F(here), Subquery(keys))))
        if len(conditions) == 1:
            queryset = queryset.filter(conditions[0])
        elif conditions and vendor == "postgresql":
            # `key = ANY(ARRAY(SELECT …))` is an index condition, computed once: PostgreSQL ORs it with the
            # name indexes in one bitmap scan of this table, driven by the matches whatever the table size.
            queryset = queryset.filter(reduce(operator.or_, arrays))
        elif conditions:  # an OR across tables: a UNION of one index-served SELECT per table instead
            branches = [manager.filter(c).values("pk").order_by() for c in conditions]
            queryset = queryset.filter(KeysIn(F("pk"), Subquery(branches[0].union(*branches[1:]))))
    return queryset


class AnyOfSubquery(Lookup):
    """`column = ANY(ARRAY(subquery))` (PostgreSQL): the subquery's keys as one array, evaluated once.

    Unlike `column IN (subquery)`, which PostgreSQL plans as a join (a hash of the keys probed by a scan of
    the whole table when they are many), the array is an index condition on `column`, so it can be ORed
    with other index conditions in a BitmapOr. Elsewhere it is plain `IN (subquery)`.
    """

    lookup_name = "any_of_subquery"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = compiler.compile(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs_sql} = ANY(ARRAY{rhs_sql})", (*lhs_params, *rhs_params)
        return f"{lhs_sql} IN {rhs_sql}", (*lhs_params, *rhs_params)


class IndexedSearchMixin:
    """For a ModelAdmin whose search_fields reach through foreign keys (either direction)."""

    model: type[Model]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str,
                           ) -> tuple[QuerySet, bool]:
        fields = self.get_search_fields(request)  # type: ignore[attr-defined]
        if not search_term or not any("__" in f for f in fields) or not can_search(self.model, fields):
            return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]
        return search(queryset, fields, search_term), False
