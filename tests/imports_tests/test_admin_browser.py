"""In Chromium, in French, at a desktop's and a phone's width: import a CSV in the admin — choose the file, read
the dry run's report of each row, confirm the valid rows only; or cancel, and nothing is written or kept."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from oimsite.lists.import_files import import_file_storage
from returns.models import Returnee

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-Battery-9"
WIDTHS = [1366, 390]
CSV = ("Numéro de dossier;Prénom;Nom de famille;Sexe;Date de naissance;Nationalité;Pays d'accueil;Pays de retour;"
       "Date de départ\n"
       "RVA-2024-00501;Awa;Koné;Femme;14/03/1995;Côte d'Ivoire;Maroc;Côte d'Ivoire;10/05/2024\n"
       "RVA-2024-00502;Moussa;Traoré;Homme;32/01/1990;Mali;Maroc;Mali;\n")


@pytest.fixture
def browser_context_args(browser_context_args):
    # bypass_csp: for axe's script, which the site's Content-Security-Policy refuses.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture(params=WIDTHS, ids=lambda width: f"{width}px")
def logged_in(request, page, live_server, django_user_model):
    page.set_viewport_size({"width": request.param, "height": 900})
    django_user_model.objects.create_superuser("officer", "officer@example.org", PASSWORD)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit], button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


def waiting_files() -> list[str]:
    try:
        return import_file_storage().listdir("")[1]
    except FileNotFoundError:
        return []


def check_the_file(page, live_server, tmp_path) -> None:
    """Choose the CSV on the returnees' Import page and run the dry run, as a person does."""
    source = tmp_path / "liste.csv"
    source.write_bytes(CSV.encode("cp1252"))
    page.goto(f"{live_server.url}/admin/returns/returnee/")
    page.get_by_role("link", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/returns/returnee/import/$"))
    page.set_input_files("#id_import_file", str(source))
    page.get_by_role("button", name="Vérifier le fichier (essai)").click()
    # evaluate() does not wait for the report's page: without this it can run while the new document is empty
    page.locator(".import-summary").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_import_a_csv_with_a_dry_run_then_the_valid_rows(logged_in, live_server, tmp_path, artifacts_dir):
    page = logged_in
    check_the_file(page, live_server, tmp_path)
    summary = page.locator(".import-summary").inner_text()
    assert "Essai, rien n’a été écrit : 1 nouveaux" in summary
    report = page.locator("table.import-report-rows").inner_text()
    assert "« 32/01/1990 » n’est pas une date" in report
    assert Axe().run(page).response["violations"] == []
    assert not Returnee.objects.exists()
    assert len(waiting_files()) == 1  # kept for the confirmation
    width = page.viewport_size["width"]
    page.screenshot(path=str(artifacts_dir / f"import-dry-run-{width}.png"), full_page=True)
    page.get_by_label("Lignes valides seulement", exact=False).check()
    page.get_by_role("button", name="Confirmer l’import").click()
    page.wait_for_url(re.compile(r"/admin/returns/returnee/$"))
    assert "Importé : 1 nouveaux" in page.locator(".messagelist").inner_text()
    assert list(Returnee.objects.values_list("case_number", flat=True)) == ["RVA-2024-00501"]
    assert waiting_files() == []


def test_cancel_after_the_dry_run_writes_nothing_and_deletes_the_file(logged_in, live_server, tmp_path):
    page = logged_in
    check_the_file(page, live_server, tmp_path)
    assert len(waiting_files()) == 1
    page.get_by_role("button", name="Annuler l’import").click()
    page.wait_for_url(re.compile(r"/admin/returns/returnee/import/$"))
    assert "Import annulé" in page.locator(".messagelist").inner_text()
    assert waiting_files() == []
    assert not Returnee.objects.exists()
