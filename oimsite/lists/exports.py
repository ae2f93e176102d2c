"""Hooks shared by every export of personal data."""

from typing import Any

from django.dispatch import Signal

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
# filters (the query string without the export parameter) and row_count. The audit log listens to it.
export_done = Signal()
