"""The baseline's sustainability surveys (issue 19): taken at follow-ups done after the return of returnees who
got support, scored as their answers give, spread on both sides of the threshold, some returnees surveyed
twice, and in two years, so that the dashboard's sustainability figures and their comparison show something;
each figure drills down to the surveys it counts."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db.models import Count, Exists, OuterRef

from oimsite.reporting import sustainability as figures
from reintegration.models import Kind, Phase, SupportSession, SurveyIndicator, SustainabilitySurvey
from reintegration.sustainability import returnee_scores

pytestmark = pytest.mark.django_db

THOUSANDTH = Decimal("0.001")


def test_every_survey_stores_the_scores_its_answers_give_by_hand(baseline):
    """Version 1 weighs every indicator and every dimension equally: a dimension's score is the plain mean
    of its answers' scores, the composite the plain mean of the three unrounded dimension means."""
    version_weights = SurveyIndicator.objects.filter(version__number=1).values_list(
        "weight", "version__economic_weight", "version__social_weight", "version__psychosocial_weight")
    assert {w for row in version_weights for w in row} == {Decimal(1)}
    codes = dict(SurveyIndicator.objects.filter(version__number=1).values_list("pk", "dimension"))
    surveys = SustainabilitySurvey.objects.complete().prefetch_related("answers__option")
    assert surveys.exists()
    for survey in surveys:
        by_dimension: dict[str, list[Decimal]] = defaultdict(list)
        for answer in survey.answers.all():
            by_dimension[codes[answer.indicator_id]].append(answer.option.score)
        assert sum(map(len, by_dimension.values())) == len(codes)
        means = {d: sum(v) / len(v) for d, v in by_dimension.items()}
        composite = sum(means.values()) / 3
        assert survey.composite_score == composite.quantize(THOUSANDTH, rounding=ROUND_HALF_UP), survey.pk
        for dimension, mean in means.items():
            assert getattr(survey, f"{dimension}_score") == mean.quantize(THOUSANDTH, rounding=ROUND_HALF_UP)


def test_each_survey_is_taken_at_a_follow_up_done_after_support_where_the_returnee_was_reached(baseline):
    support = SupportSession.objects.filter(returnee=OuterRef("returnee"), phase=Phase.POST_RETURN).exclude(
        kind=Kind.COUNSELLING)
    surveys = SustainabilitySurvey.objects.select_related("follow_up", "returnee")
    assert not surveys.exclude(Exists(support)).exists()
    for survey in surveys:
        assert survey.follow_up.returnee_id == survey.returnee_id
        assert survey.follow_up.done_on == survey.date > survey.returnee.departure_date
        assert survey.follow_up.outcome in ("reached", "needs_support")
        assert survey.interviewer.is_active and survey.interviewer.is_staff


def test_the_scores_fall_on_both_sides_of_the_threshold_in_every_dimension(baseline):
    for dimension in (None, "economic", "social", "psychosocial"):
        assert SustainabilitySurvey.objects.below(dimension).exists(), dimension
        assert SustainabilitySurvey.objects.at_or_above(dimension).exists(), dimension
    below = SustainabilitySurvey.objects.below().count()
    assert below < SustainabilitySurvey.objects.at_or_above().count()  # most returnees surveyed are doing well


def test_some_returnees_are_surveyed_twice_and_their_page_shows_the_change(baseline):
    twice = (SustainabilitySurvey.objects.complete().values("returnee").annotate(n=Count("pk")).filter(n=2)
             .values_list("returnee", flat=True))
    assert twice.exists()
    assert returnee_scores(twice[0])["change"] is not None


def test_the_dashboard_has_sustainability_figures_for_2024_and_the_year_before(baseline, admin_client_logged):
    for year in (2023, 2024):
        computed = figures.compute(year).indicators
        surveyed = computed["sustainability.surveyed"]
        assert surveyed.value == SustainabilitySurvey.objects.latest_per_returnee_in(year).count() > 0
        sustainable = computed["sustainability.sustainable"]
        assert 0 < sustainable.value < surveyed.value
        for indicator in (surveyed, sustainable):
            response = admin_client_logged.get(indicator.url)
            assert response.status_code == 200
            assert response.context["result_count"] == indicator.value, indicator.key
