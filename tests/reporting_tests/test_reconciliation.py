"""The reconciliation page: the published figures in the report's order, in words, in the reader's language."""

import html
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

REPORT_ORDER = [
    "avrr.returned", "avrr.countries", "avrr.by_country.CI", "avrr.by_country.SN", "avrr.by_country.GN",
    "avrr.by_country.ML", "avrr.predeparture_virtual_counselling", "avrr.post_return_support",
    "avrr.enhanced_support.share", "moroccans.returned", "moroccans.by_host.TR", "moroccans.male_share.share",
    "moroccans.age_18_35_share.share", "moroccans.reintegration_support", "moroccans.reintegration_support.share",
    "resettlement.departed", "resettlement.by_destination.CA", "resettlement.by_destination.US",
]
ROW = re.compile(r'<tr class="status-\w+" data-key="([^"]+)">\s*<th scope="row">([^<]*)</th>\s*'
                 r'<td class="number">([^<]*)</td>.*?<td class="number">([^<]*)</td>\s*<td><span[^>]*>[^<]*</span></td>'
                 r'\s*<td>([^<]*)</td>', re.S)


def spaces(text: str) -> str:
    return re.sub(r"[\u202f\xa0]", " ", html.unescape(text))


def rows(client, language: str) -> dict[str, tuple[str, ...]]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("reconciliation"), {"year": 2024})
    assert response.status_code == 200
    found = ROW.findall(response.content.decode())
    assert [key for key, *_rest in found] == REPORT_ORDER
    return {key: tuple(spaces(cell) for cell in cells) for key, *cells in found}


def test_published_figures_in_the_report_order_with_labels_and_french_numbers(admin_client_logged, baseline):
    call_command("loaddata", "published_2024", verbosity=0)
    french = rows(admin_client_logged, "fr")
    assert french["avrr.returned"][:2] == ("Retours volontaires assistés depuis le Maroc", "2 196")
    assert french["moroccans.returned"][1] == "2 712"
    assert french["avrr.enhanced_support.share"][:2] == ("Accompagnement renforcé (%)", "10,4 %")
    assert french["avrr.by_country.CI"][0] == "Retours depuis le Maroc par pays de retour : Côte d'Ivoire"
    assert french["moroccans.reintegration_support.share"][1:3] == ("15 %", "+0,7")
    assert french["avrr.returned"][2] == "0"
    # No raw key, no English in the French page.
    for key, (label, _published, _difference, source) in french.items():
        assert "." not in label and "_" not in label, key
        assert source.startswith("Rapport annuel 2024 de l’OIM Maroc"), source

    english = rows(admin_client_logged, "en")
    assert english["avrr.returned"][:2] == ("Assisted voluntary returns from Morocco", "2,196")
    assert english["avrr.enhanced_support.share"][1] == "10.4 %"
    assert english["resettlement.departed"][3].startswith("IOM Morocco annual report 2024")
