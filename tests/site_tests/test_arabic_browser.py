"""The interface in Arabic, in Debian's Chromium at a desktop width and a phone's: a user picks العربية in the
language menu; every page of ours (login, dashboard, each list, detail pages, *My work* where it exists) and
an admin form are right to left, with no axe violation and nothing wider than the screen; after logging out
and in again the interface is still Arabic.

Screenshots go to test-artifacts/; with OIM_UPDATE_SCREENSHOTS=1 to docs/screenshots/ (committed).
"""

from __future__ import annotations

import contextlib
import os
import re
from datetime import date
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Browser, Page, expect

from returns.models import VulnerabilityCategory
from tests import helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-Battery-9"
DOCS_SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


@pytest.fixture
def records():
    returnee = helpers.returnee(to="SN", departed=date(2024, 5, 10), given="Ahmed", family="Benali",
                                name_ar="أحمد بن علي", vulnerable=True)
    helpers.returnee(host="FR", to="MA", departed=date(2024, 7, 2), given="Fatima", family="Mansouri",
                     name_ar="فاطمة المنصوري", nationality="MA", sex="F")
    helpers.returnee(to="CI", departed=None, given="Awa", family="Koné")
    returnee.vulnerabilities.set(VulnerabilityCategory.objects.filter(code="woman_at_risk"))
    helpers.session(returnee, on=date(2024, 5, 2), phase="pre_departure", kind="counselling", mode="virtual")
    family = helpers.resettlement_file(size=3)
    for refugee, name in zip(family.refugees.order_by("pk"), ["يوسف الحلبي", "مريم الحلبي", "سامي الحلبي"],
                             strict=True):
        refugee.name_ar = name
        refugee.save()
    # Issue 18: a case before its travel (on the movement team's list) with its checklist, and a partner.
    helpers.ready_to_travel(helpers.returnee(to="SN", departed=None, given="Moussa", family="Ba"))
    partner = helpers.partner(name="جمعية الأمل")
    return {"returnee": returnee, "file": family, "refugee": family.refugees.get(is_principal_applicant=True),
            "partner": partner}


def shot(page: Page, name: str, width: int, artifacts_dir: Path) -> None:
    folder = DOCS_SCREENSHOTS if os.environ.get("OIM_UPDATE_SCREENSHOTS") == "1" else artifacts_dir
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"ar-{name}-{width}.png"))


def check_page(page: Page, name: str, width: int, artifacts_dir: Path) -> None:
    """Arabic, right to left, nothing wider than the screen, no axe violation; then a screenshot."""
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client, f"{name} at {width}px: {scroll}px wide in {client}px"
    results = Axe().run(page)
    problems = [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
                for v in results.response["violations"]]
    assert problems == [], f"{name} at {width}px: {problems}"
    shot(page, name, width, artifacts_dir)


def log_in_in_arabic(page: Page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("اسم المستخدم").fill("amina")
    page.get_by_label("كلمة المرور").fill(PASSWORD)
    page.get_by_role("button", name="تسجيل الدخول").click()
    expect(page).to_have_url(f"{base}/")


def our_pages(records: dict) -> list[tuple[str, str]]:
    pages = [
        ("dashboard", reverse("dashboard")),
        ("returnees", reverse("returns:returnee_list")),
        ("sessions", reverse("reintegration:session_list")),
        ("files", reverse("resettlement:file_list")),
        ("refugees", reverse("resettlement:refugee_list")),
        ("returnee", records["returnee"].get_absolute_url()),
        ("file", records["file"].get_absolute_url()),
        ("refugee", records["refugee"].get_absolute_url()),
        ("summary", f"{reverse('summary')}?year=2024"),
        ("travel", reverse("returns:travel_list")),
        ("partners", reverse("reintegration:partner_list")),
        ("partner", records["partner"].get_absolute_url()),
        ("referrals", reverse("reintegration:referral_list")),
    ]
    with contextlib.suppress(NoReverseMatch):  # the casework pages, where they exist
        pages.append(("my-work", reverse("my_work")))
    return pages


@pytest.mark.parametrize("width", [1366, 390])
def test_the_interface_in_arabic(browser: Browser, live_server, django_user_model, records, artifacts_dir, width):
    django_user_model.objects.create_superuser("amina", "amina@example.org", PASSWORD)
    base = live_server.url
    # bypass_csp: axe is injected as a script, which the site's Content-Security-Policy refuses.
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()

    # On the login page, in the office's French: the user picks العربية in the menu, as anyone does.
    page.goto(f"{base}/login/")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    page.get_by_label("Langue").select_option(label="العربيّة")
    page.get_by_role("button", name="Modifier").click()
    expect(page.locator("h1")).to_have_text("تسجيل الدخول")
    check_page(page, "login", width, artifacts_dir)

    log_in_in_arabic(page, base)
    for name, url in our_pages(records):
        page.goto(f"{base}{url}")
        check_page(page, name, width, artifacts_dir)
    page.goto(f"{base}{reverse('returns:returnee_list')}")
    expect(page.locator("main")).to_contain_text("أحمد بن علي")  # beside the Latin name
    expect(page.locator("main")).to_contain_text("10/05/2024")  # Western digits, day first

    page.goto(f"{base}{reverse('admin:returns_returnee_change', args=[records['returnee'].pk])}")
    check_page(page, "admin-returnee", width, artifacts_dir)
    expect(page.get_by_label("الاسم بالحروف العربية")).to_have_value("أحمد بن علي")

    # Logged out and in again: still Arabic (the choice is kept with the account and on this browser).
    page.goto(f"{base}/")
    page.get_by_role("button", name="تسجيل الخروج").click()
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    log_in_in_arabic(page, base)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    context.close()

    elsewhere = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
    other = elsewhere.new_page()
    other.goto(f"{base}/login/")
    expect(other.locator("html")).to_have_attribute("lang", "fr")  # a new browser: the office's French
    other.get_by_label("Nom d’utilisateur").fill("amina")
    other.get_by_label("Mot de passe").fill(PASSWORD)
    other.get_by_role("button", name="Se connecter").click()
    expect(other.locator("html")).to_have_attribute("lang", "ar")  # then amina's Arabic
    elsewhere.close()
