"""In Chromium, in French: delete a returnee with their sessions after the confirmation; a departed file is
refused without refugees and saved once the family is added in the inline, whose new row chooses no
relationship."""

import re
from datetime import date

import pytest

from reintegration.models import SupportSession
from resettlement.models import ResettlementFile
from returns.models import Returnee
from tests import helpers as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-Battery-9"


@pytest.fixture
def logged_in(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("officer", "officer@example.org", PASSWORD)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit], button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


@pytest.mark.parametrize("width", [1366, 390])
def test_delete_a_returnee_with_their_sessions(logged_in, live_server, width):
    page = logged_in
    page.set_viewport_size({"width": width, "height": 900})
    person = f.returnee(to="SN", departed=date(2024, 5, 10))
    f.session(person, on=date(2024, 4, 1), phase="pre_departure", kind="counselling", mode="virtual")
    f.session(person, on=date(2024, 6, 1))

    page.goto(f"{live_server.url}/admin/returns/returnee/{person.pk}/change/")
    page.locator("a.deletelink").click()
    page.wait_for_url(re.compile(rf"/admin/returns/returnee/{person.pk}/delete/$"))
    listed = page.locator("#content").inner_text()
    assert "Impossible" not in listed
    assert "Séances d’appui: 2" in listed
    assert listed.count("Séance d’appui: ") == 2
    page.get_by_role("button", name="Oui, je suis sûr").click()
    page.wait_for_url(re.compile(r"/admin/returns/returnee/$"))
    assert "supprimé" in page.locator(".messagelist").inner_text()
    assert not Returnee.objects.exists() and not SupportSession.objects.exists()


@pytest.mark.parametrize("width", [1366, 390])
def test_a_departed_file_is_saved_only_with_its_refugees(logged_in, live_server, width):
    page = logged_in
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/admin/resettlement/resettlementfile/add/")
    page.fill("#id_file_number", "RST-2024-0042")
    page.select_option("#id_destination_country", "CA")
    page.select_option("#id_stage", "departed")
    page.fill("#id_referral_date", "10/01/2024")
    page.fill("#id_departure_date", "01/03/2024")
    # The refused page is served at the same address: wait for it to load, not only to start (its inline,
    # where the message is, comes last).
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    assert "Corrigez l’erreur ci-dessous" in page.locator(".errornote").inner_text()
    assert "Un dossier parti ou arrivé compte au moins un réfugié" in page.locator("#refugees-group").inner_text()
    assert not ResettlementFile.objects.exists()

    page.locator("#refugees-group .add-row a").click()
    row = page.locator("#refugees-group tr.form-row.dynamic-refugees").first
    assert row.locator("select[name$='-relationship']").input_value() == ""
    row.locator("input[name$='-given_name']").fill("Omar")
    row.locator("input[name$='-family_name']").fill("Haddad")
    row.locator("select[name$='-sex']").select_option("M")
    row.locator("input[name$='-date_of_birth']").fill("02/01/1988")
    row.locator("select[name$='-nationality']").select_option("SY")
    row.locator("input[name$='-is_principal_applicant']").check()
    row.locator("select[name$='-relationship']").select_option("principal")
    page.locator("#refugees-group .add-row a").click()
    second = page.locator("#refugees-group tr.form-row.dynamic-refugees").nth(1)
    assert second.locator("select[name$='-relationship']").input_value() == ""
    second.locator("a.inline-deletelink").click()  # changed their mind: one person on this file
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/resettlement/resettlementfile/$"))
    file = ResettlementFile.objects.get()
    assert (file.stage, list(file.refugees.values_list("given_name", flat=True))) == ("departed", ["Omar"])
