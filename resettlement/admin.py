from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.db.models.lookups import In
from django.utils.translation import gettext_lazy as _

from oimsite.lists.admin_base import CaseAdmin, LabelledInlineFormSet, LabelledTabularInline, YearListFilter

from .models import DEPARTED_STAGES, Refugee, ResettlementFile


class RefugeeInlineFormSet(LabelledInlineFormSet):
    def clean(self) -> None:
        super().clean()
        # The database allows one principal per file; on a new file each refugee is validated alone.
        principals = [
            form for form in self.forms
            if form.cleaned_data.get("is_principal_applicant") and not form.cleaned_data.get("DELETE")
        ]
        if len(principals) > 1:
            for form in principals[1:]:
                form.add_error("is_principal_applicant", _("A file has only one principal applicant."))
            raise ValidationError(_("A file has only one principal applicant."))


class RefugeeInline(LabelledTabularInline):
    formset = RefugeeInlineFormSet
    model = Refugee
    extra = 0
    fields = ("given_name", "family_name", "sex", "date_of_birth", "nationality", "is_principal_applicant",
              "relationship")
    show_change_link = True


@admin.register(ResettlementFile)
class ResettlementFileAdmin(CaseAdmin):
    changelist_totals = ((_("files"), None), (_("departed or arrived"), Q(stage__in=DEPARTED_STAGES)))
    list_display = ("file_number", "destination_country", "stage", "referral_date", "departure_date")
    list_filter = ("stage", "destination_country", YearListFilter)
    # The refugees' names are searched in a subquery, not a join (oimsite.admin_search).
    search_fields = ("^file_number", "^refugees__family_name", "^refugees__given_name")
    inlines = [RefugeeInline]
    fields = ("file_number", "destination_country", "stage", "referral_date", "departure_date",
              "consent_date", "consent_scope", "notes", "created_at", "updated_at")


class RefugeeYearListFilter(YearListFilter):
    date_field = "file__departure_date"


@admin.register(Refugee)
class RefugeeAdmin(CaseAdmin):
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
    search_fields = ("^family_name", "^given_name", "^file__file_number")
    # By file number (newest first) through the file's id: ordering by "file" would sort on a join.
    ordering = ("-file_id", "-is_principal_applicant", "date_of_birth")
    autocomplete_fields = ("file",)
    list_select_related = ("file",)
    fields = ("file", "given_name", "family_name", "sex", "date_of_birth", "nationality",
              "is_principal_applicant", "relationship", "created_at", "updated_at")
