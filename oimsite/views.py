from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import TemplateView


class DashboardView(PermissionRequiredMixin, TemplateView):
    permission_required = "accounts.view_dashboard"
    template_name = "oimsite/dashboard.html"
