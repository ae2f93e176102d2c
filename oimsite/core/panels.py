"""Sections that apps built on a case model add to its detail page, without the case's app importing them.

The app that owns the detail page renders `render_panels(obj, request)`; an app above it registers a panel
for the model's label in its AppConfig.ready() (`register("returns.returnee", Panel(...))`). So returns
shows the casework timeline while casework imports returns, never the reverse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Panel:
    """A template and the function that builds its context from the record and the request.

    `context` returns None when the panel has nothing to show to this user (it is then left out).
    """

    key: str
    template: str
    context: Callable[[models.Model, HttpRequest], dict[str, Any] | None]
    order: int = 100


_PANELS: dict[str, dict[str, Panel]] = {}


def register(model_label: str, panel: Panel) -> None:
    """Add `panel` to the detail page of the model `app_label.modelname` (lower case); registering the same
    key again replaces it (ready() may run more than once in tests)."""
    _PANELS.setdefault(model_label.lower(), {})[panel.key] = panel


def panels_for(model: type[models.Model]) -> list[Panel]:
    return sorted(_PANELS.get(model._meta.label_lower, {}).values(), key=lambda p: (p.order, p.key))


def render_panels(obj: models.Model, request: HttpRequest) -> list[SafeString]:
    """The registered panels of `obj`'s model, rendered in their order (templates give safe strings)."""
    rendered = []
    for panel in panels_for(type(obj)):
        context = panel.context(obj, request)
        if context is not None:
            rendered.append(render_to_string(panel.template, context, request=request))
    return rendered
