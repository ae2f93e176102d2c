from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import QuerySet
from django.views.generic import DetailView

from oimsite.core.panels import render_panels
from oimsite.lists.views import CaseListView

from .filters import ReturneeFilter
from .models import Returnee, ReturneeQuerySet
from .tables import ReturneeFullExportTable, ReturneeTable


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
        # Sections of the apps built on returns (the casework timeline …), registered in oimsite.core.panels.
        context["panels"] = render_panels(self.object, self.request)
        return context
