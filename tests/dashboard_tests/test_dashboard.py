"""The dashboard, the reconciliation page and the admin's figures."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from oimsite.reporting import indicators, summaries
from tests import factories
from tests.conftest import SESSION_TOUCH_QUERIES

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a href="(/(?:returns|reintegration|resettlement)/[^"]*)"[^>]*>([\d\s\u202f\xa0.,]+)</a>')


def test_dashboard_needs_login(client):
    assert client.get(reverse("dashboard")).status_code == 302


def test_dashboard_needs_a_view_permission(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="Correct-Horse-Battery-9"))
    assert client.get(reverse("dashboard")).status_code == 403


def test_dashboard_defaults_to_the_latest_year_with_records(admin_client_logged):
    factories.small_world(1)
    factories.returnee(to="SN", departed=None)
    response = admin_client_logged.get(reverse("dashboard"))
    assert response.context["report"].year == 2024
    assert admin_client_logged.get(reverse("dashboard"), {"year": 2023}).context["report"].year == 2023


def test_dashboard_without_records(admin_client_logged):
    response = admin_client_logged.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "No return or departure has been recorded yet" in response.content.decode()


def test_every_number_links_to_a_list_showing_that_number(admin_client_logged):
    factories.small_world(3)
    page = admin_client_logged.get(reverse("dashboard")).content.decode()
    links = {(url.replace("&amp;", "&"), int(re.sub(r"\D", "", text))) for url, text in LINK.findall(page)}
    assert len(links) > 30
    for url, number in links:
        assert admin_client_logged.get(url).context["result_count"] == number, url


def test_dashboard_charts_add_each_share_and_are_accessible(admin_client_logged):
    factories.small_world(1)
    response = admin_client_logged.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    charts = re.findall(r'<div class="bar-chart" role="group" aria-labelledby="([^"]+)">(.*?)</div>', page, re.S)
    breakdowns = [b for programme in response.context["programmes"] for b in programme["breakdowns"] if b.rows]
    assert len(charts) == len(breakdowns) >= 9
    for (title_id, chart), breakdown in zip(charts, breakdowns, strict=True):
        # Named by a title of its own, which says what the bars add: the share of the total.
        assert f'<p class="bar-chart-title" id="{title_id}">Share of the total ({breakdown.total})</p>' in chart
        rows = re.findall(r'<li><span class="bar-label">(.*?)</span>\s*<svg class="bar" aria-hidden="true" '
                          r'focusable="false"><rect height="100%" width="([\d.]+)%"></rect></svg>\s*'
                          r'<span class="bar-share">(.*?)</span></li>', chart)
        assert [(label, share) for label, _width, share in rows] == [
            (escape(row.label), f"{indicators.percent(row.value, breakdown.total)}\xa0%") for row in breakdown.rows]
        assert max(float(width) for _label, width, _share in rows) == 100.0
        # The table under it keeps every number (the chart's text has the shares only).
        assert all(f">{row.value}</a></td>" in page for row in breakdown.rows)
    assert "<script" not in page and not re.search(r'(src|href)="(https?:)?//', page)


def test_numbers_are_formatted_in_french(admin_client_logged):
    factories.small_world(1)
    report = indicators.compute(2024)
    from django.utils import translation

    from oimsite.lists.templatetags.figures import figure, percent

    with translation.override("fr"):
        assert figure(2196).replace("\u202f", " ").replace("\xa0", " ") == "2 196"
        assert percent(indicators.percent(426, 2712)).replace("\xa0", " ") == "15,7 %"
    assert report["avrr.returned"].value == 2


@pytest.mark.parametrize("scale", [1, 10])
def test_dashboard_queries_do_not_grow_with_the_data(admin_client_logged, django_assert_num_queries, scale):
    factories.small_world(scale)
    assert admin_client_logged.get(reverse("dashboard")).status_code == 200  # counts 2024, stores its summary
    # session, user, two for the years with records, then the indicator module's queries.
    with django_assert_num_queries(4 + SESSION_TOUCH_QUERIES + indicators.QUERY_COUNT):
        assert admin_client_logged.get(reverse("dashboard")).status_code == 200


@pytest.mark.parametrize("scale", [1, 10])
def test_dashboard_after_a_change_does_not_recount(admin_client_logged, django_assert_num_queries, scale):
    factories.small_world(scale)
    assert admin_client_logged.get(reverse("dashboard")).status_code == 200
    factories.returnee(to="GN")  # a change to 2024: its difference is added to the summary
    with django_assert_num_queries(4 + SESSION_TOUCH_QUERIES + indicators.QUERY_COUNT):
        response = admin_client_logged.get(reverse("dashboard"))
    assert response.context["report"]["avrr.by_country.GN"].value == 1


@pytest.mark.parametrize("scale", [1, 10])
def test_dashboard_after_a_bulk_write_counts_live_in_a_fixed_number_of_queries(
        admin_client_logged, django_assert_num_queries, scale):
    factories.small_world(scale)
    assert admin_client_logged.get(reverse("dashboard")).status_code == 200
    summaries.invalidate([2024])  # what populate and the baseline loader do
    # + the live count and the summary's store: update, delete of the changes it includes, and the atomic
    # block around them (two statements on either database: SAVEPOINT/RELEASE inside the test's transaction).
    with django_assert_num_queries(4 + SESSION_TOUCH_QUERIES + indicators.QUERY_COUNT
                                   + indicators.LIVE_QUERY_COUNT + 4):
        assert admin_client_logged.get(reverse("dashboard")).status_code == 200


def test_reconciliation_flags_differences(admin_client_logged):
    call_command("loaddata", "published_2024", verbosity=0)
    factories.small_world(1)
    response = admin_client_logged.get(reverse("reconciliation"), {"year": 2024}, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<tr class=\"status-") == 18
    assert 'data-key="avrr.returned"' in page
    assert "Mismatch" in page


# Query counts of the admin changelists are pinned in tests/perf_tests/test_query_counts.py.
@pytest.mark.parametrize("name", [
    "admin:returns_returnee_changelist", "admin:reintegration_supportsession_changelist",
    "admin:resettlement_resettlementfile_changelist", "admin:resettlement_refugee_changelist",
])
def test_changelist_totals_equal_the_changelist_count(admin_client_logged, name):
    factories.small_world(2)
    response = admin_client_logged.get(reverse(name))
    assert response.status_code == 200
    assert response.context["changelist_totals"][0][1] == response.context["cl"].queryset.count() > 0


def test_changelist_totals_follow_the_filter(admin_client_logged):
    factories.small_world(2)
    response = admin_client_logged.get(reverse("admin:returns_returnee_changelist"), {"programme": "to_morocco"})
    totals = [value for _label, value in response.context["changelist_totals"]]
    assert totals == [4, 0, 4, 4]


def test_admin_index_shows_the_headline_figures(admin_client_logged):
    factories.small_world(1)
    page = admin_client_logged.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Figures of 2024" in page
    assert 'href="/returns/?programme=from_morocco&amp;returned_in=2024">2</a>' in page


def test_changelist_totals_beyond_the_cap_say_more_than(admin_client_logged, monkeypatch):
    # Totals aggregate at most COUNT_CAP + 1 rows (flat cost at any size): wider sets get a note instead.
    from oimsite.lists import admin_base

    monkeypatch.setattr(admin_base, "COUNT_CAP", 5)
    factories.small_world(2)
    url = reverse("admin:returns_returnee_changelist")
    response = admin_client_logged.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["changelist_totals"] is None
    assert "more than 5 records: filter or search to see the totals." in response.content.decode()
    response = admin_client_logged.get(url, {"programme": "to_morocco"})
    assert [value for _label, value in response.context["changelist_totals"]] == [4, 0, 4, 4]
