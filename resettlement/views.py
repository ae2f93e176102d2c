from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.views.generic import DetailView

from oimsite.core.panels import render_panels
from oimsite.lists.views import CaseListView

from .filters import RefugeeFilter, ResettlementFileFilter
from .models import Refugee, ResettlementFile
from .tables import RefugeeFullExportTable, RefugeeTable, ResettlementFileFullExportTable, ResettlementFileTable


def refugee_count() -> Coalesce:
    # A correlated subquery counts only the page's files; annotate(Count()) would aggregate the whole set.
    counts = (Refugee.objects.filter(file=OuterRef("pk")).order_by().values("file")
              .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


class ResettlementFileListView(CaseListView):
    model = ResettlementFile
    permission_required = "resettlement.view_resettlementfile"
    export_permission = "resettlement.export_resettlementfile"
    table_class = ResettlementFileTable
    full_export_table_class = ResettlementFileFullExportTable
    filterset_class = ResettlementFileFilter
    title = ResettlementFile._meta.verbose_name_plural
    template_name = "resettlement/resettlementfile_list.html"

    def get_queryset(self) -> QuerySet[ResettlementFile]:
        return ResettlementFile.objects.annotate(refugee_count=refugee_count()).select_related("assigned_to")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # The whole programme's pipeline, whatever the filters: where the files stand and how long they wait.
        # A callable, which the template calls: an export, which renders no page, does not count it.
        context["pipeline"] = ResettlementFile.objects.stage_pipeline
        return context


class ResettlementFileDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    model = ResettlementFile
    permission_required = "resettlement.view_resettlementfile"
    context_object_name = "file"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["refugees"] = self.object.refugees.all()
        context["panels"] = render_panels(self.object, self.request)
        return context


class RefugeeListView(CaseListView):
    model = Refugee
    permission_required = "resettlement.view_refugee"
    export_permission = "resettlement.export_refugee"
    table_class = RefugeeTable
    full_export_table_class = RefugeeFullExportTable
    filterset_class = RefugeeFilter
    title = Refugee._meta.verbose_name_plural

    def get_queryset(self) -> QuerySet[Refugee]:
        return Refugee.objects.select_related("file")


class RefugeeDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    model = Refugee
    permission_required = "resettlement.view_refugee"

    def get_queryset(self) -> QuerySet[Refugee]:
        return Refugee.objects.select_related("file")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["panels"] = render_panels(self.object, self.request)
        return context
