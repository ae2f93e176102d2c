"""Per-year summaries of the report's counts: a large year's dashboard without recounting, always equal to a
live count.

A year's counts are its `YearSummary.counts` (a count of the whole year, made once) plus the
`YearSummaryChange` rows written since. Each save or delete of a returnee, session, file or refugee works out
what it did to each year it touches: the counts of the records it moves (`indicators.count_records`
restricted to them) after the change, minus the same before it. It writes that difference in the change's own
transaction, so the summary is never recounted because of a change. Every count is a sum over returnees or
over files, so the differences add up; the records a change can move are its own and its parent's (a
session's returnee, a refugee's file), whose rows it locks before counting them.

The years a change touches:

- a returnee: its departure year, and the years of its post-return sessions (their programme is the
  returnee's);
- a session: its year, and its returnee's departure year (pre-departure counselling counts there);
- a file: its departure year; a refugee: the departure year of its file.

A year is read in one statement (its summary and its changes together: one snapshot). A year with no counts
yet, or counts made by other counting rules (before a deploy that changed them), is counted live and stored.
`generation` moves with every change in the change's transaction, so a count that a change overtook is not
stored; when a count is stored, the changes it already includes are deleted with the same guarantee. When
changes pile up, a reader adds them into the summary.

Writes that bypass the model signals (the raw rows of `populate`, the raw saves of the baseline loader)
call `invalidate`/`invalidate_all` themselves, and the years are recounted; any other bulk write to these
tables must do the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, OperationalError, connections, router, transaction
from django.db.models import Model, Value
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from oimsite.core.locking import lock_parents
from oimsite.core.params import YEAR_MIN, year_max
from oimsite.reporting.models import YearSummary, YearSummaryChange

Counts = dict[str, Any]
Key = tuple[str, int]  # ("returnees", pk) or ("files", pk): records whose counts a change can move

# Changes read with a year's summary before the reader adds them into it (reading a few is cheap).
FOLD_AFTER = 32


def counts(year: int) -> Counts:
    """The counts of `year`: the stored ones and the changes since (one query), or, when there are none or
    they were made by other counting rules, a live count, then stored."""
    from oimsite.reporting import indicators  # it imports this module

    generation, stored, changes = _read(year)
    if stored is not None and all(c.get("version") == indicators.COUNTS_VERSION for c in (stored, *changes)):
        if not changes:
            return stored
        total = indicators.combine_counts([(1, stored), *((1, change) for change in changes)])
        if len(changes) > FOLD_AFTER:
            _store(year, generation, total)
        return total
    fresh = indicators.count_records(year)
    _store(year, generation, fresh)
    return fresh


def _read(year: int) -> tuple[int | None, Counts | None, list[Counts]]:
    """The year's generation, stored counts and changes, in one statement: one snapshot of all three."""
    summary = YearSummary.objects.filter(year=year).annotate(tag=Value(0)).values_list("tag", "generation", "counts")
    changes = YearSummaryChange.objects.filter(year=year).annotate(tag=Value(1)).values_list("tag", "pk", "counts")
    generation, stored, deltas = None, None, []
    for tag, number, data in summary.union(changes, all=True):
        if tag == 0:
            generation, stored = number, data
        else:
            deltas.append(data)
    return generation, stored, deltas


def _store(year: int, generation: int | None, total: Counts) -> None:
    """Store `total`, the year's counts as of when `generation` was read (None: the year had no row), unless
    a change to the year has happened since; the changes it includes are deleted with it. Best effort."""
    try:
        with transaction.atomic(using=router.db_for_write(YearSummary)):
            if generation is None:
                try:
                    with transaction.atomic(using=router.db_for_write(YearSummary)):
                        YearSummary.objects.create(year=year, counts=total, computed_at=timezone.now())
                except IntegrityError:  # created meanwhile, by a change to the year (or another reader)
                    return
            elif not YearSummary.objects.filter(year=year, generation=generation).update(
                    counts=total, computed_at=timezone.now()):
                return
            # No change to the year has committed since `generation` was read (it would have moved it), and
            # one in progress waits for this transaction before it writes its difference: every change
            # stored so far is in `total`.
            YearSummaryChange.objects.filter(year=year).delete()
    except OperationalError:
        # The summary could not be written (SQLite: another process holds the database for a long write,
        # such as a baseline load). A view must not fail for its cache: the count is served, stored later.
        pass


def invalidate(years: Iterable[int | None], using: str | None = None) -> None:
    """Forget the counts of these years: they are recounted on their next view (after a bulk write)."""
    wanted = sorted({int(y) for y in years if y is not None})
    if not wanted:
        return
    connection = connections[using or router.db_for_write(YearSummary)]
    table = connection.ops.quote_name(YearSummary._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (year, generation) VALUES (%s, 1) "
            f"ON CONFLICT (year) DO UPDATE SET generation = {table}.generation + 1, counts = NULL",
            [(year,) for year in wanted],
        )


def refresh(years: Iterable[int | None]) -> None:
    """Count these years now and store them: a bulk write that marked them ends with this, so that no
    view after it pays for the count (at ×1,000 the busiest year takes more than a second)."""
    for year in sorted({int(y) for y in years if y is not None}):
        counts(year)


def invalidate_all(using: str | None = None) -> None:
    """Every year to be recounted: after a bulk write whose years are not worked out one by one."""
    using = using or router.db_for_write(YearSummary)
    stored = set(YearSummary.objects.using(using).values_list("year", flat=True))
    invalidate(stored | set(range(YEAR_MIN, year_max() + 2)), using)  # + planned departures next year


def _record(differences: dict[int, Counts]) -> None:
    """Write what a change did to these years: move each year's generation (an upsert, in year order) and,
    where the year has stored counts, add the difference to them."""
    connection = connections[router.db_for_write(YearSummary)]
    table = connection.ops.quote_name(YearSummary._meta.db_table)
    years = sorted(differences)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (year, generation) VALUES (%s, 1) "
            f"ON CONFLICT (year) DO UPDATE SET generation = {table}.generation + 1",
            [(year,) for year in years])
    # The rows are locked by this transaction now: whether they hold counts cannot change before it ends.
    # Without stored counts, the year's next view counts it, this change included. (Not read by RETURNING
    # on the upsert: SQLite 3.40 answers it wrongly for a NULL JSON column.)
    counted = YearSummary.objects.filter(year__in=years, counts__isnull=False).values_list("year", flat=True)
    YearSummaryChange.objects.bulk_create(YearSummaryChange(year=year, counts=differences[year]) for year in counted)


# --- what a change moves -----------------------------------------------------------------------------------

def _year(day: Any) -> int | None:
    return day.year if day is not None else None


def _own_years(instance: Model) -> set[int | None]:
    """The years of the record's own dates, and of its parent's (a session's returnee, a refugee's file).

    Called inside the transaction of the change (CaseRecord.save/delete are atomic). The parent row read
    here is locked until that transaction ends, so that a concurrent change to the parent, or to another of
    its children, waits for this one: the parent's counts read by this change stay true until it commits.
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


def _keys(instance: Model) -> set[Key]:
    """The records whose counts the record takes part in: a returnee (its own, a session's), a file (its own,
    a refugee's)."""
    from reintegration.models import SupportSession
    from resettlement.models import Refugee, ResettlementFile
    from returns.models import Returnee

    for model, kind, attribute in ((Returnee, "returnees", "pk"), (SupportSession, "returnees", "returnee_id"),
                                   (ResettlementFile, "files", "pk"), (Refugee, "files", "file_id")):
        if isinstance(instance, model):
            pk = getattr(instance, attribute)
            return {(kind, pk)} if pk is not None else set()
    return set()


def _touched(sender: type[Model], instance: Model) -> tuple[set[int | None], set[Key]]:
    """The years and records a change to `instance` touches: as it is in memory (a save's new state) and as
    its row is stored (a save's old state; for a delete, the truth when the object in memory is stale).

    Its parents first, in id order (`locking.lock_parents`), then its row: concurrent changes to a returnee
    and its sessions (a file and its refugees), or moving children between the same two parents both ways,
    wait for each other instead of deadlocking. (Only a child moved by someone else between the read of its
    stored parent and the lock of its row locks that parent after the row.)
    """
    lock_parents(instance)
    years, keys = _own_years(instance), _keys(instance)
    stored = _lock(sender, instance.pk)
    if stored is not None:
        # A returnee's sessions are read once its row is locked: a session being added to it meanwhile
        # locked that row first, so it has committed and is seen here.
        years |= _own_years(stored) | _session_years(stored)
        keys |= _keys(stored)
    return years, keys


def _lock(model: type[Model], pk: Any) -> Model | None:
    return model._default_manager.select_for_update().filter(pk=pk).first() if pk is not None else None


class _Change:
    """A change in progress: the years it touches, the records whose counts it can move, and their counts
    in each of those years before it."""

    def __init__(self) -> None:
        self.years: set[int] = set()
        self.keys: set[Key] = set()
        self.before: dict[int, Counts] = {}
        self.pending = 0  # a deletion's records whose post_delete has not come yet
        self.block: Any = None  # a deletion's atomic block: tells one deletion from the next

    @staticmethod
    def _count(year: int, keys: set[Key]) -> Counts:
        """The counts of these records in `year` (three queries at most, whatever the number of records)."""
        from oimsite.reporting import indicators

        return indicators.count_records(year, returnees=[pk for kind, pk in keys if kind == "returnees"],
                                        files=[pk for kind, pk in keys if kind == "files"])

    def note(self, years: Iterable[int | None], keys: set[Key]) -> None:
        """Before the change: count these records in these years. Counts add up over records, so records
        noted later (the other rows of one deletion) are counted alone and added in."""
        from oimsite.reporting import indicators

        new_keys = keys - self.keys
        new_years = {year for year in years if year is not None} - self.years
        if new_keys:
            for year in self.years:
                self.before[year] = indicators.combine_counts(
                    [(1, self.before[year]), (1, self._count(year, new_keys))])
        self.keys |= new_keys
        self.years |= new_years
        for year in new_years:
            self.before[year] = self._count(year, self.keys)

    def write(self, keys: set[Key]) -> None:
        """After the change: record how the counts moved in each year. A record that did not exist before
        the change (a new one, now with its key) counted nothing then."""
        from oimsite.reporting import indicators

        keys = self.keys | keys
        moved = {}
        for year in sorted(self.years):
            difference = indicators.combine_counts([(1, self._count(year, keys)), (-1, self.before[year])])
            if not indicators.is_nothing(difference):
                moved[year] = difference
        if moved:
            _record(moved)


def _before_save(sender: type[Model], instance: Model, raw: bool = False, **kwargs: Any) -> None:
    """Count what the records the save moves count in every year it touches, before the change."""
    if raw:  # fixture loading: the loader invalidates once for all its records
        return
    change = _Change()
    change.note(*_touched(sender, instance))
    instance._summary_save = change  # type: ignore[attr-defined]


def _after_save(sender: type[Model], instance: Model, raw: bool = False, **kwargs: Any) -> None:
    change = instance.__dict__.pop("_summary_save", None)
    if not raw and change is not None:
        change.write(_keys(instance))


def _before_delete(sender: type[Model], instance: Model, origin: Any = None, using: str | None = None,
                   **kwargs: Any) -> None:
    # One deletion (of a record or a queryset) sends every pre_delete before it deletes anything, then
    # post_delete model by model: the counts before are taken for the whole deletion, kept on its origin,
    # and the difference written once, after its last post_delete.
    holder = origin if origin is not None else instance
    blocks = connections[using or router.db_for_write(sender)].atomic_blocks
    block = blocks[-1] if blocks else None  # Collector.delete runs in an atomic block of its own
    change = holder.__dict__.get("_summary_delete")
    if change is None or change.block is not block:  # the origin's first deletion, or a new one
        change = _Change()
        change.block = block
        holder._summary_delete = change
    change.note(*_touched(sender, instance))
    change.pending += 1


def _after_delete(sender: type[Model], instance: Model, origin: Any = None, **kwargs: Any) -> None:
    holder = origin if origin is not None else instance
    change = holder.__dict__.get("_summary_delete")
    if change is None:
        return
    change.pending -= 1
    if change.pending == 0:
        del holder._summary_delete
        change.write(set())


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
