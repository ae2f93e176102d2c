"""The lockout page of django-axes; logout; the language menu."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.i18n import set_language as django_set_language

from .language import chosen_before_login, store_preference, supported


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


class LogoutView(auth_views.LogoutView):
    """Django's logout, which also asks the browser to drop what it cached of the site (Clear-Site-Data).

    Every page is sent with no-store already; this also clears a page a browser kept despite it (its
    back-forward cache), so that nothing of the session is shown again from the history.
    """

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache"'
        return response


@login_not_required
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (the language cookie, the redirect to `next`), the choice also kept for the
    signed-in user (accounts/language.py)."""
    response = django_set_language(request)
    if request.method != "POST":
        return response
    language = supported(request.POST.get("language"))
    if language is None:
        # Django's view writes any language it has a catalogue for ("de"): only ours are chosen.
        response.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    elif request.user.is_authenticated:
        store_preference(request.user, language)
    else:
        chosen_before_login(request)
    return response
