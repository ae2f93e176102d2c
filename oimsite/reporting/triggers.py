"""The database triggers that mark which records changed, whatever wrote them (docs/figures.md).

Every count of the report is a sum over returnees (their returns and sessions) or over resettlement files
(their refugees). The records are split into buckets by id: returnee `r` is in bucket ("returnee",
r.id // BUCKET_SIZE), a session in its returnee's bucket, a file `f` in ("file", f.id // BUCKET_SIZE), a
refugee in its file's. A trigger on each of the four tables adds one to the generation of every bucket a
write touches (the old row's and the new row's: a session moved to another returnee moves two buckets), in
the writing transaction, so it commits or rolls back with the write. The reader (`summaries.counts`) then
recounts only the buckets whose generation moved.

Because the database does it, no writer has anything to do: a model save, `QuerySet.update`,
`bulk_create`, `loaddata`, a data migration and raw SQL all mark the buckets they change.

- PostgreSQL: statement-level triggers with transition tables, one upsert per statement over the distinct
  buckets of the rows it wrote (a COPY of a whole copy of the baseline costs one upsert of a few rows), in
  bucket order, so that two statements marking the same buckets lock them in the same order. An UPDATE
  joins its old and new rows; that query is planned for each statement (`EXECUTE`), so that a bulk update
  is joined as its size requires (a plan kept from a one-row save read the new rows once per old row). A row of
  which only `version` changed (the versioned save's claim, oimsite/core/concurrency.py) moves no
  figure and marks nothing: the claim then takes no bucket lock before the save's own statement takes
  them all at once. TRUNCATE marks every bucket of the kind.
- SQLite: row-level triggers, an upsert per row (SQLite has one writer at a time: there is no lock order to
  keep). `DELETE FROM table` (Django's flush) fires them per row.

Installed by migration `oimsite.0005_bucket_counts`, which also gives a generation to the buckets of the
records already there. SQLite drops a table's triggers when a migration rebuilds the table (its way of
altering a column): `ensure_installed` puts them back after each `migrate` (ReportingConfig.ready).

BUCKET_SIZE is part of the triggers: changing it takes a migration that reinstalls them and empties the
generations and the stored counts (`oimsite_bucketcount`), which were numbered by the old size.
"""

from __future__ import annotations

from typing import Any

# Records per bucket. A change makes the next view recount its bucket (about BUCKET_SIZE returnees, or
# files, for the year viewed); a view reads one stored count per bucket (docs/figures.md, "Choosing
# BUCKET_SIZE").
BUCKET_SIZE = 10_000

RETURNEE, FILE = "returnee", "file"
GENERATIONS = "oimsite_bucketgeneration"

# The four tables whose rows are counted: table -> (kind of bucket, column holding the bucket's record id).
TABLES = {
    "returns_returnee": (RETURNEE, "id"),
    "reintegration_supportsession": (RETURNEE, "returnee_id"),
    "resettlement_resettlementfile": (FILE, "id"),
    "resettlement_refugee": (FILE, "file_id"),
}
OPERATIONS = ("insert", "update", "delete")


def _upsert(kind: str, buckets: str) -> str:
    """Add one to the generation of each of the distinct `buckets` (a query giving a column `b`), in order."""
    return (f"INSERT INTO {GENERATIONS} AS g (kind, bucket, generation) "
            f"SELECT '{kind}', b, 1 FROM (SELECT DISTINCT b FROM ({buckets}) AS written WHERE b IS NOT NULL) "
            f"AS marked ORDER BY b "
            f"ON CONFLICT (kind, bucket) DO UPDATE SET generation = g.generation + 1")


def _postgresql_function(table: str) -> str:
    kind, column = TABLES[table]
    bucket = f"{column} / {BUCKET_SIZE}"
    # The old and new rows that differ in more than `version` (joined on id: an id changed is two rows).
    changed = "(to_jsonb(o) - 'version') IS DISTINCT FROM (to_jsonb(n) - 'version')"
    updated = (f"SELECT o.{bucket} AS b FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id "
               f"WHERE n.id IS NULL OR {changed} "
               f"UNION ALL SELECT n.{bucket} FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id "
               f"WHERE o.id IS NULL OR {changed}")
    return f"""
CREATE OR REPLACE FUNCTION {_function(table)}() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_upsert(kind, f"SELECT {bucket} AS b FROM new_rows")};
    ELSIF TG_OP = 'UPDATE' THEN
        -- EXECUTE plans the join for this statement's rows: PL/pgSQL would keep the plan made for the
        -- session's first update, a nested loop when that wrote one row, whatever the size of the later ones.
        EXECUTE $update$ {_upsert(kind, updated)} $update$;
    ELSIF TG_OP = 'DELETE' THEN
        {_upsert(kind, f"SELECT {bucket} AS b FROM old_rows")};
    ELSE  -- TRUNCATE: every bucket of the kind
        UPDATE {GENERATIONS} SET generation = generation + 1 WHERE kind = '{kind}';
    END IF;
    RETURN NULL;
END
$body$"""


def _function(table: str) -> str:
    return f"oimsite_figures_{table}"


def trigger_name(table: str, operation: str) -> str:
    return f"oimsite_figures_{table}_{operation}"


def _postgresql_install(table: str) -> list[str]:
    # A trigger with transition tables takes one event: one trigger per operation.
    transition = {"insert": "NEW TABLE AS new_rows", "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                  "delete": "OLD TABLE AS old_rows"}
    statements = [_postgresql_function(table)]
    for operation in OPERATIONS:
        statements.append(
            f"CREATE OR REPLACE TRIGGER {trigger_name(table, operation)} AFTER {operation.upper()} ON {table} "
            f"REFERENCING {transition[operation]} FOR EACH STATEMENT EXECUTE FUNCTION {_function(table)}()")
    statements.append(f"CREATE OR REPLACE TRIGGER {trigger_name(table, 'truncate')} AFTER TRUNCATE ON {table} "
                      f"FOR EACH STATEMENT EXECUTE FUNCTION {_function(table)}()")
    return statements


def _sqlite_install(table: str) -> list[str]:
    kind, column = TABLES[table]

    def mark(bucket: str, condition: str = "true") -> str:
        return (f"INSERT INTO {GENERATIONS} (kind, bucket, generation) SELECT '{kind}', {bucket}, 1 "
                f"WHERE {condition} ON CONFLICT (kind, bucket) DO UPDATE SET generation = generation + 1;")

    new, old = f"NEW.{column} / {BUCKET_SIZE}", f"OLD.{column} / {BUCKET_SIZE}"
    bodies = {
        "insert": mark(new),
        "update": mark(old) + " " + mark(new, f"{new} IS NOT {old}"),
        "delete": mark(old),
    }
    return [f"CREATE TRIGGER IF NOT EXISTS {trigger_name(table, operation)} AFTER {operation.upper()} ON {table} "
            f"FOR EACH ROW BEGIN {body} END" for operation, body in bodies.items()]


def _names(vendor: str) -> set[str]:
    operations = (*OPERATIONS, "truncate") if vendor == "postgresql" else OPERATIONS
    return {trigger_name(table, operation) for table in TABLES for operation in operations}


def installed(connection: Any) -> set[str]:
    """The names of this module's triggers present in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE %s", ["oimsite_figures_%"])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                           ["oimsite_figures_%"])
        return {row[0] for row in cursor.fetchall()} & _names(connection.vendor)


def _check_vendor(connection: Any) -> None:
    if connection.vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"No figure triggers for {connection.vendor}: the figures would go stale.")


def install(connection: Any) -> None:
    """Create the triggers (or replace them), and give a generation to every bucket that holds records."""
    _check_vendor(connection)
    build = _postgresql_install if connection.vendor == "postgresql" else _sqlite_install
    with connection.cursor() as cursor:
        for table in TABLES:
            for statement in build(table):
                cursor.execute(statement)
        for table, (kind, column) in TABLES.items():
            if column == "id":  # a child's bucket is its parent's, which has a row of its own
                cursor.execute(f"INSERT INTO {GENERATIONS} (kind, bucket, generation) "
                               f"SELECT DISTINCT '{kind}', id / {BUCKET_SIZE}, 1 FROM {table} WHERE true "
                               f"ON CONFLICT (kind, bucket) DO NOTHING")


def uninstall(connection: Any) -> None:
    _check_vendor(connection)
    with connection.cursor() as cursor:
        for table in TABLES:
            for operation in (*OPERATIONS, "truncate"):
                if connection.vendor == "postgresql":
                    cursor.execute(f"DROP TRIGGER IF EXISTS {trigger_name(table, operation)} ON {table}")
                else:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {trigger_name(table, operation)}")
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP FUNCTION IF EXISTS {_function(table)}()")


def ensure_installed(connection: Any) -> None:
    """After `migrate` on SQLite: put back the triggers of a table that a migration rebuilt (SQLite drops a
    table's triggers with it). Nothing to do before the migration that installs them, nor on PostgreSQL,
    whose ALTER TABLE keeps them."""
    if connection.vendor != "sqlite":
        return
    if GENERATIONS not in connection.introspection.table_names():
        return
    if installed(connection) != _names(connection.vendor):
        install(connection)
