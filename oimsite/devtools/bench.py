"""The benchmark behind `manage.py bench`: each main page at N× the baseline, against a hand-written SQL floor.

For each scale the bench creates a database of its own (a temporary SQLite file, or `bench_…` on the
PostgreSQL server of DATABASE_URL), migrates it, loads the baseline and N-1 copies of it
(`oimsite.devtools.scale`), and settles it (VACUUM ANALYZE). Then, page by page: it counts the SQL queries of one
request at each scale, and times the median of `repeat` requests after a warm-up (Django's test Client, a
logged-in superuser, in process) and of a raw SQL floor for the same result, the scales taking turns
request by request, so that a slow minute of the machine does not pass for a difference between scales.
The databases are dropped at the end.

Pages are found by URL name: a page that does not exist yet is skipped with a note, so the bench runs
on any state of the project. Timings are only ever reported, never asserted.
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import dj_database_url
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands
from django.db import connection, connections, transaction
from django.db.models import Count
from django.db.models.functions import ExtractYear, Now
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse
from tablib import Dataset

from oimsite.devtools import scale as scale_module
from oimsite.lists.imports import run_import
from oimsite.reporting import triggers
from oimsite.reporting.models import BucketCount
from reintegration.models import Kind, SupportSession
from resettlement.models import ResettlementFile
from returns.models import Returnee, Stage, VulnerabilityCategory
from returns.resources import ReturneeResource

BENCH_PREFIX = "bench_"
BENCH_COMMENT = "created by manage.py bench"


class BenchRefused(Exception):
    """The bench will not run against this database."""


# --- the bench's own database --------------------------------------------------------------------

def _same_database(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if "sqlite" in a["ENGINE"] and "sqlite" in b["ENGINE"]:
        return Path(str(a["NAME"])).resolve() == Path(str(b["NAME"])).resolve()
    keys = ("ENGINE", "NAME", "HOST", "PORT")
    return all(str(a.get(k) or "") == str(b.get(k) or "") for k in keys)


def target_settings(scale: int, database_url: str | None) -> dict[str, Any]:
    """Connection settings of the database the bench will create for one scale (not created yet)."""
    configured = settings.DATABASES["default"]
    if database_url is None:
        if configured["ENGINE"].endswith("postgresql"):
            target = dict(configured)
            target["NAME"] = f"{BENCH_PREFIX}{scale}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            return target
        path = Path(tempfile.gettempdir()) / f"{BENCH_PREFIX}{scale}_{os.getpid()}_{uuid.uuid4().hex[:6]}.sqlite3"
        database_url = f"sqlite:///{path}"
    target = dj_database_url.parse(database_url)
    if "{scale}" in str(target["NAME"]):
        target["NAME"] = str(target["NAME"]).replace("{scale}", str(scale))
    return target


def configured_databases() -> list[dict[str, Any]]:
    """The database the site is configured for: as in settings now, and as the environment names it
    (the two differ while a test runner has swapped in its test database)."""
    from_environment = dj_database_url.config(default=f"sqlite:///{settings.VAR_DIR / 'db.sqlite3'}")
    return [settings.DATABASES["default"], from_environment]


def check_target(target: dict[str, Any]) -> None:
    if any(_same_database(target, configured) for configured in configured_databases()):
        raise BenchRefused(f"Refusing to run against the configured database ({target['NAME']}): "
                           "the bench creates and drops databases of its own.")
    if target["ENGINE"].endswith("postgresql") and not str(target["NAME"]).startswith(BENCH_PREFIX):
        raise BenchRefused(f"Refusing database {target['NAME']!r}: bench databases are named {BENCH_PREFIX}….")


def _pg_admin_cursor(target: dict[str, Any]):
    import psycopg

    return psycopg.connect(
        dbname="postgres", user=target.get("USER") or None, password=target.get("PASSWORD") or None,
        host=target.get("HOST") or None, port=target.get("PORT") or None, autocommit=True,
    )


def create_database(target: dict[str, Any]) -> None:
    """Create the target database; refuse if it already exists (the bench drops only what it created)."""
    if "sqlite" in target["ENGINE"]:
        path = Path(str(target["NAME"]))
        if path.exists():
            raise BenchRefused(f"Refusing {path}: it already exists and was not created by this bench run.")
        path.touch()
        return
    name = str(target["NAME"])
    with _pg_admin_cursor(target) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            raise BenchRefused(f"Refusing database {name!r}: it already exists and was not created by this bench run.")
        admin.execute(f'CREATE DATABASE "{name}"')
        admin.execute(f"COMMENT ON DATABASE \"{name}\" IS '{BENCH_COMMENT}'")


def drop_database(target: dict[str, Any]) -> None:
    if "sqlite" in target["ENGINE"]:
        Path(str(target["NAME"])).unlink(missing_ok=True)
        return
    name = str(target["NAME"])
    with _pg_admin_cursor(target) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class ScaleDatabase:
    """A database of the bench's own at one scale, with its data loaded and a logged-in client."""

    scale: int
    settings: dict[str, Any]
    connection: Any
    client: Client | None = None
    setup: str = ""

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """Point the `default` connection at this database for the duration (the site and the floors use it)."""
        previous = connections.settings["default"], connections["default"]
        connections.settings["default"], connections["default"] = self.settings, self.connection
        try:
            yield
        finally:
            connections.settings["default"], connections["default"] = previous


@contextlib.contextmanager
def bench_database(scale: int, target: dict[str, Any]) -> Iterator[ScaleDatabase]:
    """A freshly created database for `scale`, dropped at the end."""
    check_target(target)
    create_database(target)
    merged = copy.deepcopy(connections.settings["default"])
    merged.update({k: target[k] for k in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT") if k in target})
    merged["OPTIONS"] = target.get("OPTIONS", {})
    merged["CONN_MAX_AGE"] = 0
    previous = connections.settings["default"]
    connections.settings["default"] = merged
    try:
        database = ScaleDatabase(scale, merged, connections.create_connection("default"))
    finally:
        connections.settings["default"] = previous
    try:
        yield database
    finally:
        database.connection.close()
        drop_database(target)


# --- what is measured ----------------------------------------------------------------------------

@dataclass
class Page:
    group: str
    variant: str
    url_name: str
    query: str = ""
    floor_sql: str = ""  # raw SQL for the same result; {offset} / {key} placeholders filled at run time
    deep: bool = False
    export: bool = False
    # Before each timed run (not timed): "change" one of the year's returns through the model, as staff do;
    # "bulk write" updates every return of the year in one statement (a data fix); "cold" forgets the year's
    # stored counts (a year never viewed).
    before: str = ""
    # Requested as the staff user who owns the most open returnee cases at this scale (their My work, their
    # "mine" lists); "{owner}" in the query or the floor is that user's id.
    as_owner: bool = False


RETURNEE_COLS = ("id, case_number, family_name, given_name, sex, nationality, host_country, return_country, "
                 "departure_date, status")
# The stored columns the returnee list's CSV export reads (its twelve cells: the age from the two dates, the
# owner from the user's id): the floor copies them as they are stored.
EXPORT_COLS = ("case_number, family_name, given_name, name_ar, sex, date_of_birth, nationality, host_country, "
               "return_country, departure_date, status, assigned_to_id")
RETURNEE_ORDER = "ORDER BY departure_date DESC, case_number ASC, id DESC"
SESSION_SQL = ("SELECT s.id, s.date, s.phase, s.kind, s.mode, s.provider, s.enhanced, r.case_number, r.given_name, "
               "r.family_name FROM reintegration_supportsession s JOIN returns_returnee r ON r.id = s.returnee_id ")
FILE_SQL = ("SELECT id, file_number, destination_country, stage, referral_date, departure_date "
            "FROM resettlement_resettlementfile ")
REFUGEE_SQL = ("SELECT p.id, p.family_name, p.given_name, p.sex, p.date_of_birth, p.nationality, f.file_number, "
               "p.is_principal_applicant FROM resettlement_refugee p JOIN resettlement_resettlementfile f "
               "ON f.id = p.file_id ")

# Age at return in whole years, per database (the floor's own spelling of returns' with_age_at_return).
_AGE_SQL = {
    "postgresql": "EXTRACT(YEAR FROM AGE(r.departure_date, r.date_of_birth))",
    "sqlite": ("(CAST(strftime('%Y', r.departure_date) AS INTEGER) - CAST(strftime('%Y', r.date_of_birth) AS INTEGER)"
               " - (strftime('%m-%d', r.departure_date) < strftime('%m-%d', r.date_of_birth)))"),
}


def dashboard_floor(vendor: str, year: int) -> str:
    """Hand-written SQL for everything the dashboard of `year` shows: one pass over the year's returns, one over
    its post-return sessions, one over its departed refugees, and the published figures (what
    `indicators.compute` returns, without the ORM)."""
    start, end = f"'{year}-01-01'", f"'{year + 1}-01-01'"
    returns = f"""SELECT host_country, return_country, sex,
      CASE WHEN age <= 17 THEN '0-17' WHEN age <= 35 THEN '18-35' WHEN age <= 59 THEN '36-59' ELSE '60+' END,
      COUNT(*), SUM(counselled)
    FROM (SELECT r.host_country, r.return_country, r.sex, {_AGE_SQL.get(vendor, _AGE_SQL["postgresql"])} AS age,
            CASE WHEN r.host_country = 'MA' AND EXISTS (SELECT 1 FROM reintegration_supportsession s
              WHERE s.returnee_id = r.id AND s.phase = 'pre_departure' AND s.mode = 'virtual'
              AND s.kind = 'counselling' AND s.provider = 'iom_origin') THEN 1 ELSE 0 END AS counselled
          FROM returns_returnee r
          WHERE (r.host_country = 'MA' OR r.return_country = 'MA') AND r.status = 'departed'
            AND r.departure_date >= {start} AND r.departure_date < {end}) t
    GROUP BY 1, 2, 3, 4"""
    this_year = f"r.status = 'departed' AND r.departure_date >= {start} AND r.departure_date < {end}"
    kinds = ",\n      ".join(
        f"SUM(CASE WHEN {programme} AND s.kind = '{kind}' AND {'' if enhanced else 'NOT '}s.enhanced THEN 1 ELSE 0 END)"
        for programme in ("r.host_country = 'MA'", "r.return_country = 'MA'")
        for kind in Kind.values for enhanced in (False, True))
    sessions = f"""SELECT COUNT(DISTINCT CASE WHEN r.host_country = 'MA' THEN s.returnee_id END),
      COUNT(DISTINCT CASE WHEN r.host_country = 'MA' AND s.enhanced THEN s.returnee_id END),
      COUNT(DISTINCT CASE WHEN r.return_country = 'MA' AND {this_year} THEN s.returnee_id END),
      COUNT(DISTINCT CASE WHEN r.return_country = 'MA' AND {this_year} AND s.enhanced THEN s.returnee_id END),
      {kinds}
    FROM reintegration_supportsession s JOIN returns_returnee r ON r.id = s.returnee_id
    WHERE s.phase = 'post_return' AND s.date >= {start} AND s.date < {end}"""
    refugees = f"""SELECT f.destination_country, COUNT(*)
    FROM resettlement_refugee p JOIN resettlement_resettlementfile f ON f.id = p.file_id
    WHERE f.stage IN ('departed', 'arrived') AND f.departure_date >= {start} AND f.departure_date < {end}
    GROUP BY 1"""
    published = f"SELECT * FROM oimsite_publishedfigure WHERE year = {year}"
    return ";".join((returns, sessions, refugees, published))


def prefix_match(column: str, term: str) -> str:
    """The floor's match of a prefix, accents and case aside, as the admin searches (oimsite/lists/search.py)."""
    return f"search_fold({column}) LIKE search_fold('{term}') || '%'"


def contains_match(table: str, columns: list[str], term: str) -> str:
    """The floor's match of a part of any of `columns`, accents and case aside, as the lists search
    (oimsite/lists/search.py)."""
    return "(" + " OR ".join(f"search_fold({column}) LIKE '%' || search_fold('{term}') || '%'"
                             for column in columns) + ")"


RETURNEE_OPEN = "stage IN ('registered', 'counselled', 'travel', 'returned', 'reintegration', 'completed')"
FILE_OPEN = "stage IN ('referred', 'interviewed', 'accepted', 'ready', 'departed')"
# The caseload's counts by owner, in hand-written SQL: open returnees, open files, overdue follow-ups, drafts.
CASELOAD_FLOOR = ";".join((
    f"SELECT assigned_to_id, COUNT(*) FROM returns_returnee WHERE {RETURNEE_OPEN} GROUP BY 1",
    f"SELECT assigned_to_id, COUNT(*) FROM resettlement_resettlementfile WHERE {FILE_OPEN} GROUP BY 1",
    "SELECT assigned_to_id, COUNT(*) FROM reintegration_followup WHERE done_on IS NULL "
    "AND due_date < CURRENT_DATE GROUP BY 1",
    "SELECT r.assigned_to_id, COUNT(*) FROM reintegration_reintegrationplan p JOIN returns_returnee r "
    "ON r.id = p.returnee_id WHERE p.status = 'draft' GROUP BY 1",
))


def busiest_owner() -> Any:
    """The staff user who owns the most open returnee cases (None while no case has an owner)."""
    row = (Returnee.objects.open_cases().exclude(assigned_to=None).order_by().values("assigned_to")
           .annotate(n=Count("pk")).order_by("-n", "assigned_to").first())
    return get_user_model().objects.get(pk=row["assigned_to"]) if row else None


def busiest_year() -> tuple[int, int]:
    """The year with the most returns and how many (the dashboard's heaviest year at this scale)."""
    row = (Returnee.objects.departed().annotate(y=ExtractYear("departure_date")).values("y")
           .annotate(n=Count("pk")).order_by("-n", "-y").first())
    return (row["y"], row["n"]) if row else (2024, 0)


def pages() -> list[Page]:
    r = f"SELECT {RETURNEE_COLS} FROM returns_returnee "
    from_ma_2024 = "WHERE host_country = 'MA' AND departure_date >= '2024-01-01' AND departure_date < '2025-01-01' "
    return [
        # The year 2024 keeps the baseline's size at every scale (copies are moved to earlier years); the
        # busiest year grows with the scale.
        Page("dashboard", "year 2024", "dashboard", "year=2024", "{dashboard:2024}"),
        Page("dashboard", "busiest year", "dashboard", "year={year}", "{dashboard:{year}}"),
        Page("dashboard", "busiest year, after a change", "dashboard", "year={year}", "{dashboard:{year}}",
             before="change"),
        Page("dashboard", "busiest year, after a bulk write", "dashboard", "year={year}", "{dashboard:{year}}",
             before="bulk write"),
        Page("dashboard", "busiest year, cold", "dashboard", "year={year}", "{dashboard:{year}}", before="cold"),
        # Lists (issue 4): first page, a filtered page, the deepest page served (1/5 into the table, at most
        # COUNT_CAP rows in), a CSV export of about 100,000 rows (all rows if fewer).
        Page("returnee list", "first page", "returns:returnee_list", "", f"{r}{RETURNEE_ORDER} LIMIT 50"),
        Page("returnee list", "filtered", "returns:returnee_list", "programme=from_morocco&returned_in=2024",
             f"{r}{from_ma_2024}{RETURNEE_ORDER} LIMIT 50"),
        Page("returnee list", "searched", "returns:returnee_list", "q=Haddad",
             f"{r}WHERE {{contains:returns_returnee:case_number,family_name,given_name:Haddad}} "
             f"{RETURNEE_ORDER} LIMIT 50"),
        # The same search with a word that fills a page at ×1 too (101 matches): the Δ of "searched" above
        # includes rendering 47 more rows at ×100 (3 Haddads at ×1), this one compares equal pages.
        Page("returnee list", "searched, a full page at ×1", "returns:returnee_list", "q=Benali",
             f"{r}WHERE {{contains:returns_returnee:case_number,family_name,given_name:Benali}} "
             f"{RETURNEE_ORDER} LIMIT 50"),
        Page("returnee list", "deep page", "returns:returnee_list", "page={page}",
             f"{r}WHERE (departure_date, case_number) < ({{key}}) {RETURNEE_ORDER} LIMIT 50", deep=True),
        Page("session list", "first page", "reintegration:session_list", "",
             f"{SESSION_SQL}ORDER BY s.date, s.id LIMIT 50"),
        Page("session list", "filtered", "reintegration:session_list", "phase=post_return&year=2024",
             f"{SESSION_SQL}WHERE s.phase = 'post_return' AND s.date >= '2024-01-01' AND s.date < '2025-01-01' "
             "ORDER BY s.date, s.id LIMIT 50"),
        Page("session list", "deep page", "reintegration:session_list", "page={page}",
             f"{SESSION_SQL}WHERE (s.date, s.id) > ({{key}}) ORDER BY s.date, s.id LIMIT 50", deep=True),
        Page("file list", "first page", "resettlement:file_list", "",
             f"{FILE_SQL}ORDER BY referral_date DESC, file_number LIMIT 50"),
        Page("refugee list", "first page", "resettlement:refugee_list", "",
             f"{REFUGEE_SQL}ORDER BY p.file_id DESC LIMIT 50"),
        Page("returnee list", "CSV export", "returns:returnee_list", "departure_date_after={since}&_export=csv",
             f"SELECT {EXPORT_COLS} FROM returns_returnee WHERE departure_date >= '{{since}}' {RETURNEE_ORDER}",
             export=True),
        # Admin changelists: plain, filtered, searched.
        Page("admin returnees", "plain", "admin:returns_returnee_changelist", "", f"{r}{RETURNEE_ORDER} LIMIT 50"),
        Page("admin returnees", "filtered", "admin:returns_returnee_changelist", "programme=from_morocco&year=2024",
             f"{r}{from_ma_2024}{RETURNEE_ORDER} LIMIT 50"),
        Page("admin returnees", "searched", "admin:returns_returnee_changelist", "q=RVA-2024-0001",
             f"{r}WHERE {{match:case_number:RVA-2024-0001}} OR {{match:family_name:RVA-2024-0001}} "
             f"OR {{match:given_name:RVA-2024-0001}} {RETURNEE_ORDER} LIMIT 50"),
        Page("admin sessions", "plain", "admin:reintegration_supportsession_changelist", "",
             f"{SESSION_SQL}ORDER BY s.date, s.id LIMIT 50"),
        Page("admin sessions", "filtered", "admin:reintegration_supportsession_changelist",
             "phase__exact=post_return&year=2024",
             f"{SESSION_SQL}WHERE s.phase = 'post_return' AND s.date >= '2024-01-01' AND s.date < '2025-01-01' "
             "ORDER BY s.date, s.id LIMIT 50"),
        Page("admin sessions", "searched", "admin:reintegration_supportsession_changelist", "q=RMA-2024-0001",
             f"{SESSION_SQL}WHERE {{match:r.case_number:RMA-2024-0001}} OR {{match:r.family_name:RMA-2024-0001}} "
             "OR {match:r.given_name:RMA-2024-0001} ORDER BY s.date, s.id LIMIT 50"),
        Page("admin files", "plain", "admin:resettlement_resettlementfile_changelist", "",
             f"{FILE_SQL}ORDER BY referral_date DESC, file_number LIMIT 50"),
        Page("admin files", "filtered", "admin:resettlement_resettlementfile_changelist",
             "destination_country__exact=CA&year=2024",
             f"{FILE_SQL}WHERE destination_country = 'CA' AND departure_date >= '2024-01-01' "
             "AND departure_date < '2025-01-01' ORDER BY referral_date DESC, file_number LIMIT 50"),
        Page("admin files", "searched", "admin:resettlement_resettlementfile_changelist", "q=RST-2024-01",
             f"{FILE_SQL}WHERE id IN (SELECT id FROM resettlement_resettlementfile WHERE "
             "{match:file_number:RST-2024-01} UNION SELECT file_id FROM resettlement_refugee "
             "WHERE {match:family_name:RST-2024-01} OR {match:given_name:RST-2024-01}) "
             "ORDER BY referral_date DESC, file_number LIMIT 50"),
        Page("admin refugees", "plain", "admin:resettlement_refugee_changelist", "",
             f"{REFUGEE_SQL}ORDER BY p.file_id DESC, p.is_principal_applicant DESC, p.date_of_birth LIMIT 50"),
        Page("admin refugees", "filtered", "admin:resettlement_refugee_changelist",
             "nationality__exact=SY&sex__exact=F",
             f"{REFUGEE_SQL}WHERE p.nationality = 'SY' AND p.sex = 'F' "
             "ORDER BY p.file_id DESC, p.is_principal_applicant DESC, p.date_of_birth LIMIT 50"),
        Page("admin refugees", "searched", "admin:resettlement_refugee_changelist", "q=Haddad",
             f"{REFUGEE_SQL}WHERE {{match:p.family_name:Haddad}} OR {{match:p.given_name:Haddad}} "
             "OR {match:f.file_number:Haddad} "
             "ORDER BY p.file_id DESC, p.is_principal_applicant DESC, p.date_of_birth LIMIT 50"),
        # 21 Haddads at ×1, a full page at ×100; "Ab" fills a page at both (86 matches at ×1).
        Page("admin refugees", "searched, a full page at ×1", "admin:resettlement_refugee_changelist", "q=Ab",
             f"{REFUGEE_SQL}WHERE {{match:p.family_name:Ab}} OR {{match:p.given_name:Ab}} "
             "OR {match:f.file_number:Ab} "
             "ORDER BY p.file_id DESC, p.is_principal_applicant DESC, p.date_of_birth LIMIT 50"),
        # Daily casework (issue 16): a worker's page, the supervisors' table, the lists filtered by owner.
        Page("my work", "busiest owner", "my_work", as_owner=True),
        Page("caseload", "every worker", "caseload", "", CASELOAD_FLOOR),
        Page("returnee list", "unassigned", "returns:returnee_list", "owner=unassigned",
             f"{r}WHERE assigned_to_id IS NULL AND {RETURNEE_OPEN} {RETURNEE_ORDER} LIMIT 50"),
        Page("returnee list", "one owner's", "returns:returnee_list", "assigned_to={owner}",
             f"{r}WHERE assigned_to_id = {{owner}} {RETURNEE_ORDER} LIMIT 50", as_owner=True),
        Page("returnee list", "mine", "returns:returnee_list", "owner=mine",
             f"{r}WHERE assigned_to_id = {{owner}} {RETURNEE_ORDER} LIMIT 50", as_owner=True),
        Page("file list", "unassigned", "resettlement:file_list", "owner=unassigned",
             f"{FILE_SQL}WHERE assigned_to_id IS NULL AND {FILE_OPEN} "
             "ORDER BY referral_date DESC, file_number LIMIT 50"),
        Page("follow-up list", "mine", "reintegration:followup_list", "owner=mine", as_owner=True),
    ]


@dataclass
class Measure:
    scale: int
    group: str
    variant: str
    status: int | str
    queries: int | None = None
    median_ms: float | None = None
    floor_ms: float | None = None
    rss_mb: float | None = None
    rows: int | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.median_ms is None or not self.floor_ms:
            return None
        return self.median_ms / self.floor_ms


@dataclass
class BenchResult:
    vendor: str
    measures: list[Measure] = field(default_factory=list)
    setup: dict[int, str] = field(default_factory=dict)


@dataclass
class Timed:
    """One thing to time at one scale: `run`, with `before` (untimed) ahead of each run."""

    database: ScaleDatabase
    run: Callable[[], Any]
    before: Callable[[], Any] | None = None


def interleaved_medians(timed: list[Timed], repeat: int) -> list[float]:
    """The median time in ms of each of `timed` over `repeat` runs after a warm-up, the scales taking turns
    (×1, ×100, ×1, ×100 …): whatever slows the machine for a while slows every scale alike, so the
    difference between scales is the data's."""
    times: list[list[float]] = [[] for _ in timed]
    for round_ in range(repeat + 1):  # round 0 is the warm-up: caches, compiled templates, database buffers
        for one, spent in zip(timed, times, strict=True):
            with one.database.active():
                if one.before:
                    one.before()
                started = time.perf_counter()
                one.run()
                if round_:
                    spent.append((time.perf_counter() - started) * 1000)
    return [statistics.median(spent) for spent in times]


def _floor_runner(sql: str) -> Callable[[], None]:
    statements = [s for s in sql.split(";") if s.strip()]

    def run() -> None:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
                cursor.fetchall()

    return run


def _copy_runner(sql: str) -> Callable[[], None]:
    def run() -> None:
        with connection.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT WITH CSV") as copy:
            for _block in copy:
                pass

    return run


# --- an import ------------------------------------------------------------------------------------------------

IMPORT_ROWS = 2000


def _import_rows(count: int) -> tuple[list[str], list[list[str]]]:
    header = ["Numéro de dossier", "Prénom", "Nom de famille", "Sexe", "Date de naissance", "Nationalité",
              "Pays d'accueil", "Pays de retour", "Date de départ"]
    rows = []
    for n in range(count):
        letters = "".join("BDFGKLMNPRST"[int(d)] + "a" for d in f"{n:05d}")
        # A date of birth of its own per row: no row is a possible duplicate of another.
        born = f"{1 + n % 28:02d}/{1 + n // 28 % 12:02d}/{1960 + n // 336}"
        rows.append([f"RVA-2099-{n:05d}", "Bench", letters.capitalize(), "F" if n % 2 else "M", born,
                     "Sénégal", "Maroc", "SN", f"{1 + n % 28:02d}/05/2024" if n % 3 else ""])
    return header, rows


def measure_import(databases: list[ScaleDatabase], count: int = IMPORT_ROWS) -> list[Measure]:
    """Import `count` new returnees from a CSV (dry run off, all or nothing), against the same rows validated
    one by one (full_clean) and written by one bulk_create: rows per second of each, in a transaction rolled
    back."""
    measures = []
    header, rows = _import_rows(count)
    for database in databases:
        with database.active(), transaction.atomic():
            dataset = Dataset(*rows, headers=header)
            started = time.perf_counter()
            report = run_import(ReturneeResource(), dataset, user=None, file_name="bench.csv", dry_run=False)
            imported_ms = (time.perf_counter() - started) * 1000
            transaction.set_rollback(True)
        with database.active(), transaction.atomic():
            started = time.perf_counter()
            resource = ReturneeResource()
            instances = []
            for row in rows:
                record = Returnee(case_number=row[0], given_name=row[1], family_name=row[2], sex=row[3],
                                  date_of_birth=resource.fields["date_of_birth"].widget.clean(row[4]),
                                  nationality="SN", host_country="MA", return_country="SN",
                                  departure_date=resource.fields["departure_date"].widget.clean(row[8]) or None)
                record.stage = Stage.RETURNED if record.departure_date else Stage.REGISTERED
                record.full_clean()
                instances.append(record)
            Returnee.objects.bulk_create(instances, batch_size=500)
            bulk_ms = (time.perf_counter() - started) * 1000
            transaction.set_rollback(True)
        measures.append(Measure(
            database.scale, "import", f"{count:,} returnees (CSV, all or nothing)", 200, median_ms=imported_ms,
            floor_ms=bulk_ms, rows=report.counts["new"],
            note=f"{count / imported_ms * 1000:,.0f} rows/s imported; {count / bulk_ms * 1000:,.0f} rows/s by "
                 "full_clean() + bulk_create (the floor)"))
    return measures


def _consume(response) -> int:
    if getattr(response, "streaming", False):
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def _deep_page(page: Page) -> tuple[str, str]:
    """The deepest page the list serves (1/5 into the table, at most the row COUNT_CAP: lists page
    through their first COUNT_CAP rows only), and the keyset key of the row before it (for the floor)."""
    from oimsite.lists.pagination import COUNT_CAP

    if page.group.startswith("returnee"):
        table, cols, order = "returns_returnee", "departure_date, case_number", RETURNEE_ORDER
    else:
        table, cols, order = "reintegration_supportsession s", "s.date, s.id", "ORDER BY s.date, s.id"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        total = cursor.fetchone()[0]
        number = max(1, min(total // 5, COUNT_CAP) // 50)
        cursor.execute(f"SELECT {cols} FROM {table} WHERE {cols.split(',')[0]} IS NOT NULL {order} "
                       f"LIMIT 1 OFFSET {(number - 1) * 50}")
        row = cursor.fetchone()
    key = ", ".join(repr(str(v)) if not isinstance(v, int) else str(v) for v in row) if row else "NULL, NULL"
    return str(number), key


EXPORT_ROWS = 100_000


def _export_bound() -> str:
    """A departure date from which the returnee list has about EXPORT_ROWS rows (all of them if fewer)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT departure_date FROM returns_returnee WHERE departure_date IS NOT NULL "
                       f"ORDER BY departure_date DESC LIMIT 1 OFFSET {EXPORT_ROWS - 1}")
        row = cursor.fetchone()
    return str(row[0]) if row else "1900-01-01"


def _rss_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _peak_rss_delta_mb(run: Callable[[], Any]) -> float | None:
    """Peak resident memory during run() above the resident memory before it (Linux: VmHWM reset)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")  # resets VmHWM to the current RSS
    except OSError:
        return None
    before = _rss_kb("VmRSS")
    run()
    peak = _rss_kb("VmHWM")
    if before is None or peak is None:
        return None
    return (peak - before) / 1024


@dataclass
class Plan:
    """A page at one scale, ready to time: its URL, its floor, and its measure so far (queries, note)."""

    measure: Measure
    url: str = ""
    floor_sql: str = ""
    before: Callable[[], Any] | None = None
    client: Client | None = None  # another user's than the bench's superuser (an owner's)


def plan_page(page: Page, database: ScaleDatabase) -> Plan:
    """Resolve the page at this scale (the busiest year, the deep page's number …) and count the queries of
    one request; an export is measured here at once (one run: it takes a while). Call with `database` active."""
    client, scale = database.client, database.scale
    assert client is not None
    try:
        path = reverse(page.url_name)
    except NoReverseMatch:
        return Plan(Measure(scale, page.group, page.variant, "skipped", note=f"no URL named {page.url_name!r} yet"))
    query, floor_sql = page.query, page.floor_sql
    note = ""
    if page.as_owner:
        owner = busiest_owner()
        if owner is None:
            return Plan(Measure(scale, page.group, page.variant, "skipped", note="no case has an owner"))
        client = Client()
        client.force_login(owner)
        query, floor_sql = query.replace("{owner}", str(owner.pk)), floor_sql.replace("{owner}", str(owner.pk))
        note = f"as {owner.get_username()}"
    if page.deep:
        number, key = _deep_page(page)
        query, floor_sql = query.replace("{page}", number), floor_sql.replace("{key}", key)
    if page.export:
        bound = _export_bound()
        query, floor_sql = query.replace("{since}", bound), floor_sql.replace("{since}", bound)
    year = 2024
    if "{year}" in query:
        year, returns = busiest_year()
        query, floor_sql = query.replace("{year}", str(year)), floor_sql.replace("{year}", str(year))
        note = f"year {year}: {returns:,} returns"
    floor_sql = _fill_floor(floor_sql)
    url = f"{path}?{query}" if query else path
    if page.export:
        return Plan(_measure_export(page, client, scale, url, floor_sql))
    before = {"change": lambda: _change_a_return(year), "bulk write": lambda: _write_the_year(year),
              "cold": lambda: BucketCount.objects.filter(year=year).delete(), "": None}[page.before]
    _consume(client.get(url))  # first view: counts the year and stores its counts; not what is measured
    if before:
        before()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        _consume(response)
    measure = Measure(scale, page.group, page.variant, response.status_code, queries=len(queries), note=note)
    if response.status_code != 200:
        measure.note = f"HTTP {response.status_code}"
        return Plan(measure)
    return Plan(measure, url, floor_sql, before, client if client is not database.client else None)


def measure_page(page: Page, databases: list[ScaleDatabase], repeat: int) -> list[Measure]:
    """The page at every scale: its queries, then its time and its floor's, the scales taking turns."""
    plans = []
    for database in databases:
        with database.active():
            plans.append(plan_page(page, database))
    timed = [(plan, database) for plan, database in zip(plans, databases, strict=True) if plan.url]
    medians = interleaved_medians(
        [Timed(database, _page_runner(plan.client or database.client, plan.url), plan.before)
         for plan, database in timed], repeat)
    for (plan, _database), median in zip(timed, medians, strict=True):
        plan.measure.median_ms = median
    floored = [(plan, database) for plan, database in timed if plan.floor_sql]
    floors = interleaved_medians([Timed(database, _floor_runner(plan.floor_sql)) for plan, database in floored],
                                 repeat)
    for (plan, _database), floor in zip(floored, floors, strict=True):
        plan.measure.floor_ms = floor
    return [plan.measure for plan in plans]


def _page_runner(client: Client | None, url: str) -> Callable[[], None]:
    assert client is not None
    return lambda: _consume(client.get(url))


def _change_a_return(year: int) -> None:
    """What a member of staff does: correct the sex of one of the year's returnees (a figure moves)."""
    returnee = Returnee.objects.departed().filter(departure_date__year=year).order_by("pk").first()
    if returnee is not None:
        returnee.sex = "F" if returnee.sex == "M" else "M"
        returnee.save()


def _write_the_year(year: int) -> None:
    """A bulk write to every return of the year, in one statement: every bucket holding one is recounted."""
    Returnee.objects.departed().filter(departure_date__year=year).update(updated_at=Now())


# --- what a save costs ---------------------------------------------------------------------------------------

def _saves() -> dict[str, Callable[[], None]]:
    """A save as staff make it, per record: a returnee's sex corrected, a session's kind."""
    def returnee() -> None:
        record = Returnee.objects.departed().order_by("pk").first()
        if record is not None:
            record.sex = "F" if record.sex == "M" else "M"
            record.save()

    def session() -> None:
        record = SupportSession.objects.post_return().order_by("pk").first()
        if record is not None:
            record.kind = Kind.SOCIAL if record.kind != Kind.SOCIAL else Kind.HEALTH
            record.save()

    return {"returnee": returnee, "session": session}


def measure_saves(databases: list[ScaleDatabase], repeat: int) -> list[Measure]:
    """The queries and median time of a save of each record, with the figures' triggers and with them dropped
    (in a transaction rolled back at the end, the triggers with it): what the figures cost a save."""
    measures = []
    for name, save in _saves().items():
        for database in databases:
            with database.active():
                runs: dict[str, tuple[int, float]] = {}
                with transaction.atomic():
                    for variant in ("with triggers", "triggers dropped"):
                        if variant == "triggers dropped":
                            triggers.uninstall(connection)
                        with CaptureQueriesContext(connection) as queries:
                            save()
                        spent = []
                        for _ in range(repeat):
                            started = time.perf_counter()
                            save()
                            spent.append((time.perf_counter() - started) * 1000)
                        runs[variant] = (len(queries), statistics.median(spent))
                    transaction.set_rollback(True)
                overhead = runs["with triggers"][0] - runs["triggers dropped"][0]
                for variant, (count, median) in runs.items():
                    measures.append(Measure(database.scale, "save", f"{name}, {variant}", 200, queries=count,
                                            median_ms=median, note=f"{overhead:+d} queries with the triggers"
                                            if variant == "with triggers" else ""))
    return measures


def _fill_floor(sql: str) -> str:
    """Expand the floor's placeholders: {dashboard:YEAR}, {match:COLUMN:TERM} and
    {contains:TABLE:COLUMN,COLUMN…:TERM}."""
    sql = re.sub(r"\{dashboard:(\d+)\}", lambda m: dashboard_floor(connection.vendor, int(m.group(1))), sql)
    sql = re.sub(r"\{match:([\w.]+):([^}]+)\}", lambda m: prefix_match(m.group(1), m.group(2)), sql)
    return re.sub(r"\{contains:(\w+):([\w,]+):([^}]+)\}",
                  lambda m: contains_match(m.group(1), m.group(2).split(","), m.group(3)), sql)


def _measure_export(page: Page, client: Client, scale: int, url: str, floor_sql: str) -> Measure:
    """One export request (100,000 rows take a while): its queries, time, rows and peak memory.

    Peak memory is the process's resident set (VmHWM) above its level before the request; tracemalloc
    (Python allocations only) slows the export several times, so it is not used here.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        started = time.perf_counter()
        response = client.get(url)
        outcome["lines"], outcome["bytes"] = 0, 0
        chunks = response.streaming_content if getattr(response, "streaming", False) else [response.content]
        for chunk in chunks:
            outcome["lines"] += chunk.count(b"\n")
            outcome["bytes"] += len(chunk)
        outcome["ms"] = (time.perf_counter() - started) * 1000
        outcome["response"] = response

    with CaptureQueriesContext(connection) as queries:
        rss = _peak_rss_delta_mb(run)
        if rss is None:
            run()
    response = outcome["response"]
    measure = Measure(scale, page.group, page.variant, response.status_code, queries=len(queries))
    if response.status_code != 200 or not response.get("Content-Disposition"):
        measure.status, measure.note = "skipped", f"no CSV export (HTTP {response.status_code})"
        return measure
    measure.median_ms, measure.rows, measure.rss_mb = outcome["ms"], max(0, outcome["lines"] - 1), rss
    if floor_sql:
        # On PostgreSQL the floor is the database's own CSV of the same rows (COPY … TO STDOUT WITH CSV).
        run = _copy_runner(floor_sql) if connection.vendor == "postgresql" else _floor_runner(floor_sql)
        started = time.perf_counter()
        run()
        measure.floor_ms = (time.perf_counter() - started) * 1000
    streamed = "streamed" if getattr(response, "streaming", False) else "in memory"
    measure.note = f"{outcome['bytes'] / 2**20:.1f} MB of CSV, {streamed}, one run"
    return measure


def load_data(scale: int) -> str:
    """The baseline (its loader if it has landed) plus scale-1 copies; returns how it was loaded."""
    started = time.monotonic()
    how = []
    if "load_baseline" in get_commands() and scale_module.baseline_fixture_path():
        call_command("load_baseline", verbosity=0)
        how.append("load_baseline")
        copies = scale - 1
    else:
        # Before the baseline loader lands: the template itself, unshifted, stands for the baseline.
        template = scale_module.load_template()
        writer = scale_module.CopyWriter(template, dict(VulnerabilityCategory.objects.values_list("code", "id")))
        writer.write(0, scale_module.Numbering(Returnee, "case_number", 5),
                     scale_module.Numbering(ResettlementFile, "file_number", 4))
        how.append(f"baseline from {template.source}")
        copies = scale - 1
    if copies:
        scale_module.populate(copies, progress_stream=None)
        how.append(f"populate --scale {copies}")
    return f"{'; '.join(how)} in {time.monotonic() - started:.1f} s"


def settle() -> None:
    """After the bulk load, before timing: fresh planner statistics, and (PostgreSQL) the vacuum that
    autovacuum would otherwise start in the middle of the measures, visibility maps included."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def run_bench(scales: list[int], database_url: str | None = None, repeat: int = 7,
              log: TextIO | None = None, only: str | None = None,
              on_page: Callable[[BenchResult], None] | None = None) -> BenchResult:
    """Prepare a database per scale, then measure each page at every scale in turn (see
    `interleaved_medians`). All the scales' databases exist until the end."""
    groups = {page.group for page in pages()} | {"import", "save"}
    if only and not any(only in group for group in groups):
        raise BenchRefused(f"--only {only!r} matches no group; the groups: {', '.join(sorted(groups))}.")
    result = BenchResult(vendor="")
    # The test Client's host, and no query log kept by DEBUG (CaptureQueriesContext turns it on when counting).
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], DEBUG=False), \
            contextlib.ExitStack() as stack:
        databases = []
        for scale in scales:
            database = stack.enter_context(bench_database(scale, target_settings(scale, database_url)))
            with database.active():
                result.vendor = connection.vendor
                call_command("migrate", verbosity=0, interactive=False)
                database.setup = result.setup[scale] = load_data(scale)
                settle()
                user = get_user_model().objects.create_superuser("bench", "bench@example.org", uuid.uuid4().hex)
                database.client = Client()
                database.client.force_login(user)
            if log:
                log.write(f"×{scale}: {database.setup}\n")
            databases.append(database)
        for page in pages():
            if only and only not in page.group:
                continue
            measures = measure_page(page, databases, repeat)
            result.measures.extend(measures)
            if log:
                for measure in measures:
                    log.write(f"  ×{measure.scale} {page.group} / {page.variant}: {measure.median_ms or 0:.1f} ms "
                              f"({measure.queries} queries) {measure.note}\n")
                log.flush()
            if on_page is not None:  # the table so far: a long run interrupted keeps its finished pages
                on_page(result)
        if not only or only in "import":
            result.measures.extend(measure_import(databases))
            if on_page is not None:
                on_page(result)
        if not only or only in "save":
            result.measures.extend(measure_saves(databases, repeat))
            if log:
                for measure in result.measures:
                    if measure.group == "save":
                        log.write(f"  ×{measure.scale} save / {measure.variant}: {measure.median_ms or 0:.1f} ms "
                                  f"({measure.queries} queries) {measure.note}\n")
            if on_page is not None:
                on_page(result)
    return result


def _fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def markdown(result: BenchResult) -> str:
    scales = sorted({m.scale for m in result.measures})
    lines = [f"Database: {result.vendor}. Times are medians in ms; floor = hand-written SQL for the same rows.", ""]
    lines.append("| page | variant | " + " | ".join(f"×{s} queries | ×{s} ms | ×{s} floor ms" for s in scales)
                 + f" | ratio ×{scales[-1]} | Δ ms ×{scales[0]}→×{scales[-1]} | same queries |")
    lines.append("|---|---|" + "---|---|---|" * len(scales) + "---|---|---|")
    keys = list(dict.fromkeys((m.group, m.variant) for m in result.measures))
    notes = []
    for group, variant in keys:
        row = {m.scale: m for m in result.measures if (m.group, m.variant) == (group, variant)}
        cells = []
        for s in scales:
            m = row.get(s)
            cells += [str(m.queries) if m and m.queries is not None else "—", _fmt(m.median_ms if m else None),
                      _fmt(m.floor_ms if m else None, 2)]
        first, last = row.get(scales[0]), row.get(scales[-1])
        ratio = _fmt(last.ratio, 2) if last else "—"
        delta = (_fmt(last.median_ms - first.median_ms) if first and last and first.median_ms is not None
                 and last.median_ms is not None else "—")
        same = ("yes" if first and last and first.queries == last.queries and first.queries is not None else
                "—" if not last or last.queries is None else "no")
        lines.append(f"| {group} | {variant} | " + " | ".join(cells) + f" | {ratio} | {delta} | {same} |")
        for m in row.values():
            if m.note:
                notes.append(f"- ×{m.scale} {group} / {variant}: {m.note}"
                             + (f"; {m.rows:,} rows" if m.rows is not None else "")
                             + (f", peak RSS {m.rss_mb:+.1f} MB above before" if m.rss_mb is not None else ""))
    if notes:
        lines += ["", *notes]
    if result.setup:
        lines += ["", *(f"- ×{s} data: {how}" for s, how in sorted(result.setup.items()))]
    return "\n".join(lines) + "\n"
