"""In Chromium: from a returnee's page to the admin and back; the change shows in the page's history, in words."""

import re

import pytest

from returns.models import VulnerabilityCategory
from tests import helpers

PASSWORD = "Correct-Horse-Battery-9"


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.browser
@pytest.mark.parametrize("width", [1366, 390])
def test_edit_a_returnee_from_its_page_and_read_the_change_in_its_history(page, live_server, transactional_db,
                                                                           django_user_model, width):
    django_user_model.objects.create_superuser("officer", "officer@example.org", PASSWORD)
    person = helpers.saved_returnee(return_country="SN", nationality="SN")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "officer")

    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    page.get_by_role("link", name="Modifier dans l’administration").click()
    page.wait_for_url(re.compile(rf"/admin/returns/returnee/{person.pk}/change/$"))
    page.select_option("#id_return_country", "GN")
    page.get_by_label("Enfant").check()
    page.fill("#id_notes", "Appel de suivi prévu.")
    page.locator("input[name=_continue]").click()
    page.wait_for_url(re.compile(rf"/admin/returns/returnee/{person.pk}/change/$"))

    page.get_by_role("link", name="Voir sur le site").click()
    page.wait_for_url(f"{live_server.url}{person.get_absolute_url()}")
    history = page.locator("section.history").inner_text().replace("\xa0", " ")
    assert "pays de retour : Sénégal → Guinée" in history
    assert "vulnérabilités : — → Enfant" in history
    assert "officer" in history
    assert "None" not in page.locator("main").inner_text()
    assert "Appel de suivi prévu." in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert person.vulnerabilities.get() == VulnerabilityCategory.objects.get(code="child")
