"""In Chromium, in French, at a desktop's and a phone's width: a case worker's travel document number that another
returnee's checklist already gives is saved with a warning that names that case and links to the Possible
duplicates page, where both are grouped; the page is reached from the returnees' list too."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth.models import Group

from accounts.roles import CASE_WORKER
from returns.models import DepartureChecklist
from tests import helpers as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1366, 390])
def test_a_travel_document_number_given_twice_is_flagged_and_grouped(page, live_server, django_user_model, width):
    first = f.saved_returnee(given_name="Aminata", family_name="Diallo", date_of_birth=date(1990, 1, 1))
    second = f.saved_returnee(given_name="Fatou", family_name="Sow", date_of_birth=date(1985, 6, 1))
    f.ready_to_travel(first, travel_document_number="AB 12345")
    f.ready_to_travel(second, travel_document_number="CD999")
    user = django_user_model.objects.create_user("awa", "awa@example.org", f.PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=CASE_WORKER))
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "awa")
    page.fill("input[name=password]", f.PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/admin/returns/returnee/{second.pk}/change/")
    page.fill("#id_checklist-0-travel_document_number", "ab-12345")
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    warning = page.locator(".messagelist .warning").inner_text()
    assert first.case_number in warning and "ab-12345" in warning
    assert DepartureChecklist.objects.get(returnee=second).travel_document_number == "ab-12345"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("link", name="Voir les doublons possibles.").click()
    page.wait_for_url(re.compile(r"/admin/returns/returnee/duplicates/$"))
    group = page.locator("table.duplicate-group", has_text="AB12345")
    assert first.case_number in group.inner_text() and second.case_number in group.inner_text()

    page.goto(f"{live_server.url}/admin/returns/returnee/")
    page.get_by_role("link", name="Doublons possibles").click()
    page.wait_for_url(re.compile(r"/admin/returns/returnee/duplicates/$"))
