"""In a real headless Chromium: log in through the form, add a returnee in the admin, find it in the list."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-Battery-9"


def log_in(page: Page, live_server_url: str, username: str) -> None:
    page.goto(f"{live_server_url}/")
    expect(page).to_have_url(f"{live_server_url}/login/?next=/")
    # The interface is in French by default.
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{live_server_url}/")


def test_log_in_add_a_returnee_in_the_admin_and_find_it(page: Page, live_server, django_user_model, artifacts_dir):
    django_user_model.objects.create_superuser("agent", "agent@example.org", PASSWORD)
    log_in(page, live_server.url, "agent")

    page.goto(f"{live_server.url}/admin/returns/returnee/add/")
    page.fill("#id_case_number", "RVA-2024-04242")
    page.select_option("#id_stage", "returned")  # the status (what the report counts) follows the stage
    page.get_by_label("Retour enregistré après coup").check()  # a past return: no departure checklist
    page.fill("#id_given_name", "Fatoumata")
    page.fill("#id_family_name", "Camara")
    page.select_option("#id_sex", "F")
    page.fill("#id_date_of_birth", "1996-07-21")
    page.select_option("#id_nationality", "GN")
    page.select_option("#id_host_country", "MA")
    page.select_option("#id_return_country", "GN")
    page.fill("#id_departure_date", "2024-09-12")
    page.locator("input[name=_save]").click()

    expect(page.locator(".messagelist")).to_contain_text("RVA-2024-04242")
    page.goto(f"{live_server.url}/admin/returns/returnee/?q=Camara")
    expect(page.locator("#result_list")).to_contain_text("RVA-2024-04242")
    page.goto(f"{live_server.url}/returns/")
    expect(page.locator("main")).to_contain_text("RVA-2024-04242")
    page.screenshot(path=str(artifacts_dir / "returnee-list.png"), full_page=True)
