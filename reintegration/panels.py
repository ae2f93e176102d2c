"""The sections reintegration adds to the returnee's page (oimsite.core.panels): the referrals to partners and
the sustainability scores."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from oimsite.core.panels import Panel

from .models import Referral
from .sustainability import returnee_scores


def referrals_context(returnee: Any, request: HttpRequest) -> dict[str, Any] | None:
    if not request.user.has_perm("reintegration.view_referral"):
        return None
    return {"returnee": returnee,
            "referrals": Referral.objects.filter(returnee=returnee).select_related("partner").order_by("-sent_on")}


def _returnee_context(returnee: Any, request: HttpRequest) -> dict[str, Any] | None:
    if not request.user.has_perm("reintegration.view_sustainabilitysurvey"):
        return None
    return returnee_scores(returnee.pk)


# After the casework timeline (order 100), before the documents (120).
referrals_panel = Panel("reintegration.referrals", "reintegration/_referrals.html", referrals_context, order=110)
# After the casework timeline (order 100).
returnee_scores_panel = Panel("reintegration.sustainability", "reintegration/_returnee_scores.html",
                              _returnee_context, order=200)
