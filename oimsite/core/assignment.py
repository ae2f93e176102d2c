"""Who owns a case: the `assigned_to` of a case model, its append-only log, and the one function that
reassigns (a case worker's returnees, a resettlement officer's files).

A case model mixes in `AssignedCase` and names its log model in `assignment_log`; the log model subclasses
`AssignmentLogEntry` with a `case` foreign key. `reassign()` is the write path of every form, admin
action and command: it checks the new owner, writes the log rows and the history rows, in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

# "Recently assigned to me" looks this far back.
RECENT_ASSIGNMENT_DAYS = 7


class AppendOnlyLogError(Exception):
    """Raised when code tries to change or delete an assignment log entry."""


def staff_users() -> models.QuerySet:
    """The accounts a case may be given to: active staff."""
    return get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")


class AssignedCaseQuerySet(models.QuerySet):
    """The owner filters every list and admin of a case model shares."""

    def assigned_to_user(self, user: Any) -> AssignedCaseQuerySet:
        return self.filter(assigned_to=user)

    def unassigned(self) -> AssignedCaseQuerySet:
        return self.filter(assigned_to__isnull=True)

    def recently_assigned_to(self, user: Any, days: int = RECENT_ASSIGNMENT_DAYS) -> AssignedCaseQuerySet:
        since = timezone.now() - timedelta(days=days)
        return self.filter(assigned_to=user, assigned_on__gte=since)


class AssignedCase(models.Model):
    """A case with an owner: the staff user who does its work (may be empty until someone takes it)."""

    # SET_NULL: deleting an account leaves its cases unassigned (the dashboard counts them), never deleted.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("assigned to"), limit_choices_to={"is_active": True, "is_staff": True},
        help_text=_("The staff member who owns this case."),
    )
    assigned_on = models.DateTimeField(_("assigned on"), null=True, blank=True, editable=False)

    # The concrete log model, as "app_label.ModelName"; set by each case model.
    assignment_log: str = ""

    class Meta:
        abstract = True


class AssignmentLogQuerySet(models.QuerySet):
    # The log is evidence: bulk changes are refused like single ones.
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyLogError("Assignment log entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyLogError("Assignment log entries cannot be deleted.")


class AssignmentLogEntry(models.Model):
    """One change of owner: from whom, to whom, by whom, when and why. Subclasses add `case`."""

    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("from"),
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("to"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("date and time"), default=timezone.now, db_index=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = AssignmentLogQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-at", "-pk"]
        default_permissions = ("view",)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyLogError("Assignment log entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyLogError("Assignment log entries cannot be deleted.")


def check_new_owner(user: Any) -> None:
    """Refuse an owner who cannot work: an inactive or non-staff account."""
    if user is not None and (not user.is_active or not user.is_staff):
        raise ValidationError({"assigned_to": [
            _("%(user)s cannot own cases: the account is inactive or not a staff account.") % {"user": user}
        ]})


def reassign(cases: Iterable[AssignedCase], to_user: Any, *, by: Any, reason: str = "") -> int:
    """Give `cases` (instances of one case model) to `to_user` (None: unassign), logging each change.

    Cases already owned by `to_user` are left alone. Returns how many changed hands. The caller checks
    that `by` may reassign (the permission and the programme); this checks the new owner.
    """
    check_new_owner(to_user)
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise ValidationError({"reason": [_("Keep the reason under 200 characters.")]})
    cases = list(cases)
    if not cases:
        return 0
    model = type(cases[0])
    log_model = model._meta.apps.get_model(model.assignment_log)
    to_pk = to_user.pk if to_user is not None else None
    with transaction.atomic():
        # Lock and re-read: the owner shown on the page may have changed since.
        current = {c.pk: c for c in model.objects.select_for_update().filter(pk__in=[c.pk for c in cases])}
        changed = [c for c in current.values() if c.assigned_to_id != to_pk]
        if not changed:
            return 0
        now = timezone.now()
        log_model.objects.bulk_create([
            log_model(case=c, from_user_id=c.assigned_to_id, to_user=to_user, by=by, at=now, reason=reason)
            for c in changed
        ])
        for c in changed:
            c.assigned_to = to_user
            c.assigned_on = now if to_user is not None else None
            c._change_reason = reason or str(_("Reassigned"))
        bulk_update_with_history(
            changed, model, ["assigned_to", "assigned_on"], default_user=by,
            default_change_reason=reason or str(_("Reassigned")),
        )
    return len(changed)


def log_initial_owner(case: AssignedCase, previous_owner_id: int | None, *, by: Any, reason: str = "") -> None:
    """Log an owner set through a case's own form (the admin's add or change page), after its save."""
    if case.assigned_to_id == previous_owner_id:
        return
    log_model = case._meta.apps.get_model(case.assignment_log)
    log_model.objects.create(case=case, from_user_id=previous_owner_id, to_user_id=case.assigned_to_id, by=by,
                             reason=reason)

