"""Records of the daily casework: owners, follow-ups and plans (the follow-up schedule is switched off, so
that a returned case gets only the follow-ups a test makes)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from oimsite.core.assignment import reassign
from reintegration.models import FollowUp, FollowUpScheduleStep, ReintegrationPlan
from tests import helpers


class Casework:
    """`work.returnee(owner)`, `work.follow_up(case, due_in_days, owner)`, `work.plan(case)`, `work.file(owner)`."""

    def __init__(self, boss: Any) -> None:
        self.boss = boss  # who reassigns (the assignment log's `by`)
        self.today = timezone.localdate()

    def returnee(self, owner: Any = None, *, departed: date | None = date(2024, 5, 10), **extra: Any):
        case = helpers.returnee(departed=departed, **extra)
        if owner is not None:
            reassign([case], owner, by=self.boss)
            case.refresh_from_db()
        return case

    def follow_up(self, case: Any, due_in_days: int, owner: Any = None, *, done: bool = False) -> FollowUp:
        due = self.today + timedelta(days=due_in_days)
        return FollowUp.objects.create(
            returnee=case, kind="phone", due_date=due, assigned_to=owner,
            done_on=min(due, self.today) if done else None, outcome="reached" if done else "")

    def plan(self, case: Any, status: str = "draft") -> ReintegrationPlan:
        return ReintegrationPlan.objects.create(
            returnee=case, status=status, agreed_on=self.today if status != "draft" else None)

    def file(self, owner: Any = None, *, stage: str = "referred", **extra: Any):
        departed = date(2024, 6, 1) if stage in ("departed", "arrived") else None
        file = helpers.resettlement_file(departed=departed, stage=stage, **extra)
        if owner is not None:
            reassign([file], owner, by=self.boss)
            file.refresh_from_db()
        return file


@pytest.fixture
def work(db, make_user) -> Casework:
    FollowUpScheduleStep.objects.update(active=False)
    return Casework(make_user("boss", "Superviseur"))
