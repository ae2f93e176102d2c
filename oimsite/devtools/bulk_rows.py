"""Writing many rows fast, for `populate`: rows as tuples of database values, ids reserved up front.

`bulk_create` builds a model instance per row and compiles an INSERT that converts every value of every
row through its field: at ×100 that is most of `populate`'s time. Here each template record is converted
once (`Table.row`), a copy changes only the few values it moves (ids, numbers, dates), and the rows go in by
PostgreSQL's COPY, or by `executemany` elsewhere.

Ids are reserved before the rows are written, so that a copy can link sessions to their returnees without
reading anything back: from the table's sequence on PostgreSQL (`nextval`, safe under concurrency), from
`sqlite_sequence` on SQLite (Django's `AUTOINCREMENT` tables). Like `bulk_create`, this sends no signals
and runs no validation: the callers write records already valid (see `oimsite/devtools/scale.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections
from django.db.models import Field, Model


class Table:
    """A model's concrete columns but the generated ones, in a fixed order, and its records as lists of database
    values."""

    def __init__(self, model: type[Model], using: str = "default") -> None:
        self.model, self.using = model, using
        # Generated columns (the search's folded twins) are the database's to write.
        self.fields: list[Field] = [field for field in model._meta.concrete_fields if not field.generated]
        self.columns = [field.column for field in self.fields]
        self._position = {field.attname: i for i, field in enumerate(self.fields)}
        self._position.update({field.name: i for i, field in enumerate(self.fields)})

    def position(self, name: str) -> int:
        """Where the field `name` (or its attname, `file_id`) sits in a row."""
        return self._position[name]

    def values(self, **values: Any) -> list[Any]:
        """A row from database values given by field name (for tables without defaults, such as a through)."""
        row: list[Any] = [None] * len(self.fields)
        for name, value in values.items():
            row[self.position(name)] = value
        return row

    def row(self, instance: Model) -> list[Any]:
        """The database values of an unsaved instance, as an INSERT would write them (auto_now included)."""
        connection = connections[self.using]
        return [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in self.fields]

    def date(self, value: Any) -> Any:
        """A date as this database takes it in a row (a `date` for psycopg, text for sqlite3)."""
        return connections[self.using].ops.adapt_datefield_value(value)

    def datetime(self, value: Any) -> Any:
        """A date and time as this database takes it in a row (naive UTC text for sqlite3)."""
        return connections[self.using].ops.adapt_datetimefield_value(value)

    def reserve_ids(self, count: int) -> list[int]:
        """`count` new primary keys that no other writer will take. Call inside the transaction that
        writes the rows (on SQLite the reservation is a write, which holds the database until commit)."""
        if count == 0:
            return []
        connection = connections[self.using]
        table, pk, quote = self.model._meta.db_table, self.model._meta.pk.column, connection.ops.quote_name
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                               [quote(table), pk, count])
                return sorted(value for (value,) in cursor.fetchall())
            if connection.vendor == "sqlite":
                # AUTOINCREMENT never reuses an id: the next ones follow the largest ever given.
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) SELECT %s, 0 WHERE NOT EXISTS "
                               "(SELECT 1 FROM sqlite_sequence WHERE name = %s)", [table, table])
                largest = f"SELECT COALESCE(MAX({quote(pk)}), 0) FROM {quote(table)}"
                cursor.execute(f"UPDATE sqlite_sequence SET seq = MAX(seq, ({largest})) + %s WHERE name = %s "
                               "RETURNING seq", [count, table])
                (last,) = cursor.fetchone()
                return list(range(last - count + 1, last + 1))
        raise NotImplementedError(f"reserving ids on {connection.vendor}")

    def insert(self, rows: Iterable[Sequence[Any]]) -> None:
        """Write `rows` (every column, in `columns` order). They are all built before the first is sent: a
        row's values may need a query (a new number), which cannot run on a connection in the middle of COPY."""
        rows = list(rows)
        connection = connections[self.using]
        quote = connection.ops.quote_name
        table, columns = quote(self.model._meta.db_table), ", ".join(quote(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Django's cursor wrapper hands `copy` to psycopg's cursor.
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
