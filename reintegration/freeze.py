"""Database triggers that keep a used version of the sustainability survey as it was.

A survey's scores are computed from its version's answer scores and weights and stored. If the version
could still change, the same answers would give other scores than the stored ones, and a survey taken
last year would not read as it was scored. So once a survey uses a version, the database refuses, whatever
the writer (the admin, a form, `QuerySet.update`, `bulk_create`, `loaddata`, raw SQL):

- an UPDATE of the version's number, dimension weights or threshold (its `active` flag may still change, to
  retire it);
- an INSERT or UPDATE of one of its indicators or answer options.

A DELETE of an answered indicator or option is refused by the answers' foreign keys (PROTECT), and of the
version by the surveys' (PROTECT); `clean()` and the admin refuse the others with the same message before
anything reaches the database. The triggers are not fired by deletes on purpose: SQLite's flush deletes
table by table in name order, and a test database must stay flushable.

SQLite drops a table's triggers when a migration rebuilds it: `ensure_installed` puts them back after each
`migrate` (ReintegrationConfig.ready).
"""

from __future__ import annotations

from typing import Any

PREFIX = "reintegration_frozen_"
SURVEYS = "reintegration_sustainabilitysurvey"
VERSIONS = "reintegration_instrumentversion"
INDICATORS = "reintegration_surveyindicator"
OPTIONS = "reintegration_answeroption"
FROZEN_COLUMNS = ("number", "economic_weight", "social_weight", "psychosocial_weight", "threshold")
# The message the database gives; the forms and the admin give the translated one (models.INSTRUMENT_FROZEN).
MESSAGE = "This version of the sustainability survey is used by surveys: it cannot be changed; make a new version."


def _used(version: str) -> str:
    return f"EXISTS (SELECT 1 FROM {SURVEYS} s WHERE s.version_id = {version})"


def _option_used(row: str) -> str:
    return f"EXISTS (SELECT 1 FROM {INDICATORS} i JOIN {SURVEYS} s ON s.version_id = i.version_id " \
           f"WHERE i.id = {row}.indicator_id)"


def _changed(columns: tuple[str, ...]) -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)


# name -> (table, operations, condition on OLD/NEW in PostgreSQL's dialect)
RULES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "version_update": (VERSIONS, ("UPDATE",), f"({_changed(FROZEN_COLUMNS)}) AND {_used('OLD.id')}"),
    "indicator_insert": (INDICATORS, ("INSERT",), _used("NEW.version_id")),
    "indicator_update": (INDICATORS, ("UPDATE",), f"{_used('OLD.version_id')} OR {_used('NEW.version_id')}"),
    "option_insert": (OPTIONS, ("INSERT",), _option_used("NEW")),
    "option_update": (OPTIONS, ("UPDATE",), f"{_option_used('OLD')} OR {_option_used('NEW')}"),
}


def _postgresql(name: str, table: str, operations: tuple[str, ...], condition: str) -> list[str]:
    function = f"{PREFIX}{name}"
    return [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF {condition} THEN
        RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation', MESSAGE = '{MESSAGE}';
    END IF;
    RETURN NEW;
END
$body$""",
        f"CREATE OR REPLACE TRIGGER {PREFIX}{name} BEFORE {' OR '.join(operations)} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]


def _sqlite(name: str, table: str, operations: tuple[str, ...], condition: str) -> list[str]:
    condition = condition.replace("IS DISTINCT FROM", "IS NOT")
    return [f"CREATE TRIGGER IF NOT EXISTS {PREFIX}{name} BEFORE {operations[0]} ON {table} FOR EACH ROW "
            f"WHEN {condition} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"]


def install(connection: Any) -> None:
    if connection.vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"No survey freeze triggers for {connection.vendor}.")
    build = _postgresql if connection.vendor == "postgresql" else _sqlite
    with connection.cursor() as cursor:
        for name, (table, operations, condition) in RULES.items():
            for statement in build(name, table, operations, condition):
                cursor.execute(statement)


def uninstall(connection: Any) -> None:
    with connection.cursor() as cursor:
        for name, (table, _operations, _condition) in RULES.items():
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {PREFIX}{name} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {PREFIX}{name}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {PREFIX}{name}")


def installed(connection: Any) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE %s", [PREFIX + "%"])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [PREFIX + "%"])
        return {row[0] for row in cursor.fetchall()}


def ensure_installed(connection: Any) -> None:
    """After `migrate` on SQLite: put back the triggers of a table a migration rebuilt."""
    if connection.vendor != "sqlite" or VERSIONS not in connection.introspection.table_names():
        return
    if installed(connection) != {PREFIX + name for name in RULES}:
        install(connection)
