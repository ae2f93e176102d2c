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
from oimsite.reporting import shared_export as report_module
from oimsite.reporting.suppression import (
    PRIMARY,
    SECONDARY,
    WITHHELD,
    CountTable,
    attacker_bounds,
    audit,
    displayed_rows,
    is_withheld,
    neutralise,
    suppress,
)
from returns.models import Returnee, ReturnStatus, Stage
from tests import helpers
from tests.helpers import in_english


def table(counts):
    return CountTable("t", [f"r{i}" for i in range(len(counts))], [f"c{j}" for j in range(len(counts[0]))], counts)


def test_single_small_cell_gets_a_complement_in_its_row_and_column():
    t = suppress(table([[3, 10, 20], [8, 9, 30]]), 5)
    assert t.hidden[(0, 0)] == PRIMARY
    assert audit(t, 5) == []
    rows = displayed_rows(t, 5, "Total")
    assert rows[1][1] == "≤5"
    assert 3 not in [c for row in rows[1:] for c in row[1:3]]


def test_row_with_only_zeros_besides_the_small_cell_hides_a_zero_or_the_total():
    t = suppress(table([[3, 0], [40, 50]]), 5)
    assert audit(t, 5) == []


def test_single_column_table_hides_enough_to_protect():
    t = suppress(table([[2], [30], [40]]), 5)
    assert audit(t, 5) == []
    assert (0, 0) in t.hidden


def test_nothing_hidden_when_no_small_cell():
    assert suppress(table([[0, 10], [6, 7]]), 5).hidden == {}


def test_threshold_is_configurable():
    t = suppress(table([[7, 100], [100, 100]]), 10)
    assert displayed_rows(t, 10, "Total")[1][1] == "≤10"


def _one_hidden_per_line_check(t):
    """The check the tests used before: no line hides exactly one value."""
    grid = t.grid
    n_rows, n_cols = len(grid), len(grid[0])
    rows = [sum((i, j) in t.hidden for j in range(n_cols)) for i in range(n_rows)]
    columns = [sum((i, j) in t.hidden for i in range(n_rows)) for j in range(n_cols)]
    return 1 not in rows + columns


def _assert_safe(t, threshold):
    """Nothing small is shown, and a reader can work out no hidden cell from the totals."""
    assert audit(t, threshold) == []
    grid = t.grid
    for i, row in enumerate(displayed_rows(t, threshold, "Total")[1:]):
        for j, cell in enumerate(row[1:]):
            if isinstance(cell, int):
                assert cell == grid[i][j]
                assert not 1 <= cell <= threshold
            else:
                assert (i, j) in t.hidden


def test_audit_flags_the_reviewers_counterexample_as_the_old_code_suppressed_it():
    # What the line-count rule published: a: ≤5 ≤5 10 | 12 and b: x x 10 | 30, column totals 11 11 20 | 42.
    t = table([[1, 1, 10], [10, 10, 10]])
    t.hidden = {(0, 0): PRIMARY, (0, 1): PRIMARY, (1, 0): SECONDARY, (1, 1): SECONDARY}
    assert _one_hidden_per_line_check(t)  # the old check passed it...
    # ...but the two "≤5" cells add up to 2, so both are 1, and the column totals then give the x's as 10.
    assert attacker_bounds(t, 5) == {(0, 0): (1, 1), (0, 1): (1, 1), (1, 0): (10, 10), (1, 1): (10, 10)}
    assert audit(t, 5) == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_reviewers_counterexample_is_safe_after_suppression():
    t = suppress(table([[1, 1, 10], [10, 10, 10]]), 5)
    _assert_safe(t, 5)
    assert t.hidden[(0, 0)] == t.hidden[(0, 1)] == PRIMARY
    bounds = attacker_bounds(t, 5)
    assert bounds[(0, 0)] == bounds[(0, 1)] == (1, 5)


@pytest.mark.parametrize(("counts", "pinned"), [
    ([[1, 1, 1, 20], [20, 20, 20, 20]], 1),  # the hidden cells of row 0 are all at their minimum
    ([[5, 5, 20], [20, 20, 20]], 5),  # ...all at their maximum (two "≤5" adding up to 10)
])
def test_audit_pins_a_row_of_small_cells_at_their_minimum_or_maximum(counts, pinned):
    t = table(counts)
    n = len(counts[0])
    t.hidden = {(0, j): PRIMARY for j in range(n - 1)} | {(1, j): SECONDARY for j in range(n - 1)}
    assert _one_hidden_per_line_check(t)
    assert attacker_bounds(t, 5)[(0, 0)] == (pinned, pinned)
    t = suppress(t, 5)
    _assert_safe(t, 5)
    assert not is_withheld(t)


def test_audit_knows_an_x_is_zero_or_above_the_threshold():
    # Row 0: ≤5, x | ≤5. The x is at most 4, so it is 0 (else it would be "≤5"): given away, zero or not.
    t = table([[3, 0], [40, 50]])
    t.hidden = {(0, 0): PRIMARY, (0, 1): SECONDARY, (0, 2): PRIMARY, (1, 0): SECONDARY, (1, 2): SECONDARY}
    assert attacker_bounds(t, 5)[(0, 1)] == (0, 0)
    # And an x that must be at least 1 is at least 6: in row 0 (≤5, x, 20 | 28) it is 3..7 by the total,
    # so 6 or 7, which leaves 1 or 2 for the "≤5" — narrowed, not given away.
    t = table([[2, 6, 20], [10, 10, 10]])
    t.hidden = {(0, 0): PRIMARY, (0, 1): SECONDARY, (1, 0): SECONDARY, (1, 1): SECONDARY}
    bounds = attacker_bounds(t, 5)
    assert bounds[(0, 1)] == (6, 7)
    assert bounds[(0, 0)] == (1, 2)
    assert audit(t, 5) == []


def test_probing_finds_what_propagation_alone_misses():
    # T=3. Every interval is 1..2 or 2..3 after propagation, yet only 3 fits cell (a, z): setting it to 2
    # makes the propagation fail. This is the pattern propagation alone let through.
    t = table([[1, 2, 3], [1, 0, 1], [0, 0, 3]])
    t.hidden = {cell: PRIMARY for cell in [(0, 0), (0, 1), (0, 2), (1, 0), (1, 2), (1, 3), (2, 2), (2, 3), (3, 0),
                                           (3, 1)]}
    assert audit(t, 3, probe=False) == []
    assert attacker_bounds(t, 3, probe=False)[(0, 2)] == (2, 3)
    assert (0, 2) in audit(t, 3)
    _assert_safe(suppress(table([[1, 2, 3], [1, 0, 1], [0, 0, 3]]), 3), 3)


def test_one_row_table():
    t = suppress(table([[2, 30, 40, 0]]), 5)
    _assert_safe(t, 5)
    assert (0, 0) in t.hidden and (1, 0) in t.hidden  # the totals row repeats the only row


def test_table_of_small_counts_hides_the_grand_total():
    # Every count and subtotal is ≤5; shown, the grand total 6 would pin both column totals at 3, so all 1.
    t = table([[1, 1], [1, 1], [1, 1]])
    t.hidden = {(i, j): PRIMARY for i in range(4) for j in range(3) if (i, j) != (3, 2)}
    assert audit(t, 5)
    t = suppress(table([[1, 1], [1, 1], [1, 1]]), 5)
    _assert_safe(t, 5)
    assert t.hidden[(3, 2)] == SECONDARY
    assert displayed_rows(t, 5, "Total")[4] == ["Total", "≤5", "≤5", "x"]


@pytest.mark.parametrize(("counts", "threshold"), [([[1, 1, 1, 1, 1]], 5), ([[1, 1], [1, 1]], 2)])
def test_table_given_away_by_its_labels_alone_is_withheld(counts, threshold):
    # Five "≤5" adding up to a "≤5": each is 1, whatever else is hidden.
    t = table(counts)
    n_rows, n_cols = len(t.grid), len(t.grid[0])
    t.hidden = {(i, j): PRIMARY if 1 <= t.grid[i][j] <= threshold else SECONDARY
                for i in range(n_rows) for j in range(n_cols)}
    assert audit(t, threshold)
    t = suppress(table(counts), threshold)
    assert is_withheld(t) and set(t.hidden.values()) == {WITHHELD}
    _assert_safe(t, threshold)
    assert {c for row in displayed_rows(t, threshold, "Total")[1:] for c in row[1:]} == {".."}


def test_column_of_zeros_stays_shown():
    t = suppress(table([[0, 3, 20], [0, 12, 30], [0, 9, 40]]), 5)
    _assert_safe(t, 5)
    assert not any(j == 0 for _i, j in t.hidden)


def test_suppression_is_deterministic():
    counts = [[1, 7, 0, 3], [12, 2, 9, 30], [0, 6, 1, 8]]
    assert suppress(table(counts), 5).hidden == suppress(table(counts), 5).hidden


small_or_zero = st.one_of(st.just(0), st.integers(1, 6), st.integers(0, 40))


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda n_cols: st.lists(st.lists(small_or_zero, min_size=n_cols, max_size=n_cols), min_size=1, max_size=6)
    ),
    st.integers(1, 10),
)
def test_suppression_properties(counts, threshold):
    t = suppress(table(counts), threshold)
    # Nothing small is shown, shown values are the true ones, and the audit gives nothing away.
    _assert_safe(t, threshold)
    # The audit is sound: what it infers always holds the true counts.
    grid = t.grid
    for (i, j), (low, high) in attacker_bounds(t, threshold).items():
        assert low <= grid[i][j] <= high
    assert is_withheld(t) == (WITHHELD in t.hidden.values()) == (set(t.hidden.values()) == {WITHHELD})


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
            stage=Stage.RETURNED,
            departure_date=date(2024, 6, 1),
        )


def _client(make_user, role):
    client = in_english(Client())
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
    from oimsite.lists.exports import export_done

    request = rf.get("/returns/?year=2024&_export=csv")
    request.user = make_user("exporter", DATA_OFFICER)
    export_done.send(sender=object, request=request, model=Returnee, export_format="csv", filters="year=2024",
                     row_count=12)
    event = AuditEvent.objects.get(kind=AuditEventKind.EXPORT)
    assert event.user == request.user
    assert event.detail == {"what": "returns.returnee", "format": "csv", "filters": "year=2024", "row_count": 12}


@pytest.mark.django_db
def test_shared_report_tables_add_up_to_the_dashboard_figures():
    from oimsite.reporting import indicators

    helpers.small_world(3)
    report = indicators.compute(2024)
    returns, moroccans, refugees = report_module.shared_tables(2024)
    assert sum(map(sum, returns.counts)) == report["avrr.returned"].value
    assert sum(map(sum, moroccans.counts)) == report["moroccans.returned"].value
    assert sum(map(sum, refugees.counts)) == report["resettlement.departed"].value
