"""The loader writes new records as `loaddata` does (`_RawInserts`, through oimsite/core/workarounds.py): the same
rows, the fixture's timestamps kept, and the same pre_save/post_save signals, sent with raw=True."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models.signals import post_save, pre_save

from oimsite.baseline import loading
from oimsite.core.names import name_key
from reintegration.models import SupportSession
from returns.models import Returnee

pytestmark = pytest.mark.django_db

STAMPS = {"version": 3, "created_at": "2023-11-05T08:00:00Z", "updated_at": "2024-02-03T04:05:06Z"}


def returnee(pk: int, given: str, family: str) -> dict:
    return {"model": "returns.returnee", "pk": pk, "fields": {
        "case_number": f"RVA-2024-{pk % 100_000:05d}", "given_name": given, "family_name": family, "sex": "F",
        "date_of_birth": "1990-05-04", "nationality": "SN", "host_country": "MA", "return_country": "SN",
        "departure_date": None, "status": "open", "vulnerabilities": [], "notes": "", **STAMPS,
    }}


def session(pk: int, returnee_pk: int) -> dict:
    return {"model": "reintegration.supportsession", "pk": pk, "fields": {
        "returnee": returnee_pk, "kind": "counselling", "phase": "pre_departure", "mode": "virtual",
        "date": "2024-01-10", "provider": "iom_origin", "enhanced": False, "notes": "", **STAMPS,
    }}


RECORDS = [returnee(90_001, "Mohamed", "El-Amrani"), returnee(90_002, "Awa", "Ndiaye"),
           session(90_001, 90_001), returnee(90_003, "Fatou", "Diallo"), session(90_002, 90_003)]


class Signals:
    """Every pre_save and post_save sent while it is open: (signal, model, pk, raw, created)."""

    def __init__(self) -> None:
        self.sent: list[tuple] = []

    def _pre(self, sender, instance, raw=False, **kwargs) -> None:
        self.sent.append(("pre_save", sender._meta.label, instance.pk, raw, None))

    def _post(self, sender, instance, raw=False, created=None, **kwargs) -> None:
        self.sent.append(("post_save", sender._meta.label, instance.pk, raw, created))

    def __enter__(self) -> Signals:
        pre_save.connect(self._pre, weak=False, dispatch_uid="test_loading_raw_saves.pre")
        post_save.connect(self._post, weak=False, dispatch_uid="test_loading_raw_saves.post")
        return self

    def __exit__(self, *exc) -> None:
        pre_save.disconnect(dispatch_uid="test_loading_raw_saves.pre")
        post_save.disconnect(dispatch_uid="test_loading_raw_saves.post")


def rows() -> dict[str, list[dict]]:
    return {"returnees": list(Returnee.objects.order_by("pk").values()),
            "sessions": list(SupportSession.objects.order_by("pk").values())}


class _Undo(Exception):
    pass


def written_by(load) -> tuple[dict[str, list[dict]], list[tuple]]:
    """The rows `load()` writes and the signals it sends, then rolled back."""
    try:
        with transaction.atomic(), Signals() as signals:
            load()
            result = rows()
            raise _Undo
    except _Undo:
        pass
    return result, signals.sent


@pytest.fixture
def fixture(tmp_path) -> Path:
    path = tmp_path / "small.json"
    path.write_text(json.dumps(RECORDS), encoding="utf-8")
    return path


def test_every_record_of_the_small_fixture_goes_through_the_batched_insert():
    assert all(loading._RawInserts.batchable(model, model(pk=1)) for model in (Returnee, SupportSession))


def test_new_records_are_written_and_signalled_exactly_as_loaddata_writes_them(fixture):
    loaded, loaded_signals = written_by(lambda: loading.load_fixtures([fixture]))
    expected, expected_signals = written_by(lambda: call_command("loaddata", str(fixture), verbosity=0))
    assert loaded == expected
    # The same signals; the loader sends a run's pre_saves before its INSERT, loaddata one record at a time.
    assert Counter(loaded_signals) == Counter(expected_signals)
    assert not Returnee.objects.exists()  # both rolled back


def test_the_fixtures_timestamps_are_kept_and_the_name_keys_computed_by_the_database(fixture):
    loading.load_fixtures([fixture])
    stamp = datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)
    for record in [*Returnee.objects.all(), *SupportSession.objects.all()]:
        assert (record.created_at, record.updated_at, record.version) == (
            datetime(2023, 11, 5, 8, 0, tzinfo=UTC), stamp, 3)
    keys = dict(Returnee.objects.values_list("pk", "name_key"))
    assert keys[90_001] == name_key("Mohamed", "El-Amrani") != ""


def test_each_new_record_gets_pre_save_then_post_save_sent_raw_once(fixture):
    with Signals() as signals:
        loading.load_fixtures([fixture])
    ours = [s for s in signals.sent if s[1] in ("returns.Returnee", "reintegration.SupportSession")]
    expected = []
    # Runs of one model, in fixture order: every pre_save of a run, its INSERT, then every post_save.
    for run in ([("returns.Returnee", 90_001), ("returns.Returnee", 90_002)],
                [("reintegration.SupportSession", 90_001)], [("returns.Returnee", 90_003)],
                [("reintegration.SupportSession", 90_002)]):
        expected += [("pre_save", label, pk, True, None) for label, pk in run]
        expected += [("post_save", label, pk, True, True) for label, pk in run]
    assert ours == expected
