"""In Chromium set to American English: the office's French until the user picks English, then English
after logging out and in again, on this browser and on another one; English dates day-first."""

import re
from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from returns.models import VulnerabilityCategory
from tests import helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-Battery-9"
WORDS = {
    "fr": {"username": "Nom d’utilisateur", "password": "Mot de passe", "log_in": "Se connecter",
           "log_out": "Se déconnecter", "language": "Langue", "change": "Modifier"},
    "en": {"username": "Username", "password": "Password", "log_in": "Log in", "log_out": "Log out",
           "language": "Language", "change": "Change"},
}


def new_page(browser: Browser, width: int) -> Page:
    context = browser.new_context(locale="en-US", viewport={"width": width, "height": 900},
                                  extra_http_headers={"Accept-Language": "en-US,en;q=0.9"})
    return context.new_page()


def log_in(page: Page, url: str, language: str) -> None:
    words = WORDS[language]
    page.goto(f"{url}/login/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.get_by_label(words["username"]).fill("amina")
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_role("button", name=words["log_in"]).click()
    expect(page).to_have_url(f"{url}/")


@pytest.mark.parametrize("width", [1366, 390])
def test_french_by_default_and_the_choice_of_english_kept(browser: Browser, live_server, django_user_model,
                                                         artifacts_dir, width):
    django_user_model.objects.create_superuser("amina", "amina@example.org", PASSWORD)
    returnee = helpers.returnee(to="SN", departed=date(2024, 5, 10), family="Ndiaye")
    returnee.vulnerabilities.set(VulnerabilityCategory.objects.filter(code="woman_at_risk"))
    page = new_page(browser, width)

    log_in(page, live_server.url, "fr")  # the browser asks for English: the office works in French
    # Waits for the dashboard's heading, in French (a "not English" check would pass before the page loads).
    expect(page.locator("h1").first).to_have_text("Bilan annuel 2024")
    page.get_by_label("Langue").select_option("en")
    page.get_by_role("button", name="Modifier").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.goto(f"{live_server.url}{returnee.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text("Woman at risk")
    expect(page.locator("main")).to_contain_text("10/05/2024")  # day first
    page.screenshot(path=str(artifacts_dir / f"language-english-{width}.png"), full_page=True)

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/"))
    log_in(page, live_server.url, "en")  # this browser remembers
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.context.close()

    elsewhere = new_page(browser, width)  # another computer: French until amina logs in
    log_in(elsewhere, live_server.url, "fr")
    expect(elsewhere.locator("html")).to_have_attribute("lang", "en")
    elsewhere.context.close()
