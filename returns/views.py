from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import DetailView, ListView

from .models import Returnee


class ReturneeListView(PermissionRequiredMixin, ListView):
    model = Returnee
    permission_required = "returns.view_returnee"
    paginate_by = 50


class ReturneeDetailView(PermissionRequiredMixin, DetailView):
    model = Returnee
    permission_required = "returns.view_returnee"
