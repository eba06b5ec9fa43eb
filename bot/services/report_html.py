"""The HTML report: one self-contained file, readable on a phone, in the reader's language.

Charts are inline SVG (no external files, no scripts); tables scroll sideways inside their own
box on a narrow screen; right-to-left languages get ``dir="rtl"``.
"""

from __future__ import annotations

import html
from typing import Any

from bot.i18n import RTL_LANGUAGES, format_day, gettext_for, territory_name

from . import report_charts as charts
from .report_columns import BLOCKERS, TABLES, label, meaning
from .report_formats import rule
from .reports import ALL, HIDDEN, Report, Table

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;
margin:0 auto;max-width:960px;padding:12px;color:#222}
h1{font-size:1.4em}h2{font-size:1.2em;margin-top:1.6em}h3{font-size:1.05em}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.5em 0 1em}
table{border-collapse:collapse;font-size:.85em;min-width:100%}
th,td{border:1px solid #ddd;padding:4px 6px;text-align:start;white-space:nowrap}
td.n{text-align:end;font-variant-numeric:tabular-nums}th{background:#f3f6fa}
.chart svg{width:100%;height:auto}.note{color:#555;font-size:.9em}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _value(value: Any) -> str:
    if value is HIDDEN:
        return "c"
    return "" if value is None else _e(value)


def table_html(table: Table, lang: str, columns: list[str] | None = None) -> str:
    _ = gettext_for(lang)
    columns = columns or table.columns
    head = "".join(f'<th title="{_e(_(meaning(c)))}">{_e(_(label(c)))}</th>' for c in columns)
    body = []
    for row in table.rows:
        cells = "".join(
            f'<td class="n">{_value(row.get(c))}</td>' if isinstance(row.get(c), int | float)
            or row.get(c) is HIDDEN else f"<td>{_value(row.get(c))}</td>" for c in columns)
        body.append(f"<tr>{cells}</tr>")
    return (f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def _svg(data: bytes) -> str:
    text = data.decode()
    return '<div class="chart">' + text[text.index("<svg"):] + "</div>"


def main_chart(report: Report, fmt: str = "svg") -> bytes:
    """Started and completed runs per procedure (the chart /report sends as a picture)."""
    _ = gettext_for(report.lang)
    rows = [r for r in report.table("procedures").rows
            if isinstance(r["started"], int) and r["started"] > 0]
    labels = [r["procedure"] if fmt == "svg" or charts.drawable(r["procedure"]) else r["flow_id"]
              for r in rows]
    title = _("Started and completed, per procedure")
    if fmt == "png" and not charts.drawable(title):
        title = "started / completed"
    legend = (_("Started"), _("Completed"))
    if fmt == "png" and not all(map(charts.drawable, legend)):
        legend = ("started", "completed")
    return charts.started_completed(
        labels, [r["started"] for r in rows],
        [r["completed"] if isinstance(r["completed"], int) else 0 for r in rows],
        title=title, legend=legend, fmt=fmt)


def _funnel(report: Report, flow_id: str) -> str:
    _ = gettext_for(report.lang)
    steps = [r for r in report.table("steps").rows if r["flow_id"] == flow_id
             and (r["reached"] is HIDDEN or r["reached"])]
    if not steps:
        return ""
    values = [None if r["reached"] is HIDDEN else r["reached"] for r in steps]
    return _svg(charts.bars([r["step"] for r in steps], values, title=_("Reached"),
                            hidden_label="c"))


def _blockers_chart(report: Report) -> str:
    _ = gettext_for(report.lang)
    everyone = next((r for r in report.table("blockers").rows if r["flow_id"] == ALL), None)
    if everyone is None:
        return ""
    ids = [c for c in report.table("blockers").columns if c in BLOCKERS or (
        c not in ("flow_id", "procedure", "office_id", "office", "total"))]
    values = [None if everyone[c] is HIDDEN else everyone[c] for c in ids]
    return _svg(charts.bars([_(label(c)) for c in ids], values,
                            title=_(TABLES["blockers"]), hidden_label="c", color="#756bb1"))


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
        f'<p class="note">{_e(rule(report))}</p>',
        _svg(main_chart(report)),
        f"<h2>{_e(_(TABLES['procedures']))}</h2>",
        table_html(report.table("procedures"), lang),
    ]
    for row in report.table("procedures").rows:
        steps = Table("steps", report.table("steps").columns,
                      [r for r in report.table("steps").rows if r["flow_id"] == row["flow_id"]])
        if not steps.rows or not row["started"]:
            continue
        parts += [f"<h3>{_e(row['procedure'])}</h3>", _funnel(report, row["flow_id"]),
                  table_html(steps, lang, [c for c in steps.columns
                                           if c not in ("flow_id", "procedure")])]
    for name in ("blockers", "case_outcomes", "followup_outcomes", "ratings", "languages"):
        table = report.table(name)
        if not table.rows:
            continue
        parts.append(f"<h2>{_e(_(TABLES[name]))}</h2>")
        if name == "blockers":
            parts.append(_blockers_chart(report))
        parts.append(table_html(table, lang))
    direction = "rtl" if lang in RTL_LANGUAGES else "ltr"
    return (f'<!doctype html><html lang="{_e(lang.replace("_", "-"))}" dir="{direction}">'
            '<head><meta charset="utf-8"><meta name="viewport" '
            'content="width=device-width, initial-scale=1">'
            f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
            + "\n".join(parts) + "</body></html>\n")
