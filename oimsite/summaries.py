"""Per-year summaries of the report's counts: a large year's dashboard without recounting, always equal to a
live count.

`indicators.compute(year)` takes the year's counts from its `YearSummary` when they are current, and
otherwise counts live (three queries over the year's records) and stores the result. Currency is a
generation number. Every save or delete of a returnee, session, file or refugee bumps the generation of each
year whose counts it can change, before and after the change, in the same transaction as the change:

- a returnee: its departure year, and the years of its post-return sessions (their programme is the
  returnee's);
- a session: its year, and its returnee's departure year (pre-departure counselling counts there);
- a file: its departure year; a refugee: the departure year of its file.

The bump is an upsert, so a computation that races with a change either waits for it and sees it, or finds
the generation moved and does not store what it counted; the rows a change reads to work out its years are
locked (see `_own_years`). Stored counts also carry the version of the counting rules
(`indicators.COUNTS_VERSION`): counts made by other rules, before a deploy, are recounted.

Writes that bypass the model signals (`bulk_create` in `populate`, the raw saves of the baseline loader)
call `invalidate`/`invalidate_all` themselves; any other bulk write to these tables must do the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import IntegrityError, OperationalError, connections, router, transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from oimsite.models import YearSummary
from oimsite.params import YEAR_MIN, year_max

Counts = dict[str, Any]


def counts(year: int, live: Callable[[int], Counts], version: str) -> Counts:
    """The counts of `year`: the stored ones if current (one query), else `live(year)`, then stored.

    `version` names the counting rules; counts stored under other rules (before a deploy that changed
    them) are not current. `live(year)` must return it as counts["version"].
    """
    summary = YearSummary.objects.filter(year=year).first()
    if summary is not None and summary.is_current and summary.counts.get("version") == version:
        return summary.counts
    fresh: Counts | None = None
    try:
        if summary is None:
            try:
                with transaction.atomic(using=router.db_for_write(YearSummary)):
                    summary = YearSummary.objects.create(year=year)
            except IntegrityError:  # created meanwhile, by a change to the year or another reader
                summary = YearSummary.objects.get(year=year)
                if summary.is_current and summary.counts.get("version") == version:
                    return summary.counts
        fresh = live(year)
        # Stored only if no change to the year happened since `summary` was read.
        YearSummary.objects.filter(year=year, generation=summary.generation).update(
            counts=fresh, computed_generation=summary.generation, computed_at=timezone.now())
    except OperationalError:
        # The summary could not be written (SQLite: another process holds the database for a long write,
        # such as a baseline load). A view must not fail for its cache: serve a live count, store it later.
        return fresh if fresh is not None else live(year)
    return fresh


def invalidate(years: Iterable[int | None], using: str | None = None) -> None:
    """Mark the counts of these years out of date (creating their row if need be)."""
    wanted = sorted({int(y) for y in years if y is not None})
    if not wanted:
        return
    connection = connections[using or router.db_for_write(YearSummary)]
    table = connection.ops.quote_name(YearSummary._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (year, generation) VALUES (%s, 1) "
            f"ON CONFLICT (year) DO UPDATE SET generation = {table}.generation + 1",
            [(year,) for year in wanted],
        )


def invalidate_all(using: str | None = None) -> None:
    """Every year out of date: after a bulk write whose years are not worked out one by one."""
    using = using or router.db_for_write(YearSummary)
    stored = set(YearSummary.objects.using(using).values_list("year", flat=True))
    invalidate(stored | set(range(YEAR_MIN, year_max() + 2)), using)  # + planned departures next year


# --- which years a record's counts belong to ---------------------------------------------------------------

def _year(day: Any) -> int | None:
    return day.year if day is not None else None


def years_of(instance: Model) -> set[int | None]:
    """The years whose counts this record (in its current state) takes part in."""
    return _own_years(instance) | _session_years(instance)


def _own_years(instance: Model) -> set[int | None]:
    """The years of the record's own dates, and of its parent's (a session's returnee, a refugee's file).

    Called inside the transaction of the change (CaseRecord.save/delete are atomic). The parent row read
    here is locked until that transaction ends, so that a concurrent change to the parent's dates waits
    for this one, or this one for it, and each then sees the other's result when it works out its years.
    """
    from reintegration.models import SupportSession
    from resettlement.models import Refugee, ResettlementFile
    from returns.models import Returnee

    if isinstance(instance, Returnee):
        return {_year(instance.departure_date)}
    if isinstance(instance, SupportSession):
        departure = (Returnee.objects.select_for_update().filter(pk=instance.returnee_id)
                     .values_list("departure_date", flat=True).first())
        return {_year(instance.date), _year(departure)}
    if isinstance(instance, ResettlementFile):
        return {_year(instance.departure_date)}
    if isinstance(instance, Refugee):
        departure = (ResettlementFile.objects.select_for_update().filter(pk=instance.file_id)
                     .values_list("departure_date", flat=True).first())
        return {_year(departure)}
    return set()


def _session_years(instance: Model) -> set[int | None]:
    """A returnee's post-return session years: their programme is the returnee's."""
    from reintegration.models import Phase, SupportSession
    from returns.models import Returnee

    if not isinstance(instance, Returnee) or instance.pk is None:
        return set()
    return {d.year for d in SupportSession.objects.filter(
        returnee_id=instance.pk, phase=Phase.POST_RETURN).dates("date", "year")}


def _before_save(sender: type[Model], instance: Model, raw: bool = False, **kwargs: Any) -> None:
    """Work out, once, every year the save touches: the record's years before and after the change."""
    if raw:  # fixture loading: the loader invalidates once for all its records
        return
    # The parent row first (locked by _own_years), then the row as stored: always in that order, so that
    # concurrent changes to a returnee and its sessions (a file and its refugees) wait, not deadlock.
    years = _own_years(instance)
    if instance.pk is not None:
        before = sender._default_manager.select_for_update().filter(pk=instance.pk).first()
        if before is not None:
            # A returnee's sessions are read once its row is locked: a session being added to it meanwhile
            # locked that row first, so it has committed and is seen here.
            years |= _own_years(before) | _session_years(instance)
    instance._summary_years = years  # type: ignore[attr-defined]


def _after_save(sender: type[Model], instance: Model, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    invalidate(getattr(instance, "_summary_years", set()))


def _before_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    instance._summary_years = years_of(instance)  # type: ignore[attr-defined]


def _after_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    invalidate(getattr(instance, "_summary_years", set()))


def connect_signals() -> None:
    from reintegration.models import SupportSession
    from resettlement.models import Refugee, ResettlementFile
    from returns.models import Returnee

    for model in (Returnee, SupportSession, ResettlementFile, Refugee):
        uid = f"year-summary-{model._meta.label_lower}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
        post_save.connect(_after_save, sender=model, dispatch_uid=uid)
        pre_delete.connect(_before_delete, sender=model, dispatch_uid=uid)
        post_delete.connect(_after_delete, sender=model, dispatch_uid=uid)
