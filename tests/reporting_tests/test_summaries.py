"""The figures equal the records after every kind of write (oimsite/reporting/summaries.py, triggers.py).

Each test starts from the 2024 baseline whose dashboard has been viewed (every bucket's counts stored), writes
the records one way, then checks that the year's report read from the stored counts equals a live count
and the QuerySet the figure's drill-down lists, and that the write did move that figure (so that a stale
stored count would be caught).
"""

import io
import itertools
import json
from datetime import date

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.db.models.signals import post_migrate
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oimsite.core.concurrency import save_versioned
from oimsite.reporting import counting, indicators, summaries, triggers
from oimsite.reporting.models import BucketCount, BucketGeneration
from reintegration.models import SupportSession
from resettlement.models import Refugee, ResettlementFile
from returns.models import Returnee
from tests import helpers

YEAR = 2024
SIZE = triggers.BUCKET_SIZE


def snapshot(report: indicators.Report) -> tuple:
    breakdowns = {key: (b.total, [(row.code, row.value) for row in b.rows]) for key, b in report.breakdowns.items()}
    return report.as_dict(), breakdowns


def assert_figures_true(year: int = YEAR) -> indicators.Report:
    report = indicators.compute(year)
    assert snapshot(report) == snapshot(indicators.compute(year, live=True))
    return report


def avrr_returns(country: str | None = None) -> int:
    returns = Returnee.objects.from_morocco().returned_in(YEAR)
    return (returns.filter(return_country=country) if country else returns).count()


def avrr_post_return_sessions() -> int:
    return SupportSession.objects.post_return().in_year(YEAR).filter(returnee__host_country="MA").count()


def departed_refugees(destination: str | None = None) -> int:
    refugees = Refugee.objects.departed_in(YEAR)
    return (refugees.filter(file__destination_country=destination) if destination else refugees).count()


def figure(report: indicators.Report, key: str) -> int:
    return report[key].value if key in report.indicators else 0


_numbers = itertools.count(90_001)


def new_returnee(*, to: str, departed: date, **fields) -> Returnee:
    """A saved return from Morocco, numbered apart from the baseline's."""
    person = helpers.build_returnee(case_number=f"RVA-{departed.year}-{next(_numbers)}", return_country=to,
                                      nationality=to, departure_date=departed, **fields)
    person.save()
    return person


def new_file(**fields) -> ResettlementFile:
    return helpers.build_file(file_number=f"RST-2024-{next(_numbers)}", **fields)


def generation(kind: str, bucket: int) -> int | None:
    return BucketGeneration.objects.filter(kind=kind, bucket=bucket).values_list("generation", flat=True).first()


@pytest.fixture
def viewed(db, baseline, admin_client_logged):
    """The baseline, its 2024 dashboard viewed: every bucket's counts of 2024 stored and current."""
    assert admin_client_logged.get(reverse("dashboard"), {"year": YEAR}).status_code == 200
    assert BucketCount.objects.filter(year=YEAR).count() == BucketGeneration.objects.count() > 0
    with CaptureQueriesContext(connection) as queries:
        before = indicators.compute(YEAR)
    assert len(queries) == indicators.QUERY_COUNT, [q["sql"] for q in queries]
    return before


def avrr_returnee_2024(country: str = "CI", **conditions) -> Returnee:
    return (Returnee.objects.from_morocco().returned_in(YEAR).filter(return_country=country, **conditions)
            .order_by("pk").first())


def post_return_session_2024() -> SupportSession:
    return (SupportSession.objects.post_return().in_year(YEAR).filter(returnee__host_country="MA")
            .order_by("pk").first())


def departed_file_2024(**conditions) -> ResettlementFile:
    return (ResettlementFile.objects.filter(refugees__isnull=False, **conditions).departed_in(YEAR).distinct()
            .order_by("pk").first())


def _saved(record):
    record.save()
    return record


# --- the reproduction ------------------------------------------------------------------------------

def test_ten_returns_moved_from_ci_to_sn_by_update(viewed, admin_client_logged):
    moved = list(Returnee.objects.from_morocco().returned_in(YEAR).filter(return_country="CI")
                 .order_by("pk").values_list("pk", flat=True)[:10])
    Returnee.objects.filter(pk__in=moved).update(return_country="SN")

    report = assert_figures_true()
    assert report["avrr.by_country.CI"].value == viewed["avrr.by_country.CI"].value - 10 == avrr_returns("CI")
    assert report["avrr.by_country.SN"].value == viewed["avrr.by_country.SN"].value + 10 == avrr_returns("SN")
    out = io.StringIO()
    call_command("report", year=str(YEAR), format="json", stdout=out)
    assert json.loads(out.getvalue())["avrr.by_country.CI"] == avrr_returns("CI")
    dashboard = admin_client_logged.get(reverse("dashboard"), {"year": YEAR})
    assert dashboard.context["report"]["avrr.by_country.CI"].value == avrr_returns("CI")


# --- the ORM's write paths ----------------------------------------------------------------------------------

def test_model_save_and_delete(viewed):
    returnee = avrr_returnee_2024("CI")
    returnee.return_country = "GN"
    returnee.save()
    report = assert_figures_true()
    assert report["avrr.by_country.GN"].value == viewed["avrr.by_country.GN"].value + 1 == avrr_returns("GN")

    session = post_return_session_2024()
    session.date = date(YEAR - 1, 12, 31)
    session.save()
    assert assert_figures_true().breakdowns["from_morocco.kinds"].total == avrr_post_return_sessions() \
        == viewed.breakdowns["from_morocco.kinds"].total - 1

    departed = departed_file_2024()
    departed.destination_country = "NZ"
    departed.save()
    assert assert_figures_true()["resettlement.by_destination.NZ"].value == departed_refugees("NZ") > 0

    Refugee.objects.departed_in(YEAR).filter(is_principal_applicant=False).order_by("pk").first().delete()
    SupportSession.objects.get(pk=session.pk).delete()
    report = assert_figures_true()
    assert report["resettlement.departed"].value == viewed["resettlement.departed"].value - 1 == departed_refugees()
    new = new_returnee(to="TG", departed=date(YEAR, 3, 3))
    assert assert_figures_true()["avrr.by_country.TG"].value == figure(viewed, "avrr.by_country.TG") + 1
    new.delete()
    assert figure(assert_figures_true(), "avrr.by_country.TG") == figure(viewed, "avrr.by_country.TG")


def test_queryset_update_of_sessions_and_refugees(viewed):
    SupportSession.objects.post_return().in_year(YEAR).filter(kind="cash").update(kind="health")
    Refugee.objects.departed_in(YEAR).filter(sex="F").update(sex="M")  # counts nothing: no figure moves
    ResettlementFile.objects.departed_in(YEAR).filter(destination_country="CA").update(destination_country="AU")
    report = assert_figures_true()
    assert figure(report, "resettlement.by_destination.AU") == departed_refugees("AU") \
        == viewed["resettlement.by_destination.CA"].value
    kinds = {row.code: row.value for row in report.breakdowns["from_morocco.kinds"].rows}
    assert "cash" not in kinds and kinds["health"] > 0


def test_queryset_delete(viewed):
    doomed = list(SupportSession.objects.post_return().in_year(YEAR).filter(returnee__host_country="MA")
                  .values_list("pk", flat=True)[:25])
    SupportSession.objects.filter(pk__in=doomed).delete()
    report = assert_figures_true()
    assert report.breakdowns["from_morocco.kinds"].total == viewed.breakdowns["from_morocco.kinds"].total - 25


def test_bulk_create(viewed):
    people = Returnee.objects.bulk_create(
        helpers.build_returnee(case_number=f"RVA-2024-{next(_numbers)}", return_country="ZM", nationality="ZM",
                                 departure_date=date(YEAR, 2, 1))
        for _ in range(3))
    SupportSession.objects.bulk_create(helpers.build_session(person, date=date(YEAR, 3, 1)) for person in people)
    file = ResettlementFile.objects.bulk_create([new_file(destination_country="IE")])[0]
    Refugee.objects.bulk_create([helpers.build_refugee(file)])
    report = assert_figures_true()
    assert report["avrr.by_country.ZM"].value == 3 == avrr_returns("ZM")
    assert report.breakdowns["from_morocco.kinds"].total == viewed.breakdowns["from_morocco.kinds"].total + 3
    assert report["resettlement.by_destination.IE"].value == 1


def test_bulk_update(viewed):
    people = list(Returnee.objects.from_morocco().returned_in(YEAR).filter(return_country="CI").order_by("pk")[:7])
    for person in people:
        person.return_country = "ZM"
    Returnee.objects.bulk_update(people, ["return_country"])
    report = assert_figures_true()
    assert report["avrr.by_country.ZM"].value == 7 == avrr_returns("ZM")


def test_loaddata(viewed, tmp_path):
    """`loaddata` saves raw (no model save, no signal): the records of a small fixture, in buckets of their own."""
    far, farther = 4 * SIZE + 1, 5 * SIZE + 2
    fixture = tmp_path / "more_records.json"
    fixture.write_text(json.dumps([
        {"model": "returns.returnee", "pk": far, "fields": {
            "case_number": "RVA-2024-99001", "given_name": "Kofi", "family_name": "Mensah", "sex": "M",
            "date_of_birth": "1990-01-01", "nationality": "UG", "host_country": "MA", "return_country": "UG",
            "departure_date": "2024-04-01", "status": "departed", "stage": "returned",
            "created_at": "2024-04-01T00:00:00Z",
            "updated_at": "2024-04-01T00:00:00Z"}},
        {"model": "reintegration.supportsession", "fields": {
            "returnee": far, "kind": "cash", "phase": "post_return", "mode": "in_person", "provider": "iom_origin",
            "date": "2024-06-01", "enhanced": False, "created_at": "2024-06-01T00:00:00Z",
            "updated_at": "2024-06-01T00:00:00Z"}},
        {"model": "resettlement.resettlementfile", "pk": farther, "fields": {
            "file_number": "RST-2024-9901", "destination_country": "NO", "stage": "departed",
            "referral_date": "2023-01-01", "departure_date": "2024-05-01", "created_at": "2024-05-01T00:00:00Z",
            "updated_at": "2024-05-01T00:00:00Z"}},
        {"model": "resettlement.refugee", "fields": {
            "file": farther, "given_name": "Lina", "family_name": "Haddad", "sex": "F",
            "date_of_birth": "1992-01-01", "nationality": "SY", "is_principal_applicant": True,
            "relationship": "principal", "created_at": "2024-05-01T00:00:00Z",
            "updated_at": "2024-05-01T00:00:00Z"}},
    ]))
    call_command("loaddata", str(fixture), verbosity=0)
    report = assert_figures_true()
    assert report["avrr.by_country.UG"].value == 1 == avrr_returns("UG")
    assert report["resettlement.by_destination.NO"].value == 1 == departed_refugees("NO")
    assert report.breakdowns["from_morocco.kinds"].total == viewed.breakdowns["from_morocco.kinds"].total + 1


# --- raw SQL on each table ----------------------------------------------------------------------------------

def _columns(model, **replaced) -> tuple[str, str, list]:
    """The columns of `model` but its id and the generated ones, and the same as a SELECT of a row with `replaced`
    values."""
    names = [f.column for f in model._meta.concrete_fields if f.column != "id" and not f.generated]
    selected = ", ".join("%s" if name in replaced else name for name in names)
    return ", ".join(names), selected, [replaced[name] for name in names if name in replaced]


def _raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _copy(model, pk: int, **replaced) -> None:
    columns, selected, params = _columns(model, **replaced)
    table = model._meta.db_table
    _raw(f"INSERT INTO {table} ({columns}) SELECT {selected} FROM {table} WHERE id = %s", [*params, pk])


def _unvisited_returnee() -> Returnee:
    """A 2024 return from Morocco with no session and no vulnerability: a raw DELETE can remove it alone."""
    return avrr_returnee_2024("CI", sessions__isnull=True, vulnerabilities__isnull=True)


def _delete_returnee(pk: int) -> None:
    """A raw DELETE of a returnee and of the casework rows that name it (departure checklist, documents,
    referrals, surveys, follow-ups, plans, assignment log)."""
    _raw("DELETE FROM returns_departurechecklist WHERE returnee_id = %s", [pk])
    _raw("DELETE FROM documents_document WHERE returnee_id = %s", [pk])
    _raw("DELETE FROM reintegration_referral WHERE returnee_id = %s", [pk])
    _raw("DELETE FROM reintegration_surveyanswer WHERE survey_id IN "
         "(SELECT id FROM reintegration_sustainabilitysurvey WHERE returnee_id = %s)", [pk])
    _raw("DELETE FROM reintegration_sustainabilitysurvey WHERE returnee_id = %s", [pk])
    _raw("DELETE FROM reintegration_followup WHERE returnee_id = %s", [pk])
    _raw("DELETE FROM reintegration_plangoal WHERE plan_id IN "
         "(SELECT id FROM reintegration_reintegrationplan WHERE returnee_id = %s)", [pk])
    _raw("DELETE FROM reintegration_reintegrationplan WHERE returnee_id = %s", [pk])
    _raw("DELETE FROM returns_returneeassignment WHERE case_id = %s", [pk])
    _raw("DELETE FROM returns_returnee WHERE id = %s", [pk])


RAW_WRITES = {
    ("returns_returnee", "insert"): (
        lambda: _copy(Returnee, avrr_returnee_2024("CI").pk, case_number="RVA-2024-99002"),
        lambda: avrr_returns("CI"), +1),
    ("returns_returnee", "update"): (
        lambda: _raw("UPDATE returns_returnee SET return_country = 'SN' WHERE id = %s", [avrr_returnee_2024("CI").pk]),
        lambda: avrr_returns("CI"), -1),
    ("returns_returnee", "delete"): (
        lambda: _delete_returnee(_unvisited_returnee().pk),
        lambda: avrr_returns("CI"), -1),
    ("reintegration_supportsession", "insert"): (
        lambda: _copy(SupportSession, post_return_session_2024().pk),
        avrr_post_return_sessions, +1),
    ("reintegration_supportsession", "update"): (
        lambda: _raw("UPDATE reintegration_supportsession SET date = %s WHERE id = %s",
                     [date(YEAR - 1, 6, 1), post_return_session_2024().pk]),
        avrr_post_return_sessions, -1),
    ("reintegration_supportsession", "delete"): (
        lambda: _raw("DELETE FROM reintegration_supportsession WHERE id = %s", [post_return_session_2024().pk]),
        avrr_post_return_sessions, -1),
    ("resettlement_resettlementfile", "insert"): (
        # A departed file to Ireland, then the refugees of a file to Canada moved onto it.
        lambda: (_copy(ResettlementFile, departed_file_2024(destination_country="CA").pk,
                       file_number="RST-2024-9902", destination_country="IE"),
                 _raw("UPDATE resettlement_refugee SET file_id = (SELECT id FROM resettlement_resettlementfile "
                      "WHERE file_number = 'RST-2024-9902') WHERE file_id = %s",
                      [departed_file_2024(destination_country="CA").pk])),
        lambda: departed_refugees("CA"), None),
    ("resettlement_resettlementfile", "update"): (
        lambda: _raw("UPDATE resettlement_resettlementfile SET destination_country = 'IE' WHERE id = %s",
                     [departed_file_2024(destination_country="CA").pk]),
        lambda: departed_refugees("CA"), None),
    ("resettlement_resettlementfile", "delete"): (
        lambda: (_raw("DELETE FROM resettlement_refugee WHERE file_id = %s", [departed_file_2024().pk]),
                 # Its assignment log goes with it (the casework's rows name the file).
                 _raw("DELETE FROM resettlement_fileassignment WHERE case_id NOT IN "
                      "(SELECT file_id FROM resettlement_refugee)"),
                 _raw("DELETE FROM resettlement_resettlementfile WHERE id NOT IN "
                      "(SELECT file_id FROM resettlement_refugee)")),
        departed_refugees, None),
    ("resettlement_refugee", "insert"): (
        lambda: _copy(Refugee, Refugee.objects.departed_in(YEAR).filter(is_principal_applicant=False)
                      .order_by("pk").first().pk),
        departed_refugees, +1),
    ("resettlement_refugee", "update"): (
        lambda: _raw("UPDATE resettlement_refugee SET file_id = %s WHERE id = %s", [
            _saved(new_file(stage="referred", departure_date=None)).pk,
            Refugee.objects.departed_in(YEAR).filter(is_principal_applicant=False).order_by("pk").first().pk]),
        departed_refugees, -1),
    ("resettlement_refugee", "delete"): (
        lambda: _raw("DELETE FROM resettlement_refugee WHERE id = %s",
                     [Refugee.objects.departed_in(YEAR).order_by("pk").first().pk]),
        departed_refugees, -1),
}


@pytest.mark.parametrize(("table", "operation"), list(RAW_WRITES), ids=["-".join(key) for key in RAW_WRITES])
def test_raw_sql(viewed, table, operation):
    write, live, step = RAW_WRITES[(table, operation)]
    before = live()
    write()
    after = live()
    assert after == before + step if step is not None else after < before  # the write moved the figure
    assert_figures_true()


# --- the buckets ---------------------------------------------------------------------------------------------

def test_a_session_moved_between_returnees_of_two_buckets(viewed):
    far = new_returnee(to="ML", departed=date(YEAR, 2, 2), id=2 * SIZE + 3)
    session = post_return_session_2024()
    home = session.returnee_id // SIZE
    before = (generation("returnee", home), generation("returnee", 2))
    session.returnee = far
    session.save()
    assert generation("returnee", home) == before[0] + 1 and generation("returnee", 2) == before[1] + 1
    report = assert_figures_true()
    assert report["avrr.by_country.ML"].value == viewed["avrr.by_country.ML"].value + 1
    assert report.breakdowns["from_morocco.kinds"].total == avrr_post_return_sessions() \
        == viewed.breakdowns["from_morocco.kinds"].total
    supported = Returnee.objects.from_morocco().supported_after_return_in(YEAR).count()
    assert report["avrr.post_return_support"].value == supported
    assert set(BucketCount.objects.filter(year=YEAR, kind="returnee").values_list("bucket", "generation")) >= {
        (home, generation("returnee", home)), (2, generation("returnee", 2))}


def test_the_triggers_and_the_reader_number_buckets_alike(viewed):
    """A record with id k × BUCKET_SIZE + r is in bucket k, for the triggers and for the reader's recount."""
    person = new_returnee(to="RW", departed=date(YEAR, 5, 5), id=3 * SIZE + 7)
    assert generation("returnee", 3) == 1
    helpers.session(person, on=date(YEAR, 6, 6), kind="education")
    assert generation("returnee", 3) == 2
    file = _saved(new_file(id=6 * SIZE - 1, destination_country="FI"))
    Refugee.objects.create(file=file, given_name="A", family_name="B", sex="F", date_of_birth=date(2000, 1, 1),
                           nationality="SY", is_principal_applicant=True, relationship="principal")
    assert generation("file", 5) == 2
    report = assert_figures_true()
    assert report["avrr.by_country.RW"].value == avrr_returns("RW") == 1
    assert report["resettlement.by_destination.FI"].value == 1
    stored = BucketCount.objects.get(year=YEAR, kind="returnee", bucket=3)
    assert stored.generation == 2 and stored.counts["people"][0][1] == "RW"


def test_a_read_after_one_save_recounts_one_bucket_in_a_fixed_number_of_queries(viewed):
    new_returnee(to="RW", departed=date(YEAR, 5, 5), id=7 * SIZE + 1)
    indicators.compute(YEAR)  # stores the new bucket
    stored = dict(BucketCount.objects.filter(year=YEAR).values_list("bucket", "generation"))
    returnee = avrr_returnee_2024("CI")
    returnee.sex = "F" if returnee.sex == "M" else "M"
    returnee.save()
    with CaptureQueriesContext(connection) as queries:
        indicators.compute(YEAR)
    # The generations with the stored counts, the returnee bucket's two counts (returns, sessions), its store
    # (an upsert in a savepoint: SAVEPOINT, INSERT … ON CONFLICT, RELEASE), the published figures.
    assert len(queries) == indicators.QUERY_COUNT + 2 + 3, [q["sql"] for q in queries]
    now = dict(BucketCount.objects.filter(year=YEAR).values_list("bucket", "generation"))
    changed = {bucket for bucket in now if now[bucket] != stored.get(bucket)}
    assert changed == {returnee.pk // SIZE}
    assert_figures_true()


def test_the_years_of_a_trend_are_read_and_recounted_together(viewed):
    """A write to a bucket makes it stale in every year: the years a dashboard reads together (its trend) are
    read in one statement and recounted in one pass grouped by year, and each year still equals its live
    count, the sessions' "returned in the year of the session" among them."""
    years = [2022, 2023, YEAR]
    gone_2022 = new_returnee(to="GN", departed=date(2022, 3, 1))
    gone_2023 = new_returnee(to="SN", departed=date(2023, 7, 1))
    home_2023 = new_returnee(to="MA", departed=date(2023, 2, 1), host_country="TR")
    for person, day in ((gone_2022, date(2023, 1, 10)), (gone_2023, date(2023, 8, 1)),
                        (home_2023, date(2023, 3, 1)), (home_2023, date(YEAR, 3, 1))):
        helpers.build_session(person, date=day, enhanced=day.year == 2023).save()
    file = new_file(referral_date=date(2022, 11, 1), departure_date=date(2023, 5, 2))
    file.save()
    helpers.build_refugee(file).save()
    indicators.compute_years(years)  # every bucket of the three years stored
    before = {year: indicators.compute(year) for year in years}
    Returnee.objects.filter(pk__in=[gone_2022.pk, gone_2023.pk]).update(return_country="ML", nationality="ML")
    SupportSession.objects.filter(returnee=home_2023).update(enhanced=False)
    ResettlementFile.objects.filter(pk=file.pk).update(destination_country="US")
    with CaptureQueriesContext(connection) as queries:
        reports = indicators.compute_years(years)
    # The generations with the three years' stored counts; the recount (returns, sessions, refugees); its
    # store (SAVEPOINT, INSERT … ON CONFLICT, RELEASE); each year's published figures.
    assert len(queries) == 1 + 3 + 3 + len(years), [q["sql"] for q in queries]
    for year in years:
        assert snapshot(reports[year]) == snapshot(indicators.compute(year, live=True)), year
        assert snapshot(reports[year]) == snapshot(indicators.compute(year)), year
    def moved(year: int, key: str) -> int:
        return figure(reports[year], key) - figure(before[year], key)

    assert (moved(2022, "avrr.by_country.GN"), moved(2022, "avrr.by_country.ML")) == (-1, 1)
    assert (moved(2023, "avrr.by_country.SN"), moved(2023, "avrr.by_country.ML")) == (-1, 1)
    assert (moved(2023, "resettlement.by_destination.CA"), moved(2023, "resettlement.by_destination.US")) == (-1, 1)
    # Its session of 2024 is not 2023's: only the 2023 one was reinforced, and it no longer is.
    assert (moved(2023, "moroccans.reintegration_support"), moved(2023, "moroccans.enhanced_support")) == (0, -1)
    assert moved(YEAR, "moroccans.enhanced_support") == 0
    assert summaries.counts_of(years) == {year: summaries.counts(year) for year in years}


def test_no_year_asked_reads_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert indicators.compute_years([]) == {}


def test_counts_made_by_other_counting_rules_are_recounted(viewed):
    BucketCount.objects.filter(year=YEAR).update(counts={"version": "0:before-a-deploy", "people": [],
                                                         "sessions": {}, "destinations": []})
    assert_figures_true()
    assert set(BucketCount.objects.filter(year=YEAR).values_list("counts__version", flat=True)) == {
        counting.COUNTS_VERSION}


def test_a_write_during_a_recount_leaves_the_stored_count_stale_not_wrong(viewed, monkeypatch):
    """Generations are read before counting: a write that commits meanwhile is counted again next time."""
    returnee = avrr_returnee_2024("CI")
    returnee.return_country = "SN"
    returnee.save()
    real_count = summaries.count_buckets

    def count_then_another_write(stale, size):
        counted = real_count(stale, size)
        Returnee.objects.filter(pk=returnee.pk).update(return_country="GN")  # another user's change, after the count
        return counted

    monkeypatch.setattr(summaries, "count_buckets", count_then_another_write)
    indicators.compute(YEAR)
    monkeypatch.undo()
    stored = BucketCount.objects.get(year=YEAR, kind="returnee", bucket=returnee.pk // SIZE)
    assert stored.generation < generation("returnee", returnee.pk // SIZE)
    assert assert_figures_true()["avrr.by_country.GN"].value == avrr_returns("GN")


def test_counts_that_cannot_be_stored_are_served_all_the_same(viewed, monkeypatch, admin_client_logged):
    def refused(*args, **kwargs):
        raise DatabaseError("database is locked")

    new_returnee(to="GN", departed=date(YEAR, 10, 1))
    monkeypatch.setattr(BucketCount.objects, "bulk_create", refused)
    response = admin_client_logged.get(reverse("dashboard"), {"year": YEAR})
    assert response.status_code == 200
    assert response.context["report"]["avrr.by_country.GN"].value == avrr_returns("GN")
    monkeypatch.undo()
    assert_figures_true()


def test_a_truncated_table(viewed):
    """PostgreSQL's TRUNCATE (the test suite's flush) fires no row trigger: its own trigger marks the kind."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # CASCADE empties the tables that point at these too (documents, surveys), as the flush does
            cursor.execute("TRUNCATE resettlement_refugee CASCADE")
            cursor.execute("TRUNCATE reintegration_supportsession CASCADE")
        else:  # SQLite's flush: DELETE FROM, which fires the row triggers
            cursor.execute("DELETE FROM resettlement_refugee")
            cursor.execute("DELETE FROM reintegration_supportsession")
    report = assert_figures_true()
    assert report["resettlement.departed"].value == 0 and report["avrr.post_return_support"].value == 0
    assert viewed["resettlement.departed"].value > 0


# --- what a save costs ----------------------------------------------------------------------------------------

def _touched_returnee() -> Returnee:
    record = avrr_returnee_2024("CI")
    record.sex = "F" if record.sex == "M" else "M"
    return record


def _touched_session() -> SupportSession:
    record = post_return_session_2024()
    record.kind = "social" if record.kind != "social" else "health"
    return record


SAVES = {  # name: (the record, changed in memory; how it is saved)
    "returnee save": (_touched_returnee, lambda record: record.save()),
    "returnee versioned save": (_touched_returnee, lambda record: save_versioned(record, record.version)),
    "session save": (_touched_session, lambda record: record.save()),
    "session versioned save": (_touched_session, lambda record: save_versioned(record, record.version)),
}


def _save_queries(name: str) -> list[str]:
    load, save = SAVES[name]
    record = load()
    with CaptureQueriesContext(connection) as queries:
        save(record)
    return [q["sql"] for q in queries]


@pytest.mark.parametrize("save", list(SAVES))
def test_a_save_sends_no_more_queries_than_without_the_triggers(viewed, save):
    """The triggers work inside the database: a save sends the statements it sends without them (the issue
    allows two more), and one bucket's generation moves for it."""
    bucket = ("returnee", (avrr_returnee_2024("CI").pk if save.startswith("returnee")
                           else post_return_session_2024().returnee_id) // SIZE)
    before = generation(*bucket)
    with_triggers = _save_queries(save)
    moved = generation(*bucket) - before
    with transaction.atomic():
        triggers.uninstall(connection)
        without = _save_queries(save)
        transaction.set_rollback(True)
    assert triggers.installed(connection)  # back with the rollback
    assert len(with_triggers) <= len(without) + 2
    assert len(with_triggers) == len(without), with_triggers
    # The versioned save's claim changes only `version`: PostgreSQL's triggers leave it out (one lock, taken
    # by the save's own statement); SQLite's row triggers mark the bucket for it too.
    assert moved == (2 if "versioned" in save and connection.vendor == "sqlite" else 1)


# The UPDATE, the history row's INSERT, and for a returnee the history of its vulnerabilities (two queries);
# no savepoint (CaseRecord.save joins the caller's transaction): nothing for the figures, whose work the
# triggers do in the database.
@pytest.mark.parametrize(("save", "count"), [("returnee save", 4), ("session save", 2)])
def test_what_a_save_sends(viewed, save, count):
    queries = _save_queries(save)
    assert len(queries) == count, [q[:90] for q in queries]


def test_a_change_of_the_edit_version_alone_marks_nothing_on_postgresql(viewed):
    returnee = avrr_returnee_2024("CI")
    before = generation("returnee", returnee.pk // SIZE)
    Returnee.objects.filter(pk=returnee.pk).update(version=F("version") + 1)
    expected = 0 if connection.vendor == "postgresql" else 1
    assert generation("returnee", returnee.pk // SIZE) == before + expected
    Returnee.objects.filter(pk=returnee.pk).update(version=F("version") + 1, notes="seen")
    assert generation("returnee", returnee.pk // SIZE) == before + expected + 1


# --- the triggers themselves ----------------------------------------------------------------------------------

def test_the_triggers_are_on_the_counted_tables(db):
    assert {table: model._meta.db_table for table, model in (
        ("returns_returnee", Returnee), ("reintegration_supportsession", SupportSession),
        ("resettlement_resettlementfile", ResettlementFile), ("resettlement_refugee", Refugee))} == {
        table: table for table in triggers.TABLES}
    operations = 4 if connection.vendor == "postgresql" else 3  # + TRUNCATE on PostgreSQL
    assert len(triggers.installed(connection)) == 4 * operations


def test_migrate_puts_back_triggers_that_a_table_rebuild_dropped(db):
    """SQLite drops a table's triggers when a migration rebuilds it; the next migrate's post_migrate restores them."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's ALTER TABLE keeps a table's triggers")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {triggers.trigger_name('returns_returnee', 'update')}")
    assert triggers.trigger_name("returns_returnee", "update") not in triggers.installed(connection)
    post_migrate.send(apps.get_app_config("oimsite"), app_config=apps.get_app_config("oimsite"), verbosity=0,
                      interactive=False, using="default", apps=apps, plan=[])
    assert triggers.trigger_name("returns_returnee", "update") in triggers.installed(connection)


def test_populate_leaves_every_year_it_wrote_counted(db, baseline):
    call_command("populate", scale="1", no_progress=True, stdout=io.StringIO())
    years = {d.year for d in Returnee.objects.filter(departure_date__year__lt=YEAR).dates("departure_date", "year")}
    assert years
    for year in sorted(years):
        with CaptureQueriesContext(connection) as queries:
            report = indicators.compute(year)
        assert len(queries) == indicators.QUERY_COUNT, year
        assert snapshot(report) == snapshot(indicators.compute(year, live=True)), year
