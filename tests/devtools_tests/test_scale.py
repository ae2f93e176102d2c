"""`populate --scale N`: N exact copies of the baseline's shape, valid records, nothing written on bad input."""

import io
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from oimsite.core.names import name_key
from oimsite.devtools import scale
from oimsite.devtools.bulk_rows import Table
from oimsite.reporting import indicators
from reintegration.models import FollowUp, PlanGoal, ReintegrationPlan, SupportSession
from resettlement.models import FileAssignment, Refugee, ResettlementFile
from returns.models import Returnee, ReturneeAssignment
from tests import helpers

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

MODELS = {
    "returns.returnee": Returnee,
    "returns.returnee_vulnerabilities": Returnee.vulnerabilities.through,
    "reintegration.supportsession": SupportSession,
    "resettlement.resettlementfile": ResettlementFile,
    "resettlement.refugee": Refugee,
    "returns.returneeassignment": ReturneeAssignment,
    "reintegration.reintegrationplan": ReintegrationPlan,
    "reintegration.plangoal": PlanGoal,
    "reintegration.followup": FollowUp,
    "resettlement.fileassignment": FileAssignment,
}


def counts() -> dict[str, int]:
    return {label: model.objects.count() for label, model in MODELS.items()}


@pytest.fixture(scope="module", autouse=True)
def _copies_of_a_sample(sample_baseline):
    """Copies of a sample of the baseline: what is copied and how, not the baseline's size, is under test."""


@pytest.fixture(scope="module")
def template():
    return scale.load_template()


def test_scale_one_adds_one_copy_of_every_model(template):
    before = counts()
    returned_2024 = Returnee.objects.from_morocco().returned_in(2024).count()
    call_command("populate", scale="1", no_progress=True, stdout=io.StringIO())
    after = counts()
    assert {label: after[label] - before[label] for label in MODELS} == template.counts()
    # Copies are moved at least two years back: the 2024 figures are those of the baseline alone.
    assert Returnee.objects.from_morocco().returned_in(2024).count() == returned_2024
    # The copies' rows leave the name key to the database, as every writer does.
    rows = Returnee.objects.values_list("given_name", "family_name", "name_key")
    assert all(key == name_key(given_name, family_name) for given_name, family_name, key in rows)


def test_scale_two_twice_keeps_numbers_unique(template):
    out = io.StringIO()
    call_command("populate", scale="2", no_progress=True, stdout=out)
    call_command("populate", scale="1", no_progress=True, stdout=out)
    assert Returnee.objects.count() == 3 * len(template.returnees)
    numbers = list(Returnee.objects.values_list("case_number", flat=True))
    assert len(numbers) == len(set(numbers))
    files = list(ResettlementFile.objects.values_list("file_number", flat=True))
    assert len(files) == len(set(files))
    assert "Added 2 batch(es)" in out.getvalue()


def test_created_records_pass_full_clean():
    call_command("populate", scale="1", no_progress=True, stdout=io.StringIO())
    rng = random.Random(6)
    for model in (Returnee, SupportSession, ResettlementFile, Refugee, ReintegrationPlan, PlanGoal, FollowUp):
        pks = list(model.objects.values_list("pk", flat=True))
        for obj in model.objects.filter(pk__in=rng.sample(pks, min(150, len(pks)))):
            obj.full_clean()  # raises ValidationError naming the rule broken
    # Every reinforced session belongs to a returnee with a recorded vulnerability.
    assert not SupportSession.objects.filter(enhanced=True, returnee__vulnerabilities__isnull=True).exists()
    # Sessions serve goals of their own returnee's plan; follow-ups go to the case's owner (the baseline's
    # staff accounts, made by populate in a database without them).
    assert SupportSession.objects.filter(goal__isnull=False).exists()
    assert not SupportSession.objects.filter(goal__isnull=False).exclude(goal__plan__returnee=F("returnee")).exists()
    assert FollowUp.objects.filter(done_on__isnull=True).exists() and FollowUp.objects.exclude(outcome="").exists()
    assert not FollowUp.objects.exclude(assigned_to=F("returnee__assigned_to")).exists()
    assert Returnee.objects.filter(assigned_to__username="k.tazi", stage="closed").exists()


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "1.5", ""])
def test_bad_scale_is_refused_and_writes_nothing(bad):
    before = counts()
    with pytest.raises(CommandError, match=r"--scale must be a positive integer .* Nothing was written\."):
        call_command("populate", scale=bad, no_progress=True, stdout=io.StringIO())
    assert counts() == before


def test_interrupted_run_keeps_only_complete_batches(monkeypatch, template):
    original = Table.insert
    calls = {"n": 0}

    def interrupt_second_batch(table, rows):
        # The refugees are the last rows a copy writes: everything else of the second copy is in by then.
        if table.model is Refugee:
            calls["n"] += 1
            if calls["n"] == 2:
                raise KeyboardInterrupt
        return original(table, rows)

    monkeypatch.setattr(Table, "insert", interrupt_second_batch)
    before = counts()
    with pytest.raises(CommandError, match=r"Interrupted: 1 complete batch\(es\) of 3 were written"):
        call_command("populate", scale="3", no_progress=True, stdout=io.StringIO())
    after = counts()
    # The second batch had written its returnees, sessions and files before the interrupt: all rolled back.
    assert {label: after[label] - before[label] for label in MODELS} == template.counts()


def test_progress_bar_goes_to_the_stream():
    stream = io.StringIO()
    result = scale.populate(2, progress_stream=stream)
    assert result.batches == 2
    assert "2/2 batches" in stream.getvalue()


def _new(model, before: int):
    return list(model.objects.filter(pk__gt=before).order_by("pk"))


def test_a_copy_is_the_template_moved_back(template):
    """Every record of a copy carries its template record's values, its dates `shift` years back, and its
    sessions, vulnerabilities and refugees: the raw rows link each one to the right parent."""
    last = {m: m.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            for m in (Returnee, ResettlementFile)}
    scale.populate(1, progress_stream=None)
    shift = scale.FIRST_SHIFT
    returnees = _new(Returnee, last[Returnee])
    assert len(returnees) == len(template.returnees)
    for t, r in zip(template.returnees, returnees, strict=True):
        for name, value in t.fields.items():
            if name == "case_number":
                prefix, year, _ = value.split("-")
                assert r.case_number.startswith(f"{prefix}-{int(year) - shift}-")
            elif isinstance(value, scale.date):
                assert getattr(r, name) == scale.shift_years(value, shift), (r.case_number, name)
            else:
                assert getattr(r, name) == value, (r.case_number, name)
        assert sorted(r.vulnerabilities.values_list("code", flat=True)) == sorted(t.vulnerabilities)
        assert sorted(r.sessions.values_list("kind", "phase", "date")) == sorted(
            (s["kind"], s["phase"], scale.shift_years(s["date"], shift)) for s in t.sessions)
        assert r.created_at is not None and r.version == Returnee._meta.get_field("version").default
    files = _new(ResettlementFile, last[ResettlementFile])
    assert len(files) == len(template.files)
    for t, f in zip(template.files, files, strict=True):
        assert f.destination_country == t.fields["destination_country"]
        assert f.departure_date == scale.shift_years(t.fields["departure_date"], shift)
        assert sorted(f.refugees.values_list("family_name", "given_name", "date_of_birth")) == sorted(
            (p["family_name"], p["given_name"], scale.shift_years(p["date_of_birth"], shift)) for p in t.refugees)


def test_records_saved_after_a_populate_get_new_ids():
    """The ids a copy reserved are taken: the next record saved the usual way does not collide."""
    scale.populate(1, progress_stream=None)
    largest = Returnee.objects.order_by("-pk").values_list("pk", flat=True).first()
    r = helpers.returnee()
    assert r.pk > largest
    f = helpers.resettlement_file(size=2)
    assert f.refugees.count() == 2
    # A second populate reserves after those.
    scale.populate(1, progress_stream=None)
    assert Returnee.objects.filter(pk__gt=r.pk).exists()


def test_populate_ends_with_every_year_it_wrote_counted(template):
    """The copies' years are counted by populate itself: no dashboard view after it pays for a count."""
    scale.populate(1, progress_stream=None)
    copied = {d.year for d in Returnee.objects.filter(departure_date__year__lt=2024)
              .dates("departure_date", "year")}
    assert copied  # the copy moved the baseline's returns to earlier years
    for year in sorted(copied):
        with CaptureQueriesContext(connection) as queries:
            report = indicators.compute(year)
        assert len(queries) == indicators.QUERY_COUNT, year  # every bucket's count stored and current
        assert report.as_dict() == indicators.compute(year, live=True).as_dict()


def test_populate_leaves_statistics_of_the_new_table_sizes():
    """The planners choose indexes by the rows they expect: populate ANALYZEs the tables it wrote."""
    from django.db import connection

    call_command("populate", scale="1", no_progress=True, stdout=io.StringIO())
    with connection.cursor() as cursor:
        for model in MODELS.values():
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            else:  # one row per index, starting with its number of entries (fewer for a partial index)
                cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
            rows = [int(str(value).split()[0].split(".")[0]) for (value,) in cursor.fetchall()]
            assert rows and max(rows) == model.objects.count(), table
