"""Reports for partners: where people get stuck, per procedure, with small cells hidden.

Pure queries plus aggregation (no Telegram): ``await build(db, flows, period, ...)`` returns a
:class:`Report` of tables, which ``report_formats`` writes as CSV (with a data dictionary),
JSON or HTML. Every count comes from SQL aggregates (``bot/storage/reports.py``); every count
under ``REPORT_MIN_COUNT`` is hidden, with complementary cells (``suppression``) so that no
hidden count follows from the totals shown. Nothing in a report names or quotes anyone.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from babel import Locale

from bot.engine import FlowSet
from bot.engine.model import Flow, Step, Text
from bot.engine.texts import interpolate
from bot.i18n import babel_locale
from bot.storage import reports as sql
from bot.storage.db import Reader, Tx
from bot.storage.reports import Period

from . import report_overlaps, report_targets
from .report_columns import BLOCKERS, CASE_RESULTS, FOLLOWUP_RESULTS
from .suppression import Line, suppress

ALL = "*"  # flow_id of a row that sums all procedures
NO_FLOW = "-"  # cases opened outside a procedure (/human from the menu)


DEFAULT_DAYS = 30  # a report without dates covers the last 30 days, today included


class ReportError(ValueError):
    """A report request that cannot be served; the message is one line a person can act on."""


def make_period(country: str | None = None, since: date | str | None = None,
                until: date | str | None = None, *, today: date | None = None) -> Period:
    """The period to report on, from what an admin typed (CLI or /report)."""
    try:
        until = date.fromisoformat(until) if isinstance(until, str) else until
        since = date.fromisoformat(since) if isinstance(since, str) else since
    except ValueError:
        raise ReportError("dates are written YYYY-MM-DD, e.g. 2026-11-01") from None
    until = until or today or datetime.now(UTC).date()
    since = since or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise ReportError(f"--since {since} is after --until {until}")
    code = (country or "").strip().upper() or None
    if code is not None and not (len(code) == 2 and code.isalpha()):
        raise ReportError(f"{country!r} is not an ISO country code such as KZ")
    return Period(code, since, until)


class Hidden:
    """A suppressed cell (``HIDDEN``): CSV shows ``c``, JSON ``null``, HTML a dash."""

    def __repr__(self) -> str:
        return "HIDDEN"


HIDDEN = Hidden()


@dataclass
class Table:
    name: str
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Report:
    period: Period
    lang: str
    min_count: int
    generated: str
    tables: dict[str, Table]
    published: dict[Hashable, int | None] = field(default_factory=dict)  # None: hidden

    def table(self, name: str) -> Table:
        return self.tables[name]


class _Cells:
    """Counts to publish, keyed by (table, row key, column), with the totals linking them."""

    def __init__(self) -> None:
        self.values: dict[Hashable, int] = {}
        self.lines: list[Line] = []

    def put(self, table: str, row: Hashable, column: str, value: int) -> tuple[Any, ...]:
        key = (table, row, column)
        self.values[key] = int(value)
        return key


def in_lang(text: Text, lang: str) -> str:
    """A flow's text in the report's language; when the flow lacks that language, its first
    language's text, marked with that language's code (``Туу тіркеу [kk]``), so a reader
    knows it is not a translation."""
    if lang in text.by_lang:
        return text.by_lang[lang]
    return f"{text.get(lang)} [{text.fallback}]"


def _title(flows: FlowSet, flow_id: str, lang: str) -> str:
    flow = flows.flows.get(flow_id)
    return in_lang(flow.title, lang) if flow else flow_id


def _pct(part: Any, whole: Any) -> Any:
    if part is HIDDEN or whole is HIDDEN:
        return HIDDEN
    return round(100 * part / whole, 1) if whole else None


async def build(db: Reader, flows: FlowSet, period: Period, *, lang: str = "en",
                min_count: int = 10, today: date | None = None) -> Report:
    """Query, aggregate and suppress: the whole report, ready to be written.

    Reports released before over overlapping days are taken into account (see
    ``report_overlaps``): a count hidden here cannot be had by subtracting two reports.
    Record the report once given out with :func:`release`."""
    cells, tables = await _collect(db, flows, period, lang, min_count)
    released = await sql.released_overlapping(db, period)
    extra = await report_overlaps.constraints(
        released, period, cells.values,
        lambda part: _counts_of(db, flows, part, lang, min_count))
    hidden = suppress(cells.values, cells.lines + extra.lines, min_count, known=extra.known,
                      frozen=extra.frozen, private=extra.private)
    for table in tables.values():
        for row in table.rows:
            keys = row.pop("_keys", {})
            for column, key in keys.items():
                row[column] = HIDDEN if key in hidden else cells.values[key]
            for column, (part, whole) in row.pop("_pct", {}).items():
                row[column] = _pct(row[part], row[whole])
    for row in tables["procedures"].rows:
        row["left_most_at"] = _left_most(tables["steps"], row["flow_id"])
    tables["targets"] = Table("targets", list(report_targets.COLUMNS),
                              await report_targets.rows(db, period, min_count, HIDDEN))
    generated = (today or datetime.now(UTC).date()).isoformat()
    published = {key: None if key in hidden else value for key, value in cells.values.items()}
    return Report(period, lang, min_count, generated, tables, published)


async def release(tx: Tx, report: Report) -> None:
    """Remember what a report gave out (counts only, no text), for the reports after it."""
    await sql.add_release(tx, report.period, report.min_count, {
        report_overlaps.key_text(key): value for key, value in report.published.items()})


async def _counts_of(db: Reader, flows: FlowSet, period: Period, lang: str, min_count: int
                     ) -> dict[Hashable, int]:
    cells, _tables = await _collect(db, flows, period, lang, min_count)
    return cells.values


async def _collect(db: Reader, flows: FlowSet, period: Period, lang: str, min_count: int
                   ) -> tuple[_Cells, dict[str, Table]]:
    """Every count of the report and the totals linking them, before suppression."""
    journey = await sql.journey_counts(db, period)
    languages = await sql.started_by_language(db, period)
    cases = {r["flow_id"] or NO_FLOW: r for r in await sql.case_figures(db, period)}
    outcomes = await sql.outcome_counts(db, period)
    blockers = await sql.blocker_counts(db, period)

    counts: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    by_lang: Counter[tuple[str, str]] = Counter()
    answer_kinds: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for r in languages:
        by_lang[(r["flow_id"], r["lang"])] += r["n"]
    for r in journey:
        counts[r["kind"]][(r["flow_id"], r["step_id"])] += r["n"]
        if r["kind"] == "answered":
            answer_kinds[(r["flow_id"], r["step_id"])][r["detail"]] += r["n"]
    seen = {flow_id for kind in counts.values() for flow_id, _ in kind} | set(cases)
    wanted = [f.id for f in flows.flows.values()
              if period.country is None or f.country == period.country]
    flow_ids = sorted(set(wanted) | seen, key=lambda f: (f == NO_FLOW, _title(flows, f, lang)))

    cells = _Cells()
    tables = {name: Table(name, columns) for name, columns in _COLUMNS.items()}
    for flow_id in flow_ids:
        _journey_rows(cells, tables, flows, flow_id, lang, counts, by_lang, answer_kinds,
                      cases.get(flow_id), min_count)
    _grid(cells, tables["case_outcomes"], flows, lang, "case", CASE_RESULTS,
          [(r["flow_id"] or NO_FLOW, r["result"], r["n"]) for r in outcomes
           if r["source"] == "case"])
    _grid(cells, tables["followup_outcomes"], flows, lang, "followup", FOLLOWUP_RESULTS,
          [(r["flow_id"] or NO_FLOW, r["result"], r["n"]) for r in outcomes
           if r["source"] == "followup"])
    _grid(cells, tables["ratings"], flows, lang, "ratings", ("r1", "r2", "r3", "r4", "r5"),
          [(flow_id, f"r{i}", r[f"r{i}"]) for flow_id, r in cases.items() for i in range(1, 6)
           if r[f"r{i}"]])
    _blockers(cells, tables["blockers"], flows, lang, blockers)
    return cells, tables


_COLUMNS: dict[str, list[str]] = {
    "procedures": ["country", "flow_id", "procedure", "started", "completed", "completion_pct",
                   "abandoned", "left_most_at", "escalated", "escalation_pct", "cases",
                   "answered_cases", "first_answer_median_min", "first_answer_p90_min"],
    "steps": ["flow_id", "procedure", "position", "step_id", "step", "kind", "answer_kind",
              "reached", "answered", "invalid", "back", "abandoned", "escalated"],
    "languages": ["flow_id", "procedure", "lang", "language", "started"],
    "case_outcomes": ["flow_id", "procedure", *CASE_RESULTS, "total"],
    "followup_outcomes": ["flow_id", "procedure", *FOLLOWUP_RESULTS, "total"],
    "blockers": ["flow_id", "procedure", "office_id", "office", *BLOCKERS, "total"],
    "ratings": ["flow_id", "procedure", "r1", "r2", "r3", "r4", "r5", "total"],
}


def _journey_rows(cells: _Cells, tables: dict[str, Table], flows: FlowSet, flow_id: str,
                  lang: str, counts: dict[str, Counter[tuple[str, str]]],
                  by_lang: Counter[tuple[str, str]],
                  answer_kinds: dict[tuple[str, str], Counter[str]], case_row: Any,
                  min_count: int) -> None:
    flow = flows.flows.get(flow_id)
    title = _title(flows, flow_id, lang)
    step_ids = list(flow.steps) if flow else []
    step_ids += sorted({s for kind in counts.values() for f, s in kind if f == flow_id}
                       - set(step_ids))
    p = ("procedures", flow_id)
    started = cells.put(*p, "started", sum(n for (f, _), n in counts["started"].items()
                                           if f == flow_id))
    completed = cells.put(*p, "completed", sum(n for (f, _), n in counts["completed"].items()
                                               if f == flow_id))
    step_keys: dict[str, list[Any]] = {"abandoned": [], "escalated": []}
    reached_keys: dict[str, Any] = {}
    left_keys: dict[str, Any] = {}
    for position, step_id in enumerate(step_ids, start=1):
        step = flow.steps.get(step_id) if flow else None
        at = (flow_id, step_id)
        left = max(0, counts["abandoned"][at] - counts["returned"][at])
        keys = {c: cells.put("steps", at, c, v) for c, v in (
            ("reached", counts["reached"][at]), ("answered", counts["answered"][at]),
            ("invalid", counts["invalid"][at]), ("back", counts["back"][at]),
            ("abandoned", left), ("escalated", counts["escalated"][at]))}
        step_keys["abandoned"].append(keys["abandoned"])
        reached_keys[step_id], left_keys[step_id] = keys["reached"], keys["abandoned"]
        step_keys["escalated"].append(keys["escalated"])
        if flow and step_id == flow.start:
            cells.lines.append(Line((keys["reached"],), started))
        kinds = answer_kinds.get(at)
        tables["steps"].rows.append({
            "flow_id": flow_id, "procedure": title, "position": position, "step_id": step_id,
            "step": step_name(step, lang) if step else step_id,
            "kind": step.kind if step else "", "_keys": keys,
            "answer_kind": kinds.most_common(1)[0][0] if kinds else ""})
    if flow:
        cells.lines += structure_lines(flow, reached_keys, left_keys)
    totals = {}
    for column, parts in step_keys.items():
        totals[column] = cells.put(*p, column, sum(cells.values[k] for k in parts))
        cells.lines.append(Line(tuple(parts), totals[column]))
    lang_keys = []
    for (f, code), n in sorted(by_lang.items()):
        if f == flow_id:
            key = cells.put("languages", (flow_id, code), "started", n)
            lang_keys.append(key)
            tables["languages"].rows.append({
                "flow_id": flow_id, "procedure": title, "lang": code,
                "language": _language(code, lang), "_keys": {"started": key}})
    if lang_keys:
        cells.lines.append(Line(tuple(lang_keys), started))
    n_cases = case_row["cases"] if case_row else 0
    n_answered = case_row["answered"] if case_row else 0
    row: dict[str, Any] = {
        "country": flow.country if flow else "", "flow_id": flow_id, "procedure": title,
        "left_most_at": "", "_keys": {
            "started": started, "completed": completed, **totals,
            "cases": cells.put(*p, "cases", n_cases),
            "answered_cases": cells.put(*p, "answered_cases", n_answered)},
        "_pct": {"completion_pct": ("completed", "started"),
                 "escalation_pct": ("escalated", "started")}}
    enough = n_answered >= min_count  # a median of a few cases says too much about each
    for column, figure in (("first_answer_median_min", "median"), ("first_answer_p90_min", "p90")):
        row[column] = (round(case_row[figure] / 60, 1) if enough
                       else HIDDEN if n_answered else None)
    tables["procedures"].rows.append(row)


def step_name(step: Step, lang: str, limit: int = 40) -> str:
    """What people see of a step, in the report's language: its label, else the start of its
    text, its office or its note (one line, shortened); a step that shows nothing (a branch)
    keeps its id."""
    if step.label:
        return in_lang(step.label, lang)
    shown = step.text or (step.office.name if step.office else None) or step.note
    if shown is None:
        return step.id
    text = " ".join(interpolate(shown.get(lang), {}).split())
    text = text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
    return text if lang in shown.by_lang else f"{text} [{shown.fallback}]"


def structure_lines(flow: Flow, reached: dict[str, Any], left: dict[str, Any]) -> list[Line]:
    """The flow's own arithmetic, published as totals for the suppression: what reaches a
    step is what left the steps before it. For a step whose next steps have no other way in,
    ``reached(step) = left(step) + sum(reached(next))`` (a choice with options "60+",
    "pregnancy", "child": 11 reached it, 0 and 8 the first two, so 3 the third). Real runs
    only approximately follow it (going back, asking a human), which is why it is assumed
    exact: an outsider would assume it too, and suppression must hold against that.
    """
    before: dict[str, set[str]] = defaultdict(set)
    for step in flow.steps.values():
        for nxt in step.successors():
            if nxt in flow.steps and nxt != step.id:
                before[nxt].add(step.id)
    lines = []
    for step in flow.steps.values():
        after = sorted({n for n in step.successors() if n in flow.steps and n != step.id})
        if not after or step.id not in reached or any(
                before[n] != {step.id} or n == flow.start or n not in reached for n in after):
            continue
        lines.append(Line((*(reached[n] for n in after), left[step.id]), reached[step.id]))
    return lines


def _left_most(steps: Table, flow_id: str) -> str:
    """The step (by what people see of it) where most people left."""
    shown = [(r["abandoned"], -r["position"], r["step"]) for r in steps.rows
             if r["flow_id"] == flow_id and r["abandoned"] is not HIDDEN and r["abandoned"]]
    return max(shown)[2] if shown else ""


def _grid(cells: _Cells, table: Table, flows: FlowSet, lang: str, name: str,
          columns: tuple[str, ...], data: list[tuple[str, str, int]],
          extra: dict[str, dict[str, Any]] | None = None) -> None:
    """A table of rows by columns with row totals, column totals and a grand total."""
    grid: dict[str, Counter[str]] = defaultdict(Counter)
    for row_key, column, n in data:
        grid[row_key][column] += n
    if not grid:
        return
    columns = (*columns, *sorted({c for r in grid.values() for c in r} - set(columns)))
    for column in columns:
        if column not in table.columns:
            table.columns.insert(table.columns.index("total"), column)
    order = sorted(grid, key=lambda k: (k.split("\t")[0] == NO_FLOW, k))
    column_parts: dict[str, list[Any]] = defaultdict(list)
    total_parts = []
    for row_key in order:
        keys = {c: cells.put(name, row_key, c, grid[row_key][c]) for c in columns}
        keys["total"] = cells.put(name, row_key, "total", sum(grid[row_key].values()))
        cells.lines.append(Line(tuple(keys[c] for c in columns), keys["total"],
                                attribute=True))
        for c in columns:
            column_parts[c].append(keys[c])
        total_parts.append(keys["total"])
        flow_id = row_key.split("\t")[0]
        table.rows.append({"flow_id": flow_id, "procedure": _title(flows, flow_id, lang),
                           **(extra or {}).get(row_key, {}), "_keys": keys})
    all_keys = {c: cells.put(name, ALL, c, sum(cells.values[k] for k in column_parts[c]))
                for c in columns}
    all_keys["total"] = cells.put(name, ALL, "total", sum(cells.values[k] for k in total_parts))
    for c in columns:
        cells.lines.append(Line(tuple(column_parts[c]), all_keys[c]))
    cells.lines.append(Line(tuple(total_parts), all_keys["total"]))
    cells.lines.append(Line(tuple(all_keys[c] for c in columns), all_keys["total"],
                            attribute=True))
    table.rows.append({"flow_id": ALL, "procedure": "", **(extra or {}).get(ALL, {}),
                       "_keys": all_keys})


def _blockers(cells: _Cells, table: Table, flows: FlowSet, lang: str, rows: list[Any]) -> None:
    data, extra = [], {}
    for r in rows:
        flow_id, office_id = r["flow_id"] or NO_FLOW, r["office_id"] or ""
        key = f"{flow_id}\t{office_id}"
        data.append((key, str(r["blocker"]), r["n"]))
        extra[key] = {"office_id": office_id, "office": _office(flows, flow_id, office_id, lang)}
    extra[ALL] = {"office_id": "", "office": ""}
    _grid(cells, table, flows, lang, "blockers", tuple(BLOCKERS), data, extra)


def _office(flows: FlowSet, flow_id: str, office_id: str, lang: str) -> str:
    flow = flows.flows.get(flow_id)
    country = flows.countries.get(flow.country) if flow else None
    office = country.offices.get(office_id) if country else None
    return in_lang(office.name, lang) if office else office_id


def _language(code: str, lang: str) -> str:
    try:
        return Locale.parse(code).get_display_name(babel_locale(lang)) or code
    except (ValueError, TypeError):
        return code
