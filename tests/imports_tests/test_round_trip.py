"""Export a list, edit it in a spreadsheet, import it back: the right records are updated and none is created."""

import csv
import io

import pytest
from django.urls import reverse

from oimsite.lists.imports import read_table, run_import
from returns.models import Returnee
from returns.resources import ReturneeResource
from tests import helpers

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("columns", ["shown", "all"])
def test_export_edit_import_updates_and_creates_nothing(admin_client_logged, superuser, columns):
    helpers.small_world(2)
    target = Returnee.objects.filter(departure_date__isnull=False).order_by("case_number").first()
    target.assigned_to = superuser
    target.save()
    count = Returnee.objects.count()
    response = admin_client_logged.get(reverse("returns:returnee_list"), {"_export": "csv", "_columns": columns})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))
    header = rows[0]
    number, given = header.index("Numéro de dossier"), header.index("Prénom")
    for row in rows[1:]:
        if row[number] == target.case_number:
            row[given] = "Aminata"
    # Saved again by a spreadsheet: semicolons, Windows-1252.
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    content = buffer.getvalue().encode("cp1252", errors="replace")
    report = run_import(ReturneeResource(), read_table(content), user=superuser, file_name="export.csv",
                        dry_run=False)
    assert not report.problems, report.problems
    assert report.written, [row for row in report.rows if row.problems]
    assert report.counts["new"] == 0 and report.counts["update"] == 1
    assert report.counts["skip"] == count - 1
    assert Returnee.objects.count() == count
    assert Returnee.objects.get(pk=target.pk).given_name == "Aminata"

