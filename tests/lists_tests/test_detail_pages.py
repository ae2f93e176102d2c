"""A returnee's and a file's page: facts, consent, notes, vulnerabilities, the history in words, and a link to
edit the record in the admin for those allowed to."""

import html
import re
from datetime import date

import pytest
from django.urls import reverse

from returns.models import VulnerabilityCategory
from tests import helpers

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    assert response.status_code == 200
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(body))


@pytest.fixture
def returnee():
    person = helpers.saved_returnee(return_country="SN", nationality="SN", notes="Suivi par téléphone.",
                                      consent_scope="follow_up", consent_date=date(2024, 4, 2))
    person.return_country = "GN"
    person.save()
    person.vulnerabilities.add(VulnerabilityCategory.objects.get(code="child"),
                               VulnerabilityCategory.objects.get(code="medical_case"))
    return person


@pytest.fixture
def file():
    record = helpers.build_file(destination_country="CA", notes="Famille de cinq.", consent_scope="assistance",
                                  consent_date=date(2023, 9, 2))
    record.save()
    helpers.build_refugee(record).save()
    record.destination_country = "US"
    record.save()
    return record


def test_a_returnee_page_shows_consent_notes_vulnerabilities_and_the_history_in_words(admin_client_logged, returnee):
    page = text_of(admin_client_logged.get(returnee.get_absolute_url()))
    assert "Consentement Assistance et suivi" in page
    assert "Date du consentement 02/04/2024" in page
    assert "Suivi par téléphone." in page
    assert "Vulnérabilités Cas médical, Enfant" in page
    assert "Historique des modifications" in page
    assert "pays de retour : Sénégal → Guinée" in page
    assert "vulnérabilités : — → Cas médical, Enfant" in page
    assert "None" not in page and " SN " not in page and "[]" not in page


def test_a_file_page_shows_consent_notes_and_the_history_in_words(admin_client_logged, file):
    page = text_of(admin_client_logged.get(file.get_absolute_url()))
    assert "Consentement Assistance uniquement" in page
    assert "Famille de cinq." in page
    assert "pays de réinstallation : Canada → États-Unis" in page
    assert "None" not in page


@pytest.mark.parametrize("record", ["returnee", "file"])
def test_the_edit_link_is_shown_to_those_allowed_to_edit(request, admin_client_logged, record):
    obj = request.getfixturevalue(record)
    info = (obj._meta.app_label, obj._meta.model_name)
    edit = reverse(f"admin:{info[0]}_{info[1]}_change", args=[obj.pk])
    page = admin_client_logged.get(obj.get_absolute_url()).content.decode()
    assert f'href="{edit}"' in page
    assert admin_client_logged.get(edit).status_code == 200


@pytest.mark.parametrize("record", ["returnee", "file"])
def test_no_edit_link_for_those_who_may_only_view(request, viewer_client, record):
    obj = request.getfixturevalue(record)
    page = viewer_client.get(obj.get_absolute_url())
    assert page.status_code == 200
    assert "/change/" not in page.content.decode()
    assert "Historique des modifications" in page.content.decode()


def test_the_admin_history_shows_labels_and_never_none(admin_client_logged, returnee):
    url = reverse("admin:returns_returnee_history", args=[returnee.pk])
    page = text_of(admin_client_logged.get(url))
    assert "Pays de retour: Sénégal → Guinée" in page
    assert "Vulnérabilités: — → Cas médical, Enfant" in page
    assert "None" not in page and "[]" not in page and " SN " not in page
    assert "inconnu" in page  # the changes were made outside a request: no user
