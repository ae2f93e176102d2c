"""The triggers under committed writes (oimsite/reporting/triggers.py): a data migration, and concurrent
transactions on PostgreSQL. Transactional tests: each commits, and its teardown empties the tables (on
PostgreSQL, by TRUNCATE, which the triggers follow too).
"""

import threading
from datetime import date

import pytest
from django.db import connection, migrations, transaction
from django.db.migrations.executor import MigrationExecutor

from oimsite.core import concurrency
from oimsite.reporting import indicators, triggers
from reintegration.models import SupportSession
from returns.models import Returnee
from tests import helpers

pytestmark = pytest.mark.django_db(transaction=True)

YEAR = 2024
SIZE = triggers.BUCKET_SIZE


def figures_true(year: int = YEAR) -> bool:
    return indicators.compute(year).as_dict() == indicators.compute(year, live=True).as_dict()


def move_returns_to_senegal(apps, schema_editor):
    """A data migration as one is written: historical models (no model method, no signal of the app's), a
    QuerySet update and a save."""
    historical = apps.get_model("returns", "Returnee")
    returns = historical.objects.using(schema_editor.connection.alias)
    returns.filter(return_country="CI").update(return_country="SN")
    guinean = returns.get(return_country="GN", departure_date__year=YEAR)
    guinean.return_country = "ML"
    guinean.save()


def test_a_data_migration():
    helpers.small_world(2)
    helpers.returnee(to="GN", departed=date(YEAR, 3, 1))
    before = indicators.compute(YEAR)
    assert before["avrr.by_country.CI"].value == 2

    migration = migrations.Migration("0099_move_returns", "returns")
    migration.operations = [migrations.RunPython(move_returns_to_senegal, migrations.RunPython.noop)]
    executor = MigrationExecutor(connection)
    state = executor.loader.project_state()  # the models as the migrations on disk leave them
    with connection.schema_editor(atomic=migration.atomic) as editor:  # what MigrationExecutor.apply_migration does
        migration.apply(state, editor)

    report = indicators.compute(YEAR)
    assert "avrr.by_country.CI" not in report.indicators
    assert report["avrr.by_country.SN"].value == before["avrr.by_country.SN"].value + 2
    assert report["avrr.by_country.ML"].value == 1
    assert figures_true()


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                     reason="SQLite has one writer at a time: two writes cannot interleave there")


@postgresql_only
@pytest.mark.parametrize("versioned", [False, True], ids=["save", "versioned save"])
def test_sessions_moved_both_ways_between_two_buckets_at_once(monkeypatch, versioned):
    """Ali's session goes to Sara while Sara's goes to Ali, Ali and Sara in different buckets. Each save's one
    UPDATE marks both buckets, in order: the second waits for the first. (Had the versioned save's claim, an
    UPDATE of `version` alone, marked its own bucket first, each would hold one bucket and wait for the
    other: a deadlock.)"""
    ali = helpers.returnee(to="CI", given="Ali", id=SIZE + 1)
    sara = helpers.returnee(to="SN", given="Sara", id=2 * SIZE + 1)
    first = helpers.session(ali, on=date(YEAR, 6, 1), kind="cash")
    second = helpers.session(sara, on=date(YEAR, 7, 1), kind="social")
    indicators.compute(YEAR)
    barrier = threading.Barrier(2)
    real_claim = concurrency._claim_version

    def claim_then_meet(obj, loaded_version):  # both claims made before either save
        real_claim(obj, loaded_version)
        barrier.wait(timeout=5)

    monkeypatch.setattr(concurrency, "_claim_version", claim_then_meet)
    errors: list[BaseException] = []

    def move(session_pk: int, to: Returnee) -> None:
        try:
            with transaction.atomic():
                session = SupportSession.objects.get(pk=session_pk)
                session.returnee = to
                if versioned:
                    concurrency.save_versioned(session, session.version)
                else:
                    barrier.wait(timeout=5)
                    session.save()
                threading.Event().wait(0.3)  # hold the locks a moment
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(first.pk, sara)),
               threading.Thread(target=move, args=(second.pk, ali))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not errors, errors
    assert SupportSession.objects.get(pk=first.pk).returnee_id == sara.pk
    assert SupportSession.objects.get(pk=second.pk).returnee_id == ali.pk
    assert figures_true()


@postgresql_only
def test_a_view_while_a_write_is_uncommitted():
    """The view counts without the write and stores the generation it read; the write's commit moves it."""
    mover = helpers.returnee(to="CI", departed=date(YEAR, 3, 1))
    indicators.compute(YEAR)
    written, viewed = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        try:
            with transaction.atomic():
                Returnee.objects.filter(pk=mover.pk).update(return_country="SN")
                written.set()
                viewed.wait(10)
        except BaseException as error:
            errors.append(error)
        finally:
            written.set()
            connection.close()

    thread = threading.Thread(target=write)
    thread.start()
    written.wait(10)
    during = indicators.compute(YEAR)  # does not wait for the writer: it reads the committed rows
    viewed.set()
    thread.join(20)
    assert not errors, errors
    assert during["avrr.by_country.CI"].value == 1
    after = indicators.compute(YEAR)
    assert "avrr.by_country.CI" not in after.indicators and after["avrr.by_country.SN"].value == 1
    assert figures_true()


@postgresql_only
def test_a_bulk_update_after_a_one_row_save_is_planned_for_its_size():
    """The UPDATE trigger joins the statement's old and new rows. Written as a static query, PL/pgSQL planned it
    once per session: after a one-row save, every later update used that plan, a nested loop that reads the
    new rows once per old row (a year's returns at ×1,000 did not finish in a quarter of an hour). Read from
    the plans PostgreSQL reports (auto_explain), not from a time."""
    Returnee.objects.bulk_create([helpers.build_returnee() for _ in range(2_000)])
    plans: list[str] = []

    def keep(notice) -> None:
        plans.append(notice.message_primary or "")

    with connection.cursor() as cursor:
        connection.connection.add_notice_handler(keep)
        cursor.execute("LOAD 'auto_explain'")
        try:
            for setting, value in [("log_nested_statements", "on"), ("log_level", "notice"),
                                   ("log_min_duration", "0")]:
                cursor.execute(f"SET auto_explain.{setting} = {value}")
            Returnee.objects.filter(pk=Returnee.objects.order_by("pk")[0].pk).update(return_country="SN")
            one_row = [plan for plan in plans if "old_rows" in plan]
            plans.clear()
            Returnee.objects.update(return_country="GN")
            bulk = [plan for plan in plans if "old_rows" in plan]
        finally:
            cursor.execute("SET auto_explain.log_min_duration = -1")
            connection.connection.remove_notice_handler(keep)
    assert len(one_row) == 1 and "Nested Loop" in one_row[0]  # the right plan for one row
    assert len(bulk) == 1 and "Nested Loop" not in bulk[0], bulk
    assert figures_true()
