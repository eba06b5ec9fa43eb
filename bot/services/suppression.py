"""Small-cell suppression with complementary suppression, for anonymous reports.

Why: a count of 3 people from one village at one office can point at those people. Counts
under the threshold are hidden (*primary* suppression). Hiding them is not enough when a total
is shown: a hidden cell in a row whose total and other cells are shown is a subtraction away.
So more cells are hidden (*complementary* suppression) until no hidden value can be worked out
exactly from what is shown, by subtraction or by any combination of the published totals.

How: every published total is a linear equation ``sum(parts) - total = 0``. With the shown
values moved to the right-hand side, the hidden cells are the unknowns; a hidden cell's value
can be derived exactly if and only if its unit vector lies in the row space of the equations,
which the reduced row echelon form tells directly (its pivot row has no other entry). While
some hidden cell is derivable, a shown cell of an equation containing one is hidden too, and
the check runs again. Arithmetic is modulo a large
prime so the elimination is exact and fast; the coefficients are only +1 and -1.
One derivable cell is mended at a time (the complement hidden last, if it is derivable): among
the cheapest shown cells of its equations, the one that leaves the fewest derivable cells wins,
then the smallest value. From a lone small cell this closes the usual rectangle of four. Cells
linked by no total are suppressed as separate groups, which keeps each elimination small.

Zero counts are not hidden on their own (nobody is behind a zero), but may be hidden as
complements. What this does not promise: bounds. An attacker can still say a hidden cell lies
between 0 and a shown total; the threshold is what keeps that range from naming a person.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

_P = (1 << 61) - 1  # a Mersenne prime: exact elimination with Python's big integers
LOOKAHEAD = 8  # candidates tried per step, cheapest first (bounds the work on big tables)


@dataclass(frozen=True)
class Line:
    """A published total: ``sum(values[p] for p in parts) == values[total]``."""

    parts: tuple[Hashable, ...]
    total: Hashable
    # The parts are one group's answers to one question (ratings 1 to 5 of a procedure):
    # when all its non-zero parts are hidden, its zeros are hidden too, or `c,0,0,0,0`
    # would tell everyone what the hidden people answered.
    attribute: bool = False


def primary(values: Mapping[Hashable, int], min_count: int) -> set[Hashable]:
    """Counts from 1 to ``min_count - 1``."""
    return {cell for cell, value in values.items() if 0 < value < min_count}


def suppress(values: Mapping[Hashable, int], lines: Sequence[Line], min_count: int, *,
             known: Mapping[Hashable, int] | None = None, frozen: Iterable[Hashable] = (),
             private: Mapping[Hashable, int] | None = None) -> set[Hashable]:
    """The cells of ``values`` to hide: small ones, and enough others that none of them can
    be derived.

    Other cells may take part in the equations without being this report's to hide (see
    report_overlaps): ``known`` were published and shown (constants), ``frozen`` published
    and hidden (unknown, protected), ``private`` never published (unknown; protected when
    their true value is from 1 to ``min_count - 1``)."""
    known, private, frozen = known or {}, private or {}, set(frozen)
    everything = {**values, **known, **dict.fromkeys(frozen, 0), **private}
    hidden: set[Hashable] = set()
    for cells, group in _components(everything, lines):
        own = {c: values[c] for c in cells if c in values}
        start = primary(own, min_count) | {c for c in cells if c in frozen or c in private}
        free = {c for c in cells if c in private and not 0 < private[c] < min_count}
        hidden |= _suppress_group(own, group, min_count, start, free) & own.keys()
    return hidden


def _components(values: Mapping[Hashable, int], lines: Sequence[Line]
                ) -> list[tuple[list[Hashable], list[Line]]]:
    """Cells linked by totals, with their lines: each group is suppressed on its own (what is
    hidden in one cannot be worked out from another), which keeps the elimination small."""
    parent = {cell: cell for cell in values}

    def root(cell: Hashable) -> Hashable:
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for line in lines:
        first = root(line.total)
        for cell in line.parts:
            parent[root(cell)] = first
    groups: dict[Hashable, tuple[list[Hashable], list[Line]]] = {}
    for cell in values:
        groups.setdefault(root(cell), ([], []))[0].append(cell)
    for line in lines:
        groups[root(line.total)][1].append(line)
    return list(groups.values())


def telling_zeros(values: Mapping[Hashable, int], lines: Sequence[Line],
                  hidden: set[Hashable]) -> set[Hashable]:
    """Zeros that would give away hidden answers: the zero parts of an attribute line whose
    every non-zero part is hidden."""
    found: set[Hashable] = set()
    for line in lines:
        if not line.attribute:
            continue
        nonzero = [c for c in line.parts if values[c]]
        if nonzero and all(c in hidden for c in nonzero):
            found |= {c for c in line.parts if not values[c]}
    return found


def _suppress_group(values: Mapping[Hashable, int], lines: Sequence[Line], min_count: int,
                    start: set[Hashable], free: set[Hashable]) -> set[Hashable]:
    hidden = set(start)
    if not lines:
        return hidden
    while True:  # complements may hide a row's last shown non-zero: its zeros then go too
        hidden |= telling_zeros(values, lines, hidden)
        _complete(values, lines, hidden, free)
        if telling_zeros(values, lines, hidden) <= hidden:
            return hidden


def _complete(values: Mapping[Hashable, int], lines: Sequence[Line], hidden: set[Hashable],
              free: set[Hashable]) -> None:
    """Hide complements (cells of ``values``, into ``hidden``) until no hidden cell but the
    ``free`` ones is derivable."""
    order = {cell: i for i, cell in enumerate(values)}
    totals = {line.total for line in lines}
    derivable = derivable_cells(hidden, lines) - free
    last = None
    while derivable:
        # Mend one derivable cell at a time, the one hidden last first: following a path of
        # complements is what closes a cycle (a rectangle), which protects all of them.
        first = last if last in derivable else min(
            derivable, key=lambda c: (c not in order, order.get(c, 0), str(c)))
        candidates = _nearby(first, lines, hidden, values)
        if not candidates:
            return  # only cells already given out could help: nothing more to do here
        best = None
        cheapest = sorted(candidates, key=lambda c: (values[c] == 0, c in totals, values[c],
                                                     order[c]))[:LOOKAHEAD]
        for cell in cheapest:  # one step of look-ahead: what leaves the fewest derivable
            left = derivable_cells(hidden | {cell}, lines) - free
            key = (len(left), values[cell] == 0, cell in totals, values[cell], order[cell])
            if best is None or key < best[0]:
                best = (key, cell, left)
        assert best is not None
        last = best[1]
        hidden.add(last)
        derivable = best[2]


def _nearby(first: Hashable, lines: Sequence[Line], hidden: set[Hashable],
            values: Mapping[Hashable, int]) -> dict[Hashable, None]:
    """Shown cells of this report that could make ``first`` underivable: those of its own
    equations, else of the equations reached through other hidden cells (a count hidden in
    a released report, a span of days: the cell to hide may be a few equations away)."""
    seen, frontier, used = {first}, [first], set()
    while frontier:
        found: dict[Hashable, None] = {}
        following = []
        for cell in frontier:
            for index, line in enumerate(lines):
                members = (*line.parts, line.total)
                if index in used or cell not in members:
                    continue
                used.add(index)
                for other in members:
                    if other in values and other not in hidden:
                        found[other] = None
                    elif other in hidden and other not in seen:
                        seen.add(other)
                        following.append(other)
        if found:
            return found
        frontier = following
    return {}


def derivable_cells(hidden: Iterable[Hashable], lines: Sequence[Line]) -> set[Hashable]:
    """Hidden cells whose exact value follows from the shown cells and the totals."""
    unknowns = {cell: i for i, cell in enumerate(dict.fromkeys(hidden))}
    pivots: dict[int, dict[int, int]] = {}  # pivot column -> its row, in reduced form
    for line in lines:
        row: dict[int, int] = {}
        for cell in line.parts:
            col = unknowns.get(cell)
            if col is not None:
                row[col] = row.get(col, 0) + 1
        col = unknowns.get(line.total)
        if col is not None:
            row[col] = row.get(col, 0) - 1
        if not row:
            continue
        row = _reduce({c: v % _P for c, v in row.items() if v % _P}, pivots)
        if not row:
            continue
        col = min(row)
        inverse = pow(row[col], _P - 2, _P)
        row = {c: v * inverse % _P for c, v in row.items()}
        for other, other_row in pivots.items():
            if col in other_row:
                pivots[other] = _sub(other_row, row, other_row[col])
        pivots[col] = row
    cells = list(unknowns)
    return {cells[col] for col, row in pivots.items() if len(row) == 1}


def _reduce(row: dict[int, int], pivots: dict[int, dict[int, int]]) -> dict[int, int]:
    for col in [c for c in row if c in pivots]:
        if row.get(col):
            row = _sub(row, pivots[col], row[col])
    return row


def _sub(row: dict[int, int], pivot: dict[int, int], factor: int) -> dict[int, int]:
    out = dict(row)
    for col, value in pivot.items():
        out[col] = (out.get(col, 0) - factor * value) % _P
    return {c: v for c, v in out.items() if v}
