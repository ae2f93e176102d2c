"""What every export of personal data shares: the cells of a table's rows, formula neutralising, the
spreadsheet writer and the signal the audit log listens to.

A cell keeps its type until the file is written: a date stays a `date`, written as ISO text in a CSV and
as a real date (a number with a date format) in a spreadsheet, so that it sorts and filters as a date.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

import django_tables2 as tables
from django.dispatch import Signal
from django.utils import formats, timezone
from django.utils.encoding import force_str
from django_tables2 import Table
from django_tables2.columns import BoundColumn
from django_tables2.rows import BoundRow
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from oimsite.core.collation import collation_key
from oimsite.core.text import clean_text

# Spreadsheets run a cell starting with these as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Make a text cell inert: control and display-spoofing characters replaced (text stored before they were
    refused must neither break the XLSX writer nor reach a terminal from a CSV), and a quote before a formula.
    Numbers pass unchanged."""
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# Sent after a list has been exported: sender is the view class; kwargs request, model, export_format,
# filters (the query string without the export parameters), row_count and columns ("shown" or "all").
# The audit log listens to it.
export_done = Signal()


class RelatedNamesColumn(tables.ManyToManyColumn):
    """The names of related records (prefetched) as plain text, in the order of the reader's language.

    ManyToManyColumn's own value is its HTML (escaped names), which an export would show as "&amp;".
    """

    def value(self, value: Any) -> str:
        names = [force_str(self.transform(item)) for item in self.filter(value)]
        return "; ".join(sorted(names, key=collation_key))


def export_columns(table: Table, exclude_columns: Iterable[str] = ()) -> list[BoundColumn]:
    """The columns an export writes: those of `as_values()` (hidden ones included, minus the excluded)."""
    excluded = set(exclude_columns)
    return [column for column in table.columns.iterall()
            if not (column.column.exclude_from_export or column.name in excluded)]


def header_cells(columns: Iterable[BoundColumn]) -> list[Any]:
    return [neutralise(force_str(column.header, strings_only=True)) for column in columns]


def _local(value: datetime) -> datetime:
    # Spreadsheets have no time zones: the office's local time, to the minute.
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None, second=0, microsecond=0)


def row_cells(row: BoundRow, columns: Iterable[BoundColumn]) -> list[Any]:
    """The row's cells, typed: dates and times as such (or None), numbers as numbers, text neutralised."""
    cells: list[Any] = []
    for column in columns:
        if isinstance(column.column, (tables.DateColumn, tables.DateTimeColumn)):
            # A date column's value() is ISO text (or its HTML placeholder for none): read the date itself.
            value = column.accessor.resolve(row.record, quiet=True)
            if isinstance(value, datetime):
                value = _local(value)
            elif not isinstance(value, date):
                value = None
            cells.append(value)
        else:
            cells.append(neutralise(force_str(row.get_cell_value(column.name), strings_only=True)))
    return cells


def table_rows(table: Table, columns: list[BoundColumn], records: Iterable[Any]) -> Iterator[list[Any]]:
    for record in records:
        yield row_cells(BoundRow(record, table=table), columns)


def csv_cell(value: Any) -> Any:
    """A typed cell as CSV text: ISO dates ("2024-12-31", "2024-12-31 14:05"), nothing for none."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value


# Django's date format characters that a spreadsheet number format can say; any other letter (a month's
# name, a weekday) makes the export fall back to ISO.
_SPREADSHEET_CODES = {"d": "dd", "j": "d", "m": "mm", "n": "m", "Y": "yyyy", "y": "yy", "H": "hh", "G": "h",
                      "i": "mm", "s": "ss"}


def spreadsheet_format(django_format: str, fallback: str) -> str:
    """A Django date format ("d/m/Y") as a spreadsheet number format ("dd/mm/yyyy")."""
    parts = []
    for char in django_format:
        if char in _SPREADSHEET_CODES:
            parts.append(_SPREADSHEET_CODES[char])
        elif char.isalpha() or char == "\\":
            return fallback
        else:
            parts.append(char)
    return "".join(parts)


def _text(value: Any) -> Any:
    # openpyxl refuses control characters (a note pasted from elsewhere may hold one): drop them.
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _width(value: Any) -> int:
    return 16 if isinstance(value, date) else len(str(value)) if value is not None else 0


def xlsx_bytes(title: str, header: list[Any], rows: list[list[Any]]) -> bytes:
    """A one-sheet workbook: a bold, frozen header row; dates in the language's short date format;
    columns as wide as their first rows need."""
    date_format = spreadsheet_format(formats.get_format("SHORT_DATE_FORMAT"), "yyyy-mm-dd")
    datetime_format = spreadsheet_format(formats.get_format("SHORT_DATETIME_FORMAT"), "yyyy-mm-dd hh:mm")
    workbook = Workbook(write_only=True)
    # Sheet names: at most 31 characters, none of []:*?/\ .
    sheet = workbook.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Export")
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header):
        widest = max([_width(name), *(_width(row[index]) for row in rows[:1000])])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(widest + 2, 60)
    bold = Font(bold=True)
    header_row = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=_text(name))
        cell.font = bold
        header_row.append(cell)
    sheet.append(header_row)
    for row in rows:
        cells: list[Any] = []
        for value in row:
            if isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = datetime_format if isinstance(value, datetime) else date_format
                cells.append(cell)
            else:
                cells.append(_text(value))
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
