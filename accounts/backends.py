"""django-axes' lockout check, tolerant of server-side calls without a request."""

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class AxesBackend(AxesStandaloneBackend):
    """Checks lockouts on every login form (site and admin both pass the request).

    `authenticate()` without a request only comes from server code (the test client's `login()`, a shell),
    never from a visitor, so it is passed on to the next backend instead of raising.
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
