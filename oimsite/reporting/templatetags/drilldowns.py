"""A figure links to the records it counts only for someone who may open that list.

The dashboard is open to every role, its drill-down lists are not (a resettlement officer may not see
returnees): `{% if indicator.url|may_open:request.user %}<a href=…>…</a>{% else %}…{% endif %}`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import template
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.urls import Resolver404, resolve

register = template.Library()


def required_permissions(url: str) -> tuple[str, ...] | None:
    """The permissions that the view at `url` checks (PermissionRequiredMixin), `()` for a view that checks
    none, None for a URL that leads to no view of the site."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not issubclass(view_class, PermissionRequiredMixin):
        return ()
    required = view_class.permission_required
    return (required,) if isinstance(required, str) else tuple(required or ())


@register.filter
def may_open(url: str, user: Any) -> bool:
    """Whether `user` may open `url`: signed in, and holding the permissions its view checks."""
    if not url or user is None or not user.is_authenticated:
        return False
    permissions = required_permissions(url)
    return permissions is not None and user.has_perms(permissions)
