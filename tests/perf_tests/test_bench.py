"""`manage.py bench`: refuses the configured database, and a tiny run completes and prints its table."""

import io
import os

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from oimsite import bench


def test_bench_refuses_the_configured_database():
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{settings.VAR_DIR / 'db.sqlite3'}"
    with pytest.raises(CommandError, match="Refusing to run against the configured database"):
        call_command("bench", scales="1", database_url=url, stdout=io.StringIO(), stderr=io.StringIO())


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


def test_tiny_bench_prints_a_table(tmp_path, django_db_blocker):
    out = io.StringIO()
    target = tmp_path / "bench_{scale}.sqlite3"
    with django_db_blocker.unblock():
        call_command("bench", scales="1", repeat=1, only="admin returnees", database_url=f"sqlite:///{target}",
                     stdout=out, stderr=io.StringIO())
    table = out.getvalue()
    assert "| page | variant | ×1 queries | ×1 ms |" in table
    assert "| admin returnees | plain |" in table
    assert not (tmp_path / "bench_1.sqlite3").exists()  # dropped at the end
