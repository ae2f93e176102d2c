"""Synthetic data at N× the 2024 baseline, for measuring the site at scale (`manage.py populate`).

The template is the baseline itself: the records of `fixtures/baseline_2024.json` (issue 3's generator
writes it). Each copy of the template is moved back a whole number of years (2 to 31, so that no copy
lands in 2024 or later: the 2024 figures stay those of the baseline and every date stays in the past),
gets new case and file numbers, and is written in its own transaction (raw rows, by COPY on PostgreSQL:
`oimsite/devtools/bulk_rows.py`). Copies keep the baseline's shape and proportions exactly, since they are the
baseline's records, moved in time.

Where the fixture is absent (a fresh clone before the baseline landed), a small built-in template with
the published 2024 proportions stands in; it is only a fallback and documents itself as such.

The written tables are ANALYZEd at the end: the planners' statistics then describe the new table sizes.
The database's triggers mark the buckets the copies write (docs/figures.md); populate then counts the
years it wrote, so that no dashboard view after it pays for the first count of a year.

The casework comes along in the same proportions: each copied case keeps its owner (the baseline's staff
accounts, created if the database lacks them), stage, assignment log, reintegration plans with their goals
(sessions linked to the copied goals) and follow-ups, all moved by the same years.

Raw writes skip `save()`: no django-simple-history rows are written for generated records (history is
for edits people make), no post_save receiver plans follow-ups (the copies carry theirs), and the rules
are not re-checked row by row: shifting every date of a record by the same number of years keeps every
rule of the model true (dates only move together, Feb 29 maps to Feb 28 so order is kept), which the
tests verify with `full_clean()` on a sample.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models.functions import Length

from oimsite.devtools.bulk_rows import Table
from oimsite.reporting import summaries
from oimsite.reporting.models import BucketCount, BucketGeneration
from reintegration.models import FollowUp, PlanGoal, ReintegrationPlan, SupportSession
from resettlement.models import FileAssignment, Refugee, ResettlementFile
from returns.models import Returnee, ReturneeAssignment, VulnerabilityCategory

BASELINE_FIXTURE = "baseline_2024.json"
FIRST_SHIFT = 2  # years: the baseline reaches into early 2025, so a shift of 2 keeps copies before 2024
SHIFT_SPAN = 30  # copies are spread over 30 different years back
MAX_SEQUENCE = 99_999  # five digits in case and file numbers


@dataclass
class PlanTemplate:
    fields: dict[str, Any]
    goals: list[dict[str, Any]] = field(default_factory=list)
    goal_pks: list[Any] = field(default_factory=list)  # the fixture's, to link the copied sessions


@dataclass
class ReturneeTemplate:
    fields: dict[str, Any]
    vulnerabilities: list[str] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    # Casework; staff accounts by username ("owner", and in the rows' `_users`).
    owner: str | None = None
    assignments: list[dict[str, Any]] = field(default_factory=list)
    plans: list[PlanTemplate] = field(default_factory=list)
    follow_ups: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class FileTemplate:
    fields: dict[str, Any]
    refugees: list[dict[str, Any]] = field(default_factory=list)
    owner: str | None = None
    assignments: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Template:
    returnees: list[ReturneeTemplate]
    files: list[FileTemplate]
    source: str
    staff: list[dict[str, Any]] = field(default_factory=list)  # the fixture's account records ("fields")

    def counts(self) -> dict[str, int]:
        """Rows one copy adds, per model label."""
        return {
            "returns.returnee": len(self.returnees),
            "returns.returnee_vulnerabilities": sum(len(r.vulnerabilities) for r in self.returnees),
            "reintegration.supportsession": sum(len(r.sessions) for r in self.returnees),
            "resettlement.resettlementfile": len(self.files),
            "resettlement.refugee": sum(len(f.refugees) for f in self.files),
            "returns.returneeassignment": sum(len(r.assignments) for r in self.returnees),
            "reintegration.reintegrationplan": sum(len(r.plans) for r in self.returnees),
            "reintegration.plangoal": sum(len(p.goals) for r in self.returnees for p in r.plans),
            "reintegration.followup": sum(len(r.follow_ups) for r in self.returnees),
            "resettlement.fileassignment": sum(len(f.assignments) for f in self.files),
        }

    @property
    def people(self) -> int:
        return len(self.returnees) + sum(len(f.refugees) for f in self.files)


# --- the template ----------------------------------------------------------------------------------

_DATE_FIELDS = {"date_of_birth", "departure_date", "consent_date", "date", "referral_date", "stage_changed_on",
                "agreed_on", "closed_on", "target_date", "due_date", "done_on", "next_due"}
_DATETIME_FIELDS = {"assigned_on", "at"}
# Links to parents and accounts: set per copy, or resolved against the database's accounts.
_USER_FIELDS = ("assigned_to", "from_user", "to_user", "by")
# Copies are for volume: a partner's support is copied without its partner (partners are not copied), a file and
# its refugees without their departure checklist (its dates would not follow the copy's shifted departure).
_SKIPPED_FIELDS = {"version", "created_at", "updated_at", "returnee", "file", "vulnerabilities", "plan", "goal",
                   "case", "partner", "travel_booked_on", "travel_booking_reference", "medical_clearance_on",
                   "exit_permit_on", "cultural_orientation_on", "cultural_orientation_exempt", *_USER_FIELDS}


def _fields(raw: dict[str, Any], users: dict[Any, str] | None = None) -> dict[str, Any]:
    """A record's own values (dates parsed), and under "_users" its accounts by username."""
    fields = {
        name: (date.fromisoformat(value) if name in _DATE_FIELDS and value
               else datetime.fromisoformat(value) if name in _DATETIME_FIELDS and value else value)
        for name, value in raw.items()
        if name not in _SKIPPED_FIELDS
    }
    if users is not None:
        fields["_users"] = {name: users.get(raw[name]) for name in _USER_FIELDS if raw.get(name) is not None}
    return fields


def baseline_fixture_path() -> Path | None:
    for directory in settings.FIXTURE_DIRS:
        path = Path(directory) / BASELINE_FIXTURE
        if path.exists():
            return path
    return None


def template_from_fixture(path: Path) -> Template:
    objects = json.loads(path.read_text(encoding="utf-8"))
    returnees: dict[Any, ReturneeTemplate] = {}
    files: dict[Any, FileTemplate] = {}
    plans: dict[Any, PlanTemplate] = {}
    users: dict[Any, str] = {}
    staff: list[dict[str, Any]] = []
    for obj in objects:
        model, raw = obj["model"], obj["fields"]
        if model == "auth.user":
            users[obj["pk"]] = raw["username"]
            staff.append(raw)
        elif model == "returns.returnee":
            codes = [v[0] if isinstance(v, list) else v for v in raw.get("vulnerabilities", [])]
            returnees[obj["pk"]] = ReturneeTemplate(_fields(raw), codes, owner=users.get(raw.get("assigned_to")))
        elif model == "returns.returneeassignment":
            returnees[raw["case"]].assignments.append(_fields(raw, users))
        elif model == "reintegration.reintegrationplan":
            plans[obj["pk"]] = PlanTemplate(_fields(raw))
            returnees[raw["returnee"]].plans.append(plans[obj["pk"]])
        elif model == "reintegration.plangoal":
            plans[raw["plan"]].goals.append(_fields(raw))
            plans[raw["plan"]].goal_pks.append(obj["pk"])
        elif model == "reintegration.supportsession":
            returnees[raw["returnee"]].sessions.append({**_fields(raw), "_goal": raw.get("goal")})
        elif model == "reintegration.followup":
            returnees[raw["returnee"]].follow_ups.append(_fields(raw, users))
        elif model == "resettlement.resettlementfile":
            files[obj["pk"]] = FileTemplate(_fields(raw), owner=users.get(raw.get("assigned_to")))
        elif model == "resettlement.fileassignment":
            files[raw["case"]].assignments.append(_fields(raw, users))
        elif model == "resettlement.refugee":
            files[raw["file"]].refugees.append(_fields(raw))
    return Template(list(returnees.values()), list(files.values()), source=str(path), staff=staff)


def builtin_template(seed: int = 2024) -> Template:
    """A stand-in for the baseline fixture with its published 2024 proportions (fallback only)."""
    rng = random.Random(seed)
    returnees: list[ReturneeTemplate] = []
    number = 0

    def person(host: str, ret: str, sex: str, age: int, departure: date) -> ReturneeTemplate:
        nonlocal number
        number += 1
        born = departure - timedelta(days=int(365.25 * age) + rng.randint(0, 300))
        vulnerable = age < 18 or (sex == "F" and rng.random() < 0.3)
        return ReturneeTemplate(
            {"case_number": f"RVA-2024-{number:05d}", "given_name": "Awa" if sex == "F" else "Moussa",
             "family_name": rng.choice(["Koné", "Diallo", "Traoré", "Camara", "Alaoui", "Bennani"]),
             "sex": sex, "date_of_birth": born, "nationality": ret, "host_country": host,
             "return_country": ret, "departure_date": departure, "status": "departed", "stage": "returned",
             "notes": "",
             "consent_date": departure - timedelta(days=30), "consent_scope": "follow_up"},
            ["child" if age < 18 else "woman_at_risk"] if vulnerable else [],
        )

    def day() -> date:
        return date(2024, 1, 1) + timedelta(days=rng.randint(0, 330))

    avrr = {"CI": 523, "SN": 453, "GN": 410, "ML": 265, "CM": 150, "BF": 120, "NG": 100, "NE": 90, "GM": 85}
    for country, count in avrr.items():
        for _ in range(count):
            age = rng.randint(8, 17) if rng.random() < 0.06 else rng.randint(18, 50)
            r = person("MA", country, "M" if rng.random() < 0.82 else "F", age, day())
            d = r.fields["departure_date"]
            if rng.random() < 0.05:
                r.sessions.append({"kind": "counselling", "phase": "pre_departure", "mode": "virtual",
                                   "date": d - timedelta(days=10), "provider": "iom_origin", "enhanced": False,
                                   "notes": ""})
            if rng.random() < 0.31:
                r.sessions.append({"kind": "cash", "phase": "post_return", "mode": "in_person",
                                   "date": d + timedelta(days=20), "provider": "iom_origin",
                                   "enhanced": bool(r.vulnerabilities) and rng.random() < 0.5, "notes": ""})
            returnees.append(r)
    for host, count in {"TR": 2550, "DE": 61, "NL": 44, "GR": 35, "EG": 22}.items():
        for _ in range(count):
            r = person(host, "MA", "M" if rng.random() < 0.97 else "F", rng.randint(18, 45), day())
            if rng.random() < 0.157:
                r.sessions.append({"kind": "economic", "phase": "post_return", "mode": "in_person",
                                   "date": r.fields["departure_date"] + timedelta(days=20),
                                   "provider": "iom_morocco", "enhanced": False, "notes": ""})
            returnees.append(r)
    files: list[FileTemplate] = []
    for n, destination in enumerate(["US"] * 45 + ["CA"] * 52, start=1):
        departure = day()
        f = FileTemplate({"file_number": f"RST-2024-{n:04d}", "destination_country": destination,
                          "stage": "arrived", "referral_date": departure - timedelta(days=300),
                          "departure_date": departure, "notes": "", "consent_date": None, "consent_scope": ""})
        for i in range(4):
            f.refugees.append({"given_name": "Omar", "family_name": "Haddad", "sex": "MF"[i % 2],
                               "date_of_birth": date(1980 + i * 8, 3, 1), "nationality": "SY",
                               "is_principal_applicant": i == 0, "relationship": "principal" if i == 0 else "child"})
        files.append(f)
    return Template(returnees, files, source="built-in stand-in (no baseline fixture found)")


def load_template() -> Template:
    path = baseline_fixture_path()
    return template_from_fixture(path) if path else builtin_template()


# --- copies ----------------------------------------------------------------------------------------

def shift_years(day: date | None, years: int) -> date | None:
    """The same day `years` earlier; 29 February becomes the 28th (monotonic, so order between dates holds)."""
    if day is None:
        return None
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class Numbering:
    """Next free `PFX-YYYY-NNNNN` number per prefix and year, continuing after what the database holds.

    When a year's five digits run out (beyond ×1,000), the prefix's last letter moves on (RVA → RVB).
    """

    def __init__(self, model: type, field_name: str, width: int) -> None:
        self.model, self.field_name, self.width = model, field_name, width
        self.next: dict[tuple[str, int], tuple[str, int]] = {}

    def _start(self, prefix: str, year: int) -> tuple[str, int]:
        while True:
            head = f"{prefix}-{year}-"
            # Longest first, then highest: "0042" and "10000" do not sort as numbers when read as text.
            last = (self.model.objects.filter(**{f"{self.field_name}__startswith": head})
                    .order_by(Length(self.field_name).desc(), f"-{self.field_name}")
                    .values_list(self.field_name, flat=True).first())
            used = int(last.rsplit("-", 1)[1]) if last else 0
            if used < MAX_SEQUENCE:
                return prefix, used
            prefix = prefix[:2] + chr(ord(prefix[2]) + 1)

    def take(self, prefix: str, year: int) -> str:
        key = (prefix, year)
        if key not in self.next:
            self.next[key] = self._start(prefix, year)
        current, used = self.next[key]
        if used >= MAX_SEQUENCE:
            current, used = self._start(current[:2] + chr(ord(current[2]) + 1), year)
        self.next[key] = (current, used + 1)
        return f"{current}-{year}-{used + 1:0{max(self.width, len(str(used + 1)))}d}"


def _own(fields: dict[str, Any]) -> dict[str, Any]:
    """A template record's model fields (without the links kept aside under "_" keys)."""
    return {name: value for name, value in fields.items() if not name.startswith("_")}


def staff_ids(template: Template) -> dict[str, int]:
    """The ids of the template's staff accounts in this database, creating those it lacks (as the baseline
    has them: no usable password, in their role's group)."""
    users = get_user_model().objects
    ids = dict(users.filter(username__in=[s["username"] for s in template.staff]).values_list("username", "pk"))
    for account in template.staff:
        if account["username"] in ids:
            continue
        user = users.create(**{name: value for name, value in account.items()
                               if name not in ("groups", "user_permissions", "last_login", "date_joined")})
        user.groups.set(Group.objects.filter(name__in=[g[0] if isinstance(g, list) else g
                                                        for g in account.get("groups", [])]))
        ids[user.username] = user.pk
    return ids


class CopyWriter:
    """The template as database rows, converted once (`bulk_rows.Table`); each copy changes only what it
    moves: ids, case and file numbers, dates, and the links between its records."""

    RETURNEE_DATES = ("date_of_birth", "departure_date", "consent_date", "stage_changed_on")
    FILE_DATES = ("referral_date", "departure_date", "consent_date", "stage_changed_on")
    OWNED = ("assigned_on",)

    def __init__(self, template: Template, vulnerability_ids: dict[str, int], user_ids: dict[str, int]) -> None:
        self.template = template
        t = template
        self.returnees, self.files = Table(Returnee), Table(ResettlementFile)
        self.sessions, self.refugees = Table(SupportSession), Table(Refugee)
        self.links = Table(Returnee.vulnerabilities.through)
        self.returnee_log, self.file_log = Table(ReturneeAssignment), Table(FileAssignment)
        self.plans, self.goals, self.follow_ups = Table(ReintegrationPlan), Table(PlanGoal), Table(FollowUp)
        # All a copy writes; the refugees last (a test interrupts a copy there).
        self.tables = (self.returnees, self.links, self.files, self.plans, self.goals, self.sessions, self.follow_ups,
                       self.returnee_log, self.file_log, self.refugees)

        def users(fields: dict[str, Any]) -> dict[str, int | None]:
            return {f"{name}_id": user_ids.get(username) for name, username in fields.get("_users", {}).items()}

        self.returnee_rows = [self.returnees.row(Returnee(**_own(r.fields), assigned_to_id=user_ids.get(r.owner)))
                              for r in t.returnees]
        self.session_rows = [[self.sessions.row(SupportSession(**_own(s))) for s in r.sessions] for r in t.returnees]
        self.file_rows = [self.files.row(ResettlementFile(**_own(f.fields), assigned_to_id=user_ids.get(f.owner)))
                          for f in t.files]
        self.refugee_rows = [[self.refugees.row(Refugee(**r)) for r in f.refugees] for f in t.files]
        self.plan_fields = [[p.fields for p in r.plans] for r in t.returnees]
        self.plan_rows = [[self.plans.row(ReintegrationPlan(**_own(p.fields))) for p in r.plans] for r in t.returnees]
        all_plans = [p for r in t.returnees for p in r.plans]
        self.goal_fields = [p.goals for p in all_plans]
        self.goal_rows = [[self.goals.row(PlanGoal(**_own(g))) for g in p.goals] for p in all_plans]
        # A session's goal, as its place among a copy's goals.
        goal_place = {pk: i for i, pk in enumerate(pk for p in all_plans for pk in p.goal_pks)}
        self.session_goals = [goal_place.get(s.get("_goal")) for r in t.returnees for s in r.sessions]
        self.follow_up_fields = [r.follow_ups for r in t.returnees]
        self.follow_up_rows = [[self.follow_ups.row(FollowUp(**_own(f), **users(f))) for f in r.follow_ups]
                               for r in t.returnees]
        self.returnee_log_fields = [r.assignments for r in t.returnees]
        self.returnee_log_rows = [[self.returnee_log.row(ReturneeAssignment(**_own(a), **users(a)))
                                   for a in r.assignments] for r in t.returnees]
        self.file_log_fields = [f.assignments for f in t.files]
        self.file_log_rows = [[self.file_log.row(FileAssignment(**_own(a), **users(a))) for a in f.assignments]
                              for f in t.files]
        self.vulnerability_ids = vulnerability_ids
        self.years: set[int] = set()  # the years the copies written so far have records in

    @staticmethod
    def _moved(table: Table, row: list[Any], fields: dict[str, Any], pk: int, shift: int,
               dates: tuple[str, ...], number: tuple[str, Numbering] | None = None,
               moments: tuple[str, ...] = ()) -> list[Any]:
        """`row` as a new record: id `pk`, every date of `dates` and date-time of `moments` `shift` years back
        and, for `number`, a new number in the year the record moves to."""
        row = list(row)
        row[table.position("id")] = pk
        for name in dates:
            row[table.position(name)] = table.date(shift_years(fields.get(name), shift))
        for name in moments:
            row[table.position(name)] = table.datetime(shift_years(fields.get(name), shift))
        if number:
            name, numbering = number
            prefix, year, _ = fields[name].split("-")
            row[table.position(name)] = numbering.take(prefix, int(year) - shift)
        return row

    def _children(self, table: Table, parent: str, children: list[list[dict[str, Any]]], rows: list[list[list[Any]]],
                  parent_ids: list[int], ids: Iterator[int], shift: int, dates: tuple[str, ...],
                  moments: tuple[str, ...] = ()) -> list[list[Any]]:
        """The rows of each parent's children (a returnee's sessions, a file's refugees), moved, each linked
        by its field `parent` to the new id of its parent."""
        link, written = table.position(parent), []
        for fields_of, rows_of, parent_id in zip(children, rows, parent_ids, strict=True):
            for fields, row in zip(fields_of, rows_of, strict=True):
                written.append(self._moved(table, row, fields, next(ids), shift, dates, moments=moments))
                written[-1][link] = parent_id
        return written

    def write(self, shift: int, case_numbers: Numbering, file_numbers: Numbering) -> dict[str, int]:
        """Write one copy of the template, `shift` years back, in one transaction; return rows per model."""
        t, moved = self.template, self._moved

        def size(rows: list[list[Any]]) -> int:
            return sum(len(of) for of in rows)

        sessions_count, refugees_count = size(self.session_rows), size(self.refugee_rows)
        links_count = sum(len(r.vulnerabilities) for r in t.returnees)
        with transaction.atomic():
            returnee_ids = self.returnees.reserve_ids(len(t.returnees))
            file_ids = self.files.reserve_ids(len(t.files))
            session_ids = iter(self.sessions.reserve_ids(sessions_count))
            refugee_ids = iter(self.refugees.reserve_ids(refugees_count))
            link_ids = iter(self.links.reserve_ids(links_count))
            plan_ids = self.plans.reserve_ids(size(self.plan_rows))
            goal_ids = self.goals.reserve_ids(size(self.goal_rows))
            follow_up_ids = iter(self.follow_ups.reserve_ids(size(self.follow_up_rows)))
            returnee_log_ids = iter(self.returnee_log.reserve_ids(size(self.returnee_log_rows)))
            file_log_ids = iter(self.file_log.reserve_ids(size(self.file_log_rows)))
            self.returnees.insert(
                moved(self.returnees, row, r.fields, pk, shift, self.RETURNEE_DATES, ("case_number", case_numbers),
                      self.OWNED)
                for r, row, pk in zip(t.returnees, self.returnee_rows, returnee_ids, strict=True))
            self.files.insert(
                moved(self.files, row, f.fields, pk, shift, self.FILE_DATES, ("file_number", file_numbers),
                      self.OWNED)
                for f, row, pk in zip(t.files, self.file_rows, file_ids, strict=True))
            self.plans.insert(self._children(
                self.plans, "returnee", self.plan_fields, self.plan_rows, returnee_ids, iter(plan_ids), shift,
                ("agreed_on", "closed_on")))
            self.goals.insert(self._children(
                self.goals, "plan", self.goal_fields, self.goal_rows, plan_ids, iter(goal_ids), shift,
                ("target_date",)))
            sessions = self._children(
                self.sessions, "returnee", [r.sessions for r in t.returnees], self.session_rows, returnee_ids,
                session_ids, shift, ("date",))
            goal = self.sessions.position("goal")
            for row, place in zip(sessions, self.session_goals, strict=True):
                row[goal] = goal_ids[place] if place is not None else None
            self.sessions.insert(sessions)
            self.links.insert(
                self.links.values(id=next(link_ids), returnee=returnee_id,
                                  vulnerabilitycategory=self.vulnerability_ids[code])
                for r, returnee_id in zip(t.returnees, returnee_ids, strict=True) for code in r.vulnerabilities)
            self.follow_ups.insert(self._children(
                self.follow_ups, "returnee", self.follow_up_fields, self.follow_up_rows, returnee_ids, follow_up_ids,
                shift, ("due_date", "done_on", "next_due")))
            self.returnee_log.insert(self._children(
                self.returnee_log, "case", self.returnee_log_fields, self.returnee_log_rows, returnee_ids,
                returnee_log_ids, shift, (), ("at",)))
            self.file_log.insert(self._children(
                self.file_log, "case", self.file_log_fields, self.file_log_rows, file_ids, file_log_ids, shift, (),
                ("at",)))
            self.refugees.insert(self._children(
                self.refugees, "file", [f.refugees for f in t.files], self.refugee_rows, file_ids, refugee_ids,
                shift, ("date_of_birth",)))
            years = {d.year for d in (shift_years(r.fields.get("departure_date"), shift) for r in t.returnees) if d}
            years |= {d.year for d in (shift_years(f.fields.get("departure_date"), shift) for f in t.files) if d}
            years |= {shift_years(s["date"], shift).year for r in t.returnees for s in r.sessions}
        self.years |= years
        return {"returnees": len(t.returnees), "sessions": sessions_count, "files": len(t.files),
                "refugees": refugees_count, "plans": len(plan_ids), "goals": len(goal_ids),
                "follow_ups": size(self.follow_up_rows),
                "assignments": size(self.returnee_log_rows) + size(self.file_log_rows)}


@dataclass
class PopulateResult:
    batches: int
    rows: dict[str, int]
    seconds: float
    source: str


class Progress:
    """A plain one-line progress bar on a terminal stream (no dependency)."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 30) -> None:
        self.total, self.stream, self.width, self.started = total, stream, width, time.monotonic()

    def update(self, done: int, people: int) -> None:
        if self.stream is None:
            return
        filled = int(self.width * done / self.total) if self.total else self.width
        elapsed = time.monotonic() - self.started
        rate = people / elapsed if elapsed else 0.0
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total} batches, "
                          f"{people:,} people, {rate:,.0f} people/s")
        if done == self.total:
            self.stream.write("\n")
        self.stream.flush()


def shifts(scale: int) -> Iterator[int]:
    for copy in range(scale):
        yield FIRST_SHIFT + copy % SHIFT_SPAN


def populate(scale: int, progress_stream: TextIO | None = sys.stderr,
             after_batch: Callable[[int], None] | None = None) -> PopulateResult:
    """Add `scale` copies of the baseline, one atomic batch per copy.

    On KeyboardInterrupt the batch being written is rolled back; `PopulateInterrupted` carries how many
    complete batches were written before it.
    """
    if not isinstance(scale, int) or isinstance(scale, bool) or scale < 1:
        raise ValueError("scale must be a positive integer")
    started = time.monotonic()
    template = load_template()
    vulnerability_ids = dict(VulnerabilityCategory.objects.values_list("code", "id"))
    missing = {c for t in template.returnees for c in t.vulnerabilities} - vulnerability_ids.keys()
    if missing:
        raise ValueError(f"unknown vulnerability categories in the template: {', '.join(sorted(missing))}")
    writer = CopyWriter(template, vulnerability_ids, staff_ids(template))
    case_numbers = Numbering(Returnee, "case_number", 5)
    file_numbers = Numbering(ResettlementFile, "file_number", 4)
    progress = Progress(scale, progress_stream)
    totals = {"returnees": 0, "sessions": 0, "files": 0, "refugees": 0, "plans": 0, "goals": 0, "follow_ups": 0,
              "assignments": 0}
    done = 0
    try:
        for shift in shifts(scale):
            rows = writer.write(shift, case_numbers, file_numbers)
            done += 1
            for key, value in rows.items():
                totals[key] += value
            progress.update(done, totals["returnees"] + totals["refugees"])
            if after_batch is not None:
                after_batch(done)
    except KeyboardInterrupt as interrupted:
        if progress_stream is not None:
            progress_stream.write("\n")
        raise PopulateInterrupted(done, totals) from interrupted
    # Statistics first: the count of the years is planned with them (the buckets' generations included: a
    # table never analyzed is taken for thousands of rows, and the reader's plan for an expensive one).
    analyze((*(table.model for table in writer.tables), BucketGeneration))
    if progress_stream is not None:
        progress_stream.write(f"Counting the dashboard's figures of {len(writer.years)} years…\n")
    summaries.warm(writer.years)
    analyze((BucketCount,))
    return PopulateResult(done, totals, time.monotonic() - started, template.source)


def analyze(models: tuple[type, ...]) -> None:
    """Fresh planner statistics for the tables of `models`, as after any bulk load.

    The planners choose indexes by how many rows they expect: with statistics from before a load (or none
    at all, SQLite's case until its first ANALYZE) they plan for the old table sizes. PostgreSQL's autovacuum
    would analyze later; SQLite never does unless told.
    """
    tables = [connection.ops.quote_name(model._meta.db_table) for model in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")


class PopulateInterrupted(Exception):
    def __init__(self, batches: int, rows: dict[str, int]) -> None:
        super().__init__(f"interrupted after {batches} complete batch(es)")
        self.batches, self.rows = batches, rows
