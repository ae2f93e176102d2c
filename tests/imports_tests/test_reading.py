"""Reading an import file: what is refused whole, with which message, before any row is imported."""

import io
import zipfile
from datetime import date, datetime

import pytest
from django.utils import translation
from openpyxl import Workbook

from oimsite.lists import imports
from oimsite.lists.imports import ImportRefused, read_table


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def refusal(content: bytes) -> str:
    with pytest.raises(ImportRefused) as caught:
        read_table(content)
    return str(caught.value)


def test_csv_in_utf8_with_and_without_bom_and_in_windows_1252_read_alike():
    text = "Prénom;Nom de famille\nAïcha;Koné\n"
    for content in (text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8"), text.encode("cp1252")):
        dataset = read_table(content)
        assert dataset.headers == ["Prénom", "Nom de famille"]
        assert list(dataset) == [("Aïcha", "Koné")]


def test_comma_separated_csv_is_read_too():
    assert list(read_table(b"a,b\n1,2\n")) == [("1", "2")]


def test_a_csv_that_mixes_encodings_is_refused_with_the_lines():
    content = "Prénom\nAïcha\n".encode() + "Hélène\n".encode("cp1252")
    message = refusal(content)
    assert "mixes two text encodings" in message and "line 1" in message and "line 3" in message


def test_a_renamed_pdf_is_refused():
    assert "PDF" in refusal(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")


def test_a_truncated_xlsx_is_refused():
    content = xlsx([["Nom"], ["Koné"]])
    assert "cannot be read as an XLSX" in refusal(content[: len(content) // 2])


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    assert "cannot be read as an XLSX" in refusal(buffer.getvalue())


def test_a_binary_file_is_refused():
    assert "neither a CSV nor an XLSX" in refusal(b"\x89PNG\r\n\x1a\n\x00\x00\x00")


def test_a_file_over_the_size_limit_is_refused_before_reading():
    message = refusal(b"a" * (imports.MAX_IMPORT_BYTES + 1))
    assert "an import takes at most 5 MB" in message


def test_a_file_with_too_many_rows_is_refused(settings):
    content = ("Nom\n" + "x\n" * (imports.MAX_IMPORT_ROWS + 1)).encode()
    assert "rows: an import takes at most" in refusal(content)
    workbook = [["Nom"], *([["x"]] * (imports.MAX_IMPORT_ROWS + 1))]
    assert "an import takes at most" in refusal(xlsx(workbook))


def test_a_hundred_thousand_rows_are_refused_with_a_clear_message():
    content = ("Numéro de dossier;Nom\n" + "RVA-2024-00001;x\n" * 100_000).encode()
    assert "100" in refusal(content) and "at most" in refusal(content)


def test_an_empty_file_is_refused():
    assert "empty" in refusal(b"  \n")


def test_a_formula_cell_is_read_as_its_text_never_its_value():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Nom", "Date"])
    sheet.append(["=HYPERLINK(\"http://evil\",\"x\")", datetime(2024, 5, 10)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    dataset = read_table(buffer.getvalue())
    name, when = next(iter(dataset))
    assert name == '=HYPERLINK("http://evil","x")'
    assert when.date() == date(2024, 5, 10)


def test_values_beyond_the_headed_columns_are_refused():
    assert "beyond the last column" in refusal(b"a;b\n1;2;3\n")
