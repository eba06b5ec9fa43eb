"""Writing a report: CSV files with their data dictionary (in one zip), or JSON; HTML comes
from ``report_html`` (which imports nothing from here: the dependency goes one way).

Hidden cells: ``c`` in CSV (Eurostat's flag for confidential), ``null`` in JSON with their
positions listed under ``hidden``. An empty CSV cell (JSON ``null`` not listed as hidden)
means "not applicable", e.g. a percentage of zero runs.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from bot.i18n import gettext_for

from .report_columns import TABLES, label, meaning
from .report_columns import rule as columns_rule
from .report_html import html_report
from .reports import HIDDEN, Report, Table

FORMATS = ("csv", "html", "json")
EXTENSIONS = {"csv": "zip", "html": "html", "json": "json"}


def render(report: Report, fmt: str) -> bytes:
    """The report as the bytes of one file (``EXTENSIONS[fmt]``)."""
    if fmt == "csv":
        return csv_zip(report)
    if fmt == "json":
        return json.dumps(as_json(report), ensure_ascii=False, indent=1).encode()
    if fmt == "html":
        return html_report(report).encode()
    raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


def rule(report: Report) -> str:
    return columns_rule(report.lang, report.min_count)


def _cell(value: Any) -> Any:
    if value is HIDDEN:
        return "c"
    return "" if value is None else value


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_cell(row.get(c)) for c in table.columns])
    return out.getvalue()


def dictionary_csv(report: Report) -> str:
    """Each table's columns: label and meaning in the reader's language, and the rule."""
    _ = gettext_for(report.lang)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "column", "label", "meaning"])
    for table in report.tables.values():
        for column in table.columns:
            writer.writerow([f"{table.name}.csv", column, _(label(column)), _(meaning(column))])
    writer.writerow(["*", "c", "c", rule(report)])
    return out.getvalue()


def _about(report: Report) -> str:
    period = report.period
    return "\n".join([
        f"Passerelle report, generated {report.generated}",
        f"country: {period.country or 'all'}; days (UTC): {period.since} to {period.until}",
        f"REPORT_MIN_COUNT: {report.min_count}",
        "",
        rule(report),
        "",
        "dictionary.csv describes every column of every file.", ""])


def csv_zip(report: Report) -> bytes:
    """One CSV per table (UTF-8 with BOM, so spreadsheets read every script) + dictionary."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in report.tables.values():
            archive.writestr(f"{table.name}.csv", "\ufeff" + table_csv(table))
        archive.writestr("dictionary.csv", "\ufeff" + dictionary_csv(report))
        archive.writestr("README.txt", _about(report))
    return buffer.getvalue()


def as_json(report: Report) -> dict[str, Any]:
    _ = gettext_for(report.lang)
    tables = {}
    for table in report.tables.values():
        hidden = [[i, c] for i, row in enumerate(table.rows) for c in table.columns
                  if row.get(c) is HIDDEN]
        tables[table.name] = {
            "title": _(TABLES[table.name]),
            "columns": [{"id": c, "label": _(label(c)), "meaning": _(meaning(c))}
                        for c in table.columns],
            "rows": [{c: None if row.get(c) is HIDDEN else row.get(c) for c in table.columns}
                     for row in table.rows],
            "hidden": hidden,
        }
    period = report.period
    return {"generated": report.generated, "country": period.country,
            "since": period.since.isoformat(), "until": period.until.isoformat(),
            "lang": report.lang, "min_count": report.min_count, "suppression": rule(report),
            "tables": tables}
