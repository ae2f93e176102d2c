"""Support sessions: counselling before departure and reintegration support after return."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from oimsite.core.fields import CountryField
from oimsite.core.models_base import CaseRecord, ConsentScope, year_bounds


class Kind(models.TextChoices):
    COUNSELLING = "counselling", _("Counselling session")
    CASH = "cash", _("Cash / financial aid")
    VOCATIONAL_TRAINING = "vocational_training", _("Vocational training")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    SOCIAL = "social", _("Social support")
    ECONOMIC = "economic", _("Economic / business support")
    HEALTH = "health", _("Health support")
    EDUCATION = "education", _("Education support")


class Phase(models.TextChoices):
    PRE_DEPARTURE = "pre_departure", _("Before departure")
    POST_RETURN = "post_return", _("After return")


class Mode(models.TextChoices):
    VIRTUAL = "virtual", _("Virtual")
    IN_PERSON = "in_person", _("In person")


class Provider(models.TextChoices):
    IOM_MOROCCO = "iom_morocco", _("IOM Morocco")
    IOM_ORIGIN = "iom_origin", _("IOM in the country of origin")
    PARTNER = "partner", _("Partner")


class SupportSessionQuerySet(models.QuerySet["SupportSession"]):
    def pre_departure(self) -> SupportSessionQuerySet:
        return self.filter(phase=Phase.PRE_DEPARTURE)

    def post_return(self) -> SupportSessionQuerySet:
        return self.filter(phase=Phase.POST_RETURN)

    def in_year(self, year: int, *, through: int | None = None) -> SupportSessionQuerySet:
        """Sessions held in the calendar year, or in the years from `year` through `through`."""
        start, end = year_bounds(year)[0], year_bounds(through or year)[1]
        return self.filter(date__gte=start, date__lt=end)

    def virtual(self) -> SupportSessionQuerySet:
        return self.filter(mode=Mode.VIRTUAL)

    def enhanced(self) -> SupportSessionQuerySet:
        return self.filter(enhanced=True)

    def virtual_predeparture_counselling(self) -> SupportSessionQuerySet:
        """Virtual counselling before departure, held by IOM in the returnee's country of origin."""
        return self.pre_departure().virtual().filter(kind=Kind.COUNSELLING, provider=Provider.IOM_ORIGIN)

    def exists_for_returnee(self, outer: str = "pk") -> Exists:
        """`EXISTS` over these sessions for the returnee of the outer query.

        The same expression filters returnee lists and counts inside one-pass aggregates, so a list and
        the indicator that links to it cannot disagree.
        """
        return Exists(self.filter(returnee=OuterRef(outer)))


class SupportSession(CaseRecord):
    """One counselling session or one act of support for a returnee."""

    # RESTRICT: a returnee is deleted only together with their sessions (the admin lists them and deletes
    # them first, for those allowed to delete both); never one without the other.
    returnee = models.ForeignKey(
        "returns.Returnee", on_delete=models.RESTRICT, related_name="sessions", verbose_name=_("returnee")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices)
    date = models.DateField(_("date"))
    provider = models.CharField(_("provider"), max_length=16, choices=Provider.choices)
    enhanced = models.BooleanField(
        _("reinforced support"), default=False,
        help_text=_("Reinforced support because of a recorded vulnerability."),
    )
    partner = models.ForeignKey(
        "reintegration.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="sessions",
        verbose_name=_("partner"), help_text=_("The partner organisation that gave this support."),
    )
    goal = models.ForeignKey(
        "reintegration.PlanGoal", on_delete=models.PROTECT, null=True, blank=True, related_name="sessions",
        verbose_name=_("plan goal"), help_text=_("The goal of the returnee's reintegration plan this support serves."),
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords(excluded_fields=["version", "created_at", "updated_at"])
    objects = SupportSessionQuerySet.as_manager()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("support session")
        verbose_name_plural = _("support sessions")
        permissions = [
            ("export_supportsession", _("Can export support sessions (personal data)")),
            ("import_supportsession", _("Can import support sessions from a spreadsheet")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(phase=Phase.POST_RETURN) | Q(kind=Kind.COUNSELLING),
                name="session_predeparture_is_counselling",
                violation_error_message=_("Only counselling sessions can take place before departure."),
            ),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="session_kind_valid"),
            models.CheckConstraint(condition=Q(phase__in=Phase.values), name="session_phase_valid"),
            models.CheckConstraint(condition=Q(mode__in=Mode.values), name="session_mode_valid"),
            models.CheckConstraint(condition=Q(provider__in=Provider.values), name="session_provider_valid"),
        ]
        indexes = [
            models.Index(fields=["phase", "date"], name="session_phase_date_idx"),
            models.Index(fields=["returnee", "phase", "date"], name="session_returnee_phase_idx"),
            # Lists sort by date with the id breaking ties (SupportSessionTable's order_by); also serves date alone.
            models.Index(fields=["date", "id"], name="session_date_id_idx"),
            models.Index(fields=["kind", "date"], name="session_kind_date_idx"),
            # The report's "virtual counselling before departure" test, one probe per returnee.
            models.Index(fields=["returnee"], name="session_virtual_counsel_idx",
                         condition=Q(phase=Phase.PRE_DEPARTURE, kind=Kind.COUNSELLING, mode=Mode.VIRTUAL,
                                     provider=Provider.IOM_ORIGIN)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.date:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("reintegration:session_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.phase == Phase.PRE_DEPARTURE and self.kind and self.kind != Kind.COUNSELLING:
            errors.setdefault("kind", []).append(_("Only counselling sessions can take place before departure."))
        returnee = self._returnee_or_none()
        if returnee is not None and self.date:
            departure = returnee.departure_date
            if self.phase == Phase.PRE_DEPARTURE and departure and self.date > departure:
                errors.setdefault("date", []).append(
                    _("A pre-departure session cannot be dated after the departure (%(departure)s).")
                    % {"departure": departure.strftime("%d/%m/%Y")}
                )
            if self.phase == Phase.POST_RETURN:
                if not departure:
                    errors.setdefault("phase", []).append(
                        _("A post-return session needs a returnee whose return has happened (no departure date).")
                    )
                elif self.date < departure:
                    errors.setdefault("date", []).append(
                        _("A post-return session cannot be dated before the departure (%(departure)s).")
                        % {"departure": departure.strftime("%d/%m/%Y")}
                    )
        if returnee is not None and returnee.pk is not None:
            self._check_plan(returnee, errors)
        self._check_partner(errors)
        if self.enhanced and returnee is not None and not returnee.has_recorded_vulnerability():
            errors.setdefault("enhanced", []).append(
                _("Reinforced support needs a returnee with a recorded vulnerability.")
            )
        if errors:
            raise ValidationError(errors)

    def _check_plan(self, returnee, errors: dict[str, list]) -> None:
        """Support after return other than counselling follows the returnee's agreed plan (Handbook 2.3)."""
        if self.goal_id is not None and self.goal.plan.returnee_id != returnee.pk:
            errors.setdefault("goal", []).append(_("This goal belongs to another returnee's plan."))
        if self.phase != Phase.POST_RETURN or self.kind in ("", Kind.COUNSELLING) or not self.date:
            return
        # Only a new session, or one whose kind, phase or date changes, is held to the rule: sessions
        # recorded before plans existed stay as they are.
        stored = getattr(self, "_stored_rule_fields", None)
        if stored == (self.phase, self.kind, self.date, self.returnee_id):
            return
        agreed = returnee.plans.filter(status__in=AGREED_OR_DONE, agreed_on__lte=self.date)
        if not agreed.exists():
            errors.setdefault("kind", []).append(
                _("Support after return other than counselling needs an agreed reintegration plan, agreed on or "
                  "before the session's date: record the plan and its agreement first.")
            )

    def _check_partner(self, errors: dict[str, list]) -> None:
        """Support given by a partner names the partner; only a partner's support names one. Sessions
        recorded before partners existed are held to it only when their provider or partner changes."""
        stored = getattr(self, "_stored_partner_fields", None)
        if stored == (self.provider, self.partner_id):
            return
        if self.provider == Provider.PARTNER and self.partner_id is None:
            errors.setdefault("partner", []).append(_("Name the partner organisation that gave this support."))
        if self.partner_id is not None and self.provider != Provider.PARTNER:
            errors.setdefault("provider", []).append(
                _("A session that names a partner organisation is given by a partner: choose “Partner”."))

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        d = instance.__dict__
        instance._stored_rule_fields = (d.get("phase"), d.get("kind"), d.get("date"), d.get("returnee_id"))
        instance._stored_partner_fields = (d.get("provider"), d.get("partner_id"))
        return instance

    def _returnee_or_none(self):
        # In an admin inline the returnee may be a new, unsaved instance; on a bare form it is unset.
        try:
            return self.returnee
        except models.ObjectDoesNotExist:
            return None


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AGREED = "agreed", _("Agreed")
    COMPLETED = "completed", _("Completed")
    ABANDONED = "abandoned", _("Abandoned")


AGREED_OR_DONE = (PlanStatus.AGREED, PlanStatus.COMPLETED)
PLAN_HAS_OPEN_GOALS = _("A plan completes only when every goal is achieved, partly achieved or dropped.")
# A plan not agreed this long after the return is flagged (Reintegration Handbook: agreed soon after return).
PLAN_AGREEMENT_DAYS = 30


class ReintegrationPlanQuerySet(models.QuerySet["ReintegrationPlan"]):
    def awaiting_agreement(self) -> ReintegrationPlanQuerySet:
        return self.filter(status=PlanStatus.DRAFT)

    def late(self, today: date | None = None) -> ReintegrationPlanQuerySet:
        """Drafts whose returnee came back more than PLAN_AGREEMENT_DAYS ago."""
        today = today or timezone.localdate()
        return self.awaiting_agreement().filter(
            returnee__departure_date__lt=today - timedelta(days=PLAN_AGREEMENT_DAYS)
        )


class ReintegrationPlan(CaseRecord):
    """A returnee's individual reintegration plan: what they need, agreed with them (Handbook 2.3)."""

    returnee = models.ForeignKey(
        "returns.Returnee", on_delete=models.CASCADE, related_name="plans", verbose_name=_("returnee")
    )
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = models.CharField(_("closure reason"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords(excluded_fields=["version", "created_at", "updated_at"])
    objects = ReintegrationPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reintegration plan")
        verbose_name_plural = _("reintegration plans")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PlanStatus.values), name="plan_status_valid"),
            models.CheckConstraint(
                condition=Q(status=PlanStatus.DRAFT) | Q(agreed_on__isnull=False) | Q(status=PlanStatus.ABANDONED),
                name="plan_agreed_has_date",
                violation_error_message=_("An agreed or completed plan needs the date it was agreed on."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=[PlanStatus.DRAFT, PlanStatus.AGREED]) | Q(closed_on__isnull=False),
                name="plan_closed_has_date",
                violation_error_message=_("A completed or abandoned plan needs the date it was closed on."),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(agreed_on__isnull=True) | Q(closed_on__gte=F("agreed_on")),
                name="plan_closed_after_agreed",
                violation_error_message=_("A plan cannot be closed before it was agreed."),
            ),
            # One plan at work per returnee: a new one starts once the last is completed or abandoned.
            models.UniqueConstraint(
                fields=["returnee"], condition=Q(status__in=[PlanStatus.DRAFT, PlanStatus.AGREED]),
                name="plan_one_open_per_returnee",
                violation_error_message=_("This returnee already has a plan in draft or agreed."),
            ),
        ]
        indexes = [models.Index(fields=["status", "returnee"], name="plan_status_returnee_idx")]

    # Set by a form that validates the goals being submitted with the plan (the admin's inline).
    goals_checked_with_form = False

    def __str__(self) -> str:
        return _("Plan of %(returnee)s (%(status)s)") % {
            "returnee": self.returnee.case_number, "status": self.get_status_display()}

    def get_absolute_url(self) -> str:
        return reverse("reintegration:plan_detail", args=[self.pk])

    @property
    def is_late(self) -> bool:
        departure = self.returnee.departure_date
        return (self.status == PlanStatus.DRAFT and departure is not None
                and (timezone.localdate() - departure).days > PLAN_AGREEMENT_DAYS)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.status in AGREED_OR_DONE and not self.agreed_on:
            errors.setdefault("agreed_on", []).append(_("Give the date the plan was agreed with the returnee."))
        if self.status in (PlanStatus.COMPLETED, PlanStatus.ABANDONED) and not self.closed_on:
            errors.setdefault("closed_on", []).append(_("Give the date the plan was closed."))
        if self.status == PlanStatus.ABANDONED and not self.closure_reason:
            errors.setdefault("closure_reason", []).append(_("Give the reason the plan was abandoned."))
        if self.status in (PlanStatus.DRAFT, PlanStatus.AGREED) and self.closed_on:
            errors.setdefault("closed_on", []).append(_("Only a completed or abandoned plan has a closing date."))
        if self.agreed_on and self.closed_on and self.closed_on < self.agreed_on:
            errors.setdefault("closed_on", []).append(_("A plan cannot be closed before it was agreed."))
        today = timezone.localdate()
        for field in ("agreed_on", "closed_on"):
            value = getattr(self, field)
            if value and value > today:
                errors.setdefault(field, []).append(_("This date cannot be in the future."))
        try:
            returnee = self.returnee
        except models.ObjectDoesNotExist:
            returnee = None
        born = returnee.date_of_birth if returnee is not None else None
        if self.agreed_on and born and self.agreed_on < born:
            errors.setdefault("agreed_on", []).append(_("The plan cannot be agreed before the returnee was born."))
        # In the admin the goals are the inline's rows, checked with the form (PlanGoalInlineFormSet.clean).
        if (self.status == PlanStatus.COMPLETED and self.pk is not None and not self.goals_checked_with_form
                and self.goals.open().exists()):
            errors.setdefault("status", []).append(PLAN_HAS_OPEN_GOALS)
        if errors:
            raise ValidationError(errors)


class Dimension(models.TextChoices):
    ECONOMIC = "economic", _("Economic")
    SOCIAL = "social", _("Social")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")


class GoalStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    ACHIEVED = "achieved", _("Achieved")
    PARTLY_ACHIEVED = "partly_achieved", _("Partly achieved")
    DROPPED = "dropped", _("Dropped")


OPEN_GOAL_STATUSES = (GoalStatus.PLANNED, GoalStatus.IN_PROGRESS)


class PlanGoalQuerySet(models.QuerySet["PlanGoal"]):
    def open(self) -> PlanGoalQuerySet:
        return self.filter(status__in=OPEN_GOAL_STATUSES)


class PlanGoal(CaseRecord):
    """One goal of a reintegration plan, in one dimension, with the support planned for it."""

    plan = models.ForeignKey(ReintegrationPlan, on_delete=models.CASCADE, related_name="goals",
                             verbose_name=_("plan"))
    dimension = models.CharField(_("dimension"), max_length=14, choices=Dimension.choices)
    need = models.CharField(_("need"), max_length=200)
    planned_support = models.CharField(_("planned support"), max_length=24, choices=Kind.choices)
    budget_mad = models.DecimalField(
        _("budget (MAD)"), max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=GoalStatus.choices, default=GoalStatus.PLANNED)
    outcome = models.TextField(_("outcome"), blank=True)

    history = HistoricalRecords(excluded_fields=["version", "created_at", "updated_at"])
    objects = PlanGoalQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "target_date", "pk"]
        verbose_name = _("plan goal")
        verbose_name_plural = _("plan goals")
        constraints = [
            models.CheckConstraint(condition=Q(dimension__in=Dimension.values), name="goal_dimension_valid"),
            models.CheckConstraint(condition=Q(status__in=GoalStatus.values), name="goal_status_valid"),
            models.CheckConstraint(condition=Q(planned_support__in=Kind.values), name="goal_support_valid"),
            models.CheckConstraint(condition=Q(budget_mad__isnull=True) | Q(budget_mad__gte=0),
                                   name="goal_budget_not_negative",
                                   violation_error_message=_("The budget cannot be negative.")),
        ]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()} — {self.need}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_GOAL_STATUSES

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.status not in OPEN_GOAL_STATUSES and self.status != GoalStatus.DROPPED and not self.outcome.strip():
            errors.setdefault("outcome", []).append(_("Describe the outcome of an achieved or partly achieved goal."))
        if errors:
            raise ValidationError(errors)


class FollowUpKind(models.TextChoices):
    PHONE = "phone", _("Phone call")
    HOME = "home", _("Home visit")
    OFFICE = "office", _("Office visit")
    VIRTUAL = "virtual", _("Virtual meeting")


class FollowUpOutcome(models.TextChoices):
    REACHED = "reached", _("Reached, doing well")
    NEEDS_SUPPORT = "needs_support", _("Reached, needs support")
    NOT_REACHED = "not_reached", _("Not reached")
    REMIGRATED = "remigrated", _("Migrated again")


class FollowUpQuerySet(models.QuerySet["FollowUp"]):
    def pending(self) -> FollowUpQuerySet:
        return self.filter(done_on__isnull=True)

    def overdue(self, today: date | None = None) -> FollowUpQuerySet:
        return self.pending().filter(due_date__lt=today or timezone.localdate())

    def due_within(self, days: int, today: date | None = None) -> FollowUpQuerySet:
        """Pending and due from today to `days` days ahead (not yet overdue)."""
        today = today or timezone.localdate()
        return self.pending().filter(due_date__gte=today, due_date__lte=today + timedelta(days=days))

    def for_user(self, user) -> FollowUpQuerySet:
        return self.filter(assigned_to=user)


class FollowUp(CaseRecord):
    """A follow-up call or monitoring visit with a returnee: planned with a due date, done on a day."""

    returnee = models.ForeignKey("returns.Returnee", on_delete=models.CASCADE, related_name="follow_ups",
                                 verbose_name=_("returnee"))
    kind = models.CharField(_("kind"), max_length=10, choices=FollowUpKind.choices)
    due_date = models.DateField(_("due date"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("assigned to"), limit_choices_to={"is_active": True, "is_staff": True},
    )
    done_on = models.DateField(_("done on"), null=True, blank=True, help_text=_("Empty until it is done."))
    outcome = models.CharField(_("outcome"), max_length=16, choices=FollowUpOutcome.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    next_due = models.DateField(_("next follow-up due"), null=True, blank=True,
                                help_text=_("If set, a new follow-up is planned on that day when this one is saved."))
    scheduled = models.BooleanField(_("from the schedule"), default=False, editable=False)

    history = HistoricalRecords(excluded_fields=["version", "created_at", "updated_at"])
    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        permissions = [("import_followup", _("Can import follow-ups from a spreadsheet"))]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=FollowUpKind.values), name="followup_kind_valid"),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True, outcome="") | Q(done_on__isnull=False) & ~Q(outcome=""),
                name="followup_done_has_outcome",
                violation_error_message=_("A follow-up that is done has an outcome, and only one that is done."),
            ),
            models.CheckConstraint(
                condition=Q(next_due__isnull=True) | Q(next_due__gt=F("due_date")),
                name="followup_next_after_due",
                violation_error_message=_("The next follow-up is due after this one."),
            ),
        ]
        indexes = [
            models.Index(fields=["assigned_to", "due_date"], name="followup_owner_due_idx",
                         condition=Q(done_on__isnull=True)),
            models.Index(fields=["due_date"], name="followup_pending_due_idx", condition=Q(done_on__isnull=True)),
            models.Index(fields=["returnee", "due_date"], name="followup_returnee_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.due_date:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("reintegration:followup_detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.done_on is None and self.due_date < timezone.localdate()

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.done_on and not self.outcome:
            errors.setdefault("outcome", []).append(_("Give the outcome of the follow-up that was done."))
        if self.outcome and not self.done_on:
            errors.setdefault("done_on", []).append(_("Give the day the follow-up was done, or clear the outcome."))
        if self.done_on and self.done_on > timezone.localdate():
            errors.setdefault("done_on", []).append(_("A follow-up cannot be done in the future."))
        if self.next_due and self.due_date and self.next_due <= self.due_date:
            errors.setdefault("next_due", []).append(_("The next follow-up is due after this one."))
        try:
            returnee = self.returnee
        except models.ObjectDoesNotExist:
            returnee = None
        if returnee is not None:
            departure = returnee.departure_date
            if not departure:
                errors.setdefault("returnee", []).append(
                    _("Follow-ups and monitoring visits start after the return: this returnee has not left yet.")
                )
            else:
                if self.done_on and self.done_on < departure:
                    errors.setdefault("done_on", []).append(
                        _("A follow-up cannot be done before the departure (%(departure)s).")
                        % {"departure": departure.strftime("%d/%m/%Y")})
                if self.due_date and self.due_date < departure:
                    errors.setdefault("due_date", []).append(
                        _("A follow-up cannot be due before the departure (%(departure)s).")
                        % {"departure": departure.strftime("%d/%m/%Y")})
        if self.assigned_to_id is not None and not (self.assigned_to.is_active and self.assigned_to.is_staff):
            errors.setdefault("assigned_to", []).append(_("Choose an active staff account."))
        if errors:
            raise ValidationError(errors)


class Programme(models.TextChoices):
    FROM_MOROCCO = "from_morocco", _("Returns from Morocco")
    TO_MOROCCO = "to_morocco", _("Moroccans returning home")


class FollowUpScheduleStep(models.Model):
    """One follow-up the schedule of a programme plans when a return is recorded (kept in the admin)."""

    programme = models.CharField(_("programme"), max_length=14, choices=Programme.choices)
    months_after_departure = models.PositiveSmallIntegerField(
        _("months after departure"), validators=[MinValueValidator(1), MaxValueValidator(60)])
    kind = models.CharField(_("kind"), max_length=10, choices=FollowUpKind.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["programme", "months_after_departure"]
        verbose_name = _("follow-up schedule step")
        verbose_name_plural = _("follow-up schedule")
        constraints = [
            models.UniqueConstraint(fields=["programme", "months_after_departure"], name="schedule_step_unique",
                                    violation_error_message=_("This programme already plans a follow-up that month.")),
            models.CheckConstraint(condition=Q(months_after_departure__gte=1, months_after_departure__lte=60),
                                   name="schedule_step_months_range"),
        ]

    def __str__(self) -> str:
        return _("%(programme)s: %(kind)s at %(months)s months") % {
            "programme": self.get_programme_display(), "kind": self.get_kind_display(),
            "months": self.months_after_departure}


# --- The Reintegration Sustainability Survey (RSS) -------------------------------------------------------------
# The instrument is data: its versions, indicators, answers' scores and weights are rows an administrator edits
# in the admin. A version is frozen once a survey uses it (database triggers, reintegration/freeze.py), so that
# an old survey's scores never move; a change is a new version. docs/sustainability.md says where each part of
# version 1 comes from and which weights and threshold are settings rather than published values.

SCORE_PLACES = 3
SCORE_FIELD = {"max_digits": 4, "decimal_places": SCORE_PLACES}
WEIGHT_FIELD = {"max_digits": 6, "decimal_places": 3}
INSTRUMENT_FROZEN = _("Version %(number)s of the survey has been used by surveys: it cannot be changed any more, "
                      "so that their scores stay as they were. Make a new version instead.")


class InstrumentVersionQuerySet(models.QuerySet["InstrumentVersion"]):
    def current(self) -> InstrumentVersion | None:
        """The version new surveys are taken with: the highest active one."""
        return self.filter(active=True).order_by("-number").first()

    def used(self) -> InstrumentVersionQuerySet:
        return self.filter(Exists(SustainabilitySurvey.objects.filter(version=OuterRef("pk"))))

    # Natural keys: a fixture names the instrument by its numbers and codes, which every database shares,
    # while the ids depend on the order rows were written (the reference rows are re-created after a flush).
    def get_by_natural_key(self, number: int) -> InstrumentVersion:
        return self.get(number=number)

    def natural_key_map(self) -> dict[tuple, int]:
        """{natural key: id} of every version, for resolving many keys at once."""
        return {(number,): pk for pk, number in self.values_list("pk", "number")}


class SurveyIndicatorQuerySet(models.QuerySet["SurveyIndicator"]):
    def get_by_natural_key(self, number: int, code: str) -> SurveyIndicator:
        return self.get(version__number=number, code=code)

    def natural_key_map(self) -> dict[tuple, int]:
        return {(number, code): pk for pk, number, code in self.values_list("pk", "version__number", "code")}


class AnswerOptionQuerySet(models.QuerySet["AnswerOption"]):
    def get_by_natural_key(self, number: int, code: str, position: int) -> AnswerOption:
        return self.get(indicator__version__number=number, indicator__code=code, position=position)

    def natural_key_map(self) -> dict[tuple, int]:
        """Positions are not unique in the database: a key shared by two options maps to None (ambiguous)."""
        keys: dict[tuple, int | None] = {}
        for pk, *key in self.values_list("pk", "indicator__version__number", "indicator__code", "position"):
            keys[tuple(key)] = None if tuple(key) in keys else pk
        return keys


class InstrumentVersion(models.Model):
    """One version of the sustainability survey: its dimension weights and the threshold of sustainable
    reintegration; its indicators hang from it."""

    number = models.PositiveSmallIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    economic_weight = models.DecimalField(_("weight of the economic dimension"), default=1, **WEIGHT_FIELD,
                                          validators=[MinValueValidator(0)])
    social_weight = models.DecimalField(_("weight of the social dimension"), default=1, **WEIGHT_FIELD,
                                        validators=[MinValueValidator(0)])
    psychosocial_weight = models.DecimalField(_("weight of the psychosocial dimension"), default=1, **WEIGHT_FIELD,
                                              validators=[MinValueValidator(0)])
    threshold = models.DecimalField(
        _("threshold of sustainable reintegration"), default=Decimal("0.5"), **SCORE_FIELD,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("A score at or above it counts as sustainable reintegration (0 to 1)."))
    weights_confirmed = models.BooleanField(
        _("weights and threshold confirmed"), default=False,
        help_text=_("Ticked when the weights and the threshold were checked against IOM's published scoring; "
                    "otherwise they are settings of this office (see docs/sustainability.md)."))
    source = models.TextField(_("source"), blank=True)
    active = models.BooleanField(_("in use for new surveys"), default=True)

    objects = InstrumentVersionQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("survey instrument version")
        verbose_name_plural = _("survey instrument versions")
        constraints = [
            models.CheckConstraint(condition=Q(threshold__gte=0, threshold__lte=1), name="instrument_threshold_range",
                                   violation_error_message=_("The threshold is between 0 and 1.")),
            models.CheckConstraint(
                condition=Q(economic_weight__gte=0, social_weight__gte=0, psychosocial_weight__gte=0)
                & (Q(economic_weight__gt=0) | Q(social_weight__gt=0) | Q(psychosocial_weight__gt=0)),
                name="instrument_weights_positive",
                violation_error_message=_("The dimension weights are not negative and at least one is above 0.")),
        ]

    def __str__(self) -> str:
        return _("Sustainability survey, version %(number)s") % {"number": self.number}

    def natural_key(self) -> tuple[int]:
        return (self.number,)

    def dimension_weights(self) -> dict[str, Decimal]:
        return {Dimension.ECONOMIC: self.economic_weight, Dimension.SOCIAL: self.social_weight,
                Dimension.PSYCHOSOCIAL: self.psychosocial_weight}

    @property
    def is_used(self) -> bool:
        return self.pk is not None and SustainabilitySurvey.objects.filter(version_id=self.pk).exists()

    def clean(self) -> None:
        if self.pk is not None and self.is_used:
            stored = InstrumentVersion.objects.filter(pk=self.pk).values(*FROZEN_VERSION_FIELDS).first()
            if stored and any(stored[f] != getattr(self, f) for f in FROZEN_VERSION_FIELDS):
                raise ValidationError(INSTRUMENT_FROZEN % {"number": stored["number"]})
        weights = [self.economic_weight, self.social_weight, self.psychosocial_weight]
        if all(w is not None for w in weights) and not any(weights):
            raise ValidationError(_("At least one dimension weight must be above 0."))


# What a survey's scores depend on; `active` may still change on a used version (to retire it).
FROZEN_VERSION_FIELDS = ("number", "economic_weight", "social_weight", "psychosocial_weight", "threshold")


def _frozen_check(version_id: int | None) -> None:
    """Refuse a change to the questions or answers of a version surveys have used (the triggers refuse it too)."""
    if version_id is not None and SustainabilitySurvey.objects.filter(version_id=version_id).exists():
        number = InstrumentVersion.objects.filter(pk=version_id).values_list("number", flat=True).first()
        raise ValidationError(INSTRUMENT_FROZEN % {"number": number})


class SurveyIndicator(models.Model):
    """One indicator (question) of a version of the survey, in one dimension, with its weight there."""

    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="indicators",
                                verbose_name=_("version"))
    dimension = models.CharField(_("dimension"), max_length=14, choices=Dimension.choices)
    code = models.CharField(_("code"), max_length=8)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    question = models.CharField(_("question (English)"), max_length=300)
    question_fr = models.CharField(_("question (French)"), max_length=300)
    question_ar = models.CharField(_("question (Arabic)"), max_length=300, blank=True)
    weight = models.DecimalField(_("weight in its dimension"), default=1, **WEIGHT_FIELD,
                                 validators=[MinValueValidator(Decimal("0.001"))])

    objects = SurveyIndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["version", "position", "pk"]
        verbose_name = _("survey indicator")
        verbose_name_plural = _("survey indicators")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="survey_indicator_code_unique",
                                    violation_error_message=_("This version already has an indicator with this code.")),
            models.CheckConstraint(condition=Q(dimension__in=Dimension.values), name="survey_indicator_dimension"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="survey_indicator_weight_positive",
                                   violation_error_message=_("The weight of an indicator is above 0.")),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.text}"

    def natural_key(self) -> tuple[int, str]:
        return (*self.version.natural_key(), self.code)

    natural_key.dependencies = ["reintegration.instrumentversion"]

    @property
    def text(self) -> str:
        return localized(self, "question")

    def clean(self) -> None:
        _frozen_check(self.version_id)


class AnswerOption(models.Model):
    """One answer a returnee may give to an indicator, with its score from 0 (worst) to 1 (best)."""

    indicator = models.ForeignKey(SurveyIndicator, on_delete=models.CASCADE, related_name="options",
                                  verbose_name=_("indicator"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("answer (English)"), max_length=200)
    label_fr = models.CharField(_("answer (French)"), max_length=200)
    label_ar = models.CharField(_("answer (Arabic)"), max_length=200, blank=True)
    score = models.DecimalField(_("score"), **SCORE_FIELD, validators=[MinValueValidator(0), MaxValueValidator(1)],
                                help_text=_("From 0 (worst) to 1 (best)."))

    objects = AnswerOptionQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "position", "pk"]
        verbose_name = _("answer option")
        verbose_name_plural = _("answer options")
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=1), name="answer_option_score_range",
                                   violation_error_message=_("The score of an answer is between 0 and 1.")),
        ]

    def __str__(self) -> str:
        return self.text

    def natural_key(self) -> tuple[int, str, int]:
        return (*self.indicator.natural_key(), self.position)

    natural_key.dependencies = ["reintegration.surveyindicator"]

    @property
    def text(self) -> str:
        return localized(self, "label")

    def clean(self) -> None:
        _frozen_check(self.indicator.version_id if self.indicator_id else None)


def localized(record: models.Model, field: str) -> str:
    """The text of `field` in the active language (`field_fr`, `field_ar`), English when it has none."""
    language = (get_language() or "fr").split("-")[0]
    if language != "en":
        text = getattr(record, f"{field}_{language}", "")
        if text:
            return text
    return getattr(record, field)


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETE = "complete", _("Complete")


def support_received(kind: str, outer: str = "") -> Exists:
    """`EXISTS` a post-return session of `kind` given to the survey's returnee on or before the survey's date (the
    support received when the survey was taken). `outer` prefixes the survey's fields in the outer query."""
    return Exists(SupportSession.objects.filter(
        returnee=OuterRef(f"{outer}returnee"), phase=Phase.POST_RETURN, kind=kind, date__lte=OuterRef(f"{outer}date")))


class SustainabilitySurveyQuerySet(models.QuerySet["SustainabilitySurvey"]):
    def complete(self) -> SustainabilitySurveyQuerySet:
        return self.filter(status=SurveyStatus.COMPLETE)

    def in_year(self, year: int) -> SustainabilitySurveyQuerySet:
        start, end = year_bounds(year)
        return self.filter(date__gte=start, date__lt=end)

    def latest_per_returnee_in(self, year: int) -> SustainabilitySurveyQuerySet:
        """The complete surveys of `year`, each returnee's latest of the year only (what the dashboard counts)."""
        _start, end = year_bounds(year)
        later = SustainabilitySurvey.objects.complete().filter(
            returnee=OuterRef("returnee"), date__lt=end).filter(
            Q(date__gt=OuterRef("date")) | Q(date=OuterRef("date"), pk__gt=OuterRef("pk")))
        return self.complete().in_year(year).filter(~Exists(later))

    def at_or_above(self, dimension: str | None = None) -> SustainabilitySurveyQuerySet:
        """Complete surveys whose score (composite, or of `dimension`) reaches their version's threshold."""
        return self.complete().filter(**{f"{dimension or 'composite'}_score__gte": F("version__threshold")})

    def below(self, dimension: str | None = None) -> SustainabilitySurveyQuerySet:
        return self.complete().filter(**{f"{dimension or 'composite'}_score__lt": F("version__threshold")})

    def with_support(self, kind: str) -> SustainabilitySurveyQuerySet:
        return self.filter(support_received(kind))


class SustainabilitySurvey(CaseRecord):
    """A returnee's answers to the sustainability survey, taken at a follow-up after the return, and its scores
    (stored when it is completed, with the instrument version it was taken with)."""

    returnee = models.ForeignKey("returns.Returnee", on_delete=models.CASCADE, related_name="sustainability_surveys",
                                 verbose_name=_("returnee"))
    follow_up = models.OneToOneField(FollowUp, on_delete=models.PROTECT, related_name="survey",
                                     verbose_name=_("follow-up"))
    date = models.DateField(_("date"))
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("interviewer"))
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="surveys",
                                verbose_name=_("instrument version"))
    status = models.CharField(_("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    economic_score = models.DecimalField(_("economic score"), null=True, blank=True, **SCORE_FIELD)
    social_score = models.DecimalField(_("social score"), null=True, blank=True, **SCORE_FIELD)
    psychosocial_score = models.DecimalField(_("psychosocial score"), null=True, blank=True, **SCORE_FIELD)
    composite_score = models.DecimalField(_("composite score"), null=True, blank=True, **SCORE_FIELD)

    history = HistoricalRecords(excluded_fields=["version", "created_at", "updated_at"])
    objects = SustainabilitySurveyQuerySet.as_manager()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("sustainability survey")
        verbose_name_plural = _("sustainability surveys")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SurveyStatus.values), name="survey_status_valid"),
            # Scored when complete, and only then: a draft has no score.
            models.CheckConstraint(
                condition=Q(status=SurveyStatus.DRAFT, economic_score__isnull=True, social_score__isnull=True,
                            psychosocial_score__isnull=True, composite_score__isnull=True)
                | Q(status=SurveyStatus.COMPLETE, economic_score__gte=0, economic_score__lte=1,
                    social_score__gte=0, social_score__lte=1, psychosocial_score__gte=0, psychosocial_score__lte=1,
                    composite_score__gte=0, composite_score__lte=1),
                name="survey_scored_when_complete",
                violation_error_message=_("A complete survey has its four scores between 0 and 1; a draft has none."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "date"], name="survey_status_date_idx"),
            models.Index(fields=["returnee", "date"], name="survey_returnee_date_idx"),
        ]

    def __str__(self) -> str:
        return _("Sustainability survey of %(date)s") % {"date": self.date.strftime("%d/%m/%Y") if self.date else "—"}

    def get_absolute_url(self) -> str:
        return reverse("reintegration:survey_detail", args=[self.pk])

    @property
    def is_complete(self) -> bool:
        return self.status == SurveyStatus.COMPLETE

    def scores(self) -> dict[str, Decimal | None]:
        return {Dimension.ECONOMIC: self.economic_score, Dimension.SOCIAL: self.social_score,
                Dimension.PSYCHOSOCIAL: self.psychosocial_score, "composite": self.composite_score}

    @property
    def is_sustainable(self) -> bool | None:
        if self.composite_score is None:
            return None
        return self.composite_score >= self.version.threshold

    def clean(self) -> None:
        errors: dict[str, list] = {}
        try:
            returnee = self.returnee
        except models.ObjectDoesNotExist:
            returnee = None
        try:
            follow_up = self.follow_up
        except models.ObjectDoesNotExist:
            follow_up = None
        if returnee is not None:
            departure = returnee.departure_date
            if departure is None:
                errors.setdefault("returnee", []).append(
                    _("The survey is taken after the return: this returnee has not left yet."))
            elif self.date and self.date < departure:
                errors.setdefault("date", []).append(
                    _("A survey cannot be dated before the departure (%(departure)s).")
                    % {"departure": departure.strftime("%d/%m/%Y")})
        if follow_up is not None:
            if returnee is not None and follow_up.returnee_id != returnee.pk:
                errors.setdefault("follow_up", []).append(_("This follow-up belongs to another returnee."))
            elif follow_up.done_on is None:
                errors.setdefault("follow_up", []).append(
                    _("The survey is taken at a follow-up that is done after the return: record the follow-up "
                      "as done first."))
            elif self.date and self.date < follow_up.done_on:
                errors.setdefault("date", []).append(
                    _("The survey cannot be dated before its follow-up (%(done)s).")
                    % {"done": follow_up.done_on.strftime("%d/%m/%Y")})
        elif returnee is not None and not returnee.follow_ups.filter(done_on__isnull=False).exists():
            errors.setdefault("follow_up", []).append(
                _("This returnee has no follow-up done after the return: a survey is taken at a follow-up."))
        if self.date and self.date > timezone.localdate():
            errors.setdefault("date", []).append(_("This date cannot be in the future."))
        if self.interviewer_id is not None and not (self.interviewer.is_active and self.interviewer.is_staff):
            errors.setdefault("interviewer", []).append(_("Choose an active staff account."))
        if self.pk is not None and self.version_id is not None:
            stored = SustainabilitySurvey.objects.filter(pk=self.pk).values_list("version_id", flat=True).first()
            if stored is not None and stored != self.version_id:
                errors.setdefault("version", []).append(
                    _("A survey keeps the version it was taken with."))
        if errors:
            raise ValidationError(errors)


class SurveyAnswer(models.Model):
    """The answer given to one indicator in one survey."""

    survey = models.ForeignKey(SustainabilitySurvey, on_delete=models.CASCADE, related_name="answers",
                               verbose_name=_("survey"))
    indicator = models.ForeignKey(SurveyIndicator, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("indicator"))
    option = models.ForeignKey(AnswerOption, on_delete=models.PROTECT, related_name="+", verbose_name=_("answer"))

    class Meta:
        ordering = ["survey", "indicator__position", "pk"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["survey", "indicator"], name="survey_answer_one_per_indicator",
                                    violation_error_message=_("This indicator is already answered in this survey.")),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.option.text}"


# --- Partners and referrals ---------------------------------------------------------------------------------

class PartnerKind(models.TextChoices):
    NGO = "ngo", _("Non-governmental organisation")
    GOVERNMENT = "government", _("Government service")
    UN_AGENCY = "un_agency", _("United Nations agency")
    HEALTH = "health", _("Health provider")
    TRAINING = "training", _("Training provider")
    FINANCE = "finance", _("Microfinance institution")
    OTHER = "other", _("Other organisation")


class PartnerQuerySet(models.QuerySet["Partner"]):
    def able_to_receive(self, on: date | None = None) -> PartnerQuerySet:
        """Active partners whose data-sharing agreement covers the day (today by default)."""
        on = on or timezone.localdate()
        return self.filter(active=True, agreement_signed_on__lte=on).filter(
            Q(agreement_expires_on__isnull=True) | Q(agreement_expires_on__gte=on))


class Partner(CaseRecord):
    """An organisation to which IOM refers returnees for a service, under a data-sharing agreement."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=12, choices=PartnerKind.choices)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=100, blank=True)
    services = models.JSONField(
        _("services offered"), default=list, blank=True,
        help_text=_("The kinds of support the partner gives; a referral asks for one of them."),
    )
    agreement_signed_on = models.DateField(_("data-sharing agreement signed on"), null=True, blank=True)
    agreement_expires_on = models.DateField(_("data-sharing agreement expires on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords(excluded_fields=["version", "created_at", "updated_at"])
    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PartnerKind.values), name="partner_kind_valid"),
            models.CheckConstraint(
                condition=Q(agreement_expires_on__isnull=True) | Q(agreement_signed_on__isnull=False)
                & Q(agreement_expires_on__gte=F("agreement_signed_on")),
                name="partner_agreement_expires_after_signature",
                violation_error_message=_("A data-sharing agreement expires after it was signed."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reintegration:partner_detail", args=[self.pk])

    def service_labels(self) -> list[str]:
        labels = dict(Kind.choices)
        return [str(labels.get(code, code)) for code in self.services]

    def cannot_receive_data(self, on: date) -> str | None:
        """Why a referral sent on `on` may not go to this partner, or None if it may."""
        if not self.active:
            return _("This partner is no longer active.")
        if self.agreement_signed_on is None or self.agreement_signed_on > on:
            return _("This partner has no data-sharing agreement in force on %(day)s: no referral can be sent "
                     "to it.") % {"day": on.strftime("%d/%m/%Y")}
        if self.agreement_expires_on is not None and self.agreement_expires_on < on:
            return _("This partner's data-sharing agreement expired on %(day)s: no referral can be sent to it "
                     "until it is renewed.") % {"day": self.agreement_expires_on.strftime("%d/%m/%Y")}
        return None

    def clean(self) -> None:
        errors: dict[str, list] = {}
        unknown = [code for code in self.services if code not in Kind.values] if isinstance(self.services, list) \
            else ["?"]
        if unknown:
            errors.setdefault("services", []).append(_("Choose services from the list."))
        if self.agreement_expires_on and not self.agreement_signed_on:
            errors.setdefault("agreement_signed_on", []).append(_("Give the date the agreement was signed."))
        if (self.agreement_expires_on and self.agreement_signed_on
                and self.agreement_expires_on < self.agreement_signed_on):
            errors.setdefault("agreement_expires_on", []).append(
                _("A data-sharing agreement expires after it was signed."))
        if errors:
            raise ValidationError(errors)


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")
    REVOKED = "revoked", _("Revoked")


# The date each status is recorded with (a completed referral was accepted first).
STATUS_DATES: dict[str, tuple[str, ...]] = {
    ReferralStatus.SENT: (),
    ReferralStatus.ACCEPTED: ("accepted_on",),
    ReferralStatus.DECLINED: ("declined_on",),
    ReferralStatus.COMPLETED: ("accepted_on", "completed_on"),
    ReferralStatus.REVOKED: ("revoked_on",),
}
# A referral still waiting for the partner's answer, flagged on the sender's work after this many days.
REFERRAL_PENDING_DAYS = 14
NO_DATA_SHARING_CONSENT = _(
    "This returnee's consent does not cover sharing data with partners: record their consent to data sharing, "
    "or tick the override and give the reason (it is written to the audit log)."
)


class ReferralQuerySet(models.QuerySet["Referral"]):
    def pending(self) -> ReferralQuerySet:
        return self.filter(status=ReferralStatus.SENT)

    def pending_over(self, days: int = REFERRAL_PENDING_DAYS, today: date | None = None) -> ReferralQuerySet:
        """Sent more than `days` days ago and still without the partner's answer."""
        today = today or timezone.localdate()
        return self.pending().filter(sent_on__lt=today - timedelta(days=days))

    def sent_by(self, user) -> ReferralQuerySet:
        return self.filter(sent_by=user)


class Referral(CaseRecord):
    """A returnee sent to a partner organisation for one service, and what became of it."""

    returnee = models.ForeignKey("returns.Returnee", on_delete=models.CASCADE, related_name="referrals",
                                 verbose_name=_("returnee"))
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="referrals",
                                verbose_name=_("partner"))
    service = models.CharField(_("service"), max_length=24, choices=Kind.choices)
    sent_on = models.DateField(_("sent on"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("sent by"), editable=False,
    )
    status = models.CharField(_("status"), max_length=10, choices=ReferralStatus.choices,
                              default=ReferralStatus.SENT)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    declined_on = models.DateField(_("declined on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    consent_override = models.BooleanField(
        _("sent without data-sharing consent"), default=False,
        help_text=_("Only when the returnee's consent does not cover sharing with partners; give the reason."),
    )
    override_reason = models.TextField(_("reason for sending without consent"), blank=True)

    history = HistoricalRecords(excluded_fields=["version", "created_at", "updated_at"])
    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_on", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReferralStatus.values), name="referral_status_valid"),
            models.CheckConstraint(condition=Q(service__in=Kind.values), name="referral_service_valid"),
            models.CheckConstraint(
                condition=Q(consent_override=False) | ~Q(override_reason=""),
                name="referral_override_has_reason",
                violation_error_message=_("A referral sent without data-sharing consent needs the reason."),
            ),
        ]
        indexes = [
            models.Index(fields=["sent_by", "sent_on"], name="referral_pending_sender_idx",
                         condition=Q(status=ReferralStatus.SENT)),
            models.Index(fields=["returnee", "-sent_on"], name="referral_returnee_idx"),
        ]

    def __str__(self) -> str:
        return _("%(service)s at %(partner)s") % {"service": self.get_service_display(), "partner": self.partner}

    def get_absolute_url(self) -> str:
        return reverse("reintegration:referral_detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        d = instance.__dict__
        instance._stored_sending = (d.get("returnee_id"), d.get("partner_id"), d.get("sent_on"))
        return instance

    @property
    def is_new_sending(self) -> bool:
        """A new referral, or one whose returnee, partner or date changes: checked as if sent now."""
        return getattr(self, "_stored_sending", None) != (self.returnee_id, self.partner_id, self.sent_on)

    @property
    def days_pending(self) -> int | None:
        if self.status != ReferralStatus.SENT or self.sent_on is None:
            return None
        return (timezone.localdate() - self.sent_on).days

    def clean(self) -> None:
        errors: dict[str, list] = {}
        today = timezone.localdate()
        dates = ("sent_on", "accepted_on", "declined_on", "completed_on", "revoked_on")
        for field in dates:
            value = getattr(self, field)
            if value and value > today:
                errors.setdefault(field, []).append(_("This date cannot be in the future."))
            if value and self.sent_on and field != "sent_on" and value < self.sent_on:
                errors.setdefault(field, []).append(_("This date cannot be before the referral was sent."))
        needed = STATUS_DATES.get(self.status, ())
        for field in needed:
            if not getattr(self, field):
                errors.setdefault(field, []).append(
                    _("Give this date for a referral that is “%(status)s”.") % {"status": self.get_status_display()})
        for field in dates[1:]:
            if getattr(self, field) and field not in needed:
                errors.setdefault(field, []).append(
                    _("Only a referral that is %(status)s has this date: clear it or change the status.")
                    % {"status": self._status_of(field)})
        if self.status == ReferralStatus.COMPLETED and not self.outcome.strip():
            errors.setdefault("outcome", []).append(_("Describe the outcome of the completed referral."))
        if self.accepted_on and self.completed_on and self.completed_on < self.accepted_on:
            errors.setdefault("completed_on", []).append(_("A referral is completed after it was accepted."))
        if self.consent_override and not self.override_reason.strip():
            errors.setdefault("override_reason", []).append(
                _("Give the reason for sending this referral without data-sharing consent."))
        self._check_sending(errors)
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _status_of(field: str) -> str:
        labels = {"accepted_on": ReferralStatus.ACCEPTED.label, "declined_on": ReferralStatus.DECLINED.label,
                  "completed_on": ReferralStatus.COMPLETED.label, "revoked_on": ReferralStatus.REVOKED.label}
        return str(labels[field]).lower()

    def _check_sending(self, errors: dict[str, list]) -> None:
        """Consent and the partner's agreement, for a referral being sent (not for later updates of one)."""
        if not self.is_new_sending:
            return
        try:
            returnee = self.returnee
        except models.ObjectDoesNotExist:
            returnee = None
        if returnee is not None and returnee.consent_scope != ConsentScope.DATA_SHARING and not self.consent_override:
            errors.setdefault("consent_override", []).append(NO_DATA_SHARING_CONSENT)
        try:
            partner = self.partner
        except models.ObjectDoesNotExist:
            partner = None
        if partner is not None and self.sent_on:
            reason = partner.cannot_receive_data(self.sent_on)
            if reason:
                errors.setdefault("partner", []).append(reason)
        if partner is not None and self.service and partner.services and self.service not in partner.services:
            errors.setdefault("service", []).append(
                _("%(partner)s does not offer this service (it offers: %(services)s).")
                % {"partner": partner.name, "services": ", ".join(partner.service_labels())})
