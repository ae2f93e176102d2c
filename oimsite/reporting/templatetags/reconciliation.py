"""Published figures and their differences as the active locale writes them (French: 2 196, 10,4 %)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from oimsite.reporting.indicators import Comparison
from oimsite.reporting.models import PublishedFigure

register = template.Library()


@register.filter
def published_value(figure: PublishedFigure) -> str:
    """The figure to the precision it was published with ("2 196", "10,4 %", "15 %")."""
    text = number_format(figure.value, decimal_pos=figure.decimal_places, force_grouping=True)
    return f"{text}\u00a0%" if figure.is_percent else text


@register.filter
def difference(comparison: Comparison) -> str:
    """Computed minus published, signed ("+0,7", "-12"), or "—" when nothing was computed."""
    value = comparison.difference
    if value is None:
        return "—"
    places = max(comparison.figure.decimal_places, 1 if comparison.figure.is_percent else 0)
    text = number_format(abs(value), decimal_pos=places, force_grouping=True)
    if value == Decimal(0):
        return text
    return f"{'+' if value > 0 else '−'}{text}"
