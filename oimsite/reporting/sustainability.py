"""The year's reintegration sustainability figures, from the surveys (docs/sustainability.md).

A returnee surveyed in the year counts once, with their latest complete survey of the year; a survey is at or
above the threshold when its score reaches the threshold of the instrument version it was taken with. Counted
live, in `QUERY_COUNT` grouped queries whatever the number of surveys: surveys are not among the tables the
per-bucket summaries keep (docs/figures.md), so these figures read the records themselves and are true after
any write.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from oimsite.reporting.counting import FROM_MOROCCO, TO_MOROCCO
from oimsite.reporting.indicators import Breakdown, BreakdownRow, Indicator, country_name, list_url
from reintegration.models import Kind, SustainabilitySurvey, support_received
from returns.models import MOROCCO

QUERY_COUNT = 2
DIMENSIONS = ("composite", "economic", "social", "psychosocial")
# The filter of the survey list that keeps those at or above the threshold, per score.
THRESHOLD_PARAMS = {"composite": "sustainable", "economic": "economic_ok", "social": "social_ok",
                    "psychosocial": "psychosocial_ok"}


def surveys_url(**params: object) -> str:
    return list_url("reintegration:survey_list", **params)


def _reached(dimension: str) -> Q:
    return Q(**{f"{dimension}_score__gte": F("version__threshold")})


@dataclass
class SustainabilityFigures:
    year: int
    indicators: dict[str, Indicator]
    breakdowns: dict[str, Breakdown]


def compute(year: int, *, breakdowns: bool = True) -> SustainabilityFigures:
    """The sustainability indicators and breakdowns of `year` (by programme, country of return, support
    received), each with its drill-down to the surveys it counts; `breakdowns=False`: the indicators only
    (a year of the trend), without the counts by support received that only a breakdown shows."""
    taken = SustainabilitySurvey.objects.complete().in_year(year).count()
    counts = {"n": Count("pk"), **{d: Count("pk", filter=_reached(d)) for d in DIMENSIONS}}
    for kind in Kind.values if breakdowns else ():
        counts[f"kind:{kind}"] = Count("pk", filter=Q(support_received(kind)))
        counts[f"kind:{kind}:ok"] = Count("pk", filter=Q(support_received(kind)) & _reached("composite"))
    rows = list(SustainabilitySurvey.objects.latest_per_returnee_in(year)
                .values("returnee__host_country", "returnee__return_country").annotate(**counts).order_by())
    counted = {"counted_in": year}
    surveyed = sum(r["n"] for r in rows)
    indicators: dict[str, Indicator] = {}

    def add(indicator: Indicator) -> None:
        indicators[indicator.key] = indicator

    add(Indicator("sustainability.surveys", _("Sustainability surveys completed"),
                  _("Reintegration sustainability surveys completed in the year."), taken,
                  surveys_url(year=year, status="complete")))
    add(Indicator("sustainability.surveyed", _("Returnees surveyed"),
                  _("Returnees with a complete sustainability survey in the year (each counted once, with their "
                    "latest survey of the year)."), surveyed, surveys_url(**counted)))
    labels = {
        "composite": (_("Sustainably reintegrated"),
                      _("Of the returnees surveyed, those whose composite score is at or above the threshold of "
                        "sustainable reintegration.")),
        "economic": (_("Economic score at or above the threshold"),
                     _("Of the returnees surveyed, those whose economic score reaches the threshold.")),
        "social": (_("Social score at or above the threshold"),
                   _("Of the returnees surveyed, those whose social score reaches the threshold.")),
        "psychosocial": (_("Psychosocial score at or above the threshold"),
                         _("Of the returnees surveyed, those whose psychosocial score reaches the threshold.")),
    }
    for dimension in DIMENSIONS:
        key = "sustainability.sustainable" if dimension == "composite" else f"sustainability.{dimension}"
        add(Indicator(key, *labels[dimension], sum(r[dimension] for r in rows),
                      surveys_url(**counted, **{THRESHOLD_PARAMS[dimension]: "true"}), denominator=surveyed))

    if not breakdowns:
        return SustainabilityFigures(year, indicators, {})

    def row(label, code: str, group: list[dict], params: dict) -> BreakdownRow:
        return SustainabilityRow(label, sum(r["composite"] for r in group),
                                 surveys_url(**counted, **params, sustainable="true"), code,
                                 surveyed=sum(r["n"] for r in group), surveyed_url=surveys_url(**counted, **params))

    by: dict[str, Breakdown] = {}
    programmes = [
        (FROM_MOROCCO, _("Returns from Morocco"), [r for r in rows if r["returnee__host_country"] == MOROCCO]),
        (TO_MOROCCO, _("Moroccans returning home"), [r for r in rows if r["returnee__return_country"] == MOROCCO]),
    ]
    by["sustainability.by_programme"] = Breakdown(
        "sustainability.by_programme", _("Sustainable reintegration by programme"),
        [row(label, code, group, {"programme": code}) for code, label, group in programmes if group],
        indicators["sustainability.sustainable"].value, indicators["sustainability.sustainable"].url)
    per_country: dict[str, list[dict]] = {}
    for r in rows:
        per_country.setdefault(r["returnee__return_country"], []).append(r)
    country_rows = [row(country_name(code), code, group, {"return_country": code})
                    for code, group in per_country.items()]
    country_rows.sort(key=lambda r: (-r.surveyed, str(r.label)))
    by["sustainability.by_country"] = Breakdown(
        "sustainability.by_country", _("Sustainable reintegration by country of return"), country_rows,
        indicators["sustainability.sustainable"].value, indicators["sustainability.sustainable"].url)
    kind_rows = []
    for kind in Kind:
        n = sum(r[f"kind:{kind.value}"] for r in rows)
        if n:
            kind_rows.append(SustainabilityRow(
                kind.label, sum(r[f"kind:{kind.value}:ok"] for r in rows),
                surveys_url(**counted, support_kind=kind.value, sustainable="true"), kind.value, surveyed=n,
                surveyed_url=surveys_url(**counted, support_kind=kind.value)))
    # A returnee may have received several kinds of support: the rows overlap and have no total.
    by["sustainability.by_support"] = Breakdown(
        "sustainability.by_support", _("Sustainable reintegration by support received after return"), kind_rows)
    return SustainabilityFigures(year, indicators, by)


@dataclass
class SustainabilityRow(BreakdownRow):
    """A group of surveyed returnees: how many were surveyed, and (`value`) how many reached the threshold."""

    surveyed: int = 0
    surveyed_url: str = ""

    @property
    def denominator(self) -> int:
        return self.surveyed
