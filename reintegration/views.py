from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import Prefetch, QuerySet
from django.views.generic import DetailView

from oimsite.lists.views import CaseListView

from .filters import FollowUpFilter, PartnerFilter, ReferralFilter, ReintegrationPlanFilter, SupportSessionFilter
from .models import FollowUp, Partner, PlanGoal, Referral, ReintegrationPlan, SupportSession
from .tables import (
    FollowUpTable,
    PartnerTable,
    ReferralTable,
    ReintegrationPlanTable,
    SupportSessionFullExportTable,
    SupportSessionTable,
)


class SupportSessionListView(CaseListView):
    model = SupportSession
    permission_required = "reintegration.view_supportsession"
    export_permission = "reintegration.export_supportsession"
    table_class = SupportSessionTable
    full_export_table_class = SupportSessionFullExportTable
    filterset_class = SupportSessionFilter
    title = SupportSession._meta.verbose_name_plural

    def get_queryset(self) -> QuerySet[SupportSession]:
        return SupportSession.objects.select_related("returnee", "partner")


class SupportSessionDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    model = SupportSession
    permission_required = "reintegration.view_supportsession"
    context_object_name = "session"

    def get_queryset(self) -> QuerySet[SupportSession]:
        return SupportSession.objects.select_related("returnee")


class NoExportMixin:
    """A list without exports (it adds nothing to the case lists' exports, and has no export permission)."""

    export_formats = ()

    def can_export(self) -> bool:
        return False


class FollowUpListView(NoExportMixin, CaseListView):
    model = FollowUp
    permission_required = "reintegration.view_followup"
    table_class = FollowUpTable
    filterset_class = FollowUpFilter
    title = FollowUp._meta.verbose_name_plural

    def get_queryset(self) -> QuerySet[FollowUp]:
        return FollowUp.objects.select_related("returnee", "assigned_to")


class FollowUpDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    model = FollowUp
    permission_required = "reintegration.view_followup"
    context_object_name = "follow_up"

    def get_queryset(self) -> QuerySet[FollowUp]:
        return FollowUp.objects.select_related("returnee", "assigned_to")


class ReintegrationPlanListView(NoExportMixin, CaseListView):
    model = ReintegrationPlan
    permission_required = "reintegration.view_reintegrationplan"
    table_class = ReintegrationPlanTable
    filterset_class = ReintegrationPlanFilter
    title = ReintegrationPlan._meta.verbose_name_plural

    def get_queryset(self) -> QuerySet[ReintegrationPlan]:
        return ReintegrationPlan.objects.select_related("returnee", "returnee__assigned_to")


class ReintegrationPlanDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    """A plan with its goals, and under each goal the sessions that serve it."""

    model = ReintegrationPlan
    permission_required = "reintegration.view_reintegrationplan"
    context_object_name = "plan"

    def get_queryset(self) -> QuerySet[ReintegrationPlan]:
        goals = PlanGoal.objects.order_by("target_date", "pk").prefetch_related(
            Prefetch("sessions", queryset=SupportSession.objects.order_by("date", "pk")))
        return ReintegrationPlan.objects.select_related("returnee").prefetch_related(Prefetch("goals", queryset=goals))


class PartnerListView(NoExportMixin, CaseListView):
    model = Partner
    permission_required = "reintegration.view_partner"
    table_class = PartnerTable
    filterset_class = PartnerFilter
    title = Partner._meta.verbose_name_plural

    def get_queryset(self) -> QuerySet[Partner]:
        return Partner.objects.all()


class PartnerDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    model = Partner
    permission_required = "reintegration.view_partner"
    context_object_name = "partner"


class ReferralListView(NoExportMixin, CaseListView):
    model = Referral
    permission_required = "reintegration.view_referral"
    table_class = ReferralTable
    filterset_class = ReferralFilter
    title = Referral._meta.verbose_name_plural

    def get_queryset(self) -> QuerySet[Referral]:
        return Referral.objects.select_related("returnee", "partner", "sent_by")


class ReferralDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    model = Referral
    permission_required = "reintegration.view_referral"
    context_object_name = "referral"

    def get_queryset(self) -> QuerySet[Referral]:
        return Referral.objects.select_related("returnee", "partner", "sent_by")
