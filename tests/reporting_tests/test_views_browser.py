"""In a real Chromium: log in, read the dashboard, drill down, export, edit in the admin, see the figures move."""

import re
from pathlib import Path

import pytest

from oimsite.reporting.models import PublishedFigure
from reintegration.models import SupportSession
from returns.models import Returnee
from tests import helpers

PASSWORD = "Correct-Horse-Battery-9"


def digits(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def figure_of(page, key: str) -> int:
    return digits(page.locator(f'.figure-card a[data-key="{key}"], td.number a[href$="{key}"]').first.inner_text())


def country_count(page, code: str, field: str = "return_country") -> int:
    link = page.locator(f'#breakdown-avrr-by_country td.number a[href*="{field}={code}"]')
    return digits(link.inner_text()) if link.count() else 0


def avrr_in(code: str) -> int:
    return Returnee.objects.from_morocco().returned_in(2024).filter(return_country=code).count()


@pytest.mark.browser
def test_dashboard_drill_down_export_and_admin_edit(page, live_server, transactional_db, django_user_model,
                                                    artifacts_dir):
    helpers.load_baseline()
    django_user_model.objects.create_superuser("officer", "officer@example.org", PASSWORD)

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")

    total = Returnee.objects.from_morocco().returned_in(2024).count()
    headline = page.locator('.figure-card a[data-key="avrr.returned"]').inner_text()
    # French formatting: a (narrow) no-break space between thousands.
    assert re.sub(r"[\s\u202f\xa0]", " ", headline) == f"{total:,}".replace(",", " ")
    assert total == PublishedFigure.objects.get(key="avrr.returned", year=2024).value
    page.screenshot(path=str(artifacts_dir / "dashboard-2024.png"), full_page=True)

    ci_before, sn_before = avrr_in("CI"), avrr_in("SN")
    assert country_count(page, "CI") == ci_before
    assert ci_before == PublishedFigure.objects.get(key="avrr.by_country.CI", year=2024).value
    page.locator('#breakdown-avrr-by_country td.number a[href*="return_country=CI"]').click()
    page.wait_for_url(re.compile(r"/returns/\?"))
    assert int(page.locator(".result-count").get_attribute("data-count")) == ci_before
    page.screenshot(path=str(artifacts_dir / "returnees-CI-2024.png"), full_page=True)

    with page.expect_download() as download_info:
        page.locator(".export-links a", has_text="CSV").click()
    exported = Path(download_info.value.path()).read_text(encoding="utf-8").strip().splitlines()
    assert len(exported) == 1 + ci_before

    moved = Returnee.objects.from_morocco().returned_in(2024).filter(return_country="CI").first()
    page.goto(f"{live_server.url}/admin/returns/returnee/{moved.pk}/change/")
    page.select_option("#id_return_country", "SN")
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/returns/returnee/(\?.*)?$"))

    page.goto(f"{live_server.url}/?year=2024")
    assert country_count(page, "CI") == ci_before - 1
    assert country_count(page, "SN") == sn_before + 1


@pytest.mark.browser
@pytest.mark.django_db
def test_a_year_of_follow_up_only_is_chosen_in_the_year_menu(site_page):
    later = SupportSession.objects.post_return().in_year(2025)
    assert later.exists() and not Returnee.objects.returned_in(2025).exists()

    page = site_page()
    assert page.locator("h1").inner_text() == "Bilan annuel 2024"
    options = page.locator("#id_year option").all_inner_texts()
    assert options == ["2025", "2024", "2023", "2022", "2021"]

    page.select_option("#id_year", "2025")
    page.locator("form.year-form button[type=submit]").click()
    page.wait_for_url(f"{page.site_url}/?year=2025")
    assert page.locator("h1").inner_text() == "Bilan annuel 2025"
    supported = later.filter(returnee__host_country="MA").values("returnee").distinct().count()
    assert figure_of(page, "avrr.post_return_support") == supported > 0
    assert figure_of(page, "avrr.returned") == 0
