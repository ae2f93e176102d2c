"""Importing case records from the spreadsheets offices keep: django-import-export's resources, widgets and
admin mixin, set up once for every case model.

What a resource built on `CaseResource` does, whatever the model:

- reads CSV (UTF-8 with or without BOM, or Windows-1252, comma or semicolon) and XLSX alike, sniffing the
  content rather than trusting the file's name, and refuses with a clear message a file that is neither (a
  renamed PDF, a damaged workbook, a CSV that mixes encodings), one larger than MAX_IMPORT_BYTES or with more
  than MAX_IMPORT_ROWS rows;
- reads a formula cell as its text (`=A1+1`), never its result: nothing in the file is evaluated;
- takes columns headed by the field's French or English name (as the template and the lists' exports write
  them) or its code name, ignores the columns an export adds that are computed (age at return, status …),
  and refuses any other column by name;
- takes dates as dd/mm/yyyy or ISO, countries as ISO codes or French or English names, choices by their
  code or label in either language;
- matches an existing record by its number (case or file number): the row updates it, or is reported
  unchanged; a number twice in the file refuses both rows;
- runs every row through the model's full_clean() and the database's constraints, in a savepoint per row;
- saves each record with save(), so that its history (who, and which file, as the change reason), the
  admin's log, the figures' triggers and the model's signals follow as they follow an admin save.

`run_import` is the one entry point (the admin and `import_records` call it): a dry run writes nothing;
otherwise "all" (the default) writes every row or none, "valid" writes the valid rows. Each import that
is not a dry run sends `import_done`, which the audit log records.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from import_export import fields as ie_fields
from import_export import resources, widgets
from import_export.admin import ImportMixin
from import_export.formats.base_formats import Format
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.results import Result, RowResult
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException
from tablib import Dataset

from oimsite.lists.exports import FORMULA_PREFIXES, neutralise
from oimsite.lists.import_files import IMPORT_FILE_MAX_AGE, ImportFileGone, ImportFileStorage
from oimsite.lists.search import fold
from oimsite.lists.templatetags.figures import figure

# An office's case list is a few thousand rows; a file beyond these is refused before any row is read.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 10_000
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
LANGUAGES = ("fr", "en")
MODES = ("all", "valid")

# Sent after an import that was not a dry run: sender is the model; kwargs request (or None), user, file_name,
# mode, written (whether anything was written) and counts ({"new": …, "update": …, "unchanged": …,
# "invalid": …, "error": …}). The audit log listens to it.
import_done = Signal()


class ImportRefused(Exception):
    """The file cannot be imported at all; the message says why, in the user's words."""


# --- reading the file ---------------------------------------------------------------------------------------

def check_size(size: int) -> None:
    """Refuse a file larger than MAX_IMPORT_BYTES before reading it."""
    if size > MAX_IMPORT_BYTES:
        raise ImportRefused(_("The file is %(size)s MB: an import takes at most %(max)s MB. Split it into smaller "
                              "files.") % {"size": figure(round(size / 2**20, 1)),
                                           "max": figure(MAX_IMPORT_BYTES // 2**20)})


def read_table(content: bytes, file_name: str = "") -> Dataset:
    """The file's first sheet as a Dataset of text and dates (headers first), or ImportRefused."""
    check_size(len(content))
    if not content.strip():
        raise ImportRefused(_("The file is empty."))
    if content.startswith(b"%PDF"):
        raise ImportRefused(_("This file is a PDF document, not a spreadsheet: save the list as XLSX or CSV."))
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused(_("This file is in the old Excel format (.xls): save it as .xlsx or CSV."))
    rows = _xlsx_rows(content) if content.startswith(b"PK\x03\x04") else _csv_rows(content)
    rows = [row for row in rows if any(cell not in (None, "") for cell in row)]
    if not rows:
        raise ImportRefused(_("The file has no header row."))
    header, body = rows[0], rows[1:]
    if len(body) > MAX_IMPORT_ROWS:
        raise ImportRefused(_("The file has %(rows)s rows: an import takes at most %(max)s. Split it into smaller "
                              "files.") % {"rows": figure(len(body)), "max": figure(MAX_IMPORT_ROWS)})
    width = len(header)
    while width and header[width - 1] in (None, ""):
        width -= 1
    dataset = Dataset(headers=[str(cell or "").strip() for cell in header[:width]])
    for row in body:
        cells = list(row[:width]) + [None] * (width - len(row))
        if any(cell not in (None, "") for cell in row[width:]):
            raise ImportRefused(_("A row has values beyond the last column with a header: give every column a "
                                  "header."))
        dataset.append(cells)
    return dataset


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    try:
        # data_only=False: a formula cell reads as its formula's text, never as a value computed by anyone.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        rows = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_IMPORT_ROWS + 1 and any(cell is not None for cell in row):
                raise ImportRefused(_("The file has more than %(max)s rows: an import takes at most %(max)s. "
                                      "Split it into smaller files.") % {"max": figure(MAX_IMPORT_ROWS)})
            rows.append(list(row))
        workbook.close()
    except ImportRefused:
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, IndexError, TypeError) as exc:
        raise ImportRefused(_("This file cannot be read as an XLSX workbook (it may be damaged or cut short): "
                              "open it in the spreadsheet and save it again.")) from exc
    return rows


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM) or Windows-1252, as Excel writes CSV; a file mixing the two is refused."""
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lines = content.splitlines()
    utf8_lines = [i for i, line in enumerate(lines, 1) if not line.isascii() and _is_utf8(line)]
    other_lines = [i for i, line in enumerate(lines, 1) if not _is_utf8(line)]
    if utf8_lines and other_lines:
        raise ImportRefused(_("The file mixes two text encodings (line %(utf8)s is UTF-8, line %(other)s is not): "
                              "save it again from the spreadsheet as “CSV UTF-8”.")
                            % {"utf8": utf8_lines[0], "other": other_lines[0]})
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportRefused(_("This file is not text in a known encoding: save it as CSV UTF-8 or XLSX.")) from exc


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _csv_rows(content: bytes) -> list[list[Any]]:
    if b"\x00" in content:
        raise ImportRefused(_("This file is neither a CSV nor an XLSX spreadsheet: save the list as XLSX or CSV."))
    text = decode_text(content)
    first = text.split("\n", 1)[0]
    # French Excel writes semicolons (the comma is the decimal separator).
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise ImportRefused(_("This file cannot be read as CSV: %(error)s") % {"error": exc}) from exc


class SpreadsheetFormat(Format):
    """django-import-export's format for our files: CSV or XLSX, told apart by their content."""

    def __init__(self, encoding: str | None = None) -> None:
        self.encoding = encoding  # the admin passes its own; the content decides

    def get_title(self) -> str:
        return "CSV / XLSX"

    def create_dataset(self, in_stream: bytes | str) -> Dataset:
        return read_table(in_stream if isinstance(in_stream, bytes) else in_stream.encode("utf-8"))

    def is_binary(self) -> bool:
        return True  # the bytes, so that the encoding is ours to detect

    def get_read_mode(self) -> str:
        return "rb"

    def get_extension(self) -> str:
        return "xlsx"

    def can_import(self) -> bool:
        return True


# --- cells to values ----------------------------------------------------------------------------------------

def _key(text: Any) -> str:
    """A header or a label as compared: accents, case, punctuation and spacing aside."""
    return " ".join(re.split(r"[^0-9A-Z]+", fold(str(text)) or "")).strip()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


class TextWidget(widgets.Widget):
    """Text as written (trimmed); an empty cell is empty text. A formula's text stays text.

    The quote our exports put before text a spreadsheet would run as a formula (`'=cmd`) is taken off again,
    so that an export imported back changes nothing."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        text = _text(value)
        if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
            return text[1:]
        return text

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return neutralise(_text(value))


class FlexibleDateWidget(widgets.Widget):
    """A date cell, or text as dd/mm/yyyy or yyyy-mm-dd."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> date | None:
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = _text(value)
        for pattern in DATE_FORMATS:
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(_("“%(value)s” is not a date: write it as dd/mm/yyyy (31/12/2024) or yyyy-mm-dd.")
                         % {"value": text[:40]})

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value.isoformat() if isinstance(value, date) else ""


def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in LANGUAGES:
        with translation.override(language):
            for country in countries:
                names.setdefault(_key(country.name), country.code)
    for code, name in countries.alt_codes.items() if hasattr(countries, "alt_codes") else ():
        names.setdefault(_key(name), code)
    return names


_COUNTRY_NAMES: dict[str, str] = {}


class CountryWidget(widgets.Widget):
    """An ISO 3166 code (MA, MAR) or the country's name in French or English."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        text = _text(value)
        if not text:
            return ""
        upper = text.upper()
        if len(upper) == 2 and upper in dict(countries):
            return upper
        if len(upper) == 3 and countries.alpha2(upper):
            return countries.alpha2(upper)
        if not _COUNTRY_NAMES:
            _COUNTRY_NAMES.update(_country_names())
        code = _COUNTRY_NAMES.get(_key(text))
        if code is None:
            raise ValueError(_("Unknown country “%(value)s”: give its ISO code (MA) or its name in French or "
                               "English.") % {"value": text[:60]})
        return code

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return getattr(value, "code", value) or ""


class ChoiceWidget(widgets.Widget):
    """One of a field's choices, by its code or its label in French or English."""

    def __init__(self, choices: Iterable[tuple[Any, Any]], **kwargs: Any) -> None:
        self.choices = list(choices)
        super().__init__(**kwargs)

    def _lookup(self) -> dict[str, Any]:
        lookup: dict[str, Any] = {}
        for language in LANGUAGES:
            with translation.override(language):
                for value, label in self.choices:
                    lookup.setdefault(_key(label), value)
        for value, _label in self.choices:
            lookup[_key(value)] = value
        return lookup

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        text = _text(value)
        if not text:
            return ""
        found = self._lookup().get(_key(text))
        if found is None:
            shown = ", ".join(str(label) for _value, label in self.choices)
            raise ValueError(_("“%(value)s” is not one of the choices: %(choices)s.") % {"value": text[:60],
                                                                                      "choices": shown})
        return found

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return str(dict(self.choices).get(value, value or ""))


class YesNoWidget(widgets.Widget):
    TRUE = {"OUI", "YES", "TRUE", "VRAI", "1", "X", "O", "Y"}
    FALSE = {"NON", "NO", "FALSE", "FAUX", "0", "N", ""}

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = _key(_text(value))
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("“%(value)s” is not yes or no (oui/non).") % {"value": _text(value)[:40]})

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return _("yes") if value else _("no")


class LookupWidget(widgets.Widget):
    """A related record by one of its unique values (a returnee by case number), looked up once per value."""

    def __init__(self, model: type[models.Model], field: str, label: Any, **kwargs: Any) -> None:
        self.model, self.field, self.label = model, field, label
        self._cache: dict[str, models.Model | None] = {}
        super().__init__(**kwargs)

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> models.Model | None:
        text = _text(value)
        if not text:
            return None
        if text not in self._cache:
            self._cache[text] = self.model._default_manager.filter(**{self.field: text}).first()
        found = self._cache[text]
        if found is None:
            raise ValueError(_("There is no %(model)s with the %(field)s “%(value)s”.")
                             % {"model": self.model._meta.verbose_name, "field": self.label, "value": text[:40]})
        return found

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return str(getattr(value, self.field, "") or "")


class StaffWidget(widgets.Widget):
    """A staff member by username or full name (as the lists' exports write the owner)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        text = _text(value)
        if not text:
            return None
        users = get_user_model().objects.filter(is_active=True, is_staff=True)
        found = users.filter(username=text).first()
        if found is None:
            wanted = _key(text)
            found = next((user for user in users if _key(user.get_full_name()) == wanted), None)
        if found is None:
            raise ValueError(_("No active staff member is called “%(value)s” (give the username).")
                             % {"value": text[:60]})
        return found

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value.get_username() if value is not None else ""


class CodeListWidget(widgets.ManyToManyWidget):
    """Several related records (vulnerability categories) by code or name, separated by ; or ,."""

    def __init__(self, model: type[models.Model], names: Callable[[models.Model], Iterable[str]], **kwargs: Any):
        self.names = names
        super().__init__(model, separator=";", field="code", **kwargs)

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> list[models.Model]:
        text = _text(value)
        if not text:
            return []
        lookup: dict[str, models.Model] = {}
        for record in self.model._default_manager.all():
            lookup[_key(record.code)] = record
            for name in self.names(record):
                lookup.setdefault(_key(name), record)
        chosen, unknown = [], []
        for item in re.split(r"[;,]", text):
            if not item.strip():
                continue
            record = lookup.get(_key(item))
            if record is None:
                unknown.append(item.strip())
            else:
                chosen.append(record)
        if unknown:
            raise ValueError(_("Unknown %(model)s: %(values)s.") % {
                "model": self.model._meta.verbose_name, "values": ", ".join(unknown)[:200]})
        return list(dict.fromkeys(chosen))

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        return "; ".join(record.code for record in value.all())


# --- the resource -------------------------------------------------------------------------------------------

def field_labels(model: type[models.Model], name: str) -> dict[str, str]:
    """A model field's label in each import language."""
    model_field = model._meta.get_field(name)
    labels = {}
    for language in LANGUAGES:
        with translation.override(language):
            labels[language] = capfirst(str(model_field.verbose_name))
    return labels


IMPORT_RESOURCES: dict[str, type[CaseResource]] = {}


def register_import(resource: type[CaseResource]) -> type[CaseResource]:
    """Make `resource` the import of its model (for `import_records` and the template)."""
    IMPORT_RESOURCES[resource._meta.model._meta.label_lower] = resource
    return resource


def resource_for(label: str) -> type[CaseResource]:
    try:
        return IMPORT_RESOURCES[label.lower()]
    except KeyError:
        raise ImportRefused(_("“%(model)s” cannot be imported; one of: %(models)s.") % {
            "model": label, "models": ", ".join(sorted(IMPORT_RESOURCES))}) from None


class _NoDiff:
    """The per-row diff django-import-export computes by default (every field exported before and after the
    row), for a report that shows none: the import's report lists outcomes and notes, not field diffs
    (`ImportReport`). `skip_diff` would also turn off `skip_unchanged`, which reads the row's original."""

    def __init__(self, resource: Any, instance: Any, new: bool) -> None:
        pass

    def compare_with(self, resource: Any, instance: Any) -> None:
        pass

    def as_html(self) -> list[str]:
        return []


class CaseResource(resources.ModelResource):
    """The import of one case model (see the module's docstring). Subclasses set Meta.model, Meta.fields (in
    template order), Meta.import_id_fields (the record's number) and `ignored_columns`."""

    # Columns a list's export adds that are not read back (computed, or following another field).
    ignored_columns: tuple[str, ...] = ("created_at", "updated_at")
    ignored_labels: tuple[Any, ...] = ()
    # What a column refers to: {field name: (related model, its unique field, label)}.
    lookups: dict[str, tuple[type[models.Model], str, Any]] = {}

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        skip_html_diff = True

    def get_diff_class(self) -> type[_NoDiff]:
        return _NoDiff

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.allow_duplicates = False
        self.row_notes: dict[int, list[tuple[str, str]]] = {}
        self._numbers_twice: dict[str, list[int]] = {}

    # Widgets: ours for each kind of model field.
    @classmethod
    def field_from_django_field(cls, field_name: str, django_field: Any, readonly: bool) -> ie_fields.Field:
        widget: widgets.Widget
        attribute = field_name
        if field_name in cls.lookups:
            model, unique, label = cls.lookups[field_name]
            widget = LookupWidget(model, unique, label)
        elif isinstance(django_field, models.ForeignKey) and django_field.related_model is get_user_model():
            widget = StaffWidget()
        elif isinstance(django_field, models.ManyToManyField):
            widget = CodeListWidget(django_field.related_model, cls.related_names)
        elif isinstance(django_field, models.DateField):
            widget = FlexibleDateWidget()
        elif django_field.get_internal_type() == "CharField" and hasattr(django_field, "countries"):
            widget = CountryWidget()
        elif django_field.choices:
            widget = ChoiceWidget(django_field.choices)
        elif isinstance(django_field, models.BooleanField):
            widget = YesNoWidget()
        elif isinstance(django_field, (models.CharField, models.TextField)):
            widget = TextWidget()
        else:
            return super().field_from_django_field(field_name, django_field, readonly)
        return ie_fields.Field(attribute=attribute, column_name=field_name, widget=widget, readonly=readonly,
                               default=django_field.default)

    @staticmethod
    def related_names(record: models.Model) -> Iterable[str]:
        names = [str(record)]
        for language in LANGUAGES:
            with translation.override(language):
                names.append(str(record))
        return names

    @classmethod
    def columns(cls) -> list[tuple[str, dict[str, str]]]:
        """(field name, {language: label}) of each column the import reads, in the template's order."""
        model = cls._meta.model
        return [(name, field_labels(model, name)) for name in cls._meta.fields]

    def header_map(self) -> dict[str, str]:
        """Every accepted header (folded) -> the column's name: a field the import fills, or one it ignores
        (`ignored_columns`, `ignored_labels`: kept in the row for the resource to read, never saved)."""
        mapping: dict[str, str] = {}
        for name, labels in self.columns():
            mapping[_key(name)] = name
            for label in labels.values():
                mapping[_key(label)] = name
        model = self._meta.model
        for name in self.ignored_columns:
            mapping.setdefault(_key(name), name)
            for label in field_labels(model, name).values():
                mapping.setdefault(_key(label), name)
        for label in self.ignored_labels:
            for language in LANGUAGES:
                with translation.override(language):
                    mapping.setdefault(_key(capfirst(str(label))), _key(label))
        return mapping

    def before_import(self, dataset: Dataset, **kwargs: Any) -> None:
        mapping = self.header_map()
        headers, unknown = [], []
        for index, header in enumerate(dataset.headers or []):
            name = mapping.get(_key(header))
            if name is None:
                unknown.append(header or _("(column %(number)s without a header)") % {"number": index + 1})
            elif name in headers:
                raise ImportRefused(_("Two columns of the file fill the same field “%(field)s”: keep one.")
                                    % {"field": header})
            headers.append(name)
        language = translation.get_language() if translation.get_language() in LANGUAGES else "fr"
        if unknown:
            raise ImportRefused(_("Unknown columns: %(unknown)s. The columns this import reads are: %(known)s.") % {
                "unknown": ", ".join(f"“{h}”" for h in unknown),
                "known": ", ".join(labels[language] for _name, labels in self.columns())})
        id_fields = [name for name in self.get_import_id_fields() if name != "id"]
        for id_field in id_fields:
            if id_field not in headers:
                raise ImportRefused(_("The file needs a column “%(fr)s” (or “%(en)s”): it identifies each record.")
                                    % field_labels(self._meta.model, id_field))
        dataset.headers = headers
        # A record's number twice in the file: both rows are refused (which one is right?).
        self._numbers_twice = {}
        if id_fields:
            seen: dict[str, list[int]] = defaultdict(list)
            for number, value in enumerate(dataset[id_fields[0]], start=1):
                if _text(value):
                    seen[_text(value)].append(number)
            self._numbers_twice = {value: numbers for value, numbers in seen.items() if len(numbers) > 1}

    def before_import_row(self, row: dict, **kwargs: Any) -> None:
        id_field = self.get_import_id_fields()[0]
        if id_field == "id":
            return
        numbers = self._numbers_twice.get(_text(row.get(id_field)))
        if numbers:
            raise ValidationError({id_field: _("This number is on rows %(rows)s of the file: keep one row per "
                                               "record.") % {"rows": ", ".join(str(n + 1) for n in numbers)}})

    def get_instance(self, instance_loader: Any, row: dict) -> models.Model | None:
        if "id" in self.get_import_id_fields() and "id" not in self.fields:  # no number of their own: rows are new
            return None
        return super().get_instance(instance_loader, row)

    def import_row(self, row: dict, instance_loader: Any, **kwargs: Any) -> RowResult:
        row_result = super().import_row(row, instance_loader, **kwargs)
        if not row_result.object_repr:  # a refused row: named by what the file says
            row_result.object_repr = " — ".join(
                _text(row.get(name)) for name in (*self.get_import_id_fields(), "given_name", "family_name")
                if name in row and _text(row.get(name)))
        return row_result

    def possible_duplicates(self, instance: models.Model) -> list[str]:
        """Descriptions of the records `instance` (new) may duplicate; none by default."""
        return []

    def validate_instance(self, instance: models.Model, import_validation_errors: dict | None = None,
                          validate_unique: bool = True) -> None:
        errors: dict = {}
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if not errors and instance.pk is None and not self.allow_duplicates:
            found = self.possible_duplicates(instance)
            if found:
                errors[NON_FIELD_ERRORS] = [ValidationError(
                    _("Possible duplicate of %(records)s: check that this is another person.")
                    % {"records": "; ".join(found)}, code="possible_duplicate")]
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance: models.Model, row: dict, **kwargs: Any) -> None:
        # The history says who imported it, from which file; an open form on this record becomes stale.
        instance._history_user = kwargs.get("user")
        instance._change_reason = _("Imported from %(file)s") % {"file": kwargs.get("file_name") or "?"}
        if instance.pk is not None and hasattr(instance, "version"):
            instance.version += 1


# --- running an import, and its report ----------------------------------------------------------------------

OUTCOMES = {
    RowResult.IMPORT_TYPE_NEW: gettext_lazy("new"),
    RowResult.IMPORT_TYPE_UPDATE: gettext_lazy("update"),
    RowResult.IMPORT_TYPE_SKIP: gettext_lazy("unchanged"),
    RowResult.IMPORT_TYPE_INVALID: gettext_lazy("error"),
    RowResult.IMPORT_TYPE_ERROR: gettext_lazy("error"),
    "duplicate": gettext_lazy("possible duplicate"),
}


@dataclass
class RowReport:
    number: int  # the row's number in the spreadsheet (the header is row 1)
    outcome: str  # a key of OUTCOMES
    record: str = ""
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column label, message)

    @property
    def outcome_label(self) -> str:
        return str(OUTCOMES[self.outcome])


@dataclass
class ImportReport:
    model: type[models.Model]
    file_name: str
    dry_run: bool
    mode: str
    written: bool
    rows: list[RowReport]
    problems: list[str]  # what refused the whole file

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        keys = (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE, RowResult.IMPORT_TYPE_SKIP, "duplicate")
        counts = {key: self.count(key) for key in keys}
        counts["error"] = self.count(RowResult.IMPORT_TYPE_INVALID) + self.count(RowResult.IMPORT_TYPE_ERROR)
        return counts

    @property
    def has_bad_rows(self) -> bool:
        counts = self.counts
        return bool(counts["error"] or counts["duplicate"])

    def summary(self) -> str:
        counts = self.counts
        text = _("%(new)s new, %(update)s updated, %(unchanged)s unchanged, %(error)s with errors, "
                 "%(duplicate)s possible duplicates.") % {
            "new": counts["new"], "update": counts["update"], "unchanged": counts["skip"],
            "error": counts["error"], "duplicate": counts["duplicate"]}
        if self.problems:
            return " ".join(self.problems)
        if self.dry_run:
            return _("Dry run, nothing written: %(counts)s") % {"counts": text}
        if not self.written:
            return _("Nothing was written: %(counts)s") % {"counts": text}
        return _("Imported: %(counts)s") % {"counts": text}


def _label(model: type[models.Model], name: str) -> str:
    if name == NON_FIELD_ERRORS:
        return ""
    try:
        return capfirst(str(model._meta.get_field(name).verbose_name))
    except Exception:
        return name


def build_report(result: Result, model: type[models.Model], *, file_name: str, dry_run: bool, mode: str,
                 written: bool) -> ImportReport:
    rows = []
    for number, row_result in enumerate(result.rows, start=1):
        outcome = row_result.import_type
        problems: list[tuple[str, str]] = []
        if row_result.validation_error is not None:
            error = row_result.validation_error
            by_field = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
            for name, errors in by_field.items():
                for item in errors:
                    if getattr(item, "code", None) == "possible_duplicate":
                        outcome = "duplicate"
                    problems.extend((_label(model, name), message) for message in item.messages)
        for error in row_result.errors:
            problems.append(("", str(getattr(error.error, "message", None) or error.error)))
        rows.append(RowReport(number + 1, outcome, row_result.object_repr or "", problems))
    problems = [str(error.error) for error in result.base_errors]
    if problems:  # the file was refused whole: its rows were read for nothing
        rows = []
    return ImportReport(model, file_name, dry_run, mode, written, rows, problems)


def run_import(resource: CaseResource, dataset: Dataset, *, user: Any, file_name: str, dry_run: bool,
               mode: str = "all", allow_duplicates: bool = False, request: HttpRequest | None = None) -> ImportReport:
    """Import `dataset` through `resource` (see the module's docstring) and report each row."""
    if mode not in MODES:
        raise ValueError(mode)
    resource.allow_duplicates = allow_duplicates
    result = resource.import_data(
        dataset, dry_run=dry_run, raise_errors=False, use_transactions=True,
        rollback_on_validation_errors=(mode == "all"), file_name=file_name, user=user,
        retain_instance_in_row_result=True,
    )
    written = not dry_run and not result.has_errors() and not (mode == "all" and result.has_validation_errors())
    report = build_report(result, resource._meta.model, file_name=file_name, dry_run=dry_run, mode=mode,
                          written=written)
    report.result = result
    if not dry_run:
        import_done.send(sender=resource._meta.model, request=request, user=user, file_name=file_name,
                         mode=mode, written=written,
                         counts=report.counts if written else {**report.counts, "written": 0})
    return report


def refused_report(model: type[models.Model], file_name: str, message: str, *, dry_run: bool,
                   mode: str = "all") -> ImportReport:
    return ImportReport(model, file_name, dry_run, mode, False, [], [message])


# --- the template -------------------------------------------------------------------------------------------

def template_bytes(resource: type[CaseResource], language: str = "fr") -> bytes:
    """An empty workbook to fill: one column per field, headed in `language`; a second sheet says what each
    column takes, in French and English."""
    workbook = Workbook(write_only=True)
    with translation.override(language):
        sheet = workbook.create_sheet(str(resource._meta.model._meta.verbose_name_plural)[:31])
        help_sheet = workbook.create_sheet(_("Help")[:31])
    bold = Font(bold=True)
    columns = resource.columns()
    sheet.append([_bold(sheet, labels[language], bold) for _name, labels in columns])
    help_sheet.append([_bold(help_sheet, text, bold) for text in ("Colonne (français)", "Column (English)",
                                                                  "Code", "Valeurs / values")])
    instance = resource()
    for name, labels in columns:
        widget = instance.fields[name].widget
        if isinstance(widget, FlexibleDateWidget):
            accepted = "jj/mm/aaaa ou aaaa-mm-jj / dd/mm/yyyy or yyyy-mm-dd"
        elif isinstance(widget, CountryWidget):
            accepted = "code ISO (MA) ou nom / ISO code or name"
        elif isinstance(widget, ChoiceWidget):
            accepted = " | ".join(f"{value}" for value, _label in widget.choices)
        elif isinstance(widget, YesNoWidget):
            accepted = "oui/non / yes/no"
        elif isinstance(widget, CodeListWidget):
            accepted = "; ".join(widget.model._default_manager.values_list("code", flat=True))
        else:
            accepted = ""
        help_sheet.append([labels["fr"], labels["en"], name, accepted])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _bold(sheet: Any, value: str, font: Font) -> Any:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


# --- the admin ----------------------------------------------------------------------------------------------

class CaseImportForm(ImportForm):
    def clean_import_file(self) -> Any:
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload.size)
        except ImportRefused as exc:
            raise ValidationError(str(exc)) from exc
        return upload


class CaseConfirmImportForm(ConfirmImportForm):
    mode = forms.ChoiceField(
        label=gettext_lazy("Import"), widget=forms.RadioSelect, initial="all",
        choices=[("all", gettext_lazy("All rows or none: if a row has an error, nothing is written")),
                 ("valid", gettext_lazy("Valid rows only: the rows with errors or possible duplicates are left out"))],
    )
    allow_duplicates = forms.BooleanField(
        label=gettext_lazy("Import the possible duplicates as new people too (I have checked them)"), required=False,
    )


class CaseImportMixin(ImportMixin):
    """The admin's Import button and pages for a case model, through `run_import`.

    The uploaded file waits for the confirmation in `ImportFileStorage` (oimsite/lists/import_files.py), and no
    step leaves it there once it cannot be confirmed any more: the dry run removes it when it offers no
    confirmation (or fails), the confirmation removes it whatever its outcome, and so does Cancel."""

    import_form_class = CaseImportForm
    confirm_form_class = CaseConfirmImportForm
    import_template_name = "admin/oimsite/import.html"
    formats = [SpreadsheetFormat]
    tmp_storage_class = ImportFileStorage

    def get_import_formats(self) -> list[type[Format]]:
        return [SpreadsheetFormat]

    def has_import_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.import_{opts.model_name}")

    def get_urls(self) -> list:
        info = self.get_model_info()
        return [path("import/template/", self.admin_site.admin_view(self.import_template_view),
                     name="{}_{}_import_template".format(*info)), *super().get_urls()]

    def import_template_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        language = translation.get_language() if translation.get_language() in LANGUAGES else "fr"
        response = HttpResponse(template_bytes(self.get_import_resource_classes(request)[0], language),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{self.opts.model_name}-template.xlsx"'
        return response

    def add_data_read_fail_error_to_form(self, form: forms.Form, e: Exception) -> None:
        if isinstance(e, ImportRefused):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def import_action(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        try:
            response = super().import_action(request, **kwargs)
        except Exception:
            self.discard_import_file(self.saved_file_name(request))
            raise
        context = getattr(response, "context_data", None)
        if context is None:
            return response
        result = context.get("result")
        form = context.get("form")
        if result is not None:
            report = build_report(result, self.model, file_name=form.cleaned_data["import_file"].name,
                                  dry_run=True, mode="all", written=False)
            context["report"] = report
            # A file with bad rows can still be imported, valid rows only: the choice is the user's.
            if not result.has_errors() and "confirm_form" not in context:
                context["confirm_form"] = self.create_confirm_form(request, import_form=form)
        if "confirm_form" not in context:  # refused, unreadable, or errors: nothing to confirm, nothing to keep
            self.discard_import_file(self.saved_file_name(request))
        return response

    @staticmethod
    def saved_file_name(request: HttpRequest) -> str | None:
        """The name under which this request's dry run saved the uploaded file (set by the library), if it did."""
        return getattr(request.FILES.get("import_file"), "tmp_storage_name", None)

    def discard_import_file(self, name: str | None) -> None:
        """Remove an import's waiting file; a name the storage never gives, or a file already gone, is let be."""
        if name:
            self.get_tmp_storage_class()(name=name, **self.get_tmp_storage_class_kwargs()).remove()

    def process_import(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return super().process_import(request, **kwargs)  # the library's 405
        if not self.has_import_permission(request):
            raise PermissionDenied
        again = HttpResponseRedirect(reverse("admin:{}_{}_import".format(*self.get_model_info()),
                                             current_app=self.admin_site.name))
        try:
            if "cancel" in request.POST:
                messages.info(request, _("Import cancelled: nothing was written and the file has been deleted."))
                return again
            response = super().process_import(request, **kwargs)
        except ImportFileGone:
            minutes = int(IMPORT_FILE_MAX_AGE.total_seconds() // 60)
            messages.error(request, _("The checked file is no longer kept (it was imported already, or it waited "
                                      "more than %(minutes)s minutes): check the file again.") % {"minutes": minutes})
            return again
        finally:
            # Imported, refused or failed: this file is never confirmed again.
            self.discard_import_file(request.POST.get("import_file_name"))
        context = getattr(response, "context_data", None) or {}
        if context.get("errors"):  # the confirmation's own form was refused (altered or incomplete)
            messages.error(request, _("The confirmation was incomplete, nothing was written: check the file again."))
            return again
        return response

    def process_dataset(self, dataset: Dataset, form: forms.Form, request: HttpRequest, **kwargs: Any) -> Any:
        resource = self.choose_import_resource_class(form, request)(
            **self.get_import_resource_kwargs(request, form=form, **kwargs))
        return run_import(resource, dataset, user=request.user, file_name=form.cleaned_data["original_file_name"],
                          dry_run=False, mode=form.cleaned_data["mode"],
                          allow_duplicates=form.cleaned_data["allow_duplicates"], request=request)

    def process_result(self, report: ImportReport, request: HttpRequest) -> HttpResponse:  # type: ignore[override]
        if not report.written:
            context = {**self.admin_site.each_context(request), "title": _("Import"), "opts": self.model._meta,
                       "report": report, "refused": True}
            messages.error(request, report.summary())
            return TemplateResponse(request, [self.import_template_name], context)
        self.generate_log_entries(report.result, request)
        messages.success(request, report.summary())
        return HttpResponseRedirect(reverse("admin:{}_{}_changelist".format(*self.get_model_info()),
                                            current_app=self.admin_site.name))
