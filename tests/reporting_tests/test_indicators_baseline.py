"""The 2024 baseline reproduces the published figures, and every headline number drills down to its rows.

Uses the `baseline` fixture of tests/conftest.py (fixtures/baseline_2024.json).
The published figures are read from fixtures/published_2024.json, the integers from BASELINE_2024.md.
"""

import csv
import io
import json
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from oimsite.reporting import indicators

pytestmark = pytest.mark.django_db

PUBLISHED = json.loads((Path(settings.BASE_DIR) / "fixtures" / "published_2024.json").read_text(encoding="utf-8"))

# The "exact integer to reproduce" column of BASELINE_2024.md.
EXACT = {
    "avrr.returned": 2196, "avrr.countries": 32, "avrr.by_country.CI": 523, "avrr.by_country.SN": 453,
    "avrr.by_country.GN": 410, "avrr.by_country.ML": 265, "avrr.predeparture_virtual_counselling": 113,
    "avrr.post_return_support": 685, "avrr.enhanced_support": 71, "moroccans.returned": 2712,
    "moroccans.by_host.TR": 2550, "moroccans.male_share": 2631, "moroccans.age_18_35_share": 2332,
    "moroccans.reintegration_support": 426, "resettlement.departed": 381, "resettlement.by_destination.US": 176,
    "resettlement.by_destination.CA": 205,
}


@pytest.fixture
def report(baseline, db):
    # `baseline` (module scope) is named first so that its transaction encloses each test's.
    return indicators.compute(2024)


@pytest.mark.parametrize("key", list(EXACT))
def test_indicator_equals_the_exact_integer(report, key):
    assert report[key].value == EXACT[key]


@pytest.mark.parametrize("row", PUBLISHED, ids=[r["fields"]["key"] for r in PUBLISHED])
def test_indicator_reproduces_the_published_figure(report, row):
    fields = row["fields"]
    published = Decimal(fields["value"])
    if fields["unit"] == "count":
        assert report[fields["key"]].value == published
        return
    indicator = report[fields["key"].removesuffix(".share")]
    quantum = Decimal(1).scaleb(published.normalize().as_tuple().exponent)
    share = Decimal(indicator.value) * 100 / Decimal(indicator.denominator)
    if fields["key"] == "moroccans.reintegration_support.share":
        # Published « soit 15 % » for 426/2,712 = 15.7 %: rounded down; the app flags it.
        assert share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) == Decimal("15.7")
    else:
        assert share.quantize(quantum, rounding=ROUND_HALF_UP) == published


def test_other_moroccan_host_countries_make_162(report):
    others = sum(report[f"moroccans.by_host.{c}"].value for c in ("NL", "GR", "DE", "EG"))
    assert others == 162


def test_report_json_has_every_key(report):
    out = StringIO()
    call_command("report", "--year", "2024", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    for key, value in EXACT.items():
        assert data[key] == value, key


@pytest.mark.parametrize("key", [k for k in EXACT if k != "avrr.countries"])
def test_drill_down_lists_and_exports_exactly_that_many_rows(report, admin_client_logged, key):
    url = report[key].url
    response = admin_client_logged.get(url)
    assert response.context["result_count"] == EXACT[key]
    export = admin_client_logged.get(url + "&_export=csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8"))))
    assert len(rows) - 1 == EXACT[key]


def test_countries_link_to_a_breakdown_of_32_rows(report, admin_client_logged):
    response = admin_client_logged.get(reverse("dashboard"), {"year": 2024})
    assert len(response.context["report"].breakdowns["avrr.by_country"].rows) == 32
