"""The reference rows an office starts with: the follow-up schedule and version 1 of the sustainability survey.

Written by their migrations (0008, 0009) and written again after each `migrate` and `flush` when missing
(ReintegrationConfig.ready), as the vulnerability categories are: a flush empties the rows migrations made.
Both take an app registry (a migration's, or the live one) so that the migrations keep their historical models.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .migrations._rss_v1 import INDICATORS, SOURCE

# A call one month after the departure, visits at three and six months, a last call at twelve.
SCHEDULE_STEPS = ((1, "phone"), (3, "home"), (6, "home"), (12, "phone"))
PROGRAMMES = ("from_morocco", "to_morocco")
# Version 1 as shipped: equal weights everywhere and a threshold of 0.5 (settings, see docs/sustainability.md).
VERSION_1 = {"number": 1, "name": "Reintegration Sustainability Survey (RSS), 15 indicators",
             "threshold": Decimal("0.5"), "economic_weight": Decimal(1), "social_weight": Decimal(1),
             "psychosocial_weight": Decimal(1), "source": SOURCE, "weights_confirmed": False, "active": True}
INDICATOR_WEIGHT = Decimal(1)


def ensure_follow_up_schedule(apps: Any, using: str = "default") -> None:
    """The starting schedule, only into an empty table: an office's own changes are kept."""
    Step = apps.get_model("reintegration", "FollowUpScheduleStep")
    if Step.objects.using(using).exists():
        return
    Step.objects.using(using).bulk_create([
        Step(programme=programme, months_after_departure=months, kind=kind)
        for programme in PROGRAMMES for months, kind in SCHEDULE_STEPS
    ])


def ensure_survey_version_1(apps: Any, using: str = "default") -> None:
    Version = apps.get_model("reintegration", "InstrumentVersion")
    Indicator = apps.get_model("reintegration", "SurveyIndicator")
    Option = apps.get_model("reintegration", "AnswerOption")
    if Version.objects.using(using).filter(number=1).exists():
        return
    version = Version.objects.using(using).create(**VERSION_1)
    for position, (code, dimension, question, question_fr, question_ar, options) in enumerate(INDICATORS):
        indicator = Indicator.objects.using(using).create(
            version=version, code=code, dimension=dimension, position=position, question=question,
            question_fr=question_fr, question_ar=question_ar, weight=INDICATOR_WEIGHT)
        Option.objects.using(using).bulk_create([
            Option(indicator=indicator, position=i, label=label, label_fr=label_fr, label_ar=label_ar,
                   score=Decimal(score))
            for i, (label, label_fr, label_ar, score) in enumerate(options)])
