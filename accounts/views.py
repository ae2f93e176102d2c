"""The lockout page of django-axes."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def lockout(request: HttpRequest, original_response: HttpResponse | None = None,
            credentials: dict | None = None) -> HttpResponse:
    """django-axes' lockout page (HTTP 429): which rule locked the login, and when to try again."""
    cool_off = settings.AXES_COOLOFF_TIME
    handler = AxesProxyHandler.get_implementation()
    if hasattr(handler, "lockout_context"):
        context = handler.lockout_context(request, credentials)
    else:
        context = {"address_locked": False, "failure_limit": settings.AXES_FAILURE_LIMIT}
    # Each attempt during the lockout restarts the cool-off, so "now + cool-off" is the honest answer.
    context.update({
        "cooloff_minutes": int(cool_off.total_seconds() // 60),
        "retry_at": timezone.localtime(timezone.now() + cool_off),
    })
    return render(request, "accounts/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
