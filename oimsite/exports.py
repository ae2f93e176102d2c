"""Hooks shared by every export of personal data."""

from django.dispatch import Signal

# Sent after a list has been exported: sender is the view class; kwargs request, model, export_format,
# filters (the query string without the export parameter) and row_count. The audit log listens to it.
export_done = Signal()
