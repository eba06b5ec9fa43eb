"""Issue 18, 12a and 7: hidden counts worked out from what a report shows — the flow's own
structure, a row's zeros — and the suppression that prevents it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import load_flows
from bot.services import reports
from bot.services.reports import HIDDEN
from bot.services.suppression import Line
from bot.storage.db import Database
from tests.reports.test_reports import NOVEMBER, add_case, add_events, row
from tests.reports.test_suppression import recoverable

COUNTRY = """\
country: KZ
name: {ru: Казахстан}
languages: [ru]
default_language: ru
offices: []
"""
FLOW = """\
id: t-age
languages: [ru]
title: Пособие
description: Тест
source:
  - title: Source
    url: https://example.org
last_reviewed: 2026-11-01
steps:
  - id: group
    choose: Кто вы?
    label: Группа
    exhaustive: true
    options:
      - {label: "60+", value: old, next: old}
      - {label: Беременность, value: pregnant, next: pregnant}
      - {label: Ребёнок, value: child, next: child}
  - id: old
    say: Для пожилых
    next: done
  - id: pregnant
    say: Для беременных
    next: done
  - id: child
    say: Для детей
    next: done
  - id: done
    end: Всё
"""


@pytest.fixture
def flows(tmp_path: Path):
    (tmp_path / "KZ").mkdir()
    (tmp_path / "KZ" / "country.yaml").write_text(COUNTRY, encoding="utf-8")
    (tmp_path / "KZ" / "age.yaml").write_text(FLOW, encoding="utf-8")
    result = load_flows(tmp_path)
    assert result.ok, result.errors
    return result.flows


async def test_a_hidden_option_is_not_worked_out_from_the_flow(db: Database, flows) -> None:
    """11 reached the question, 0 chose "60+", 8 "pregnancy": "child" = 3, unless more is
    hidden. The attacker's equation: reached(group) = left(group) + sum of the three."""
    await add_events(db, [("started", "group", "", 11), ("reached", "group", "", 11),
                          ("answered", "group", "choice", 11), ("reached", "pregnant", "", 8),
                          ("reached", "child", "", 3), ("reached", "done", "", 11),
                          ("completed", "done", "", 11)], flow="t-age")
    report = await reports.build(db, flows, NOVEMBER, lang="ru", min_count=5)
    steps = {r["step_id"]: r for r in report.table("steps").rows if r["flow_id"] == "t-age"}
    assert steps["child"]["reached"] is HIDDEN
    assert steps["child"]["step"] == "Для детей"  # what people see, not the step id
    values, hidden = {}, set()
    for step_id in ("group", "old", "pregnant", "child"):
        for column in ("reached", "abandoned"):
            value = steps[step_id][column]
            values[(step_id, column)] = 0 if value is HIDDEN else value
            if value is HIDDEN:
                hidden.add((step_id, column))
    attack = [Line((*((s, "reached") for s in ("old", "pregnant", "child")),
                    ("group", "abandoned")), ("group", "reached"))]
    assert recoverable(values, attack, hidden) == set()
    shown = [steps[s]["reached"] for s in ("group", "old", "pregnant")]
    assert HIDDEN in shown or steps["group"]["abandoned"] is HIDDEN


async def test_a_row_does_not_tell_the_hidden_rating_by_its_zeros(db: Database) -> None:
    from tests.reports.test_reports import FLOWS

    for _ in range(2):
        await add_case(db, "kz-birth", 60, rating=1)
    for _ in range(40):
        await add_case(db, "kz-disability", 60, rating=4)
    report = await reports.build(db, FLOWS, NOVEMBER, min_count=5)
    birth = row(report, "ratings", flow_id="kz-birth")
    assert [birth[f"r{i}"] for i in range(1, 6)] == [HIDDEN] * 5  # not c,0,0,0,0


async def _released(db: Database, period, **kw) -> reports.Report:
    from tests.reports.test_reports import FLOWS

    report = await reports.build(db, FLOWS, period, min_count=5, **kw)
    async with db.transaction() as tx:
        await reports.release(tx, report)
    return report


def _subtraction_gives_nothing_small(old: reports.Report, new: reports.Report) -> None:
    """The outsider's attack: the same cell shown in two reports, subtracted."""
    for key, value in new.published.items():
        before = old.published.get(key)
        if value is None or before is None:
            continue
        assert abs(value - before) == 0 or abs(value - before) >= new.min_count, key


async def test_two_overlapping_periods_do_not_give_a_day_away(db: Database) -> None:
    """1-29 November released (40 started); 1-30 November would show 42: the 2 who started
    on the 30th. The second report hides what would give them away."""
    await add_events(db, [("started", "intro", "", 40), ("reached", "intro", "", 40)],
                     day="2026-11-10")
    first = await _released(db, reports.make_period("KZ", "2026-11-01", "2026-11-29"))
    assert row(first, "procedures", flow_id="kz-birth")["started"] == 40
    await add_events(db, [("started", "intro", "", 2), ("reached", "intro", "", 2)],
                     day="2026-11-30")
    second = await _released(db, NOVEMBER)
    assert row(second, "procedures", flow_id="kz-birth")["started"] is HIDDEN
    _subtraction_gives_nothing_small(first, second)
    rows = await db.fetchall("SELECT since, until, cells FROM report_releases ORDER BY id")
    assert [(r["since"], r["until"]) for r in rows] == [("2026-11-01", "2026-11-29"),
                                                         ("2026-11-01", "2026-11-30")]


async def test_a_shorter_period_inside_a_released_one_is_protected_too(db: Database) -> None:
    await add_events(db, [("started", "intro", "", 40), ("reached", "intro", "", 40)],
                     day="2026-11-10")
    await add_events(db, [("started", "intro", "", 3), ("reached", "intro", "", 3)],
                     day="2026-11-30")
    whole = await _released(db, NOVEMBER)
    assert row(whole, "procedures", flow_id="kz-birth")["started"] == 43
    part = await _released(db, reports.make_period("KZ", "2026-11-01", "2026-11-29"))
    assert row(part, "procedures", flow_id="kz-birth")["started"] is HIDDEN
    _subtraction_gives_nothing_small(whole, part)


async def test_disjoint_periods_and_large_differences_stay_shown(db: Database) -> None:
    await add_events(db, [("started", "intro", "", 40), ("reached", "intro", "", 40)],
                     day="2026-11-10")
    await add_events(db, [("started", "intro", "", 30), ("reached", "intro", "", 30)],
                     day="2026-12-10")
    await _released(db, NOVEMBER)
    december = await _released(db, reports.make_period("KZ", "2026-12-01", "2026-12-31"))
    assert row(december, "procedures", flow_id="kz-birth")["started"] == 30
    both = await _released(db, reports.make_period("KZ", "2026-11-01", "2026-12-31"))
    assert row(both, "procedures", flow_id="kz-birth")["started"] == 70  # 70 - 40 = 30: fine
