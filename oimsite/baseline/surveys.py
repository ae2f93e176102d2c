"""The baseline's sustainability surveys: version 1 of the survey taken at follow-up visits after the return.

Part of the returnees who got support after the return answered the survey at a visit where they were
reached (three or six months after the return), and about half of them again at the twelve-month call, so
that a returnee's page shows a change and the dashboard a spread with some below the threshold. Answers are
drawn around a level of each person that depends on how their plan went (completed, ongoing, abandoned),
and the scores come from `reintegration.sustainability.score` on version 1 as shipped: the loader checks
them against the answers again. Its own random stream: the counted records stay byte for byte what they were.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from oimsite.baseline.casework import Casework, FollowUpRecord
from reintegration.migrations._rss_v1 import INDICATORS
from reintegration.models import AnswerOption, InstrumentVersion, SurveyIndicator
from reintegration.reference_data import INDICATOR_WEIGHT, VERSION_1
from reintegration.sustainability import Scores, score

SURVEYED_SHARE = 0.35  # of the returnees with a plan agreed after the return
SURVEYED_AGAIN = 0.5  # of those, surveyed again at the twelve-month call
# A returnee's level (0 to 1) by how the plan went, before each person's and each answer's spread.
LEVEL_BY_PLAN = {"completed": 0.64, "agreed": 0.55, "abandoned": 0.38}
DIMENSION_SHIFT = {"economic": -0.06, "social": 0.03, "psychosocial": 0.02}
REACHED = ("reached", "needs_support")


def _instrument() -> tuple[InstrumentVersion, list[SurveyIndicator], dict[str, list[tuple[int, AnswerOption]]]]:
    """Version 1 in memory (no database): its indicators (numbered from 1) and their options by position."""
    version = InstrumentVersion(**VERSION_1)
    indicators: list[SurveyIndicator] = []
    options: dict[str, list[tuple[int, AnswerOption]]] = {}
    for number, (code, dimension, *_texts, answers) in enumerate(INDICATORS, start=1):
        indicators.append(SurveyIndicator(pk=number, code=code, dimension=dimension, weight=INDICATOR_WEIGHT))
        options[code] = [(position, AnswerOption(position=position, score=Decimal(answer[3])))
                         for position, answer in enumerate(answers)]
    return version, indicators, options


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))


class SurveyPlanner:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"surveys-{seed}")
        self.version, self.indicators, self.options = _instrument()

    def answers(self, level: float) -> tuple[dict[str, int], Scores]:
        """An answer per indicator near `level` (shifted by dimension), and the scores they give."""
        rng = self.rng
        shifts = {d: shift + rng.gauss(0, 0.07) for d, shift in DIMENSION_SHIFT.items()}
        positions: dict[str, int] = {}
        chosen: dict[int, AnswerOption] = {}
        for indicator in self.indicators:
            target = _clip(level + shifts[indicator.dimension] + rng.gauss(0, 0.16))
            position, option = min(self.options[indicator.code], key=lambda o: abs(float(o[1].score) - target))
            positions[indicator.code] = position
            chosen[indicator.pk] = option
        return positions, score(self.version, self.indicators, chosen)

    @staticmethod
    def occasions(follow_ups: Sequence[FollowUpRecord]) -> tuple[FollowUpRecord | None, FollowUpRecord | None]:
        """The visit of the first survey (at six months, else three, if the returnee was reached) and the
        twelve-month call of the second (if reached), in the schedule's order (1, 3, 6, 12 months)."""
        reached = [f if f.done_on is not None and f.outcome in REACHED else None for f in follow_ups]
        reached += [None] * (4 - len(reached))
        return reached[2] or reached[1], reached[3]


def add_surveys(objects: list[dict], casework: Casework, seed: int,
                user_pk: Callable[[str | None], int | None]) -> list[dict]:
    """`objects` with the surveys and their answers appended (after the follow-ups they were taken at)."""
    planner = SurveyPlanner(seed)
    rng = planner.rng
    follow_ups: dict[int, list[FollowUpRecord]] = defaultdict(list)
    for follow_up in casework.follow_ups:  # in due order
        follow_ups[follow_up.returnee.pk].append(follow_up)
    surveys: list[tuple[FollowUpRecord, dict[str, int], Scores]] = []
    for plan in sorted(casework.plans, key=lambda p: p.returnee.pk):
        if plan.status not in LEVEL_BY_PLAN or rng.random() >= SURVEYED_SHARE:
            continue
        first, second = planner.occasions(follow_ups[plan.returnee.pk])
        if first is None:
            continue
        level = _clip(rng.gauss(LEVEL_BY_PLAN[plan.status], 0.12))
        if first.outcome == "needs_support":
            level -= 0.08
        surveys.append((first, *planner.answers(level)))
        if second is not None and rng.random() < SURVEYED_AGAIN:
            later = _clip(level + rng.gauss(0.05, 0.06) - (0.06 if second.outcome == "needs_support" else 0))
            surveys.append((second, *planner.answers(later)))
    surveys.sort(key=lambda s: (s[0].done_on, s[0].pk))
    number = VERSION_1["number"]
    answers: list[dict] = []
    for pk, (follow_up, positions, scores) in enumerate(surveys, start=1):
        day: date = follow_up.done_on
        objects.append({"model": "reintegration.sustainabilitysurvey", "pk": pk, "fields": {
            "returnee": follow_up.returnee.pk, "follow_up": follow_up.pk, "date": day.isoformat(),
            "interviewer": user_pk(follow_up.owner), "version": [number], "status": "complete",
            **{name: str(value) for name, value in scores.as_fields().items()},
            "created_at": f"{day.isoformat()}T15:00:00Z", "updated_at": f"{day.isoformat()}T15:00:00Z",
        }})
        for code, position in positions.items():
            answers.append({"model": "reintegration.surveyanswer", "pk": len(answers) + 1, "fields": {
                "survey": pk, "indicator": [number, code], "option": [number, code, position]}})
    return objects + answers
