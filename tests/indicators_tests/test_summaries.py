"""Per-year summaries (oimsite/summaries.py): the figures read from them always equal a live count.

Each test stores every year's summary, changes records the way staff or a command would, and compares each
year's report from its summary with a live count of the records.
"""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oimsite import indicators, summaries
from oimsite.models import YearSummary
from reintegration.models import SupportSession
from resettlement.models import Refugee
from tests import factories
from tests.accounts_tests.conftest import admin_form_data

pytestmark = pytest.mark.django_db

YEARS = range(2018, 2027)


def snapshot(report: indicators.Report) -> tuple:
    breakdowns = {key: (b.total, [(row.code, row.value) for row in b.rows]) for key, b in report.breakdowns.items()}
    return report.as_dict(), breakdowns


def store_all() -> None:
    for year in YEARS:
        indicators.compute(year)
    assert all(s.is_current for s in YearSummary.objects.filter(year__in=YEARS))


def assert_all_equal_live() -> None:
    for year in YEARS:
        assert snapshot(indicators.compute(year)) == snapshot(indicators.compute(year, live=True)), year


@pytest.fixture
def world():
    factories.small_world(1)
    mover = factories.returnee(to="ML", departed=date(2024, 3, 1), vulnerable=True)
    factories.session(mover, on=date(2024, 5, 1), kind="cash", enhanced=True)
    factories.session(mover, on=date(2025, 2, 1), kind="psychosocial")
    moroccan = factories.returnee(host="TR", to="MA", departed=date(2024, 8, 1), born=date(2000, 1, 1))
    factories.session(moroccan, on=date(2024, 9, 1), kind="economic")
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
    assert not YearSummary.objects.get(year=2024).is_current


def test_moving_a_return_to_another_year(world):
    world["mover"].departure_date = date(2023, 12, 30)
    world["mover"].save()
    assert_all_equal_live()
    assert indicators.compute(2023)["avrr.by_country.ML"].value == 1


def test_changing_a_returnee_country_moves_the_sessions_of_other_years(world):
    mover = world["mover"]
    before = indicators.compute(2025)["avrr.post_return_support"].value
    mover.host_country, mover.return_country, mover.nationality = "ES", "MA", "MA"
    mover.save()
    assert_all_equal_live()
    assert indicators.compute(2025)["avrr.post_return_support"].value == before - 1


def test_sessions_added_moved_and_deleted(world):
    mover = world["mover"]
    counselling = factories.session(mover, on=date(2023, 12, 1), phase="pre_departure", kind="counselling",
                                    mode="virtual")  # dated 2023, counted with the 2024 return
    assert_all_equal_live()
    assert indicators.compute(2024)["avrr.predeparture_virtual_counselling"].value == 2
    later = SupportSession.objects.get(returnee=mover, date=date(2025, 2, 1))
    later.date = date(2026, 1, 10)
    later.save()
    assert_all_equal_live()
    counselling.delete()
    later.delete()
    assert_all_equal_live()


def test_files_and_refugees(world):
    departed = factories.resettlement_file(to="US", departed=date(2024, 6, 1), size=2)
    waiting = factories.resettlement_file(to="CA", departed=None, size=1)
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
    assert_all_equal_live()
    assert indicators.compute(2024)["moroccans.by_host.ES"].value == 1


def test_a_change_rolled_back_leaves_the_summary_true(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        world["mover"].departure_date = date(2022, 1, 1)
        world["mover"].save()
        raise RuntimeError
    assert YearSummary.objects.get(year=2024).is_current
    assert_all_equal_live()


def test_populate_marks_the_years_it_writes(world):
    call_command("populate", scale="1", no_progress=True, stdout=io.StringIO())
    assert_all_equal_live()
    assert indicators.compute(2022)["avrr.returned"].value > 0


def test_the_baseline_loader_marks_every_year():
    store_all()  # zeros everywhere
    call_command("load_baseline", verbosity=0, stdout=io.StringIO())
    assert_all_equal_live()
    assert indicators.compute(2024)["avrr.returned"].value > 0


def test_a_count_overtaken_by_a_change_is_not_stored(world):
    summaries.invalidate([2024])

    def live_with_a_change_meanwhile(year):
        counted = indicators.count_records(year)
        factories.returnee(to="GN", departed=date(2024, 10, 1))  # another user's change, during the count
        return counted

    summaries.counts(2024, live_with_a_change_meanwhile, indicators.COUNTS_VERSION)
    assert not YearSummary.objects.get(year=2024).is_current
    assert_all_equal_live()


def test_counts_made_by_other_counting_rules_are_recounted(world):
    summary = YearSummary.objects.get(year=2024)
    summary.counts = {**summary.counts, "version": "0:before-a-deploy", "people": []}
    summary.save()
    assert YearSummary.objects.get(year=2024).is_current  # current for its generation, but by other rules
    assert indicators.compute(2024)["avrr.returned"].value == 3
    assert YearSummary.objects.get(year=2024).counts["version"] == indicators.COUNTS_VERSION


def test_a_save_outside_any_transaction_marks_its_years_in_its_own_transaction(world):
    # CaseRecord.save is atomic: the change and the mark commit together (here: inside the test's
    # transaction, a savepoint), so the signal handlers can lock the parent rows they read.
    with CaptureQueriesContext(connection) as queries:
        world["mover"].save()
    statements = [q["sql"].split()[0].upper() for q in queries]
    assert statements[0] == "SAVEPOINT" and statements[-1] == "RELEASE"
    assert any("yearsummary" in q["sql"].lower() for q in queries)


def test_a_save_reads_what_it_needs_once(world):
    mover = world["mover"]
    mover.given_name = "Moussa"
    with CaptureQueriesContext(connection) as queries:
        mover.save()
    session_reads = [q for q in queries if 'FROM "reintegration_supportsession"' in q["sql"]]
    assert len(session_reads) == 1  # its session years, once its row is locked
    assert sum('"oimsite_yearsummary"' in q["sql"] for q in queries) == 1  # one upsert for all its years


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
    factories.returnee(to="GN", departed=date(2024, 10, 1))
    assert indicators.compute(2024)["avrr.returned"].value == 4
    assert admin_client_logged.get(reverse("dashboard"), {"year": 2024}).status_code == 200
    monkeypatch.undo()
    assert not YearSummary.objects.get(year=2024).is_current
    assert_all_equal_live()
