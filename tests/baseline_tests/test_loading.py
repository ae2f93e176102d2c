"""`manage.py load_baseline`: all of the baseline or nothing, and a clear refusal of bad records.

The whole baseline is loaded once (on a clean database, every record counted); the other tests load a sample of
it (`helpers.baseline_sample`: one case in ten with all that belongs to it), whose records take the same paths."""

import json
import re
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from oimsite.core.names import name_key
from oimsite.lists.search import fold
from oimsite.reporting.models import PublishedFigure
from reintegration.models import SupportSession
from resettlement.models import Refugee, ResettlementFile
from returns.models import Returnee
from tests import helpers

# Each test loads, populates or benches whole databases: seconds each.
pytestmark = pytest.mark.slow

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "baseline_2024.json"


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return helpers.baseline_sample()


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> str:
    return str(helpers.write_baseline_sample(tmp_path_factory.mktemp("sample")))


@pytest.fixture
def existing_returnee(db) -> Returnee:
    """A record entered by staff before the load: a refused load must leave it, and only it, in place."""
    return Returnee.objects.create(
        pk=10_000_001,  # outside the fixture's primary keys: a clash is refused on its own (tested below)
        case_number="RVA-2019-00001", given_name="Awa", family_name="Ndiaye", sex="F",
        date_of_birth="1990-05-04", nationality="SN", host_country="MA", return_country="SN",
    )


def snapshot() -> dict[str, int]:
    return {
        "returnees": Returnee.objects.count(),
        "vulnerabilities": Returnee.vulnerabilities.through.objects.count(),
        "sessions": SupportSession.objects.count(),
        "files": ResettlementFile.objects.count(),
        "refugees": Refugee.objects.count(),
    }


def load(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command("load_baseline", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def of_model(records: list[dict], model: str) -> list[dict]:
    return [r for r in records if r["model"] == model]


def returnees_by_pk(records: list[dict]) -> dict[int, dict]:
    return {r["pk"]: r for r in of_model(records, "returns.returnee")}


# Each corruption edits the records and returns the texts its refusal must contain: the record, then the
# rule. Every line of the refusal must name the case involved (a rule checked from both sides, such as a
# session against its departure, may report the session and its returnee).
def post_return_session_before_departure(records: list[dict]) -> list[str]:
    people = returnees_by_pk(records)
    session = next(
        r for r in of_model(records, "reintegration.supportsession") if r["fields"]["phase"] == "post_return"
    )
    person = people[session["fields"]["returnee"]]
    session["fields"]["date"] = "2020-01-01"
    return [f"reintegration.SupportSession pk {session['pk']} (case {person['fields']['case_number']}",
            "A post-return session cannot be dated before the departure"]


def reinforced_support_without_vulnerability(records: list[dict]) -> list[str]:
    people = returnees_by_pk(records)
    session = next(
        r for r in of_model(records, "reintegration.supportsession")
        if r["fields"]["phase"] == "post_return" and not people[r["fields"]["returnee"]]["fields"]["vulnerabilities"]
    )
    session["fields"]["enhanced"] = True
    person = people[session["fields"]["returnee"]]
    return [f"reintegration.SupportSession pk {session['pk']} (case {person['fields']['case_number']}",
            "enhanced: Reinforced support needs a returnee with a recorded vulnerability."]


def duplicate_case_number(records: list[dict]) -> list[str]:
    first, second = of_model(records, "returns.returnee")[:2]
    second["fields"]["case_number"] = first["fields"]["case_number"]
    return [f"returns.Returnee {first['fields']['case_number']} (pk {second['pk']})",
            "case_number: Returnee with this Case number already exists."]


def unknown_country_code(records: list[dict]) -> list[str]:
    person = of_model(records, "returns.returnee")[5]
    person["fields"]["return_country"] = "XQ"
    return [f"returns.Returnee {person['fields']['case_number']} (pk {person['pk']})",
            "return_country: unknown country code 'XQ'"]


def second_principal_applicant_on_a_file(records: list[dict]) -> list[str]:
    # The database refuses this one on write (a conditional unique constraint): the refusal must still name it.
    member = next(r for r in of_model(records, "resettlement.refugee") if r["fields"]["relationship"] == "spouse")
    member["fields"].update(is_principal_applicant=True, relationship="principal")
    file = next(r for r in of_model(records, "resettlement.resettlementfile") if r["pk"] == member["fields"]["file"])
    return [f"resettlement.Refugee pk {member['pk']} (file {file['fields']['file_number']})",
            "A file has only one principal applicant."]


def unknown_vulnerability_code(records: list[dict]) -> list[str]:
    person = of_model(records, "returns.returnee")[7]
    person["fields"]["vulnerabilities"] = [["no_such_code"]]
    return [f"returns.Returnee {person['fields']['case_number']} (pk {person['pk']})",
            "VulnerabilityCategory matching query does not exist", "no_such_code"]


CORRUPTIONS: dict[str, Callable[[list[dict]], list[str]]] = {
    "post-return session before departure": post_return_session_before_departure,
    "reinforced support without a vulnerability": reinforced_support_without_vulnerability,
    "duplicate case number": duplicate_case_number,
    "unknown country code": unknown_country_code,
    "second principal applicant on a file": second_principal_applicant_on_a_file,
    "unknown vulnerability code": unknown_vulnerability_code,
}


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_a_corrupted_baseline_is_refused_naming_the_record_and_rule_and_nothing_is_loaded(
    existing_returnee, records, tmp_path, corruption
):
    corrupted = json.loads(json.dumps(records))
    expected = CORRUPTIONS[corruption](corrupted)
    path = tmp_path / "corrupted.json"
    path.write_text(json.dumps(corrupted), encoding="utf-8")
    before = snapshot()

    err = StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_baseline", str(path), stdout=StringIO(), stderr=err)

    for text in expected:
        assert text in err.getvalue()
    number = re.search(r"[A-Z]{3}-\d{4}-\d{4,5}", expected[0]).group()
    assert all(number in line for line in err.getvalue().splitlines()), "only the corrupted case or file is reported"
    assert snapshot() == before
    assert Returnee.objects.get() == existing_returnee


def test_a_baseline_case_number_already_used_by_another_record_is_refused(db, records, sample):
    taken = of_model(records, "returns.returnee")[3]
    Returnee.objects.create(
        pk=10_000_000, case_number=taken["fields"]["case_number"], given_name="Awa", family_name="Ndiaye", sex="F",
        date_of_birth="1990-05-04", nationality="SN", host_country="MA", return_country="SN",
    )
    before = snapshot()
    err = StringIO()
    with translation.override("en"), pytest.raises(CommandError):
        call_command("load_baseline", sample, stdout=StringIO(), stderr=err)
    assert (f"returns.Returnee {taken['fields']['case_number']} (pk {taken['pk']}): case_number: "
            "Returnee with this Case number already exists. (pk 10000000 in the database)") in err.getvalue()
    assert snapshot() == before


@pytest.mark.parametrize("cut", ["half", "last byte", "not a list"])
def test_a_truncated_or_invalid_json_file_is_refused_with_where_it_breaks(existing_returnee, tmp_path, cut):
    text = FIXTURE.read_text(encoding="utf-8")
    text = {"half": text[: len(text) // 2], "last byte": text.rstrip()[:-1], "not a list": '{"model": 1}'}[cut]
    path = tmp_path / "broken.json"
    path.write_text(text, encoding="utf-8")
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        load(str(path))

    assert "nothing was loaded" in str(refused.value)
    assert snapshot() == before


def test_truncated_json_message_says_the_file_is_not_valid_json_and_where(db, tmp_path):
    path = tmp_path / "broken.json"
    truncated = FIXTURE.read_text(encoding="utf-8")[:5000]
    path.write_text(truncated, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_baseline", str(path), stdout=StringIO(), stderr=err)
    assert f"{path}: not valid JSON (truncated or corrupted?)" in err.getvalue()
    assert f"at line {truncated.count(chr(10)) + 1}, column" in err.getvalue()


def test_an_unknown_fixture_name_is_refused(db):
    with pytest.raises(CommandError):
        load("no_such_baseline")


def test_load_baseline_on_a_clean_database_loads_every_record_and_reports_the_counts(db, baseline):
    """The session's baseline (tests/conftest.py) is this load: `load_baseline` of the baseline and its published
    figures, on the empty database of the test session, read back here in the test's own savepoint."""
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    out, err = baseline.output

    assert err == ""
    in_fixture = {label: len(of_model(records, label.lower())) for label in
                  ("returns.Returnee", "reintegration.SupportSession", "resettlement.ResettlementFile",
                   "resettlement.Refugee")}
    assert in_fixture["returns.Returnee"] == Returnee.objects.count()
    assert in_fixture["reintegration.SupportSession"] == SupportSession.objects.count()
    assert in_fixture["resettlement.ResettlementFile"] == ResettlementFile.objects.count()
    assert in_fixture["resettlement.Refugee"] == Refugee.objects.count()
    for label, count in in_fixture.items():
        assert f"{label}: {count:,}" in out
    published = json.loads((FIXTURE.parent / "published_2024.json").read_text(encoding="utf-8"))
    assert PublishedFigure.objects.count() == len(published)
    loaded = f"Loaded {len(records) + len(published):,} records from "
    assert f"{loaded}{helpers.BASELINE_FIXTURE}, {helpers.PUBLISHED_FIXTURE} in " in out
    vulnerabilities = sum(len(r["fields"]["vulnerabilities"]) for r in of_model(records, "returns.returnee"))
    assert Returnee.vulnerabilities.through.objects.count() == vulnerabilities
    # The search's folded twins and the name key, computed by the database for the rows the loader inserts in
    # batches.
    for person in Returnee.objects.order_by("pk")[:50]:
        assert (person.family_name_folded, person.given_name_folded) == (fold(person.family_name),
                                                                         fold(person.given_name))
        assert person.name_key == name_key(person.given_name, person.family_name)


def test_skip_if_loaded_loads_once_and_then_does_nothing(db, sample):
    first, _ = load(sample, "--skip-if-loaded")
    after_first = snapshot()
    second, _ = load(sample, "--skip-if-loaded")

    assert "Loaded" in first
    assert "already loaded, nothing to do" in second
    assert snapshot() == after_first


def test_loading_the_baseline_again_is_refused_and_overwrites_nothing(db, sample):
    load(sample)
    edited = Returnee.objects.order_by("pk")[1]
    Returnee.objects.filter(pk=edited.pk).update(family_name="Edited")
    after_edit = snapshot()
    with pytest.raises(CommandError, match="nothing was loaded"):
        load(sample)
    # --skip-if-loaded sees case records and does nothing, even when the fixture's first case was deleted.
    SupportSession.objects.filter(returnee__in=Returnee.objects.order_by("pk")[:1]).delete()
    Returnee.objects.order_by("pk").first().delete()
    after_delete = snapshot()
    out, _ = load(sample, "--skip-if-loaded")
    assert "nothing to do" in out
    assert snapshot() == after_delete != after_edit
    assert Returnee.objects.get(pk=edited.pk).family_name == "Edited"


def test_records_created_after_the_load_get_new_primary_keys(db, sample):
    load(sample)
    person = Returnee.objects.create(
        case_number="RVA-2026-00001", given_name="Moussa", family_name="Traoré", sex="M",
        date_of_birth="1995-02-03", nationality="ML", host_country="MA", return_country="ML",
    )
    assert person.pk > Returnee.objects.exclude(pk=person.pk).order_by("-pk").values_list("pk", flat=True)[0]
