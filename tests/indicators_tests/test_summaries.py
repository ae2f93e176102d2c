"""Per-year summaries (oimsite/reporting/summaries.py): the figures read from them always equal a live count.

Each test stores every year's summary, changes records the way staff or a command would, and compares each
year's report from its summary and the changes written since with a live count of the records.
"""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oimsite.reporting import indicators, summaries
from oimsite.reporting.models import YearSummary, YearSummaryChange
from reintegration.models import SupportSession
from resettlement.models import Refugee
from tests import helpers
from tests.helpers import admin_form_data

pytestmark = pytest.mark.django_db

YEARS = range(2018, 2027)


def snapshot(report: indicators.Report) -> tuple:
    breakdowns = {key: (b.total, [(row.code, row.value) for row in b.rows]) for key, b in report.breakdowns.items()}
    return report.as_dict(), breakdowns


def store_all() -> None:
    for year in YEARS:
        indicators.compute(year)
    assert all(s.counts is not None for s in YearSummary.objects.filter(year__in=YEARS))


def assert_all_equal_live() -> None:
    for year in YEARS:
        assert snapshot(indicators.compute(year)) == snapshot(indicators.compute(year, live=True)), year


def stored(year: int) -> dict | None:
    return YearSummary.objects.get(year=year).counts


def assert_read_without_recount(years=YEARS) -> None:
    """Each year's report comes from its summary and changes (QUERY_COUNT queries), equal to a live count."""
    for year in years:
        with CaptureQueriesContext(connection) as queries:
            report = indicators.compute(year)
        assert len(queries) == indicators.QUERY_COUNT, (year, [q["sql"] for q in queries])
        assert snapshot(report) == snapshot(indicators.compute(year, live=True)), year


@pytest.fixture
def world():
    helpers.small_world(1)
    mover = helpers.returnee(to="ML", departed=date(2024, 3, 1), vulnerable=True)
    helpers.session(mover, on=date(2024, 5, 1), kind="cash", enhanced=True)
    helpers.session(mover, on=date(2025, 2, 1), kind="psychosocial")
    moroccan = helpers.returnee(host="TR", to="MA", departed=date(2024, 8, 1), born=date(2000, 1, 1))
    helpers.session(moroccan, on=date(2024, 9, 1), kind="economic")
    store_all()
    return {"mover": mover, "moroccan": moroccan}


def test_a_current_summary_is_read_in_two_queries_and_equals_the_live_count(world):
    with CaptureQueriesContext(connection) as queries:
        report = indicators.compute(2024)
    assert len(queries) == indicators.QUERY_COUNT
    assert snapshot(report) == snapshot(indicators.compute(2024, live=True))
    assert report["avrr.returned"].value == 3


def test_a_live_count_takes_its_own_queries_and_stores_nothing(world):
    summaries.invalidate([2024])
    with CaptureQueriesContext(connection) as queries:
        indicators.compute(2024, live=True)
    assert len(queries) == indicators.LIVE_QUERY_COUNT + 1  # + the published figures
    assert stored(2024) is None


def test_moving_a_return_to_another_year(world):
    world["mover"].departure_date = date(2023, 12, 30)
    world["mover"].save()
    assert_read_without_recount()
    assert indicators.compute(2023)["avrr.by_country.ML"].value == 1


def test_changing_a_returnee_country_moves_the_sessions_of_other_years(world):
    mover = world["mover"]
    before = indicators.compute(2025)["avrr.post_return_support"].value
    mover.host_country, mover.return_country, mover.nationality = "ES", "MA", "MA"
    mover.save()
    assert_read_without_recount()
    assert indicators.compute(2025)["avrr.post_return_support"].value == before - 1


def test_sessions_added_moved_and_deleted(world):
    mover = world["mover"]
    counselling = helpers.session(mover, on=date(2023, 12, 1), phase="pre_departure", kind="counselling",
                                    mode="virtual")  # dated 2023, counted with the 2024 return
    assert_read_without_recount()
    assert indicators.compute(2024)["avrr.predeparture_virtual_counselling"].value == 2
    later = SupportSession.objects.get(returnee=mover, date=date(2025, 2, 1))
    later.date = date(2026, 1, 10)
    later.save()
    assert_read_without_recount()
    counselling.delete()
    later.delete()
    assert_read_without_recount()


def test_files_and_refugees(world):
    departed = helpers.resettlement_file(to="US", departed=date(2024, 6, 1), size=2)
    waiting = helpers.resettlement_file(to="CA", departed=None, size=1)
    assert_all_equal_live()
    departed.departure_date = date(2023, 6, 1)
    departed.save()
    assert_all_equal_live()
    person = Refugee.objects.get(file=waiting)
    person.file = departed
    person.is_principal_applicant = False
    person.relationship = "child"
    person.save()
    assert_all_equal_live()
    assert indicators.compute(2023)["resettlement.departed"].value == 3
    person.delete()
    assert_all_equal_live()


def test_an_edit_through_the_admin(world, admin_client_logged):
    moroccan = world["moroccan"]
    url = reverse("admin:returns_returnee_change", args=[moroccan.pk])
    data = admin_form_data(admin_client_logged.get(url))
    data["host_country"] = "ES"
    response = admin_client_logged.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert_read_without_recount()
    assert indicators.compute(2024)["moroccans.by_host.ES"].value == 1


def test_a_change_rolled_back_leaves_the_summary_true(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        world["mover"].departure_date = date(2022, 1, 1)
        world["mover"].save()
        raise RuntimeError
    assert not YearSummaryChange.objects.exists()
    assert_read_without_recount()


def test_populate_marks_the_years_it_writes(world):
    call_command("populate", scale="1", no_progress=True, stdout=io.StringIO())
    assert_all_equal_live()
    assert indicators.compute(2022)["avrr.returned"].value > 0


def test_the_baseline_loader_marks_every_year():
    store_all()  # zeros everywhere
    call_command("load_baseline", verbosity=0, stdout=io.StringIO())
    assert_all_equal_live()
    assert indicators.compute(2024)["avrr.returned"].value > 0


def test_a_count_overtaken_by_a_change_is_not_stored(world, monkeypatch):
    summaries.invalidate([2024])
    real_count = indicators.count_records
    changed = []

    def count_with_a_change_meanwhile(year, **only):
        counted = real_count(year, **only)
        if not only and not changed:  # the view's count of the whole year, not the change's own counts
            changed.append(helpers.returnee(to="GN", departed=date(2024, 10, 1)))  # another user's change
        return counted

    monkeypatch.setattr(indicators, "count_records", count_with_a_change_meanwhile)
    summaries.counts(2024)
    monkeypatch.undo()
    assert changed and stored(2024) is None
    assert_all_equal_live()


def test_counts_made_by_other_counting_rules_are_recounted(world):
    YearSummary.objects.filter(year=2024).update(counts={**stored(2024), "version": "0:before-a-deploy", "people": []})
    assert indicators.compute(2024)["avrr.returned"].value == 3
    assert stored(2024)["version"] == indicators.COUNTS_VERSION


def test_changes_made_by_other_counting_rules_are_recounted(world):
    helpers.returnee(to="GN", departed=date(2024, 10, 1))
    YearSummaryChange.objects.filter(year=2024).update(counts={"version": "0:before-a-deploy"})
    assert indicators.compute(2024)["avrr.returned"].value == 4
    assert not YearSummaryChange.objects.filter(year=2024).exists()  # in the stored count now
    assert_read_without_recount()


def test_a_save_outside_any_transaction_records_its_change_in_its_own_transaction(world):
    # CaseRecord.save is atomic: the change and its difference commit together (here: inside the test's
    # transaction, a savepoint), so the signal handlers can lock the rows they count.
    world["mover"].sex = "F"
    with CaptureQueriesContext(connection) as queries:
        world["mover"].save()
    statements = [q["sql"].split()[0].upper() for q in queries]
    assert statements[0] == "SAVEPOINT" and statements[-1] == "RELEASE"
    assert any("yearsummarychange" in q["sql"].lower() for q in queries)


def test_a_change_writes_its_difference_once_per_year_it_moves(world):
    mover = world["mover"]
    mover.departure_date = date(2023, 12, 30)
    mover.save()
    # 2024 and 2023 move; the 2025 session year is counted but its figures do not move.
    assert sorted(YearSummaryChange.objects.values_list("year", flat=True)) == [2023, 2024]
    assert indicators.compute(2023)["avrr.returned"].value == indicators.compute(2023, live=True)[
        "avrr.returned"].value


def test_a_save_that_moves_no_figure_writes_nothing(world):
    mover = world["mover"]
    mover.given_name = "Moussa"
    with CaptureQueriesContext(connection) as queries:
        mover.save()
    assert not any("oimsite_yearsummary" in q["sql"] for q in queries)
    assert not YearSummaryChange.objects.exists()


def test_a_change_to_a_year_without_stored_counts_writes_no_difference(world):
    summaries.invalidate([2024])
    helpers.returnee(to="GN", departed=date(2024, 10, 1))
    assert not YearSummaryChange.objects.exists(), list(YearSummaryChange.objects.values())
    assert_all_equal_live()


def test_changes_left_by_a_recount_are_deleted_with_the_new_count(world):
    helpers.returnee(to="GN", departed=date(2024, 10, 1))
    assert YearSummaryChange.objects.filter(year=2024).exists()
    summaries.invalidate([2024])  # a bulk write: the year is recounted, its changes with it
    assert_all_equal_live()
    assert not YearSummaryChange.objects.filter(year=2024).exists()


def test_many_changes_are_added_into_the_summary_by_a_reader(world):
    for day in range(summaries.FOLD_AFTER + 2):
        helpers.returnee(to="GN", departed=date(2024, 1, 1) + timedelta(days=day))
    assert YearSummaryChange.objects.filter(year=2024).count() > summaries.FOLD_AFTER
    report = indicators.compute(2024)
    assert not YearSummaryChange.objects.filter(year=2024).exists()
    assert report["avrr.by_country.GN"].value == summaries.FOLD_AFTER + 2
    assert_read_without_recount()


def test_deleting_a_returnee_s_sessions_at_once_then_the_returnee(world):
    # One deletion of several sessions of one returnee: every pre_delete signal comes before any row goes.
    SupportSession.objects.filter(returnee=world["mover"]).delete()
    assert_read_without_recount()
    world["mover"].delete()
    assert_read_without_recount()


def test_a_queryset_delete_and_its_reuse(world):
    doomed = SupportSession.objects.filter(date__year=2024)
    doomed.delete()
    assert_read_without_recount()
    helpers.session(world["mover"], on=date(2024, 6, 1), kind="cash")
    doomed.delete()  # the same queryset again: a new deletion
    assert_read_without_recount()


def test_a_session_moved_to_another_returnee(world):
    session = SupportSession.objects.get(returnee=world["mover"], date=date(2024, 5, 1))
    session.returnee = world["moroccan"]
    session.save()
    assert_read_without_recount()


def test_a_bulk_delete_through_the_admin(world, admin_client_logged):
    pks = list(SupportSession.objects.filter(returnee__in=[world["mover"], world["moroccan"]])
               .values_list("pk", flat=True))
    url = reverse("admin:reintegration_supportsession_changelist")
    response = admin_client_logged.post(url, {"action": "delete_selected", "_selected_action": pks, "post": "yes"})
    assert response.status_code == 302
    assert not SupportSession.objects.filter(pk__in=pks).exists()
    assert_read_without_recount()


def test_a_deletion_whose_later_rows_bring_new_years_for_an_earlier_returnee(world):
    a = helpers.returnee(to="ML", departed=date(2024, 3, 1))
    b = helpers.returnee(to="ML", departed=date(2024, 3, 2))
    a_2024 = helpers.session(a, on=date(2024, 5, 1), kind="cash")
    helpers.session(a, on=date(2025, 5, 1), kind="cash")  # stays: a's 2025 counts must not move
    b_2025 = helpers.session(b, on=date(2025, 6, 1), kind="cash")
    store_all()
    SupportSession.objects.filter(pk__in=[a_2024.pk, b_2025.pk]).delete()
    assert_read_without_recount()


def test_deleting_a_stale_object_counts_what_its_row_holds(world):
    from returns.models import Returnee

    session = SupportSession.objects.get(returnee=world["mover"], date=date(2024, 5, 1))
    stale_session = SupportSession.objects.get(pk=session.pk)  # loaded (by the admin's delete page, say)
    stale_returnee = Returnee.objects.get(pk=world["moroccan"].pk)
    session.returnee = world["moroccan"]  # then changed by another user
    session.save()
    moved = Returnee.objects.get(pk=world["moroccan"].pk)
    moved.departure_date = date(2023, 10, 1)
    moved.save()
    store_all()
    stale_session.delete()
    assert_read_without_recount()
    SupportSession.objects.filter(returnee=stale_returnee).delete()
    stale_returnee.delete()
    assert_read_without_recount()


def test_deleting_a_stale_refugee_moved_to_another_file(world):
    first = helpers.resettlement_file(to="US", departed=date(2024, 6, 1), size=2)
    second = helpers.resettlement_file(to="CA", departed=date(2023, 6, 1), size=1)
    person = Refugee.objects.filter(file=first, is_principal_applicant=False).first()
    stale = Refugee.objects.get(pk=person.pk)
    person.file = second
    person.save()
    store_all()
    stale.delete()
    assert_read_without_recount()


def test_a_failed_save_leaves_nothing_for_a_later_delete(world):
    from django.db import IntegrityError

    from returns.models import Returnee

    returnee = helpers.returnee(to="GN", departed=date(2024, 10, 1))
    mine = Returnee.objects.get(pk=returnee.pk)
    mine.host_country = mine.return_country  # refused by a check constraint, after pre_save
    with pytest.raises(IntegrityError), transaction.atomic():
        mine.save()
    other = Returnee.objects.get(pk=returnee.pk)
    other.sex = "F" if other.sex == "M" else "M"  # a change made meanwhile
    other.save()
    mine.refresh_from_db()
    mine.delete()
    assert_read_without_recount()


def test_a_deletion_s_queries_grow_with_its_rows_not_their_square(world):
    def delete_sessions(n: int) -> int:
        for i in range(n):
            returnee = helpers.returnee(to="GN", departed=date(2022 + i % 3, 3, 1))
            helpers.session(returnee, on=date(2024, 6, 1), kind="cash")
        with CaptureQueriesContext(connection) as queries:
            SupportSession.objects.filter(returnee__return_country="GN").delete()
        return len(queries)

    five, twenty = delete_sessions(5), delete_sessions(20)
    assert twenty <= 4 * five + 10, (five, twenty)  # linear: 4× the rows, about 4× the queries
    assert_all_equal_live()  # (the 2024 changes are more than FOLD_AFTER: this view folds them)


def test_a_summary_that_cannot_be_written_still_gives_the_live_figures(world, monkeypatch, admin_client_logged):
    from django.db import OperationalError
    from django.db.models import QuerySet

    summaries.invalidate([2024])
    real_update = QuerySet.update

    def locked(self, **kwargs):
        if self.model is YearSummary:
            raise OperationalError("database is locked")
        return real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", locked)
    helpers.returnee(to="GN", departed=date(2024, 10, 1))
    assert indicators.compute(2024)["avrr.returned"].value == 4
    assert admin_client_logged.get(reverse("dashboard"), {"year": 2024}).status_code == 200
    monkeypatch.undo()
    assert stored(2024) is None
    assert_all_equal_live()
