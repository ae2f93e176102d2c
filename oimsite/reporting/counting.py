"""Everything a year's report needs from the records, counted in three one-pass grouped queries.

The counts are a JSON-ready dict (`Counts`): returnees grouped finely enough that every returns indicator
is a sum of groups, post-return sessions per programme and kind, departed refugees per destination. Each
count is a sum over returnees (their returns and sessions) or over resettlement files (their refugees), so
the counts of separate sets of records add up (`combine_counts`): a year's counts are the sum of its
buckets' (`count_buckets`, oimsite/reporting/summaries.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import astuple, dataclass
from typing import Any

from django.db.models import Count, F, Q
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import ExtractYear

from oimsite.core.models_base import year_bounds
from oimsite.reporting.triggers import FILE, RETURNEE
from reintegration.models import Kind, SupportSession
from resettlement.models import Refugee
from returns.models import MOROCCO, AgeBand, Returnee, ReturnStatus

FROM_MOROCCO = "from_morocco"
TO_MOROCCO = "to_morocco"

Counts = dict[str, Any]
Bucket = tuple[str, int]  # (RETURNEE or FILE, record id // size)

# SQL queries of a live count of a year (`count_records`): pinned by tests, independent of the data.
LIVE_QUERY_COUNT = 3

# The counting rules, stored with each count: counts made by other rules are recounted. Bump the number
# whenever the counting or its groups change; the kinds of support and age bands are part of it because
# the stored counts are keyed by them.
COUNTS_VERSION = f"1:{','.join(Kind.values)}:{','.join(AgeBand.values)}"

# More separate id ranges than this in one recount: count the year's records whole instead (a long OR of
# ranges costs the database more than the rows it would skip).
MAX_RANGES = 16


@dataclass(frozen=True)
class Group:
    """Returnees of the year who share a programme, the other country, a sex and an age band."""

    programme: str
    country: str  # the country of return (from Morocco) or the host country (to Morocco)
    sex: str
    age_band: str | None
    n: int
    counselled: int


def kind_key(programme: str, kind: str, enhanced: bool) -> str:
    return f"{programme}:{kind}:{'enhanced' if enhanced else 'standard'}"


SESSION_KEYS = ("avrr_supported", "avrr_enhanced", "mor_reintegrated", "mor_enhanced", *(
    kind_key(programme, kind, enhanced)
    for programme in (FROM_MOROCCO, TO_MOROCCO) for kind in Kind.values for enhanced in (False, True)))


# What a grouped count is keyed by: (year, bucket); None for what is not grouped by (one year, no buckets).
Key = tuple[int | None, int | None]


@dataclass(frozen=True)
class Years:
    """The years a count covers, `first` through `last`: one year, or several counted in the same pass and
    told apart by the year of each row's date."""

    first: int
    last: int

    def year_of(self, field: str) -> ExtractYear | None:
        """The year of `field`, to group by when the count covers several years."""
        return ExtractYear(field) if self.first != self.last else None


def _grouped(queryset: Any, fields: tuple[str, ...], bucket: CombinedExpression | None,
             year: ExtractYear | None) -> Any:
    """`queryset.values(*fields)`, plus the bucket of each row when counting by bucket, and its year when
    counting several years."""
    extra = {**({"bucket": bucket} if bucket is not None else {}), **({"year": year} if year is not None else {})}
    return queryset.values(*fields, **extra)


def _key(row: dict, years: Years) -> Key:
    return row.pop("year", None) if years.first != years.last else None, row.pop("bucket", None)


def _returnee_groups(years: Years, scope: Q, sessions_scope: Q, bucket: CombinedExpression | None,
                     ) -> dict[Key, list[list]]:
    """One pass over both programmes' returns of the years within `scope`, grouped finely enough that every
    returns indicator and breakdown is a sum of groups (each returnee is in exactly one group); per year and
    bucket (see `Key`). `sessions_scope` is the same returnees' sessions: the database may read every
    counselling session it lets through once, whatever the returns it counts."""
    counselled = (SupportSession.objects.filter(sessions_scope).virtual_predeparture_counselling()
                  .exists_for_returnee())
    queryset = (Returnee.objects.filter(scope).filter(Q(host_country=MOROCCO) | Q(return_country=MOROCCO))
                .returned_in(years.first, through=years.last).with_age_band())
    rows = (_grouped(queryset, ("host_country", "return_country", "sex", "age_band"), bucket,
                     years.year_of("departure_date"))
            .annotate(n=Count("pk"), counselled=Count("pk", filter=Q(host_country=MOROCCO) & Q(counselled)))
            .order_by())
    groups: dict[Key, list[list]] = {}
    for r in rows:
        group = (Group(FROM_MOROCCO, r["return_country"], r["sex"], r["age_band"], r["n"], r["counselled"])
                 if r["host_country"] == MOROCCO else
                 Group(TO_MOROCCO, r["host_country"], r["sex"], r["age_band"], r["n"], r["counselled"]))
        groups.setdefault(_key(r, years), []).append(list(astuple(group)))
    return groups


def _post_return_sessions(years: Years, scope: Q, bucket: CombinedExpression | None) -> dict[Key, dict]:
    """One pass over the post-return sessions of the years within `scope`: the returnees they reached, per
    programme, and the sessions per programme, kind and reinforcement; per year and bucket (see `Key`)."""
    avrr = Q(returnee__host_country=MOROCCO)
    to_morocco = Q(returnee__return_country=MOROCCO)
    if years.first == years.last:
        start, end = year_bounds(years.first)
        returned_this_year = Q(returnee__status=ReturnStatus.DEPARTED, returnee__departure_date__gte=start,
                               returnee__departure_date__lt=end)
    else:  # returned in the year of the session
        returned_this_year = Q(returnee__status=ReturnStatus.DEPARTED,
                               returnee__departure_date__year=ExtractYear("date"))
    enhanced = Q(enhanced=True)
    counts = {
        "avrr_supported": Count("returnee", distinct=True, filter=avrr),
        "avrr_enhanced": Count("returnee", distinct=True, filter=avrr & enhanced),
        "mor_reintegrated": Count("returnee", distinct=True, filter=to_morocco & returned_this_year),
        "mor_enhanced": Count("returnee", distinct=True, filter=to_morocco & returned_this_year & enhanced),
    }
    for prog, condition in ((FROM_MOROCCO, avrr), (TO_MOROCCO, to_morocco)):
        for kind in Kind:
            for reinforced in (False, True):
                counts[kind_key(prog, kind.value, reinforced)] = Count(
                    "pk", filter=condition & Q(kind=kind.value, enhanced=reinforced))
    queryset = SupportSession.objects.filter(scope).post_return().in_year(years.first, through=years.last)
    year = years.year_of("date")
    if bucket is None and year is None:
        return {(None, None): queryset.aggregate(**counts)}
    rows = _grouped(queryset, (), bucket, year).annotate(**counts).order_by()
    return {_key(row, years): row for row in rows}


def _departed_refugees(years: Years, scope: Q, bucket: CombinedExpression | None) -> dict[Key, list[list]]:
    """[destination, refugees] of the years within `scope`, per year and bucket (see `Key`)."""
    rows = (_grouped(Refugee.objects.filter(scope).departed_in(years.first, through=years.last),
                     ("file__destination_country",), bucket, years.year_of("file__departure_date"))
            .annotate(n=Count("pk")).order_by())
    destinations: dict[Key, list[list]] = {}
    for row in rows:
        destinations.setdefault(_key(row, years), []).append([row["file__destination_country"], row["n"]])
    return destinations


def _counts(people: list[list], sessions: dict[str, int], destinations: list[list]) -> Counts:
    return {"version": COUNTS_VERSION, "people": people, "sessions": sessions,
            "destinations": sorted(destinations, key=lambda row: (-row[1], row[0]))}


def count_records(year: int, *, returnees: Collection[int] | None = None,
                  files: Collection[int] | None = None) -> Counts:
    """Everything the report of `year` needs from its records, counted live in `LIVE_QUERY_COUNT` queries.

    With `returnees` or `files`, only what those returnees (their returns and sessions) or those files
    (their refugees) take part in.
    """
    whole = returnees is None and files is None
    years = Years(year, year)
    of_returnees = Q(returnee_id__in=returnees) if returnees is not None else Q()
    people = _returnee_groups(years, Q(pk__in=returnees) if returnees is not None else Q(), of_returnees, None) \
        if whole or returnees else {}
    sessions = _post_return_sessions(years, of_returnees, None) if whole or returnees else {}
    destinations = _departed_refugees(years, Q(file_id__in=files) if files is not None else Q(), None) \
        if whole or files else {}
    key = (None, None)
    return _counts(people.get(key, []), sessions.get(key, {}), destinations.get(key, []))


def _ranges(buckets: Iterable[int], size: int) -> list[tuple[int, int]]:
    """The id ranges [low, high) of these buckets, neighbours merged."""
    ranges: list[list[int]] = []
    for bucket in sorted(set(buckets)):
        if ranges and ranges[-1][1] == bucket * size:
            ranges[-1][1] = (bucket + 1) * size
        else:
            ranges.append([bucket * size, (bucket + 1) * size])
    return [(low, high) for low, high in ranges]


def _scope(field: str, ranges: list[tuple[int, int]] | None) -> Q:
    scope = Q()
    for low, high in ranges or ():
        scope |= Q(**{f"{field}__gte": low, f"{field}__lt": high})
    return scope


def count_buckets(stale: Mapping[int, Collection[Bucket]], size: int) -> dict[int, dict[Bucket, Counts]]:
    """The counts of each year's buckets (kind, id // size) in `stale` ({year: buckets}): the same three
    queries as a live count at most, grouped by bucket (and by year when several are asked), whatever the
    number of buckets and years (none for a kind without buckets asked)."""
    asked = {year: set(buckets) for year, buckets in stale.items() if buckets}
    if not asked:
        return {}
    years = Years(min(asked), max(asked))
    wanted = {kind: sorted({number for buckets in asked.values() for k, number in buckets if k == kind})
              for kind in (RETURNEE, FILE)}
    ranges: dict[str, list[tuple[int, int]] | None] = {}
    for kind, numbers in wanted.items():
        ranges[kind] = _ranges(numbers, size)
        if len(ranges[kind] or ()) > MAX_RANGES:
            ranges[kind] = None  # the whole years, and only the buckets asked kept
    people: dict[Key, list[list]] = {}
    sessions: dict[Key, dict] = {}
    destinations: dict[Key, list[list]] = {}
    if wanted[RETURNEE]:
        of_returnees = _scope("returnee_id", ranges[RETURNEE])
        people = _returnee_groups(years, _scope("pk", ranges[RETURNEE]), of_returnees, F("pk") / size)
        sessions = _post_return_sessions(years, of_returnees, F("returnee_id") / size)
    if wanted[FILE]:
        destinations = _departed_refugees(years, _scope("file_id", ranges[FILE]), F("file_id") / size)
    counted: dict[int, dict[Bucket, Counts]] = {}
    for year, buckets in asked.items():
        key_year = year if years.first != years.last else None
        counted[year] = {
            (kind, number): _sparse(people.get((key_year, number), []), sessions.get((key_year, number), {}), [])
            if kind == RETURNEE else _sparse([], {}, destinations.get((key_year, number), []))
            for kind, number in buckets}
    return counted


def _sparse(people: list[list], sessions: dict[str, int], destinations: list[list]) -> Counts:
    """A bucket's counts as stored: only what is not zero. Most buckets have nothing in a given year, and a
    reader decodes and adds up every bucket of the year (`combine_counts` takes both forms)."""
    counts: Counts = {"version": COUNTS_VERSION}
    if people:
        counts["people"] = people
    if nonzero := {key: n for key, n in sessions.items() if n}:
        counts["sessions"] = nonzero
    if destinations:
        counts["destinations"] = destinations
    return counts


def combine_counts(parts: Iterable[tuple[int, Counts]]) -> Counts:
    """The sum of `sign × counts` over `parts` (in the form `count_records` gives or as stored), in the form
    `count_records` gives (every session key; groups and destinations that come to zero left out;
    destinations most first). All parts must be made by the same rules."""
    people: dict[tuple[Any, ...], list[int]] = {}
    sessions = dict.fromkeys(SESSION_KEYS, 0)
    destinations: dict[str, int] = {}
    for sign, part in parts:
        for *key, n, counselled in part.get("people", ()):
            group = people.setdefault(tuple(key), [0, 0])
            group[0] += sign * n
            group[1] += sign * counselled
        for key, n in part.get("sessions", {}).items():
            sessions[key] = sessions.get(key, 0) + sign * n
        for code, n in part.get("destinations", ()):
            destinations[code] = destinations.get(code, 0) + sign * n
    return _counts([[*key, n, counselled] for key, (n, counselled) in people.items() if n or counselled],
                   sessions, [[code, n] for code, n in destinations.items() if n])
