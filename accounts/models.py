"""The audit log of logins, failed logins, logouts, exports, document downloads and consent overrides; the
site-wide permissions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventKind(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    MERGE = "merge", _("Merge of two records")
    DOWNLOAD = "download", _("Document download")
    REFERRAL_OVERRIDE = "referral_override", _("Referral without data-sharing consent")


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    # The log is evidence: bulk changes are refused like single ones.
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")

    def record(
        self, kind: str, *, request: Any = None, user: Any = None, username: str = "", **detail: Any
    ) -> AuditEvent:
        """Append one event; `detail` holds what was exported and with which filter."""
        if user is None and request is not None:
            candidate = getattr(request, "user", None)
            if candidate is not None and candidate.is_authenticated:
                user = candidate
        if user is not None and not username:
            username = user.get_username()
        return self.create(
            kind=kind,
            user=user,
            username=username[:150],
            ip_address=(request.META.get("REMOTE_ADDR") or None) if request is not None else None,
            path=(request.path[:255] if request is not None else ""),
            detail=detail,
        )


class AuditEvent(models.Model):
    """One login, failed login, logout or export: who, when, from where, what."""

    kind = models.CharField(_("event"), max_length=20, choices=AuditEventKind.choices)
    timestamp = models.DateTimeField(_("date and time"), auto_now_add=True, db_index=True)
    # SET_NULL keeps the event when an account is deleted; `username` still says who it was.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="audit_events", verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    path = models.CharField(_("page"), max_length=255, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-timestamp", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # Append-only: there is nothing to add, change or delete by hand.
        default_permissions = ("view",)
        permissions = [
            ("view_dashboard", _("Can view the dashboard and the annual report")),
            ("export_aggregate", _("Can export the aggregate report shared outside IOM")),
            ("view_caseload", _("Can view every staff member's caseload")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.username or '?'} — {self.timestamp:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")


def language_choices() -> list[tuple[str, str]]:
    # Read from the settings when asked, so that a language added to LANGUAGES needs no migration.
    return [(code, name) for code, name in settings.LANGUAGES]


class UserPreference(models.Model):
    """What a user chose for themselves and keeps from one session, and one computer, to the next."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="preference",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"), max_length=15, choices=language_choices,
        help_text=_("The interface's language for this user, applied at each login."),
    )

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")
        # Each user sets their own, through the language menu: no permission to hand out.
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.user} — {self.language}"
