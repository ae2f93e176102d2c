"""axe-core (bundled with axe-playwright-python, run in Debian's Chromium) finds no violation on our pages.

The stock Django admin scores zero; so must every page of ours, logged out and logged in.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib import admin
from django.urls import reverse
from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-Battery-9"
SITE_PAGES = [
    "dashboard",
    "reconciliation",
    "returns:returnee_list",
    "reintegration:session_list",
    "resettlement:file_list",
    "resettlement:refugee_list",
]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe is injected as a script: let it run whatever the site's Content-Security-Policy says.
    return {**browser_context_args, "bypass_csp": True}


def violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def test_login_page_has_no_axe_violation(page: Page, live_server):
    page.goto(f"{live_server.url}{reverse('login')}")
    assert violations(page) == []


def test_site_and_admin_pages_have_no_axe_violation(page: Page, live_server, django_user_model):
    from tests import helpers as f

    django_user_model.objects.create_superuser("agent", "agent@example.org", PASSWORD)
    person = f.saved_returnee(vulnerable=True)
    f.build_session(person).save()
    file = f.build_file()
    file.save()
    refugee = f.build_refugee(file)
    refugee.save()

    page.goto(f"{live_server.url}{reverse('login')}")
    page.fill("input[name=username]", "agent")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit].primary").click()
    page.wait_for_url(f"{live_server.url}/")

    urls = [reverse(name) for name in SITE_PAGES]
    urls += [person.get_absolute_url(), person.sessions.get().get_absolute_url(), file.get_absolute_url(),
             refugee.get_absolute_url(), reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse(f"admin:{info[0]}_{info[1]}_changelist"))
    urls.append(reverse("admin:returns_returnee_change", args=[person.pk]))

    found = {}
    for url in urls:
        page.goto(f"{live_server.url}{url}")
        problems = violations(page)
        if problems:
            found[url] = problems
    assert found == {}, "\n".join(f"{url}: {p}" for url, ps in found.items() for p in ps)
