"""The annual report's indicators, computed from the records for any year.

One module, used by the dashboard, the admin index, the reconciliation page, `manage.py report` and the
tests. The counting rule of each indicator is in docs/indicators.md; the counts come from
oimsite/reporting/counting.py (three one-pass grouped queries, whatever the amount of data), through the
stored per-bucket counts of oimsite/reporting/summaries.py, which database triggers keep true on every
write path (docs/figures.md). Here each indicator is composed from those counts, with its definition, its
drill-down and the published figure it is checked against.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db import connections, router
from django.db.models import Model
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from oimsite.reporting import summaries
from oimsite.reporting.counting import FROM_MOROCCO, TO_MOROCCO, Counts, Group, count_records, kind_key
from oimsite.reporting.counting import LIVE_QUERY_COUNT as LIVE_QUERY_COUNT
from oimsite.reporting.keys import rank
from oimsite.reporting.models import PublishedFigure
from reintegration.models import Kind, SupportSession
from resettlement.models import ResettlementFile
from returns.models import AgeBand, Returnee

# SQL queries issued by `compute()` when every stored count of the year is current (the generations with
# the stored counts, the published figures); pinned by tests, independent of the data.
QUERY_COUNT = summaries.READ_QUERY_COUNT + 1


class Status:
    MATCH = "match"
    ROUNDING = "rounding"
    MISMATCH = "mismatch"

    LABELS = {MATCH: _("Match"), ROUNDING: _("Rounding"), MISMATCH: _("Mismatch")}


def percent(numerator: int, denominator: int | None) -> Decimal | None:
    """Share in percent, one decimal, rounded half up as a reader expects (426/2712 → 15.7)."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Comparison:
    """A published figure set against the value computed from the records."""

    figure: PublishedFigure
    computed: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        if self.computed is None:
            return None
        return self.computed - self.figure.value

    @property
    def status(self) -> str:
        if self.computed is None:
            return Status.MISMATCH
        if not self.figure.is_percent:
            return Status.MATCH if self.computed == self.figure.value else Status.MISMATCH
        # A percentage matches when the computed share, rounded as the publication rounded, gives it; it is
        # only a rounding difference when the two are less than one unit of the published last digit apart
        # (426/2,712 = 15.7 % published as 15 %).
        quantum = self.figure.quantum()
        if self.computed.quantize(quantum, rounding=ROUND_HALF_UP) == self.figure.value:
            return Status.MATCH
        if abs(self.computed - self.figure.value) < quantum:
            return Status.ROUNDING
        return Status.MISMATCH

    @property
    def status_label(self) -> Promise:
        return Status.LABELS[self.status]


@dataclass
class Indicator:
    key: str
    label: str | Promise
    definition: str | Promise
    value: int
    url: str
    denominator: int | None = None
    comparisons: list[Comparison] = field(default_factory=list)
    # The same indicator in the year before, when the dashboard shows the two (oimsite/reporting/comparison.py).
    previous: Indicator | None = None

    @property
    def numerator(self) -> int:
        return self.value

    @property
    def is_share(self) -> bool:
        return self.denominator is not None

    @property
    def share(self) -> Decimal | None:
        return percent(self.value, self.denominator) if self.is_share else None

    @property
    def published(self) -> PublishedFigure | None:
        return self.comparisons[0].figure if self.comparisons else None

    @property
    def difference(self) -> Decimal | None:
        return self.comparisons[0].difference if self.comparisons else None


@dataclass
class BreakdownRow:
    label: str | Promise
    value: int
    url: str
    code: str = ""
    # The row's value in the year before (None: not compared), set by oimsite/reporting/comparison.py.
    previous: int | None = None


@dataclass
class Breakdown:
    key: str
    title: str | Promise
    rows: list[BreakdownRow]
    total: int | None = None
    total_url: str = ""

    @property
    def dom_id(self) -> str:
        return "breakdown-" + self.key.replace(".", "-")

    @property
    def maximum(self) -> int:
        return max((row.value for row in self.rows), default=0)


@dataclass
class Report:
    year: int
    indicators: dict[str, Indicator]
    breakdowns: dict[str, Breakdown]
    published: list[PublishedFigure]

    def __getitem__(self, key: str) -> Indicator:
        return self.indicators[key]

    def headline(self, programme: str) -> list[Indicator]:
        return [i for i in self.indicators.values() if i.key.startswith(programme + ".") and ".by_" not in i.key]

    def comparisons(self) -> list[tuple[Indicator | None, Comparison]]:
        """Every published figure of the year with what the records give (missing indicator: mismatch), in
        the report's order: that of the indicators, a count before its percentage."""
        position = {key: i for i, key in enumerate(self.indicators)}
        rows = []
        for figure in self.published:
            key, is_share = (figure.key.removesuffix(".share"), True) if figure.key.endswith(".share") else (
                figure.key, False)
            indicator = self.indicators.get(key)
            if indicator is None:
                # No record at all: a count is zero, a share is undefined.
                computed = None if is_share else Decimal(0)
            elif is_share:
                computed = indicator.share
            else:
                computed = Decimal(indicator.value)
            rows.append((indicator, Comparison(figure, computed)))
        rows.sort(key=lambda row: (position.get(row[1].figure.base_key, len(position)), row[1].figure.is_share))
        return rows

    def as_dict(self) -> dict[str, int | float]:
        """Each key to its count; shares also as `<key>.percent`."""
        data: dict[str, int | float] = {}
        for key, indicator in self.indicators.items():
            data[key] = indicator.value
            if indicator.share is not None:
                data[f"{key}.percent"] = float(indicator.share)
        return data


def list_url(name: str, **params: object) -> str:
    """The URL of a list view filtered by `params` (the drill-down of a number)."""
    query = urlencode([(k, v) for k, v in params.items() if v is not None and v != ""])
    return f"{reverse(name)}?{query}" if query else reverse(name)


def returnees_url(**params: object) -> str:
    return list_url("returns:returnee_list", **params)


def sessions_url(**params: object) -> str:
    return list_url("reintegration:session_list", **params)


def refugees_url(**params: object) -> str:
    return list_url("resettlement:refugee_list", **params)


def country_name(code: str) -> str:
    return str(countries.name(code)) or code


# The dated records that give a year its dashboard: a return, a session, a file's referral or departure.
# The first two (a return, a resettlement departure) are what the annual report is about.
_RECORD_DATES: tuple[tuple[type[Model], str], ...] = (
    (Returnee, "departure_date"),
    (ResettlementFile, "departure_date"),
    (SupportSession, "date"),
    (ResettlementFile, "referral_date"),
)
_DEPARTURE_DATES = 2


@dataclass(frozen=True)
class RecordYears:
    """The years with any record, and those with a return or a resettlement departure, latest first."""

    all: list[int]
    with_departures: list[int]

    @property
    def default(self) -> int | None:
        """The year a report opens on: the latest with departures, else the latest with any record."""
        years = self.with_departures or self.all
        return years[0] if years else None


def record_years() -> RecordYears:
    """Every year with a record (a return, a session, a file's referral or departure), in one query that
    reads one index entry per year and date column, whatever the amount of data."""
    per_column = _distinct_years(_RECORD_DATES)
    departures = set().union(*per_column[:_DEPARTURE_DATES])
    every = departures.union(*per_column[_DEPARTURE_DATES:])
    return RecordYears(sorted(every, reverse=True), sorted(departures, reverse=True))


def years_with_records() -> list[int]:
    """Every year with a record (a return, a session, a file's referral or departure), latest first."""
    return record_years().all


# The first day of the year after {d}, per database: the step of the skip scan below.
_NEXT_YEAR_SQL = {
    "postgresql": "CAST(DATE_TRUNC('year', {d}) + INTERVAL '1 year' AS date)",
    "sqlite": "DATE({d}, 'start of year', '+1 year')",
}


def _distinct_years(columns: Iterable[tuple[type[Model], str]]) -> list[set[int]]:
    """The years of each (model, date column), in one query that reads one index entry per year: a
    recursive "skip scan" per column, jumping from each year's first date to the next year's, instead of a
    DISTINCT over every row (which grows with the table)."""
    columns = list(columns)
    connection = connections[router.db_for_read(columns[0][0])]
    step = _NEXT_YEAR_SQL.get(connection.vendor)
    if step is None or any(connections[router.db_for_read(model)] != connection for model, _col in columns):
        # Another database (or the tables apart): a plain DISTINCT per column.
        return [{d.year for d in model._default_manager.filter(**{f"{column}__isnull": False}).dates(column, "year")}
                for model, column in columns]
    quote = connection.ops.quote_name
    scans, selects = [], []
    for i, (model, column) in enumerate(columns):
        table, col, name = quote(model._meta.db_table), quote(column), f"y{i}"
        scans.append(f"{name}(d) AS (SELECT MIN({col}) FROM {table} WHERE {col} IS NOT NULL "
                     f"UNION ALL SELECT (SELECT MIN({col}) FROM {table} WHERE {col} >= {step.format(d=name + '.d')}) "
                     f"FROM {name} WHERE {name}.d IS NOT NULL)")
        selects.append(f"SELECT {i}, d FROM {name} WHERE d IS NOT NULL")
    years: list[set[int]] = [set() for _column in columns]
    with connection.cursor() as cursor:
        cursor.execute(f"WITH RECURSIVE {', '.join(scans)} {' UNION ALL '.join(selects)}")
        for index, day in cursor.fetchall():
            years[index].add(int(str(day)[:4]))
    return years


def compute_years(years: Iterable[int]) -> dict[int, Report]:
    """`compute(year)` of each of `years`, their stored counts read and their stale buckets recounted
    together (`summaries.counts_of`)."""
    return {year: compute(year, counts=counted) for year, counted in summaries.counts_of(years).items()}


def compute(year: int, *, live: bool = False, counts: Counts | None = None) -> Report:
    """All the indicators and breakdowns of `year`: from the stored counts of the year, the buckets written
    since recounted (`QUERY_COUNT` queries when none was; see oimsite/reporting/summaries.py); `live=True`
    counts every record of the year and stores nothing; `counts`: the year's counts, already read."""
    if counts is None:
        counts = count_records(year) if live else summaries.counts(year)
    indicators: dict[str, Indicator] = {}
    breakdowns: dict[str, Breakdown] = {}

    def add(indicator: Indicator) -> Indicator:
        indicators[indicator.key] = indicator
        return indicator

    people = [Group(*row) for row in counts["people"]]
    sessions = counts["sessions"]
    avrr_params = {"programme": FROM_MOROCCO, "returned_in": year}
    mor_params = {"programme": TO_MOROCCO, "returned_in": year}

    def total(prog: str, **match: str) -> int:
        return sum(g.n for g in people if g.programme == prog and all(getattr(g, k) == v for k, v in match.items()))

    # 1. Returns from Morocco in the year: size, countries, virtual counselling before departure.
    avrr_total = total(FROM_MOROCCO)
    add(Indicator(
        "avrr.returned", _("Assisted voluntary returns from Morocco"),
        _("Migrants who left Morocco for their country of origin with IOM's assisted voluntary return "
          "programme, departure date in the year."),
        avrr_total, returnees_url(**avrr_params),
    ))
    add(Indicator(
        "avrr.countries", _("Countries of return"),
        _("Distinct countries of return of the migrants who left Morocco in the year."),
        len({g.country for g in people if g.programme == FROM_MOROCCO}),
        f"{reverse('dashboard')}?year={year}#breakdown-avrr-by_country",
    ))
    add(Indicator(
        "avrr.predeparture_virtual_counselling", _("Virtual counselling before departure"),
        _("Returnees from Morocco in the year who had a virtual counselling session before departure, held by "
          "IOM in their country of origin."),
        sum(g.counselled for g in people if g.programme == FROM_MOROCCO),
        returnees_url(**avrr_params, counselled_virtually="true"), denominator=avrr_total,
    ))

    # 2. Post-return support given in the year to returnees from Morocco (whatever their return year).
    add(Indicator(
        "avrr.post_return_support", _("Post-return support"),
        _("Returnees from Morocco (any return year) with at least one post-return support session in the year."),
        sessions["avrr_supported"], returnees_url(programme=FROM_MOROCCO, supported_after_return_in=year),
    ))
    add(Indicator(
        "avrr.enhanced_support", _("Reinforced support"),
        _("Of those, the returnees given reinforced support because of a vulnerability in the year; the share "
          "is of the returnees given post-return support."),
        sessions["avrr_enhanced"], returnees_url(programme=FROM_MOROCCO, enhanced_support_in=year),
        denominator=sessions["avrr_supported"],
    ))

    # 3. Moroccans returning home in the year.
    mor_total = total(TO_MOROCCO)
    add(Indicator(
        "moroccans.returned", _("Moroccans assisted to return home"),
        _("Moroccans assisted by IOM to return to Morocco from abroad, departure date in the year."),
        mor_total, returnees_url(**mor_params),
    ))
    add(Indicator(
        "moroccans.male_share", _("Men among returning Moroccans"),
        _("Men among the Moroccans who returned in the year."),
        total(TO_MOROCCO, sex="M"), returnees_url(**mor_params, sex="M"), denominator=mor_total,
    ))
    add(Indicator(
        "moroccans.age_18_35_share", _("Aged 18 to 35 among returning Moroccans"),
        _("Moroccans who returned in the year aged 18 to 35 inclusive on their departure date."),
        total(TO_MOROCCO, age_band=AgeBand.YOUTH.value), returnees_url(**mor_params, age_band=AgeBand.YOUTH.value),
        denominator=mor_total,
    ))
    add(Indicator(
        "moroccans.reintegration_support", _("Reintegration support to returning Moroccans"),
        _("Moroccans who returned in the year and had at least one post-return support session in the year."),
        sessions["mor_reintegrated"], returnees_url(**mor_params, supported_after_return_in=year),
        denominator=mor_total,
    ))
    add(Indicator(
        "moroccans.enhanced_support", _("Reinforced support to returning Moroccans"),
        _("Moroccans who returned in the year and were given reinforced support because of a vulnerability "
          "in the year."),
        sessions["mor_enhanced"], returnees_url(**mor_params, enhanced_support_in=year), denominator=mor_total,
    ))

    # 4. Returns from Morocco by country of return; 5. Moroccans by host country.
    for breakdown_key, title, prog, field_name, total_key, base in (
        ("avrr.by_country", _("Returns from Morocco by country of return"), FROM_MOROCCO, "return_country",
         "avrr.returned", avrr_params),
        ("moroccans.by_host", _("Moroccans by host country"), TO_MOROCCO, "host_country", "moroccans.returned",
         mor_params),
    ):
        per_country: dict[str, int] = {}
        for g in people:
            if g.programme == prog:
                per_country[g.country] = per_country.get(g.country, 0) + g.n
        breakdown = Breakdown(breakdown_key, title, [], indicators[total_key].value, indicators[total_key].url)
        for code, n in sorted(per_country.items(), key=lambda item: (-item[1], item[0])):
            url = returnees_url(**base, **{field_name: code})
            add(Indicator(f"{breakdown_key}.{code}", country_name(code), title, n, url))
            breakdown.rows.append(BreakdownRow(country_name(code), n, url, code))
        breakdowns[breakdown_key] = breakdown

    # 6. Sex and age band of both programmes' returnees of the year.
    sex_labels = {"F": _("Women and girls"), "M": _("Men and boys")}
    for prog, base, prog_title in (
        (FROM_MOROCCO, avrr_params, _("returns from Morocco")),
        (TO_MOROCCO, mor_params, _("Moroccans returning home")),
    ):
        sex_rows = [BreakdownRow(label, total(prog, sex=sex), returnees_url(**base, sex=sex), sex)
                    for sex, label in sex_labels.items()]
        band_rows = [BreakdownRow(band.label, total(prog, age_band=band.value),
                                  returnees_url(**base, age_band=band.value), band.value)
                     for band in AgeBand]
        programme_total = indicators["avrr.returned" if prog == FROM_MOROCCO else "moroccans.returned"]
        breakdowns[f"{prog}.sex"] = Breakdown(f"{prog}.sex", _("Sex — %(programme)s") % {"programme": prog_title},
                                              sex_rows, programme_total.value, programme_total.url)
        breakdowns[f"{prog}.age"] = Breakdown(
            f"{prog}.age", _("Age at return — %(programme)s") % {"programme": prog_title}, band_rows,
            programme_total.value, programme_total.url)

    # 7. Kinds of post-return support given in the year (sessions), per programme.
    for prog, prog_title in ((FROM_MOROCCO, _("returns from Morocco")), (TO_MOROCCO, _("Moroccans returning home"))):
        base = {"programme": prog, "phase": "post_return", "year": year}
        kind_rows = []
        for kind in Kind:
            n = sessions[kind_key(prog, kind.value, False)] + sessions[kind_key(prog, kind.value, True)]
            if n:
                kind_rows.append(BreakdownRow(kind.label, n, sessions_url(**base, kind=kind.value), kind.value))
        enhanced_sessions = sum(sessions[kind_key(prog, kind.value, True)] for kind in Kind)
        programme_sessions = enhanced_sessions + sum(sessions[kind_key(prog, kind.value, False)] for kind in Kind)
        breakdowns[f"{prog}.kinds"] = Breakdown(
            f"{prog}.kinds", _("Post-return support sessions by kind — %(programme)s") % {"programme": prog_title},
            kind_rows, programme_sessions, sessions_url(**base))
        breakdowns[f"{prog}.enhanced_sessions"] = Breakdown(
            f"{prog}.enhanced_sessions", _("Reinforced support sessions — %(programme)s") % {"programme": prog_title},
            [BreakdownRow(_("Reinforced"), enhanced_sessions, sessions_url(**base, enhanced="true"), "true"),
             BreakdownRow(_("Standard"), programme_sessions - enhanced_sessions,
                          sessions_url(**base, enhanced="false"), "false")],
            programme_sessions, sessions_url(**base))

    # 8. Refugees resettled in the year, by destination.
    dest_rows = []
    for code, n in counts["destinations"]:
        url = refugees_url(departed_in=year, destination=code)
        add(Indicator(f"resettlement.by_destination.{code}", country_name(code),
                      _("Refugees resettled from Morocco in the year to this country."), n, url))
        dest_rows.append(BreakdownRow(country_name(code), n, url, code))
    departed = sum(row.value for row in dest_rows)  # the groups partition the departed refugees
    add(Indicator(
        "resettlement.departed", _("Refugees resettled from Morocco"),
        _("Refugees on files that departed (or arrived) with a departure date in the year."),
        departed, refugees_url(departed_in=year),
    ))
    breakdowns["resettlement.by_destination"] = Breakdown(
        "resettlement.by_destination", _("Resettlement by destination"), dest_rows, departed,
        refugees_url(departed_in=year))

    # 9. The published figures of the year.
    published = list(PublishedFigure.objects.for_year(year))
    # A published country figure stays on the report at zero when no record matches it any more.
    urls = {"avrr.by_country": lambda c: returnees_url(**avrr_params, return_country=c),
            "moroccans.by_host": lambda c: returnees_url(**mor_params, host_country=c),
            "resettlement.by_destination": lambda c: refugees_url(departed_in=year, destination=c)}
    for figure in published:
        prefix, _sep, code = figure.key.rpartition(".")
        if prefix in urls and figure.key not in indicators:
            add(Indicator(figure.key, country_name(code), breakdowns[prefix].title, 0, urls[prefix](code)))
    report = Report(year, _ordered(indicators), breakdowns, published)
    for indicator, comparison in report.comparisons():
        if indicator is not None:
            indicator.comparisons.append(comparison)
    return report


def _ordered(indicators: dict[str, Indicator]) -> dict[str, Indicator]:
    keys: Iterable[str] = sorted(indicators, key=rank)  # stable: country order kept
    return {k: indicators[k] for k in keys}
