"""The CSV that PostgreSQL writes itself (`copy_csv_select`, COPY … TO STDOUT WITH CSV) holds exactly the cells
that `database_rows` gives, on every list, with the shown columns and with all, in every language: labels,
dates, owners, cleaned text and quoted formulas. Elsewhere than on PostgreSQL there is no such path."""

import csv
import io

import pytest
from django.db import connection
from django.utils import translation

from oimsite.lists.exports import copy_csv, copy_csv_select, csv_cell, database_rows, export_columns
from tests import helpers

pytestmark = pytest.mark.django_db


def python_rows(table, columns) -> list[list[str]]:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([csv_cell(cell) for cell in row] for row in database_rows(table, columns))
    return list(csv.reader(io.StringIO(buffer.getvalue())))


def copied_rows(table, columns) -> tuple[list[list[str]], int]:
    done = []
    select = copy_csv_select(table, columns)
    assert select is not None
    text = b"".join(copy_csv(table.data.data.db, select, 1024, done.append)).decode("utf-8")
    return list(csv.reader(io.StringIO(text))), done[0]


@pytest.mark.parametrize("name", helpers.EXPORT_LISTS)
@pytest.mark.parametrize("columns", [False, True])
@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_the_database_writes_the_same_cells(superuser, name, columns, language):
    helpers.small_world(2)
    first = helpers.Returnee.objects.order_by("pk").first()
    first.assigned_to = superuser
    first.save()
    helpers.store_unchecked_text()
    with translation.override(language):
        table = helpers.export_table(name, superuser, columns)
        cols = export_columns(table, ())
        if connection.vendor != "postgresql":
            assert copy_csv_select(table, cols) is None
            return
        if database_rows(table, cols) is None or copy_csv_select(table, cols) is None:
            pytest.skip("this list's columns are computed in Python")
        expected = python_rows(table, cols)
        copied, count = copied_rows(table, cols)
    assert copied == expected
    assert count == len(expected) > 0


@pytest.mark.parametrize(("name", "all_columns"), [
    ("returns:returnee_list", False),  # the list the bench measures
    ("reintegration:session_list", False), ("reintegration:session_list", True),
    ("resettlement:file_list", False), ("resettlement:file_list", True),
    ("resettlement:refugee_list", False), ("resettlement:refugee_list", True),
])
def test_these_exports_are_written_by_the_database(superuser, name, all_columns):
    """Every column of these exports is one the database writes (the full returnee export's vulnerabilities,
    sorted by the language's collation, are Python's)."""
    helpers.small_world(1)
    table = helpers.export_table(name, superuser, all_columns)
    select = copy_csv_select(table, export_columns(table, ()))
    assert (select is not None) == (connection.vendor == "postgresql")
