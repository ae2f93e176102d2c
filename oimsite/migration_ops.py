"""Migration operations that only apply on PostgreSQL (the suite and development also run on SQLite)."""

from __future__ import annotations

from django.db import migrations


def upper_prefix_indexes(*specs: tuple[str, str, str]) -> migrations.RunPython:
    """Indexes on UPPER(column) with text_pattern_ops, for the admin's `^field` (istartswith) searches.

    Django writes `UPPER("col"::text) LIKE UPPER('abc%')`; PostgreSQL serves that from such an index
    whatever the database collation. Each spec is (index name, table, column). No-op on other databases.
    """

    def create(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, table, column in specs:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" (UPPER("{column}"::text) text_pattern_ops)'
            )

    def drop(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, _table, _column in specs:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(create, drop, elidable=False)


def nocase_prefix_indexes(*specs: tuple[str, str, str]) -> migrations.RunPython:
    """The same searches on SQLite: indexes on `column COLLATE NOCASE`.

    Django writes `"col" LIKE 'abc%' ESCAPE '\\'` for istartswith on SQLite, a case-insensitive LIKE that
    SQLite serves from an index only when that index uses the NOCASE collation (the LIKE optimization).
    Each spec is (index name, table, column). No-op on other databases.
    """

    def create(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        for name, table, column in specs:
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}" COLLATE NOCASE)')

    def drop(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        for name, _table, _column in specs:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(create, drop, elidable=False)
