"""SQLite: trigram full-text tables that serve the lists' search inside words (`icontains`).

PostgreSQL serves `UPPER(col) LIKE '%term%'` from trigram GIN indexes; SQLite has no index for a LIKE
that starts with `%` and scans the table. Its FTS5 extension has a `trigram` tokenizer (SQLite ≥ 3.34):
every three consecutive characters of a value are a token, so a quoted phrase of three characters or more
matches exactly the values that contain it, case-insensitively. `oimsite.lists.search` asks such a table for the
matching rowids (`id IN (SELECT rowid FROM t_fts WHERE t_fts MATCH '{col1 col2} : "term"')`) instead of
writing `col1 LIKE … OR col2 LIKE …`.

Each table is external-content (`content=` the model's table, `content_rowid=` its integer key): it holds
only the index, not a second copy of the text (nor the value sizes, `columnsize=0`, which only ranking
uses). Triggers on the model's table keep it in step with every INSERT, UPDATE and DELETE, whether it
comes from `save()`, `bulk_create`, `QuerySet.update`, a flush or raw SQL. The tables are created by
migrations (`migration_ops.sqlite_trigram_search`); TRIGRAM_SEARCH says which columns they cover, for the
search. At ×100 they take 48 MB of a 378 MB database, and rebuilding all three takes a few seconds.

Django's SQLite schema editor rebuilds a table for most column changes (create a copy, drop the old, rename),
and dropping a table drops its triggers while the index stays: after such a migration the index would
silently go stale. `repair()` runs after every `migrate` (post_migrate): where an index exists but a
trigger is missing, it recreates the triggers and rebuilds the index from the table.

Same matches as Django's `icontains` on SQLite (`LIKE '%term%' ESCAPE '\\'`: `%` and `_` are literal
there, and literal in a phrase here), with one difference: SQLite's LIKE folds the case of ASCII letters
only, the trigram tokenizer folds non-ASCII letters too, so "élodie" also finds "ÉLODIE" (as PostgreSQL's
`UPPER(…)` does). Terms shorter than three characters have no trigram and keep the plain LIKE.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, IntegerField, Model, Q
from django.db.models.expressions import RawSQL

from oimsite.lists.order_walk import KeysIn

# A trigram index matches terms of at least this many characters; shorter ones match nothing in it.
MIN_TERM_LENGTH = 3

# Model table → the columns its trigram table covers (the same as its migration's).
TRIGRAM_SEARCH: dict[str, tuple[str, ...]] = {
    "returns_returnee": ("case_number", "family_name", "given_name"),
    "resettlement_resettlementfile": ("file_number",),
    "resettlement_refugee": ("family_name", "given_name"),
}


def index_name(table: str) -> str:
    return f"{table}_fts"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _trigger_statements(table: str, columns: Sequence[str], key: str) -> list[str]:
    """The external-content triggers of the SQLite FTS5 documentation, for `table` (key column `key`)."""
    fts = _quote(index_name(table))
    cols = ", ".join(map(_quote, columns))
    new = ", ".join(f"new.{_quote(c)}" for c in (key, *columns))
    old = ", ".join(f"old.{_quote(c)}" for c in (key, *columns))
    insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES ({new});"
    delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', {old});"
    # Django's save() writes every column: only a change of the key or an indexed column touches the index.
    changed = " OR ".join(f"old.{_quote(c)} IS NOT new.{_quote(c)}" for c in (key, *columns))
    name = table + "_fts_"
    return [
        f"CREATE TRIGGER IF NOT EXISTS {_quote(name + 'ai')} AFTER INSERT ON {_quote(table)} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {_quote(name + 'ad')} AFTER DELETE ON {_quote(table)} BEGIN {delete} END",
        f"CREATE TRIGGER IF NOT EXISTS {_quote(name + 'au')} AFTER UPDATE ON {_quote(table)} WHEN {changed} "
        f"BEGIN {delete} {insert} END",
    ]


def trigger_names(table: str) -> tuple[str, ...]:
    return tuple(f"{table}_fts_{suffix}" for suffix in ("ai", "ad", "au"))


def create(cursor: Any, table: str, columns: Sequence[str], key: str = "id") -> None:
    """Create the trigram table of `table` over `columns`, its triggers, and index the rows already there."""
    fts = _quote(index_name(table))
    try:
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({', '.join(map(_quote, columns))}, "
            f"content={_quote(table)}, content_rowid={_quote(key)}, tokenize='trigram', columnsize=0)")
    except (OperationalError, sqlite3.OperationalError) as error:
        raise ImproperlyConfigured(
            f"SQLite {sqlite3.sqlite_version} cannot create a full-text table with the trigram tokenizer ({error}): "
            "the lists' search needs SQLite 3.34 or later built with FTS5, as Python's own builds are."
        ) from error
    for statement in _trigger_statements(table, columns, key):
        cursor.execute(statement)
    cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def drop(cursor: Any, table: str) -> None:
    for name in trigger_names(table):
        cursor.execute(f"DROP TRIGGER IF EXISTS {_quote(name)}")
    cursor.execute(f"DROP TABLE IF EXISTS {_quote(index_name(table))}")


def repair(connection: BaseDatabaseWrapper, indexes: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """Recreate the missing triggers of the trigram tables that exist, and rebuild those tables from their
    content; returns the tables repaired. A no-op on other databases and where nothing is missing."""
    if connection.vendor != "sqlite":
        return []
    indexes = TRIGRAM_SEARCH if indexes is None else indexes
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = set(cursor.fetchall())
        repaired = []
        for table, columns in indexes.items():
            if ("table", index_name(table)) not in present:
                continue  # not migrated yet (or migrated back): nothing to keep in step
            if all(("trigger", name) in present for name in trigger_names(table)):
                continue
            for statement in _trigger_statements(table, columns, "id"):
                cursor.execute(statement)
            fts = _quote(index_name(table))
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
            repaired.append(table)
    return repaired


@contextlib.contextmanager
def deferred_indexing(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """For a bulk load on SQLite: the trigram tables' triggers dropped for the duration, then the tables
    rebuilt from their content in one pass (`repair`), also when the load fails or is interrupted.

    Per-row triggers doubled `populate`'s time at ×100 (53 s → 96 s); a rebuild of all three tables takes
    seconds. Rows written meanwhile by other connections are indexed by the rebuild. If the process is
    killed outright, the next `migrate` restores the triggers (post_migrate). A no-op on other databases.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        for table in TRIGRAM_SEARCH:
            for name in trigger_names(table):
                cursor.execute(f"DROP TRIGGER IF EXISTS {_quote(name)}")
    try:
        yield
    finally:
        repair(connection)


def phrase(term: str) -> str:
    """`term` as an FTS5 string: every character literal, double quotes doubled."""
    return '"' + term.replace('"', '""') + '"'


def served_columns(vendor: str, model: type[Model], columns: Iterable[str], term: str) -> list[str]:
    """Which of `columns` (of `model`'s table) a trigram table can search for `term`: none unless on
    SQLite and the term has a trigram."""
    if vendor != "sqlite" or len(term) < MIN_TERM_LENGTH or model._meta.pk.column != "id":
        return []
    covered = TRIGRAM_SEARCH.get(model._meta.db_table, ())
    return [column for column in columns if column in covered]


def contains(model: type[Model], columns: Sequence[str], term: str) -> Q:
    """Rows of `model` where one of `columns` contains `term` (see the module docstring), as
    `pk IN (SELECT rowid FROM <trigram table> WHERE … MATCH …)` (a KeysIn: see oimsite/lists/order_walk.py)."""
    fts = _quote(index_name(model._meta.db_table))
    query = "{" + " ".join(phrase(c) for c in columns) + "} : " + phrase(term)
    rowids = RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", (query,), output_field=IntegerField())
    return Q(KeysIn(F("pk"), rowids))
