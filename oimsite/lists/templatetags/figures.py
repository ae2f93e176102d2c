"""Numbers as the active locale writes them (French: 2 196 and 15,7 %)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def figure(value: int | Decimal | None) -> str:
    """A count with the locale's thousands separator ("2 196" in French, "2,196" in English)."""
    if value is None or value == "":
        return "—"
    return number_format(value, force_grouping=True)


@register.filter
def percent(value: Decimal | float | None) -> str:
    """A share in percent with one decimal ("15,7 %" in French)."""
    if value is None:
        return "—"
    return f"{number_format(value, decimal_pos=1, force_grouping=True)}\u00a0%"


@register.filter
def bar_width(value: int, maximum: int) -> float:
    """Length of a bar in an SVG chart, in percent of the widest one."""
    return round(100 * value / maximum, 2) if maximum else 0.0
