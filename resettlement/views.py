from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import DetailView, ListView

from .models import Refugee, ResettlementFile


class ResettlementFileListView(PermissionRequiredMixin, ListView):
    model = ResettlementFile
    permission_required = "resettlement.view_resettlementfile"
    paginate_by = 50


class ResettlementFileDetailView(PermissionRequiredMixin, DetailView):
    model = ResettlementFile
    permission_required = "resettlement.view_resettlementfile"
    context_object_name = "file"


class RefugeeListView(PermissionRequiredMixin, ListView):
    model = Refugee
    permission_required = "resettlement.view_refugee"
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().select_related("file")


class RefugeeDetailView(PermissionRequiredMixin, DetailView):
    model = Refugee
    permission_required = "resettlement.view_refugee"
