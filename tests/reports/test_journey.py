"""Journey events derived from sprints: what is counted, once, and what is never stored."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.engine import Back, Press, Restart, Text, load_flows, resume, start
from bot.services import journey
from bot.storage.db import Database

REPO = Path(__file__).resolve().parents[2]
FLOWS = load_flows(REPO / "flows").flows
TODAY = date(2026, 11, 20)


def step(before, action):
    sprint = resume(FLOWS, before, action, today=TODAY)
    left, events, state = journey.derive(before, sprint, FLOWS)
    return {**sprint.session, journey.KEY: state}, left, events


def kinds(events):
    return [(e.kind, e.step, e.detail) for e in events]


def test_a_run_from_start_to_restart() -> None:
    first = start(FLOWS, "kz-birth", "ru", today=TODAY)
    left, events, state = journey.derive(None, first, FLOWS)
    assert kinds(events) == [("started", "intro", ""), ("reached", "intro", ""),
                             ("reached", "sms", "")]
    assert state["c"] == "KZ" and not left
    session = {**first.session, journey.KEY: state}
    session, _, events = step(session, Press("sms", "1"))  # no SMS from 1414
    assert kinds(events) == [("answered", "sms", "choice"), ("reached", "birth_date", "")]
    session, _, events = step(session, Text("10.11.2026"))
    assert kinds(events) == [("answered", "birth_date", "date"), ("reached", "deadline", ""),
                             ("reached", "parents", "")]
    session, _, events = step(session, Back())
    assert kinds(events) == [("back", "parents", "")]
    session, _, events = step(session, Text("10.11.2026"))
    assert kinds(events) == [("answered", "birth_date", "date")]  # steps counted once a run
    session, _, events = step(session, Press("parents", "nope"))
    assert events == []  # a stale press is nobody's answer
    session, _, events = step(session, Restart())
    assert kinds(events) == [("restarted", "parents", "")]  # same run: not started again


def test_opening_another_procedure_leaves_the_first() -> None:
    first = start(FLOWS, "kz-birth", "ru", today=TODAY)
    _, _, state = journey.derive(None, first, FLOWS)
    before = {**first.session, journey.KEY: state}
    other = start(FLOWS, "kz-asp", "ru", today=TODAY)
    left, events, _ = journey.derive(before, other, FLOWS)
    assert kinds(left) == [("abandoned", "sms", "")]
    assert events[0].kind == "started"


async def test_recorded_as_counts_without_any_identity(db: Database) -> None:
    for _ in range(3):
        sprint = start(FLOWS, "kz-birth", "kk", today=TODAY)
        async with db.transaction() as tx:
            session = await journey.record_sprint(tx, before=None, sprint=sprint, flows=FLOWS,
                                                  now=1_763_640_000)
    assert session[journey.KEY]["seen"] == ["r:intro", "r:sms"]
    rows = [tuple(r) for r in await db.fetchall(
        "SELECT * FROM journey_events ORDER BY kind, step_id")]
    assert rows == [("2025-11-20", "KZ", "kz-birth", "intro", "kk", "reached", "", 3),
                    ("2025-11-20", "KZ", "kz-birth", "sms", "kk", "reached", "", 3),
                    ("2025-11-20", "KZ", "kz-birth", "intro", "kk", "started", "", 3)]
    columns = [r["name"] for r in await db.fetchall("PRAGMA table_info(journey_events)")]
    assert not {"user_id", "chat_id", "person_id", "at", "token"} & set(columns)
