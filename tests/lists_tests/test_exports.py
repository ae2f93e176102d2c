"""List exports: dates as spreadsheet dates, the full export beside the visible columns, their audit and cost."""

import csv
import io
import re
import tempfile
from datetime import date, datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import AuditEvent, AuditEventKind
from oimsite.lists import views as lists
from oimsite.lists.exports import WIDTH_ROWS, write_xlsx
from returns.models import Returnee, VulnerabilityCategory
from tests import helpers
from tests.helpers import SESSION_TOUCH_QUERIES, in_english

pytestmark = pytest.mark.django_db

LISTS = ["returns:returnee_list", "reintegration:session_list", "resettlement:file_list",
         "resettlement:refugee_list"]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))


def sheet_rows(response) -> tuple[list[str], list[list]]:
    """The header and the cells (openpyxl Cell objects) of the first sheet."""
    assert response.status_code == 200, response.content[:500]
    sheet = load_workbook(io.BytesIO(helpers.streamed_body(response))).active
    rows = list(sheet.iter_rows())
    return [cell.value for cell in rows[0]], rows[1:]


def column(header: list[str], rows: list[list], name: str) -> list:
    index = [str(h).casefold() for h in header].index(name.casefold())
    return [row[index] for row in rows]


def record(header: list[str], row: list) -> dict:
    """A row by its column headers, compared without case (capitals in headers are another issue's)."""
    return {str(name).casefold(): cell for name, cell in zip(header, row, strict=True)}


def test_xlsx_dates_are_spreadsheet_dates(admin_client_logged):
    helpers.small_world(1)
    header, rows = sheet_rows(admin_client_logged.get(reverse("returns:returnee_list"), {"_export": "xlsx"}))
    cells = column(header, rows, "Date de départ")
    dated = [cell for cell in cells if cell.value is not None]
    assert dated, header
    for cell in dated:
        assert cell.is_date, (cell.value, cell.number_format)
        assert isinstance(cell.value, datetime)  # openpyxl reads a date cell back as a datetime
        assert cell.number_format == "dd/mm/yyyy"
    assert date(2024, 5, 10) in {cell.value.date() for cell in dated}
    # An open case has no departure: an empty cell, not a dash.
    assert any(cell.value is None for cell in cells)
    header, rows = sheet_rows(admin_client_logged.get(reverse("resettlement:refugee_list"), {"_export": "xlsx"}))
    births = column(header, rows, "Date de naissance")
    assert births and all(cell.is_date for cell in births)
    # Numbers stay numbers.
    header, rows = sheet_rows(admin_client_logged.get(reverse("resettlement:file_list"), {"_export": "xlsx"}))
    assert {cell.value for cell in column(header, rows, "réfugiés")} >= {3, 2}


def test_csv_dates_stay_iso_and_an_empty_date_is_empty(admin_client_logged):
    helpers.small_world(1)
    rows = csv_rows(admin_client_logged.get(reverse("returns:returnee_list"), {"_export": "csv"}))
    departures = column(rows[0], rows[1:], "Date de départ")
    assert "2024-05-10" in departures
    assert "" in departures and "—" not in departures


def returnee_with_everything() -> Returnee:
    returnee = helpers.returnee(to="SN", given="Awa", family="Ndiaye", born=date(1990, 2, 3), sex="F",
                                  consent_date=date(2024, 1, 15), consent_scope="follow_up",
                                  notes="=HYPERLINK(\"http://evil\")")
    returnee.vulnerabilities.set(VulnerabilityCategory.objects.filter(code__in=["woman_at_risk", "medical_case"]))
    helpers.session(returnee, on=date(2024, 4, 1), phase="pre_departure", kind="counselling")
    helpers.session(returnee, on=date(2024, 6, 1), kind="cash")
    helpers.session(returnee, on=date(2024, 7, 1), kind="health")
    return returnee


def test_full_csv_export_of_returnees_has_every_field(admin_client_logged):
    returnee = returnee_with_everything()
    url = reverse("returns:returnee_list")
    shown = csv_rows(admin_client_logged.get(url, {"_export": "csv", "q": "Ndiaye"}))
    rows = csv_rows(admin_client_logged.get(url, {"_export": "csv", "_columns": "all", "q": "Ndiaye"}))
    header, (row,) = rows[0], rows[1:]
    assert {h.casefold() for h in shown[0]} < {h.casefold() for h in header}
    fields = record(header, row)
    assert fields["numéro de dossier"] == returnee.case_number
    assert fields["date de naissance"] == "1990-02-03"
    assert fields["vulnérabilités"] == "Cas médical; Femme en situation de risque"
    assert fields["nombre de séances"] == "3"
    assert fields["date du consentement"] == "2024-01-15"
    assert fields["portée du consentement"] == "Assistance et suivi"
    assert fields["notes"] == "'=HYPERLINK(\"http://evil\")"  # still neutralised
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", fields["créé le"])  # local time, to the minute
    # A returnee with none of it: empty cells, a zero count.
    other = helpers.returnee(to="GN", family="Camara", departed=None)
    rows = csv_rows(admin_client_logged.get(url, {"_export": "csv", "_columns": "all", "q": "Camara"}))
    fields = record(rows[0], rows[1])
    assert fields["numéro de dossier"] == other.case_number
    assert (fields["vulnérabilités"], fields["nombre de séances"], fields["date du consentement"],
            fields["date de départ"]) == ("", "0", "", "")


def test_full_xlsx_export_of_returnees(admin_client_logged):
    returnee_with_everything()
    header, (row,) = sheet_rows(admin_client_logged.get(
        reverse("returns:returnee_list"), {"_export": "xlsx", "_columns": "all", "q": "Ndiaye"}))
    fields = record(header, row)
    assert fields["date de naissance"].is_date and fields["date de naissance"].value == datetime(1990, 2, 3)
    assert fields["date du consentement"].is_date
    assert fields["créé le"].is_date and fields["créé le"].number_format == "dd/mm/yyyy hh:mm"
    assert fields["nombre de séances"].value == 3
    assert fields["vulnérabilités"].value == "Cas médical; Femme en situation de risque"


@pytest.mark.parametrize(("name", "extra"), [
    ("reintegration:session_list", {"Notes", "Créé le", "Modifié le"}),
    ("resettlement:file_list", {"Date du consentement", "Portée du consentement", "Notes", "Créé le"}),
    ("resettlement:refugee_list", {"Lien avec le demandeur principal", "Étape du dossier", "Créé le"}),
])
def test_full_export_of_the_other_lists_adds_their_fields(admin_client_logged, name, extra):
    helpers.small_world(1)
    shown = csv_rows(admin_client_logged.get(reverse(name), {"_export": "csv"}))
    full = csv_rows(admin_client_logged.get(reverse(name), {"_export": "csv", "_columns": "all"}))
    assert len(full) == len(shown)
    full_header, shown_header = {h.casefold() for h in full[0]}, {h.casefold() for h in shown[0]}
    assert full_header - shown_header >= {name.casefold() for name in extra}
    assert shown_header <= full_header


def test_the_list_offers_both_exports_to_those_allowed(admin_client_logged, viewer):
    viewer_client = Client()  # not the `client` fixture: admin_client_logged is that one
    viewer_client.force_login(viewer)
    helpers.small_world(1)
    url = reverse("returns:returnee_list")
    page = admin_client_logged.get(url, {"returned_in": 2024}).content.decode()
    assert "?returned_in=2024&amp;_export=csv" in page
    assert "?returned_in=2024&amp;_export=csv&amp;_columns=all" in page
    assert "?returned_in=2024&amp;_export=xlsx&amp;_columns=all" in page
    assert "_columns=all" not in viewer_client.get(url).content.decode()
    assert viewer_client.get(url, {"_export": "csv", "_columns": "all"}).status_code == 403


def test_an_unknown_column_choice_is_refused(admin_client_logged):
    response = in_english(admin_client_logged).get(reverse("returns:returnee_list"),
                                                   {"_export": "csv", "_columns": "some"})
    assert response.status_code == 404
    assert "Unknown choice of columns “some”: choose “shown” or “all”." in response.content.decode()


def test_the_audit_says_which_export(admin_client_logged):
    helpers.small_world(1)
    url = reverse("returns:returnee_list")
    csv_rows(admin_client_logged.get(url, {"returned_in": 2024, "_export": "csv", "_columns": "all"}))
    admin_client_logged.get(url, {"returned_in": 2024, "_export": "xlsx"})
    full, shown = AuditEvent.objects.filter(kind=AuditEventKind.EXPORT).order_by("pk")
    assert full.detail == {"what": "returns.returnee", "format": "csv", "filters": "returned_in=2024", "row_count": 4,
                           "columns": "all"}
    assert shown.detail == {"what": "returns.returnee", "format": "xlsx", "filters": "returned_in=2024",
                            "row_count": 4, "columns": "shown"}


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_full_export_queries_do_not_grow_with_the_data(admin_client_logged, name, export_format):
    counts = []
    for _ in range(2):
        helpers.small_world(4)  # 24, then 48 returnees with their sessions and vulnerabilities
        with CaptureQueriesContext(connection) as queries:
            response = admin_client_logged.get(reverse(name), {"_export": export_format, "_columns": "all"})
            if export_format == "csv":
                csv_rows(response)  # consumed: the CSV streams
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    # Session and user, the capped COUNT, the rows, the vulnerabilities of the returnees (one query; for a CSV
    # read from the database, the categories' names once and the returnees' links to them per 2,000 rows), the
    # audit event, the session touch.
    assert counts[0] <= 7 + SESSION_TOUCH_QUERIES


def sheet_as_seen(body: bytes) -> dict:
    """Everything a reader sees of a workbook's one sheet: its name, frozen panes, columns' widths, and each
    cell's value, number format and weight."""
    workbook = load_workbook(io.BytesIO(body))
    assert len(workbook.worksheets) == 1
    sheet = workbook.active
    return {
        "title": sheet.title,
        "frozen": sheet.freeze_panes,
        "widths": {letter: dimension.width for letter, dimension in sheet.column_dimensions.items()},
        "cells": [[(cell.value, cell.number_format, cell.font.b) for cell in row] for row in sheet.iter_rows()],
    }


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("all_columns", [False, True])
@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_the_streamed_xlsx_is_the_in_memory_one(admin_client_logged, superuser, name, all_columns, language):
    """The workbook written row by row to a temporary file and sent in blocks is, to its cells' formats and its
    columns' widths, the one django-tables2's rows gave in memory (`SafeTableExport`)."""
    helpers.small_world(2)
    first, second = Returnee.objects.order_by("pk")[:2]
    Returnee.objects.filter(pk=first.pk).update(family_name="=HYPERLINK(1)\u202e", given_name="-\x1b[31m",
                                                notes="+a line\r\ntwo\x07", assigned_to=superuser)
    Returnee.objects.filter(pk=second.pk).update(family_name="@Ça, va", given_name="\tTab", notes="")
    with translation.override(language):
        table = helpers.export_table(name, superuser, all_columns, "xlsx")
        in_memory = lists.SafeTableExport(export_format="xlsx", table=table).export()
    admin_client_logged.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = admin_client_logged.get(reverse(name), {"_export": "xlsx", **({"_columns": "all"} if all_columns
                                                                               else {})})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    model_name = table._meta.model._meta.model_name
    assert response["Content-Disposition"] == f'attachment; filename="{model_name}s.xlsx"'
    streamed = helpers.streamed_body(response)
    assert int(response["Content-Length"]) == len(streamed)
    seen = sheet_as_seen(streamed)
    assert seen == sheet_as_seen(in_memory)
    assert len(seen["cells"]) == 1 + table.paginator.count > 2


def test_a_large_xlsx_keeps_the_first_rows_widths_and_leaves_no_file_behind(admin_client_logged, tmp_path,
                                                                            monkeypatch):
    # tempfile's documented setting: the temporary files of this test (openpyxl's and the export's) go here.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(lists, "XLSX_SPOOL_BYTES", 1024)  # the workbook goes to disk, not memory
    helpers.small_world(1)
    response = admin_client_logged.get(reverse("returns:returnee_list"), {"_export": "xlsx"})
    body = helpers.streamed_body(response)
    assert len(body) > 1024
    assert load_workbook(io.BytesIO(body)).active.max_row == 1 + Returnee.objects.count()
    assert list(tmp_path.iterdir()) == []


def test_the_workbook_is_written_through_private_files_and_none_is_left(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # tempfile's documented setting
    seen: list[int] = []

    def rows(count, fail_at=None):
        for number in range(count):
            if number == WIDTH_ROWS + 100:
                # Past the rows held for the widths: the sheet so far is in a file only this user may read.
                seen.extend(path.stat().st_mode & 0o777 for path in tmp_path.iterdir())
            if number == fail_at:
                raise RuntimeError("the database went away")
            yield [f"row {number}" if number else "a much longer first row", date(2024, 1, 1) if number % 2 else None]

    target = io.BytesIO()
    assert write_xlsx(target, "Test [a/b]", ["name", "on"], rows(WIDTH_ROWS + 500)) == WIDTH_ROWS + 500
    assert seen and set(seen) == {0o600}
    assert list(tmp_path.iterdir()) == []
    sheet = load_workbook(io.BytesIO(target.getvalue())).active
    assert sheet.title == "Test  a b "
    assert sheet.max_row == 1 + WIDTH_ROWS + 500 and sheet["A2"].value == "a much longer first row"
    assert sheet.column_dimensions["A"].width == len("a much longer first row") + 2
    assert sheet.column_dimensions["B"].width == 16 + 2 and sheet["B3"].is_date
    # Reading the rows fails midway: the error goes on, and no file of the sheet is left.
    seen.clear()
    with pytest.raises(RuntimeError, match="went away"):
        write_xlsx(io.BytesIO(), "Test", ["name", "on"], rows(WIDTH_ROWS + 500, fail_at=WIDTH_ROWS + 200))
    assert seen
    assert list(tmp_path.iterdir()) == []
