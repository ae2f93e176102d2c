"""Scoring and saving a sustainability survey (the RSS), and reading a returnee's scores over time.

Scores, for the version the survey was taken with (docs/sustainability.md):
- a dimension's score is the weighted mean of its indicators' answer scores (the indicators' weights);
- the composite score is the weighted mean of the three dimension scores (the version's dimension weights);
each rounded half up to three decimals, as stored. A survey is scored when it is completed, in the same
transaction as its answers; a draft keeps its answers and has no score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import (
    SCORE_PLACES,
    AnswerOption,
    Dimension,
    FollowUp,
    InstrumentVersion,
    SurveyAnswer,
    SurveyIndicator,
    SurveyStatus,
    SustainabilitySurvey,
)

QUANTUM = Decimal(1).scaleb(-SCORE_PLACES)
DIMENSIONS = (Dimension.ECONOMIC, Dimension.SOCIAL, Dimension.PSYCHOSOCIAL)


def _round(value: Decimal) -> Decimal:
    return value.quantize(QUANTUM, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Scores:
    economic: Decimal
    social: Decimal
    psychosocial: Decimal
    composite: Decimal

    def as_fields(self) -> dict[str, Decimal]:
        return {"economic_score": self.economic, "social_score": self.social,
                "psychosocial_score": self.psychosocial, "composite_score": self.composite}


def weighted_mean(pairs: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """Σ weight × value / Σ weight over (weight, value) pairs."""
    pairs = list(pairs)
    total = sum((w for w, _v in pairs), Decimal(0))
    if not total:
        raise ValueError("No weight.")
    return sum((w * v for w, v in pairs), Decimal(0)) / total


def score(version: InstrumentVersion, indicators: Iterable[SurveyIndicator],
          chosen: Mapping[int, AnswerOption]) -> Scores:
    """The scores of answers `chosen` (indicator id → option) to every indicator of `version`."""
    per_dimension: dict[str, list[tuple[Decimal, Decimal]]] = {d: [] for d in DIMENSIONS}
    for indicator in indicators:
        per_dimension[indicator.dimension].append((indicator.weight, chosen[indicator.pk].score))
    dimension_scores = {d: weighted_mean(pairs) for d, pairs in per_dimension.items() if pairs}
    weights = version.dimension_weights()
    composite = weighted_mean((weights[d], s) for d, s in dimension_scores.items())
    # Each stored score is rounded once, from the exact means (the composite from the unrounded dimensions).
    return Scores(*(_round(dimension_scores.get(d, Decimal(0))) for d in DIMENSIONS), _round(composite))


def survey_form_indicators(version: InstrumentVersion) -> list[SurveyIndicator]:
    """The version's indicators with their options, in order (two queries)."""
    return list(version.indicators.prefetch_related("options").order_by("position", "pk"))


@transaction.atomic
def save_survey(survey: SustainabilitySurvey, answers: Mapping[int, int | None], *, complete: bool
                ) -> SustainabilitySurvey:
    """Save `survey` (new or a draft) with `answers` (indicator id → option id, None for unanswered).

    `complete=False` keeps it a draft without scores, whatever is answered; `complete=True` needs every
    indicator answered and stores the scores. Everything is validated before anything is written; a
    ValidationError names the field (or the indicator's code) at fault and nothing is saved.
    """
    if survey.pk is not None:
        stored = SustainabilitySurvey.objects.select_for_update().get(pk=survey.pk)
        if stored.status == SurveyStatus.COMPLETE:
            raise ValidationError(_("This survey is complete: its answers and scores can no longer change."))
    indicators = survey_form_indicators(survey.version)
    by_id = {indicator.pk: indicator for indicator in indicators}
    options = {option.pk: option for indicator in indicators for option in indicator.options.all()}
    errors: dict[str, list[str]] = {}
    unknown = [i for i in answers if i not in by_id]
    if unknown:
        errors.setdefault("__all__", []).append(
            _("These questions are not part of version %(number)s of the survey.") % {"number": survey.version.number})
    chosen: dict[int, AnswerOption] = {}
    for indicator_id, option_id in answers.items():
        if option_id is None or indicator_id not in by_id:
            continue
        option = options.get(option_id)
        if option is None or option.indicator_id != indicator_id:
            errors.setdefault(by_id[indicator_id].code, []).append(
                _("Choose one of the answers offered to this question."))
        else:
            chosen[indicator_id] = option
    if complete:
        for indicator in indicators:
            if indicator.pk not in chosen and indicator.code not in errors:
                errors.setdefault(indicator.code, []).append(
                    _("Answer this question to complete the survey, or save it as a draft."))
    survey.status = SurveyStatus.COMPLETE if complete else SurveyStatus.DRAFT
    scores = score(survey.version, indicators, chosen) if complete and not errors else None
    for field in ("economic_score", "social_score", "psychosocial_score", "composite_score"):
        setattr(survey, field, getattr(scores, field.removesuffix("_score")) if scores else None)
    try:
        survey.full_clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    survey.save()
    SurveyAnswer.objects.filter(survey=survey).delete()
    SurveyAnswer.objects.bulk_create([SurveyAnswer(survey=survey, indicator_id=i, option=o) for i, o in chosen.items()])
    return survey


def new_survey(follow_up: FollowUp, interviewer, *, on: date | None = None,
               version: InstrumentVersion | None = None) -> SustainabilitySurvey:
    """An unsaved survey at `follow_up`, with the version in use for new surveys."""
    version = version or InstrumentVersion.objects.current()
    if version is None:
        raise ValidationError(_("No version of the survey is in use: an administrator activates one first."))
    return SustainabilitySurvey(returnee=follow_up.returnee, follow_up=follow_up, interviewer=interviewer,
                                version=version, date=on or follow_up.done_on)


@dataclass(frozen=True)
class ScoreChange:
    """A returnee's first and latest complete surveys, and each score's change between them."""

    first: SustainabilitySurvey
    latest: SustainabilitySurvey

    def rows(self) -> list[tuple[str, Decimal | None, Decimal | None, Decimal | None]]:
        labels = {Dimension.ECONOMIC: _("Economic"), Dimension.SOCIAL: _("Social"),
                  Dimension.PSYCHOSOCIAL: _("Psychosocial"), "composite": _("Composite")}
        first, latest = self.first.scores(), self.latest.scores()
        return [(labels[key], first[key], latest[key],
                 None if first[key] is None or latest[key] is None else latest[key] - first[key])
                for key in labels]


def returnee_scores(returnee_id: int) -> dict[str, object]:
    """A returnee's surveys, newest first, with the change from the first complete one to the latest (one
    query)."""
    surveys = list(SustainabilitySurvey.objects.filter(returnee_id=returnee_id)
                   .select_related("version", "interviewer").order_by("-date", "-pk"))
    complete = [s for s in surveys if s.status == SurveyStatus.COMPLETE]
    change = ScoreChange(complete[-1], complete[0]) if len(complete) >= 2 else None
    return {"surveys": surveys, "change": change, "latest": complete[0] if complete else None}


@transaction.atomic
def copy_instrument_version(version: InstrumentVersion) -> InstrumentVersion:
    """A new, inactive version with the same weights, threshold, indicators and answers, numbered after the
    highest: the way to change a version that surveys have used."""
    number = (InstrumentVersion.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    copy = InstrumentVersion.objects.create(
        number=number, name=version.name, economic_weight=version.economic_weight, social_weight=version.social_weight,
        psychosocial_weight=version.psychosocial_weight, threshold=version.threshold,
        weights_confirmed=version.weights_confirmed, source=version.source, active=False)
    for indicator in version.indicators.prefetch_related("options"):
        new = SurveyIndicator.objects.create(
            version=copy, dimension=indicator.dimension, code=indicator.code, position=indicator.position,
            question=indicator.question, question_fr=indicator.question_fr, question_ar=indicator.question_ar,
            weight=indicator.weight)
        AnswerOption.objects.bulk_create([
            AnswerOption(indicator=new, position=o.position, label=o.label, label_fr=o.label_fr, label_ar=o.label_ar,
                         score=o.score) for o in indicator.options.all()])
    return copy


def score_rows(survey: SustainabilitySurvey) -> list[tuple[str, Decimal | None, bool | None]]:
    """(dimension, score, at or above the version's threshold) of a survey, the composite last."""
    labels = {Dimension.ECONOMIC: _("Economic"), Dimension.SOCIAL: _("Social"),
              Dimension.PSYCHOSOCIAL: _("Psychosocial"), "composite": _("Composite")}
    threshold = survey.version.threshold
    return [(labels[key], value, None if value is None else value >= threshold)
            for key, value in survey.scores().items()]
