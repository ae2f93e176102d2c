"""Small-cell suppression for tables of counts shared outside IOM, and spreadsheet-safe cells.

A table is rows by columns of counts with row, column and grand totals, all published. Counts from 1 to
the threshold are hidden (primary suppression). Since the totals are shown, a line (row or column,
totals included) with exactly one hidden value would give it away by subtraction; so another value of
that line is hidden too (secondary suppression), the smallest non-zero cell first, then a zero cell,
and a total only when nothing else is left. This repeats until every line hides zero or at least two
values. Zeros stay shown: "nobody" is not personal data, and hiding every zero would blank most tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

PRIMARY = "primary"
SECONDARY = "secondary"

# Spreadsheets run a cell starting with these as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Make a text cell inert in Excel/LibreOffice by prefixing a quote; numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass
class CountTable:
    """Counts with labelled rows and columns; totals are computed, never entered."""

    title: str
    row_labels: list[str]
    column_labels: list[str]
    counts: list[list[int]]
    # (row, column) → PRIMARY or SECONDARY; row index len(rows) is the totals row, likewise for columns.
    hidden: dict[tuple[int, int], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.counts) != len(self.row_labels) or any(len(r) != len(self.column_labels) for r in self.counts):
            raise ValueError("The counts do not match the row and column labels.")
        if any(c < 0 for r in self.counts for c in r):
            raise ValueError("Counts cannot be negative.")

    @property
    def grid(self) -> list[list[int]]:
        """The counts with a totals column and a totals row appended (the grand total in the corner)."""
        rows = [[*r, sum(r)] for r in self.counts]
        totals = [sum(col) for col in zip(*rows, strict=True)] if rows else [0] * (len(self.column_labels) + 1)
        return [*rows, totals]


def suppress(table: CountTable, threshold: int) -> CountTable:
    """Mark the cells to hide in `table` (in place, and returned) for the given threshold."""
    grid = table.grid
    n_rows, n_cols = len(grid), len(grid[0])
    hidden: dict[tuple[int, int], str] = {}
    for i in range(n_rows - 1):
        for j in range(n_cols - 1):
            if 1 <= grid[i][j] <= threshold:
                hidden[(i, j)] = PRIMARY
    # A total that is itself 1..threshold reveals a small group (e.g. one row with a single person).
    for i in range(n_rows):
        for j in range(n_cols):
            if (i == n_rows - 1 or j == n_cols - 1) and 1 <= grid[i][j] <= threshold:
                hidden[(i, j)] = PRIMARY

    lines = [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(cell in hidden for cell in line) != 1:
                continue
            candidates = [cell for cell in line if cell not in hidden]
            hidden[min(candidates, key=lambda cell: _priority(cell, grid, n_rows, n_cols))] = SECONDARY
            changed = True
    table.hidden = hidden
    return table


def _priority(cell: tuple[int, int], grid: list[list[int]], n_rows: int, n_cols: int) -> tuple[int, int, int, int]:
    i, j = cell
    is_total = i == n_rows - 1 or j == n_cols - 1
    value = grid[i][j]
    # Interior non-zero first (smallest loses least information), then interior zeros, then totals.
    return (1 if is_total else 0, 0 if value > 0 else 1, value, i * n_cols + j)


def displayed_rows(
    table: CountTable, threshold: int, total_label: str, secondary_label: str = "x"
) -> list[list[object]]:
    """Header, rows and totals row as they are published: hidden cells replaced by their label."""
    grid = table.grid
    small = small_label(threshold)
    header: list[object] = ["", *table.column_labels, total_label]
    out: list[list[object]] = [header]
    labels = [*table.row_labels, total_label]
    for i, row in enumerate(grid):
        cells: list[object] = [labels[i]]
        for j, value in enumerate(row):
            mark = table.hidden.get((i, j))
            cells.append(small if mark == PRIMARY else secondary_label if mark == SECONDARY else value)
        out.append(cells)
    return out


def small_label(threshold: int) -> str:
    """"≤5" for threshold 5: it holds for every hidden count (1..5), which "<5" would not for a 5."""
    return f"≤{threshold}"


def has_recoverable_cell(table: CountTable) -> bool:
    """True if some line hides exactly one value (which the totals would then reveal)."""
    grid = table.grid
    n_rows, n_cols = len(grid), len(grid[0])
    for i in range(n_rows):
        if sum((i, j) in table.hidden for j in range(n_cols)) == 1:
            return True
    return any(sum((i, j) in table.hidden for i in range(n_rows)) == 1 for j in range(n_cols))


def counts_from(
    pairs: Sequence[tuple[str, str, int]], row_labels: list[str], column_labels: list[str]
) -> list[list[int]]:
    """Counts from (row label, column label, count) triples such as the rows of a GROUP BY."""
    index_r = {label: k for k, label in enumerate(row_labels)}
    index_c = {label: k for k, label in enumerate(column_labels)}
    counts = [[0] * len(column_labels) for _ in row_labels]
    for r, c, n in pairs:
        counts[index_r[r]][index_c[c]] += n
    return counts
