"""In a real Chromium: the year's summary, its links to the records, the copy button, the A4 print view, and
axe-core on both pages at 1366 and 390 px."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from oimsite.reporting import indicators, summary_text
from tests import helpers

pytestmark = pytest.mark.browser

PASSWORD = "Correct-Horse-Battery-9"
WIDTHS = {1366: 900, 390: 844}


def digits(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def log_in(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}{reverse('login')}")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.django_db
def test_summary_links_copy_and_print(site_page, artifacts_dir):
    report = indicators.compute(2024)
    with translation.override("fr"):
        summary = summary_text.for_year(2024)
    page = site_page(width=1366)  # signed in, on the dashboard
    url = f"{page.site_url}{reverse('summary')}?year=2024"
    page.locator("a.summary-link").click()
    page.wait_for_url(re.compile(r"/summary/\?year=2024$"))
    assert words(page.locator(".summary-text").inner_text()) == words(summary.as_text())
    page.screenshot(path=str(artifacts_dir / "summary-2024-1366.png"), full_page=True)

    # Three of the text's numbers: each opens the list of exactly the records it counts.
    for key, width in (("avrr.by_country.CI", 1366), ("resettlement.by_destination.US", 1366),
                       ("moroccans.reintegration_support", 390)):
        page.set_viewport_size({"width": width, "height": WIDTHS[width]})
        page.goto(url)
        link = page.locator(f'.summary-text a[data-key="{key}"][data-year="2024"]').first
        shown = digits(link.inner_text())
        assert shown == report[key].value
        link.click()
        page.wait_for_url(re.compile(r"/(returns|resettlement)/.*\?"))
        assert int(page.locator(".result-count").get_attribute("data-count")) == shown, key
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    page.screenshot(path=str(artifacts_dir / "summary-2024-390.png"), full_page=True)

    # The copy button puts the plain text on the clipboard (the script is a static file: the CSP holds).
    page.set_viewport_size({"width": 1366, "height": 900})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.site_url)
    page.get_by_role("button", name="Copier le texte").click()
    expect(page.locator("#summary-copy-status")).to_have_text("Le texte a été copié.")
    assert page.evaluate("navigator.clipboard.readText()") == summary.as_text()

    # The print view: no navigation, and on paper the 2024 text fits one A4 page.
    page.get_by_role("link", name="Version à imprimer (A4)").click()
    page.wait_for_url(re.compile(r"/summary/print/\?year=2024$"))
    assert page.locator("nav, .site-header, form").count() == 0
    assert words(page.locator(".summary-text").inner_text()) == words(summary.as_text())
    page.emulate_media(media="print")
    expect(page.locator(".print-tools")).to_be_hidden()
    page.screenshot(path=str(artifacts_dir / "summary-2024-print.png"), full_page=True)
    pdf = page.pdf(path=str(artifacts_dir / "summary-2024.pdf"), prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1


def test_summary_pages_have_no_axe_violation(browser, live_server, transactional_db, django_user_model):
    helpers.small_world(1)
    django_user_model.objects.create_superuser("officer", "officer@example.org", PASSWORD)
    found = {}
    for width, height in WIDTHS.items():
        # axe is injected as a script: this context lets it run whatever the Content-Security-Policy says.
        context = browser.new_context(bypass_csp=True, locale="fr-FR", viewport={"width": width, "height": height})
        page = context.new_page()
        log_in(page, live_server)
        for name in ("summary", "summary_print"):
            page.goto(f"{live_server.url}{reverse(name)}?year=2024")
            expect(page.locator(".summary-text")).to_be_visible()
            results = Axe().run(page)
            problems = [f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
                        for v in results.response["violations"]]
            if problems:
                found[(name, width)] = problems
            # Nothing wider than the screen: the text wraps on a phone.
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (name, width)
        context.close()
    assert found == {}
