"""What the dashboard's charts add to the tables under them: each bar's share of the total."""

from __future__ import annotations

from decimal import Decimal

from django import template

from oimsite.reporting.indicators import percent

register = template.Library()


@register.filter
def share_of(value: int, total: int | None) -> Decimal | None:
    """`value` in percent of `total` (for `|percent`), None without a total."""
    return percent(value, total)
