"""A year beside the year before, and the trend of the headline figures over every year with records.

Each figure of a year gets the same figure of the previous year (`attach_previous`), from which its change
is read: in numbers and in percent of the previous value (one decimal, half up; none when the previous
value is zero). The trend is the headline figures of every year, oldest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise

from oimsite.reporting.indicators import Breakdown, Indicator

# The headline figures of the trend, in the dashboard's order.
TREND_KEYS = (
    "avrr.returned", "avrr.post_return_support", "moroccans.returned", "moroccans.reintegration_support",
    "resettlement.departed", "sustainability.surveyed", "sustainability.sustainable",
)


@dataclass(frozen=True)
class Change:
    current: int
    previous: int

    @property
    def difference(self) -> int:
        return self.current - self.previous

    @property
    def percent(self) -> Decimal | None:
        if not self.previous:
            return None
        return (Decimal(self.difference) * 100 / Decimal(self.previous)).quantize(Decimal("0.1"),
                                                                                  rounding=ROUND_HALF_UP)


def change(current: int, previous: int | None) -> Change | None:
    return None if previous is None else Change(current, previous)


def attach_previous(indicators: Mapping[str, Indicator], breakdowns: Mapping[str, Breakdown],
                    previous_indicators: Mapping[str, Indicator], previous_breakdowns: Mapping[str, Breakdown]) -> None:
    """Give every indicator and breakdown row of a year its value the year before (0 where the year before has
    no such figure: a country with no return that year)."""
    for key, indicator in indicators.items():
        before = previous_indicators.get(key)
        indicator.previous = before if before is not None else Indicator(key, indicator.label, indicator.definition,
                                                                         0, "")
    for key, breakdown in breakdowns.items():
        rows = {row.code: row.value for row in previous_breakdowns[key].rows} if key in previous_breakdowns else {}
        for row in breakdown.rows:
            row.previous = rows.get(row.code, 0)


@dataclass(frozen=True)
class TrendPoint:
    year: int
    value: int
    url: str
    change: Change | None = None  # from the year before it in the series


@dataclass(frozen=True)
class TrendSeries:
    key: str
    label: str | Promise
    points: list[TrendPoint]

    @property
    def maximum(self) -> int:
        return max((p.value for p in self.points), default=0)

    @property
    def dom_id(self) -> str:
        return "trend-" + self.key.replace(".", "-")


def trend(per_year: Iterable[tuple[int, Mapping[str, Indicator]]], keys: Iterable[str] = TREND_KEYS
          ) -> list[TrendSeries]:
    """The series of each of `keys` over the years given (oldest first), a figure missing in a year being 0."""
    years = sorted(per_year, key=lambda item: item[0])
    series = []
    for key in keys:
        label = next((indicators[key].label for _year, indicators in years if key in indicators), None)
        if label is None:
            continue
        points: list[TrendPoint] = []
        for year, indicators in years:
            value = indicators[key].value if key in indicators else 0
            points.append(TrendPoint(year, value, indicators[key].url if key in indicators else "",
                                     Change(value, points[-1].value) if points else None))
        series.append(TrendSeries(key, label, points))
    return series
