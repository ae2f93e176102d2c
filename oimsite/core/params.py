"""Reading numbers typed by users (URL parameters, command options) without surprises.

`str.isdigit()` accepts "²" and "١", which `int()` then refuses: parse with these helpers instead.
"""

from __future__ import annotations

from django.utils import timezone

# The first year the records may cover (IOM Morocco's AVRR programme predates it); one bound everywhere.
YEAR_MIN = 1990


def year_max() -> int:
    """The last year the records may cover: the current year, in the site's time zone."""
    return timezone.localdate().year


def whole_number(text: object) -> int | None:
    """The whole number written in ASCII digits, or None ("", "1.5", "-1", "²", "abc", None)."""
    value = str(text).strip() if text is not None else ""
    if not value or not value.isascii() or not value.isdecimal():
        return None
    return int(value)


def year(text: object) -> int | None:
    """A year between YEAR_MIN and this year, or None."""
    value = whole_number(text)
    if value is None or not YEAR_MIN <= value <= year_max():
        return None
    return value
