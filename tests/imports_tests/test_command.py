"""`manage.py import_records`: the template, the dry run's report, the modes, refusals as command errors."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import AuditEvent, AuditEventKind
from returns.models import Returnee

pytestmark = pytest.mark.django_db

HEADER = "Case number;Given name;Family name;Sex;Date of birth;Nationality;Host country;Country of return\n"
GOOD = "RVA-2024-00401;Awa;Koné;F;14/03/1995;CI;MA;CI\n"
BAD = "RVA-2024-00402;Bad;Date;F;99/99/1995;CI;MA;CI\n"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_records", *args, stdout=out)
    return out.getvalue()


def test_template(tmp_path: Path):
    target = tmp_path / "returnees.xlsx"
    run("returns.Returnee", "--template", str(target), "--language", "en")
    header = [cell.value for cell in next(load_workbook(target).worksheets[0].iter_rows())]
    assert header[:3] == ["Case number", "Given name", "Family name"]


def test_dry_run_prints_each_row_and_writes_nothing(tmp_path: Path):
    source = tmp_path / "list.csv"
    source.write_text(HEADER + GOOD + BAD, encoding="utf-8")
    out = run("returns.Returnee", str(source), "--dry-run")
    assert "row 2: new: RVA-2024-00401" in out
    assert "row 3: error: RVA-2024-00402 — Bad — Date Date of birth: “99/99/1995” is not a date" in out
    assert "Dry run, nothing written: 1 new" in out
    assert not Returnee.objects.exists()


def test_all_or_nothing_fails_and_valid_mode_writes(tmp_path: Path):
    source = tmp_path / "list.csv"
    source.write_text(HEADER + GOOD + BAD, encoding="cp1252")
    with pytest.raises(CommandError, match="Nothing was written"):
        run("returns.Returnee", str(source))
    assert not Returnee.objects.exists()
    out = run("returns.Returnee", str(source), "--mode", "valid")
    assert "Imported: 1 new" in out
    assert Returnee.objects.get().family_name == "Koné"
    assert AuditEvent.objects.filter(kind=AuditEventKind.IMPORT, username="manage.py").count() == 2


def test_refusals_are_command_errors(tmp_path: Path):
    pdf = tmp_path / "list.xlsx"
    pdf.write_bytes(b"%PDF-1.5\n")
    with pytest.raises(CommandError, match="PDF"):
        run("returns.Returnee", str(pdf))
    with pytest.raises(CommandError, match="cannot be imported"):
        run("returns.Nothing", str(pdf))
    with pytest.raises(CommandError, match="cannot be read"):
        run("returns.Returnee", str(tmp_path / "missing.csv"))
