"""Importing returnees: headers in French or English, dates and countries as offices write them, updates by case
number, all-or-nothing or valid rows, duplicates inside the file and in the database, history and audit."""

import io
import random
from datetime import date

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import translation
from openpyxl import Workbook

from accounts.models import AuditEvent, AuditEventKind
from oimsite.lists.imports import read_table, run_import
from oimsite.reporting import indicators
from reintegration.models import FollowUp, SupportSession
from reintegration.resources import SupportSessionResource
from returns.models import Returnee, Stage
from returns.resources import ReturneeResource
from tests.helpers import saved_returnee

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # The messages are checked in English here; the admin's tests read them in French.
    with translation.override("en"):
        yield

FR = ["Numéro de dossier", "Prénom", "Nom de famille", "Sexe", "Date de naissance", "Nationalité",
      "Pays d'accueil", "Pays de retour", "Date de départ", "Vulnérabilités"]


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    return "\n".join(";".join(cells) for cells in [header, *rows]).encode("utf-8")


def import_rows(rows, header=FR, *, dry_run=False, mode="all", user=None, allow_duplicates=False, resource=None):
    return run_import(resource or ReturneeResource(), read_table(csv_bytes(header, rows)), user=user,
                      file_name="liste.csv", dry_run=dry_run, mode=mode, allow_duplicates=allow_duplicates)


GOOD = ["RVA-2024-00101", "Awa", "Koné", "Femme", "14/03/1995", "Côte d'Ivoire", "Maroc", "Côte d’Ivoire",
        "10/05/2024", "enfant"]
OPEN = ["RVA-2024-00102", "Moussa", "Traoré", "M", "1990-01-01", "ML", "MA", "Mali", "", ""]


def test_french_headers_dates_and_country_names_make_the_records():
    report = import_rows([GOOD, OPEN])
    assert report.written and report.counts["new"] == 2
    awa = Returnee.objects.get(case_number="RVA-2024-00101")
    assert (awa.sex, awa.date_of_birth, awa.nationality, awa.host_country, awa.return_country) == (
        "F", date(1995, 3, 14), "CI", "MA", "CI")
    # The stage follows the departure date; the counting status follows the stage.
    assert (awa.stage, awa.status) == (Stage.RETURNED, "departed")
    assert list(awa.vulnerabilities.values_list("code", flat=True)) == ["child"]
    moussa = Returnee.objects.get(case_number="RVA-2024-00102")
    assert (moussa.stage, moussa.status, moussa.departure_date) == (Stage.REGISTERED, "open", None)


def test_english_headers_and_codes_work_too():
    header = ["Case number", "Given name", "Family name", "Sex", "Date of birth", "Nationality", "Host country",
              "Country of return", "Departure date"]
    report = import_rows([["RVA-2024-00103", "Ali", "Ben", "Male", "01/02/1990", "Senegal", "Morocco", "SN", ""]],
                         header)
    assert report.written, report.rows
    assert Returnee.objects.get(case_number="RVA-2024-00103").nationality == "SN"


def test_a_dry_run_writes_nothing_and_reports_each_row():
    bad = [*GOOD[:4], "31/02/1995", *GOOD[5:]]
    bad[0] = "RVA-2024-00104"
    report = import_rows([GOOD, bad], dry_run=True)
    assert not Returnee.objects.exists()
    assert [(row.number, row.outcome) for row in report.rows] == [(2, "new"), (3, "invalid")]
    assert report.rows[1].problems == [("Date of birth", "“31/02/1995” is not a date: write it as dd/mm/yyyy "
                                                             "(31/12/2024) or yyyy-mm-dd.")]
    assert not AuditEvent.objects.filter(kind=AuditEventKind.IMPORT).exists()


def test_all_or_nothing_writes_nothing_when_one_row_is_bad_and_valid_only_writes_the_rest(superuser):
    bad = ["RVA-2024-00105", "Bad", "Country", "F", "01/01/1990", "Atlantis", "MA", "SN", "", ""]
    report = import_rows([GOOD, bad], user=superuser)
    assert not report.written and not Returnee.objects.exists()
    assert report.rows[1].problems == [("Nationality", "Unknown country “Atlantis”: give its ISO code (MA) or its "
                                                       "name in French or English.")]
    event = AuditEvent.objects.get(kind=AuditEventKind.IMPORT)
    assert (event.username, event.detail["file_name"], event.detail["written"]) == (superuser.username,
                                                                                     "liste.csv", False)
    report = import_rows([GOOD, bad], user=superuser, mode="valid")
    assert report.written
    assert list(Returnee.objects.values_list("case_number", flat=True)) == ["RVA-2024-00101"]
    event = AuditEvent.objects.filter(kind=AuditEventKind.IMPORT).first()
    assert event.detail["counts"]["new"] == 1 and event.detail["counts"]["error"] == 1


def test_a_case_number_twice_in_the_file_refuses_both_rows():
    twice = [*GOOD]
    twice[1] = "Awa Bis"
    report = import_rows([GOOD, OPEN, twice], mode="valid")
    assert [row.outcome for row in report.rows] == ["invalid", "new", "invalid"]
    assert "rows 2, 4 of the file" in report.rows[0].problems[0][1]
    assert list(Returnee.objects.values_list("case_number", flat=True)) == ["RVA-2024-00102"]


def test_unknown_columns_refuse_the_file_by_name():
    report = import_rows([[*GOOD, "x"]], [*FR, "Couleur préférée"])
    assert not report.written and not report.rows and not Returnee.objects.exists()
    assert "Unknown columns: “Couleur préférée”" in report.problems[0]


def test_a_row_updates_the_record_of_its_case_number_and_an_unchanged_row_is_said(superuser):
    import_rows([GOOD, OPEN])
    changed = [*OPEN]
    changed[1] = "Moussa Ibrahim"
    report = import_rows([GOOD, changed], user=superuser)
    assert [row.outcome for row in report.rows] == ["skip", "update"], report.rows
    assert Returnee.objects.count() == 2
    moussa = Returnee.objects.get(case_number="RVA-2024-00102")
    assert moussa.given_name == "Moussa Ibrahim" and moussa.version == 2
    latest = moussa.history.first()
    assert latest.history_user == superuser and latest.history_change_reason == "Imported from liste.csv"


def test_a_returned_case_gets_its_follow_ups_as_after_an_admin_save():
    import_rows([GOOD])
    assert FollowUp.objects.filter(returnee__case_number="RVA-2024-00101").exists()


def test_a_formula_is_imported_as_text():
    formula = [*OPEN]
    formula[1] = "=1+1"
    import_rows([formula])
    assert Returnee.objects.get().given_name == "=1+1"


def test_a_possible_duplicate_is_named_and_left_out_unless_confirmed():
    saved_returnee(case_number="RVA-2023-00001", given_name="Mohamed", family_name="El-Amrani",
                   date_of_birth=date(1990, 1, 1))
    row = ["RVA-2024-00106", "Mohammed", "Elamrani", "M", "01/01/1990", "MA", "ES", "Maroc", "", ""]
    report = import_rows([row, OPEN], mode="valid")
    assert [row.outcome for row in report.rows] == ["duplicate", "new"]
    assert "Possible duplicate of RVA-2023-00001 (Mohamed El-Amrani, 01/01/1990)" in report.rows[0].problems[0][1]
    assert not Returnee.objects.filter(case_number="RVA-2024-00106").exists()
    report = import_rows([row], allow_duplicates=True)
    assert report.written and Returnee.objects.filter(case_number="RVA-2024-00106").exists()


def test_the_same_person_twice_in_the_file_is_a_possible_duplicate():
    second = [*GOOD]
    second[0], second[1], second[2] = "RVA-2024-00107", "Aicha", "Kone"
    first = [*GOOD]
    first[1] = "Aïcha"
    report = import_rows([first, second], dry_run=True)
    assert [row.outcome for row in report.rows] == ["new", "duplicate"]
    assert "RVA-2024-00101 earlier in this file" in report.rows[1].problems[0][1]


def test_a_session_on_a_case_that_does_not_exist_is_an_error_and_nothing_is_written():
    saved_returnee(case_number="RVA-2024-00001")
    header = ["returnee", "date", "phase", "kind", "mode", "provider"]
    rows = [["RVA-2024-00001", "01/04/2024", "Avant le départ", "counselling", "virtual", "iom_origin"],
            ["RVA-2099-99999", "01/04/2024", "pre_departure", "counselling", "virtual", "iom_origin"]]
    report = import_rows(rows, header, resource=SupportSessionResource())
    assert not report.written
    assert report.rows and report.rows[0].outcome == "new", (report.problems, report.rows)
    assert report.rows[1].problems[0][1] == "There is no returnee with the case number “RVA-2099-99999”."
    assert not SupportSession.objects.exists()


def test_the_admin_log_is_written_by_the_admin_import_only():
    import_rows([GOOD])
    assert not LogEntry.objects.exists()


# --- an office's file: 2,000 returnees, 20 bad rows, 15 people already recorded under another spelling -----

FRENCH_COUNTRIES = {"CI": "Côte d'Ivoire", "SN": "Sénégal", "GN": "Guinée", "ML": "Mali", "CM": "Cameroun"}
SPELLINGS = [("Mohamed", "El Amrani", "Mohammed", "Elamrani"), ("Ahmed", "Ould Salem", "Ahmad", "Wuld Salem"),
             ("Youssef", "Chraibi", "Yousef", "Shraibi"), ("Aïcha", "Koné", "Aicha", "KONE"),
             ("Fatima-Zahra", "Benali", "Fatima Zahra", "Ben Ali")]


CONSONANTS = "BDFGKLMNPRST"


def syllables(n: int) -> str:
    """A made-up name of letters only whose name key differs for every n below 1,000 (digits are not part of
    a name's key)."""
    parts = []
    for _ in range(3):
        n, digit = divmod(n, 10)
        parts.append(CONSONANTS[digit] + "a" + CONSONANTS[(digit + 1) % 12])
    return "".join(parts).capitalize()


def office_workbook(rng: random.Random) -> tuple[bytes, set[int], set[int]]:
    """The file, the spreadsheet rows that are bad, and those of people already recorded."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(FR)
    bad_rows = set(rng.sample(range(2, 2002), 20))
    known_rows = set(rng.sample(sorted(set(range(2, 2002)) - bad_rows), 15))
    for row_number in range(2, 2002):
        n = row_number - 1
        code = rng.choice(list(FRENCH_COUNTRIES))
        born = date(1970 + n % 30, 1 + n % 12, 1 + n % 28)
        departed = date(2024, 1 + n % 12, 1 + n % 27) if n % 3 else None
        given, family = syllables(n % 1000), f"Famille {syllables(n // 1000)}"
        if row_number in known_rows:
            spelling = SPELLINGS[n % len(SPELLINGS)]
            given, family = spelling[2], f"{spelling[3]} {syllables(n)}"
            saved_returnee(case_number=f"RVA-2023-{n:05d}", given_name=spelling[0],
                           family_name=f"{spelling[1]} {syllables(n)}",
                           date_of_birth=born)
        row = [f"RVA-2024-{n:05d}", given, family, "Femme" if n % 2 else "Homme", born.strftime("%d/%m/%Y"),
               FRENCH_COUNTRIES[code], "Maroc", FRENCH_COUNTRIES[code],
               departed.strftime("%d/%m/%Y") if departed else "", ""]
        if row_number in bad_rows:
            row[4] = "32/13/1990"  # not a date
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), bad_rows, known_rows


@pytest.mark.slow
def test_an_offices_workbook_of_two_thousand_returnees(superuser):
    content, bad_rows, known_rows = office_workbook(random.Random(17))
    before = indicators.compute(2024, live=True)["avrr.returned"].value
    records_before = Returnee.objects.count()
    report = run_import(ReturneeResource(), read_table(content), user=superuser, file_name="bureau.xlsx",
                        dry_run=True)
    assert Returnee.objects.count() == records_before
    assert {row.number for row in report.rows if row.outcome == "invalid"} == bad_rows
    assert {row.number for row in report.rows if row.outcome == "duplicate"} == known_rows
    assert report.counts["new"] == 2000 - 35
    report = run_import(ReturneeResource(), read_table(content), user=superuser, file_name="bureau.xlsx",
                        dry_run=False, mode="valid")
    assert report.written and Returnee.objects.count() == records_before + 1965
    imported = Returnee.objects.filter(case_number__startswith="RVA-2024-")
    returned_2024 = imported.filter(departure_date__year=2024).count()
    assert indicators.compute(2024)["avrr.returned"].value == before + returned_2024
