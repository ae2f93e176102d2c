"""What the dashboard's charts add to the tables under them (each bar's share of the total), and changes from
the year before."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from oimsite.reporting.comparison import Change, change
from oimsite.reporting.indicators import percent

register = template.Library()


@register.filter
def share_of(value: int, total: int | None) -> Decimal | None:
    """`value` in percent of `total` (for `|percent`), None without a total."""
    return percent(value, total)


@register.filter
def signed(value: int | Decimal | None) -> str:
    """A change with its sign, as the locale writes numbers ("+1 234", "−56", "0")."""
    if value is None:
        return "—"
    text = number_format(abs(value), force_grouping=True)
    return f"+{text}" if value > 0 else f"−{text}" if value < 0 else text


@register.filter
def signed_percent(value: Decimal | None) -> str:
    """A change in percent with its sign ("+4,7 %"); "—" when there is none (nothing the year before)."""
    if value is None:
        return "—"
    text = f"{number_format(abs(value), decimal_pos=1, force_grouping=True)}\u00a0%"
    return f"+{text}" if value > 0 else f"−{text}" if value < 0 else text


@register.filter
def change_from(value: int, previous: int | None) -> Change | None:
    """The change from `previous` to `value` (None when not compared)."""
    return change(value, previous)
