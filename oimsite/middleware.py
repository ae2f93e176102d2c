"""Site-wide middleware: answers for the conditions no single view should have to handle."""

from __future__ import annotations

from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

# Seconds a client is told to wait before submitting again (the Retry-After header).
BUSY_RETRY_AFTER = 5


def is_database_locked(exception: BaseException) -> bool:
    """SQLite's "database is locked": another writer held the database past the busy timeout."""
    return isinstance(exception, OperationalError) and "database is locked" in str(exception)


class DatabaseBusyMiddleware:
    """A write that still cannot proceed after SQLite's busy timeout: a 503 "try again" page, not a 500.

    With WAL, immediate transactions and a busy timeout (settings.py) concurrent edits wait their turn;
    only one kept waiting longer than the timeout (a long `load_baseline`) ends here. The view's
    transaction has rolled back, so the page can say that nothing was saved.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_locked(exception):
            return None
        response = HttpResponse(render_to_string("503.html", request=request), status=503)
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response


class NoStoreMiddleware:
    """No page or download of the site is kept by a browser or a proxy: `Cache-Control: no-store, private`.

    Lists, detail pages, exports and the dashboard hold personal data; a cached copy would outlive the
    session (the back button after logout, a shared computer's disk cache). Static files never reach this
    middleware: WhiteNoise, above it, answers them with its own long-lived caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


class RefuseNulMiddleware:
    """A NUL character in the query string: 400, before any view reads it.

    PostgreSQL cannot hold NUL in a string, so a NUL in a filter, a search or an autocomplete term failed
    with a 500 wherever the value reached a query; no page of the site has a use for one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            return HttpResponseBadRequest(
                _("The address of this page contains a NUL character, which no page accepts."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
