"""Who owns a case, in the lists and the admin: the owner filters (mine, unassigned, recently assigned to me,
assigned to someone), and the admin of a case with an owner (the owner field for those who may reassign, the
log of owners, the "Reassign selected cases" action).

The filters read the case QuerySet's methods (oimsite.core.assignment.AssignedCaseQuerySet); a model
without them (a follow-up has an owner but no log) is filtered on its `assigned_to` field.
"""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_permission_codename, get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from oimsite.core.assignment import (
    RECENT_ASSIGNMENT_DAYS,
    AssignedCaseQuerySet,
    log_initial_owner,
    reassign,
    staff_users,
)
from oimsite.lists.admin_base import SafeModelChoiceField

MINE, UNASSIGNED, RECENT = "mine", "unassigned", "recent"
OWNER_CHOICES = [
    (MINE, _("Mine")),
    (UNASSIGNED, _("Unassigned")),
    (RECENT, _("Recently assigned to me (%(days)s days)") % {"days": RECENT_ASSIGNMENT_DAYS}),
]
# A follow-up has an owner but no date of assignment.
OWNER_CHOICES_WITHOUT_RECENT = OWNER_CHOICES[:2]

INACTIVE_OWNER = _("Choose an active staff account: this one is inactive, not a staff account, or unknown.")


def filter_by_owner(queryset: QuerySet, choice: str, user: Any, field: str = "assigned_to") -> QuerySet:
    """The rows of `queryset` that `choice` (mine, unassigned, recent) selects for `user`."""
    owned = isinstance(queryset, AssignedCaseQuerySet)
    if choice == MINE:
        return queryset.assigned_to_user(user) if owned else queryset.filter(**{field: user})
    if choice == UNASSIGNED:
        return queryset.unassigned() if owned else queryset.filter(**{f"{field}__isnull": True})
    if choice == RECENT and owned:
        return queryset.recently_assigned_to(user)
    return queryset


def owner_candidates() -> QuerySet:
    """The accounts a list may be filtered on: staff, active or not (an inactive one may still own cases)."""
    return get_user_model().objects.filter(is_staff=True).order_by("username")


def owner_label(user: Any) -> str:
    return user.get_full_name() or user.get_username()


class OwnerChoiceField(SafeModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return owner_label(obj)


class OwnerColumn(tables.Column):
    """The case's owner, by name (the list selects the user with the case: `select_related`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("verbose_name", _("Assigned to"))
        kwargs.setdefault("accessor", "assigned_to")
        kwargs.setdefault("order_by", ("assigned_to__username", "pk"))
        super().__init__(*args, **kwargs)

    def render(self, value: Any) -> str:
        return owner_label(value)

    def value(self, value: Any) -> str:
        return owner_label(value) if value is not None else ""


# --- Lists (django-filter) ---------------------------------------------------------------------------------

class OwnerFilter(django_filters.ChoiceFilter):
    """Mine, unassigned, or recently assigned to me: relative to the signed-in user (the FilterSet's request)."""

    def __init__(self, *args: Any, with_recent: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Owner"))
        kwargs.setdefault("field_name", "assigned_to")
        kwargs.setdefault("choices", OWNER_CHOICES if with_recent else OWNER_CHOICES_WITHOUT_RECENT)
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        if not value:
            return qs
        # The lists require a login: the FilterSet's request has a signed-in user.
        return filter_by_owner(qs, value, self.parent.request.user, self.field_name)


class AssignedToFilter(django_filters.ModelChoiceFilter):
    """Assigned to one staff member (an unknown id is a form error)."""

    field_class = OwnerChoiceField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Assigned to"))
        kwargs.setdefault("queryset", lambda request: owner_candidates())
        kwargs.setdefault("field_name", "assigned_to")
        super().__init__(*args, **kwargs)


# --- Admin list filters --------------------------------------------------------------------------------------

class OwnerListFilter(admin.SimpleListFilter):
    """Mine, unassigned, recently assigned to me (fixed choices: no query to list them)."""

    title = _("owner")
    parameter_name = "owner"
    owner_choices = OWNER_CHOICES

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return list(self.owner_choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        if value not in dict(self.owner_choices):
            raise IncorrectLookupParameters(_("Unknown owner filter: %(value)s") % {"value": value})
        return filter_by_owner(queryset, value, request.user)


class FollowUpOwnerListFilter(OwnerListFilter):
    owner_choices = OWNER_CHOICES_WITHOUT_RECENT


class AssignedToListFilter(admin.SimpleListFilter):
    """Assigned to one staff member, chosen among the staff accounts (one query, whatever the cases)."""

    title = _("assigned to")
    parameter_name = "assigned_to"
    field = "assigned_to_id"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(str(user.pk), owner_label(user)) for user in owner_candidates()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit() or len(value) > 18:
            raise IncorrectLookupParameters(_("Unknown staff member: %(value)s") % {"value": value[:20]})
        return queryset.filter(**{self.field: int(value)})


class ToUserListFilter(AssignedToListFilter):
    title = _("to")
    parameter_name = "to_user"
    field = "to_user_id"


class ByUserListFilter(AssignedToListFilter):
    title = _("by")
    parameter_name = "by"
    field = "by_id"


# --- Admin of a case with an owner ---------------------------------------------------------------------------

class ReassignForm(forms.Form):
    """The intermediate page of the "Reassign selected cases" action."""

    assigned_to = OwnerChoiceField(
        label=_("New owner"), queryset=staff_users(), error_messages={"invalid_choice": INACTIVE_OWNER},
    )
    reason = forms.CharField(label=_("Reason"), max_length=200,
                             help_text=_("Written in the assignment log of each case."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read at each use: an account deactivated since the server started is not offered.
        self.fields["assigned_to"].queryset = staff_users()


class AssignmentLogAdmin(admin.ModelAdmin):
    """The assignment log of a case model, to read: nobody adds, changes or deletes an entry."""

    list_display = ("at", "case", "from_user", "to_user", "by", "reason")
    list_select_related = ("case", "from_user", "to_user", "by")
    list_filter = (ToUserListFilter, ByUserListFilter)
    show_full_result_count = False
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # An entry goes only with its case: the case's delete confirmation asks this of each entry, and
        # allows it to those who may delete the case. Never alone (delete_view), never in bulk (obj None).
        if obj is None:
            return False
        case_opts = self.model._meta.get_field("case").related_model._meta
        return request.user.has_perm(f"{case_opts.app_label}.{get_permission_codename('delete', case_opts)}")

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        raise PermissionDenied

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "show_delete": False})


class AssignedCaseAdminMixin:
    """For the admin of an AssignedCase (before CaseAdmin in the bases).

    The owner is shown to everyone and editable only by those with the model's `reassign_<model>`
    permission (a supervisor, the administrator), on the add page and the change page; a change made there
    is logged like a reassignment. The "Reassign selected cases" action is offered only to them, and
    refused to anyone else even when posted by hand (Django checks an action's permissions).
    """

    actions = ["reassign_selected"]
    reassign_template = "admin/oimsite/reassign.html"

    def reassign_permission(self) -> str:
        opts = self.model._meta
        return f"{opts.app_label}.reassign_{opts.model_name}"

    def has_reassign_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.has_perm(self.reassign_permission())

    # The newest changes of owner shown on a case's page (the log's own admin lists them all).
    assignment_log_shown = 20

    @admin.display(description=_("changes of owner"))
    def assignment_log(self, obj: Model | None) -> str:
        """The case's log, newest first, as a read-only section of its change page (not an inline: there is
        nothing to submit)."""
        if obj is None or obj.pk is None:
            return "—"
        entries = list(obj.assignments.select_related("from_user", "to_user", "by")[: self.assignment_log_shown])
        if not entries:
            return _("No change of owner recorded.")
        return format_html("<ul class=\"assignment-log\">{}</ul>", format_html_join("", "<li>{}</li>", (
            (_("%(when)s: from %(from)s to %(to)s, by %(by)s%(reason)s") % {
                "when": formats.date_format(timezone.localtime(entry.at), "SHORT_DATETIME_FORMAT"),
                "from": owner_label(entry.from_user) if entry.from_user else _("nobody"),
                "to": owner_label(entry.to_user) if entry.to_user else _("nobody"),
                "by": owner_label(entry.by) if entry.by else "—",
                "reason": f" — {entry.reason}" if entry.reason else "",
            },) for entry in entries)))

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> tuple[str, ...]:
        fields = (*super().get_readonly_fields(request, obj), "assigned_on", "assignment_log")
        if not self.has_reassign_permission(request, obj):
            fields = (*fields, "assigned_to")
        return fields

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs: Any):
        if db_field.name == "assigned_to":
            kwargs.setdefault("queryset", staff_users())
            kwargs.setdefault("error_messages", {"invalid_choice": INACTIVE_OWNER})
            kwargs.setdefault("form_class", OwnerChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        owner_set_here = "assigned_to" in form.fields
        # The owner the form was loaded with; the versioned save refuses the edit if the record changed since.
        previous = form.initial.get("assigned_to") if change else None
        previous = getattr(previous, "pk", previous)
        if owner_set_here and obj.assigned_to_id != previous:
            obj.assigned_on = timezone.now() if obj.assigned_to_id is not None else None
        super().save_model(request, obj, form, change)
        if owner_set_here:
            log_initial_owner(obj, previous, by=request.user, reason=str(_("Set in the administration")))

    @admin.action(permissions=["reassign"], description=_("Reassign selected cases"))
    def reassign_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        """An intermediate page: choose the new owner and give a reason; then reassign (one transaction)."""
        form = ReassignForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                changed = reassign(queryset, form.cleaned_data["assigned_to"], by=request.user,
                                   reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(request, ngettext(
                    "%(count)d case reassigned to %(owner)s.", "%(count)d cases reassigned to %(owner)s.", changed,
                ) % {"count": changed, "owner": owner_label(form.cleaned_data["assigned_to"])}, messages.SUCCESS)
                return None
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reassign selected cases"),
            "opts": opts,
            "form": form,
            "cases": queryset.select_related("assigned_to")[:200],
            "case_count": queryset.count(),
            "selected": queryset.values_list("pk", flat=True),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": "reassign_selected",
            "media": self.media,
        }
        return TemplateResponse(request, self.reassign_template, context)
