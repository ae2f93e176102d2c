"""The documents section of the returnee, file and refugee pages (registered in DocumentsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from oimsite.core.panels import Panel

from .models import PARENTS, Document


def _context(field: str):
    def build(obj: models.Model, request: HttpRequest) -> dict[str, Any] | None:
        user = request.user
        if not user.has_perm("documents.view_document"):
            return None
        return {
            "documents": Document.objects.filter(**{field: obj}).order_by("-uploaded_at", "-pk"),
            "parent_field": field, "parent_pk": obj.pk,
            "can_attach": user.has_perm("documents.add_document") and user.has_perm(PARENTS[field][1]),
        }
    return build


# After the case's timeline (casework) and its referrals (reintegration).
ORDER = 120
TEMPLATE = "documents/_documents.html"
PANELS = {
    "returns.returnee": Panel("documents.documents", TEMPLATE, _context("returnee"), order=ORDER),
    "resettlement.resettlementfile": Panel("documents.documents", TEMPLATE, _context("resettlement_file"), order=ORDER),
    "resettlement.refugee": Panel("documents.documents", TEMPLATE, _context("refugee"), order=ORDER),
}
