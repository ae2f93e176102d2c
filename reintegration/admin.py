from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oimsite.core.assignment import staff_users
from oimsite.lists.admin_base import (
    CaseAdmin,
    GuardedHistoryAdmin,
    LabelledInlineFormSet,
    LabelledTabularInline,
    YearListFilter,
)
from oimsite.lists.imports import CaseImportMixin
from oimsite.lists.owners import INACTIVE_OWNER, AssignedToListFilter, FollowUpOwnerListFilter, OwnerChoiceField

from .models import (
    OPEN_GOAL_STATUSES,
    PLAN_HAS_OPEN_GOALS,
    AnswerOption,
    FollowUp,
    FollowUpScheduleStep,
    InstrumentVersion,
    Kind,
    Partner,
    Phase,
    PlanGoal,
    PlanStatus,
    Referral,
    ReferralStatus,
    ReintegrationPlan,
    SupportSession,
    SurveyAnswer,
    SurveyIndicator,
    SustainabilitySurvey,
)
from .resources import FollowUpResource, SupportSessionResource
from .services import log_consent_override, plan_next_follow_up
from .sustainability import copy_instrument_version

# "Due this week": pending and due from today to this many days ahead.
DUE_SOON_DAYS = 7


class SessionYearListFilter(YearListFilter):
    date_field = "date"


class SupportSessionAdminForm(forms.ModelForm):
    # No Meta: the admin builds it with the fields of SupportSessionAdmin.fields.

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        goal = self.fields.get("goal")
        if goal is None:
            return
        # The goals offered are those of the returnee's plans: the posted returnee's, else the session's own.
        returnee_id = self.data.get(self.add_prefix("returnee")) if self.is_bound else None
        if returnee_id is None and self.instance.returnee_id is not None:
            returnee_id = self.instance.returnee_id
        if returnee_id is not None and str(returnee_id).isdigit() and len(str(returnee_id)) <= 18:
            goal.queryset = PlanGoal.objects.filter(plan__returnee_id=int(returnee_id)).select_related("plan")
        else:
            goal.queryset = PlanGoal.objects.none()
        goal.error_messages["invalid_choice"] = _(
            "Choose a goal of this returnee's reintegration plan (save the returnee first to see its goals).")


@admin.register(SupportSession)
class SupportSessionAdmin(CaseImportMixin, CaseAdmin):
    resource_classes = [SupportSessionResource]
    form = SupportSessionAdminForm
    changelist_totals = (
        (_("sessions"), None),
        (_("before departure"), Q(phase=Phase.PRE_DEPARTURE)),
        (_("after return"), Q(phase=Phase.POST_RETURN)),
        (_("reinforced support"), Q(enhanced=True)),
    )
    list_display = ("returnee", "date", "phase", "kind", "mode", "provider", "enhanced")
    list_filter = ("phase", "kind", "mode", "provider", "enhanced", SessionYearListFilter)
    search_fields = ("^returnee__case_number", "^returnee__family_name", "^returnee__given_name")
    autocomplete_fields = ("returnee",)
    list_select_related = ("returnee",)
    fields = ("returnee", "date", "phase", "kind", "mode", "provider", "partner", "enhanced", "goal", "notes",
              "created_at", "updated_at")


# --- Reintegration plans ------------------------------------------------------------------------------------

class PlanGoalInlineFormSet(LabelledInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if self.instance.status != PlanStatus.COMPLETED:
            return
        # The goals as submitted (the plan form let the model skip its check of the stored ones).
        open_rows = [form for form in self.forms
                     if form.cleaned_data and not self._should_delete_form(form)
                     and form.cleaned_data.get("status") in OPEN_GOAL_STATUSES]
        for form in open_rows:
            form.add_error("status", PLAN_HAS_OPEN_GOALS)
        if open_rows:
            raise ValidationError(PLAN_HAS_OPEN_GOALS)


class PlanGoalInline(LabelledTabularInline):
    model = PlanGoal
    formset = PlanGoalInlineFormSet
    extra = 0
    fields = ("dimension", "need", "planned_support", "budget_mad", "target_date", "status", "outcome")

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs: Any):
        if db_field.name == "outcome":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 30})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ReintegrationPlanAdminForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # The goals are the inline's rows, validated after this form (PlanGoalInlineFormSet.clean).
        self.instance.goals_checked_with_form = True
        return cleaned


class LatePlanListFilter(admin.SimpleListFilter):
    title = _("agreement")
    parameter_name = "late"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [("yes", _("Late: not agreed 30 days after the return"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.late()
        if self.value():
            raise IncorrectLookupParameters(_("Unknown choice: %(value)s") % {"value": self.value()[:20]})
        return queryset


@admin.register(ReintegrationPlan)
class ReintegrationPlanAdmin(CaseAdmin):
    form = ReintegrationPlanAdminForm
    changelist_totals = (
        (_("plans"), None),
        (_("draft"), Q(status=PlanStatus.DRAFT)),
        (_("agreed"), Q(status=PlanStatus.AGREED)),
        (_("completed"), Q(status=PlanStatus.COMPLETED)),
    )
    list_display = ("returnee", "status", "agreed_on", "closed_on", "late", "created_at")
    list_filter = ("status", LatePlanListFilter)
    search_fields = ("^returnee__case_number", "^returnee__family_name", "^returnee__given_name")
    autocomplete_fields = ("returnee",)
    list_select_related = ("returnee",)
    inlines = [PlanGoalInline]
    fields = ("returnee", "status", "agreed_on", "closed_on", "closure_reason", "notes", "created_at",
              "updated_at")

    @admin.display(description=_("late"), boolean=True)
    def late(self, obj: ReintegrationPlan) -> bool:
        return obj.is_late


# --- Follow-ups ----------------------------------------------------------------------------------------------

class FollowUpDueListFilter(admin.SimpleListFilter):
    title = _("due")
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [("overdue", _("Overdue")), ("week", _("Due this week")), ("pending", _("Not done yet")),
                ("done", _("Done"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        today = timezone.localdate()
        if value == "overdue":
            return queryset.overdue(today)
        if value == "week":
            return queryset.due_within(DUE_SOON_DAYS, today)
        if value == "pending":
            return queryset.pending()
        if value == "done":
            return queryset.filter(done_on__isnull=False)
        raise IncorrectLookupParameters(_("Unknown choice: %(value)s") % {"value": value[:20]})


@admin.register(FollowUp)
class FollowUpAdmin(CaseImportMixin, CaseAdmin):
    resource_classes = [FollowUpResource]
    changelist_totals = (
        (_("follow-ups"), None),
        (_("not done yet"), Q(done_on__isnull=True)),
        (_("done"), Q(done_on__isnull=False)),
    )
    list_display = ("returnee", "kind", "due_date", "assigned_to", "done_on", "outcome", "overdue")
    list_filter = (FollowUpOwnerListFilter, AssignedToListFilter, FollowUpDueListFilter, "kind")
    search_fields = ("^returnee__case_number", "^returnee__family_name", "^returnee__given_name")
    autocomplete_fields = ("returnee",)
    list_select_related = ("returnee", "assigned_to")
    fields = ("returnee", "kind", "due_date", "assigned_to", "done_on", "outcome", "notes", "next_due",
              "scheduled", "created_at", "updated_at")
    readonly_fields = ("scheduled", "created_at", "updated_at")

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj: FollowUp) -> bool:
        return obj.is_overdue

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs: Any):
        if db_field.name == "assigned_to":
            kwargs.setdefault("queryset", staff_users())
            kwargs.setdefault("error_messages", {"invalid_choice": INACTIVE_OWNER})
            kwargs.setdefault("form_class", OwnerChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # In the admin's transaction: the next follow-up exists only if this one is saved.
        if obj.next_due is not None:
            plan_next_follow_up(obj)


@admin.register(FollowUpScheduleStep)
class FollowUpScheduleStepAdmin(admin.ModelAdmin):
    list_display = ("programme", "months_after_departure", "kind", "active")
    list_filter = ("programme", "active")
    ordering = ("programme", "months_after_departure")


# --- Partners and referrals ---------------------------------------------------------------------------------

class PartnerAdminForm(forms.ModelForm):
    services = forms.TypedMultipleChoiceField(
        label=_("services offered"), choices=Kind.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("The kinds of support the partner gives; a referral asks for one of them."))


@admin.register(Partner)
class PartnerAdmin(CaseAdmin):
    form = PartnerAdminForm
    changelist_totals = ((_("partners"), None), (_("active"), Q(active=True)))
    list_display = ("name", "kind", "country", "city", "agreement_signed_on", "agreement_expires_on", "active")
    list_filter = ("active", "kind", "country")
    search_fields = ("^name", "^city")
    fields = ("name", "kind", "country", "city", "services", "agreement_signed_on", "agreement_expires_on",
              "active", "notes", "created_at", "updated_at")


class ReferralAdminForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "partner" in self.fields:
            self.fields["partner"].queryset = Partner.objects.filter(active=True) | Partner.objects.filter(
                pk=self.instance.partner_id or 0)


class PendingReferralListFilter(admin.SimpleListFilter):
    title = _("waiting")
    parameter_name = "pending"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [("over", _("Waiting for an answer for more than 14 days")), ("mine", _("Sent by me, waiting"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "over":
            return queryset.pending_over()
        if self.value() == "mine":
            return queryset.pending().sent_by(request.user)
        if self.value():
            raise IncorrectLookupParameters(_("Unknown choice: %(value)s") % {"value": self.value()[:20]})
        return queryset


@admin.register(Referral)
class ReferralAdmin(CaseAdmin):
    form = ReferralAdminForm
    changelist_totals = (
        (_("referrals"), None),
        (_("waiting for an answer"), Q(status=ReferralStatus.SENT)),
        (_("sent without consent"), Q(consent_override=True)),
    )
    list_display = ("returnee", "partner", "service", "sent_on", "sent_by", "status", "consent_override")
    list_filter = (PendingReferralListFilter, "status", "service", "consent_override")
    search_fields = ("^returnee__case_number", "^returnee__family_name", "^partner__name")
    autocomplete_fields = ("returnee",)
    list_select_related = ("returnee", "partner", "sent_by")
    fields = ("returnee", "partner", "service", "sent_on", "sent_by", "status", "accepted_on", "declined_on",
              "completed_on", "revoked_on", "outcome", "consent_override", "override_reason", "created_at",
              "updated_at")
    readonly_fields = ("sent_by", "created_at", "updated_at")

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("sent_on", timezone.localdate())
        return initial

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        sending = obj.is_new_sending
        if not change:
            obj.sent_by = request.user
        super().save_model(request, obj, form, change)
        # In the admin's transaction: the override and its entry in the audit log are saved together.
        if sending and obj.consent_override:
            log_consent_override(obj, by=request.user, request=request)
def _frozen(obj: Model | None) -> bool:
    """A version (or an indicator of one) that surveys have used: read-only everywhere (reintegration/freeze.py)."""
    if obj is None:
        return False
    version = obj if isinstance(obj, InstrumentVersion) else obj.version
    return version.is_used


class FrozenInlineMixin:
    """An inline of a used version's parts: shown, never added to, changed or deleted."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return not _frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return not _frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return not _frozen(obj) and super().has_delete_permission(request, obj)


class SurveyIndicatorInline(FrozenInlineMixin, LabelledTabularInline):
    model = SurveyIndicator
    fields = ("position", "code", "dimension", "question", "question_fr", "question_ar", "weight")
    extra = 0
    show_change_link = True


class AnswerOptionInline(FrozenInlineMixin, LabelledTabularInline):
    model = AnswerOption
    fields = ("position", "label", "label_fr", "label_ar", "score")
    extra = 0


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "economic_weight", "social_weight", "psychosocial_weight", "threshold",
                    "weights_confirmed", "active")
    fields = ("number", "name", "economic_weight", "social_weight", "psychosocial_weight", "threshold",
              "weights_confirmed", "source", "active")
    inlines = (SurveyIndicatorInline,)
    actions = ("copy_as_new_version",)

    def get_readonly_fields(self, request: HttpRequest, obj: InstrumentVersion | None = None) -> tuple[str, ...]:
        # A used version keeps what its surveys were scored with; only whether new surveys use it may change.
        if _frozen(obj):
            return tuple(f for f in self.fields if f != "active")
        return ()

    def has_delete_permission(self, request: HttpRequest, obj: InstrumentVersion | None = None) -> bool:
        return not _frozen(obj) and super().has_delete_permission(request, obj)

    @admin.action(description=_("Copy as a new version (to change a version already used)"),
                  permissions=["add"])
    def copy_as_new_version(self, request: HttpRequest, queryset: QuerySet[InstrumentVersion]) -> None:
        for version in queryset.order_by("number"):
            copy = copy_instrument_version(version)
            self.message_user(request, _("%(copy)s created from version %(number)s, inactive: edit it, then make "
                                         "it active.") % {"copy": copy, "number": version.number})


@admin.register(SurveyIndicator)
class SurveyIndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "version", "dimension", "question", "weight")
    list_filter = ("version", "dimension")
    fields = ("version", "position", "code", "dimension", "question", "question_fr", "question_ar", "weight")
    inlines = (AnswerOptionInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: SurveyIndicator | None = None) -> tuple[str, ...]:
        return self.fields if _frozen(obj) else ()

    def has_delete_permission(self, request: HttpRequest, obj: SurveyIndicator | None = None) -> bool:
        return not _frozen(obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs: Any):
        if db_field.name == "version":
            # Indicators are added only to a version no survey has used.
            kwargs["queryset"] = InstrumentVersion.objects.exclude(pk__in=InstrumentVersion.objects.used())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SurveyAnswerInline(LabelledTabularInline):
    model = SurveyAnswer
    fields = ("indicator", "option")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(SustainabilitySurvey)
class SustainabilitySurveyAdmin(GuardedHistoryAdmin):
    """Read here; taken and changed through the survey form of a follow-up, which validates and scores it."""

    list_display = ("date", "returnee", "status", "economic_score", "social_score", "psychosocial_score",
                    "composite_score", "version")
    list_filter = ("status", "version")
    list_select_related = ("returnee", "version")
    search_fields = ("returnee__case_number",)
    fields = ("returnee", "follow_up", "date", "interviewer", "version", "status", "economic_score",
              "social_score", "psychosocial_score", "composite_score")
    readonly_fields = fields
    inlines = (SurveyAnswerInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
