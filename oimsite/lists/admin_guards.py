"""Admin hooks that turn hostile query strings into the admin's own refusals instead of 500s."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest


def date_hierarchy_range(year: str, month: str | None, day: str | None) -> tuple[datetime, datetime]:
    """The range a date hierarchy's year, month and day select, computed as Django's ChangeList does."""
    start = datetime(int(year), int(month or 1), int(day or 1))
    if day:
        return start, start + timedelta(days=1)
    if month:
        return start, (start + timedelta(days=32)).replace(day=1)
    return start, start.replace(year=start.year + 1)


class DateHierarchyChangeList(ChangeList):
    """Django's changelist, refusing a date hierarchy the calendar cannot hold.

    Django checks that year, month and day make a date (ValueError), but not that the numbers fit a C int
    (OverflowError on `year=99999999999999999999`), nor that the range's end exists (year 9999 has no
    next year): both were 500s. Now they get the admin's "?e=1" page, as any other bad lookup does.
    """

    def get_filters(self, request: HttpRequest) -> Any:
        if self.date_hierarchy:
            year, month, day = (request.GET.get(f"{self.date_hierarchy}__{part}") for part in ("year", "month", "day"))
            if year is not None:
                try:
                    date_hierarchy_range(year, month, day)
                except (ValueError, OverflowError) as exc:
                    raise IncorrectLookupParameters(exc) from exc
        return super().get_filters(request)


class SafeDateHierarchyMixin:
    """For a ModelAdmin with a `date_hierarchy`: its changelist is a DateHierarchyChangeList."""

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return DateHierarchyChangeList
