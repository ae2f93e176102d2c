"""The admin's Import: the button, the template, the dry-run report, the confirmation, permissions and the log."""

import io
import os

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent, AuditEventKind
from accounts.roles import ADMINISTRATOR, CASE_WORKER, DATA_OFFICER, RESETTLEMENT_OFFICER, SUPERVISOR
from oimsite.lists import imports
from returns.models import Returnee
from tests.helpers import in_english

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:returns_returnee_import")
HEADER = "Numéro de dossier;Prénom;Nom de famille;Sexe;Date de naissance;Nationalité;Pays d'accueil;Pays de retour"
GOOD = "RVA-2024-00201;Awa;Koné;F;14/03/1995;CI;MA;CI"
BAD = "RVA-2024-00202;Bad;Date;F;99/99/1995;CI;MA;CI"


def upload(client, *lines: str, name: str = "liste.csv", content: bytes | None = None):
    data = content if content is not None else "\n".join([HEADER, *lines]).encode()
    return client.post(IMPORT, {"resource": "0", "format": "0",
                                "import_file": SimpleUploadedFile(name, data, content_type="text/csv")})


def confirm(client, response, mode: str = "all", allow_duplicates: bool = False):
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in ("import_file_name", "original_file_name", "format",
                                                          "resource")}
    data["mode"] = mode
    if allow_duplicates:
        data["allow_duplicates"] = "on"
    return client.post(reverse("admin:returns_returnee_process_import"), data, follow=True)


def test_the_changelist_has_an_import_button_for_those_who_may_import(role_client):
    client = role_client(CASE_WORKER)
    page = client.get(reverse("admin:returns_returnee_changelist")).content.decode()
    assert IMPORT in page


def test_the_import_permission_goes_with_the_add_permission(role_client):
    expected = {
        CASE_WORKER: {"returns.import_returnee", "reintegration.import_supportsession",
                      "reintegration.import_followup"},
        RESETTLEMENT_OFFICER: {"resettlement.import_resettlementfile", "resettlement.import_refugee"},
        SUPERVISOR: {"reintegration.import_supportsession", "reintegration.import_followup"},
        DATA_OFFICER: set(),
    }
    for role, permissions in expected.items():
        client = role_client(role, username=f"u{abs(hash(role)) % 1000}")
        granted = {p for p in client.user.get_all_permissions() if ".import_" in p}
        assert granted == permissions, role
    admin = role_client(ADMINISTRATOR, username="boss")
    assert admin.user.has_perm("returns.import_returnee")
    assert Permission.objects.filter(codename="import_returnee").exists()


def test_without_the_permission_the_import_is_refused(role_client):
    client = role_client(DATA_OFFICER)
    assert client.get(IMPORT).status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert not Returnee.objects.exists()


def test_the_template_has_the_columns_in_the_users_language(role_client):
    client = role_client(CASE_WORKER)
    response = client.get(reverse("admin:returns_returnee_import_template"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    header = [cell.value for cell in next(workbook.worksheets[0].iter_rows())]
    assert header[:3] == ["Numéro de dossier", "Prénom", "Nom de famille"]
    help_rows = list(workbook.worksheets[1].iter_rows(values_only=True))
    assert ("Numéro de dossier", "Case number", "case_number", None) in help_rows


def test_dry_run_then_confirm_valid_rows_only(role_client):
    client = role_client(CASE_WORKER)
    response = upload(client, GOOD, BAD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Essai, rien n’a été écrit" in page or "Dry run" in page
    report = response.context["report"]
    assert [(row.number, row.outcome) for row in report.rows] == [(2, "new"), (3, "invalid")]
    assert "« 99/99/1995 » n’est pas une date" in page
    assert not Returnee.objects.exists()
    # All or nothing (the default): one bad row, nothing written.
    response = confirm(client, response)
    assert not Returnee.objects.exists()
    assert response.context["report"].written is False
    # Valid rows only.
    response = upload(client, GOOD, BAD)
    response = confirm(client, response, mode="valid")
    assert list(Returnee.objects.values_list("case_number", flat=True)) == ["RVA-2024-00201"]
    assert LogEntry.objects.filter(object_id=str(Returnee.objects.get().pk)).exists()
    event = AuditEvent.objects.get(kind=AuditEventKind.IMPORT, detail__written=True)
    assert (event.username, event.detail["file_name"], event.detail["counts"]["new"]) == (
        client.user.username, "liste.csv", 1)


@pytest.mark.parametrize(("content", "message"), [
    (b"%PDF-1.4\n...", "PDF"),
    (b"PK\x03\x04garbage", "XLSX"),
])
def test_a_file_that_is_not_what_it_says_gets_a_message_not_a_500(role_client, content, message):
    client = in_english(role_client(CASE_WORKER))
    response = upload(client, content=content, name="liste.xlsx")
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["import_file"])
    assert not Returnee.objects.exists()


def test_a_file_over_the_limit_is_refused_by_the_form(role_client, monkeypatch):
    monkeypatch.setattr(imports, "MAX_IMPORT_BYTES", 100)
    client = in_english(role_client(CASE_WORKER))
    response = upload(client, *([GOOD] * 10))
    assert "an import takes at most" in " ".join(response.context["form"].errors["import_file"])


def test_unknown_columns_are_named_on_the_page(role_client):
    client = in_english(role_client(CASE_WORKER))
    response = upload(client, content=b"Case number;Shoe size\nRVA-2024-00001;42\n")
    assert response.status_code == 200
    assert "Unknown columns: “Shoe size”" in response.content.decode()
    assert "confirm_form" not in response.context


# --- the uploaded file between the dry run and the confirmation (oimsite/lists/import_files.py) -------------------

def waiting_files(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def test_the_dry_run_keeps_the_file_for_the_confirmation_which_removes_it(role_client, import_files_dir):
    client = role_client(CASE_WORKER)
    response = upload(client, GOOD)
    name = response.context["confirm_form"].initial["import_file_name"]
    assert waiting_files(import_files_dir) == [name]
    confirm(client, response)
    assert Returnee.objects.count() == 1
    assert waiting_files(import_files_dir) == []


def test_a_refused_confirmation_removes_the_file(role_client, import_files_dir):
    client = role_client(CASE_WORKER)
    response = confirm(client, upload(client, GOOD, BAD))  # all or nothing, one bad row
    assert response.context["report"].written is False
    assert waiting_files(import_files_dir) == []


@pytest.mark.parametrize("content", [b"Case number;Shoe size\nRVA-2024-00001;42\n", b"%PDF-1.4\n..."])
def test_a_dry_run_with_nothing_to_confirm_keeps_no_file(role_client, import_files_dir, content):
    client = role_client(CASE_WORKER)
    response = upload(client, content=content)
    assert response.status_code == 200 and "confirm_form" not in response.context
    assert waiting_files(import_files_dir) == []


def test_cancel_removes_the_file_and_writes_nothing(role_client, import_files_dir):
    client = in_english(role_client(CASE_WORKER))
    form = upload(client, GOOD).context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in ("import_file_name", "original_file_name", "format",
                                                          "resource")}
    response = client.post(reverse("admin:returns_returnee_process_import"), {**data, "cancel": "Cancel"})
    assert response.status_code == 302 and response["Location"] == IMPORT
    assert waiting_files(import_files_dir) == []
    assert not Returnee.objects.exists()
    page = client.get(IMPORT).content.decode()
    assert "Import cancelled: nothing was written and the file has been deleted." in page


def test_the_page_offers_cancel_beside_confirm(role_client):
    client = role_client(CASE_WORKER)
    page = upload(client, GOOD).content.decode()
    assert 'name="confirm"' in page and 'name="cancel"' in page


def test_a_second_confirmation_of_the_same_file_gets_a_message_not_a_500(role_client, import_files_dir):
    client = in_english(role_client(CASE_WORKER))
    response = upload(client, GOOD)
    confirm(client, response)
    again = confirm(client, response)
    assert again.status_code == 200
    assert "The checked file is no longer kept" in again.content.decode()
    assert Returnee.objects.count() == 1


def test_an_abandoned_dry_run_is_removed_by_the_next_import_after_the_limit(role_client, import_files_dir):
    client = in_english(role_client(CASE_WORKER))
    abandoned = upload(client, GOOD)
    name = abandoned.context["confirm_form"].initial["import_file_name"]
    # An hour and a minute later (the file's time is set back; nothing waits).
    path = import_files_dir / name
    written = path.stat().st_mtime - (imports.IMPORT_FILE_MAX_AGE.total_seconds() + 60)
    os.utime(path, (written, written))
    other = role_client(CASE_WORKER, username="colleague")
    fresh = upload(other, GOOD).context["confirm_form"].initial["import_file_name"]
    assert waiting_files(import_files_dir) == [fresh]
    late = confirm(client, abandoned)
    assert "The checked file is no longer kept (it was imported already, or it waited more than 60 minutes)" in (
        late.content.decode())
    assert not Returnee.objects.exists()


def test_a_confirmation_naming_another_file_opens_and_removes_nothing(role_client, import_files_dir, tmp_path):
    client = in_english(role_client(CASE_WORKER))
    response = upload(client, GOOD)
    victim = tmp_path / "victim.csv"
    victim.write_text(HEADER + "\n" + GOOD)
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in ("original_file_name", "format", "resource")}
    for posted in (str(victim), "../" + victim.name):
        done = client.post(reverse("admin:returns_returnee_process_import"),
                           {**data, "import_file_name": posted, "mode": "all"}, follow=True)
        assert "The checked file is no longer kept" in done.content.decode()
    assert victim.exists() and not Returnee.objects.exists()


def test_an_altered_confirmation_writes_nothing_and_removes_the_file(role_client, import_files_dir):
    client = in_english(role_client(CASE_WORKER))
    form = upload(client, GOOD).context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in ("import_file_name", "original_file_name", "format",
                                                          "resource")}
    done = client.post(reverse("admin:returns_returnee_process_import"), {**data, "mode": "everything"},
                       follow=True)
    assert "The confirmation was incomplete, nothing was written: check the file again." in done.content.decode()
    assert waiting_files(import_files_dir) == []
    assert not Returnee.objects.exists()


def test_without_the_permission_a_confirmation_or_cancel_removes_nothing(role_client, import_files_dir):
    client = role_client(CASE_WORKER)
    form = upload(client, GOOD).context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in ("import_file_name", "original_file_name", "format",
                                                          "resource")}
    outsider = role_client(DATA_OFFICER, username="outsider")
    url = reverse("admin:returns_returnee_process_import")
    assert outsider.post(url, {**data, "mode": "all"}).status_code == 403
    assert outsider.post(url, {**data, "cancel": "x"}).status_code == 403
    assert waiting_files(import_files_dir) == [data["import_file_name"]]
