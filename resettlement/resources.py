"""The spreadsheet imports of resettlement files and of their refugees, through oimsite/lists/imports.py."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.instance_loaders import CachedInstanceLoader

from oimsite.core.assignment import log_initial_owner
from oimsite.lists.imports import CaseResource, register_import

from .models import Refugee, ResettlementFile


@register_import
class ResettlementFileResource(CaseResource):
    ignored_columns = ("created_at", "updated_at", "assigned_on", "stage_changed_on")
    ignored_labels = (_("Refugees"), _("Number of refugees"))

    class Meta(CaseResource.Meta):
        model = ResettlementFile
        fields = ("file_number", "destination_country", "stage", "referral_date", "departure_date", "assigned_to",
                  "consent_date", "consent_scope", "notes")
        import_id_fields = ("file_number",)
        instance_loader_class = CachedInstanceLoader

    def import_instance(self, instance: ResettlementFile, row: dict, **kwargs: Any) -> None:
        previous = instance._import_previous_owner = instance.assigned_to_id
        super().import_instance(instance, row, **kwargs)
        if instance.assigned_to_id != previous:
            instance.assigned_on = timezone.now() if instance.assigned_to_id else None

    def after_save_instance(self, instance: ResettlementFile, row: dict, **kwargs: Any) -> None:
        if not kwargs.get("dry_run"):
            log_initial_owner(instance, getattr(instance, "_import_previous_owner", None), by=kwargs.get("user"),
                              reason=str(_("Import")))


@register_import
class RefugeeResource(CaseResource):
    """Refugees, each on a file named by its number (imported first, or already recorded)."""

    lookups = {"file": (ResettlementFile, "file_number", _("file number"))}

    class Meta(CaseResource.Meta):
        model = Refugee
        fields = ("file", "given_name", "family_name", "name_ar", "sex", "date_of_birth", "nationality",
                  "is_principal_applicant", "relationship")
