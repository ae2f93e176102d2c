"""My work, the caseload, and where a user lands after logging in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from . import selectors


def lands_on_my_work(user: Any) -> bool:
    """Case workers, resettlement officers and supervisors start the day on My work; data officers and
    administrators (and superusers) on the dashboard."""
    if user.is_superuser:
        return False
    return user.groups.filter(name__in=selectors.WORK_ROLES).exists()


class HomeView(LoginRequiredMixin, View):
    """`/home/` (LOGIN_REDIRECT_URL): a page of the site named by `next`, as Django's LoginView honours it,
    or the user's own start page."""

    def get(self, request: HttpRequest) -> HttpResponseRedirect:
        target = request.GET.get(REDIRECT_FIELD_NAME, "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                      require_https=request.is_secure()):
            return HttpResponseRedirect(target)
        return HttpResponseRedirect(resolve_url("my_work" if lands_on_my_work(request.user) else "dashboard"))


class MyWorkView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """The signed-in user's follow-ups, cases, plans awaiting agreement and newly assigned cases."""

    template_name = "casework/my_work.html"

    def has_permission(self) -> bool:
        user = self.request.user
        return user.has_perm("returns.view_returnee") or user.has_perm("resettlement.view_resettlementfile")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["work"] = selectors.my_work(self.request.user)
        return context


class CaseloadView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Every worker's caseload, for supervisors and administrators."""

    template_name = "casework/caseload.html"
    permission_required = "accounts.view_caseload"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["loads"], context["unassigned"] = selectors.caseload()
        context["can"] = {
            "returnees": self.request.user.has_perm("returns.view_returnee"),
            "files": self.request.user.has_perm("resettlement.view_resettlementfile"),
            "follow_ups": self.request.user.has_perm("reintegration.view_followup"),
            "plans": self.request.user.has_perm("reintegration.view_reintegrationplan"),
        }
        return context
