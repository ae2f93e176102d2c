"""Hooks shared by every export of personal data."""

from typing import Any

from django.dispatch import Signal

# Spreadsheets run a cell starting with these as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Make a text cell inert in Excel/LibreOffice by prefixing a quote; numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# Sent after a list has been exported: sender is the view class; kwargs request, model, export_format,
# filters (the query string without the export parameter) and row_count. The audit log listens to it.
export_done = Signal()
