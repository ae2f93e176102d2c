from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
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
