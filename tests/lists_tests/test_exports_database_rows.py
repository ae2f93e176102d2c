"""The CSV export read straight from the database (`database_rows`) gives exactly the cells django-tables2's rows
give (`row_cells`), on every list, with the shown columns and with all, in every language."""

import pytest
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import translation

from oimsite.lists.exports import database_rows, export_columns, table_rows
from tests import helpers

pytestmark = pytest.mark.django_db

LISTS = ["returns:returnee_list", "reintegration:session_list", "resettlement:file_list",
         "resettlement:refugee_list", "reintegration:followup_list", "reintegration:plan_list"]


def table_of(name, superuser, columns):
    request = RequestFactory().get(reverse(name), {"_export": "csv", **({"_columns": "all"} if columns else {})})
    request.user = superuser
    view = resolve(reverse(name)).func.view_class()
    view.setup(request)
    view.export_format, view.export_all_columns = "csv", bool(columns)
    view.object_list = view.get_queryset()
    view.filterset = view.get_filterset(view.get_filterset_class())
    view.object_list = view.filterset.qs
    return view.get_table()


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("columns", [False, True])
@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_the_same_cells_as_the_tables(superuser, name, columns, language):
    helpers.small_world(2)
    owner = helpers.Returnee.objects.first()
    owner.assigned_to = superuser
    owner.notes = "=HYPERLINK(1)\u202e"
    owner.save()
    with translation.override(language):
        table = table_of(name, superuser, columns)
        cols = export_columns(table, ())
        fast = database_rows(table, cols)
        if fast is None:
            pytest.skip("this list's columns are exported through django-tables2's rows")
        slow = list(table_rows(table, cols, table.data.data))
        assert list(fast) == slow
