"""Reads of the daily casework: a user's own work, and every worker's caseload.

Counts are the database's (COUNT, grouped or conditional); the lists are capped at `ROWS` lines with a
link to the whole filtered list. The number of queries depends on the user's permissions, never on the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.roles import CASE_WORKER, RESETTLEMENT_OFFICER, SUPERVISOR
from oimsite.core.assignment import RECENT_ASSIGNMENT_DAYS
from reintegration.models import PLAN_AGREEMENT_DAYS, REFERRAL_PENDING_DAYS, FollowUp, Referral, ReintegrationPlan
from resettlement.models import OPEN_STAGES as FILE_OPEN_STAGES
from resettlement.models import ResettlementFile
from resettlement.models import Stage as FileStage
from returns.models import OPEN_STAGES, Returnee, Stage

# Lines shown per section of My work; the rest is one click away, in the filtered list.
ROWS = 20
# "Due this week": from today to this many days ahead.
DUE_SOON_DAYS = 7
# The roles whose members own cases: they land on My work and are listed in the caseload.
WORK_ROLES = (CASE_WORKER, RESETTLEMENT_OFFICER, SUPERVISOR)


def list_url(name: str, **params: Any) -> str:
    """The URL of a list with its filters, or "" while that list does not exist (a page built by another
    part of the work; the section then shows its lines without the "see all" link)."""
    try:
        path = reverse(name)
    except NoReverseMatch:
        return ""
    return f"{path}?{urlencode(params)}" if params else path


@dataclass
class Section:
    """A capped list of records, the number of them all, and the list that shows them all."""

    rows: list[Any]
    count: int
    see_all: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def more(self) -> bool:
        return self.count > len(self.rows)


def _section(queryset: QuerySet, see_all: str = "", **extra: Any) -> Section:
    return Section(list(queryset[:ROWS]), queryset.count(), see_all, extra)


@dataclass(frozen=True)
class StageCount:
    stage: str
    label: str
    count: int
    url: str = ""


def _stage_counts(queryset: QuerySet, stages: tuple[str, ...], labels: Any,
                  list_name: str = "") -> tuple[list[StageCount], int]:
    """Open cases per stage and in all, in one query (conditional counts, in the stages' order); each count
    links to the list of the user's cases at that stage."""
    counts = queryset.aggregate(total=Count("pk"), **{f"s_{s}": Count("pk", filter=Q(stage=s)) for s in stages})
    return [StageCount(s, str(labels[s]), counts[f"s_{s}"],
                       list_url(list_name, owner="mine", stage=s) if list_name else "")
            for s in stages], counts["total"]


def my_work(user: Any, today: Any = None) -> dict[str, Any]:
    """The sections of the user's My work page, those their permissions open."""
    today = today or timezone.localdate()
    work: dict[str, Any] = {"today": today, "due_soon_days": DUE_SOON_DAYS,
                            "recent_days": RECENT_ASSIGNMENT_DAYS, "plan_days": PLAN_AGREEMENT_DAYS,
                            "referral_days": REFERRAL_PENDING_DAYS}
    if user.has_perm("reintegration.view_followup"):
        mine = FollowUp.objects.for_user(user).select_related("returnee").order_by("due_date", "pk")
        work["overdue"] = _section(mine.overdue(today), list_url("reintegration:followup_list", owner="mine"))
        work["due_soon"] = _section(mine.due_within(DUE_SOON_DAYS, today),
                                    list_url("reintegration:followup_list", owner="mine"))
    if user.has_perm("returns.view_returnee"):
        cases = Returnee.objects.assigned_to_user(user).open_cases()
        stages, total = _stage_counts(cases, OPEN_STAGES, dict(Stage.choices), "returns:returnee_list")
        work["returnees"] = Section(
            list(cases.order_by("stage_changed_on", "case_number")[:ROWS]), total,
            list_url("returns:returnee_list", owner="mine", open="true"), {"stages": stages})
        work["recent_returnees"] = _section(
            Returnee.objects.recently_assigned_to(user).order_by("-assigned_on", "pk"),
            list_url("returns:returnee_list", owner="recent"))
    if user.has_perm("reintegration.view_reintegrationplan"):
        plans = (ReintegrationPlan.objects.awaiting_agreement().filter(returnee__assigned_to=user)
                 .select_related("returnee").order_by("returnee__departure_date", "pk"))
        work["plans"] = _section(plans, late=plans.late(today).count())
    if user.has_perm("reintegration.view_referral"):
        waiting = (Referral.objects.pending_over(REFERRAL_PENDING_DAYS, today).sent_by(user)
                   .select_related("returnee", "partner").order_by("sent_on", "pk"))
        work["referrals"] = _section(waiting, list_url("reintegration:referral_list", pending="over", mine="true"))
    if user.has_perm("resettlement.view_resettlementfile"):
        files = ResettlementFile.objects.assigned_to_user(user).open_cases()
        stages, total = _stage_counts(files, FILE_OPEN_STAGES, dict(FileStage.choices), "resettlement:file_list")
        work["files"] = Section(
            list(files.order_by("stage_changed_on", "file_number")[:ROWS]), total,
            list_url("resettlement:file_list", owner="mine", open="true"), {"stages": stages})
        work["recent_files"] = _section(
            ResettlementFile.objects.recently_assigned_to(user).order_by("-assigned_on", "pk"),
            list_url("resettlement:file_list", owner="recent"))
    return work


@dataclass
class Load:
    """One worker's caseload (or, with `user` None, what nobody owns)."""

    user: Any
    returnees: int = 0
    files: int = 0
    overdue: int = 0
    plans: int = 0
    late_plans: int = 0
    links: dict[str, str] = field(default_factory=dict)


def _grouped(queryset: QuerySet, owner: str, **counts: Any) -> dict[Any, dict[str, int]]:
    return {row.pop(owner): row for row in queryset.order_by().values(owner).annotate(**counts)}


def caseload(today: Any = None) -> tuple[list[Load], Load]:
    """Every worker's open cases, overdue follow-ups and plans awaiting agreement, and those without an owner.

    Five grouped counts and the list of workers: the members of a work role, and anyone else who owns
    something (an account that left the role keeps its cases until they are reassigned).
    """
    today = today or timezone.localdate()
    returnees = _grouped(Returnee.objects.open_cases(), "assigned_to", n=Count("pk"))
    files = _grouped(ResettlementFile.objects.open_cases(), "assigned_to", n=Count("pk"))
    overdue = _grouped(FollowUp.objects.overdue(today), "assigned_to", n=Count("pk"))
    plans = _grouped(ReintegrationPlan.objects.awaiting_agreement(), "returnee__assigned_to", n=Count("pk"))
    late_plans = _grouped(ReintegrationPlan.objects.late(today), "returnee__assigned_to", n=Count("pk"))
    owners = {pk for counts in (returnees, files, overdue, plans) for pk in counts if pk is not None}
    users = (get_user_model().objects
             .filter(Q(pk__in=owners) | Q(is_active=True, is_staff=True, groups__name__in=WORK_ROLES))
             .distinct().order_by("username"))

    def load(user: Any) -> Load:
        pk = user.pk if user is not None else None
        row = Load(user, *(counts.get(pk, {}).get("n", 0) for counts in (returnees, files, overdue, plans, late_plans)))
        owner = {"assigned_to": pk} if pk is not None else {"owner": "unassigned"}
        row.links = {
            "returnees": list_url("returns:returnee_list", **owner, open="true"),
            "files": list_url("resettlement:file_list", **owner, open="true"),
            "overdue": list_url("reintegration:followup_list", **owner, due="overdue"),
            "plans": list_url("reintegration:plan_list", **owner, status="draft"),
        }
        return row

    return [load(user) for user in users], load(None)
