"""The login lockout rules, as a django-axes handler (AXES_HANDLER).

Two rules, each over the failures of the last AXES_COOLOFF_TIME:

- a username from one address is locked after AXES_FAILURE_LIMIT failures: one person's typos lock only
  that name from that address, never a colleague in the same office (behind the same address);
- an address, whatever the usernames tried from it, is locked after OIM_LOCKOUT_ADDRESS_FAILURE_LIMIT
  failures, a much higher number: one password tried against many accounts (password spraying).

A successful login clears the failures of that username from that address, and nobody else's.

django-axes counts failures per set of AXES_LOCKOUT_PARAMETERS but compares them all with one limit; its
maintainers point to a custom handler for a limit per set (jazzband/django-axes#661), which this is.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

ADDRESS = "ip_address"


def rule_limit(parameter: str | list[str], pair_limit: int) -> int:
    """The failures after which a set of lockout parameters is locked: the address alone has its own limit."""
    if parameter == ADDRESS or list(parameter) == [ADDRESS]:
        return settings.OIM_LOCKOUT_ADDRESS_FAILURE_LIMIT
    return pair_limit


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler, with a failure limit per lockout rule."""

    def failures_by_rule(self, request: HttpRequest, credentials: dict | None = None,
                         ) -> list[tuple[str | list[str], int, int]]:
        """(lockout parameters, recent failures, their limit) for each rule, in AXES_LOCKOUT_PARAMETERS order."""
        pair_limit = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        attempts = self.get_user_attempts(request, credentials)
        return [
            (parameter, queryset.aggregate(n=Sum("failures_since_start"))["n"] or 0, rule_limit(parameter, pair_limit))
            for parameter, queryset in zip(parameters, attempts, strict=True)
        ]

    def locked_rules(self, request: HttpRequest, credentials: dict | None = None) -> list[str | list[str]]:
        """The rules this request is locked by (for the lockout page)."""
        return [parameter for parameter, failures, limit in self.failures_by_rule(request, credentials)
                if failures >= limit]

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """The failures that axes compares with AXES_FAILURE_LIMIT, each rule's counted in units of that limit.

        `failures × limit // rule limit` reaches the limit exactly when the failures reach the rule's own
        limit, so the address's failures lock it only at its higher limit, and a username's at AXES_FAILURE_LIMIT.
        """
        pair_limit = get_failure_limit(request, credentials)
        return max((failures * pair_limit // limit for _parameter, failures, limit
                    in self.failures_by_rule(request, credentials)), default=0)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """On a successful login (AXES_RESET_ON_SUCCESS): that username's failures from that address only.

        axes' own reset deletes every failure matching any lockout parameter, so one colleague's success
        would wipe everything recorded against the address, the failures on other accounts included.
        """
        username = get_client_username(request, credentials)
        count, _deleted = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count

    def lockout_context(self, request: HttpRequest, credentials: dict | None = None) -> dict[str, Any]:
        """Which rule locked the request, and its limit."""
        locked = self.locked_rules(request, credentials)
        pair_limit = get_failure_limit(request, credentials)
        if locked and all(rule_limit(parameter, pair_limit) != pair_limit for parameter in locked):
            return {"address_locked": True, "failure_limit": settings.OIM_LOCKOUT_ADDRESS_FAILURE_LIMIT}
        return {"address_locked": False, "failure_limit": pair_limit}
