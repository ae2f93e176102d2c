"""The year's headline figures on the admin index, from the indicator module."""

from __future__ import annotations

from typing import Any

from django import template

from oimsite.reporting import indicators

register = template.Library()

HEADLINE_KEYS = (
    "avrr.returned", "avrr.countries", "avrr.post_return_support", "avrr.enhanced_support", "moroccans.returned",
    "moroccans.reintegration_support", "resettlement.departed",
)


@register.inclusion_tag("admin/oimsite/headline_figures.html", takes_context=True)
def headline_figures(context: dict[str, Any]) -> dict[str, Any]:
    year = indicators.record_years().default
    if year is None:
        return {"report": None}
    report = indicators.compute(year)
    # The signed-in user: a figure links to its records only for those who may open them.
    return {"report": report, "indicators": [report[k] for k in HEADLINE_KEYS if k in report.indicators],
            "user": context["request"].user}
