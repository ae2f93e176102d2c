"""The sustainability scores on a returnee's page (`{% returnee_scores returnee %}`) and a survey's rows."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from reintegration import sustainability
from reintegration.models import Dimension, SustainabilitySurvey

register = template.Library()


@register.inclusion_tag("reintegration/_returnee_scores.html")
def returnee_scores(returnee: Any) -> dict[str, Any]:
    """A returnee's surveys and the change of each score from the first complete survey to the latest."""
    return sustainability.returnee_scores(returnee.pk)


@register.simple_tag
def score_rows(survey: SustainabilitySurvey) -> list[tuple[str, Any, bool | None]]:
    """(dimension, score, at or above the version's threshold) for a complete survey, composite last."""
    labels = {Dimension.ECONOMIC: _("Economic"), Dimension.SOCIAL: _("Social"),
              Dimension.PSYCHOSOCIAL: _("Psychosocial"), "composite": _("Composite")}
    threshold = survey.version.threshold
    return [(labels[key], value, None if value is None else value >= threshold)
            for key, value in survey.scores().items()]
