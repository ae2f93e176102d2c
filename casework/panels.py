"""The timeline sections casework adds to the returnee and resettlement file pages (oimsite.core.panels)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from oimsite.core.panels import Panel

from .timeline import file_timeline, returnee_timeline


def _returnee_context(returnee: Any, request: HttpRequest) -> dict[str, Any]:
    return {"entries": returnee_timeline(returnee, request.user)}


def _file_context(file: Any, request: HttpRequest) -> dict[str, Any]:
    return {"entries": file_timeline(file, request.user)}


returnee_timeline_panel = Panel("casework.timeline", "casework/_timeline.html", _returnee_context)
file_timeline_panel = Panel("casework.timeline", "casework/_timeline.html", _file_context)
