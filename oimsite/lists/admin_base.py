"""Admin behaviour shared by the case-record admins."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Expression, Field, Model, Q, QuerySet
from django.forms.formsets import TOTAL_FORM_COUNT
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from oimsite.core import params
from oimsite.core.concurrency import (
    VERSION_FIELD,
    StaleEditError,
    VersionedInlineFormSet,
    is_versioned,
    save_versioned,
    versioned_form,
)
from oimsite.core.history import (
    ReadableHistoryContextHelper,
    diff_records,
    prefetch_m2m_history,
    select_history_related,
)
from oimsite.core.models_base import year_bounds
from oimsite.lists.pagination import COUNT_CAP, SEARCH_COUNT_CAP, EstimatedCountPaginator
from oimsite.lists.search import IndexedSearchMixin


class YearListFilter(admin.SimpleListFilter):
    """Filter on the calendar year of a date field, with a fixed range of years (no DISTINCT query)."""

    title = _("year")
    parameter_name = "year"
    date_field = "departure_date"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(str(y), str(y)) for y in range(params.year_max(), params.YEAR_MIN - 1, -1)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        year = params.year(value)
        if year is None:
            # The admin answers this with its "?e=1" page: the list without the unknown filter, no 500.
            raise IncorrectLookupParameters(_("Unknown year: %(value)s") % {"value": value})
        start, end = year_bounds(year)
        return queryset.filter(**{f"{self.date_field}__gte": start, f"{self.date_field}__lt": end})


def is_valid_key(field: Field, value: object) -> bool:
    """Whether `value` can be looked up in `field` (an integer key within the database's range, …)."""
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


class SafeModelChoiceField(forms.ModelChoiceField):
    """A foreign key chosen in a form; a value that cannot be a key is an invalid choice, not a 500.

    ("99999999999999999999" overflowed SQLite's integer before Django's own check could refuse it.)
    """

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values:
            key_field = self.queryset.model._meta.get_field(self.to_field_name or "pk") if self.to_field_name \
                else self.queryset.model._meta.pk
            if not is_valid_key(key_field, value):
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                      params={"value": value})
        return super().to_python(value)


class SafeAutocompleteSelect(AutocompleteSelect):
    """The admin's autocomplete, which shows a submitted value that is not a valid key as no choice, and whose
    box has an accessible name.

    Django's widget looks the posted value up to redisplay it, and a value such as "abc" for an integer
    key raised a 500 instead of the form's own "Select a valid choice" error.
    """

    def optgroups(self, name: str, value: list[str], attr: dict | None = None) -> list:
        to_field = self.field.remote_field.model._meta.get_field(self.field.remote_field.field_name)
        return super().optgroups(name, [item for item in value if is_valid_key(to_field, item)], attr)

    def build_attrs(self, base_attrs: dict[str, Any], extra_attrs: dict[str, Any] | None = None) -> dict[str, Any]:
        attrs = super().build_attrs(base_attrs, extra_attrs)
        # select2's data-attribute option: the open list inside the page's <main> landmark, not loose in <body>.
        attrs["data-dropdown-parent"] = "main"
        return attrs

    @property
    def media(self) -> forms.Media:
        # After Django's autocomplete.js (listed again to order the merge): names the select2 box with the
        # field's label, which select2 leaves unnamed.
        return super().media + forms.Media(js=["admin/js/autocomplete.js", "oimsite/autocomplete_labels.js"])


# New inline rows (sessions, refugees) a person enters in one submission; rows already saved are not counted.
MAX_NEW_INLINE_ROWS = 25


class LabelledInlineFormSet(VersionedInlineFormSet):
    """The inline rows of a case record, with at most MAX_NEW_INLINE_ROWS new ones per submission.

    Django builds as many forms as the posted TOTAL_FORMS asks for (up to 2,000), and renders them all
    again when the page has an error: a forged count tied a worker up for half a minute. Only the saved
    rows and MAX_NEW_INLINE_ROWS more are built; a submission asking for more is refused with a message,
    and nothing of it is saved.
    """

    max_new_rows = MAX_NEW_INLINE_ROWS

    def total_form_count(self) -> int:
        total = super().total_form_count()
        if not self.is_bound:
            return total
        # The saved rows, not the posted INITIAL_FORMS: that count is the client's to forge as well.
        return min(total, len(self.get_queryset()) + self.max_new_rows)

    def clean(self) -> None:
        submitted = self.management_form.cleaned_data.get(TOTAL_FORM_COUNT, 0)
        if submitted > self.total_form_count():
            raise ValidationError(
                _("At most %(limit)s new rows can be added at once here: save the record, then add more."),
                code="too_many_forms", params={"limit": self.max_new_rows},
            )
        super().clean()

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs.setdefault("aria-label", str(_("Delete")))


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose every control has an accessible name.

    Django's tabular inline labels its columns in the table head only, so screen readers (and axe-core)
    find unlabelled inputs; each widget gets an aria-label with its column's name.

    A row of a case record (one with a `version`) carries its version in a hidden field, like the record's
    own form: a row someone changed since the page was loaded is refused (see VersionedInlineFormSet).
    """

    template = "admin/edit_inline/tabular_labelled.html"

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        fields = list(super().get_fields(request, obj))
        if is_versioned(self.model) and VERSION_FIELD not in fields:
            fields.append(VERSION_FIELD)
        return fields

    def get_formset(self, request: HttpRequest, obj: Model | None = None, **kwargs: Any):
        base = kwargs.pop("form", self.form)
        if is_versioned(self.model):
            base = versioned_form(base)
        return super().get_formset(request, obj, form=base, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            formfield.widget.attrs.setdefault("aria-label", str(db_field.verbose_name).capitalize())
        return formfield

    formset = LabelledInlineFormSet


class GuardedHistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin with its history pages safe from hostile ids and read-only."""

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        # simple-history looks the id up as given: "abc" for an integer key was a 500, not a 404.
        if not is_valid_key(self.model._meta.pk, unquote(object_id)):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str,
                          extra_context: dict | None = None) -> HttpResponse:
        # django-simple-history only hides the revert button: refuse the POST itself, history is evidence.
        if request.method == "POST":
            raise PermissionDenied
        history_model = getattr(self.model, self.model._meta.simple_history_manager_attribute).model
        if not (is_valid_key(self.model._meta.pk, unquote(object_id))
                and is_valid_key(history_model._meta.pk, unquote(version_id))):
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


class CaseAdmin(IndexedSearchMixin, GuardedHistoryAdmin):
    """Base for case records: read-only timestamps, no full COUNT(*) on each changelist load.

    Changelists stay flat in data size: no second COUNT(*) (show_full_result_count), an estimated count
    for large results (EstimatedCountPaginator), filters with fixed choices, no date_hierarchy (its
    DISTINCT over the dates scans the table; YearListFilter gives the same choice), prefix searches
    (`^field`) that an index serves.

    Also: a stale edit (someone saved the record after this form was loaded) is refused, and the
    history is read-only (no revert, whatever the permissions).
    """

    readonly_fields: tuple[str, ...] = ("created_at", "updated_at")
    show_full_result_count = False
    list_per_page = 50
    paginator = EstimatedCountPaginator
    object_history_list_template = "accounts/admin/object_history_list.html"
    change_list_template = "admin/oimsite/change_list_totals.html"
    # (label, condition) pairs counted over the changelist's filtered queryset, in one aggregate query.
    # A condition is a Q, or a boolean expression (one that reads a related row by a subquery).
    changelist_totals: tuple[tuple[str, Q | Expression | None], ...] = ((_("records"), None),)

    def get_paginator(self, request: HttpRequest, queryset: QuerySet, per_page: int, orphans: int = 0,
                      allow_empty_first_page: bool = True) -> EstimatedCountPaginator:
        # A search is counted (and totalled) to SEARCH_COUNT_CAP, as on the lists.
        cap = SEARCH_COUNT_CAP if request.GET.get(SEARCH_VAR, "").strip() else COUNT_CAP
        return self.paginator(queryset, per_page, orphans, allow_empty_first_page, cap=cap)

    def get_changelist_totals(self, queryset: QuerySet, paginator: EstimatedCountPaginator | None = None,
                              ) -> list[tuple[str, int]] | None:
        """The totals of the filtered set, or None when it has more rows than the paginator's cap
        (COUNT_CAP, or SEARCH_COUNT_CAP for a search).

        The paginator has already counted the set up to cap + 1 rows: beyond the cap no totals are
        shown, and none are computed (a condition on a related table, such as a refugee's file being
        departed, would join each of the 10,001 rows for nothing). At or under it, one query aggregates
        the set, still over a LIMITed subquery.
        """
        cap = paginator.cap if paginator is not None else COUNT_CAP
        if paginator is not None and paginator.capped > cap:
            return None
        aggregates = {}
        for i, (_label, condition) in enumerate(self.changelist_totals):
            if condition is not None and not isinstance(condition, Q):
                # An expression is computed per row inside the LIMITed subquery, then counted.
                queryset = queryset.annotate(**{f"_total{i}": condition})
                condition = Q(**{f"_total{i}": True})
            aggregates[f"t{i}"] = Count("pk", filter=condition)
        aggregates["n"] = Count("pk")
        # order_by(): the changelist's ordering is useless to an aggregate and costs a sort.
        values = queryset.order_by()[: cap + 1].aggregate(**aggregates)
        if values["n"] > cap:
            return None
        return [(label, values[f"t{i}"]) for i, (label, _condition) in enumerate(self.changelist_totals)]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            changelist = context["cl"]
            paginator = getattr(changelist, "paginator", None)
            totals = self.get_changelist_totals(changelist.queryset, paginator)
            context["changelist_totals"] = totals
            context["changelist_totals_cap"] = getattr(paginator, "cap", COUNT_CAP) if totals is None else None
        return response

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs: Any):
        kwargs.setdefault("form_class", SafeModelChoiceField)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            # The widget Django would choose here, with its check of the submitted value.
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> tuple[str, ...]:
        return tuple(self.readonly_fields)

    def get_form(self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kwargs: Any):
        # Add the version check to whatever form the subclass declares (e.g. ReturneeAdminForm).
        base = versioned_form(kwargs.pop("form", self.form))
        return super().get_form(request, obj, change=change, form=base, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None) -> list[tuple[Any, dict]]:
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and not any(VERSION_FIELD in fs[1].get("fields", ()) for fs in fieldsets):
            # Hidden, in its own untitled fieldset: the admin renders a hidden input and no label.
            fieldsets.append((None, {"fields": (VERSION_FIELD,), "classes": ("hidden",)}))
        return fieldsets

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        if change:
            # Checked again here, atomically: the form's check cannot see a save made since.
            save_versioned(obj, form.cleaned_data[VERSION_FIELD])
        else:
            super().save_model(request, obj, form, change)

    def changeform_view(self, request: HttpRequest, object_id: str | None = None, form_url: str = "",
                        extra_context: dict | None = None) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEditError as exc:
            # The admin's transaction has rolled back: nothing of this submission was written.
            messages.error(request, str(exc))
            return HttpResponseRedirect(request.get_full_path())

    def get_history_queryset(self, request: HttpRequest, history_manager: Any, pk_name: str,
                             object_id: Any) -> QuerySet:
        return select_history_related(history_manager.filter(**{pk_name: object_id}))

    def get_historical_record_context_helper(self, request: HttpRequest, historical_record: Any,
                                             ) -> ReadableHistoryContextHelper:
        return ReadableHistoryContextHelper(self.model, historical_record)

    def set_history_delta_changes(self, request: HttpRequest, historical_records: Any,
                                  foreign_keys_are_objs: bool = True) -> None:
        # simple-history's diff queries each record's m2m rows (the returnee's vulnerabilities): 66 queries
        # for 31 versions. The page's m2m rows are loaded at once and the diffs read them (diff_records).
        records = list(historical_records)
        prefetch_m2m_history(records)
        for current, previous in pairwise(records):
            delta = diff_records(current, previous)
            helper = self.get_historical_record_context_helper(request, current)
            current.history_delta_changes = helper.context_for_delta_changes(delta)
