"""Reports built from a real SQLite file: the figures, the filters, and what stays hidden."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.engine import load_flows
from bot.services import report_formats, reports
from bot.services.reports import HIDDEN, make_period
from bot.services.suppression import Line
from bot.storage.db import Database
from tests.reports.test_suppression import recoverable

REPO = Path(__file__).resolve().parents[2]
FLOWS = load_flows(REPO / "flows").flows
DAY = "2026-11-10"
NOON = datetime(2026, 11, 10, 12, tzinfo=UTC).timestamp()


async def add_events(db: Database, rows: list[tuple[str, str, str, int]], *,
                     country: str = "KZ", day: str = DAY, lang: str = "ru",
                     flow: str = "kz-birth") -> None:
    async with db.transaction() as tx:
        for kind, step, detail, n in rows:
            await tx.execute("INSERT INTO journey_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (day, country, flow, step, lang, kind, detail, n))


async def add_case(db: Database, flow: str, delay_s: float | None, *, rating: int | None = None,
                   country: str = "KZ", at: float = NOON) -> None:
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "INSERT INTO cases (person_id, country, lang, flow_id, status, rating, created_at)"
            " VALUES (1, ?, 'ru', ?, 'closed', ?, ?)", (country, flow, rating, at))
        if delay_s is not None:
            await tx.execute("INSERT INTO case_messages (case_id, direction, kind, created_at)"
                             " VALUES (?, 'in', 'text', ?)", (cursor.lastrowid, at + 1))
            await tx.execute("INSERT INTO case_messages (case_id, direction, kind, created_at)"
                             " VALUES (?, 'out', 'text', ?)", (cursor.lastrowid, at + delay_s))
            await tx.execute("INSERT INTO case_messages (case_id, direction, kind, created_at)"
                             " VALUES (?, 'out', 'text', ?)", (cursor.lastrowid, at + delay_s + 5))


async def add_outcomes(db: Database, rows: list[tuple[str, str, str, str, int]]) -> None:
    async with db.transaction() as tx:
        for source, result, office, blockers, n in rows:
            await tx.executemany(
                "INSERT INTO outcome_reports (day, country, flow_id, office_id, lang, source,"
                " result, blockers) VALUES (?, 'KZ', 'kz-birth', ?, 'ru', ?, ?, ?)",
                [(DAY, office, source, result, blockers)] * n)


NOVEMBER = make_period("KZ", "2026-11-01", "2026-11-30")


def row(report: reports.Report, table: str, **match: object) -> dict:
    return next(r for r in report.table(table).rows
                if all(r[k] == v for k, v in match.items()))


async def test_funnel_rates_and_where_people_leave(db: Database) -> None:
    await add_events(db, [("started", "intro", "", 60), ("reached", "intro", "", 60),
                          ("reached", "birth_date", "", 58), ("answered", "birth_date", "date", 70),
                          ("invalid", "birth_date", "date", 12),
                          ("abandoned", "birth_date", "", 14), ("returned", "birth_date", "", 2),
                          ("reached", "parents", "", 44), ("abandoned", "parents", "", 20),
                          ("escalated", "parents", "human", 11), ("completed", "end", "", 24)])
    await add_events(db, [("started", "intro", "", 50), ("reached", "intro", "", 50)],
                     lang="kk")
    report = await reports.build(db, FLOWS, NOVEMBER, lang="ru")
    kz = row(report, "procedures", flow_id="kz-birth")
    assert kz["procedure"] == "Регистрация рождения ребёнка"
    assert (kz["started"], kz["completed"], kz["completion_pct"]) == (110, 24, 21.8)
    assert (kz["abandoned"], kz["left_most_at"]) == (32, "Документы родителей")  # its label
    assert (kz["escalated"], kz["escalation_pct"]) == (11, 10.0)
    birth = row(report, "steps", flow_id="kz-birth", step_id="birth_date")
    assert birth["reached"] == 58 and birth["answer_kind"] == "date" and birth["invalid"] == 12
    assert birth["abandoned"] == 12  # 14 left, 2 came back
    assert birth["step"] == "Дата рождения ребёнка" and birth["kind"] == "ask"
    positions = [r["step_id"] for r in report.table("steps").rows if r["flow_id"] == "kz-birth"]
    assert positions[:3] == ["intro", "sms", "sms_info"]  # the flow's order
    languages = {r["lang"]: r["started"] for r in report.table("languages").rows}
    assert languages == {"ru": 60, "kk": 50}
    assert row(report, "languages", lang="kk")["language"] == "казахский"


async def test_filters_by_country_and_days(db: Database) -> None:
    await add_events(db, [("started", "intro", "", 30)])
    await add_events(db, [("started", "intro", "", 70)], day="2026-10-31")
    await add_events(db, [("started", "intro", "", 40)], country="KG", flow="kg-birth")
    report = await reports.build(db, FLOWS, NOVEMBER)
    assert row(report, "procedures", flow_id="kz-birth")["started"] == 30
    assert all(r["country"] == "KZ" for r in report.table("procedures").rows)
    everything = await reports.build(db, FLOWS, make_period(None, "2026-10-01", "2026-11-30"))
    assert row(everything, "procedures", flow_id="kz-birth")["started"] == 100
    assert row(everything, "procedures", flow_id="kg-birth")["started"] == 40


async def test_time_to_first_answer_median_and_p90(db: Database) -> None:
    for minutes in range(1, 13):  # 12 answered cases: 1 to 12 minutes
        await add_case(db, "kz-birth", minutes * 60, rating=5 if minutes < 11 else 2)
    await add_case(db, "kz-birth", None)  # never answered
    for minutes in (1, 2, 3):
        await add_case(db, "kz-asp", minutes * 60)
    await add_case(db, "kz-birth", 60, at=NOON - 40 * 86400)  # October: outside
    report = await reports.build(db, FLOWS, NOVEMBER)
    kz = row(report, "procedures", flow_id="kz-birth")
    assert (kz["cases"], kz["answered_cases"]) == (13, 12)
    assert (kz["first_answer_median_min"], kz["first_answer_p90_min"]) == (6.0, 11.0)
    asp = row(report, "procedures", flow_id="kz-asp")
    assert asp["first_answer_median_min"] is HIDDEN  # three cases say too much about each
    ratings = row(report, "ratings", flow_id="kz-birth")
    assert ratings["r2"] is HIDDEN and ratings["total"] == 12
    assert ratings["r5"] is HIDDEN  # 10, but 12 - 10 would give the 2 back (zeros are shown)


async def test_outcomes_and_blockers_hide_small_cells_for_good(db: Database) -> None:
    await add_outcomes(db, [
        ("followup", "got_it", "con", "[]", 30),
        ("followup", "not_yet", "con", '["travel", "missing_document"]', 12),
        ("followup", "not_yet", "registry", '["unofficial_fee"]', 4),
        ("followup", "refused", "registry", '["office_refused", "unofficial_fee"]', 11),
        ("case", "resolved", "con", "[]", 25), ("case", "referred", "con", "[]", 2)])
    report = await reports.build(db, FLOWS, NOVEMBER)
    cases = row(report, "case_outcomes", flow_id="kz-birth")
    assert cases["referred"] is HIDDEN and cases["resolved"] is HIDDEN  # 2, then its pair
    assert cases["total"] == 27
    registry = row(report, "blockers", flow_id="kz-birth", office_id="registry")
    assert registry["unofficial_fee"] == 15 and registry["office_refused"] == 11
    assert registry["office"] == "АХАТ органы (азаматтық хал актілерін тіркеу) [kk]"  # no en
    for name in ("case_outcomes", "followup_outcomes", "blockers", "ratings"):
        assert_nothing_recoverable(report.table(name))


def assert_nothing_recoverable(table: reports.Table) -> None:
    """From the published table alone (rows, row totals, the all-procedures row), no hidden
    cell can be computed: an outsider's view, checked with numpy's ranks."""
    counts = [c for c in table.columns
              if c not in ("flow_id", "procedure", "office_id", "office", "total")]
    values, lines, hidden = {}, [], set()
    body = [r for r in table.rows if r["flow_id"] != reports.ALL]
    everyone = next((r for r in table.rows if r["flow_id"] == reports.ALL), None)
    if everyone is None:
        return
    for i, r in enumerate([*body, everyone]):
        for c in [*counts, "total"]:
            values[(i, c)] = 0 if r[c] is HIDDEN else r[c]
            if r[c] is HIDDEN:
                hidden.add((i, c))
        lines.append(Line(tuple((i, c) for c in counts), (i, "total")))
    for c in [*counts, "total"]:
        lines.append(Line(tuple((i, c) for i in range(len(body))), (len(body), c)))
    assert recoverable(values, lines, hidden) == set()


@pytest.mark.parametrize("fmt", ["csv", "json", "html"])
async def test_every_format_carries_the_hidden_marks_and_no_identifier(db: Database,
                                                                         fmt: str) -> None:
    await add_events(db, [("started", "intro", "", 40), ("reached", "intro", "", 40),
                          ("abandoned", "birth_date", "", 3), ("abandoned", "parents", "", 20)])
    await add_case(db, "kz-birth", 60)
    report = await reports.build(db, FLOWS, NOVEMBER, lang="fr")
    data = report_formats.render(report, fmt)
    if fmt == "csv":
        archive = zipfile.ZipFile(io.BytesIO(data))
        steps = archive.read("steps.csv").decode("utf-8-sig").splitlines()
        assert any(line.startswith("kz-birth,") and line.endswith(",c,0") for line in steps)
        assert "dictionary.csv" in archive.namelist()
    elif fmt == "json":
        parsed = json.loads(data)
        assert parsed["tables"]["steps"]["hidden"]
        assert parsed["min_count"] == 10 and "c" in parsed["suppression"]
    else:
        assert data.count(b"<svg") >= 2 and b"width=device-width" in data
    assert b"person_id" not in data


def test_periods_from_what_an_admin_types() -> None:
    assert make_period("kz", "2026-11-01", "2026-11-30").country == "KZ"
    default = make_period(today=date(2026, 11, 30))
    assert (default.since, default.until) == (date(2026, 11, 1), date(2026, 11, 30))
    for bad in [("KAZ", None, None), (None, "2026-11-31", None),
                (None, "2026-11-20", "2026-11-01")]:
        with pytest.raises(reports.ReportError):
            make_period(*bad)
