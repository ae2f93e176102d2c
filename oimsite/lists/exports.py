"""What every export of personal data shares: the cells of a table's rows, formula neutralising, the
spreadsheet writer and the signal the audit log listens to.

A cell keeps its type until the file is written: a date stays a `date`, written as ISO text in a CSV and
as a real date (a number with a date format) in a spreadsheet, so that it sorts and filters as a date.
"""

from __future__ import annotations

import contextlib
import functools
import io
import itertools
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any, BinaryIO

import django_tables2 as tables
from django.db import connections, models
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
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
from oimsite.core.text import REPLACEMENT, clean_text
from oimsite.lists.owners import OwnerColumn, owner_label

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


# The columns' widths come from this many first rows (a write-only sheet writes them before its first row).
WIDTH_ROWS = 1000


def write_xlsx(target: BinaryIO, title: str, header: list[Any], rows: Iterable[list[Any]]) -> int:
    """Write a one-sheet workbook to `target` (a seekable binary file) and return its number of data rows: a bold,
    frozen header row; dates in the language's short date format; columns as wide as their first rows need.

    The rows are taken as they come: openpyxl's write-only sheet writes each to a temporary file of its own
    (readable by this user only), which the saved workbook takes in and which is removed once saved. Only the
    first `WIDTH_ROWS` rows are held, until the columns' widths are known."""
    date_format = spreadsheet_format(formats.get_format("SHORT_DATE_FORMAT"), "yyyy-mm-dd")
    datetime_format = spreadsheet_format(formats.get_format("SHORT_DATETIME_FORMAT"), "yyyy-mm-dd hh:mm")
    workbook = Workbook(write_only=True)
    # Sheet names: at most 31 characters, none of []:*?/\ .
    sheet = workbook.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Export")
    count = 0
    try:
        rows = iter(rows)
        first = list(itertools.islice(rows, WIDTH_ROWS))
        sheet.freeze_panes = "A2"
        for index, name in enumerate(header):
            widest = max([_width(name), *(_width(row[index]) for row in first)])
            sheet.column_dimensions[get_column_letter(index + 1)].width = min(widest + 2, 60)
        bold = Font(bold=True)
        header_row = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=_text(name))
            cell.font = bold
            header_row.append(cell)
        sheet.append(header_row)
        for row in itertools.chain(first, rows):
            cells: list[Any] = []
            for value in row:
                if isinstance(value, date):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = datetime_format if isinstance(value, datetime) else date_format
                    cells.append(cell)
                else:
                    cells.append(_text(value))
            sheet.append(cells)
            count += 1
    except BaseException:
        # The sheet's temporary file holds personal data and openpyxl removes it when the workbook is saved:
        # saved into `target`, which the caller throws away with the error.
        with contextlib.suppress(Exception):
            workbook.save(target)
        raise
    workbook.save(target)
    return count


def xlsx_bytes(title: str, header: list[Any], rows: Iterable[list[Any]]) -> bytes:
    """`write_xlsx` into memory."""
    buffer = io.BytesIO()
    write_xlsx(buffer, title, header, rows)
    return buffer.getvalue()


# --- rows straight from the database ------------------------------------------------------------------------
#
# django-tables2 builds a model instance and a BoundRow per row and resolves each cell through its accessor,
# the model's get_FOO_display and the column's value(): most of an export's time. For a table whose columns are
# all of the kinds below, `database_rows` reads the same cells with values_list(), one dict lookup per choice
# or country, and gives them exactly as `row_cells` would (tests compare the two on every list); the CSV and the
# XLSX exports both read it. A table with any other column (a render_FOO or value_FOO of its own, a column on a
# property, a column class of its own without `export_expression` …) is exported by `row_cells`.
#
# A column computed from several fields gives its cell as an SQL expression, `export_expression(path)` (`path`
# being its accessor's values path), equal to what its render() shows: see FullNameColumn (lists/columns.py).

FAST_CHUNK_ROWS = 2000


def _field_path(model: Any, accessor: str) -> tuple[str, Any] | None:
    """The values_list() path of an accessor and the model field it ends on (None for an annotation)."""
    path = str(accessor).replace(".", "__")
    parts = path.split("__")
    current = model
    field = None
    for index, part in enumerate(parts):
        try:
            field = current._meta.get_field(part)
        except Exception:
            return (path, None) if index == 0 and len(parts) == 1 else None
        if field.many_to_many or field.one_to_many:
            return (path, field) if index == len(parts) - 1 else None
        if field.is_relation and index < len(parts) - 1:
            current = field.related_model
    return path, field


def _text_cell(value: Any) -> Any:
    if isinstance(value, str):
        if value.isascii() and value.isprintable():
            return "'" + value if value.startswith(FORMULA_PREFIXES) else value
        return neutralise(value)
    return value


def _annotation_field(table: Table, path: str) -> Any:
    """The output field of the table's queryset's annotation `path`, or None if it has no such annotation."""
    data = getattr(table.data, "data", None)
    annotation = data.query.annotations.get(path) if isinstance(data, QuerySet) else None
    return getattr(annotation, "output_field", None) if annotation is not None else None


def _converter(bound: BoundColumn, model: Any) -> tuple[str, Any] | None:
    """(values path, function from the stored value to the cell); ("m2m", path) for a many-to-many column;
    ("owner", (path, function)) for an owner; ("expression", (expression, function)) for a column that gives
    the expression of its cell (`export_expression`); or None when this column is not one `database_rows`
    reads."""
    column, table = bound.column, bound._table
    if getattr(table, f"render_{bound.name}", None) or getattr(table, f"value_{bound.name}", None):
        return None
    found = _field_path(model, column.accessor or bound.name)
    if found is None:
        return None
    path, field = found
    if field is None:
        # Not a field: an annotation of the queryset, or a property only Python knows.
        field = _annotation_field(table, path)
        if field is None:
            return None
    empty = column.empty_values

    def plain_cell(value: Any) -> Any:
        if value.__class__ is str:
            if not value:
                return None
            if value.isascii() and value.isprintable() and not value.startswith(FORMULA_PREFIXES):
                return value
            return neutralise(value)
        return None if value in empty else _text_cell(force_str(value, strings_only=True))

    if isinstance(column, (tables.DateColumn, tables.DateTimeColumn)):
        zone = timezone.get_current_timezone()

        def date_cell(value: Any) -> Any:
            if isinstance(value, datetime):
                # _local(), with the zone looked up once for the export rather than once per cell.
                if value.tzinfo is not None:
                    value = value.astimezone(zone)
                return value.replace(tzinfo=None, second=0, microsecond=0)
            return value if isinstance(value, date) else None
        date_cell.dates = True  # type: ignore[attr-defined]
        return path, date_cell
    if isinstance(column, RelatedNamesColumn):
        if not field.many_to_many or type(column).value is not RelatedNamesColumn.value:
            return None
        return "m2m", path
    if isinstance(column, OwnerColumn):
        if not field.is_relation:
            return None
        return "owner", (path, _owner_cell)
    if isinstance(column, tables.BooleanColumn):
        # BooleanColumn.value(): "True" or "False" (an empty value, with null=True: none).
        if (type(column).value is not tables.BooleanColumn.value or not isinstance(field, models.BooleanField)
                or field.choices):
            return None

        def boolean_cell(value: Any) -> Any:
            return None if value in empty else "True" if value else "False"
        boolean_cell.boolean = True  # type: ignore[attr-defined]
        return path, boolean_cell
    expression = getattr(column, "export_expression", None)
    if expression is not None:
        if field.is_relation:
            return None
        return "expression", (expression(path), plain_cell)
    if type(column) not in (tables.Column,) or field.is_relation:
        return None
    if field.choices:
        display = field.display_dict() if hasattr(field, "display_dict") else dict(field.flatchoices)
        # Each choice's cell, computed once (its label in the active language, neutralised).
        cells = {value: _choice_cell(label, empty) for value, label in display.items()}

        def choice_cell(value: Any) -> Any:
            try:
                return cells[value]
            except KeyError:
                return _choice_cell(display.get(value, value), empty)
            except TypeError:  # an unhashable value
                return _choice_cell(value, empty)
        choice_cell.cells = cells  # type: ignore[attr-defined]
        return path, choice_cell
    return path, plain_cell


def owner_label_sql(path: str) -> Any:
    """owner_label() in SQL: the user's full name ("first last", trimmed), else the username; null without one."""
    full = Trim(Concat(F(f"{path}__first_name"), Value(" "), F(f"{path}__last_name"),
                       output_field=models.CharField()))
    return Coalesce(NullIf(full, Value("")), F(f"{path}__username"), output_field=models.CharField())


def _owner_cell(value: Any) -> Any:
    return _text_cell(value) if value else None


def _choice_cell(label: Any, empty: Any) -> Any:
    label = force_str(label, strings_only=True)
    return None if label in empty else _text_cell(label)


def database_rows(table: Table, columns: list[BoundColumn], csv_text: bool = False) -> Iterator[list[Any]] | None:
    """The export's cells of every row of `table`, read with values_list(); None if a column needs the tables'
    own machinery. With `csv_text`, dates come as `csv_cell` writes them."""
    data = table.data.data
    if not isinstance(data, QuerySet):
        return None
    model = data.model
    plan = [_converter(bound, model) for bound in columns]
    if any(step is None for step in plan):
        return None
    paths: list[str] = ["pk"]
    converters: list[Callable[[Any], Any] | None] = []
    annotations = {}
    for index, (kind, detail) in enumerate(plan):
        if kind == "m2m":
            paths.append("pk")
            converters.append(None)
        elif kind in ("owner", "expression"):
            value, convert = detail
            annotations[f"_export_{index}"] = owner_label_sql(value) if kind == "owner" else value
            paths.append(f"_export_{index}")
            converters.append(convert)
        else:
            paths.append(kind)
            converters.append(detail)
    queryset = data.prefetch_related(None).annotate(**annotations).values_list(*paths)
    many = {index: model._meta.get_field(step[1]) for index, step in enumerate(plan) if step[0] == "m2m"}
    return _database_rows(queryset, converters, many, csv_text)


def _database_rows(queryset: Any, converters: list, many: dict[int, Any], csv_text: bool) -> Iterator[list[Any]]:
    names: dict[int, dict[Any, str]] = {}
    for index, field in many.items():
        related = field.related_model
        names[index] = {record.pk: force_str(record) for record in related._default_manager.all()}
    if csv_text:
        converters = [_as_csv(convert) if convert is not None else None for convert in converters]
    chunk: list[tuple] = []
    for row in queryset.iterator(chunk_size=FAST_CHUNK_ROWS):
        chunk.append(row)
        if len(chunk) >= FAST_CHUNK_ROWS:
            yield from _convert(chunk, converters, many, names)
            chunk = []
    if chunk:
        yield from _convert(chunk, converters, many, names)


def _as_csv(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    if getattr(convert, "dates", False):
        return lambda value: csv_cell(convert(value))
    return convert


def _convert(chunk: list[tuple], converters: list, many: dict[int, Any], names: dict[int, dict[Any, str]]
             ) -> Iterator[list[Any]]:
    if not many:
        for row in chunk:
            yield [convert(value) for convert, value in zip(converters, row[1:], strict=True)]
        return
    related: dict[int, dict[Any, str]] = {}
    for index, field in many.items():
        through = field.remote_field.through
        source, target = field.m2m_field_name() + "_id", field.m2m_reverse_field_name() + "_id"
        found: dict[Any, list[str]] = {}
        for owner, other in through._default_manager.filter(**{f"{source}__in": [row[0] for row in chunk]}
                                                              ).values_list(source, target):
            found.setdefault(owner, []).append(names[index].get(other, ""))
        related[index] = {owner: neutralise("; ".join(sorted(values, key=collation_key)))
                          for owner, values in found.items()}
    for row in chunk:
        cells = []
        for index, (convert, value) in enumerate(zip(converters, row[1:], strict=True)):
            cells.append(convert(value) if convert is not None else related[index].get(row[0]))
        yield cells


# --- the CSV written by PostgreSQL itself ----------------------------------------------------------------------
#
# On PostgreSQL a CSV export whose columns `database_rows` reads is written by the database: each cell is an SQL
# expression giving the text `database_rows` and `csv_cell` would give (labels looked up in a constant map,
# dates formatted, text cleaned and formulas quoted), and `COPY (…) TO STDOUT WITH CSV` streams the file. Python
# only passes the bytes on. Tests compare the two paths' rows on every list, in every language.

_FORMULA_SQL = "(" + ", ".join("'" + prefix + "'" for prefix in FORMULA_PREFIXES) + ")"


@functools.cache
def _unsafe_characters() -> str:
    """Every character `clean_text` replaces (none is outside the Basic Multilingual Plane; NUL cannot be stored)."""
    return "".join(chr(code) for code in range(1, 0x10000)
                   if not 0xD800 <= code <= 0xDFFF and clean_text(chr(code)) != chr(code))


def _unsafe_pattern() -> str:
    """A regular expression (PostgreSQL's) matching any of them."""
    return "[" + "".join("\\" + character if character in "\\]^-[" else character
                         for character in _unsafe_characters()) + "]"


class _SqlCell:
    """A cell's SQL: `template` with `{x}` for the stored value's SQL (repeated as needed, its parameters with
    it) and `%s` for `constants`, in order of appearance."""

    def __init__(self, path: str, template: str, constants: tuple[Any, ...] = (), expression: Any = None) -> None:
        # The stored value: the field or annotation `path`, or `expression` (a column's `export_expression`).
        self.path, self.template, self.constants, self.expression = path, template, constants, expression

    def sql(self, value_sql: str, value_params: list[Any]) -> tuple[str, list[Any]]:
        sql, params, constants = [], [], list(self.constants)
        for part in re.split(r"(\{x\}|%s)", self.template):
            if part == "{x}":
                sql.append(f"({value_sql})")
                params.extend(value_params)
            elif part == "%s":
                sql.append("%s")
                params.append(constants.pop(0))
            else:
                sql.append(part)
        return "".join(sql), params


def _text_sql() -> str:
    """`_text_cell` in SQL, empty text as none: a replaced character (rare) costs a translate(); a quote before a
    formula (no formula prefix is a replaced character, so the stored first one decides). Constants:
    `_text_constants()`."""
    cleaned = "translate({x}, %s, %s)"
    formula = f"left({{x}}, 1) IN {_FORMULA_SQL}"
    return (f"CASE WHEN {{x}} = '' THEN NULL "
            f"WHEN {{x}} ~ %s THEN (CASE WHEN {formula} THEN '''' || {cleaned} ELSE {cleaned} END) "
            f"WHEN {formula} THEN '''' || {{x}} ELSE {{x}} END")


def _text_constants() -> tuple[str, ...]:
    unsafe = _unsafe_characters()
    return (_unsafe_pattern(), unsafe, REPLACEMENT * len(unsafe), unsafe, REPLACEMENT * len(unsafe))


# Up to this many labels a CASE finds a choice's; beyond (countries), a constant JSON map does, in one lookup.
_CASE_LABELS = 12


def _label_sql(labels: dict[str, Any], none: Any) -> tuple[str, tuple[Any, ...]]:
    """The SQL of a label looked up by its value (a value without a label: as text, `_text_sql`)."""
    if len(labels) <= _CASE_LABELS:
        whens = " ".join("WHEN %s THEN %s::text" for _label in labels)
        constants = tuple(item for pair in labels.items() for item in pair)
        return (f"CASE WHEN {{x}} IS NULL THEN %s::text ELSE CASE {{x}} {whens} ELSE {_text_sql()} END END",
                (none, *constants, *_text_constants()))
    mapping = json.dumps(labels)
    return ("CASE WHEN {x} IS NULL THEN %s::text WHEN (%s::jsonb -> {x}) IS NOT NULL "
            f"THEN %s::jsonb ->> {{x}} ELSE {_text_sql()} END", (none, mapping, mapping, *_text_constants()))


def _sql_cell(bound: BoundColumn, model: Any, data: QuerySet) -> _SqlCell | None:
    """The SQL of one column's CSV cells, or None when only Python computes them (`database_rows` then)."""
    step = _converter(bound, model)
    if step is None or step[0] == "m2m":
        return None
    if step[0] == "owner":
        # Few staff own cases: each one's cell computed here (as `database_rows` gives it), found by id.
        path, convert = step[1]
        found = _field_path(model, path)
        if found is None or found[1] is None:
            return None
        related = found[1].related_model
        labels = {str(user.pk): convert(owner_label(user)) for user in related._default_manager.all()}
        return _SqlCell(f"{path}_id", "%s::jsonb ->> ({x})::text", (json.dumps(labels),))
    if step[0] == "expression":
        expression, _convert = step[1]
        if not isinstance(expression.output_field, (models.CharField, models.TextField)):
            return None
        return _SqlCell("", _text_sql(), _text_constants(), expression=expression)
    path, convert = step
    found = _field_path(model, bound.column.accessor or bound.name)
    field = found[1] if found else None
    if field is None:
        annotation = data.query.annotations.get(path)
        field = getattr(annotation, "output_field", None) if annotation is not None else None
    if getattr(convert, "boolean", False):
        none = "WHEN {x} IS NULL THEN NULL " if None in bound.column.empty_values else ""
        return _SqlCell(path, f"CASE {none}WHEN {{x}} THEN 'True' ELSE 'False' END")
    if getattr(convert, "dates", False):
        if isinstance(field, models.DateTimeField):
            zone = getattr(timezone.get_current_timezone(), "key", None)
            if zone is None:
                return None
            return _SqlCell(path, "to_char({x} AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI')", (zone,))
        if isinstance(field, models.DateField):
            return _SqlCell(path, "to_char({x}, 'YYYY-MM-DD')")
        return None
    cells = getattr(convert, "cells", None)
    if cells is not None:
        if not isinstance(field, models.CharField) or not all(isinstance(key, str) or key is None for key in cells):
            return None
        labels = {key: label for key, label in cells.items() if key is not None}
        none = cells.get(None)
        if none is not None and not isinstance(none, str):
            return None
        # The labels of the active language, looked up by the database.
        return _SqlCell(path, *_label_sql(labels, none))
    if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
        return _SqlCell(path, _text_sql(), _text_constants())
    if isinstance(field, models.IntegerField) and not field.choices:
        return _SqlCell(path, "{x}::text")
    return None


class _CsvCell(models.Expression):
    """A column's value made its CSV cell by `cell` (an `_SqlCell`), in the query's own SELECT."""

    output_field = models.TextField()

    def __init__(self, value: Any, cell: _SqlCell) -> None:
        super().__init__(output_field=models.TextField())
        self.value, self.cell = value, cell

    def get_source_expressions(self) -> list[Any]:
        return [self.value]

    def set_source_expressions(self, expressions: list[Any]) -> None:
        (self.value,) = expressions

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.value)
        return self.cell.sql(sql, list(params))


def copy_csv_select(table: Table, columns: list[BoundColumn]) -> tuple[str, list[Any]] | None:
    """On PostgreSQL, the SELECT of the export's cells as CSV text, in the table's order, with its parameters;
    None elsewhere or when a column needs Python (`database_rows` then)."""
    data = table.data.data
    if not isinstance(data, QuerySet) or connections[data.db].vendor != "postgresql":
        return None
    model = data.model
    # The owners' column last: it reads the users, a query not worth making for a table that cannot be copied.
    owners = [isinstance(bound.column, OwnerColumn) for bound in columns]
    cells: list[_SqlCell | None] = [None] * len(columns)
    for index in sorted(range(len(columns)), key=lambda index: owners[index]):
        cells[index] = _sql_cell(columns[index], model, data)
        if cells[index] is None:
            return None
    annotations = {f"_csv_{index}": _CsvCell(F(cell.path) if cell.expression is None  # type: ignore[union-attr]
                                             else cell.expression, cell)
                   for index, cell in enumerate(cells)}
    queryset = data.prefetch_related(None).annotate(**annotations).values_list(*annotations)
    return queryset.query.sql_with_params()


def copy_csv(using: str, select: tuple[str, list[Any]], chunk_bytes: int,
             on_done: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """The rows of `select` (`copy_csv_select`) as CSV from PostgreSQL's COPY, in chunks of about `chunk_bytes`;
    `on_done` gets the number of rows. Leaving early (the client went away) cancels the COPY."""
    import psycopg

    connection = connections[using]
    connection.ensure_connection()
    sql, params = select
    buffer = bytearray()
    # COPY takes no bound parameters: the client-side cursor writes them into the statement.
    with psycopg.ClientCursor(connection.connection) as cursor:
        statement = cursor.mogrify(f"COPY ({sql}) TO STDOUT WITH CSV", params)
        started = time.perf_counter()
        try:
            with cursor.copy(statement) as copy:
                for data in copy:
                    buffer += data
                    if len(buffer) >= chunk_bytes:
                        yield bytes(buffer)
                        buffer.clear()
            rows = cursor.rowcount
        finally:
            if connection.queries_logged:
                # Logged as Django logs its own cursors' queries (DEBUG, tests counting queries).
                connection.queries_log.append({"sql": statement, "time": f"{time.perf_counter() - started:.3f}"})
    yield bytes(buffer)
    if on_done is not None:
        on_done(rows)
