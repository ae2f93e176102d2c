"""Two staff members change a parent record and its child at the same moment, while the dashboard is viewed:
the year's summary still ends equal to a live count (PostgreSQL, READ COMMITTED, real concurrent
transactions on their own connections).

SQLite takes one writer at a time for the whole database, so these interleavings cannot happen there.
"""

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from oimsite import indicators
from resettlement.models import Refugee, ResettlementFile
from returns.models import Returnee
from tests import factories

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
    r = factories.returnee(host="MA", to="ML", departed=date(2023, 12, 20))
    for year in (2023, 2024):
        indicators.compute(year)

    def move() -> None:
        moved = Returnee.objects.get(pk=r.pk)
        moved.departure_date = date(2024, 1, 5)
        moved.save()

    def counsel() -> None:
        factories.session(r, on=date(2023, 12, 1), phase="pre_departure", kind="counselling", mode="virtual")

    interleave(move, counsel, 2024)
    key = "avrr.predeparture_virtual_counselling"
    assert indicators.compute(2024)[key].value == indicators.compute(2024, live=True)[key].value == 1


def test_a_refugee_added_while_the_file_departure_moves_to_another_year():
    f = factories.resettlement_file(to="US", departed=date(2023, 12, 20), size=1)
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

    mover = factories.returnee(to="ML", departed=date(2024, 3, 1))
    moroccan = factories.returnee(host="TR", to="MA", departed=date(2024, 8, 1), born=date(2000, 1, 1))
    session = factories.session(mover, on=date(2024, 9, 1), kind="economic")
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
