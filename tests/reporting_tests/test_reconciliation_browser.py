"""In Chromium, in French, at a desktop's and a phone's width, on the 2024 baseline: the reconciliation page,
reached from the dashboard's link, sets each published figure against the live count, in French."""

import re

import pytest

from oimsite.reporting.models import PublishedFigure
from returns.models import Returnee

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def french(figure: PublishedFigure) -> str:
    """A published figure as a French reader writes it: spaces between thousands, a decimal comma."""
    text = f"{figure.value:,.{figure.decimal_places}f}".replace(",", " ").replace(".", ",")
    return f"{text} %" if figure.is_percent else text


@pytest.mark.parametrize("width", [1366, 390])
def test_reconciliation_reached_from_the_dashboard_reads_in_french(site_page, width):
    page = site_page(width=width)
    page.get_by_role("link", name="Comparer avec les chiffres publiés").click()
    page.wait_for_url(re.compile(r"/reconciliation/\?year=2024$"))
    keys = page.locator("table.reconciliation tr[data-key]").evaluate_all("rows => rows.map(r => r.dataset.key)")
    assert keys[:3] == ["avrr.returned", "avrr.countries", "avrr.by_country.CI"]
    first = page.locator('tr[data-key="avrr.returned"]')
    assert first.locator("th").inner_text() == "Retours volontaires assistés depuis le Maroc"
    cells = [re.sub(r"[\u202f\xa0]", " ", text) for text in first.locator("td").all_inner_texts()]
    published = PublishedFigure.objects.get(key="avrr.returned", year=2024)
    live = Returnee.objects.from_morocco().returned_in(2024).count()
    assert cells[0] == french(published)
    assert cells[1] == f"{live:,}".replace(",", " ")
    share = page.locator('tr[data-key="avrr.enhanced_support.share"] td').first.inner_text()
    assert re.sub(r"[\u202f\xa0]", " ", share) == french(
        PublishedFigure.objects.get(key="avrr.enhanced_support.share", year=2024))
    assert "," in share  # a figure published with a decimal: the French comma
    assert cells[4].startswith("Rapport annuel 2024 de l’OIM Maroc")
    assert "avrr." not in page.locator("table.reconciliation").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
