from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import QuerySet
from django.views.generic import DetailView

from oimsite.lists.views import CaseListView

from .filters import SupportSessionFilter
from .models import SupportSession
from .tables import SupportSessionFullExportTable, SupportSessionTable


class SupportSessionListView(CaseListView):
    model = SupportSession
    permission_required = "reintegration.view_supportsession"
    export_permission = "reintegration.export_supportsession"
    table_class = SupportSessionTable
    full_export_table_class = SupportSessionFullExportTable
    filterset_class = SupportSessionFilter
    title = SupportSession._meta.verbose_name_plural

    def get_queryset(self) -> QuerySet[SupportSession]:
        return SupportSession.objects.select_related("returnee")


class SupportSessionDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    model = SupportSession
    permission_required = "reintegration.view_supportsession"
    context_object_name = "session"

    def get_queryset(self) -> QuerySet[SupportSession]:
        return SupportSession.objects.select_related("returnee")
