"""The spreadsheet import of returnees (with their vulnerabilities), through oimsite/lists/imports.py."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.instance_loaders import CachedInstanceLoader

from oimsite.core.assignment import log_initial_owner
from oimsite.core.names import KEY_LENGTH, name_key
from oimsite.lists.imports import CaseResource, ChoiceWidget, register_import

from .models import AFTER_RETURN_STAGES, BEFORE_RETURN_STAGES, Returnee, ReturnStatus, Stage


@register_import
class ReturneeResource(CaseResource):
    ignored_columns = ("status", "created_at", "updated_at", "assigned_on", "stage_changed_on")
    ignored_labels = (_("age at return"), _("Number of sessions"))

    class Meta(CaseResource.Meta):
        model = Returnee
        fields = ("case_number", "given_name", "family_name", "name_ar", "sex", "date_of_birth", "nationality",
                  "host_country", "return_country", "departure_date", "stage", "closure_reason", "assigned_to",
                  "vulnerabilities", "consent_date", "consent_scope", "notes")
        import_id_fields = ("case_number",)
        instance_loader_class = CachedInstanceLoader

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._people_in_file: dict[tuple[Any, str], str] = {}

    def import_instance(self, instance: Returnee, row: dict, **kwargs: Any) -> None:
        instance._import_previous_owner = instance.assigned_to_id
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "vulnerabilities" in row and "vulnerabilities" not in errors:
            try:
                # The model's rules (reinforced support needs a vulnerability) read the file's, not the stored.
                instance._pending_vulnerabilities = list(self.fields["vulnerabilities"].clean(row))
            except ValueError as error:
                errors["vulnerabilities"] = [ValidationError(str(error))]
        if not _given(row, "stage") and "stage" not in errors:
            self._derive_stage(instance, row, errors)
        if instance.assigned_to_id != instance._import_previous_owner:
            instance.assigned_on = timezone.now() if instance.assigned_to_id else None
        if errors:
            raise ValidationError(errors)

    def _derive_stage(self, instance: Returnee, row: dict, errors: dict) -> None:
        """No stage in the file: it follows the status (as an export writes it) and the departure date."""
        status = None
        if _given(row, "status"):
            try:
                status = ChoiceWidget(ReturnStatus.choices).clean(row["status"])
            except ValueError as error:
                errors["status"] = [ValidationError(str(error))]
                return
        if instance.pk is not None and instance.stored_stage:
            instance.stage = instance.stored_stage
            if instance.departure_date and instance.stage in BEFORE_RETURN_STAGES:
                instance.stage = Stage.RETURNED
        elif status == ReturnStatus.WITHDRAWN:
            instance.stage = Stage.WITHDRAWN
        elif instance.departure_date or status == ReturnStatus.DEPARTED:
            instance.stage = Stage.RETURNED
        else:
            instance.stage = Stage.REGISTERED
        if instance.stage in AFTER_RETURN_STAGES and not instance.departure_date:
            errors.setdefault("departure_date", []).append(ValidationError(
                _("A returned case needs a departure date.")))

    def possible_duplicates(self, instance: Returnee) -> list[str]:
        if not (instance.date_of_birth and (instance.given_name or instance.family_name)):
            return []
        found = [f"{case_number} ({given_name} {family_name}, {date_of_birth:%d/%m/%Y})"
                 for case_number, given_name, family_name, date_of_birth in Returnee.objects.possible_duplicates_of(
                     instance.given_name, instance.family_name, instance.date_of_birth).order_by("case_number")
                 .values_list("case_number", "given_name", "family_name", "date_of_birth")[:5]]
        # The row is not saved yet: its key as the database will store it.
        person = (instance.date_of_birth, name_key(instance.given_name, instance.family_name)[:KEY_LENGTH])
        earlier = self._people_in_file.get(person)
        if earlier:
            found.append(str(_("%(case)s earlier in this file") % {"case": earlier}))
        else:
            self._people_in_file[person] = instance.case_number
        return found

    def after_save_instance(self, instance: Returnee, row: dict, **kwargs: Any) -> None:
        previous = getattr(instance, "_import_previous_owner", None)
        if not kwargs.get("dry_run"):
            log_initial_owner(instance, previous, by=kwargs.get("user"), reason=str(_("Import")))


def _given(row: dict, name: str) -> bool:
    value = row.get(name)
    return value is not None and str(value).strip() != ""
