"""The synthetic 2024 baseline: individual records from which every published 2024 figure comes out.

`build_fixture(seed)` returns the fixture text (Django's JSON fixture format, one record per line, in
dependency order); the same seed always gives the same bytes. The published figures are targets the
generator builds towards (see BASELINE_2024.md); everything the report did not publish is drawn from
`random.Random(seed)` and documented in `fixtures/README.md`. Nothing here reads the clock or the
database, so the output depends on the seed and this file alone.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from oimsite.baseline.casework import STAFF_JOINED, Casework, CaseworkPlanner
from oimsite.baseline.departures import add_departures
from oimsite.baseline.names import POOL_BY_COUNTRY, STAFF
from oimsite.baseline.surveys import add_surveys
from oimsite.core.models_base import age_on

DEFAULT_SEED = 2024
FIXTURE_NAME = "baseline_2024.json"
# No record is dated after this day: it keeps every date in the past on any machine that might load
# the baseline, while still giving 2025 records (sessions) that the 2024 counts must skip.
LAST_DATE = date(2025, 3, 31)
YEAR = 2024

# Published figures (BASELINE_2024.md) the records must reproduce.
AVRR_PUBLISHED_COUNTRIES = {"CI": 523, "SN": 453, "GN": 410, "ML": 265}
# Not published: the other 28 countries of return (545 returnees), plausible for departures from Morocco.
AVRR_OTHER_COUNTRIES = {
    "CM": 79, "BF": 62, "NG": 55, "NE": 40, "GM": 38, "SL": 33, "LR": 25, "CD": 24, "CG": 20, "TD": 18,
    "SD": 17, "BJ": 16, "TG": 15, "GH": 14, "GA": 12, "CF": 10, "GW": 10, "MR": 9, "KM": 8, "BD": 7,
    "MG": 6, "PK": 6, "EG": 5, "LK": 4, "ET": 4, "YE": 3, "CV": 3, "BI": 2,
}
AVRR_VIRTUAL_COUNSELLED = 113
AVRR_SUPPORTED = 685
AVRR_ENHANCED = 71
MOROCCAN_HOSTS = {"TR": 2550, "DE": 61, "NL": 44, "GR": 35, "EG": 22}  # split of the 162 not published
MOROCCAN_MEN = 2631
MOROCCAN_AGED_18_35 = 2332
MOROCCAN_SUPPORTED = 426
RESETTLED_2024 = {"US": 176, "CA": 205}
# Not published: 2023 departures, slightly fewer in all and notably fewer to Canada (the report's wording).
RESETTLED_2023 = {"US": 202, "CA": 150}

# Records that must not count in 2024 (sizes are unpublished choices).
AVRR_RETURNED_2023 = 320
AVRR_SUPPORTED_2024_FROM_2023 = 120  # of the 685, returned in 2023 and still supported in 2024
AVRR_ENHANCED_FROM_2023 = 11  # of the 71
AVRR_OPEN, AVRR_WITHDRAWN = 70, 30
MOROCCANS_RETURNED_2023 = 300
MOROCCANS_OPEN, MOROCCANS_WITHDRAWN = 30, 10

AVRR_SUPPORT_KINDS = ("cash", "vocational_training", "psychosocial")
MOROCCAN_SUPPORT_KINDS = ("social", "economic", "health", "education")
CHILD_VULNERABILITIES = ("child", "unaccompanied_minor")
WOMEN_VULNERABILITIES = ("woman_at_risk", "single_parent", "gbv_survivor", "trafficking_victim")
HEALTH_VULNERABILITIES = ("medical_case", "mental_health", "disability")
REFUGEE_NATIONALITIES = {"SY": 30, "YE": 14, "SD": 14, "CF": 12, "SS": 12, "CD": 10, "CI": 5, "ET": 3}


@dataclass
class SessionRecord:
    kind: str
    phase: str
    mode: str
    day: date
    provider: str
    enhanced: bool = False
    goal: Any = None  # the plan goal it serves (casework.GoalRecord)
    pk: int = 0


@dataclass
class ReturneeRecord:
    prefix: str
    opened: date
    given_name: str
    family_name: str
    sex: str
    date_of_birth: date
    nationality: str
    host_country: str
    return_country: str
    departure_date: date | None
    status: str
    vulnerabilities: list[str] = field(default_factory=list)
    sessions: list[SessionRecord] = field(default_factory=list)
    pk: int = 0
    case_number: str = ""
    # Casework (casework.py): where the case stands and who owns it.
    stage: str = ""
    stage_changed_on: date | None = None
    closure_reason: str = ""
    owner: str | None = None
    assigned_on: datetime | None = None

    @property
    def age_at_return(self) -> int:
        assert self.departure_date is not None
        return age_on(self.date_of_birth, self.departure_date)


@dataclass
class RefugeeRecord:
    given_name: str
    family_name: str
    sex: str
    date_of_birth: date
    nationality: str
    relationship: str
    pk: int = 0


@dataclass
class FileRecord:
    destination: str
    stage: str
    referral: date
    departure: date | None
    refugees: list[RefugeeRecord] = field(default_factory=list)
    pk: int = 0
    number: str = ""
    stage_changed_on: date | None = None
    owner: str | None = None
    assigned_on: datetime | None = None


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


class BaselineGenerator:
    """Draws the synthetic people and their records; `records()` returns them numbered and ordered."""

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.returnees: list[ReturneeRecord] = []
        self.files: list[FileRecord] = []

    # --- small draws -------------------------------------------------------------------------------
    def day_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def day_in_year(self, year: int, last: date | None = None) -> date:
        # Returns slow down in summer and around the end of Ramadan, as IOM's monthly figures usually do.
        month = self.rng.choices(range(1, 13), weights=[8, 9, 9, 7, 8, 7, 7, 8, 9, 10, 10, 8])[0]
        start = date(year, month, 1)
        end = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
        if last is not None and end > last:
            end = last
        if start > end:
            start = end
        return self.day_between(start, end)

    def dob_for_age(self, on: date, age: int) -> date:
        earliest = add_years(on, -(age + 1)) + timedelta(days=1)
        born = self.day_between(earliest, add_years(on, -age))
        assert age_on(born, on) == age, (born, on, age)
        return born

    def names(self, country: str, sex: str, family: str | None = None) -> tuple[str, str]:
        pool = POOL_BY_COUNTRY[country]
        given = self.rng.choice(pool.male if sex == "M" else pool.female)
        return given, family or self.rng.choice(pool.family)

    def sample(self, population: Sequence, k: int) -> list:
        if k > len(population):
            raise ValueError(f"cannot draw {k} records from {len(population)}")
        return self.rng.sample(list(population), k)

    # --- people returning from Morocco (AVRR) ------------------------------------------------------
    def avrr_returnee(self, country: str, departure: date | None, status: str, opened: date) -> ReturneeRecord:
        rng = self.rng
        reference = departure or opened
        if rng.random() < 0.06:
            age = rng.randint(1, 17)
            sex = rng.choice("FM")
        else:
            age = int(rng.triangular(18, 52, 26))
            sex = "M" if rng.random() < 0.82 else "F"
        vulnerabilities: list[str] = []
        if age < 18:
            vulnerabilities.append("unaccompanied_minor" if age >= 14 and rng.random() < 0.35 else "child")
        elif sex == "F" and rng.random() < 0.3:
            vulnerabilities.append(rng.choice(WOMEN_VULNERABILITIES))
        if age >= 18 and rng.random() < 0.05:
            vulnerabilities.append(rng.choice(HEALTH_VULNERABILITIES))
        given, family = self.names(country, sex)
        return ReturneeRecord(
            prefix="RVA", opened=opened, given_name=given, family_name=family, sex=sex,
            date_of_birth=self.dob_for_age(reference, age), nationality=country, host_country="MA",
            return_country=country, departure_date=departure, status=status,
            vulnerabilities=sorted(set(vulnerabilities)),
        )

    def avrr(self) -> None:
        rng = self.rng
        countries = {**AVRR_PUBLISHED_COUNTRIES, **AVRR_OTHER_COUNTRIES}
        weights = list(countries.values())
        returned_2024: list[ReturneeRecord] = []
        for country, count in countries.items():
            for _ in range(count):
                departure = self.day_in_year(YEAR)
                opened = departure - timedelta(days=rng.randint(21, 150))
                returned_2024.append(self.avrr_returnee(country, departure, "departed", opened))
        returned_2023: list[ReturneeRecord] = []
        # 2023 countries include Angola, absent in 2024: a distinct-country count that ignores the year
        # would find 33.
        countries_2023 = [*countries, "AO"]
        for country in rng.choices(countries_2023, weights=[*weights, 4], k=AVRR_RETURNED_2023):
            departure = self.day_in_year(YEAR - 1)
            opened = departure - timedelta(days=rng.randint(21, 150))
            returned_2023.append(self.avrr_returnee(country, departure, "departed", opened))
        not_returned: list[ReturneeRecord] = []
        for status, count, start in (("open", AVRR_OPEN, date(2024, 9, 1)), ("withdrawn", AVRR_WITHDRAWN,
                                                                             date(2023, 6, 1))):
            for country in rng.choices(list(countries), weights=weights, k=count):
                opened = self.day_between(start, LAST_DATE - timedelta(days=14))
                not_returned.append(self.avrr_returnee(country, None, status, opened))
        self.returnees += returned_2024 + returned_2023 + not_returned

        self.avrr_predeparture(returned_2024, returned_2023, not_returned)
        self.avrr_post_return(returned_2024, returned_2023)

    def counselling(self, mode: str, provider: str, day: date) -> SessionRecord:
        return SessionRecord("counselling", "pre_departure", mode, day, provider)

    def avrr_predeparture(self, returned_2024: list[ReturneeRecord], returned_2023: list[ReturneeRecord],
                          not_returned: list[ReturneeRecord]) -> None:
        rng = self.rng
        # Counted: virtual counselling by IOM in the country of origin, before departure (one or two sessions).
        virtual_origin = self.sample(returned_2024, AVRR_VIRTUAL_COUNSELLED)
        for person in virtual_origin:
            assert person.departure_date is not None
            day = person.departure_date - timedelta(days=rng.randint(3, 45))
            person.sessions.append(self.counselling("virtual", "iom_origin", day))
            if rng.random() < 0.25:
                earlier = day - timedelta(days=rng.randint(7, 30))
                person.sessions.append(self.counselling("virtual", "iom_origin", earlier))
        # Not counted: the usual in-person counselling by IOM Morocco, and virtual sessions held by IOM Morocco.
        for person in self.sample(returned_2024, 650):
            assert person.departure_date is not None
            day = person.departure_date - timedelta(days=rng.randint(7, 90))
            person.sessions.append(self.counselling("in_person", "iom_morocco", day))
        chosen = {id(p) for p in virtual_origin}
        others = [p for p in returned_2024 if id(p) not in chosen]
        for person in self.sample(others, 60):
            assert person.departure_date is not None
            day = person.departure_date - timedelta(days=rng.randint(3, 60))
            person.sessions.append(self.counselling("virtual", "iom_morocco", day))
        # Not counted: virtual counselling from the country of origin for 2023 returns and for open cases.
        for person in self.sample(returned_2023, 25):
            assert person.departure_date is not None
            day = person.departure_date - timedelta(days=rng.randint(3, 45))
            person.sessions.append(self.counselling("virtual", "iom_origin", day))
        for person in self.sample([p for p in not_returned if p.status == "open"], 20):
            day = self.day_between(person.opened, LAST_DATE)
            person.sessions.append(self.counselling("virtual", "iom_origin", day))
        for person in self.sample([p for p in not_returned if p.status == "withdrawn"], 8):
            person.sessions.append(
                self.counselling("in_person", "iom_morocco", self.day_between(person.opened, LAST_DATE))
            )

    def support_sessions(self, person: ReturneeRecord, kinds: Sequence[str], providers: Sequence[str],
                         first: date, last: date, enhanced: bool) -> None:
        """One to four support sessions from `first`, none after `last`; the first is reinforced if asked."""
        rng = self.rng
        count = rng.choices([1, 2, 3, 4], weights=[30, 35, 25, 10])[0]
        day = first
        for index in range(count):
            if day > last:
                break
            kind = "cash" if index == 0 and "cash" in kinds and rng.random() < 0.6 else rng.choice(kinds)
            mode = "virtual" if kind == "psychosocial" and rng.random() < 0.3 else "in_person"
            provider = rng.choice(providers)
            person.sessions.append(SessionRecord(
                kind, "post_return", mode, day, provider, enhanced=enhanced and (index == 0 or rng.random() < 0.5)
            ))
            day += timedelta(days=rng.randint(14, 75))

    def first_session(self, departure: date, start: date, end: date) -> date:
        start = max(start, departure + timedelta(days=3))
        return self.day_between(start, min(end, start + timedelta(days=60)))

    def avrr_post_return(self, returned_2024: list[ReturneeRecord], returned_2023: list[ReturneeRecord]) -> None:
        rng = self.rng
        providers = ("iom_origin", "iom_origin", "partner")
        year_start, year_end = date(YEAR, 1, 1), date(YEAR, 12, 31)
        # Late-December returns cannot be supported in 2024 after their return: keep them for the 2025 trap.
        eligible = [p for p in returned_2024 if p.departure_date <= date(YEAR, 12, 10)]
        late = [p for p in returned_2024 if p.departure_date > date(YEAR, 12, 10)]

        def split(pool: list[ReturneeRecord], supported: int, enhanced: int):
            vulnerable = [p for p in pool if p.vulnerabilities]
            reinforced = self.sample(vulnerable, enhanced)
            chosen = {id(p) for p in reinforced}
            plain = self.sample([p for p in pool if id(p) not in chosen], supported - enhanced)
            return reinforced, plain

        from_2024 = AVRR_SUPPORTED - AVRR_SUPPORTED_2024_FROM_2023
        reinforced, plain = split(eligible, from_2024, AVRR_ENHANCED - AVRR_ENHANCED_FROM_2023)
        reinforced_ids = {id(p) for p in reinforced}
        for person in reinforced + plain:
            first = self.first_session(person.departure_date, year_start, year_end)
            self.support_sessions(person, AVRR_SUPPORT_KINDS, providers, first, LAST_DATE, id(person) in reinforced_ids)
        # Not counted as a pre-departure session: virtual counselling from the country of origin, after return.
        counselled = {id(p) for p in returned_2024 if any(s.phase == "pre_departure" and s.mode == "virtual"
                                                           and s.provider == "iom_origin" for s in p.sessions)}
        for person in self.sample([p for p in plain if id(p) not in counselled], 25):
            day = self.day_between(person.departure_date, year_end)
            person.sessions.append(SessionRecord("counselling", "post_return", "virtual", day, "iom_origin"))

        reinforced_2023, plain_2023 = split(returned_2023, AVRR_SUPPORTED_2024_FROM_2023, AVRR_ENHANCED_FROM_2023)
        reinforced_ids = {id(p) for p in reinforced_2023}
        for person in reinforced_2023 + plain_2023:
            if person.departure_date <= date(YEAR - 1, 11, 30) and rng.random() < 0.6:
                day = self.first_session(person.departure_date, date(YEAR - 1, 1, 1), date(YEAR - 1, 12, 31))
                person.sessions.append(SessionRecord(rng.choice(AVRR_SUPPORT_KINDS), "post_return", "in_person",
                                                     day, rng.choice(providers)))
            first = self.first_session(person.departure_date, year_start, date(YEAR, 6, 30))
            self.support_sessions(person, AVRR_SUPPORT_KINDS, providers, first, LAST_DATE, id(person) in reinforced_ids)
        # Not counted in 2024: support given only in 2023 (some reinforced), or only in 2025.
        supported = {id(p) for p in reinforced_2023 + plain_2023}
        only_2023 = [p for p in returned_2023 if id(p) not in supported and p.departure_date <= date(YEAR - 1, 12, 1)]
        for person in self.sample(only_2023, 100):
            first = self.first_session(person.departure_date, date(YEAR - 1, 1, 1), date(YEAR - 1, 12, 31))
            self.support_sessions(person, AVRR_SUPPORT_KINDS, providers, first, date(YEAR - 1, 12, 31),
                                  bool(person.vulnerabilities))
        for person in self.sample(late, 20):
            first = self.first_session(person.departure_date, date(YEAR + 1, 1, 2), date(YEAR + 1, 2, 28))
            self.support_sessions(person, AVRR_SUPPORT_KINDS, providers, first, LAST_DATE, False)

    # --- Moroccans returning home ------------------------------------------------------------------
    def moroccan(self, host: str, sex: str, age: int, departure: date | None, status: str,
                 opened: date) -> ReturneeRecord:
        rng = self.rng
        vulnerabilities: list[str] = []
        if age < 18:
            vulnerabilities.append("unaccompanied_minor")
        elif sex == "F" and rng.random() < 0.15:
            vulnerabilities.append(rng.choice(("woman_at_risk", "trafficking_victim")))
        elif rng.random() < 0.03:
            vulnerabilities.append(rng.choice(("medical_case", "mental_health")))
        given, family = self.names("MA", sex)
        return ReturneeRecord(
            prefix="RMA", opened=opened, given_name=given, family_name=family, sex=sex,
            date_of_birth=self.dob_for_age(departure or opened, age), nationality="MA", host_country=host,
            return_country="MA", departure_date=departure, status=status, vulnerabilities=vulnerabilities,
        )

    def moroccan_age(self, young: bool) -> int:
        if young:
            return self.rng.choices(range(18, 36), weights=[3, 4, 5, 6, 7, 8, 8, 8, 8, 7, 7, 6, 5, 5, 4, 3, 3, 2])[0]
        return self.rng.choice([15, 16, 17] * 2 + list(range(36, 56)) + list(range(36, 46)))

    def moroccans(self) -> None:
        rng = self.rng
        total = sum(MOROCCAN_HOSTS.values())
        hosts = [host for host, count in MOROCCAN_HOSTS.items() for _ in range(count)]
        rng.shuffle(hosts)
        women = set(self.sample(range(total), total - MOROCCAN_MEN))
        young = set(self.sample(range(total), MOROCCAN_AGED_18_35))
        returned_2024: list[ReturneeRecord] = []
        for index, host in enumerate(hosts):
            departure = self.day_in_year(YEAR)
            opened = departure - timedelta(days=rng.randint(14, 120))
            sex = "F" if index in women else "M"
            returned_2024.append(self.moroccan(host, sex, self.moroccan_age(index in young), departure,
                                               "departed", opened))
        # 2023 hosts include Libya, absent in 2024.
        returned_2023: list[ReturneeRecord] = []
        for host in rng.choices([*MOROCCAN_HOSTS, "LY"], weights=[85, 4, 3, 3, 2, 3], k=MOROCCANS_RETURNED_2023):
            departure = self.day_in_year(YEAR - 1)
            opened = departure - timedelta(days=rng.randint(14, 120))
            sex = "M" if rng.random() < 0.96 else "F"
            returned_2023.append(self.moroccan(host, sex, self.moroccan_age(rng.random() < 0.85), departure,
                                               "departed", opened))
        for status, count in (("open", MOROCCANS_OPEN), ("withdrawn", MOROCCANS_WITHDRAWN)):
            for host in rng.choices(list(MOROCCAN_HOSTS), weights=[90, 3, 3, 2, 2], k=count):
                opened = self.day_between(date(2024, 6, 1), LAST_DATE - timedelta(days=14))
                self.returnees.append(self.moroccan(host, "M", self.moroccan_age(True), None, status, opened))
        self.returnees += returned_2024 + returned_2023

        providers = ("iom_morocco", "iom_morocco", "iom_morocco", "partner", "partner")
        eligible = [p for p in returned_2024 if p.departure_date <= date(YEAR, 12, 10)]
        for person in self.sample(eligible, MOROCCAN_SUPPORTED):
            first = self.first_session(person.departure_date, date(YEAR, 1, 1), date(YEAR, 12, 31))
            self.support_sessions(person, MOROCCAN_SUPPORT_KINDS, providers, first, LAST_DATE,
                                  bool(person.vulnerabilities) and rng.random() < 0.5)
        # Not counted: 2023 returns supported in 2024 or in 2023 only, 2024 returns supported only in 2025.
        late = [p for p in returned_2024 if p.departure_date > date(YEAR, 12, 10)]
        for person in self.sample(late, 15):
            first = self.first_session(person.departure_date, date(YEAR + 1, 1, 2), date(YEAR + 1, 2, 28))
            self.support_sessions(person, MOROCCAN_SUPPORT_KINDS, providers, first, LAST_DATE, False)
        helped = self.sample(returned_2023, 70)
        for person in helped[:40]:
            first = self.first_session(person.departure_date, date(YEAR, 1, 1), date(YEAR, 6, 30))
            self.support_sessions(person, MOROCCAN_SUPPORT_KINDS, providers, first, LAST_DATE, False)
        for person in helped[40:]:
            if person.departure_date <= date(YEAR - 1, 12, 1):
                first = self.first_session(person.departure_date, date(YEAR - 1, 1, 1), date(YEAR - 1, 12, 31))
                self.support_sessions(person, MOROCCAN_SUPPORT_KINDS, providers, first, date(YEAR - 1, 12, 31),
                                      False)

    # --- resettlement ------------------------------------------------------------------------------
    def family(self, nationality: str, size: int, referral: date) -> list[RefugeeRecord]:
        rng = self.rng
        principal_age = rng.randint(22, 55)
        principal_sex = "M" if rng.random() < 0.65 else "F"
        principal_dob = self.dob_for_age(referral, principal_age)
        given, family_name = self.names(nationality, principal_sex)
        members = [RefugeeRecord(given, family_name, principal_sex, principal_dob, nationality, "principal")]
        if size >= 2 and rng.random() < 0.8:
            sex = "F" if principal_sex == "M" else "M"
            age = max(18, principal_age + rng.randint(-8, 6))
            # In Arab and East African naming a spouse keeps his or her own family name.
            keeps_own = POOL_BY_COUNTRY[nationality] is POOL_BY_COUNTRY["SY"]
            members.append(RefugeeRecord(*self.names(nationality, sex, None if keeps_own else family_name), sex,
                                         self.dob_for_age(referral, age), nationality, "spouse"))
        while len(members) < size:
            roll = rng.random()
            sex = rng.choice("FM")
            if roll < 0.06 and principal_age <= 45:
                relationship, age = "parent", principal_age + rng.randint(20, 30)
            elif roll < 0.12:
                relationship, age = "sibling", max(12, principal_age + rng.randint(-8, 8))
            else:
                relationship, age = "child", rng.randint(0, min(17, principal_age - 18))
            members.append(RefugeeRecord(*self.names(nationality, sex, family_name), sex,
                                         self.dob_for_age(referral, age), nationality, relationship))
        return members

    def family_size(self) -> int:
        return self.rng.choices(range(1, 9), weights=[15, 14, 18, 20, 15, 10, 5, 3])[0]

    def departed_files(self, year: int, targets: dict[str, int]) -> None:
        rng = self.rng
        nationalities, weights = list(REFUGEE_NATIONALITIES), list(REFUGEE_NATIONALITIES.values())
        for destination, target in targets.items():
            # Resettlement countries move refugees in groups: a dozen or so departure days per year.
            flights = sorted({self.day_in_year(year) for _ in range(14)})
            remaining = target
            while remaining:
                size = min(self.family_size(), remaining)
                remaining -= size
                departure = rng.choice(flights)
                referral = departure - timedelta(days=rng.randint(240, 720))
                stage = "departed" if departure >= date(year, 12, 1) and rng.random() < 0.5 else "arrived"
                nationality = rng.choices(nationalities, weights=weights)[0]
                self.files.append(FileRecord(destination, stage, referral, departure,
                                             self.family(nationality, size, referral)))

    def resettlement(self) -> None:
        rng = self.rng
        self.departed_files(YEAR, RESETTLED_2024)
        self.departed_files(YEAR - 1, RESETTLED_2023)
        nationalities, weights = list(REFUGEE_NATIONALITIES), list(REFUGEE_NATIONALITIES.values())
        # Not counted in 2024: files still in progress or withdrawn. (No departure in 2025: the dashboard
        # opens on the latest year with departures, which must be the report's year.)
        pending = [("referred", 12), ("interviewed", 10), ("accepted", 8), ("ready", 9), ("withdrawn", 6)]
        for stage, count in pending:
            for _ in range(count):
                destination = rng.choices(["US", "CA", "FR", "SE"], weights=[40, 45, 10, 5])[0]
                referral = self.day_between(date(YEAR - 1, 6, 1), LAST_DATE - timedelta(days=7))
                nationality = rng.choices(nationalities, weights=weights)[0]
                self.files.append(FileRecord(destination, stage, referral, None,
                                             self.family(nationality, self.family_size(), referral)))

    # --- numbering and output ----------------------------------------------------------------------
    def records(self) -> tuple[list[ReturneeRecord], list[tuple[ReturneeRecord, SessionRecord]], list[FileRecord]]:
        self.avrr()
        self.moroccans()
        self.resettlement()
        # Case numbers count the cases opened in a year under each programme's prefix, in opening order.
        ordered = sorted(enumerate(self.returnees), key=lambda item: (item[1].opened, item[1].prefix, item[0]))
        sequence: dict[tuple[str, int], int] = {}
        for pk, (_, person) in enumerate(ordered, start=1):
            key = (person.prefix, person.opened.year)
            sequence[key] = sequence.get(key, 0) + 1
            person.pk = pk
            person.case_number = f"{person.prefix}-{person.opened.year}-{sequence[key]:05d}"
        returnees = [person for _, person in ordered]
        sessions = sorted(((person, s) for person in returnees for s in person.sessions),
                          key=lambda item: (item[1].day, item[0].pk))
        for pk, (_, session) in enumerate(sessions, start=1):
            session.pk = pk
        files = sorted(enumerate(self.files), key=lambda item: (item[1].referral, item[0]))
        file_sequence: dict[int, int] = {}
        refugee_pk = 0
        for pk, (_, file) in enumerate(files, start=1):
            file_sequence[file.referral.year] = file_sequence.get(file.referral.year, 0) + 1
            file.pk = pk
            file.number = f"RST-{file.referral.year}-{file_sequence[file.referral.year]:04d}"
            for refugee in file.refugees:
                refugee_pk += 1
                refugee.pk = refugee_pk
        return returnees, sessions, [file for _, file in files]


def _timestamp(day: date, hour: int) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00Z"


def _moment(when: datetime | None) -> str | None:
    return f"{when.isoformat()}Z" if when else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# Staff accounts take ids from here: far above the accounts a database has before the load (the
# administrator `make setup` creates is 1), so loading never clashes with them. Given as ids rather than
# usernames (natural keys) because looking up tens of thousands of usernames made the load several times slower.
FIRST_STAFF_PK = 9001
STAFF_PKS = {member.username: FIRST_STAFF_PK + index for index, member in enumerate(STAFF)}


def _user(username: str | None) -> int | None:
    return STAFF_PKS[username] if username else None


def fixture_objects(seed: int = DEFAULT_SEED) -> list[dict]:
    """The baseline as Django fixture objects, in dependency order."""
    generator = BaselineGenerator(seed)
    returnees, sessions, files = generator.records()
    casework = CaseworkPlanner(seed, LAST_DATE).run(returnees, files)
    objects: list[dict] = [*_staff_objects(casework)]
    for person in returnees:
        last = max([person.opened, person.departure_date or person.opened, *(s.day for s in person.sessions),
                    person.stage_changed_on or person.opened])
        objects.append({"model": "returns.returnee", "pk": person.pk, "fields": {
            "case_number": person.case_number, "given_name": person.given_name, "family_name": person.family_name,
            "sex": person.sex, "date_of_birth": _iso(person.date_of_birth), "nationality": person.nationality,
            "host_country": person.host_country, "return_country": person.return_country,
            "departure_date": _iso(person.departure_date), "status": person.status, "stage": person.stage,
            "stage_changed_on": _iso(person.stage_changed_on), "closure_reason": person.closure_reason,
            "assigned_to": _user(person.owner), "assigned_on": _moment(person.assigned_on),
            "vulnerabilities": [[code] for code in person.vulnerabilities], "notes": "",
            "consent_date": _iso(person.opened), "consent_scope": "follow_up",
            "version": 1, "created_at": _timestamp(person.opened, 9), "updated_at": _timestamp(last, 17),
        }})
    objects += _assignment_objects("returns.returneeassignment", casework.returnee_assignments)
    for plan in casework.plans:
        objects.append({"model": "reintegration.reintegrationplan", "pk": plan.pk, "fields": {
            "returnee": plan.returnee.pk, "status": plan.status, "agreed_on": _iso(plan.agreed_on),
            "closed_on": _iso(plan.closed_on), "closure_reason": plan.closure_reason, "notes": "",
            "version": 1, "created_at": _timestamp(plan.created, 10), "updated_at": _timestamp(plan.updated, 17),
        }})
    for plan in casework.plans:
        for goal in plan.goals:
            objects.append({"model": "reintegration.plangoal", "pk": goal.pk, "fields": {
                "plan": plan.pk, "dimension": goal.dimension, "need": goal.need,
                "planned_support": goal.planned_support,
                "budget_mad": None if goal.budget is None else f"{goal.budget}.00",
                "target_date": _iso(goal.target), "status": goal.status, "outcome": goal.outcome,
                "version": 1, "created_at": _timestamp(plan.created, 10), "updated_at": _timestamp(plan.updated, 17),
            }})
    for person, session in sessions:
        objects.append({"model": "reintegration.supportsession", "pk": session.pk, "fields": {
            "returnee": person.pk, "kind": session.kind, "phase": session.phase, "mode": session.mode,
            "date": _iso(session.day), "provider": session.provider, "enhanced": session.enhanced,
            "goal": session.goal.pk if session.goal is not None else None, "notes": "",
            "version": 1, "created_at": _timestamp(session.day, 16), "updated_at": _timestamp(session.day, 16),
        }})
    for follow_up in casework.follow_ups:
        objects.append({"model": "reintegration.followup", "pk": follow_up.pk, "fields": {
            "returnee": follow_up.returnee.pk, "kind": follow_up.kind, "due_date": _iso(follow_up.due),
            "assigned_to": _user(follow_up.owner), "done_on": _iso(follow_up.done_on), "outcome": follow_up.outcome,
            "notes": follow_up.notes, "next_due": None, "scheduled": True, "version": 1,
            "created_at": _timestamp(follow_up.returnee.departure_date, 17),
            "updated_at": _timestamp(follow_up.done_on or follow_up.returnee.departure_date, 17),
        }})
    for file in files:
        updated = _timestamp(max(file.departure or file.referral, file.stage_changed_on or file.referral), 17)
        objects.append({"model": "resettlement.resettlementfile", "pk": file.pk, "fields": {
            "file_number": file.number, "destination_country": file.destination, "stage": file.stage,
            "stage_changed_on": _iso(file.stage_changed_on), "assigned_to": _user(file.owner),
            "assigned_on": _moment(file.assigned_on),
            "referral_date": _iso(file.referral), "departure_date": _iso(file.departure), "notes": "",
            "consent_date": _iso(file.referral), "consent_scope": "data_sharing",
            "version": 1, "created_at": _timestamp(file.referral, 9), "updated_at": updated,
        }})
    objects += _assignment_objects("resettlement.fileassignment", casework.file_assignments)
    for file in files:
        for refugee in file.refugees:
            objects.append({"model": "resettlement.refugee", "pk": refugee.pk, "fields": {
                "file": file.pk, "given_name": refugee.given_name, "family_name": refugee.family_name,
                "sex": refugee.sex, "date_of_birth": _iso(refugee.date_of_birth),
                "nationality": refugee.nationality, "is_principal_applicant": refugee.relationship == "principal",
                "relationship": refugee.relationship,
                "version": 1, "created_at": _timestamp(file.referral, 9),
                "updated_at": _timestamp(file.departure or file.referral, 17),
            }})
    return add_surveys(add_departures(objects, returnees, files, seed, _user), casework, seed, _user)


def _staff_objects(casework: Casework) -> list[dict]:
    """The staff accounts, each in its role's group (by name). No usable password: "!" is Django's mark of
    an unusable one; an administrator sets a password to let someone log in."""
    return [{"model": "auth.user", "pk": STAFF_PKS[member.username], "fields": {
        "password": "!", "last_login": None, "is_superuser": False, "username": member.username,
        "first_name": member.first_name, "last_name": member.last_name, "email": "", "is_staff": True,
        "is_active": True, "date_joined": _timestamp(STAFF_JOINED, 9), "groups": [[member.role]],
        "user_permissions": [],
    }} for member in casework.staff]


def _assignment_objects(model: str, rows: list) -> list[dict]:
    return [{"model": model, "pk": row.pk, "fields": {
        "case": row.case.pk, "from_user": _user(row.from_user), "to_user": _user(row.to_user), "by": _user(row.by),
        "at": _moment(row.at), "reason": row.reason,
    }} for row in rows]


def render_fixture(objects: list[dict]) -> str:
    """JSON with one record per line: small diffs, and still a plain Django fixture."""
    lines = [json.dumps(obj, ensure_ascii=False) for obj in objects]
    return "[\n" + ",\n".join(lines) + "\n]\n"


def build_fixture(seed: int = DEFAULT_SEED) -> str:
    return render_fixture(fixture_objects(seed))


def write_fixture(out_dir: Path, seed: int = DEFAULT_SEED) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FIXTURE_NAME
    path.write_bytes(build_fixture(seed).encode("utf-8"))
    return path
