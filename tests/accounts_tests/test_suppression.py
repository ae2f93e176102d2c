"""Small-cell suppression and the shared aggregate report."""

import csv
import io
from datetime import date

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import AuditEvent, AuditEventKind
from accounts.roles import ADMINISTRATOR, CASE_WORKER, DATA_OFFICER
from accounts.suppression import PRIMARY, CountTable, displayed_rows, has_recoverable_cell, neutralise, suppress
from returns.models import Returnee, ReturnStatus


def table(counts):
    return CountTable("t", [f"r{i}" for i in range(len(counts))], [f"c{j}" for j in range(len(counts[0]))], counts)


def test_single_small_cell_gets_a_complement_in_its_row_and_column():
    t = suppress(table([[3, 10, 20], [8, 9, 30]]), 5)
    assert t.hidden[(0, 0)] == PRIMARY
    assert not has_recoverable_cell(t)
    rows = displayed_rows(t, 5, "Total")
    assert rows[1][1] == "≤5"
    assert 3 not in [c for row in rows[1:] for c in row[1:3]]


def test_row_with_only_zeros_besides_the_small_cell_hides_a_zero_or_the_total():
    t = suppress(table([[3, 0], [40, 50]]), 5)
    assert not has_recoverable_cell(t)


def test_single_column_table_hides_enough_to_protect():
    t = suppress(table([[2], [30], [40]]), 5)
    assert not has_recoverable_cell(t)
    assert (0, 0) in t.hidden


def test_nothing_hidden_when_no_small_cell():
    assert suppress(table([[0, 10], [6, 7]]), 5).hidden == {}


def test_threshold_is_configurable():
    t = suppress(table([[7, 100], [100, 100]]), 10)
    assert displayed_rows(t, 10, "Total")[1][1] == "≤10"


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda n_cols: st.lists(st.lists(st.integers(0, 30), min_size=n_cols, max_size=n_cols), min_size=1, max_size=6)
    ),
    st.integers(1, 10),
)
def test_suppression_properties(counts, threshold):
    t = suppress(table(counts), threshold)
    grid = t.grid
    # No line of the table (totals included) hides exactly one value: nothing is recoverable by subtraction.
    assert not has_recoverable_cell(t)
    shown = displayed_rows(t, threshold, "Total")
    for i, row in enumerate(shown[1:]):
        for j, cell in enumerate(row[1:]):
            if isinstance(cell, int):
                assert cell == grid[i][j]  # shown values are the true ones
                assert not 1 <= cell <= threshold  # and never a small count
            else:
                assert (i, j) in t.hidden


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_formula_cells_are_neutralised(value):
    assert neutralise(value) == "'" + value


def test_plain_cells_and_numbers_pass():
    assert neutralise("Sénégal") == "Sénégal"
    assert neutralise(-3) == -3


@pytest.fixture
def returns_2024(db):
    people = [("SN", "F")] * 3 + [("SN", "M")] * 12 + [("ML", "F")] * 9 + [("ML", "M")] * 8
    for n, (country, sex) in enumerate(people):
        Returnee.objects.create(
            case_number=f"RVA-2024-{n:05d}", given_name="A", family_name="B", sex=sex, date_of_birth=date(1990, 1, 1),
            nationality=country, host_country="MA", return_country=country, status=ReturnStatus.DEPARTED,
            departure_date=date(2024, 6, 1),
        )


def _client(make_user, role):
    client = Client(headers={"accept-language": "en"})
    client.force_login(make_user("u", role))
    return client


def test_shared_report_csv_is_suppressed_and_logged(returns_2024, make_user):
    client = _client(make_user, DATA_OFFICER)
    response = client.get("/report/shared.csv?year=2024")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="oim-maroc-aggregate-2024.csv"'
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert "Small-cell suppression: counts from 1 to 5 are shown as ≤5" in rows[1][0]
    senegal = next(r for r in rows if r and r[0] == "Senegal")
    assert senegal[1] == "≤5" and senegal[2] == "x" and senegal[3] == "15"
    assert "3" not in [c for r in rows for c in r]
    event = AuditEvent.objects.get(kind=AuditEventKind.EXPORT)
    assert event.detail["what"] == "aggregate_report" and event.detail["filters"] == {"year": 2024}
    assert event.username == "u"


def test_shared_report_xlsx(returns_2024, make_user):
    from openpyxl import load_workbook

    response = _client(make_user, ADMINISTRATOR).get("/report/shared.xlsx?year=2024")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "≤5" in values and 3 not in values


@pytest.mark.parametrize(("url", "message"), [
    ("/report/shared.pdf?year=2024", "Unknown export format"),
    ("/report/shared.json?year=2024", "Unknown export format"),
    ("/report/shared.csv", "Give a year between"),
    ("/report/shared.csv?year=abc", "Give a year between"),
    ("/report/shared.csv?year=1989", "Give a year between"),
    ("/report/shared.csv?year=²", "Give a year between"),
    ("/report/shared.csv?year=99999", "Give a year between"),
])
def test_shared_report_bad_input_is_refused_and_not_logged(db, make_user, url, message):
    response = _client(make_user, DATA_OFFICER).get(url)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditEvent.objects.filter(kind=AuditEventKind.EXPORT).exists()


def test_shared_report_needs_its_permission(returns_2024, make_user):
    response = _client(make_user, CASE_WORKER).get("/report/shared.csv?year=2024")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(kind=AuditEventKind.EXPORT).exists()


def test_list_exports_are_logged_through_the_signal(db, make_user, rf):
    from oimsite.exports import export_done

    request = rf.get("/returns/?year=2024&_export=csv")
    request.user = make_user("exporter", DATA_OFFICER)
    export_done.send(sender=object, request=request, model=Returnee, export_format="csv", filters="year=2024",
                     row_count=12)
    event = AuditEvent.objects.get(kind=AuditEventKind.EXPORT)
    assert event.user == request.user
    assert event.detail == {"what": "returns.returnee", "format": "csv", "filters": "year=2024", "row_count": 12}
