"""SQLite under concurrent writers (settings.py): edits wait their turn instead of answering 500, and a write
that still cannot proceed gets a "try again" page (503, oimsite/middleware.py).

The suite's own SQLite database is in memory, so these run `sqlite_writers.py` in a subprocess on a
database file of its own; they run (on SQLite) whatever database the suite itself uses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("sqlite_writers.py")
BASE = SCRIPT.parents[2]


def run(tmp_path: Path, mode: str, **env: str) -> dict:
    environment = {**os.environ, "OIM_VAR_DIR": str(tmp_path / "var"), **env}
    environment.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "db.sqlite3"), mode], cwd=BASE,
                            env=environment, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_sqlite_settings_are_those_the_readme_states(monkeypatch):
    """WAL, a busy timeout and immediate transactions on SQLite; nothing of the kind on PostgreSQL."""
    code = ("from django.conf import settings; import json; "
            "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))")

    def options(url: str) -> dict:
        environment = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "oimsite.settings"}
        result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=BASE,
                                env=environment, capture_output=True, text=True, check=True)
        return json.loads(result.stdout)

    assert options("sqlite:////tmp/oim-settings-check.sqlite3") == {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    postgres = options("postgres://postgres@127.0.0.1:5432/x")
    assert not {"init_command", "transaction_mode", "timeout"} & set(postgres)


@pytest.mark.django_db
def test_concurrent_admin_saves_wait_their_turn_instead_of_failing(tmp_path):
    result = run(tmp_path, "editors")
    statuses = result["statuses"]
    assert not [status for status in statuses if status.endswith(("500", "503"))], statuses
    assert statuses.get("save 302") == 4 * 6, statuses  # every save of every editor
    assert statuses.get("read 200") == 4 * 6, statuses
    assert result["saved"] == ["Edited5"] * 4


@pytest.mark.django_db
def test_a_write_kept_waiting_past_the_timeout_gets_a_try_again_page(tmp_path):
    result = run(tmp_path, "locked", DJANGO_SQLITE_BUSY_TIMEOUT="1")
    assert result["journal_mode"] == "wal"
    assert result["status"] == 503
    assert result["retry_after"] == "5"
    assert "Busy: try again" in result["page"] and "Nothing was saved" in result["page"]
    assert result["family_name"] != "Blocked"
