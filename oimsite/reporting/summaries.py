"""A year's counts from stored per-bucket counts, recounting only the buckets written since (docs/figures.md).

The records are split into buckets by id (oimsite/reporting/triggers.py); a database trigger adds one to a
bucket's generation on every write to its records, whatever the writer. For each year, `BucketCount` keeps
what each bucket counts and the generation it was counted at. A reader of a year:

1. reads every bucket's generation with the year's stored count of it, in one statement;
2. recounts the buckets whose generation moved, or that have no count stored (by the current counting
   rules), in the three queries of a live count grouped by bucket;
3. stores them with the generation read in step 1 (best effort: a view never fails for it);
4. adds up every bucket's counts.

The generations are read before the recount: a write that commits during it may be in the count, but it
moved the bucket's generation past the one stored with it, so the next reader recounts that bucket again.
A stored count can be out of date, it is never taken for current.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import DatabaseError, router, transaction
from django.db.models import OuterRef, Subquery

from oimsite.reporting.counting import COUNTS_VERSION, Bucket, Counts, combine_counts, count_buckets
from oimsite.reporting.models import BucketCount, BucketGeneration
from oimsite.reporting.triggers import BUCKET_SIZE

# Queries of a read when every bucket is current; a recount adds at most `count_buckets`' three and the
# store (an upsert, in a savepoint when inside a transaction).
READ_QUERY_COUNT = 1


def counts(year: int) -> Counts:
    """The counts of `year`: every bucket's stored counts, those whose records were written since counted
    again (and stored)."""
    return counts_of([year])[year]


def counts_of(years: Iterable[int]) -> dict[int, Counts]:
    """The counts of each of `years`, as `counts` gives them, read in one statement and the stale buckets of
    all the years recounted together: a write to a bucket makes it stale in every year, and the years of a
    trend then cost one recount, not one each."""
    years = sorted(set(years))
    if not years:  # nothing asked: no read
        return {}
    current: dict[int, list[Counts]] = {year: [] for year in years}
    stale: dict[int, dict[Bucket, int]] = {}
    for year, kind, bucket, generation, counted_at, stored in _read(years):
        if counted_at == generation and stored.get("version") == COUNTS_VERSION:
            current[year].append(stored)
        else:
            stale.setdefault(year, {})[(kind, bucket)] = generation
    if stale:
        fresh = count_buckets(stale, BUCKET_SIZE)
        _store([(year, key, stale[year][key], counted) for year, counted_of_year in fresh.items()
                for key, counted in counted_of_year.items()])
        for year, counted_of_year in fresh.items():
            current[year].extend(counted_of_year.values())
    return {year: combine_counts((1, part) for part in parts) for year, parts in current.items()}


def _read(years: list[int]) -> list[tuple[int, str, int, int, int | None, Counts]]:
    """(year, kind, bucket, generation, generation of the year's stored count, stored count) of every bucket
    and year: one statement, so one snapshot of the generations and the counts."""
    annotations = {}
    for index, year in enumerate(years):
        stored = BucketCount.objects.filter(year=year, kind=OuterRef("kind"), bucket=OuterRef("bucket"))
        annotations[f"counted_at_{index}"] = Subquery(stored.values("generation"))
        annotations[f"stored_{index}"] = Subquery(stored.values("counts"))
    rows = BucketGeneration.objects.annotate(**annotations).values_list("kind", "bucket", "generation",
                                                                        *annotations)
    return [(year, kind, bucket, generation, counted[2 * index], counted[2 * index + 1] or {})
            for kind, bucket, generation, *counted in rows for index, year in enumerate(years)]


def _store(counted: list[tuple[int, Bucket, int, Counts]]) -> None:
    """Store each (year, bucket, generation read before counting it, counts). Best effort: when the
    database refuses the write (SQLite: another process holds it for a long write), the figures are served
    all the same and stored by a later view."""
    rows = [BucketCount(year=year, kind=kind, bucket=bucket, generation=generation, counts=data)
            for year, (kind, bucket), generation, data in sorted(counted)]  # one lock order for all readers
    try:
        with transaction.atomic(using=router.db_for_write(BucketCount)):
            BucketCount.objects.bulk_create(rows, update_conflicts=True, unique_fields=["year", "kind", "bucket"],
                                            update_fields=["generation", "counts"])
    except DatabaseError:
        pass


def warm(years: Iterable[int]) -> None:
    """Count and store these years now (after a bulk load), so that no view after it pays for the count."""
    for year in sorted(set(years)):
        counts(year)
