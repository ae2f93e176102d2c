"""The dashboard, the reconciliation page and the admin's figures."""

import re
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from accounts.roles import RESETTLEMENT_OFFICER
from oimsite.core.assignment import reassign
from oimsite.reporting import indicators, summaries, sustainability
from oimsite.reporting.models import BucketCount
from returns.models import Returnee
from tests import helpers
from tests.helpers import SESSION_TOUCH_QUERIES, in_english

pytestmark = pytest.mark.django_db

# The open cases without an owner: one count of returnees, one of files.
UNASSIGNED_QUERIES = 2
# session, user, one for the years with records, the open cases without an owner; then per year (`report_queries`).
DASHBOARD_QUERIES = 3 + SESSION_TOUCH_QUERIES + UNASSIGNED_QUERIES

LINK = re.compile(r'<a href="(/(?:returns|reintegration|resettlement)/[^"]*)"[^>]*>([\d\s\u202f\xa0.,]+)</a>')


def test_dashboard_needs_login(client):
    assert client.get(reverse("dashboard")).status_code == 302


def test_dashboard_needs_a_view_permission(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="Correct-Horse-Battery-9"))
    assert client.get(reverse("dashboard")).status_code == 403


def test_dashboard_defaults_to_the_latest_year_with_records(admin_client_logged):
    helpers.small_world(1)
    helpers.returnee(to="SN", departed=None)
    response = admin_client_logged.get(reverse("dashboard"))
    assert response.context["report"].year == 2024
    assert admin_client_logged.get(reverse("dashboard"), {"year": 2023}).context["report"].year == 2023


def test_a_year_with_sessions_or_referrals_but_no_departure_has_a_dashboard(admin_client_logged):
    helpers.small_world(1)
    person = helpers.returnee(to="SN", departed=date(2024, 11, 2))
    helpers.session(person, on=date(2025, 2, 3), kind="health")  # follow-up the year after the return
    file = helpers.resettlement_file(departed=None)
    file.referral_date = date(2021, 3, 4)
    file.save()
    response = admin_client_logged.get(reverse("dashboard"), {"year": 2025})
    assert response.status_code == 200
    assert response.context["report"].year == 2025
    assert response.context["report"]["avrr.post_return_support"].value == 1
    assert response.context["years"] == [2025, 2024, 2023, 2021]
    assert admin_client_logged.get(reverse("dashboard"), {"year": 2021}).status_code == 200
    assert admin_client_logged.get(reverse("dashboard"), {"year": 2022}).status_code == 400
    # Without a choice, the latest year with returns or departures: the annual report's subject.
    assert admin_client_logged.get(reverse("dashboard")).context["report"].year == 2024


def test_dashboard_without_records(admin_client_logged):
    response = in_english(admin_client_logged).get(reverse("dashboard"))
    assert response.status_code == 200
    assert "No return or departure has been recorded yet" in response.content.decode()


def test_every_number_links_to_a_list_showing_that_number(admin_client_logged):
    helpers.small_world(3)
    page = admin_client_logged.get(reverse("dashboard")).content.decode()
    links = {(url.replace("&amp;", "&"), int(re.sub(r"\D", "", text))) for url, text in LINK.findall(page)}
    assert len(links) > 30
    for url, number in links:
        assert admin_client_logged.get(url).context["result_count"] == number, url


def test_dashboard_charts_add_each_share_and_are_accessible(admin_client_logged):
    helpers.small_world(1)
    response = in_english(admin_client_logged).get(reverse("dashboard"))
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
    helpers.small_world(1)
    report = indicators.compute(2024)
    from django.utils import translation

    from oimsite.lists.templatetags.figures import figure, percent

    with translation.override("fr"):
        assert figure(2196).replace("\u202f", " ").replace("\xa0", " ") == "2 196"
        assert percent(indicators.percent(426, 2712)).replace("\xa0", " ") == "15,7 %"
    assert report["avrr.returned"].value == 2


# A year's report from counts already read: its published figures.
PUBLISHED_FIGURES_QUERIES = indicators.QUERY_COUNT - summaries.READ_QUERY_COUNT


def report_queries(recount: int = 0) -> int:
    """The dashboard's queries for the years with records, every one in the trend (the year before beside the
    year shown): their stored counts read together and the buckets written since recounted once for all of
    them (`recount`), then each year's published figures and sustainability figures."""
    years = len(indicators.years_with_records())
    return summaries.READ_QUERY_COUNT + recount + years * (PUBLISHED_FIGURES_QUERIES + sustainability.QUERY_COUNT)


@pytest.mark.parametrize("scale", [1, 10])
def test_dashboard_queries_do_not_grow_with_the_data(admin_client_logged, django_assert_num_queries, scale):
    helpers.small_world(scale)
    assert admin_client_logged.get(reverse("dashboard")).status_code == 200  # counts 2024, stores its summary
    with django_assert_num_queries(DASHBOARD_QUERIES + report_queries()):
        assert admin_client_logged.get(reverse("dashboard")).status_code == 200


# The stored counts of one bucket recounted: its returns and its sessions (a returnee bucket), and stored (an
# upsert, in a savepoint inside the test's transaction: SAVEPOINT, INSERT … ON CONFLICT, RELEASE).
RETURNEE_BUCKET_RECOUNT = 2 + 3


@pytest.mark.parametrize("scale", [1, 10])
def test_dashboard_after_a_change_recounts_its_bucket_only(admin_client_logged, django_assert_num_queries, scale):
    helpers.small_world(scale)
    assert admin_client_logged.get(reverse("dashboard")).status_code == 200
    helpers.returnee(to="GN")  # a change to 2024: its bucket is recounted, once for every year shown
    with django_assert_num_queries(DASHBOARD_QUERIES + report_queries(RETURNEE_BUCKET_RECOUNT)):
        response = admin_client_logged.get(reverse("dashboard"))
    assert response.context["report"]["avrr.by_country.GN"].value == 1


@pytest.mark.parametrize("scale", [1, 10])
def test_dashboard_after_a_bulk_write_counts_in_a_fixed_number_of_queries(
        admin_client_logged, django_assert_num_queries, scale):
    helpers.small_world(scale)
    assert admin_client_logged.get(reverse("dashboard")).status_code == 200
    Returnee.objects.filter(return_country="CI").update(return_country="GN")
    with django_assert_num_queries(DASHBOARD_QUERIES + report_queries(RETURNEE_BUCKET_RECOUNT)):
        response = admin_client_logged.get(reverse("dashboard"))
    assert response.context["report"]["avrr.by_country.GN"].value == scale  # the CI return of 2024


@pytest.mark.parametrize("scale", [1, 10])
def test_dashboard_of_a_year_never_counted_counts_live_in_a_fixed_number_of_queries(
        admin_client_logged, django_assert_num_queries, scale):
    helpers.small_world(scale)
    BucketCount.objects.all().delete()
    # Every bucket counted: the three queries of a live count, and the store.
    with django_assert_num_queries(DASHBOARD_QUERIES + report_queries(indicators.LIVE_QUERY_COUNT + 3)):
        assert admin_client_logged.get(reverse("dashboard")).status_code == 200


def test_the_open_cases_without_an_owner_link_to_their_lists(admin_client_logged, django_user_model):
    helpers.small_world(1)  # six open returnees, three open files, nobody's
    owner = django_user_model.objects.create_user("awa", password=helpers.PASSWORD, is_staff=True)
    reassign(list(Returnee.objects.all()[:2]), owner, by=None)
    helpers.returnee(departed=None, stage="closed", closure_reason="declined")  # closed: not counted
    page = in_english(admin_client_logged).get(reverse("dashboard")).content.decode()
    line = page.split('id="unassigned">')[1].split("</p>")[0]
    assert re.sub(r"<[^>]+>|\s+", "", line) == "Opencaseswithoutanowner:4returneecases·3resettlementfiles"
    returnees = reverse("returns:returnee_list")
    assert f'<a href="{returnees}?owner=unassigned&amp;open=true" data-key="unassigned.returnees">4</a>' in line
    assert f'href="{reverse("resettlement:file_list")}?owner=unassigned&amp;open=true"' in line
    # The list behind the number shows exactly the cases it counts (the closed one is not among them).
    listed = admin_client_logged.get(f"{returnees}?owner=unassigned&open=true")
    assert listed.context["table"].paginator.count == Returnee.objects.open_cases().unassigned().count() == 4


def test_the_unassigned_numbers_are_plain_text_for_those_who_cannot_open_the_list(client, make_user):
    helpers.small_world(1)
    client.force_login(make_user("leila", RESETTLEMENT_OFFICER))
    line = client.get(reverse("dashboard")).content.decode().split('id="unassigned">')[1].split("</p>")[0]
    assert '<span data-key="unassigned.returnees">6</span>' in line
    assert 'data-key="unassigned.files">3</a>' in line


def test_reconciliation_flags_differences(admin_client_logged):
    call_command("loaddata", "published_2024", verbosity=0)
    helpers.small_world(1)
    response = in_english(admin_client_logged).get(reverse("reconciliation"), {"year": 2024})
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
    helpers.small_world(2)
    response = admin_client_logged.get(reverse(name))
    assert response.status_code == 200
    assert response.context["changelist_totals"][0][1] == response.context["cl"].queryset.count() > 0


def test_changelist_totals_follow_the_filter(admin_client_logged):
    helpers.small_world(2)
    response = admin_client_logged.get(reverse("admin:returns_returnee_changelist"), {"programme": "to_morocco"})
    totals = [value for _label, value in response.context["changelist_totals"]]
    assert totals == [4, 0, 4, 4]


def test_admin_index_shows_the_headline_figures(admin_client_logged):
    helpers.small_world(1)
    page = in_english(admin_client_logged).get(reverse("admin:index")).content.decode()
    assert "Figures of 2024" in page
    assert 'href="/returns/?programme=from_morocco&amp;returned_in=2024">2</a>' in page


def test_changelist_totals_beyond_the_cap_say_more_than(admin_client_logged, monkeypatch):
    # Totals aggregate at most COUNT_CAP + 1 rows (flat cost at any size): wider sets get a note instead.
    from oimsite.lists import admin_base

    monkeypatch.setattr(admin_base, "COUNT_CAP", 5)
    helpers.small_world(2)
    url = reverse("admin:returns_returnee_changelist")
    response = in_english(admin_client_logged).get(url)
    assert response.context["changelist_totals"] is None
    assert "more than 5 records: filter or search to see the totals." in response.content.decode()
    response = admin_client_logged.get(url, {"programme": "to_morocco"})
    assert [value for _label, value in response.context["changelist_totals"]] == [4, 0, 4, 4]
