"""The year's sustainability figures (each returnee once, latest survey of the year, against its version's
threshold; each figure a drill-down to exactly the surveys it counts; in a fixed number of queries), each figure
beside the year before, the trend over every year, `report --compare` and the shared export's suppression."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from oimsite.reporting import comparison, sustainability
from oimsite.reporting.shared_export import shared_report_lines
from reintegration.models import FollowUp, InstrumentVersion, SustainabilitySurvey
from tests import helpers
from tests.helpers import in_english

pytestmark = pytest.mark.django_db

D = Decimal


def survey(person, on: date, composite: str, *, economic: str = "0.5", social: str = "0.5",
           psychosocial: str = "0.5", status: str = "complete", interviewer=None) -> SustainabilitySurvey:
    follow_up = FollowUp.objects.create(returnee=person, kind="home", due_date=on, done_on=on, outcome="reached")
    scores = {} if status == "draft" else {
        "composite_score": D(composite), "economic_score": D(economic), "social_score": D(social),
        "psychosocial_score": D(psychosocial)}
    return SustainabilitySurvey.objects.create(
        returnee=person, follow_up=follow_up, date=on, status=status, version=InstrumentVersion.objects.get(number=1),
        interviewer=interviewer, **scores)


@pytest.fixture
def surveyed(superuser):
    a = helpers.returnee(to="CI")
    helpers.session(a, on=date(2024, 6, 1), kind="cash")
    survey(a, date(2024, 3, 1), "0.4", interviewer=superuser)
    survey(a, date(2024, 9, 1), "0.7", economic="0.6", interviewer=superuser)  # A's latest of 2024: counts
    b = helpers.returnee(to="SN", departed=date(2023, 5, 1))
    helpers.session(b, on=date(2024, 9, 1), kind="vocational_training")  # after B's survey: not received then
    survey(b, date(2023, 8, 1), "0.8", interviewer=superuser)
    survey(b, date(2024, 8, 1), "0.45", economic="0.6", interviewer=superuser)
    m = helpers.returnee(host="TR", to="MA")
    helpers.session(m, on=date(2024, 9, 1), kind="social")
    survey(m, date(2024, 10, 1), "0.5", psychosocial="0.2", interviewer=superuser)  # exactly the threshold
    survey(helpers.returnee(to="GN"), date(2024, 11, 1), "", status="draft", interviewer=superuser)  # not scored
    return a, b, m


def test_sustainability_figures_of_a_year(surveyed):
    figures = sustainability.compute(2024)
    values = {key: (i.value, i.denominator) for key, i in figures.indicators.items()}
    assert values == {
        "sustainability.surveys": (4, None), "sustainability.surveyed": (3, None),
        "sustainability.sustainable": (2, 3), "sustainability.economic": (3, 3),
        "sustainability.social": (3, 3), "sustainability.psychosocial": (2, 3)}
    by_country = {r.code: (r.surveyed, r.value) for r in figures.breakdowns["sustainability.by_country"].rows}
    assert by_country == {"CI": (1, 1), "SN": (1, 0), "MA": (1, 1)}
    by_programme = {r.code: (r.surveyed, r.value) for r in figures.breakdowns["sustainability.by_programme"].rows}
    assert by_programme == {"from_morocco": (2, 1), "to_morocco": (1, 1)}
    by_support = {r.code: (r.surveyed, r.value) for r in figures.breakdowns["sustainability.by_support"].rows}
    assert by_support == {"cash": (1, 1), "social": (1, 1)}
    assert sustainability.compute(2023).indicators["sustainability.sustainable"].value == 1


def test_every_sustainability_figure_drills_down_to_the_surveys_it_counts(admin_client_logged, surveyed):
    figures = sustainability.compute(2024)
    for indicator in figures.indicators.values():
        response = admin_client_logged.get(indicator.url)
        assert response.status_code == 200, indicator.url
        assert response.context["result_count"] == indicator.value, indicator.key
    for breakdown in figures.breakdowns.values():
        for row in breakdown.rows:
            assert admin_client_logged.get(row.url).context["result_count"] == row.value, row.url
            assert admin_client_logged.get(row.surveyed_url).context["result_count"] == row.surveyed, row.url


@pytest.mark.parametrize("scale", [1, 100])
def test_sustainability_figures_take_a_fixed_number_of_queries(surveyed, django_assert_num_queries, scale):
    for _ in range(scale - 1):
        person = helpers.returnee(to="CI")
        survey(person, date(2024, 9, 1), "0.7", interviewer=surveyed[0].follow_ups.first().survey.interviewer)
    with django_assert_num_queries(sustainability.QUERY_COUNT):
        sustainability.compute(2024)


def test_change_and_percent():
    assert comparison.Change(5, 4).difference == 1 and comparison.Change(5, 4).percent == D("25.0")
    assert comparison.Change(2, 3).percent == D("-33.3")
    assert comparison.Change(3, 0).percent is None


def test_the_dashboard_shows_each_figure_beside_the_year_before_and_the_trend(admin_client_logged, surveyed):
    helpers.small_world(1)  # returns from Morocco: 2 in 2024 (+ A, M's programme aside), 1 in 2023
    response = in_english(admin_client_logged).get(reverse("dashboard"), {"year": 2024})
    page = response.content.decode()
    assert response.status_code == 200 and response.context["previous_year"] == 2023
    report = response.context["report"]
    returned = report["avrr.returned"]
    assert (returned.value, returned.previous.value) == (4, 2)  # A, small world's CI, SN and GN in 2024; B, GN in 2023
    assert "2023: 2 · change +2 (+100.0\u00a0%)" in page
    assert 'id="sustainability-title"' in page and 'id="trend-title"' in page
    series = {s.key: s for s in response.context["trend"]}
    assert [(p.year, p.value) for p in series["avrr.returned"].points] == [(2023, 2), (2024, 4)]
    assert [(p.year, p.value) for p in series["sustainability.sustainable"].points] == [(2023, 1), (2024, 2)]
    assert series["avrr.returned"].points[1].change.percent == D("100.0")
    # The chart's table fallback links each year's figure to its records.
    assert f'href="{series["avrr.returned"].points[0].url}"' in page.replace("&amp;", "&")


def test_report_compare_prints_both_years(surveyed):
    out = StringIO()
    call_command("report", "--year", "2024", "--compare", "2023", "--language", "en", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["key", "label", "2024", "2023", "change", "change", "%"]
    row = next(line for line in lines if line.startswith("sustainability.sustainable "))
    assert row.split()[-4:] == ["2", "1", "1", "100.0"]
    out = StringIO()
    call_command("report", "--year", "2024", "--compare", "2023", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["year"] == 2024 and data["compare"] == 2023
    assert data["figures"]["sustainability.surveyed"] == {"value": 3, "compare": 1, "change": 2,
                                                          "change_percent": 200.0}
    assert data["figures"]["avrr.returned"]["compare"] == 1


def test_report_without_compare_includes_the_sustainability_figures(surveyed):
    out = StringIO()
    call_command("report", "--year", "2024", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["sustainability.sustainable"] == 2 and data["sustainability.sustainable.percent"] == 66.7


def test_report_compare_refuses_a_bad_year(surveyed):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="The year must be a number such as 2024"):
        call_command("report", "--year", "2024", "--compare", "last", "--language", "en", stdout=StringIO())


def test_the_shared_export_suppresses_small_groups_of_surveyed_returnees(surveyed):
    with translation.override("en"):
        lines = shared_report_lines(2024)
    start = next(i for i, line in enumerate(lines) if line and "sustainability" in str(line[0]))
    table = lines[start + 1:start + 6]
    counts = [cell for line in table[1:] for cell in line[1:]]
    assert counts and all(cell in ("≤5", "x", "..", 0) for cell in counts), table


def test_the_trend_covers_the_year_shown_and_at_most_the_nine_before(admin_client_logged):
    for year in range(2012, 2026):
        helpers.returnee(departed=date(year, 5, 10))
    response = admin_client_logged.get(reverse("dashboard"), {"year": 2024})
    assert response.status_code == 200
    series = {s.key: s for s in response.context["trend"]}
    assert [p.year for p in series["avrr.returned"].points] == list(range(2015, 2025))
    assert response.context["trend_years"] == list(range(2015, 2025))
