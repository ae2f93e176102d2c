"""Concurrent admin saves on a file-based SQLite database, run in a subprocess by test_sqlite_concurrency.py.

The test suite's SQLite database lives in memory (one connection's), so writers in threads cannot be
tested there: this script migrates a database file of its own, then

- `editors`: E threads each saving their own returnee through the admin R times while readers load the
  changelist, and prints the HTTP statuses as JSON;
- `locked`: holds SQLite's write lock from another connection while the admin saves a returnee, and
  prints the status, the Retry-After header and the page.

Usage: python sqlite_writers.py DB_FILE editors|locked
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
from collections import Counter
from pathlib import Path

BASE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE))
os.environ["DATABASE_URL"] = f"sqlite:///{sys.argv[1]}"
os.environ["DJANGO_SETTINGS_MODULE"] = "oimsite.settings"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from datetime import date  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from returns.models import Returnee  # noqa: E402

# The departure checklist inline of the returnee form, left empty.
NO_CHECKLIST = {"checklist-TOTAL_FORMS": "0", "checklist-INITIAL_FORMS": "0"}

EDITORS, READERS, ROUNDS = 4, 4, 6


def form_data(returnee: Returnee, family_name: str) -> dict:
    """The returnee's admin change form as a browser posts it back, with a new family name.

    Built from the record rather than from `response.context`: the test client gathers the context from a
    signal that every thread's rendering sends, so in threads it may hold another request's form.
    """
    returnee.refresh_from_db()
    return {
        "case_number": returnee.case_number, "status": returnee.status, "stage": returnee.stage,
        "closure_reason": returnee.closure_reason, "given_name": returnee.given_name,
        "family_name": family_name, "sex": returnee.sex, "date_of_birth": returnee.date_of_birth.isoformat(),
        "nationality": returnee.nationality.code, "host_country": returnee.host_country.code,
        "return_country": returnee.return_country.code, "notes": returnee.notes,
        "edit_version": str(returnee.version), **NO_CHECKLIST,
        "sessions-TOTAL_FORMS": "0", "sessions-INITIAL_FORMS": "0",
    }


def setup() -> tuple[object, list[Returnee]]:
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_superuser("root", "root@example.org", "Correct-Horse-Battery-9")
    returnees = [Returnee.objects.create(
        case_number=f"RVA-2024-{i:05d}", given_name="Awa", family_name=f"Start{i}", sex="F",
        date_of_birth=date(1990, 1, 1), nationality="SN", host_country="MA", return_country="SN",
    ) for i in range(1, EDITORS + 2)]
    connection.close()
    return user, returnees


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def editors(user, returnees: list[Returnee]) -> dict:
    statuses: Counter[str] = Counter()
    start = threading.Barrier(EDITORS + READERS)

    def edit(returnee: Returnee) -> None:
        client = client_for(user)
        url = reverse("admin:returns_returnee_change", args=[returnee.pk])
        start.wait()
        for round_ in range(ROUNDS):
            page = client.get(url)
            if page.status_code != 200:
                statuses[f"get {page.status_code}"] += 1
                continue
            response = client.post(url, form_data(returnee, f"Edited{round_}"))
            statuses[f"save {response.status_code}"] += 1
        connection.close()

    def read() -> None:
        client = client_for(user)
        start.wait()
        for _round in range(ROUNDS):
            statuses[f"read {client.get(reverse('admin:returns_returnee_changelist')).status_code}"] += 1
        connection.close()

    threads = [threading.Thread(target=edit, args=(r,)) for r in returnees[:EDITORS]]
    threads += [threading.Thread(target=read) for _ in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = list(Returnee.objects.order_by("pk").values_list("family_name", flat=True)[:EDITORS])
    return {"statuses": dict(statuses), "saved": saved}


def locked(user, returnees: list[Returnee]) -> dict:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    returnee = returnees[-1]
    url = reverse("admin:returns_returnee_change", args=[returnee.pk])
    data = form_data(returnee, "Blocked")
    holder = sqlite3.connect(sys.argv[1], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer, holding the lock past the busy timeout
    try:
        response = client.post(url, data)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    returnee.refresh_from_db()
    return {"status": response.status_code, "retry_after": response.get("Retry-After"),
            "page": response.content.decode(), "family_name": returnee.family_name,
            "journal_mode": connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]}


if __name__ == "__main__":
    setup_test_environment()  # what the test client needs (ALLOWED_HOSTS "testserver")
    account, records = setup()
    print(json.dumps({"editors": editors, "locked": locked}[sys.argv[2]](account, records)))
