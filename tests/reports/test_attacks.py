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
