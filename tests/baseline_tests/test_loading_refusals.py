"""`load_baseline` loads case records, their casework, staff accounts and published figures only, and refuses
hostile files cleanly: another model (a group, a back-dated audit event, forged history) or an account that could
do more than own cases (a superuser, a usable password, its own permissions, the administrators' group) refuses
the whole file; casework that breaks the rules a form applies to new work is refused; a
file that used to crash the loader (NUL on PostgreSQL, a huge key on SQLite, deep nesting, a huge file) is
refused with a message. Nothing is written in any case.
"""

from __future__ import annotations

import json
from datetime import date
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
from reintegration.migrations._rss_v1 import INDICATORS
from reintegration.models import FollowUp, SupportSession, SurveyAnswer, SustainabilitySurvey
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
        "axes": AccessAttempt.objects.count(), "surveys": SustainabilitySurvey.objects.count(),
        "answers": SurveyAnswer.objects.count(),
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
        "auth.user", "returns.returneeassignment", "resettlement.fileassignment",
        "reintegration.reintegrationplan", "reintegration.plangoal", "reintegration.followup",
        "reintegration.partner", "reintegration.referral", "returns.departurechecklist", "documents.document",
        "reintegration.sustainabilitysurvey", "reintegration.surveyanswer",
    } == loading.LOADABLE_MODELS
    for name in loading.DEFAULT_FIXTURES:
        held = {record["model"] for record in loading.read_fixture(loading.resolve_fixture(name))}
        assert held <= loading.LOADABLE_MODELS


@pytest.mark.parametrize("record", [AUDIT_EVENT, HISTORY,
                                    {"model": "auth.group", "pk": 90_001, "fields": {"name": "Root"}},
                                    {"model": "auth.permission", "pk": 90_001, "fields": {}},
                                    {"model": "axes.accessattempt", "pk": 1, "fields": {}},
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


def account(pk: int = 90_001, **fields) -> dict:
    return {"model": "auth.user", "pk": pk, "fields": {
        "username": f"worker{pk}", "password": "!", "is_superuser": False, "is_staff": True, "is_active": True,
        "date_joined": "2024-01-01T00:00:00Z", "groups": [["Gestionnaire de cas"]], "user_permissions": [],
        **fields,
    }}


@pytest.mark.parametrize(("fields", "expected"), [
    ({"is_superuser": True}, "is_superuser: a fixture cannot make a superuser."),
    ({"password": "pbkdf2_sha256$1$x$y"}, "password: an account from a fixture has no usable password"),
    ({"password": ""}, "password: an account from a fixture has no usable password"),
    ({"user_permissions": [["add_user", "auth", "user"]]}, "user_permissions: an account from a fixture has only"),
    ({"groups": [["Administrateur"]]}, 'groups: ["Administrateur"] is not one of the roles a fixture may give'),
    ({"groups": [1]}, "groups: 1 is not one of the roles a fixture may give"),
], ids=["superuser", "usable password", "empty password", "permissions", "administrators", "group by id"])
def test_an_account_that_could_do_more_than_own_cases_refuses_the_file(tmp_path, fields, expected):
    err = refused(write(tmp_path, [account(**fields), returnee(assigned_to=90_001)]))
    assert f"record 1 (auth.user pk 90001): {expected}" in err


def test_a_staff_account_owning_a_case_loads_without_a_usable_password(tmp_path):
    call_command("load_baseline", str(write(tmp_path, [account(), returnee(assigned_to=90_001)])), stdout=StringIO())
    user = get_user_model().objects.get(username="worker90001")
    assert not user.has_usable_password() and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Gestionnaire de cas"]
    assert Returnee.objects.get(pk=90_001).assigned_to == user


def test_an_account_already_in_the_database_is_not_overwritten(tmp_path, django_user_model):
    # a fixed id away from the fixture's: on PostgreSQL the next id from the sequence could be the fixture's own pk
    django_user_model.objects.create_user("worker90001", password="Correct-Horse-Battery-9", id=80_001)
    err = refused(write(tmp_path, [account(pk=90_002, username="worker90001")]))
    assert "auth.User worker90001: username: A user with that username already exists." in err


RETURNED = {"departure_date": "2024-03-01", "status": "departed", "stage": "returned"}
PLAN = {"model": "reintegration.reintegrationplan", "pk": 90_001, "fields": {
    "returnee": 90_001, "status": "agreed", "agreed_on": "2024-03-10", "closed_on": None, "closure_reason": "",
    "notes": "", **STAMPS}}
CASH = {"phase": "post_return", "kind": "cash", "mode": "in_person", "date": "2024-03-15"}


def test_support_after_the_return_without_an_agreed_plan_is_refused(tmp_path):
    late_plan = {**PLAN, "fields": {**PLAN["fields"], "agreed_on": "2024-03-20"}}
    err = refused(write(tmp_path, [returnee(**RETURNED), late_plan, session(**CASH)]))
    assert ("reintegration.SupportSession pk 90001 (case RVA-2024-90001, post_return 2024-03-15): kind: Support "
            "after return other than counselling needs an agreed reintegration plan") in err


def test_a_completed_reintegration_with_a_goal_still_open_is_refused(tmp_path):
    goal = {"model": "reintegration.plangoal", "pk": 90_001, "fields": {
        "plan": 90_001, "dimension": "economic", "need": "Open a shop", "planned_support": "cash",
        "budget_mad": "5000.00", "target_date": None, "status": "in_progress", "outcome": "", **STAMPS}}
    err = refused(write(tmp_path, [returnee(**{**RETURNED, "stage": "completed"}), PLAN, goal, session(**CASH)]))
    assert ("returns.Returnee RVA-2024-90001 (pk 90001): stage: The reintegration cannot be completed while a goal "
            "of the plan is still planned or in progress.") in err


def test_a_case_owned_by_an_inactive_account_is_refused(tmp_path):
    err = refused(write(tmp_path, [account(is_active=False), returnee(assigned_to=90_001)]))
    assert "returns.Returnee RVA-2024-90001 (pk 90001): assigned_to: worker90001 cannot own cases" in err


def test_a_returned_case_loaded_without_follow_ups_gets_those_of_the_schedule(tmp_path):
    out = StringIO()
    call_command("load_baseline", str(write(tmp_path, [returnee(**RETURNED), PLAN, session(**CASH)])), stdout=out)
    due = list(FollowUp.objects.filter(returnee_id=90_001, scheduled=True).values_list("due_date", "kind"))
    assert due == [(date(2024, 4, 1), "phone"), (date(2024, 6, 1), "home"), (date(2024, 9, 1), "home"),
                   (date(2025, 3, 1), "phone")]
    assert "4 follow-ups planned by the schedule for returned cases that came without theirs." in out.getvalue()


# --- sustainability surveys: answers named by the instrument's natural keys, scores those of the answers ---------

VISIT = {"model": "reintegration.followup", "pk": 90_001, "fields": {
    "returnee": 90_001, "kind": "home", "due_date": "2024-06-01", "assigned_to": 90_001, "done_on": "2024-06-03",
    "outcome": "reached", "notes": "", "next_due": None, "scheduled": True, **STAMPS}}


def survey(scores: tuple[str, str, str, str], positions: dict[str, int] | None = None, **fields) -> list[dict]:
    """A complete survey of version 1 at the visit above, answering each indicator with the option at
    `positions[code]` (the first option, the best, unless said), and its answers."""
    economic, social, psychosocial, composite = scores
    record = {"model": "reintegration.sustainabilitysurvey", "pk": 90_001, "fields": {
        "returnee": 90_001, "follow_up": 90_001, "date": "2024-06-03", "interviewer": 90_001, "version": [1],
        "status": "complete", "economic_score": economic, "social_score": social,
        "psychosocial_score": psychosocial, "composite_score": composite, **STAMPS, **fields}}
    answers = [{"model": "reintegration.surveyanswer", "pk": 90_001 + i, "fields": {
        "survey": 90_001, "indicator": [1, code], "option": [1, code, position]}}
        for i, (code, position) in enumerate((positions or {code: 0 for code, *_ in INDICATORS}).items())]
    return [record, *answers]


def surveyed_case() -> list[dict]:
    return [account(), returnee(**RETURNED, assigned_to=90_001), PLAN, session(**CASH), VISIT]


def by_dimension(dimension: str) -> list[str]:
    return [code for code, kind, *_ in INDICATORS if kind == dimension]


def test_a_survey_loads_with_its_answers_named_by_the_instruments_codes(tmp_path):
    """Worst answer (the last option, scored 0) to every economic question, best to the others: by hand, the
    economic score is 0, the social and psychosocial 1, the composite (equal weights) 2/3."""
    worst = {code: len(options) - 1 for code, *_, options in INDICATORS if code in by_dimension("economic")}
    positions = {code: worst.get(code, 0) for code, *_ in INDICATORS}
    path = write(tmp_path, surveyed_case() + survey(("0.000", "1.000", "1.000", "0.667"), positions))
    call_command("load_baseline", str(path), stdout=StringIO())
    loaded = SustainabilitySurvey.objects.get(pk=90_001)
    assert loaded.version.number == 1 and loaded.answers.count() == len(INDICATORS)
    assert {a.indicator.code: a.option.position for a in loaded.answers.select_related("indicator", "option")} \
        == positions


def test_a_survey_whose_scores_are_not_those_of_its_answers_is_refused(tmp_path):
    err = refused(write(tmp_path, surveyed_case() + survey(("1.000", "1.000", "1.000", "0.900"))))
    assert ("reintegration.SustainabilitySurvey pk 90001 (case RVA-2024-90001, 2024-06-03): scores not those of its "
            "answers: composite_score 0.900 (the answers give 1.000).") in err


def test_a_complete_survey_with_a_question_unanswered_is_refused(tmp_path):
    records = surveyed_case() + survey(("1.000", "1.000", "1.000", "1.000"))
    unanswered = records.pop()["fields"]["indicator"][1]
    err = refused(write(tmp_path, records))
    assert f"answers: a complete survey answers every question; {unanswered} unanswered." in err


def test_an_answer_to_a_question_the_instrument_does_not_have_is_refused(tmp_path):
    records = surveyed_case() + survey(("1.000", "1.000", "1.000", "1.000"))
    records[-1]["fields"]["option"] = [1, "E1", 9]
    err = refused(write(tmp_path, records))
    assert (f"record {len(records)} (reintegration.surveyanswer pk {records[-1]['pk']}): option: answer option "
            '[1, "E1", 9] matches no row.') in err


def test_a_survey_at_a_follow_up_not_yet_done_is_refused(tmp_path):
    records = surveyed_case() + survey(("1.000", "1.000", "1.000", "1.000"))
    records[4]["fields"].update(done_on=None, outcome="")
    err = refused(write(tmp_path, records))
    assert "reintegration.SustainabilitySurvey pk 90001 (case RVA-2024-90001, 2024-06-03): follow_up:" in err
