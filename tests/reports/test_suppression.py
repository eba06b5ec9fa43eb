"""Small cells are hidden, and no hidden cell can be worked out from what is shown."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.suppression import Line, derivable_cells, primary, suppress


def grid(counts: list[list[int]]) -> tuple[dict, list[Line]]:
    """A table with row totals, column totals and a grand total, as cells and lines."""
    values: dict = {}
    lines: list[Line] = []
    rows, cols = len(counts), len(counts[0])
    for r in range(rows):
        for c in range(cols):
            values[(r, c)] = counts[r][c]
        values[(r, "T")] = sum(counts[r])
        lines.append(Line(tuple((r, c) for c in range(cols)), (r, "T")))
    for c in range(cols):
        values[("T", c)] = sum(counts[r][c] for r in range(rows))
        lines.append(Line(tuple((r, c) for r in range(rows)), ("T", c)))
    values[("T", "T")] = sum(map(sum, counts))
    lines.append(Line(tuple((r, "T") for r in range(rows)), ("T", "T")))
    lines.append(Line(tuple(("T", c) for c in range(cols)), ("T", "T")))
    return values, lines


def recoverable(values: dict, lines: list[Line], hidden: set) -> set:
    """Independent check with floating-point ranks: a hidden cell is recoverable when its unit
    vector lies in the row space of the published equations (numpy, not our elimination)."""
    unknowns = sorted(hidden, key=str)
    index = {cell: i for i, cell in enumerate(unknowns)}
    rows = []
    for line in lines:
        row = np.zeros(len(unknowns))
        for cell in line.parts:
            if cell in index:
                row[index[cell]] += 1
        if line.total in index:
            row[index[line.total]] -= 1
        rows.append(row)
    matrix = np.array(rows) if rows else np.zeros((0, len(unknowns)))
    rank = np.linalg.matrix_rank(matrix) if len(matrix) else 0
    found = set()
    for cell, i in index.items():
        unit = np.zeros(len(unknowns))
        unit[i] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.add(cell)
    return found


def test_a_lone_small_cell_in_a_row_with_a_total_forces_a_second_one() -> None:
    values, lines = grid([[3, 40, 50], [20, 30, 60]])
    assert primary(values, 10) == {(0, 0)}
    hidden = suppress(values, lines, 10)
    assert (0, 0) in hidden and len(hidden) >= 4  # a cycle: two rows, two columns
    # By subtraction: 93 - 40 - 50 would give the 3 back if only it were hidden.
    assert recoverable(values, lines, {(0, 0)}) == {(0, 0)}
    assert recoverable(values, lines, hidden) == set()


def test_the_smallest_complement_is_chosen() -> None:
    values, lines = grid([[4, 100, 12], [50, 60, 70], [55, 65, 75]])
    hidden = suppress(values, lines, 10)
    assert (0, 2) in hidden  # 12 is the cheapest partner of 4 in its row
    assert (0, 1) not in hidden


def test_a_small_total_is_hidden_and_nothing_else_needs_to_be() -> None:
    values, lines = grid([[2, 2], [30, 40]])
    hidden = suppress(values, lines, 5)
    assert {(0, 0), (0, 1), (0, "T")} <= hidden
    assert recoverable(values, lines, hidden) == set()


def test_our_elimination_agrees_with_numpy() -> None:
    values, lines = grid([[3, 40, 50], [20, 30, 60]])
    for hidden in [{(0, 0)}, {(0, 0), (0, 1)}, {(0, 0), (0, 1), (1, 0), (1, 1)},
                   {(0, 0), ("T", 0)}, {(0, "T"), ("T", "T")}]:
        assert derivable_cells(hidden, lines) == recoverable(values, lines, hidden)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 5).flatmap(lambda rows: st.integers(1, 5).flatmap(
    lambda cols: st.lists(st.lists(st.integers(0, 30), min_size=cols, max_size=cols),
                          min_size=rows, max_size=rows))), st.integers(5, 12))
def test_no_hidden_cell_is_ever_recoverable(counts: list[list[int]], min_count: int) -> None:
    values, lines = grid(counts)
    hidden = suppress(values, lines, min_count)
    assert primary(values, min_count) <= hidden
    assert recoverable(values, lines, hidden) == set()
