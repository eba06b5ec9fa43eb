"""The "Response targets" table: met / missed per country and month, in every format, with
small counts hidden, read from the counters the targets service writes."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import pytest

from bot.services import report_formats, reports, targets
from bot.services.reports import HIDDEN, make_period
from bot.storage import cases, records
from bot.storage import targets as timer_rows
from bot.storage.db import Database
from tests.reports.test_reports import FLOWS

COUNTS = {  # (kind, key) -> n, as bot/services/targets.py writes them
    ("first", "KZ:2026-10:met"): 30, ("first", "KZ:2026-10:missed"): 12,
    ("next", "KZ:2026-10:met"): 55, ("next", "KZ:2026-10:missed"): 0,
    ("first", "KZ:2026-11:met"): 25, ("first", "KZ:2026-11:missed"): 3,
    ("next", "KZ:2026-11:met"): 40, ("next", "KZ:2026-11:missed"): 11,
    ("first", "UZ:2026-11:met"): 14, ("first", "UZ:2026-11:missed"): 20,
    ("next", "UZ:2026-11:missed"): 4,  # with next met 0: "c,0" would tell, both hidden
    ("first", "KZ:2026-12:met"): 99,  # after the period
}


async def add_counts(db: Database) -> None:
    async with db.transaction() as tx:
        for (kind, key), n in COUNTS.items():
            await records.bump(tx, f"target_{kind}", key, n)
        await records.bump(tx, "target_first", "KZ:garbage", 50)  # not a target key: skipped


def rows(report: reports.Report) -> dict[tuple[str, str], dict]:
    return {(r["country"], r["month"]): r for r in report.table("targets").rows}


async def test_met_and_missed_per_country_and_month_with_small_counts_hidden(db: Database
                                                                             ) -> None:
    await add_counts(db)
    report = await reports.build(db, FLOWS, make_period(None, "2026-10-15", "2026-11-30"))
    found = rows(report)
    assert list(found) == [("KZ", "2026-10"), ("KZ", "2026-11"), ("UZ", "2026-11")]
    assert found[("KZ", "2026-10")] == {"country": "KZ", "month": "2026-10", "first_met": 30,
                                        "first_missed": 12, "next_met": 55, "next_missed": 0}
    assert found[("KZ", "2026-11")]["first_missed"] is HIDDEN  # 3 < REPORT_MIN_COUNT
    assert found[("KZ", "2026-11")]["next_missed"] == 11
    assert found[("KZ", "2026-10")]["next_missed"] == 0  # beside a shown count: shown
    assert found[("UZ", "2026-11")]["next_met"] is HIDDEN  # beside a hidden count only
    assert found[("UZ", "2026-11")]["next_missed"] is HIDDEN
    # Same month, same country, another filter: the same cells, hidden alike.
    kz = await reports.build(db, FLOWS, make_period("KZ", "2026-11-01", "2026-11-05"))
    assert rows(kz) == {("KZ", "2026-11"): found[("KZ", "2026-11")]}
    # None of these counts enters the day-by-day release bookkeeping.
    assert not [k for k in report.published if k[0] == "targets"]


async def test_a_lower_threshold_shows_what_a_higher_one_hides(db: Database) -> None:
    await add_counts(db)
    report = await reports.build(db, FLOWS, make_period("KZ", "2026-11-01", "2026-11-30"),
                                 min_count=2)
    assert rows(report)[("KZ", "2026-11")]["first_missed"] == 3
    strict = await reports.build(db, FLOWS, make_period("UZ", "2026-11-01", "2026-11-30"),
                                 min_count=15)
    assert rows(strict)[("UZ", "2026-11")]["first_met"] is HIDDEN


@pytest.mark.parametrize("fmt", ["csv", "json", "html"])
async def test_every_format_carries_the_targets_table(db: Database, fmt: str) -> None:
    await add_counts(db)
    report = await reports.build(db, FLOWS, make_period("KZ", "2026-10-01", "2026-11-30"),
                                 lang="fr")
    data = report_formats.render(report, fmt)
    if fmt == "csv":
        archive = zipfile.ZipFile(io.BytesIO(data))
        lines = archive.read("targets.csv").decode("utf-8-sig").splitlines()
        assert lines == ["country,month,first_met,first_missed,next_met,next_missed",
                         "KZ,2026-10,30,12,55,0", "KZ,2026-11,25,c,40,11"]
        dictionary = archive.read("dictionary.csv").decode("utf-8-sig")
        assert "targets.csv,first_missed,Première réponse en retard," in dictionary
    elif fmt == "json":
        table = json.loads(data)["tables"]["targets"]
        assert table["title"] == "Délais de réponse"
        assert table["rows"][1] == {"country": "KZ", "month": "2026-11", "first_met": 25,
                                    "first_missed": None, "next_met": 40, "next_missed": 11}
        assert table["hidden"] == [[1, "first_missed"]]
    else:
        text = data.decode()
        assert "<h2>Délais de réponse</h2>" in text
        assert "Première réponse dans les délais</th>" in text
        assert "<td>2026-11</td><td class=\"n\">25</td><td class=\"n\">c</td>" in text


async def test_what_the_targets_service_counts_is_what_the_report_shows(db: Database) -> None:
    async with db.transaction() as tx:
        case_id = await cases.create(tx, person_id=1, person_name=None, country="KZ",
                                     lang="ru", flow_id="kz-birth", step_id=None, reason=None,
                                     context={})
    case = await cases.get(db, case_id)
    assert case is not None
    async with db.transaction() as tx:
        await targets.opened(tx, case, FLOWS)
        await targets.team_answered(tx, case)  # first answer: met
        await targets.person_wrote(tx, case, case.created_at + 10)
        timer = await timer_rows.get(tx, case_id, "next")
        assert await targets.miss(tx, dict(timer), case)  # next answer: missed
    today = datetime.fromtimestamp(case.created_at, UTC).date()
    report = await reports.build(db, FLOWS, make_period("KZ", today, today, today=today),
                                 min_count=1)
    assert report.table("targets").rows == [{
        "country": "KZ", "month": today.strftime("%Y-%m"), "first_met": 1, "first_missed": 0,
        "next_met": 0, "next_missed": 1}]
