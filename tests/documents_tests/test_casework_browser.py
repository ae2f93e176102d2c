"""In Chromium, in French, as the roles do it: a referral made through the form (refused without consent,
sent with the override and its reason); a document uploaded then downloaded by a case worker and refused to a
resettlement officer; a case blocked by its departure checklist, then released once the checklist is done."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from accounts.models import AuditEvent
from accounts.roles import CASE_WORKER, RESETTLEMENT_OFFICER
from documents.models import Document
from reintegration.models import Referral
from returns.models import Returnee
from tests import helpers as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = f.PASSWORD


def save(page) -> None:
    """Submit the admin form and wait for the page that answers."""
    with page.expect_navigation():
        page.locator("input[name=_save]").click()


@pytest.fixture
def sign_in(page, live_server, django_user_model):
    def login(username: str, role: str):
        user = django_user_model.objects.create_user(username, f"{username}@example.org", PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        context = page.context.browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900},
                                                   accept_downloads=True)
        tab = context.new_page()
        tab.goto(f"{live_server.url}/login/")
        tab.fill("input[name=username]", username)
        tab.fill("input[name=password]", PASSWORD)
        tab.locator("form[action='/login/'] button[type=submit]").click()
        tab.wait_for_load_state()
        return tab
    return login


def test_a_referral_through_the_form(sign_in, live_server, artifacts_dir):
    person = f.returnee(consent_scope="follow_up", consent_date=date(2024, 4, 1))
    partner = f.partner(name="Association Amal", services=["health", "vocational_training"])
    page = sign_in("awa", CASE_WORKER)
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    page.get_by_role("link", name="Orienter vers un partenaire").click()
    page.wait_for_url(re.compile(r"/admin/reintegration/referral/add/"))
    page.select_option("#id_partner", str(partner.pk))
    page.select_option("#id_service", "health")
    save(page)
    errors = page.locator(".errorlist").all_inner_texts()
    assert any("ne couvre pas le partage des données avec les partenaires" in e for e in errors)
    assert not Referral.objects.exists()
    page.check("#id_consent_override")
    page.fill("#id_override_reason", "Soins urgents ; consentement écrit à recueillir.")
    save(page)
    page.wait_for_url(re.compile(r"/admin/reintegration/referral/$"))
    page.screenshot(path=str(artifacts_dir / "referral-sent.png"), full_page=True)
    referral = Referral.objects.get()
    assert (referral.returnee, referral.partner, referral.sent_by.username) == (person, partner, "awa")
    assert AuditEvent.objects.filter(kind="referral_override", detail__referral=referral.pk).exists()
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    assert "Association Amal" in page.locator("main").inner_text()


def test_upload_and_download_by_an_allowed_role_refused_to_another(sign_in, live_server, document_storage):
    person = f.returnee()
    page = sign_in("awa", CASE_WORKER)
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    page.get_by_role("link", name="Ajouter un document").click()
    page.wait_for_url(re.compile(r"/admin/documents/document/add/"))
    page.select_option("#id_kind", "travel")
    page.set_input_files("#id_file", files=[{"name": "programme.pdf", "mimeType": "application/pdf",
                                             "buffer": b"MZ\x90\x00 not a pdf"}])
    save(page)
    assert "n’est pas un document PDF, JPEG ou PNG" in page.locator(".errorlist").first.inner_text()
    assert not Document.objects.exists()
    page.select_option("#id_kind", "travel")
    page.set_input_files("#id_file", files=[{"name": "laissez-passer.pdf", "mimeType": "application/pdf",
                                             "buffer": f.PDF_BYTES}])
    save(page)
    page.wait_for_url(re.compile(r"/admin/documents/document/$"))
    doc = Document.objects.get()
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    with page.expect_download() as info:
        page.get_by_role("link", name="laissez-passer.pdf").click()
    download = info.value
    assert download.suggested_filename == "laissez-passer.pdf"
    assert Path(download.path()).read_bytes() == f.PDF_BYTES
    assert AuditEvent.objects.filter(kind="download", detail__document=doc.pk).count() == 1

    other = sign_in("omar", RESETTLEMENT_OFFICER)
    response = other.goto(f"{live_server.url}/documents/{doc.pk}/download/")
    assert response.status == 403
    assert "Vous ne pouvez pas consulter le dossier auquel appartient ce document." in other.content()
    assert AuditEvent.objects.filter(kind="download").count() == 1


def test_a_case_blocked_then_released_by_its_checklist(sign_in, live_server, artifacts_dir):
    person = f.returnee(departed=None, stage="travel")
    declaration = f.document(returnee=person, kind="voluntariness", name="declaration.pdf")
    page = sign_in("awa", CASE_WORKER)
    page.goto(f"{live_server.url}/returns/travel/")
    row = page.locator("tr", has_text=person.case_number)
    assert "Bloqué par : pas de liste de contrôle du départ" in row.inner_text()

    page.goto(f"{live_server.url}/admin/returns/returnee/{person.pk}/change/")
    page.select_option("#id_stage", "returned")
    page.fill("#id_departure_date", "01/06/2024")
    save(page)
    errors = " ".join(page.locator(".errorlist, .errornote").all_inner_texts())
    assert "Ce dossier ne peut pas encore être marqué comme retourné : pas de liste de contrôle du départ." in errors
    page.screenshot(path=str(artifacts_dir / "checklist-blocked.png"), full_page=True)
    assert Returnee.objects.get(pk=person.pk).stage == "travel"

    page.fill("#id_checklist-0-declaration_signed_on", "02/05/2024")
    page.select_option("#id_checklist-0-declaration_document", str(declaration.pk))
    page.select_option("#id_checklist-0-travel_document_type", "laissez_passer")
    page.fill("#id_checklist-0-travel_document_number", "LP-118")
    page.fill("#id_checklist-0-travel_document_expires", "31/05/2024")
    page.fill("#id_checklist-0-fitness_checked_on", "20/05/2024")
    page.select_option("#id_checklist-0-fitness", "fit")
    save(page)
    errors = " ".join(page.locator(".errorlist, .errornote").all_inner_texts())
    assert "document de voyage non valide à la date du départ" in errors
    page.fill("#id_checklist-0-travel_document_expires", "31/12/2026")
    save(page)
    page.wait_for_url(re.compile(r"/admin/returns/returnee/$"))
    person = Returnee.objects.get(pk=person.pk)
    assert (person.stage, person.departure_date) == ("returned", date(2024, 6, 1))
    page.goto(f"{live_server.url}/returns/travel/")
    assert person.case_number not in page.locator("main").inner_text()
