"""Exports of text stored before control characters were refused (or by a path without validation): the XLSX
never fails (openpyxl refuses C0 characters), the CSV carries no terminal escape sequence; each refused
character is replaced by U+FFFD.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from oimsite.core.text import clean_text
from oimsite.lists.exports import neutralise
from returns.models import Returnee
from tests import helpers

pytestmark = pytest.mark.django_db

REFUSED = [
    "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9b",
    "\u061c", "\u200b", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2060", "\u2066", "\u2067", "\u2068", "\u2069", "\u2028", "\u2029", "\ufeff",
]


def stored_with_controls() -> Returnee:
    """Text stored before the rule (or by a path without validation): `update()` skips full_clean()."""
    returnee = helpers.returnee(given="Ali", family="Baba", to="SN")
    Returnee.objects.filter(pk=returnee.pk).update(
        given_name="Ali\x0bBaba\x08\x0c\x1f", family_name="\x1b[31mRed\u202eevil", notes="=1+2\x07",
    )
    return returnee


def test_the_xlsx_export_of_stored_control_characters_works(admin_client_logged):
    stored_with_controls()
    response = admin_client_logged.get(reverse("returns:returnee_list"), {"_export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(helpers.streamed_body(response))).active
    cells = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert "Ali\ufffdBaba\ufffd\ufffd\ufffd" in cells
    assert "\ufffd[31mRed\ufffdevil" in cells


def test_the_csv_export_carries_no_escape_sequence(admin_client_logged):
    stored_with_controls()
    response = admin_client_logged.get(reverse("returns:returnee_list"), {"_export": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert not any(c in text for c in REFUSED)
    rows = list(csv.reader(io.StringIO(text)))
    assert any("Ali\ufffdBaba\ufffd\ufffd\ufffd" in row for row in rows)


def test_neutralise_replaces_refused_characters_and_keeps_formulas_inert():
    assert neutralise("Ali\x0bBaba") == "Ali\ufffdBaba"
    assert neutralise("\x1b[31m") == "\ufffd[31m"
    assert neutralise("=cmd\u202e") == "'=cmd\ufffd"
    assert neutralise("Line one\nLine two\tend") == "Line one\nLine two\tend"
    assert neutralise("محمد") == "محمد"
    assert neutralise(date(2024, 1, 1)) == date(2024, 1, 1)
    for character in REFUSED:
        assert clean_text(character) == "\ufffd"
