"""`load_baseline` loads case records and published figures only, and refuses hostile files cleanly:
another model (a superuser, a back-dated audit event, forged history) refuses the whole file; a
file that used to crash the loader (NUL on PostgreSQL, a huge key on SQLite, deep nesting, a huge file) is
refused with a message. Nothing is written in any case.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation

from accounts.models import AuditEvent
from oimsite.baseline import loading
from oimsite.reporting.models import PublishedFigure
from reintegration.models import SupportSession
from resettlement.models import Refugee, ResettlementFile
from returns.models import Returnee

pytestmark = pytest.mark.django_db


STAMPS = {"version": 1, "created_at": "2024-01-01T09:00:00Z", "updated_at": "2024-01-01T09:00:00Z"}


def returnee(pk: int = 90_001, **fields) -> dict:
    return {"model": "returns.returnee", "pk": pk, "fields": {
        "case_number": f"RVA-2024-{pk % 100_000:05d}", "given_name": "Awa", "family_name": "Ndiaye", "sex": "F",
        "date_of_birth": "1990-05-04", "nationality": "SN", "host_country": "MA", "return_country": "SN",
        "departure_date": None, "status": "open", "vulnerabilities": [], "notes": "", **STAMPS, **fields,
    }}


def session(pk: int = 90_001, returnee_pk: int = 90_001, **fields) -> dict:
    return {"model": "reintegration.supportsession", "pk": pk, "fields": {
        "returnee": returnee_pk, "kind": "counselling", "phase": "pre_departure", "mode": "virtual",
        "date": "2024-01-10", "provider": "iom_origin", "enhanced": False, "notes": "", **STAMPS, **fields,
    }}


SUPERUSER = {"model": "auth.user", "pk": 90_001, "fields": {
    "username": "intruder", "password": "pbkdf2_sha256$1$x$y", "is_superuser": True, "is_staff": True,
    "is_active": True, "date_joined": "2024-01-01T00:00:00Z",
}}
AUDIT_EVENT = {"model": "accounts.auditevent", "pk": 90_001, "fields": {
    "kind": "login", "timestamp": "2020-01-01T00:00:00Z", "username": "admin", "ip_address": "6.6.6.6",
    "path": "/login/", "detail": {},
}}
HISTORY = {"model": "returns.historicalreturnee", "pk": 90_001, "fields": {
    "id": 1, "case_number": "RVA-2024-00001", "given_name": "Forged", "family_name": "Entry", "sex": "F",
    "date_of_birth": "1990-01-01", "nationality": "SN", "host_country": "MA", "return_country": "SN",
    "status": "open", "notes": "", "history_date": "2020-01-01T00:00:00Z", "history_type": "~",
}}


def snapshot() -> dict[str, int]:
    user_model = get_user_model()
    return {
        "returnees": Returnee.objects.count(), "sessions": SupportSession.objects.count(),
        "files": ResettlementFile.objects.count(), "refugees": Refugee.objects.count(),
        "figures": PublishedFigure.objects.count(), "users": user_model.objects.count(),
        "audit": AuditEvent.objects.count(), "history": Returnee.history.count(),
        "axes": AccessAttempt.objects.count(),
    }


def refused(path: Path) -> str:
    """Run load_baseline on `path`: it must refuse, write nothing, and say why (returned)."""
    before = snapshot()
    out, err = StringIO(), StringIO()
    with translation.override("en"), pytest.raises(CommandError) as excinfo:
        call_command("load_baseline", str(path), stdout=out, stderr=err)
    assert "nothing was loaded" in str(excinfo.value)
    assert snapshot() == before
    return err.getvalue()


def write(tmp_path: Path, records: object, name: str = "fixture.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def test_the_loader_accepts_exactly_the_models_the_fixtures_hold():
    assert {
        "returns.returnee", "reintegration.supportsession", "resettlement.resettlementfile",
        "resettlement.refugee", "oimsite.publishedfigure",
    } == loading.LOADABLE_MODELS
    for name in loading.DEFAULT_FIXTURES:
        held = {record["model"] for record in loading.read_fixture(loading.resolve_fixture(name))}
        assert held <= loading.LOADABLE_MODELS


@pytest.mark.parametrize("record", [SUPERUSER, AUDIT_EVENT, HISTORY,
                                    {"model": "auth.group", "pk": 90_001, "fields": {"name": "Root"}},
                                    {"model": "axes.accessattempt", "pk": 1, "fields": {}},
                                    {"model": "Auth.User", "pk": 90_002, "fields": {}},
                                    {"model": "returns.vulnerabilitycategory", "pk": 90_001,
                                     "fields": {"code": "x", "name": "X"}}],
                         ids=lambda record: record["model"])
def test_any_other_model_refuses_the_whole_file(tmp_path, record):
    err = refused(write(tmp_path, [returnee(), record, session()]))
    assert f"record 2 ({record['model']} pk {record['pk']})" in err
    assert "load_baseline loads only" in err and "returns.returnee" in err


def test_every_refused_record_is_named(tmp_path):
    err = refused(write(tmp_path, [SUPERUSER, returnee(), AUDIT_EVENT, HISTORY]))
    assert "record 1 (auth.user" in err and "record 3 (accounts.auditevent" in err
    assert "record 4 (returns.historicalreturnee" in err


@pytest.mark.parametrize("where", ["given_name", "notes", "case_number", "vulnerability", "key"])
def test_a_nul_character_is_refused(tmp_path, where):
    """PostgreSQL cannot store NUL: this crashed the loader there instead of refusing the file."""
    if where == "vulnerability":
        record = returnee(vulnerabilities=[["child\x00"]])
    elif where == "key":
        record = {**returnee(), "pk": "1\x00"}
    else:
        record = returnee(**{where: "Awa\x00"})
    err = refused(write(tmp_path, [record]))
    assert "NUL" in err


@pytest.mark.parametrize("where", ["pk", "returnee", "version"])
def test_a_number_beyond_the_databases_integers_is_refused(tmp_path, where):
    """A pk of 10**30 crashed the loader on SQLite (OverflowError) instead of refusing the file."""
    big = 10**30
    if where == "pk":
        records = [returnee(pk=big)]
    elif where == "returnee":
        records = [returnee(), session(returnee_pk=big)]
    else:
        records = [returnee(version=big)]
    err = refused(write(tmp_path, records))
    assert "too large" in err


def test_deeply_nested_brackets_are_refused(tmp_path):
    path = tmp_path / "nested.json"
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    assert "nested too deeply" in refused(path)


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.json"
    record = json.dumps(returnee())
    with path.open("w", encoding="utf-8") as handle:
        handle.write("[" + record)
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(", " + record)
        handle.write("]")
    err = refused(path)
    assert "50 MB" in err and f"{loading.MAX_FIXTURE_BYTES // (1024 * 1024)} MB" in err


def test_control_characters_in_a_name_are_refused_naming_the_record(tmp_path):
    err = refused(write(tmp_path, [returnee(given_name="Awa\u202eevil"), returnee(pk=90_002, notes="\x1b[31m")]))
    assert "returns.Returnee RVA-2024-90001 (pk 90001): given_name: Remove the invisible or control characters" in err
    assert "U+202E" in err and "U+001B" in err


def test_the_same_records_without_the_hostile_parts_load(tmp_path):
    """The refusals above are of the hostile parts only: the records around them are loadable."""
    before = Returnee.objects.count()
    out = StringIO()
    call_command("load_baseline", str(write(tmp_path, [returnee(), session()])), stdout=out)
    assert Returnee.objects.count() == before + 1
    assert SupportSession.objects.filter(pk=90_001).exists()
