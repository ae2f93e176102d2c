"""`manage.py bench`: refuses the configured database, and a tiny run completes and prints its table."""

import io
import os

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import Client

from oimsite.core.assignment import reassign
from oimsite.devtools import bench
from tests import helpers

# Each test loads, populates or benches whole databases: seconds each.
pytestmark = pytest.mark.slow


def test_bench_refuses_the_configured_database():
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{settings.VAR_DIR / 'db.sqlite3'}"
    with pytest.raises(CommandError, match="Refusing to run against the configured database"):
        call_command("bench", scales="1", database_url=url, stdout=io.StringIO(), stderr=io.StringIO())


def test_bench_refuses_an_only_that_matches_no_group_before_building_anything(tmp_path):
    target = tmp_path / "bench_{scale}.sqlite3"
    with pytest.raises(CommandError, match=r"'lists' matches no group; the groups: .*returnee list"):
        call_command("bench", scales="1", only="lists", database_url=f"sqlite:///{target}",
                     stdout=io.StringIO(), stderr=io.StringIO())
    assert not list(tmp_path.iterdir())


def test_bench_refuses_a_postgres_database_not_named_bench():
    target = bench.target_settings(1, "postgres://postgres@127.0.0.1:5432/production")
    with pytest.raises(bench.BenchRefused, match="bench databases are named bench_"):
        bench.check_target(target)


def test_bench_refuses_an_existing_file(tmp_path):
    existing = tmp_path / "mine.sqlite3"
    existing.write_bytes(b"")
    with pytest.raises(CommandError, match="already exists and was not created by this bench run"):
        call_command("bench", scales="1", database_url=f"sqlite:///{existing}", stdout=io.StringIO(),
                     stderr=io.StringIO())
    assert existing.exists()


@pytest.mark.parametrize("bad", ["0", "a,b", "", "1,-2"])
def test_bad_scales_are_refused(bad):
    with pytest.raises(CommandError, match="--scales takes positive integers"):
        call_command("bench", scales=bad, stdout=io.StringIO(), stderr=io.StringIO())


def test_tiny_bench_prints_a_table(tmp_path, django_db_blocker, sample_baseline):
    out, log = io.StringIO(), io.StringIO()
    target = tmp_path / "bench_{scale}.sqlite3"
    with django_db_blocker.unblock():
        call_command("bench", scales="1,2", repeat=1, only="admin returnees", database_url=f"sqlite:///{target}",
                     stdout=out, stderr=log)
    table = out.getvalue()
    assert "| page | variant | ×1 queries | ×1 ms | ×1 floor ms | ×2 queries | ×2 ms |" in table
    plain = next(line for line in table.splitlines() if line.startswith("| admin returnees | plain |"))
    assert plain.endswith("| yes |")  # the same queries at both scales
    # Both databases were loaded before the first page was measured, and both are dropped at the end.
    lines = log.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines[:2]] == ["×1", "×2"]
    assert not list(tmp_path.glob("bench_*.sqlite3"))


def test_the_scales_take_turns_after_a_warm_up(monkeypatch):
    """Each round times every scale once, so a slow moment of the machine falls on all of them."""
    from django.db import connections

    calls: list[str] = []
    databases = [bench.ScaleDatabase(n, connections.settings["default"], connections["default"]) for n in (1, 100)]
    clock = iter(range(1000))

    def runner(name: str):
        return lambda: calls.append(name)

    timed = [bench.Timed(databases[0], runner("x1"), before=lambda: calls.append("change")),
             bench.Timed(databases[1], runner("x100"))]
    monkeypatch.setattr(bench.time, "perf_counter", lambda: next(clock) / 1000)  # each run: 1 ms of this clock
    medians = bench.interleaved_medians(timed, repeat=3)
    assert calls == ["change", "x1", "x100"] * 4  # a warm-up round, then three timed rounds
    assert medians == [pytest.approx(1.0), pytest.approx(1.0)]


def test_tiny_bench_times_the_dashboard_against_its_floor(tmp_path, django_db_blocker, sample_baseline):
    out = io.StringIO()
    with django_db_blocker.unblock():
        call_command("bench", scales="1", repeat=1, only="dashboard",
                     database_url=f"sqlite:///{tmp_path / 'bench_{scale}.sqlite3'}", stdout=out, stderr=io.StringIO())
    rows = [line for line in out.getvalue().splitlines() if line.startswith("| dashboard |")]
    assert [row.split(" | ")[1] for row in rows] == ["year 2024", "busiest year", "busiest year, after a change",
                                                     "busiest year, after a bulk write", "busiest year, cold"]
    queries = {row.split(" | ")[1]: int(row.split(" | ")[2]) for row in rows}
    # A change or a bulk write makes the next view recount the buckets written, a cold view counts them all:
    # the queries of a count and its store, however many buckets.
    assert queries["busiest year, after a change"] > queries["busiest year"]
    assert queries["busiest year, after a bulk write"] == queries["busiest year, after a change"]
    assert queries["busiest year, cold"] > queries["busiest year"]
    for row in rows:
        floor_ms = row.split(" | ")[4]
        assert floor_ms != "—" and float(floor_ms.replace(",", "")) > 0


def test_tiny_bench_reports_what_the_figures_cost_a_save(tmp_path, django_db_blocker, sample_baseline):
    out = io.StringIO()
    with django_db_blocker.unblock():
        call_command("bench", scales="1", repeat=1, only="save",
                     database_url=f"sqlite:///{tmp_path / 'bench_{scale}.sqlite3'}", stdout=out, stderr=io.StringIO())
    rows = {line.split(" | ")[1]: line.split(" | ") for line in out.getvalue().splitlines()
            if line.startswith("| save |")}
    assert set(rows) == {"returnee, with triggers", "returnee, triggers dropped", "session, with triggers",
                         "session, triggers dropped"}
    for record in ("returnee", "session"):
        assert rows[f"{record}, with triggers"][2] == rows[f"{record}, triggers dropped"][2]  # the same queries
    assert "+0 queries with the triggers" in out.getvalue()


@pytest.mark.django_db
def test_dashboard_floor_computes_what_the_dashboard_shows():
    """The floor is only a fair yardstick if it computes the same numbers: check it against compute()."""
    from datetime import date

    from django.db import connection

    from oimsite.reporting import indicators

    helpers.small_world(2)
    helpers.returnee(host="TR", to="MA", born=date(1988, 5, 11), departed=date(2024, 5, 10))  # 35 the day before
    helpers.returnee(host="TR", to="MA", born=date(1988, 5, 10), departed=date(2024, 5, 10))  # 36 that day
    report = indicators.compute(2024)
    with connection.cursor() as cursor:
        results = []
        for statement in bench.dashboard_floor(connection.vendor, 2024).split(";"):
            cursor.execute(statement)
            results.append(cursor.fetchall())
    returns, (sessions,), refugees, published = results
    avrr = [r for r in returns if r[0] == "MA"]
    moroccans = [r for r in returns if r[1] == "MA"]
    assert sum(r[4] for r in avrr) == report["avrr.returned"].value
    assert len({r[1] for r in avrr}) == report["avrr.countries"].value
    assert sum(r[5] for r in avrr) == report["avrr.predeparture_virtual_counselling"].value
    assert sum(r[4] for r in moroccans) == report["moroccans.returned"].value
    assert sum(r[4] for r in moroccans if r[2] == "M") == report["moroccans.male_share"].value
    assert sum(r[4] for r in moroccans if r[3] == "18-35") == report["moroccans.age_18_35_share"].value
    assert list(sessions[:4]) == [report[k].value for k in (
        "avrr.post_return_support", "avrr.enhanced_support", "moroccans.reintegration_support",
        "moroccans.enhanced_support")]
    assert sum(sessions[4:]) == sum(report.breakdowns[f"{p}.kinds"].total for p in ("from_morocco", "to_morocco"))
    assert {code: n for code, n in refugees} == {
        code: report[f"resettlement.by_destination.{code}"].value for code, _n in refugees}
    assert len(published) == len(report.published)


@pytest.mark.django_db
def test_the_searched_list_floor_shows_the_rows_the_list_shows(admin_client_logged):
    """The floor's search (search_fold on both databases) finds the rows the list shows."""
    from django.db import connection
    from django.urls import reverse

    call_command("populate", scale="2", no_progress=True, stdout=io.StringIO())
    page = next(p for p in bench.pages() if (p.group, p.variant) == ("returnee list", "searched"))
    with connection.cursor() as cursor:
        cursor.execute(bench._fill_floor(page.floor_sql))
        floor_ids = [row[0] for row in cursor.fetchall()]
    response = admin_client_logged.get(f"{reverse(page.url_name)}?{page.query}")
    assert floor_ids == [row.record.pk for row in response.context["table"].page.object_list]
    assert len(floor_ids) > 1


@pytest.mark.parametrize("group", ["returnee list", "admin refugees"])
def test_the_full_page_searches_fill_a_page_at_x1(db, baseline, admin_client_logged, group):
    """The "a full page at ×1" rows compare equal pages: their word matches at least 50 rows of the baseline,
    and the floor finds the rows the page shows."""
    from django.db import connection
    from django.urls import reverse

    page = next(p for p in bench.pages() if (p.group, p.variant) == (group, "searched, a full page at ×1"))
    response = admin_client_logged.get(f"{reverse(page.url_name)}?{page.query}")
    if group == "returnee list":
        shown = [row.record.pk for row in response.context["table"].page.object_list]
    else:
        shown = [obj.pk for obj in response.context["cl"].result_list]
    with connection.cursor() as cursor:
        cursor.execute(bench._fill_floor(page.floor_sql))
        assert [row[0] for row in cursor.fetchall()] == shown
    assert len(shown) == 50


@pytest.mark.django_db
def test_casework_pages_are_measured_as_the_owner_of_the_most_cases(django_user_model):
    """My work and the "mine" lists as the staff user with the most open cases; the caseload's floor counts
    what the caseload shows."""
    awa = django_user_model.objects.create_user("awa", password=helpers.PASSWORD, is_staff=True)
    omar = django_user_model.objects.create_user("omar", password=helpers.PASSWORD, is_staff=True)
    awa.user_permissions.add(Permission.objects.get(codename="view_returnee"))
    cases = [helpers.returnee() for _ in range(3)]
    reassign(cases[:2], awa, by=None)
    reassign(cases[2:], omar, by=None)
    assert bench.busiest_owner() == awa
    superuser = django_user_model.objects.create_superuser("bench", "b@example.org", helpers.PASSWORD)
    database = bench.ScaleDatabase(1, connections.settings["default"], connections["default"], client=Client())
    database.client.force_login(superuser)
    pages = {(p.group, p.variant): p for p in bench.pages()}
    mine = bench.plan_page(pages["my work", "busiest owner"], database)
    assert (mine.measure.status, mine.measure.note) == (200, "as awa")
    assert mine.client is not None and mine.measure.queries
    listed = bench.plan_page(pages["returnee list", "one owner's"], database)
    assert listed.url.endswith(f"assigned_to={awa.pk}") and f"assigned_to_id = {awa.pk}" in listed.floor_sql
    caseload = bench.plan_page(pages["caseload", "every worker"], database)
    assert caseload.measure.status == 200 and caseload.client is None
    with connection.cursor() as cursor:
        cursor.execute(bench.CASELOAD_FLOOR.split(";")[0])
        assert dict(cursor.fetchall()) == {awa.pk: 2, omar.pk: 1}
