"""The sustainability survey: scores equal a hand computation (and stay when a new version of the instrument
changes the weights), version 1 as shipped, bad input refused with a clear message and nothing written, a used
version frozen on every write path, and the entry form at a done follow-up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.roles import CASE_WORKER
from reintegration import sustainability
from reintegration.models import (
    AnswerOption,
    FollowUp,
    InstrumentVersion,
    SurveyAnswer,
    SurveyIndicator,
    SurveyStatus,
    SustainabilitySurvey,
)
from tests.helpers import in_english, returnee

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def in_english_messages():
    """The messages read in English (the interface's default is French)."""
    with translation.override("en"):
        yield


@pytest.fixture
def worker(make_user):
    return make_user("worker", CASE_WORKER)


@pytest.fixture
def case(db):
    case = returnee(departed=date(2024, 5, 10))
    FollowUp.objects.all().delete()  # those the schedule planned on the return
    return case


def done_follow_up(case, on: date = date(2024, 8, 10)) -> FollowUp:
    return FollowUp.objects.create(returnee=case, kind="home", due_date=on, done_on=on, outcome="reached")


@pytest.fixture
def small_version(db):
    """Two indicators per dimension, unequal weights; dimension weights 2/1/1; threshold 0.6."""
    version = InstrumentVersion.objects.create(number=2, name="Test", economic_weight=2, social_weight=1,
                                               psychosocial_weight=1, threshold=D("0.6"))
    InstrumentVersion.objects.filter(number=1).update(active=False)
    for position, (code, dimension, weight) in enumerate([("E1", "economic", 2), ("E2", "economic", 1),
                                                          ("S1", "social", 1), ("S2", "social", 1),
                                                          ("P1", "psychosocial", 1), ("P2", "psychosocial", 1)]):
        indicator = SurveyIndicator.objects.create(version=version, code=code, dimension=dimension, weight=weight,
                                                   position=position, question=f"Q {code}", question_fr=f"Q {code} fr")
        for i, score in enumerate(("1", "0.75", "0.5", "0.25", "0")):
            AnswerOption.objects.create(indicator=indicator, position=i, label=f"{code}={score}",
                                        label_fr=f"{code}={score}", score=D(score))
    return version


def pick(version: InstrumentVersion, **scores: str) -> dict[int, int]:
    """{indicator id: option id} choosing, for each code, the option of that score."""
    chosen = {}
    for indicator in version.indicators.all():
        option = indicator.options.get(score=D(scores[indicator.code]))
        chosen[indicator.pk] = option.pk
    return chosen


ANSWERS = {"E1": "1", "E2": "0.25", "S1": "0.5", "S2": "0", "P1": "1", "P2": "0.5"}


def test_scores_equal_a_hand_computation(case, worker, small_version):
    survey = sustainability.new_survey(done_follow_up(case), worker)
    sustainability.save_survey(survey, pick(small_version, **ANSWERS), complete=True)
    survey.refresh_from_db()
    # economic (2×1 + 1×0.25) / 3 = 0.75; social (0.5 + 0) / 2 = 0.25; psychosocial (1 + 0.5) / 2 = 0.75;
    # composite (2×0.75 + 1×0.25 + 1×0.75) / 4 = 0.625, at or above 0.6.
    assert (survey.economic_score, survey.social_score, survey.psychosocial_score, survey.composite_score) == (
        D("0.750"), D("0.250"), D("0.750"), D("0.625"))
    assert survey.status == SurveyStatus.COMPLETE and survey.is_sustainable
    assert SurveyAnswer.objects.filter(survey=survey).count() == 6


def test_a_new_version_scores_new_surveys_and_leaves_old_ones(case, worker, small_version):
    first = sustainability.save_survey(sustainability.new_survey(done_follow_up(case), worker),
                                       pick(small_version, **ANSWERS), complete=True)
    v3 = sustainability.copy_instrument_version(small_version)
    InstrumentVersion.objects.filter(pk=v3.pk).update(economic_weight=1, social_weight=2, psychosocial_weight=1,
                                                      threshold=D("0.7"), active=True)
    v3.refresh_from_db()
    assert InstrumentVersion.objects.current() == v3
    second = sustainability.save_survey(
        sustainability.new_survey(done_follow_up(case, date(2024, 11, 10)), worker), pick(v3, **ANSWERS),
        complete=True)
    second.refresh_from_db()
    # Same answers, new weights: (1×0.75 + 2×0.25 + 1×0.75) / 4 = 0.5, below the new threshold 0.7.
    assert second.version == v3 and second.composite_score == D("0.500") and not second.is_sustainable
    first.refresh_from_db()
    assert first.version == small_version and first.composite_score == D("0.625") and first.is_sustainable
    change = sustainability.returnee_scores(case.pk)["change"]
    assert change.first == first and change.latest == second
    assert change.rows()[-1][1:] == (D("0.625"), D("0.500"), D("-0.125"))


def test_the_shipped_version_1(db):
    version = InstrumentVersion.objects.get(number=1)
    indicators = list(version.indicators.prefetch_related("options"))
    assert len(indicators) == 15
    assert {d: sum(i.dimension == d for i in indicators) for d in ("economic", "social", "psychosocial")} == {
        "economic": 5, "social": 5, "psychosocial": 5}
    assert version.threshold == D("0.5") and not version.weights_confirmed
    for indicator in indicators:
        scores = [o.score for o in indicator.options.all()]
        assert max(scores) == 1 and min(scores) == 0, indicator.code
        assert indicator.question and indicator.question_fr and indicator.question_ar
        assert all(o.label and o.label_fr and o.label_ar for o in indicator.options.all())


def test_a_draft_is_saved_unscored_and_completing_needs_every_answer(case, worker, small_version):
    survey = sustainability.new_survey(done_follow_up(case), worker)
    partial = dict(list(pick(small_version, **ANSWERS).items())[:2])
    sustainability.save_survey(survey, partial, complete=False)
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.DRAFT and survey.composite_score is None
    assert survey.answers.count() == 2
    with pytest.raises(ValidationError) as error:
        sustainability.save_survey(survey, partial, complete=True)
    assert error.value.message_dict["S1"] == ["Answer this question to complete the survey, or save it as a draft."]
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.DRAFT and survey.answers.count() == 2


def test_an_answer_out_of_range_is_refused_and_nothing_written(case, worker, small_version):
    answers = pick(small_version, **ANSWERS)
    e1, e2 = list(small_version.indicators.order_by("position"))[:2]
    answers[e1.pk] = e2.options.first().pk  # an answer of another question
    with pytest.raises(ValidationError) as error:
        sustainability.save_survey(sustainability.new_survey(done_follow_up(case), worker), answers, complete=True)
    assert error.value.message_dict["E1"] == ["Choose one of the answers offered to this question."]
    assert not SustainabilitySurvey.objects.exists() and not SurveyAnswer.objects.exists()
    # And the database refuses a score outside 0..1 whatever the writer.
    with pytest.raises(IntegrityError), transaction.atomic():
        AnswerOption.objects.filter(indicator=e1).update(score=D("1.5"))


def test_a_survey_before_the_departure_is_refused(case, worker, small_version):
    survey = sustainability.new_survey(done_follow_up(case), worker, on=date(2024, 5, 1))
    with pytest.raises(ValidationError) as error:
        sustainability.save_survey(survey, pick(small_version, **ANSWERS), complete=True)
    assert "A survey cannot be dated before the departure (10/05/2024)." in error.value.message_dict["date"]
    assert not SustainabilitySurvey.objects.exists()


def test_a_survey_without_a_post_return_follow_up_is_refused(case, worker, small_version):
    survey = SustainabilitySurvey(returnee=case, date=date(2024, 8, 1), interviewer=worker, version=small_version)
    with pytest.raises(ValidationError) as error:
        survey.full_clean()
    assert ("This returnee has no follow-up done after the return: a survey is taken at a follow-up."
            in error.value.message_dict["follow_up"])
    pending = FollowUp.objects.create(returnee=case, kind="phone", due_date=date(2024, 8, 1))
    survey.follow_up = pending
    with pytest.raises(ValidationError) as error:
        sustainability.save_survey(survey, {}, complete=False)
    assert "record the follow-up as done first" in error.value.message_dict["follow_up"][0]
    assert not SustainabilitySurvey.objects.exists()


def test_a_used_version_is_frozen_on_every_write_path(case, worker, small_version):
    sustainability.save_survey(sustainability.new_survey(done_follow_up(case), worker), {}, complete=False)
    small_version.threshold = D("0.4")
    with pytest.raises(ValidationError) as error:
        small_version.full_clean()
    assert "Version 2 of the survey has been used by surveys: it cannot be changed any more" in str(error.value)
    indicator = small_version.indicators.first()
    for write in (
        lambda: InstrumentVersion.objects.filter(pk=small_version.pk).update(threshold=D("0.4")),
        lambda: InstrumentVersion.objects.filter(pk=small_version.pk).update(economic_weight=3),
        lambda: SurveyIndicator.objects.filter(pk=indicator.pk).update(weight=5),
        lambda: SurveyIndicator.objects.create(version=small_version, code="X1", dimension="social", question="?",
                                               question_fr="?"),
        lambda: AnswerOption.objects.filter(indicator=indicator).update(score=D("0.1")),
        lambda: AnswerOption.objects.create(indicator=indicator, label="new", label_fr="new", score=D("0.3")),
    ):
        with pytest.raises(IntegrityError, match="cannot be changed"), transaction.atomic():
            write()
    # Retiring it stays possible.
    InstrumentVersion.objects.filter(pk=small_version.pk).update(active=False)
    small_version.refresh_from_db()
    assert small_version.threshold == D("0.6") and not small_version.active
    option = AnswerOption(indicator=indicator, label="new", label_fr="new", score=D("0.3"))
    with pytest.raises(ValidationError):
        option.full_clean()


def test_an_unused_version_can_still_be_edited(small_version):
    InstrumentVersion.objects.filter(pk=small_version.pk).update(threshold=D("0.55"))
    SurveyIndicator.objects.filter(version=small_version).update(weight=2)
    small_version.refresh_from_db()
    small_version.full_clean()
    assert small_version.threshold == D("0.55")


def test_a_used_version_is_read_only_in_the_admin(admin_client_logged, case, worker, small_version):
    sustainability.save_survey(sustainability.new_survey(done_follow_up(case), worker), {}, complete=False)
    page = in_english(admin_client_logged).get(
        reverse("admin:reintegration_instrumentversion_change", args=[small_version.pk]))
    assert page.status_code == 200
    assert b'name="threshold"' not in page.content and b'name="active"' in page.content


# The entry form, as a case worker uses it.

def entry_data(version: InstrumentVersion, action: str, on: str = "2024-08-10", **scores: str) -> dict:
    data = {"date": on, "action": action}
    for indicator in version.indicators.all():
        if indicator.code in scores:
            data[f"answer_{indicator.code}"] = indicator.options.get(score=D(scores[indicator.code])).pk
    return data


def test_entering_a_survey_as_a_draft_then_completing_it(client, worker, case, small_version):
    client = in_english(client)
    client.force_login(worker)
    follow_up = done_follow_up(case)
    detail = client.get(reverse("reintegration:followup_detail", args=[follow_up.pk]))
    url = reverse("reintegration:survey_entry", args=[follow_up.pk])
    assert url in detail.content.decode() and "Take the sustainability survey" in detail.content.decode()
    page = client.get(url)
    assert page.status_code == 200 and "Q E1" in page.content.decode()
    draft = client.post(url, entry_data(small_version, "draft", E1="1"))
    assert draft.status_code == 302
    survey = SustainabilitySurvey.objects.get()
    assert survey.status == "draft" and survey.interviewer == worker and survey.answers.count() == 1
    refused = client.post(url, entry_data(small_version, "complete", E1="1"))
    assert refused.status_code == 400
    assert "Answer this question to complete the survey, or save it as a draft." in refused.content.decode()
    done = client.post(url, entry_data(small_version, "complete", **ANSWERS))
    assert done.status_code == 302 and done["Location"] == reverse("reintegration:survey_detail", args=[survey.pk])
    survey.refresh_from_db()
    assert survey.composite_score == D("0.625")
    shown = client.get(reverse("returns:returnee_detail", args=[case.pk])).content.decode()
    assert "Reintegration sustainability" in shown
    assert "Latest composite score 0.63: at or above the threshold of sustainable reintegration (0.60)." in shown
    # A complete survey is not entered again.
    assert client.get(url).status_code == 302


def test_the_form_refuses_bad_input_with_a_message(client, worker, case, small_version):
    client = in_english(client)
    client.force_login(worker)
    follow_up = done_follow_up(case)
    url = reverse("reintegration:survey_entry", args=[follow_up.pk])
    data = entry_data(small_version, "complete", **ANSWERS)
    data["answer_E1"] = AnswerOption.objects.filter(indicator__code="E2").first().pk
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Choose one of the answers offered to this question." in response.content.decode()
    response = client.post(url, entry_data(small_version, "complete", on="2024-05-01", **ANSWERS))
    assert response.status_code == 400
    assert "A survey cannot be dated before the departure (10/05/2024)." in response.content.decode()
    for bad in ("x", "9999999999999999999999"):
        response = client.post(url, {**entry_data(small_version, "draft"), "answer_E1": bad})
        assert response.status_code == 400
    assert not SustainabilitySurvey.objects.exists()
    pending = FollowUp.objects.create(returnee=case, kind="phone", due_date=date(2024, 9, 1))
    response = client.get(reverse("reintegration:survey_entry", args=[pending.pk]))
    assert response.status_code == 400 and "record the follow-up as done first" in response.content.decode()
    assert client.post(reverse("reintegration:survey_entry", args=[pending.pk]), data).status_code == 400
    assert not SustainabilitySurvey.objects.exists()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def test_the_survey_pages_take_as_many_queries_at_a_hundred_times_the_surveys(client, worker, small_version):
    """The survey list, a survey and a returnee's page with its surveys: the same number of queries with one
    surveyed returnee and with a hundred (each surveyed twice), so no query is made per row."""
    client.force_login(worker)

    def surveyed_returnee() -> SustainabilitySurvey:
        person = returnee(departed=date(2024, 5, 10))
        surveys = []
        for on in (date(2024, 8, 10), date(2025, 5, 10)):
            survey = sustainability.new_survey(done_follow_up(person, on), worker, version=small_version)
            surveys.append(sustainability.save_survey(survey, pick(small_version, **ANSWERS), complete=True))
        return surveys[-1]

    first = surveyed_returnee()
    pages = [reverse("reintegration:survey_list"), reverse("reintegration:survey_detail", args=[first.pk]),
             reverse("returns:returnee_detail", args=[first.returnee_id])]
    at_one = {url: _queries(client, url) for url in pages}
    for _ in range(99):
        surveyed_returnee()
    assert SustainabilitySurvey.objects.count() == 200
    assert {url: _queries(client, url) for url in pages} == at_one
