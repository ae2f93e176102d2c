from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.http import HttpRequest

from oimsite.lists.admin_guards import SafeDateHierarchyMixin

from .models import AuditEvent


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
