"""In Chromium, on the 2024 baseline: each list's filter form, filled and submitted as a person does, shows
exactly what the equivalent URL shows — and so does the export of the filtered list.

Filling the search box alone and pressing *Filtrer* used to send `counselled_virtually=true` (a yes/no select
with no empty choice): 1 returnee named Diallo instead of 52.
"""

from __future__ import annotations

import csv
import io
import operator
from collections.abc import Callable
from functools import reduce
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db.models import Q
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from reintegration.models import SupportSession
from resettlement.models import Refugee, ResettlementFile
from returns.models import Returnee

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# What a person does on the form: ("fill", label, text) or ("select", label, option label).
Action = tuple[str, str, str]


def shown(page: Page) -> tuple[int, list[str]]:
    """The count the page announces and the text of the rows it shows."""
    count = page.locator(".result-count")
    number = count.get_attribute("data-count") or count.get_attribute("data-count-more-than")
    return int(number), page.locator("table.data-table tbody tr").all_inner_texts()


def anywhere(word: str, *fields: str) -> Q:
    return reduce(operator.or_, (Q(**{f"{field}__icontains": word}) for field in fields))


def submit_form(page: Page, url: str, actions: list[Action]) -> None:
    page.goto(url)
    folded = page.locator("details.filters:not([open]) > summary")
    if folded.count():  # the filters fold away when none is active
        folded.click()
    form = page.get_by_role("search")
    for action, label, value in actions:
        field = form.get_by_label(label, exact=True)
        if action == "fill":
            field.fill(value)
        else:
            field.select_option(label=value)
    with page.expect_navigation():
        form.get_by_role("button", name="Filtrer").click()
    expect(page.locator(".result-count")).to_be_visible()


def check(page: Page, path: str, actions: list[Action], query: dict[str, str], truth: int) -> None:
    submit_form(page, f"{page.site_url}{path}", actions)
    by_form = shown(page)
    page.goto(f"{page.site_url}{path}?{urlencode(query)}")
    by_url = shown(page)
    assert by_form == by_url, f"{actions} gives {by_form[0]} records, ?{urlencode(query)} gives {by_url[0]}"
    assert by_url[0] == truth, query
    assert truth > 0  # a scenario that finds nothing would prove nothing


SCENARIOS: dict[str, tuple[str, list[tuple[list[Action], dict[str, str], Callable[[], int]]]]] = {
    "returnees": ("/returns/", [
        ([("fill", "Rechercher", "Diallo")], {"q": "Diallo"},
         lambda: Returnee.objects.filter(anywhere("Diallo", "case_number", "family_name", "given_name")).count()),
        ([("select", "Programme", "Retour de Marocains"), ("fill", "Année de retour", "2024"),
          ("select", "Sexe", "Femme")],
         {"programme": "to_morocco", "returned_in": "2024", "sex": "F"},
         lambda: Returnee.objects.to_morocco().returned_in(2024).filter(sex="F").count()),
        ([("fill", "Départ à partir du", "2024-03-01"), ("fill", "Départ jusqu’au", "2024-06-30"),
          ("select", "Pays de retour", "Sénégal"),
          ("select", "Séance de conseil virtuelle avant le départ", "Oui")],
         {"departure_date_after": "2024-03-01", "departure_date_before": "2024-06-30", "return_country": "SN",
          "counselled_virtually": "true"},
         lambda: Returnee.objects.counselled_virtually_before_departure().filter(
             return_country="SN", departure_date__range=("2024-03-01", "2024-06-30")).count()),
    ]),
    "sessions": ("/reintegration/", [
        ([("fill", "Rechercher", "Diallo")], {"q": "Diallo"},
         lambda: SupportSession.objects.filter(anywhere(
             "Diallo", "returnee__case_number", "returnee__family_name", "returnee__given_name")).count()),
        ([("select", "Programme", "Retours depuis le Maroc"), ("fill", "Année", "2024"),
          ("select", "Accompagnement renforcé", "Non"), ("select", "Modalité", "Virtuel")],
         {"programme": "from_morocco", "year": "2024", "enhanced": "false", "mode": "virtual"},
         lambda: SupportSession.objects.filter(returnee__host_country="MA", date__year=2024, enhanced=False,
                                               mode="virtual").count()),
        ([("fill", "Date à partir du", "2024-05-01"), ("fill", "Date jusqu’au", "2024-05-31")],
         {"date_after": "2024-05-01", "date_before": "2024-05-31"},
         lambda: SupportSession.objects.filter(date__range=("2024-05-01", "2024-05-31")).count()),
    ]),
    "files": ("/resettlement/", [
        ([("fill", "Rechercher", "Hassan")], {"q": "Hassan"},
         lambda: ResettlementFile.objects.filter(anywhere(
             "Hassan", "file_number", "refugees__family_name", "refugees__given_name")).distinct().count()),
        ([("fill", "Année de départ", "2024"), ("select", "Pays de réinstallation", "Canada")],
         {"departed_in": "2024", "destination": "CA"},
         lambda: ResettlementFile.objects.departed_in(2024).filter(destination_country="CA").count()),
    ]),
    "refugees": ("/resettlement/refugees/", [
        ([("fill", "Rechercher", "Hassan")], {"q": "Hassan"},
         lambda: Refugee.objects.filter(anywhere("Hassan", "file__file_number", "family_name", "given_name")).count()),
        ([("select", "Sexe", "Femme"), ("select", "Demandeur principal", "Non"), ("fill", "Année de départ", "2024")],
         {"sex": "F", "is_principal_applicant": "false", "departed_in": "2024"},
         lambda: Refugee.objects.departed_in(2024).filter(sex="F", is_principal_applicant=False).count()),
    ]),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_filter_form_shows_what_the_equivalent_url_shows(site_page, name):
    page = site_page()
    path, scenarios = SCENARIOS[name]
    for actions, query, truth in scenarios:
        check(page, path, actions, query, truth())


def test_the_export_of_a_list_filtered_by_the_form_has_its_rows(site_page, artifacts_dir):
    page = site_page()
    submit_form(page, f"{page.site_url}/returns/", [
        ("select", "Programme", "Retour de Marocains"), ("fill", "Année de retour", "2024"),
        ("select", "Sexe", "Femme"),
    ])
    expected = Returnee.objects.to_morocco().returned_in(2024).filter(sex="F")
    assert shown(page)[0] == expected.count() > 0
    page.screenshot(path=str(artifacts_dir / "returnees-filtered-by-the-form.png"))
    with page.expect_download() as download:
        page.locator(".export-links a", has_text="CSV").click()
    rows = list(csv.reader(Path(download.value.path()).read_text(encoding="utf-8").splitlines()))
    assert sorted(row[0] for row in rows[1:]) == sorted(expected.values_list("case_number", flat=True))
    # The workbook, sent from its temporary file in blocks by the server, holds the same rows.
    with page.expect_download() as download:
        page.locator(".export-links a", has_text="XLSX").click()
    assert download.value.suggested_filename == "returnees.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert cells[0] == rows[0]
    assert sorted(row[0] for row in cells[1:]) == sorted(expected.values_list("case_number", flat=True))
