"""In Chromium, in French, on a desktop screen and a phone: a case worker logs in through the form, lands on My
work, sees the overdue follow-up, opens the case and reads its timeline; a supervisor opens the caseload. No
horizontal scrolling, no axe-core violation."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page

from accounts.roles import CASE_WORKER, SUPERVISOR
from oimsite.core.assignment import reassign
from reintegration.models import FollowUp, FollowUpScheduleStep
from tests import helpers
from tests.helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1366, 390]


@pytest.fixture
def casework(django_user_model):
    FollowUpScheduleStep.objects.update(active=False)
    users = {}
    for username, role in (("awa", CASE_WORKER), ("chef", SUPERVISOR)):
        users[username] = django_user_model.objects.create_user(username, f"{username}@example.org", PASSWORD,
                                                                is_staff=True)
        users[username].groups.add(Group.objects.get(name=role))
    case = helpers.returnee(to="SN", departed=date(2024, 5, 10), given="Fatou", family="Ndiaye")
    reassign([case], users["awa"], by=users["chef"], reason="Nouvelle arrivée")
    FollowUp.objects.create(returnee=case, kind="phone", due_date=timezone.localdate() - timedelta(days=4),
                            assigned_to=users["awa"])
    helpers.returnee(to="GN", given="Other", family="Person")  # nobody's
    return case


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}{reverse('login')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit].primary").click()


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def axe_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe is injected as a script: let it run whatever the site's Content-Security-Policy says.
    return {**browser_context_args, "bypass_csp": True}


@pytest.mark.parametrize("width", WIDTHS)
def test_a_case_worker_starts_on_my_work_and_opens_the_case(page: Page, live_server, casework, width,
                                                            artifacts_dir):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "awa")
    page.wait_for_url(f"{live_server.url}{reverse('my_work')}")
    assert page.locator("h1").inner_text() == "Mon travail"
    overdue = page.locator("#overdue")
    assert overdue.locator(".work-count").inner_text() == "1"
    assert "Fatou Ndiaye" in overdue.inner_text() and "Appel téléphonique" in overdue.inner_text()
    assert "Other" not in page.locator("main").inner_text()
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts_dir / f"my-work-{width}.png"), full_page=True)

    overdue.get_by_role("link", name=re.compile("Fatou Ndiaye")).click()
    page.wait_for_url(f"{live_server.url}{casework.get_absolute_url()}")
    timeline = page.locator(".case-timeline")
    assert timeline.locator("h2").inner_text() == "Chronologie du dossier"
    lines = timeline.locator("li").all_inner_texts()
    assert any("Dossier enregistré à l’étape « Retour effectué »" in line for line in lines)
    assigned = next(line for line in lines if "Attribué à awa" in line)
    assert "par chef" in assigned and "Nouvelle arrivée" in assigned
    assert any("Suivi prévu : Appel téléphonique" in line and "en retard" in line for line in lines)
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_supervisor_opens_the_caseload(page: Page, live_server, casework, width, artifacts_dir):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "chef")
    page.wait_for_url(f"{live_server.url}{reverse('my_work')}")
    page.get_by_role("navigation").get_by_role("link", name="Charge de travail").click()
    page.wait_for_url(f"{live_server.url}{reverse('caseload')}")
    row = page.locator("table.caseload tbody tr", has_text="awa")
    assert row.locator("[data-key=returnees]").inner_text() == "1"
    assert row.locator("[data-key=overdue]").inner_text() == "1"
    nobody = page.locator("table.caseload tfoot tr")
    assert "Personne" in nobody.inner_text() and nobody.locator("[data-key=returnees]").inner_text() == "1"
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts_dir / f"caseload-{width}.png"), full_page=True)
