"""Characters that have no place in a record's text: control characters and display-spoofing marks.

Refused at input (`validate_text`, run on every CharField and TextField of the models that mix in
`SafeTextFields`: forms, the admin, imports and `load_baseline` all go through `full_clean()`), and
replaced in every export (`clean_text`) so that text stored before the rule cannot break a spreadsheet
(openpyxl refuses C0 characters) or reach a terminal as an escape sequence.

Refused:
- the C0 controls, DEL and the C1 controls (Unicode category Cc), except tab, line feed and carriage
  return in a multi-line text (notes);
- the bidirectional formatting characters (Unicode Bidi_Control: U+061C, U+200E, U+200F, U+202A-U+202E,
  U+2066-U+2069), which make a name display differently from what is stored and searched;
- invisible characters that make two different names look identical or split a line where none shows
  (U+200B, U+2060-U+2064, U+FEFF, U+2028, U+2029, U+FFF9-U+FFFB).

Letters of every script pass, Arabic included; so do the zero-width (non-)joiners U+200C and U+200D,
which Arabic-script and Indic spellings need.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_LINE_CONTROLS = "\t\n\r"
_SPOOFING = "\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u2028\u2029\ufeff\ufff9-\ufffb"

# One line (names, numbers, sources) and several lines (notes).
UNSAFE_IN_LINE = re.compile(f"[{_CONTROLS}{_LINE_CONTROLS}{_SPOOFING}]")
UNSAFE_IN_TEXT = re.compile(f"[{_CONTROLS}{_SPOOFING}]")

REPLACEMENT = "\ufffd"


def unsafe_characters(value: str, multiline: bool = False) -> list[str]:
    """The refused characters found in `value`, each once, in order of appearance."""
    pattern = UNSAFE_IN_TEXT if multiline else UNSAFE_IN_LINE
    return list(dict.fromkeys(pattern.findall(value)))


def validate_text(value: Any, multiline: bool = False) -> None:
    """Refuse control characters and display-spoofing marks, naming each by its code point."""
    if not isinstance(value, str):
        return
    found = unsafe_characters(value, multiline)
    if found:
        raise ValidationError(
            _("Remove the invisible or control characters from this text: %(characters)s."),
            code="unsafe_characters",
            params={"characters": ", ".join(f"U+{ord(c):04X}" for c in found)},
        )


def validate_line(value: Any) -> None:
    """`validate_text` for a one-line value (a form field's validator)."""
    validate_text(value, multiline=False)


def clean_text(value: str) -> str:
    """`value` with every refused character replaced by U+FFFD; tab and line breaks are kept (notes)."""
    return UNSAFE_IN_TEXT.sub(REPLACEMENT, value)


class SafeTextFields(models.Model):
    """Adds `validate_text` to every CharField and TextField of the model, in `clean_fields()`.

    Checked here rather than as field validators so that the rule reaches every text field of the models
    that mix this in, those added later included, without a migration per field.
    """

    class Meta:
        abstract = True

    def clean_fields(self, exclude: Any = None) -> None:
        errors: dict[str, list[ValidationError]] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        excluded = set(exclude or ())
        for field in self._meta.concrete_fields:
            if field.name in excluded or not isinstance(field, (models.CharField, models.TextField)):
                continue
            try:
                validate_text(getattr(self, field.attname), multiline=isinstance(field, models.TextField))
            except ValidationError as error:
                # Beside a format error (a case number's pattern), it says which character is the problem.
                errors.setdefault(field.name, []).extend(error.error_list)
        if errors:
            raise ValidationError(errors)
