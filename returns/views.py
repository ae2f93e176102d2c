from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from oimsite.core.panels import render_panels
from oimsite.lists.views import CaseListView

from .filters import ReturneeFilter, TravelFilter
from .models import BEFORE_RETURN_STAGES, Blocker, Returnee, ReturneeQuerySet
from .tables import ReturneeFullExportTable, ReturneeTable, TravelTable


class ReturneeListView(CaseListView):
    model = Returnee
    permission_required = "returns.view_returnee"
    export_permission = "returns.export_returnee"
    table_class = ReturneeTable
    full_export_table_class = ReturneeFullExportTable
    filterset_class = ReturneeFilter
    title = Returnee._meta.verbose_name_plural

    def get_queryset(self) -> QuerySet[Returnee]:
        return Returnee.objects.with_age_at_return().select_related("assigned_to")

    def prepare_full_export(self, queryset: ReturneeQuerySet) -> QuerySet[Returnee]:
        return queryset.with_session_count().prefetch_related("vulnerabilities")


class ReturneeDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    model = Returnee
    permission_required = "returns.view_returnee"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sessions"] = self.object.sessions.order_by("date", "pk")
        context["vulnerabilities"] = self.object.vulnerabilities.all()
        try:
            checklist = self.object.checklist
        except Returnee.checklist.RelatedObjectDoesNotExist:
            checklist = None
        context["checklist"] = checklist
        context["awaiting_travel"] = self.object.stage in BEFORE_RETURN_STAGES
        context["checklist_blockers"] = (
            [Blocker(b).label for b in checklist.blockers()] if checklist is not None else [])
        # Sections of the apps built on returns (the casework timeline …), registered in oimsite.core.panels.
        context["panels"] = render_panels(self.object, self.request)
        return context


class TravelListView(CaseListView):
    """Ready to travel, or blocked by what: the cases before their return, for the movement team."""

    model = Returnee
    permission_required = ("returns.view_returnee", "returns.view_departurechecklist")
    table_class = TravelTable
    filterset_class = TravelFilter
    title = _("Ready to travel")
    export_formats = ()

    def can_export(self) -> bool:
        return False

    def get_queryset(self) -> QuerySet[Returnee]:
        return Returnee.objects.awaiting_travel().select_related("assigned_to", "checklist")
