"""The spreadsheet imports of support sessions and follow-ups, through oimsite/lists/imports.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oimsite.lists.imports import CaseResource, register_import
from returns.models import Returnee

from .models import FollowUp, SupportSession

RETURNEE_LOOKUP = (Returnee, "case_number", _("case number"))


@register_import
class SupportSessionResource(CaseResource):
    """Sessions, each on a returnee named by case number; a session has no number of its own: each row is new."""

    lookups = {"returnee": RETURNEE_LOOKUP}

    class Meta(CaseResource.Meta):
        model = SupportSession
        fields = ("returnee", "date", "phase", "kind", "mode", "provider", "enhanced", "notes")


@register_import
class FollowUpResource(CaseResource):
    lookups = {"returnee": RETURNEE_LOOKUP}

    class Meta(CaseResource.Meta):
        model = FollowUp
        fields = ("returnee", "kind", "due_date", "assigned_to", "done_on", "outcome", "notes", "next_due")
