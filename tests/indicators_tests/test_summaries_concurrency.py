"""Two staff members change a parent record and its child at the same moment, while the dashboard is viewed:
the year's summary still ends equal to a live count (PostgreSQL, READ COMMITTED, real concurrent
transactions on their own connections).

SQLite takes one writer at a time for the whole database, so these interleavings cannot happen there.
"""

import contextlib
import threading
from datetime import date

import pytest
from django.db import connection, transaction

from oimsite.reporting import indicators
from reintegration.models import SupportSession
from resettlement.models import Refugee, ResettlementFile
from returns.models import Returnee
from tests import helpers

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers: two changes cannot interleave there"),
]


def interleave(change_parent, add_child, year: int) -> None:
    """A moves the parent's date (and holds its transaction open a moment); B adds a child meanwhile; a
    dashboard view of `year` happens while B has not committed yet."""
    parent_saved, child_saved, viewed = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def a() -> None:
        try:
            with transaction.atomic():
                change_parent()
                parent_saved.set()
                viewed.wait(1.0)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    def b() -> None:
        try:
            parent_saved.wait(5)
            with transaction.atomic():
                add_child()
                child_saved.set()
                viewed.wait(2.0)
        except BaseException as error:
            errors.append(error)
        finally:
            child_saved.set()
            connection.close()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for thread in threads:
        thread.start()
    child_saved.wait(10)
    indicators.compute(year)  # a dashboard view in between
    viewed.set()
    for thread in threads:
        thread.join(15)
    assert not errors, errors


def test_a_counselling_session_added_while_its_return_moves_to_another_year():
    r = helpers.returnee(host="MA", to="ML", departed=date(2023, 12, 20))
    for year in (2023, 2024):
        indicators.compute(year)

    def move() -> None:
        moved = Returnee.objects.get(pk=r.pk)
        moved.departure_date = date(2024, 1, 5)
        moved.save()

    def counsel() -> None:
        helpers.session(r, on=date(2023, 12, 1), phase="pre_departure", kind="counselling", mode="virtual")

    interleave(move, counsel, 2024)
    key = "avrr.predeparture_virtual_counselling"
    assert indicators.compute(2024)[key].value == indicators.compute(2024, live=True)[key].value == 1


def test_a_refugee_added_while_the_file_departure_moves_to_another_year():
    f = helpers.resettlement_file(to="US", departed=date(2023, 12, 20), size=1)
    for year in (2023, 2024):
        indicators.compute(year)

    def move() -> None:
        moved = ResettlementFile.objects.get(pk=f.pk)
        moved.departure_date = date(2024, 1, 5)
        moved.save()

    def add() -> None:
        Refugee.objects.create(file=f, given_name="Karim", family_name="Haddad", sex="M",
                               date_of_birth=date(2010, 1, 1), nationality="SY", is_principal_applicant=False,
                               relationship="child")

    interleave(move, add, 2024)
    key = "resettlement.departed"
    assert indicators.compute(2024)[key].value == indicators.compute(2024, live=True)[key].value == 2


def test_a_session_moved_to_another_returnee_while_a_bulk_delete_of_it_waits():
    from reintegration.models import SupportSession

    mover = helpers.returnee(to="ML", departed=date(2024, 3, 1))
    moroccan = helpers.returnee(host="TR", to="MA", departed=date(2024, 8, 1), born=date(2000, 1, 1))
    session = helpers.session(mover, on=date(2024, 9, 1), kind="economic")
    indicators.compute(2024)
    moved, errors = threading.Event(), []

    def move() -> None:  # user 1 moves the session to another returnee and commits a moment later
        try:
            with transaction.atomic():
                changed = SupportSession.objects.get(pk=session.pk)
                changed.returnee = moroccan
                changed.save()
                moved.set()
                threading.Event().wait(1.0)
        except BaseException as error:
            errors.append(error)
        finally:
            moved.set()
            connection.close()

    def delete() -> None:  # user 2's "delete selected" loaded the session before the move committed
        try:
            moved.wait(5)
            SupportSession.objects.filter(pk=session.pk).delete()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=move), threading.Thread(target=delete)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not errors, errors
    assert not SupportSession.objects.filter(pk=session.pk).exists()
    summarised, live = indicators.compute(2024), indicators.compute(2024, live=True)
    assert summarised.as_dict() == live.as_dict()


@pytest.mark.parametrize("versioned", [False, True], ids=["save", "versioned save"])
def test_sessions_moved_between_two_returnees_both_ways_at_once(monkeypatch, versioned):
    """Ali's session goes to Sara while Sara's goes to Ali. Each change locks both returnees before its own
    row, in the same order, so the second waits for the first (it used to deadlock: each locked the returnee
    it moved to, then the one it left)."""
    from oimsite.core.concurrency import save_versioned
    from oimsite.reporting import summaries

    ali = helpers.returnee(to="CI", given="Ali", vulnerable=True)
    sara = helpers.returnee(to="SN", given="Sara")
    first = helpers.session(ali, on=date(2024, 6, 1), kind="cash")
    second = helpers.session(sara, on=date(2024, 7, 1), kind="social")
    indicators.compute(2024)
    # Both changes reach the lock of their own row together (or one waits 2 s, then goes on).
    barrier, lock_row = threading.Barrier(2), summaries._lock

    def meet_then_lock(model, pk):
        if model is SupportSession:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=2)
        return lock_row(model, pk)

    monkeypatch.setattr(summaries, "_lock", meet_then_lock)
    errors: list[BaseException] = []

    def move(session_pk: int, to: Returnee) -> None:
        try:
            with transaction.atomic():
                session = SupportSession.objects.get(pk=session_pk)
                session.returnee = to
                if versioned:
                    save_versioned(session, session.version)
                else:
                    session.save()
        except BaseException as error:
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
    assert indicators.compute(2024).as_dict() == indicators.compute(2024, live=True).as_dict()
