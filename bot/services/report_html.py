"""The HTML report: one self-contained file, readable on a phone, in the reader's language.

Charts are inline SVG drawn by ``report_svg`` (no external files, no scripts); tables scroll
sideways inside their own box on a narrow screen with their first column (the procedure, the
step) kept in view, and the key figures come right after it; right-to-left languages get
``dir="rtl"``. This module depends on ``report_columns``, ``report_svg`` and ``reports`` only
(the PNG chart for Telegram is ``report_charts.main_chart``).
"""

from __future__ import annotations

import html
from typing import Any

from bot.i18n import RTL_LANGUAGES, format_day, gettext_for, territory_name

from . import report_svg as svg
from .report_columns import BLOCKERS, TABLES, label, meaning, rule
from .reports import ALL, HIDDEN, Report, Table

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;
margin:0 auto;max-width:960px;padding:12px;color:#222}
h1{font-size:1.4em}h2{font-size:1.2em;margin-top:1.6em}h3{font-size:1.05em}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.5em 0 1em}
table{border-collapse:collapse;font-size:.85em;min-width:100%}
th,td{border:1px solid #ddd;padding:4px 6px;text-align:start;white-space:nowrap}
th:first-child,td:first-child{position:sticky;inset-inline-start:0;background:#fff;
white-space:normal;min-width:8em;max-width:14em}
td.n{text-align:end;font-variant-numeric:tabular-nums}th{background:#f3f6fa}
th:first-child{background:#f3f6fa}
figure.chart{margin:.8em 0 1.2em;max-width:600px}figure.chart svg{display:block;height:auto}
figcaption{font-weight:600;margin-bottom:.3em}.note{color:#555;font-size:.9em}
"""
# The columns a reader looks at first, in this order; the rest (ids) follow.
KEY_COLUMNS = {
    "procedures": ["procedure", "started", "completed", "completion_pct", "abandoned",
                   "left_most_at", "escalated", "escalation_pct", "cases", "answered_cases",
                   "first_answer_median_min", "first_answer_p90_min"],
    "steps": ["step", "reached", "answered", "abandoned", "escalated", "invalid", "back",
              "answer_kind"],
    "languages": ["procedure", "language", "started"],
    "targets": ["country", "month", "first_met", "first_missed", "next_met", "next_missed"],
}
SILENT_KINDS = ("branch", "compute", "flow")  # steps that show people nothing


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _value(value: Any) -> str:
    if value is HIDDEN:
        return "c"
    return "" if value is None else _e(value)


def ordered(table: Table, drop: tuple[str, ...] = ()) -> list[str]:
    """Key columns first (a phone shows them without scrolling), ids last."""
    first = [c for c in KEY_COLUMNS.get(table.name, ["procedure", "office"]) if c in
             table.columns and c not in drop]
    return first + [c for c in table.columns if c not in first and c not in drop]


def table_html(table: Table, lang: str, columns: list[str] | None = None) -> str:
    _ = gettext_for(lang)
    columns = columns or ordered(table)
    head = "".join(f'<th title="{_e(_(meaning(c)))}">{_e(_(label(c)))}</th>' for c in columns)
    body = []
    for row in table.rows:
        cells = "".join(
            f'<td class="n">{_value(row.get(c))}</td>' if isinstance(row.get(c), int | float)
            or row.get(c) is HIDDEN else f"<td>{_value(row.get(c))}</td>" for c in columns)
        body.append(f"<tr>{cells}</tr>")
    return (f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def _count(value: Any) -> int | None:
    return None if value is HIDDEN else int(value or 0)


def main_chart(report: Report) -> str:
    """Started and completed runs per procedure used in the period."""
    _ = gettext_for(report.lang)
    rows = [r for r in report.table("procedures").rows if r["started"] is HIDDEN
            or (r["started"] or 0) > 0]
    items = [svg.Bars(r["procedure"], (_count(r["started"]), _count(r["completed"])))
             for r in rows]
    return svg.bar_chart(_("Started and completed, per procedure"), items,
                         series=(_("Started"), _("Completed")), rtl=_rtl(report),
                         hidden_note=rule(report.lang, report.min_count))


def funnel(report: Report, flow_id: str) -> str:
    """How many reached each step people see, in the flow's order, by the step's label."""
    _ = gettext_for(report.lang)
    steps = [r for r in report.table("steps").rows if r["flow_id"] == flow_id
             and r["kind"] and r["kind"] not in SILENT_KINDS]  # "": a step no longer there
    items = [svg.Bars(r["step"], (_count(r["reached"]),)) for r in steps]
    return svg.bar_chart(_("Reached"), items, rtl=_rtl(report),
                         hidden_note=rule(report.lang, report.min_count))


def blockers_chart(report: Report) -> str:
    _ = gettext_for(report.lang)
    table = report.table("blockers")
    everyone = next((r for r in table.rows if r["flow_id"] == ALL), None)
    if everyone is None:
        return ""
    ids = [c for c in table.columns if c in BLOCKERS or (
        c not in ("flow_id", "procedure", "office_id", "office", "total"))]
    items = [svg.Bars(_(label(c)), (_count(everyone[c]),)) for c in ids]
    return svg.bar_chart(_(TABLES["blockers"]), items, rtl=_rtl(report),
                         hidden_note=rule(report.lang, report.min_count),
                         colors=("#756bb1",))


def _rtl(report: Report) -> bool:
    return report.lang in RTL_LANGUAGES


def html_report(report: Report) -> str:
    lang = report.lang
    _ = gettext_for(lang)
    period = report.period
    where = territory_name(period.country, lang) if period.country else _("All countries")
    title = _("Passerelle report")
    parts = [
        f"<h1>{_e(title)}</h1>",
        f"<p>{_e(where)} · {_e(format_day(period.since, lang))} – "
        f"{_e(format_day(period.until, lang))}</p>",
        f'<p class="note">{_e(rule(lang, report.min_count))}</p>',
        main_chart(report),
        f"<h2>{_e(_(TABLES['procedures']))}</h2>",
        table_html(report.table("procedures"), lang),
    ]
    for row in report.table("procedures").rows:
        steps = Table("steps", report.table("steps").columns,
                      [r for r in report.table("steps").rows if r["flow_id"] == row["flow_id"]])
        if not steps.rows or not row["started"]:
            continue
        parts += [f"<h3>{_e(row['procedure'])}</h3>", funnel(report, row["flow_id"]),
                  table_html(steps, lang, ordered(steps, ("flow_id", "procedure")))]
    for name in ("blockers", "case_outcomes", "followup_outcomes", "ratings", "targets",
                 "languages"):
        table = report.table(name)
        if not table.rows:
            continue
        parts.append(f"<h2>{_e(_(TABLES[name]))}</h2>")
        if name == "blockers":
            parts.append(blockers_chart(report))
        parts.append(table_html(table, lang))
    direction = "rtl" if _rtl(report) else "ltr"
    return (f'<!doctype html><html lang="{_e(lang.replace("_", "-"))}" dir="{direction}">'
            '<head><meta charset="utf-8"><meta name="viewport" '
            'content="width=device-width, initial-scale=1">'
            f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
            + "\n".join(p for p in parts if p) + "</body></html>\n")
