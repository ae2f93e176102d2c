"""Admin behaviour shared by the case-record admins."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from oimsite.pagination import EstimatedCountPaginator


class YearListFilter(admin.SimpleListFilter):
    """Filter on the calendar year of a date field, with a fixed range of years (no DISTINCT query)."""

    title = _("year")
    parameter_name = "year"
    date_field = "departure_date"
    first_year = 2015

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        from django.utils import timezone

        this_year = timezone.localdate().year
        return [(str(y), str(y)) for y in range(this_year, self.first_year - 1, -1)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        from oimsite.models_base import year_bounds

        start, end = year_bounds(int(value))
        return queryset.filter(**{f"{self.date_field}__gte": start, f"{self.date_field}__lt": end})


class LabelledInlineFormSet(BaseInlineFormSet):
    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs.setdefault("aria-label", str(_("Delete")))


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose every control has an accessible name.

    Django's tabular inline labels its columns in the table head only, so screen readers (and axe-core)
    find unlabelled inputs; each widget gets an aria-label with its column's name.
    """

    template = "admin/edit_inline/tabular_labelled.html"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            formfield.widget.attrs.setdefault("aria-label", str(db_field.verbose_name).capitalize())
        return formfield

    formset = LabelledInlineFormSet


class CaseAdmin(SimpleHistoryAdmin):
    """Base for case records: read-only timestamps, no full COUNT(*) on each changelist load.

    Changelists stay flat in data size: no second COUNT(*) (show_full_result_count), an estimated count
    for large results (EstimatedCountPaginator), filters with fixed choices, no date_hierarchy (its
    DISTINCT over the dates scans the table; YearListFilter gives the same choice), prefix searches
    (`^field`) that an index serves.
    """

    readonly_fields: tuple[str, ...] = ("created_at", "updated_at")
    show_full_result_count = False
    list_per_page = 50
    paginator = EstimatedCountPaginator

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> tuple[str, ...]:
        return tuple(self.readonly_fields)
