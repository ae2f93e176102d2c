"""The indicator module on small, hand-counted data: what counts, what does not, and in how many queries."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oimsite.reporting import indicators
from oimsite.reporting.indicators import Comparison, Status
from oimsite.reporting.models import PublishedFigure
from tests import helpers

pytestmark = pytest.mark.django_db


def test_small_world_counts_exactly_the_records_that_count():
    helpers.small_world(1)
    report = indicators.compute(2024)
    values = {key: ind.value for key, ind in report.indicators.items()}
    # Counted by hand from helpers.small_world: the 2023 return, the open case and the file not departed
    # are left out; the in-person counselling of the Senegalese returnee does not count.
    assert values["avrr.returned"] == 2
    assert values["avrr.countries"] == 2
    assert values["avrr.by_country.CI"] == 1
    assert values["avrr.by_country.SN"] == 1
    assert "avrr.by_country.GN" not in values
    assert values["avrr.predeparture_virtual_counselling"] == 1
    assert values["avrr.post_return_support"] == 2
    assert values["avrr.enhanced_support"] == 1
    assert values["moroccans.returned"] == 2
    assert values["moroccans.by_host.TR"] == 1
    assert values["moroccans.male_share"] == 1
    assert values["moroccans.age_18_35_share"] == 1
    assert values["moroccans.reintegration_support"] == 1
    assert values["resettlement.departed"] == 5
    assert values["resettlement.by_destination.CA"] == 3
    assert values["resettlement.by_destination.US"] == 2
    assert report["avrr.enhanced_support"].share == Decimal("50.0")


def test_post_return_support_counts_the_session_year_not_the_return_year():
    r = helpers.returnee(to="GN", departed=date(2023, 11, 2))
    helpers.session(r, on=date(2024, 1, 15), kind="psychosocial")
    old = helpers.returnee(to="GN", departed=date(2023, 3, 2))
    helpers.session(old, on=date(2023, 12, 31), kind="cash")
    assert indicators.compute(2024)["avrr.post_return_support"].value == 1
    assert indicators.compute(2024)["avrr.returned"].value == 0


def test_age_band_uses_the_age_on_the_departure_date():
    # 36th birthday one day after departure: still 35, counted in 18-35.
    helpers.returnee(host="TR", to="MA", born=date(1988, 5, 11), departed=date(2024, 5, 10))
    helpers.returnee(host="TR", to="MA", born=date(1988, 5, 10), departed=date(2024, 5, 10))
    assert indicators.compute(2024)["moroccans.age_18_35_share"].value == 1


@pytest.mark.parametrize("scale", [1, 5])
def test_number_of_queries_does_not_grow_with_the_data(scale):
    helpers.small_world(scale)
    with CaptureQueriesContext(connection) as live:
        indicators.compute(2024, live=True)
    assert len(live) == indicators.LIVE_QUERY_COUNT + 1  # + the published figures
    indicators.compute(2024)  # counts the year and stores its summary
    with CaptureQueriesContext(connection) as summarised:
        indicators.compute(2024)
    assert len(summarised) == indicators.QUERY_COUNT


@pytest.mark.parametrize(
    ("unit", "published", "computed", "status"),
    [
        ("percent", "15", "15.7", Status.ROUNDING),   # 426/2,712 published as « soit 15 % »
        ("percent", "10.4", "10.4", Status.MATCH),    # 71/685
        ("percent", "97", "97.0", Status.MATCH),      # 2,631/2,712
        ("percent", "86", "86.4", Status.MATCH),
        ("percent", "86", "84.9", Status.MISMATCH),
        ("count", "2196", "2196", Status.MATCH),
        ("count", "2196", "2195", Status.MISMATCH),
    ],
)
def test_reconciliation_status(unit, published, computed, status):
    figure = PublishedFigure(key="k", year=2024, value=Decimal(published), unit=unit, source="s")
    assert Comparison(figure, Decimal(computed)).status == status


def test_share_is_rounded_half_up_to_one_decimal():
    assert indicators.percent(426, 2712) == Decimal("15.7")
    assert indicators.percent(71, 685) == Decimal("10.4")
    assert indicators.percent(2631, 2712) == Decimal("97.0")
    assert indicators.percent(1, 0) is None


def test_published_figures_are_attached_to_their_indicators():
    call_command("loaddata", "published_2024", verbosity=0)
    helpers.small_world(1)
    report = indicators.compute(2024)
    assert report["avrr.returned"].published.value == 2196
    assert report["avrr.returned"].difference == 2 - 2196
    # A published country with no record any more stays on the report, at zero.
    assert report["avrr.by_country.GN"].value == 0
    statuses = {c.figure.key: c.status for _i, c in report.comparisons()}
    assert len(statuses) == PublishedFigure.objects.filter(year=2024).count()
    assert statuses["avrr.returned"] == Status.MISMATCH


def test_report_command_json_has_every_key():
    helpers.small_world(1)
    out = StringIO()
    call_command("report", "--year", "2024", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["avrr.returned"] == 2
    assert data["moroccans.male_share.percent"] == 50.0
    for key in ("avrr.countries", "avrr.predeparture_virtual_counselling", "avrr.post_return_support",
                "avrr.enhanced_support", "moroccans.returned", "moroccans.age_18_35_share",
                "moroccans.reintegration_support", "resettlement.departed", "resettlement.by_destination.US"):
        assert key in data


def test_report_command_table_and_csv():
    helpers.small_world(1)
    out = StringIO()
    call_command("report", "--year", "2024", stdout=out)
    assert "avrr.returned" in out.getvalue()
    out = StringIO()
    call_command("report", "--year", "2024", "--format", "csv", stdout=out)
    assert out.getvalue().splitlines()[0].startswith("key,label,value")


@pytest.mark.parametrize(
    ("year", "message"),
    [("abc", "The year must be a number such as 2024, not “abc”."),
     ("1200", "The year must be between 1990 and"), ("3000", "The year must be between 1990 and")],
)
def test_report_command_bad_year(year, message):
    with pytest.raises(CommandError, match=message):
        call_command("report", "--year", year, "--language", "en", stdout=StringIO())
