from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.fields import BLANK_CHOICE_DASH
from django.db.models.lookups import In
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from oimsite.lists.admin_base import CaseAdmin, LabelledInlineFormSet, LabelledTabularInline, YearListFilter
from oimsite.lists.admin_delete import DeleteWithDependentsMixin
from oimsite.lists.imports import CaseImportMixin
from oimsite.lists.owners import (
    AssignedCaseAdminMixin,
    AssignedToListFilter,
    AssignmentLogAdmin,
    OwnerListFilter,
)

from .models import (
    DEPARTED_NEEDS_REFUGEE,
    DEPARTED_STAGES,
    FileAssignment,
    Refugee,
    Relationship,
    ResettlementFile,
    departure_blocked_message,
    departure_missing,
)
from .resources import RefugeeResource, ResettlementFileResource


class RefugeeInlineFormSet(LabelledInlineFormSet):
    def clean(self) -> None:
        super().clean()
        rows = [form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]
        # The database allows one principal per file; on a new file each refugee is validated alone. The
        # message goes on each extra principal's row, once (the row, not also the formset).
        principals = [form for form in rows if form.cleaned_data.get("is_principal_applicant")]
        for form in principals[1:]:
            if "is_principal_applicant" not in form.errors:
                form.add_error("is_principal_applicant", _("A file has only one principal applicant."))
        if self.instance.stage in DEPARTED_STAGES and not rows:
            raise ValidationError(DEPARTED_NEEDS_REFUGEE)
        # The departure checklist, with the rows as submitted (the file's own form let the model skip it).
        if self.instance.is_departing:
            missing = departure_missing(self.instance, [form.instance for form in rows])
            if missing:
                raise ValidationError(departure_blocked_message(missing))


def relationship_without_default(db_field: models.Field, kwargs: dict[str, Any]) -> dict[str, Any]:
    """A new person's relationship starts unchosen: the model's default ("principal applicant") made every new
    row a second principal applicant."""
    if db_field.name == "relationship":
        kwargs.setdefault("choices", BLANK_CHOICE_DASH + list(Relationship.choices))
        kwargs.setdefault("initial", None)
    return kwargs


class RefugeeInline(LabelledTabularInline):
    formset = RefugeeInlineFormSet
    model = Refugee
    extra = 0
    fields = ("given_name", "family_name", "name_ar", "sex", "date_of_birth", "nationality",
              "is_principal_applicant", "relationship", "medical_clearance_on", "exit_permit_on",
              "cultural_orientation_on", "cultural_orientation_exempt")
    show_change_link = True

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs: Any):
        return super().formfield_for_dbfield(db_field, request, **relationship_without_default(db_field, kwargs))


class ResettlementFileAdminForm(forms.ModelForm):
    # No Meta: the admin builds the form for ResettlementFile with the fields of `fields`.

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # The refugees are the inline's rows, validated after this form (RefugeeInlineFormSet.clean).
        self.instance.refugees_checked_with_form = True
        return cleaned


@admin.register(ResettlementFile)
class ResettlementFileAdmin(CaseImportMixin, AssignedCaseAdminMixin, DeleteWithDependentsMixin, CaseAdmin):
    resource_classes = [ResettlementFileResource]
    deleted_with = ("refugees",)
    form = ResettlementFileAdminForm
    changelist_totals = ((_("files"), None), (_("departed or arrived"), Q(stage__in=DEPARTED_STAGES)))
    list_display = ("file_number", "destination_country", "stage", "referral_date", "departure_date", "assigned_to")
    list_filter = (OwnerListFilter, AssignedToListFilter, "stage", "destination_country", YearListFilter)
    list_select_related = ("assigned_to",)
    # The refugees' names are searched in a subquery, not a join (oimsite.admin_search).
    search_fields = ("^file_number", "^refugees__family_name", "^refugees__given_name", "refugees__name_ar")
    inlines = [RefugeeInline]
    fields = ("file_number", "destination_country", "stage", "referral_date", "departure_date",
              "travel_booked_on", "travel_booking_reference",
              "assigned_to", "assigned_on", "assignment_log", "consent_date", "consent_scope", "notes", "created_at",
              "updated_at")


class RefugeeYearListFilter(YearListFilter):
    date_field = "file__departure_date"


@admin.register(Refugee)
class RefugeeAdmin(CaseImportMixin, CaseAdmin):
    resource_classes = [RefugeeResource]
    changelist_totals = (
        (_("refugees"), None),
        # The file's stage read by one primary-key probe per counted row (at most COUNT_CAP): a join, or an
        # EXISTS that PostgreSQL may hash, reads every file whatever the filter.
        (_("on departed files"), In(Subquery(ResettlementFile.objects.filter(pk=OuterRef("file_id"))
                                             .order_by().values("stage")), list(DEPARTED_STAGES))),
        (_("principal applicants"), Q(is_principal_applicant=True)),
    )
    list_display = ("family_name", "given_name", "sex", "date_of_birth", "nationality", "file",
                    "is_principal_applicant")
    list_display_links = ("family_name", "given_name")
    list_filter = ("sex", "is_principal_applicant", "nationality", "file__destination_country",
                   "file__stage", RefugeeYearListFilter)
    search_fields = ("^family_name", "^given_name", "name_ar", "^file__file_number")
    # By file number (newest first) through the file's id: ordering by "file" would sort on a join.
    ordering = ("-file_id", "-is_principal_applicant", "date_of_birth")
    autocomplete_fields = ("file",)
    list_select_related = ("file",)
    fields = ("file", "given_name", "family_name", "name_ar", "sex", "date_of_birth", "nationality",
              "is_principal_applicant", "relationship", "medical_clearance_on", "exit_permit_on",
              "cultural_orientation_on", "cultural_orientation_exempt", "created_at", "updated_at")

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs: Any):
        return super().formfield_for_dbfield(db_field, request, **relationship_without_default(db_field, kwargs))


@admin.register(FileAssignment)
class FileAssignmentAdmin(AssignmentLogAdmin):
    search_fields = ("^case__file_number",)
