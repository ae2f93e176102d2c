"""The referrals section of a returnee's page (registered in ReintegrationConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from oimsite.core.panels import Panel

from .models import Referral


def referrals_context(returnee: Any, request: HttpRequest) -> dict[str, Any] | None:
    if not request.user.has_perm("reintegration.view_referral"):
        return None
    return {"returnee": returnee,
            "referrals": Referral.objects.filter(returnee=returnee).select_related("partner").order_by("-sent_on")}


referrals_panel = Panel("reintegration.referrals", "reintegration/_referrals.html", referrals_context, order=110)
