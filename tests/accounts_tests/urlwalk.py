"""Walk the URLconf: every pattern with its full name, converters and the view behind it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Endpoint:
    key: str  # "namespace:name", or "namespace:<route>" for an unnamed pattern
    name: str | None  # reversible name, None if unnamed
    route: str  # full route, for messages
    params: tuple[str, ...]  # keyword parameters, or "0", "1"… for positional (regex groups)
    callback: Any
    admin_model: Any  # the ModelAdmin's model for patterns under a ModelAdmin's include


def _params(pattern: Any) -> tuple[str, ...]:
    regex = pattern.regex
    named = tuple(regex.groupindex)
    if named:
        return named
    return tuple(str(i) for i in range(regex.groups))


def _admin_model(route: str) -> Any:
    """The model whose ModelAdmin serves URLs under `route` (admin.site's `<app>/<model>/` include)."""
    from django.contrib import admin

    for model in admin.site._registry:
        if route.endswith(f"{model._meta.app_label}/{model._meta.model_name}/"):
            return model
    return None


def walk(resolver: URLResolver | None = None, namespace: str = "", prefix: str = "",
         params: tuple[str, ...] = (), admin_model: Any = None) -> list[Endpoint]:
    resolver = resolver or get_resolver()
    endpoints: list[Endpoint] = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        here = params + _params(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            endpoints += walk(entry, ns, route, here, _admin_model(route) or admin_model)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            key = name or f"{namespace}:<{route}>"
            endpoints.append(Endpoint(key, name, route, here, entry.callback, admin_model))
    return endpoints
