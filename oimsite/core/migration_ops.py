"""Migration operations for indexes that only one database can have (the suite and development run on
SQLite, production on PostgreSQL): the admin's prefix searches on both, the lists' search inside words by
trigram GIN indexes on PostgreSQL and by trigram full-text tables on SQLite."""

from __future__ import annotations

from django.db import migrations

from oimsite.core import fts


def _vendor_indexes(vendor: str, create_sql: str, specs: tuple[tuple[str, str, str], ...]) -> migrations.RunPython:
    """CREATE (forwards) / DROP (backwards) the indexes of `specs` — (index name, table, column) — with
    `create_sql` formatted by name, table and column, on `vendor` only; a no-op on other databases."""

    def create(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == vendor:
            for name, table, column in specs:
                schema_editor.execute(create_sql.format(name=name, table=table, column=column))

    def drop(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == vendor:
            for name, _table, _column in specs:
                schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(create, drop, elidable=False)


def upper_prefix_indexes(*specs: tuple[str, str, str]) -> migrations.RunPython:
    """PostgreSQL: indexes on UPPER(column) with text_pattern_ops, for the admin's `^field` (istartswith).

    Django writes `UPPER("col"::text) LIKE UPPER('abc%')`; PostgreSQL serves that from such an index
    whatever the database collation.
    """
    return _vendor_indexes(
        "postgresql", 'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" (UPPER("{column}"::text) text_pattern_ops)',
        specs)


def nocase_prefix_indexes(*specs: tuple[str, str, str]) -> migrations.RunPython:
    """SQLite: indexes on `column COLLATE NOCASE`, for the same searches.

    Django writes `"col" LIKE 'abc%' ESCAPE '\\'` for istartswith on SQLite, a case-insensitive LIKE that
    SQLite serves from an index only when that index uses the NOCASE collation (the LIKE optimization).
    """
    return _vendor_indexes("sqlite", 'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}" COLLATE NOCASE)',
                           specs)


def trigram_indexes(*specs: tuple[str, str, str]) -> migrations.RunPython:
    """PostgreSQL: trigram indexes on UPPER(column), for the lists' search inside words (icontains).

    Django writes `UPPER("col"::text) LIKE UPPER('%abc%')`; a GIN index with gin_trgm_ops on the same
    expression serves it (terms of three characters or more). Needs the pg_trgm extension
    (TrigramExtension, before these in the migration).
    """
    return _vendor_indexes(
        "postgresql",
        'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (UPPER("{column}"::text) gin_trgm_ops)', specs)


def gin_small_pending_list(*names: str) -> migrations.RunPython:
    """PostgreSQL: the GIN indexes `names` with a pending list of 64 kB (the minimum) instead of 4 MB, merged now.

    New entries of a GIN index wait in an unsorted pending list that every search reads in full, until
    VACUUM or gin_pending_list_limit (4 MB by default) merges it: after the x100 load the lists' search read
    400-500 pending pages per trigram index, 15-40 ms per index and per query, against 1.5-2 ms once merged.
    At 64 kB a search reads at most 8 pending pages. Writes still go through the list in batches: a bulk
    load of 100,000 rows into three such indexes took 8 s, against 3 s at 4 MB and 37 s with no pending list
    at all (fastupdate off), measured on a loaded machine.
    """

    def forwards(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for name in names:
                schema_editor.execute(f'ALTER INDEX IF EXISTS "{name}" SET (gin_pending_list_limit = 64)')
                # A smaller limit applies from the next write: merge what is already pending now.
                schema_editor.execute(f"SELECT gin_clean_pending_list('\"{name}\"'::regclass) "
                                      f"WHERE to_regclass('\"{name}\"') IS NOT NULL")

    def backwards(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for name in names:
                schema_editor.execute(f'ALTER INDEX IF EXISTS "{name}" RESET (gin_pending_list_limit)')

    return migrations.RunPython(forwards, backwards, elidable=False)


def sqlite_trigram_search(*specs: tuple[str, tuple[str, ...]]) -> migrations.RunPython:
    """SQLite: a trigram full-text table (FTS5) per (table, columns) of `specs`, kept in step by triggers and
    filled from the rows already there, for the lists' search inside words (see oimsite/core/fts.py). Backwards:
    dropped. A no-op on PostgreSQL, whose trigram indexes serve the same search."""

    def create(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "sqlite":
            with schema_editor.connection.cursor() as cursor:
                for table, columns in specs:
                    fts.create(cursor, table, columns)

    def drop(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "sqlite":
            with schema_editor.connection.cursor() as cursor:
                for table, _columns in specs:
                    fts.drop(cursor, table)

    return migrations.RunPython(create, drop, elidable=False)
