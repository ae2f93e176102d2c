from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.generic import DetailView, TemplateView

from oimsite.lists.views import CaseListView

from . import sustainability
from .filters import (
    FollowUpFilter,
    PartnerFilter,
    ReferralFilter,
    ReintegrationPlanFilter,
    SupportSessionFilter,
    SustainabilitySurveyFilter,
)
from .forms import SustainabilitySurveyForm, answer_field_name
from .models import FollowUp, Partner, PlanGoal, Referral, ReintegrationPlan, SupportSession, SustainabilitySurvey
from .tables import (
    FollowUpTable,
    PartnerTable,
    ReferralTable,
    ReintegrationPlanTable,
    SupportSessionFullExportTable,
    SupportSessionTable,
    SustainabilitySurveyTable,
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
        return FollowUp.objects.select_related("returnee", "assigned_to", "survey")


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
class SustainabilitySurveyListView(NoExportMixin, CaseListView):
    """The surveys, filtered as the dashboard's sustainability figures link to them."""

    model = SustainabilitySurvey
    permission_required = "reintegration.view_sustainabilitysurvey"
    table_class = SustainabilitySurveyTable
    filterset_class = SustainabilitySurveyFilter
    title = SustainabilitySurvey._meta.verbose_name_plural

    def get_queryset(self) -> QuerySet[SustainabilitySurvey]:
        return SustainabilitySurvey.objects.select_related("returnee")


class SustainabilitySurveyDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    model = SustainabilitySurvey
    permission_required = "reintegration.view_sustainabilitysurvey"
    context_object_name = "survey"

    def get_queryset(self) -> QuerySet[SustainabilitySurvey]:
        return SustainabilitySurvey.objects.select_related("returnee", "follow_up", "version", "interviewer")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["score_rows"] = sustainability.score_rows(self.object)
        context["answers"] = (self.object.answers.select_related("indicator", "option")
                              .order_by("indicator__position", "indicator__pk"))
        return context


class SurveyEntryView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """`/reintegration/follow-ups/<pk>/survey/`: take (or go on with) the survey at a done follow-up.

    "Save as draft" keeps the answers given so far, unscored; "Complete" needs every question answered and
    stores the scores. A follow-up not done, or one whose survey is complete, gets a message and no form."""

    template_name = "reintegration/survey_form.html"
    model = FollowUp  # the object of the URL's pk
    permission_required = ("reintegration.add_sustainabilitysurvey", "reintegration.change_sustainabilitysurvey")

    def setup_survey(self, pk: int) -> tuple[FollowUp, SustainabilitySurvey | None, str]:
        follow_up = get_object_or_404(FollowUp.objects.select_related("returnee"), pk=pk)
        survey = SustainabilitySurvey.objects.select_related("version").filter(follow_up=follow_up).first()
        problem = ""
        if survey is not None and survey.is_complete:
            problem = gettext("The survey of this follow-up is complete: its scores are on its page.")
        elif follow_up.done_on is None:
            problem = gettext("The survey is taken at a follow-up that is done after the return: record the "
                              "follow-up as done first.")
        elif survey is None:
            try:
                survey = sustainability.new_survey(follow_up, self.request.user)
            except ValidationError as error:
                problem = " ".join(error.messages)
        return follow_up, survey, problem

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        follow_up, survey, problem = self.setup_survey(pk)
        if survey is not None and survey.is_complete:
            return redirect(survey)
        form = None
        if not problem:
            indicators = sustainability.survey_form_indicators(survey.version)
            initial = {"date": survey.date}
            if survey.pk is not None:
                for answer in survey.answers.select_related("indicator"):
                    initial[answer_field_name(answer.indicator)] = answer.option_id
            form = SustainabilitySurveyForm(initial=initial, indicators=indicators)
        return self.render_to_response(self.get_context_data(follow_up=follow_up, survey=survey, form=form,
                                                             problem=problem), status=400 if problem else 200)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        follow_up, survey, problem = self.setup_survey(pk)
        if problem:
            return self.render_to_response(self.get_context_data(follow_up=follow_up, survey=survey, form=None,
                                                                 problem=problem), status=400)
        complete = request.POST.get("action") == "complete"
        form = SustainabilitySurveyForm(request.POST, indicators=sustainability.survey_form_indicators(survey.version))
        if form.is_valid():
            survey.date = form.cleaned_data["date"]
            if survey.pk is None:
                survey.interviewer = request.user
            try:
                sustainability.save_survey(survey, form.answers(), complete=complete)
            except ValidationError as error:
                form.add_service_errors(error.message_dict if hasattr(error, "error_dict") else
                                        {"__all__": error.messages})
            else:
                messages.success(request, gettext("The survey is complete and scored.") if complete else
                                 gettext("The survey is saved as a draft; it is scored once completed."))
                return redirect(survey if complete else reverse("reintegration:survey_entry", args=[follow_up.pk]))
        if survey.pk is not None and not form.is_bound:
            survey.refresh_from_db()
        return self.render_to_response(self.get_context_data(follow_up=follow_up, survey=survey, form=form,
                                                             problem=""), status=400)
