from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import DetailView, ListView

from .models import SupportSession


class SupportSessionListView(PermissionRequiredMixin, ListView):
    model = SupportSession
    permission_required = "reintegration.view_supportsession"
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().select_related("returnee")


class SupportSessionDetailView(PermissionRequiredMixin, DetailView):
    model = SupportSession
    permission_required = "reintegration.view_supportsession"
    context_object_name = "session"
