"""Audit receivers: Django's auth signals, the list exports' `export_done` and the imports' `import_done`."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from oimsite.core.names import records_merged
from oimsite.lists.exports import export_done
from oimsite.lists.imports import import_done

from .models import AuditEvent, AuditEventKind


@receiver(user_logged_in, dispatch_uid="accounts.audit_login")
def audit_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    AuditEvent.objects.record(AuditEventKind.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="accounts.audit_logout")
def audit_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    AuditEvent.objects.record(AuditEventKind.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="accounts.audit_login_failed")
def audit_login_failed(sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any) -> None:
    # Django has already masked the password in `credentials`; only the username is kept.
    username = str(credentials.get("username") or "")
    AuditEvent.objects.record(AuditEventKind.LOGIN_FAILED, request=request, username=username)


@receiver(export_done, dispatch_uid="accounts.audit_export")
def audit_export(
    sender: Any, request: HttpRequest, model: Any = None, export_format: str = "", filters: Any = "",
    row_count: int | None = None, columns: str = "", **kwargs: Any,
) -> None:
    if model is None:
        what = kwargs.get("what", "")
    elif isinstance(model, str):
        what = model
    else:
        what = model._meta.label_lower
    # Which columns of a list: the ones shown, or every field (date of birth, vulnerabilities, consent…).
    detail = {"columns": columns} if columns else {}
    AuditEvent.objects.record(
        AuditEventKind.EXPORT, request=request, what=what, format=export_format,
        filters=filters if isinstance(filters, (str, dict)) else str(filters), row_count=row_count, **detail,
    )


@receiver(import_done, dispatch_uid="accounts.audit_import")
def audit_import(sender: Any, request: HttpRequest | None = None, user: Any = None, file_name: str = "",
                 mode: str = "", written: bool = False, counts: dict | None = None, **kwargs: Any) -> None:
    AuditEvent.objects.record(
        AuditEventKind.IMPORT, request=request, user=user if user is not None and user.is_authenticated else None,
        username="" if user is not None else "manage.py", what=sender._meta.label_lower, file_name=file_name[:255],
        mode=mode, written=written, counts=counts or {},
    )


@receiver(records_merged, dispatch_uid="accounts.audit_merge")
def audit_merge(sender: Any, kept: Any, merged: str, by: Any = None, moved: dict | None = None,
                **kwargs: Any) -> None:
    AuditEvent.objects.record(AuditEventKind.MERGE, user=by, what=sender._meta.label_lower,
                              kept=getattr(kept, "case_number", str(kept)), merged=merged, moved=moved or {})
