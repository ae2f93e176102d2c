"""Every figure of IOM Morocco's 2024 annual report comes out of the baseline's individual records.

The counts are computed with the apps' QuerySet methods, exactly as docs/indicators.md defines each
indicator; the only constants are the published figures themselves, in one table.
"""

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

import pytest

from resettlement.models import Refugee
from returns.models import Returnee

YEAR = 2024

# The figures published in the 2024 annual report (BASELINE_2024.md); shares as the counts behind them.
PUBLISHED_2024: dict[str, int] = {
    "avrr.returned": 2196,
    "avrr.countries": 32,
    "avrr.by_country.CI": 523,
    "avrr.by_country.SN": 453,
    "avrr.by_country.GN": 410,
    "avrr.by_country.ML": 265,
    "avrr.predeparture_virtual_counselling": 113,
    "avrr.post_return_support": 685,
    "avrr.enhanced_support": 71,
    "moroccans.returned": 2712,
    "moroccans.by_host.TR": 2550,
    "moroccans.by_host.NL+GR+DE+EG": 162,
    "moroccans.male_share": 2631,
    "moroccans.age_18_35_share": 2332,
    "moroccans.reintegration_support": 426,
    "resettlement.departed": 381,
    "resettlement.by_destination.US": 176,
    "resettlement.by_destination.CA": 205,
}
# The published percentages, and the figure each is a share of.
PUBLISHED_SHARES_2024: dict[str, tuple[str, str]] = {
    "avrr.enhanced_support": ("10.4", "avrr.post_return_support"),
    "moroccans.male_share": ("97", "moroccans.returned"),
    "moroccans.age_18_35_share": ("86", "moroccans.returned"),
}


def avrr(year: int):
    return Returnee.objects.from_morocco().returned_in(year)


def moroccans(year: int):
    return Returnee.objects.to_morocco().returned_in(year)


COUNTS: dict[str, Callable[[int], int]] = {
    "avrr.returned": lambda y: avrr(y).count(),
    "avrr.countries": lambda y: avrr(y).values("return_country").distinct().count(),
    "avrr.by_country.CI": lambda y: avrr(y).filter(return_country="CI").count(),
    "avrr.by_country.SN": lambda y: avrr(y).filter(return_country="SN").count(),
    "avrr.by_country.GN": lambda y: avrr(y).filter(return_country="GN").count(),
    "avrr.by_country.ML": lambda y: avrr(y).filter(return_country="ML").count(),
    "avrr.predeparture_virtual_counselling": lambda y: avrr(y).counselled_virtually_before_departure().count(),
    "avrr.post_return_support": lambda y: Returnee.objects.from_morocco().supported_after_return_in(y).count(),
    "avrr.enhanced_support": lambda y: Returnee.objects.from_morocco().enhanced_support_in(y).count(),
    "moroccans.returned": lambda y: moroccans(y).count(),
    "moroccans.by_host.TR": lambda y: moroccans(y).filter(host_country="TR").count(),
    "moroccans.by_host.NL+GR+DE+EG": lambda y: moroccans(y).filter(host_country__in=["NL", "GR", "DE", "EG"]).count(),
    "moroccans.male_share": lambda y: moroccans(y).filter(sex="M").count(),
    "moroccans.age_18_35_share": lambda y: moroccans(y).aged_at_return(18, 35).count(),
    "moroccans.reintegration_support": lambda y: moroccans(y).supported_after_return_in(y).count(),
    "resettlement.departed": lambda y: Refugee.objects.departed_in(y).count(),
    "resettlement.by_destination.US": lambda y: Refugee.objects.departed_in(y).resettled_to("US").count(),
    "resettlement.by_destination.CA": lambda y: Refugee.objects.departed_in(y).resettled_to("CA").count(),
}


def percent(part: int, whole: int, places: str) -> str:
    return str((Decimal(100 * part) / whole).quantize(Decimal(places), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize("key", list(PUBLISHED_2024))
def test_each_published_2024_figure_is_counted_from_the_records(db, baseline, key):
    assert COUNTS[key](YEAR) == PUBLISHED_2024[key]


@pytest.mark.parametrize("key", list(PUBLISHED_SHARES_2024))
def test_each_published_share_rounds_from_the_counted_records(db, baseline, key):
    published, of = PUBLISHED_SHARES_2024[key]
    places = "0.1" if "." in published else "1"
    assert percent(COUNTS[key](YEAR), COUNTS[of](YEAR), places) == published


def test_the_published_15_percent_reintegration_share_is_the_counted_share_rounded_down(db, baseline):
    # 426 / 2,712 = 15.7 %: the report printed « soit 15 % ».
    share = percent(COUNTS["moroccans.reintegration_support"](YEAR), COUNTS["moroccans.returned"](YEAR), "0.1")
    assert share == "15.7"


def test_2023_resettlement_was_slightly_lower_with_notably_fewer_departures_to_canada(db, baseline):
    departed_2023 = COUNTS["resettlement.departed"](YEAR - 1)
    to_canada_2023 = COUNTS["resettlement.by_destination.CA"](YEAR - 1)
    assert 0.85 * PUBLISHED_2024["resettlement.departed"] < departed_2023 < PUBLISHED_2024["resettlement.departed"]
    assert to_canada_2023 < 0.8 * PUBLISHED_2024["resettlement.by_destination.CA"]


def test_the_baseline_holds_records_that_the_2024_counts_must_leave_out(db, baseline):
    returns = Returnee.objects.from_morocco()
    assert returns.filter(status="open").exists()
    assert returns.filter(status="withdrawn").exists()
    assert returns.returned_in(YEAR - 1).exists()
    assert returns.count() > PUBLISHED_2024["avrr.returned"]
    # Virtual counselling from the country of origin for people who had not left, or left in 2023.
    assert returns.filter(status="open").counselled_virtually_before_departure().exists()
    assert returns.returned_in(YEAR - 1).counselled_virtually_before_departure().exists()
    # Support for 2023 Moroccan returnees in 2024, which the Moroccan count must not include.
    assert Returnee.objects.to_morocco().returned_in(YEAR - 1).supported_after_return_in(YEAR).exists()
    assert Refugee.objects.exclude(file__stage__in=["departed", "arrived"]).exists()
    # No departure after the report's year: the dashboard opens on the latest year with departures.
    assert not Refugee.objects.departed_in(YEAR + 1).exists()
    assert not Returnee.objects.returned_in(YEAR + 1).exists()


def test_a_test_that_changes_the_baseline_does_not_leak_into_the_next(db, baseline):
    Returnee.objects.filter(pk__in=avrr(YEAR).values("pk")[:10]).update(departure_date=None, status="open",
                                                                          stage="registered", closure_reason="")
    assert COUNTS["avrr.returned"](YEAR) == PUBLISHED_2024["avrr.returned"] - 10


def test_the_next_test_sees_the_baseline_intact(db, baseline):
    assert COUNTS["avrr.returned"](YEAR) == PUBLISHED_2024["avrr.returned"]
