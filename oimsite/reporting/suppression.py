"""Small-cell suppression for tables of counts shared outside IOM, and spreadsheet-safe cells.

A table is rows by columns of counts with row, column and grand totals, all published. Counts from 1 to
the threshold T are hidden (primary suppression, shown as "≤T"), totals included. Zeros stay shown:
"nobody" is not personal data, and hiding every zero would blank most tables.

What a reader knows, and therefore what the audit assumes an attacker knows:

- every shown number is the true count, and every line (row or column) adds up to its total;
- a "≤T" cell is a count in [1, T] — zeros are shown, so it is never 0;
- an "x" cell (secondary suppression) is not in 1..T, since those would be "≤T": it is 0 or more than T;
- a withheld cell (whole table withheld, see below) could be anything from 0 up.

The audit (`attacker_bounds`, `audit`) does what such a reader can do with interval (bounds)
propagation: each hidden cell starts with the interval its label allows ([1, T] for "≤T"; [0, ∞) with
the hole 1..T removed for "x"), and for each line, with S the part of the equation "cells = total" not
explained by the shown values, a hidden cell can be no lower than S minus the highest possible values of
the other hidden cells of the line, and no higher than S minus their lowest (the total counts with the
opposite sign). An "x" cell that must be at least 1 is at least T+1, and one that can be at most T is 0.
This repeats to a fixed point. Then each bound is probed: the cell is set to it and the propagation run
again; if that fails, the value is impossible and the bound moves in (shaving). A hidden cell whose
interval ends as a single value is disclosed.

`suppress` starts from the primary cells and, while the audit finds a disclosed cell, hides one more
cell (secondary) in a line of a disclosed cell — the smallest shown non-zero cell first, then a zero,
and a total only when nothing else is left, taking the first in that order that leaves fewer disclosed
cells (else the first) — then audits again. Hiding a cell only weakens what the reader can infer, so
this ends, at the latest when every cell is hidden. If even a fully hidden table
still gives a count away (e.g. five "≤5" cells whose total is "≤5": each is 1), the whole table is
withheld (`WITHHELD`), and says nothing at all.

Limitations: propagation with probing is what a reader with a pencil and patience can do, and it finds
every cell given away by one line or by chains of lines, but it is not complete: an integer or
linear-programming attack over all the equations at once can in principle pin a cell it does not (an
exhaustive search over 2,600 random small tables found none left after probing, and 8 after
propagation alone). Nor does it protect a cell whose interval is narrow without being a single value
(e.g. "1 or 2"): there is no protection interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from oimsite.lists.exports import neutralise

__all__ = [
    "PRIMARY", "SECONDARY", "WITHHELD", "CountTable", "attacker_bounds", "audit", "is_withheld", "neutralise",
    "suppress",
]

PRIMARY = "primary"
SECONDARY = "secondary"
WITHHELD = "withheld"

Cell = tuple[int, int]


@dataclass
class CountTable:
    """Counts with labelled rows and columns; totals are computed, never entered."""

    title: str
    row_labels: list[str]
    column_labels: list[str]
    counts: list[list[int]]
    # (row, column) → PRIMARY, SECONDARY or WITHHELD; row index len(rows) is the totals row, likewise for columns.
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
    """Mark the cells to hide in `table` (in place, and returned) for the given threshold.

    Primary cells are the counts and totals from 1 to the threshold; secondary cells are added one at a
    time until `audit` finds no disclosed cell (see the module docstring). Deterministic: the same table
    always gives the same cells.
    """
    grid = table.grid
    n_rows, n_cols = len(grid), len(grid[0])
    # Counts and totals alike: a total that is itself 1..threshold reveals a small group.
    hidden: dict[Cell, str] = {
        (i, j): PRIMARY for i in range(n_rows) for j in range(n_cols) if 1 <= grid[i][j] <= threshold
    }
    table.hidden = hidden
    # The quick audit (propagation alone) steers the search; the full one (with probing) has the last word.
    while disclosed := audit(table, threshold, probe=False) or audit(table, threshold):
        cell = _next_to_hide(table, threshold, disclosed)
        if cell is None:
            # Every cell a disclosed one depends on is hidden already (so, the whole table, since the
            # totals link every line): the labels alone give a count away. Publish nothing of it.
            table.hidden = {(i, j): WITHHELD for i in range(n_rows) for j in range(n_cols)}
            break
        hidden[cell] = SECONDARY
    return table


def _lines(n_rows: int, n_cols: int) -> list[list[Cell]]:
    """Every row and column of the grid, each with its total last."""
    rows = [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    return rows + [[(i, j) for i in range(n_rows)] for j in range(n_cols)]


def _next_to_hide(table: CountTable, threshold: int, disclosed: list[Cell]) -> Cell | None:
    """The shown cell to hide next, None if no shown cell is linked to a disclosed one.

    The candidates are the shown cells of the lines of the disclosed cells or, if those lines are all
    hidden, of the lines of the hidden cells linked to them (chains of lines), in `_priority` order. The
    first candidate that leaves fewer disclosed cells is taken, else the first candidate: hiding the
    smallest cell is not always what breaks the chain (a hidden zero next to a "≤T" total, say, is known
    to be 0), and looking one step ahead avoids hiding cells that do not help.
    """
    grid = table.grid
    n_rows, n_cols = len(grid), len(grid[0])
    hidden = table.hidden
    seen_lines: set[tuple[str, int]] = set()
    seen_cells = set(disclosed)
    frontier = list(disclosed)
    while frontier:
        lines = []
        for i, j in frontier:
            for line in (("row", i), ("column", j)):
                if line not in seen_lines:
                    seen_lines.add(line)
                    lines.append(line)
        cells = [
            (line[1], k) if line[0] == "row" else (k, line[1])
            for line in lines
            for k in range(n_cols if line[0] == "row" else n_rows)
        ]
        candidates = sorted({cell for cell in cells if cell not in hidden},
                            key=lambda cell: _priority(cell, grid, n_rows, n_cols))
        if candidates:
            for cell in candidates:
                hidden[cell] = SECONDARY
                fewer = len(audit(table, threshold, probe=False)) < len(disclosed)
                del hidden[cell]
                if fewer:
                    return cell
            return candidates[0]
        frontier = [cell for cell in cells if cell not in seen_cells]
        seen_cells.update(frontier)
    return None


def _priority(cell: Cell, grid: list[list[int]], n_rows: int, n_cols: int) -> tuple[int, int, int, int]:
    i, j = cell
    is_total = i == n_rows - 1 or j == n_cols - 1
    value = grid[i][j]
    # Interior non-zero first (smallest loses least information), then interior zeros, then totals.
    return (1 if is_total else 0, 0 if value > 0 else 1, value, i * n_cols + j)


class _Infeasible(Exception):
    """No table agrees with the published cells and the bounds assumed."""


def _equations(table: CountTable) -> list[tuple[int, list[tuple[Cell, int]]]]:
    """Each line as "sum of its cells - its total = 0" (coefficient +1 for a cell, -1 for the total), with
    the shown cells folded into a constant: (constant, [(hidden cell, coefficient), ...])."""
    grid = table.grid
    equations = []
    for line in _lines(len(grid), len(grid[0])):
        terms = [(cell, -1 if k == len(line) - 1 else 1) for k, cell in enumerate(line)]
        unknown = [(cell, c) for cell, c in terms if cell in table.hidden]
        if unknown:
            known = sum(c * grid[i][j] for (i, j), c in terms if (i, j) not in table.hidden)
            equations.append((known, unknown))
    return equations


def _propagate(equations, lo: dict[Cell, float], hi: dict[Cell, float], secondary: set[Cell], threshold: int) -> None:
    """Tighten `lo` and `hi` in place to a fixed point; _Infeasible if some interval becomes empty."""
    changed = True
    while changed:
        changed = False
        for known, unknown in equations:
            # Σ c_j·x_j over the line's hidden cells lies in [low, high]; infinite parts are counted apart.
            low = high = 0
            low_inf = high_inf = 0
            for o, c_j in unknown:
                a, b = (lo[o], hi[o]) if c_j > 0 else (-hi[o], -lo[o])
                if a == -math.inf:
                    low_inf += 1
                else:
                    low += a
                if b == math.inf:
                    high_inf += 1
                else:
                    high += b
            for cell, c in unknown:
                # c·x = -known - Σ_{others} c_j·x_j: the others' sum is the line's minus this cell's part.
                a, b = (lo[cell], hi[cell]) if c > 0 else (-hi[cell], -lo[cell])
                others_low = -math.inf if low_inf - (a == -math.inf) else low - (0 if a == -math.inf else a)
                others_high = math.inf if high_inf - (b == math.inf) else high - (0 if b == math.inf else b)
                if c > 0:
                    new_lo, new_hi = -known - others_high, -known - others_low
                else:
                    new_lo, new_hi = known + others_low, known + others_high
                a, b = max(lo[cell], new_lo, 0), min(hi[cell], new_hi)
                if cell in secondary:  # "x": 0 or more than the threshold
                    if a >= 1:
                        a = max(a, threshold + 1)
                    if b <= threshold:
                        b = 0
                if a > b:
                    raise _Infeasible(cell)
                if (a, b) != (lo[cell], hi[cell]):
                    lo[cell], hi[cell] = a, b
                    changed = True


def attacker_bounds(table: CountTable, threshold: int, probe: bool = True) -> dict[Cell, tuple[int, float]]:
    """For each hidden cell, the (lowest, highest) value a reader can infer from the published table.

    Interval propagation to a fixed point over every row and column (totals included), from what the
    labels say (module docstring), then probing: a bound value that makes the propagation fail when the
    cell is set to it is impossible, so it is dropped and the propagation run again. The highest value is
    `math.inf` when nothing bounds it. Bounds are integers otherwise, and always hold the true count.
    """
    lo: dict[Cell, float] = {}
    hi: dict[Cell, float] = {}
    for cell, mark in table.hidden.items():
        lo[cell], hi[cell] = (1, threshold) if mark == PRIMARY else (0, math.inf)
    secondary = {cell for cell, mark in table.hidden.items() if mark == SECONDARY}
    equations = _equations(table)
    try:
        _propagate(equations, lo, hi, secondary, threshold)
        changed = probe
        while changed:
            changed = False
            for cell in sorted(lo):
                for end in (lo, hi):
                    while lo[cell] < hi[cell] and end[cell] != math.inf:
                        trial_lo, trial_hi = dict(lo), dict(hi)
                        trial_lo[cell] = trial_hi[cell] = end[cell]
                        try:
                            _propagate(equations, trial_lo, trial_hi, secondary, threshold)
                            break
                        except _Infeasible:
                            end[cell] += 1 if end is lo else -1  # the hole is restored by _propagate
                            _propagate(equations, lo, hi, secondary, threshold)
                            changed = True
    except _Infeasible as error:
        raise ValueError(f"The published table is inconsistent at {error.args[0]}.") from None
    return {cell: (int(lo[cell]), hi[cell] if hi[cell] == math.inf else int(hi[cell])) for cell in lo}


def audit(table: CountTable, threshold: int, probe: bool = True) -> list[Cell]:
    """The hidden cells a reader can work out exactly from the published table (sorted; [] if safe).

    `probe=False` skips the probing step of `attacker_bounds` (quicker, weaker: interval propagation only).
    """
    bounds = attacker_bounds(table, threshold, probe=probe)
    return sorted(cell for cell, (low, high) in bounds.items() if low == high)


def displayed_rows(
    table: CountTable, threshold: int, total_label: str, secondary_label: str = "x", withheld_label: str = ".."
) -> list[list[object]]:
    """Header, rows and totals row as they are published: hidden cells replaced by their label."""
    grid = table.grid
    labels_by_mark = {PRIMARY: small_label(threshold), SECONDARY: secondary_label, WITHHELD: withheld_label}
    header: list[object] = ["", *table.column_labels, total_label]
    out: list[list[object]] = [header]
    labels = [*table.row_labels, total_label]
    for i, row in enumerate(grid):
        cells: list[object] = [labels[i]]
        for j, value in enumerate(row):
            mark = table.hidden.get((i, j))
            cells.append(labels_by_mark[mark] if mark else value)
        out.append(cells)
    return out


def is_withheld(table: CountTable) -> bool:
    """True if `suppress` withheld the whole table (no count of it can be published)."""
    return WITHHELD in table.hidden.values()


def small_label(threshold: int) -> str:
    """"≤5" for threshold 5: it holds for every hidden count (1..5), which "<5" would not for a 5."""
    return f"≤{threshold}"


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
