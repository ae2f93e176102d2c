"""The interface's language: the office's default until a user chooses another, whatever the browser asks.

Django's LocaleMiddleware follows the browser's Accept-Language, so an office working in French on
computers set up in English would get English. Here the language of a request is, in order:

1. the language cookie, written when someone picks a language in the page header, and at login from the
   user's stored choice;
2. `settings.LANGUAGE_CODE` (the `OIM_LANGUAGE_CODE` environment variable, French by default).

A signed-in user's choice is also kept with their account (`UserPreference`) and applied at each login,
on any computer; a colleague who logs in next on the same browser gets their own choice, or the default.
A choice made on the login page is kept as the choice of whoever logs in from that page. Any language in
`settings.LANGUAGES` works; the cookie outlives the session (`LANGUAGE_COOKIE_AGE`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .models import UserPreference

# On the request: the language that the response's cookie must now hold (None: remove the cookie).
_REMEMBER = "_oim_remember_language"
# In an anonymous session: a language was picked on the login page, before knowing who would log in.
CHOSEN_BEFORE_LOGIN = "oim_language_chosen"


def supported(code: Any) -> str | None:
    """`code` if it is one of `settings.LANGUAGES`, else None (an old cookie, a forged value)."""
    if isinstance(code, str) and code in {language for language, _name in settings.LANGUAGES}:
        return code
    return None


def chosen_before_login(request: HttpRequest) -> None:
    """Note that the visitor of the login page picked a language: it becomes their choice once logged in."""
    request.session[CHOSEN_BEFORE_LOGIN] = True


def cookie_language(request: HttpRequest) -> str | None:
    return supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))


def _write_cookie(response: HttpResponse, language: str | None) -> None:
    if language is None:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH,
                               domain=settings.LANGUAGE_COOKIE_DOMAIN, samesite=settings.LANGUAGE_COOKIE_SAMESITE)
        return
    # The same attributes as Django's set_language view.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class LanguageMiddleware:
    """In place of LocaleMiddleware: the cookie's language or the default, never Accept-Language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        translation.activate(cookie_language(request) or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if hasattr(request, _REMEMBER):
            _write_cookie(response, getattr(request, _REMEMBER))
        # The same address answers in the language of the cookie: caches must keep them apart.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def store_preference(user: Any, language: str) -> None:
    """Keep `language` as the user's choice, applied at their next logins."""
    UserPreference.objects.update_or_create(user=user, defaults={"language": language})


@receiver(user_logged_in, dispatch_uid="accounts.apply_language_preference")
def apply_language_preference(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """At login: the user's stored language; else the one just chosen on the login page (then stored);
    else the default, whatever a previous user of this browser chose."""
    if request is None:
        return
    language = supported(UserPreference.objects.filter(user=user).values_list("language", flat=True).first())
    session = getattr(request, "session", None)
    chosen_before = session.pop(CHOSEN_BEFORE_LOGIN, False) if session is not None else False
    if language is None and chosen_before:
        language = cookie_language(request)
        if language is not None:
            store_preference(user, language)
    setattr(request, _REMEMBER, language)
