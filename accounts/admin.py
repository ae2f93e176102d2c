from __future__ import annotations

from typing import Any

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from oimsite.core.text import validate_line
from oimsite.lists.admin_guards import SafeDateHierarchyMixin

from . import roles
from .models import AuditEvent

User = get_user_model()


@admin.register(AuditEvent)
class AuditEventAdmin(SafeDateHierarchyMixin, admin.ModelAdmin):
    """The audit log, read-only for everyone: nobody adds, edits or deletes an event."""

    list_display = ("timestamp", "kind", "username", "ip_address", "path")
    list_filter = ("kind", "timestamp")
    search_fields = ("username", "ip_address", "path")
    date_hierarchy = "timestamp"
    readonly_fields = ("timestamp", "kind", "user", "username", "ip_address", "path", "detail")
    fields = readonly_fields
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


# django-axes' own admins (AXES_ENABLE_ADMIN = False), with a date hierarchy that refuses impossible years.
@admin.register(AccessAttempt)
class AccessAttemptAdmin(SafeDateHierarchyMixin, axes_admin.AccessAttemptAdmin):
    pass


@admin.register(AccessLog)
class AccessLogAdmin(SafeDateHierarchyMixin, axes_admin.AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(SafeDateHierarchyMixin, axes_admin.AccessFailureLogAdmin):
    pass


def role_groups() -> QuerySet[Group]:
    """The groups of the roles defined in accounts/roles.py (a role added there is offered here at once)."""
    return Group.objects.filter(name__in=list(roles.ROLE_PERMISSIONS)).order_by("name")


class AccountChangeForm(UserChangeForm):
    """The account form; names refuse control characters like every text of the case records."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email"):
            if name in self.fields:
                self.fields[name].validators.append(validate_line)


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    """Accounts. A superuser edits everything, as in Django's admin. Anyone else (an Administrateur) manages
    accounts within the roles of accounts/roles.py:

    - gives an account its roles among those groups only, and staff status follows: an account with a
      role opens the admin (which shows what the role allows), one without does not;
    - never sets superuser status, staff status or individual permissions: those fields are not in the
      form, and `save_model` keeps the stored values whatever is posted;
    - cannot change, delete or set the password of a superuser's account (view only).
    """

    form = AccountChangeForm
    restricted_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Role"), {"fields": ("is_active", "groups", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    restricted_readonly_fields = ("is_staff", "is_superuser", "last_login", "date_joined")

    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None) -> Any:
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.restricted_fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        return readonly + self.restricted_readonly_fields

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = role_groups()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            # Checked here too, whatever form the request was built with: only a superuser grants these.
            stored = User.objects.filter(pk=obj.pk).values("is_superuser", "is_staff").first() if change else None
            obj.is_superuser = bool(stored and stored["is_superuser"])
            obj.is_staff = bool(stored and stored["is_staff"])
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        account = form.instance
        if not request.user.is_superuser and "groups" in form.cleaned_data:
            has_role = account.groups.filter(name__in=list(roles.ROLE_PERMISSIONS)).exists()
            if account.is_staff != has_role:
                account.is_staff = has_role
                account.save(update_fields=["is_staff"])


admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(GroupAdmin):
    """The roles' groups: their permissions come from accounts/roles.py; only a superuser edits a group."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser
