"""The sustainability scores section reintegration adds to the returnee's page (oimsite.core.panels)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from oimsite.core.panels import Panel

from .sustainability import returnee_scores


def _returnee_context(returnee: Any, request: HttpRequest) -> dict[str, Any] | None:
    if not request.user.has_perm("reintegration.view_sustainabilitysurvey"):
        return None
    return returnee_scores(returnee.pk)


# After the casework timeline (order 100).
returnee_scores_panel = Panel("reintegration.sustainability", "reintegration/_returnee_scores.html",
                              _returnee_context, order=200)
