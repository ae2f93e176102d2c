from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
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
from reintegration.models import SupportSession

from .models import (
    AFTER_RETURN_STAGES,
    BEFORE_RETURN_STAGES,
    MOROCCO,
    DepartureChecklist,
    Returnee,
    ReturneeAssignment,
    ReturnStatus,
    Stage,
    VulnerabilityCategory,
    blocked_message,
    travel_blockers,
)
from .resources import ReturneeResource
from .services import MergeRefused, merge_conflicts, merge_returnees
from .vulnerability_categories import LABELS

DUPLICATES_SHOWN = 500


class ProgrammeListFilter(admin.SimpleListFilter):
    title = _("programme")
    parameter_name = "programme"

    def lookups(self, request, model_admin):
        return [("from_morocco", _("Returns from Morocco")), ("to_morocco", _("Moroccans returning home"))]

    def queryset(self, request, queryset):
        if self.value() == "from_morocco":
            return queryset.from_morocco()
        if self.value() == "to_morocco":
            return queryset.to_morocco()
        return queryset


class ReturneeAdminForm(forms.ModelForm):
    # No Meta: the admin builds the form for Returnee with the fields of its fieldsets.
    not_a_duplicate = forms.BooleanField(
        label=_("This is another person than the possible duplicates listed"), required=False)
    recorded_after_return = forms.BooleanField(
        label=_("Return recorded after the fact"), required=False,
        help_text=_("Tick to register a case at a stage after the return: the return took place before it was "
                    "recorded here, so the case has no departure checklist."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The status follows the stage (Returnee.clean derives it): shown, never taken from the request. A
        # disabled field rather than a read-only one, so that the model's message about it has a place.
        if "status" in self.fields:
            self.fields["status"].disabled = True

    def clean(self):
        cleaned = super().clean()
        self._warn_of_duplicates(cleaned)
        self._check_entered_after_return(cleaned)
        # The model's rules and the sessions inline (validated before the M2M is saved) must see the
        # vulnerabilities chosen in this form, not those still in the database.
        if "vulnerabilities" in cleaned:
            self.instance._pending_vulnerabilities = list(cleaned["vulnerabilities"])
        return cleaned


    def _check_entered_after_return(self, cleaned: dict) -> None:
        """The departure checklist holds the move to "returned"; a case registered at a later stage skips it,
        which is right only for a return that took place before it was recorded: the form asks to say so."""
        if self.instance.pk is not None or "recorded_after_return" not in self.fields:
            return
        stage = cleaned.get("stage")
        if stage in AFTER_RETURN_STAGES and not cleaned.get("recorded_after_return"):
            self.add_error("recorded_after_return", _(
                "A new case at the stage “%(stage)s” skips the departure checklist. Tick this box if the return "
                "took place before it was recorded; otherwise register the case at an earlier stage and move it "
                "to “returned” once its checklist is complete.") % {"stage": Stage(stage).label})

    def _warn_of_duplicates(self, cleaned: dict) -> None:
        """A new returnee who may be someone already recorded: the candidates are listed, and the form is saved
        only once someone ticks that this is another person."""
        if self.instance.pk is not None or "not_a_duplicate" not in self.fields or cleaned.get("not_a_duplicate"):
            return
        given, family, born = cleaned.get("given_name"), cleaned.get("family_name"), cleaned.get("date_of_birth")
        if not (born and (given or family)):
            return
        candidates = Returnee.objects.possible_duplicates_of(given or "", family or "", born).order_by("case_number")
        found = [f"{other.case_number} ({other.given_name} {other.family_name}, {other.date_of_birth:%d/%m/%Y})"
                 for other in candidates[:10]]
        if found:
            self.add_error("not_a_duplicate", _("This may be a person already recorded: %(records)s. Check them; if "
                                                "this is another person, tick this box and save again.")
                           % {"records": "; ".join(found)})


class SupportSessionInline(LabelledTabularInline):
    model = SupportSession
    extra = 0
    fields = ("date", "phase", "kind", "mode", "provider", "partner", "enhanced")
    show_change_link = True


class DepartureChecklistFormSet(LabelledInlineFormSet):
    """The checklist comes with the returnee's form: a move to "returned" is checked against the values
    submitted here, not those still in the database (Returnee.checklist_checked_with_form)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.instance.checklist_checked_with_form = True

    def clean(self) -> None:
        super().clean()
        returnee = self.instance
        if returnee.stage != Stage.RETURNED or returnee.stored_stage not in BEFORE_RETURN_STAGES:
            return
        forms_ = [form for form in self.forms if not self._should_delete_form(form)]
        if any(form.errors for form in forms_):
            return  # the checklist's own errors come first
        checklist = next((form.instance for form in forms_ if form.instance.pk is not None or form.has_changed()),
                         None)
        blockers = travel_blockers(checklist, returnee.departure_date)
        if blockers:
            raise ValidationError(blocked_message(blockers))


class DepartureChecklistInline(LabelledTabularInline):
    # One record of eleven fields: stacked, each field with its label; versioned like the other rows.
    template = "admin/edit_inline/stacked.html"
    model = DepartureChecklist
    formset = DepartureChecklistFormSet
    extra = 1
    max_num = 1
    can_delete = False
    verbose_name_plural = _("departure checklist")
    fields = ("planned_departure_date", "declaration_signed_on", "declaration_document", "travel_document_type",
              "travel_document_number", "travel_document_expires", "fitness_checked_on", "fitness", "escort",
              "reception_confirmed_on", "onward_transport")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("declaration_document")
        if field is not None:
            # The returnee's own signed declarations (uploaded as documents of the returnee).
            field.queryset = field.queryset.filter(returnee=obj, kind="voluntariness") if obj is not None \
                else field.queryset.none()
        return formset


@admin.register(VulnerabilityCategory)
class VulnerabilityCategoryAdmin(admin.ModelAdmin):
    list_display = ("label", "code")
    search_fields = ("name", "code")

    @admin.display(description=_("name"), ordering="name")
    def label(self, obj: VulnerabilityCategory) -> str:
        return obj.label

    def get_readonly_fields(self, request, obj=None):
        # A reference category is named by the application, in every language: its recorded name and code
        # would change nothing that users see, or break fixtures and imports.
        if obj is not None and obj.code in LABELS:
            return ("code", "name")
        return super().get_readonly_fields(request, obj)


@admin.register(Returnee)
class ReturneeAdmin(CaseImportMixin, AssignedCaseAdminMixin, DeleteWithDependentsMixin, CaseAdmin):
    resource_classes = [ReturneeResource]
    deleted_with = ("sessions",)
    changelist_totals = (
        (_("returnees"), None),
        (_("returns from Morocco"), Q(host_country=MOROCCO)),
        (_("Moroccans returning home"), Q(return_country=MOROCCO)),
        (_("returned"), Q(status=ReturnStatus.DEPARTED)),
    )
    form = ReturneeAdminForm
    list_display = (
        "case_number", "family_name", "given_name", "sex", "nationality", "host_country", "return_country",
        "departure_date", "stage", "status", "assigned_to",
    )
    list_display_links = ("case_number", "family_name")
    list_filter = (
        OwnerListFilter, AssignedToListFilter, ProgrammeListFilter, "stage", "status", YearListFilter, "sex",
        "return_country", "host_country",
        "vulnerabilities",
    )
    # Prefix searches: an index serves them (see migration 0004); a substring search scans the table.
    # The Arabic name is written whole: searched inside it (a trigram index serves it, migration 0013).
    search_fields = ("^case_number", "^family_name", "^given_name", "name_ar")
    # Checkboxes rather than filter_horizontal: a short fixed list, and the widget axe-core finds accessible.
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    list_select_related = ("assigned_to",)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # the add form: the warning of possible duplicates has its place
            first, *others = fieldsets
            # Beside the stage it is about: a return recorded after the fact may start after the return.
            fields = [f for name in first[1]["fields"] for f in ((name, "recorded_after_return") if name == "stage"
                                                                 else (name,))]
            fieldsets = ((first[0], {**first[1], "fields": tuple(fields)}), *others,
                         (_("Possible duplicates"), {"fields": ("not_a_duplicate",)}))
        return fieldsets

    def save_model(self, request: HttpRequest, obj: Returnee, form: forms.ModelForm, change: bool) -> None:
        if not change and form.cleaned_data.get("recorded_after_return"):
            # In the case's history: registered after its return, without a departure checklist.
            obj._change_reason = str(_("Return recorded after the fact (no departure checklist)"))
        super().save_model(request, obj, form, change)

    # The Possible duplicates page among the list's tools (the import's button is added around it).
    change_list_template = "admin/returns/returnee/change_list.html"

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        checklist = DepartureChecklist.objects.filter(returnee=form.instance).first()
        if checklist is None or not checklist.travel_document_number:
            return
        others = list(Returnee.objects.holding_travel_document(checklist.travel_document_number,
                                                               exclude_pk=form.instance.pk)
                      .order_by("case_number").values_list("case_number", flat=True)[:10])
        if others:
            # Not refused: the other record may be the same person, to be merged (Possible duplicates).
            self.message_user(request, format_html(
                '{} <a href="{}">{}</a>',
                _("The travel document number %(number)s is also given for %(records)s: the same person recorded "
                  "twice?") % {"number": checklist.travel_document_number, "records": ", ".join(others)},
                reverse("admin:returns_returnee_duplicates"), _("See the possible duplicates.")), messages.WARNING)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("duplicates/", self.admin_site.admin_view(self.duplicates_view),
                 name="{}_{}_duplicates".format(*info)),
            path("<path:object_id>/merge/", self.admin_site.admin_view(self.merge_view),
                 name="{}_{}_merge".format(*info)),
            *super().get_urls(),
        ]

    def duplicates_view(self, request: HttpRequest) -> HttpResponse:
        """Possible duplicates: returnees who share their date of birth and name key, and returnees whose
        departure checklists give the same travel document number, in groups."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = (Returnee.objects.with_possible_duplicates().order_by("date_of_birth", "name_key", "case_number")
                .only("pk", "case_number", "given_name", "family_name", "date_of_birth", "departure_date", "stage",
                      "status", "name_key")[:DUPLICATES_SHOWN])
        groups: dict[tuple, list[Returnee]] = {}
        for row in rows:
            groups.setdefault((row.date_of_birth, row.name_key), []).append(row)
        documents: dict[str, list[Returnee]] = {}
        for row in (Returnee.objects.sharing_a_travel_document()
                    .order_by("travel_document_key", "case_number")
                    .only("pk", "case_number", "given_name", "family_name", "departure_date", "stage")
                    [:DUPLICATES_SHOWN]):
            documents.setdefault(row.travel_document_key, []).append(row)
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": _("Possible duplicates"),
                   "groups": [group for group in groups.values() if len(group) > 1],
                   "document_groups": [(number, group) for number, group in documents.items() if len(group) > 1],
                   "can_merge": request.user.has_perm("returns.merge_returnee"), "shown": DUPLICATES_SHOWN}
        return TemplateResponse(request, "admin/returns/returnee/duplicates.html", context)

    def merge_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Keep this record and merge another (`?other=<id>`) into it: the conflicts to resolve first, else a
        confirmation. Without `other`, the possible duplicates of this record to choose from."""
        if not request.user.has_perm("returns.merge_returnee"):
            raise PermissionDenied
        kept = self.get_object(request, unquote(object_id))
        if kept is None:
            raise Http404
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": _("Merge two records"),
                   "keep": kept}
        other_id = request.POST.get("other") or request.GET.get("other")
        if not other_id:
            context["candidates"] = Returnee.objects.possible_duplicates_of(
                kept.given_name, kept.family_name, kept.date_of_birth, exclude_pk=kept.pk).order_by("case_number")
            return TemplateResponse(request, "admin/returns/returnee/merge.html", context)
        merged = self.get_object(request, other_id) if other_id.isdigit() else None
        if merged is None:
            raise Http404
        problems = merge_conflicts(kept, merged)
        if request.method == "POST" and not problems:
            try:
                merge_returnees(kept, merged, by=request.user)
            except MergeRefused as exc:
                problems = exc.problems
            else:
                messages.success(request, _("%(other)s was merged into %(keep)s.") % {
                    "other": merged.case_number, "keep": kept.case_number})
                return HttpResponseRedirect(reverse("admin:returns_returnee_change", args=[kept.pk]))
        context.update(other=merged, problems=problems,
                       counts={"sessions": merged.sessions.count(), "plans": merged.plans.count(),
                               "follow_ups": merged.follow_ups.count()})
        status = 409 if problems and request.method == "POST" else 200
        return TemplateResponse(request, "admin/returns/returnee/merge.html", context, status=status)

    inlines = [DepartureChecklistInline, SupportSessionInline]
    fieldsets = (
        (None, {"fields": ("case_number", "stage", "closure_reason", "status")}),
        (_("Owner"), {"fields": ("assigned_to", "assigned_on", "assignment_log")}),
        (_("Person"), {"fields": ("given_name", "family_name", "name_ar", "sex", "date_of_birth", "nationality")}),
        (_("Return"), {"fields": ("host_country", "return_country", "departure_date")}),
        (_("Vulnerability"), {"fields": ("vulnerabilities",)}),
        (_("Consent"), {"fields": ("consent_date", "consent_scope")}),
        (_("Notes"), {"fields": ("notes",)}),
        (_("Record"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )



@admin.register(ReturneeAssignment)
class ReturneeAssignmentAdmin(AssignmentLogAdmin):
    search_fields = ("^case__case_number",)
