"""Search for the lists and the admin: case- and accent-insensitive, the same condition on both databases.

A searched column and the searched word both go through one SQL function, `search_fold(text)`: the text
without its accents, in capital letters ("Koné" → "KONE"). So "kone" finds "Koné" and "benali" finds
"BENALI", on SQLite and PostgreSQL alike, the same rows on both:
`search_fold(col) LIKE '%' || search_fold('kone') || '%'` for the lists (inside words), the same with a
trailing `%` only for the admin's prefix search (`^field`), `=` for `=field` (SQLite writes it its own way,
below). Arabic is folded as search
engines fold it (its vowel marks dropped, the forms of alef read as one…: see `fold`).

- PostgreSQL: `search_fold` is a SQL function over the `unaccent` extension, created by the migration
  `lists/0001_search_fold`; it is declared IMMUTABLE so that indexes can be built on `search_fold(col)`
  (GIN trigram indexes for the search inside words, B-tree `text_pattern_ops` for the prefix search: see
  the searched apps' `search_fold_indexes` migrations).
- SQLite: `search_fold` is `fold()` below, registered on every new connection (`register_search_fold`,
  connected to `connection_created` by the app). It is deterministic, so SQLite computes the word's side
  once per query. SQLite has no index to serve the search inside words and reads the table (it serves one
  office); to read it without calling Python on every row, each searched column has a stored folded twin
  (`FoldedField`), which the search compares with the folded word: `instr(twin, word) > 0` inside words,
  `substr(twin, 1, n) = word` for a prefix, `twin = word` (`FoldedMatch`). A column without a twin keeps
  `search_fold(col)`, answered by SQLite itself for the rows of ASCII text and of Arabic letters.

A searched column's twin is declared on its model as `<column>_folded = FoldedField("<column>")`, a
`GeneratedField` (`search_fold(column)`, stored): the database computes it on every write, whoever writes
(`save()`, `QuerySet.update()`, `bulk_create()`, `loaddata`, raw SQL through Django's connection), and
nobody else may (it is not editable, not serialized, and is kept out of the history: list it in the model's
`HistoricalRecords(excluded_fields=…)`). On PostgreSQL the twin is kept too but not read: the indexes on
`search_fold(col)` serve the search. Because SQLite calls `search_fold` to write a table with a twin, a
connection without the function (the `sqlite3` command-line shell) can read those tables (`.dump`,
`.backup`) but no longer insert or update their rows, nor VACUUM the database: Django's connections can.

A word may be found in a related table (a session by its returnee's name, a file by one of its refugees):
such a condition is `key IN (SELECT … FROM related WHERE …)` (on PostgreSQL `key = ANY(ARRAY(SELECT …))`, an
index condition that can be ORed with the trigram indexes in one bitmap scan), never a join, so no row
comes twice. Through a reverse relation each word may match a different related row (a file is found by
"Ali Benali" when one of its refugees is Ali and another Benali).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Field, Func, GeneratedField, Lookup, Model, Q, QuerySet, Subquery, TextField, Value
from django.db.models.lookups import Contains, Exact, IContains, IExact, IStartsWith, StartsWith
from django.http import HttpRequest
from django.utils.text import smart_split, unescape_string_literal

# Django's prefixes of search_fields and the lookups they stand for ("@" full-text is not used here).
_PREFIX_LOOKUPS: dict[str, type[Lookup]] = {"^": StartsWith, "=": Exact}

# Letters that have no decomposition but that PostgreSQL's unaccent rules still map to plain letters.
_UNACCENT_EXTRA = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
                                 "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ı": "i", "þ": "th", "Þ": "TH"})


# Arabic, as search engines fold it (Lucene's ArabicNormalizer): the short vowels and other marks and the
# tatweel (kashida) dropped, the hamza forms of alef and alef wasla read as alef, alef maqsura as ya, ta
# marbuta as ha; waw and ya with hamza as waw and ya. "احمد" finds "أحمد", "فاطمه" finds "فاطمة", "محمد" finds
# "مُحَمَّد". PostgreSQL's search_fold does the same (lists/0002_search_fold_arabic).
ARABIC_MARKS = "\u0640\u064b-\u065f\u0670"
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ى": "ي", "ة": "ه"})
_ARABIC_MARKS = re.compile(f"[{ARABIC_MARKS}]")


def fold(value: str | None) -> str | None:
    """`value` without its accents, in capital letters: SQLite's `search_fold` (PostgreSQL has its own)."""
    if value is None:
        return None
    if value.isascii():
        return value.upper()
    decomposed = unicodedata.normalize("NFKD", value.translate(_UNACCENT_EXTRA))
    folded = "".join(char for char in decomposed if not unicodedata.combining(char)).upper()
    return _ARABIC_MARKS.sub("", folded).translate(_ARABIC_LETTERS)


def register_search_fold(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """`connection_created` receiver: SQLite's `search_fold` on each new connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("search_fold", 1, fold, deterministic=True)


class SearchFold(Func):
    """`search_fold(expression)`: the text without accents, in capitals (see the module docstring)."""

    function = "search_fold"
    output_field = TextField()


class FoldedField(GeneratedField):
    """`search_fold(source)`, stored: the folded twin of the searched column `source`, which the database
    keeps on every write (see the module docstring). Declared as `<source>_folded = FoldedField("<source>")`.
    As for any generated field, an instance saved keeps the twin it was loaded with until it is read again."""

    def __init__(self, source: str, **kwargs: Any) -> None:
        self.source = source
        # Not null (the searched columns are not): SQLite then adds the column by rebuilding the table, as it
        # must for a stored generated column once the table has rows (ALTER TABLE ADD COLUMN refuses it).
        kwargs.update(expression=SearchFold(F(source)), output_field=TextField(), db_persist=True,
                      serialize=False)
        super().__init__(**kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, _args, _kwargs = super().deconstruct()
        return name, path, [self.source], {}


def folded_twin(field: Any) -> Field | None:
    """The stored folded twin (`FoldedField`) of the model field `field`, if its model declares one."""
    model = getattr(field, "model", None)
    return _folded_twins(model).get(field.name) if model is not None else None


@functools.cache
def _folded_twins(model: type[Model]) -> dict[str, FoldedField]:
    return {twin.source: twin for twin in model._meta.concrete_fields if isinstance(twin, FoldedField)}


def _split(field: str) -> tuple[str, type[Lookup]]:
    """(`path`, lookup class) of a search field such as "^file__file_number"."""
    lookup = _PREFIX_LOOKUPS.get(field[:1])
    return (field[1:], lookup) if lookup else (field, Contains)


def _terms(search_term: str) -> list[str]:
    """The search's words, quoted phrases kept whole (as the admin splits them)."""
    terms = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        terms.append(bit)
    return terms


# On SQLite, the native test that stands for the folded one on a row of ASCII text only (LIKE ignores the case
# of ASCII letters, and there `fold` is `upper`).
_NATIVE_LOOKUPS: dict[type[Lookup], type[Lookup]] = {Contains: IContains, StartsWith: IStartsWith, Exact: IExact}
# A GLOB pattern: a character that is neither a space nor of the Arabic block.
_NOT_ARABIC_GLOB = "*[^ \u0600-\u06ff]*"


class FoldedMatch(Lookup):
    """`search_fold(column)` matches `search_fold(term)` by a Contains, StartsWith or Exact lookup.

    PostgreSQL runs exactly that condition (its indexes are on `search_fold(column)`). SQLite has no such
    index and would call the Python `fold` on every row it scans: it compares the column's stored twin
    (`FoldedField`) with the folded word instead. For a column without a twin, and a word whose folded form
    is ASCII, it first asks what SQLite answers by itself: a row of ASCII text matches iff LIKE matches; a
    row of Arabic letters and spaces cannot hold a Latin letter or digit; only the other rows (a name with an
    accent) go through `fold`. The rows found are the same (tested on generated text).
    """

    lookup_name = "folded_match"
    prepare_rhs = False

    def __init__(self, lhs: Any, rhs: str, kind: type[Lookup] = Contains) -> None:
        self.kind = kind
        super().__init__(lhs, rhs)

    @property
    def identity(self) -> tuple[Any, ...]:
        return (*super().identity, self.kind)

    def _folded(self) -> Lookup:
        return self.kind(SearchFold(self.lhs), SearchFold(Value(self.rhs)))

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        return compiler.compile(self._folded())

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        folded_term = fold(self.rhs) or ""
        twin = folded_twin(getattr(self.lhs, "target", None))
        if twin is not None:
            # Plain string functions: LIKE would also ignore the case of ASCII letters and read % and _.
            twin_sql, twin_params = compiler.compile(twin.get_col(self.lhs.alias))
            if self.kind is Contains:
                return f"instr({twin_sql}, %s) > 0", (*twin_params, folded_term)
            if self.kind is StartsWith:
                return f"substr({twin_sql}, 1, %s) = %s", (*twin_params, len(folded_term), folded_term)
            return f"{twin_sql} = %s", (*twin_params, folded_term)
        if not folded_term.isascii():
            return self.as_sql(compiler, connection)
        native_sql, native_params = compiler.compile(_NATIVE_LOOKUPS[self.kind](self.lhs, folded_term))
        column_sql, column_params = compiler.compile(self.lhs)
        folded_sql, folded_params = self.as_sql(compiler, connection)
        # A character outside ASCII takes more than one byte (stored text holds no NUL).
        guards = [f"length({column_sql}) <> length(CAST({column_sql} AS BLOB))"]
        guard_params: list[Any] = [*column_params, *column_params]
        if folded_term.strip():
            guards.append(f"{column_sql} GLOB %s")
            guard_params += [*column_params, _NOT_ARABIC_GLOB]
        sql = f"({native_sql} OR ({' AND '.join(guards)} AND {folded_sql}))"
        return sql, (*native_params, *guard_params, *folded_params)


def matches(path: str, lookup: type[Lookup], term: str) -> Q:
    """The rows whose `path` matches `term` by `lookup` (Contains, StartsWith or Exact), accents and case
    aside."""
    return Q(FoldedMatch(F(path), term, lookup))


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


class AnyOfSubquery(Lookup):
    """`column IN (subquery)`; on PostgreSQL `column = ANY(ARRAY(subquery))`, the keys as one array.

    PostgreSQL plans `IN (subquery)` as a join (a hash of the keys probed by a scan of the whole table when
    they are many); the array is an index condition on `column`, evaluated once, that can be ORed with
    other index conditions in one bitmap scan.
    """

    lookup_name = "any_of_subquery"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = compiler.compile(self.rhs)
        return f"{lhs_sql} IN {rhs_sql}", (*lhs_params, *rhs_params)

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = compiler.compile(self.rhs)
        return f"{lhs_sql} = ANY(ARRAY{rhs_sql})", (*lhs_params, *rhs_params)


def search(queryset: QuerySet, search_fields: Sequence[str], text: str) -> QuerySet:
    """Rows where every word of `text` matches one of `search_fields` (admin syntax: `^` prefix, `=` exact,
    plain: contains), accents and case aside, one condition per table (see the module docstring)."""
    model = queryset.model
    local_fields: list[tuple[str, type[Lookup]]] = []
    remote_fields: dict[str, list[tuple[str, type[Lookup]]]] = defaultdict(list)
    for path, lookup in map(_split, search_fields):
        relation, _sep, rest = path.partition("__")
        if rest:
            remote_fields[relation].append((rest, lookup))
        else:
            local_fields.append((path, lookup))
    for term in _terms(text):
        condition = Q()
        for path, lookup in local_fields:
            condition |= matches(path, lookup, term)
        for relation, related_fields in remote_fields.items():
            related_model = model._meta.get_field(relation).related_model
            related = Q()
            for path, lookup in related_fields:
                related |= matches(path, lookup, term)
            here, there = key_pair(model, relation)  # type: ignore[misc]
            keys = related_model._default_manager.filter(related).values(there).order_by()
            condition |= Q(AnyOfSubquery(F(here), Subquery(keys)))
        queryset = queryset.filter(condition)
    return queryset


class IndexedSearchMixin:
    """For a ModelAdmin: its search_fields searched as the lists search (accents and case aside, related
    fields through subqueries); search_fields through a many-to-many relation keep Django's search."""

    model: type[Model]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str,
                           ) -> tuple[QuerySet, bool]:
        fields = self.get_search_fields(request)  # type: ignore[attr-defined]
        if not search_term or not fields or not can_search(self.model, fields):
            return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]
        return search(queryset, fields, search_term), False
