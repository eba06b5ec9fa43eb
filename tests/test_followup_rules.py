"""Follow-up rules without Telegram, on a real SQLite file, with a clock the test controls.

The clock is the `now` every service function takes; Africa/Dakar is UTC all year, so the
times below read as local times too.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.engine import FlowSet, load_flows
from bot.services import announcements, followups, privacy, quiet
from bot.services.followups import Notice
from bot.storage import Database
from bot.storage import followups as store

QUIET = (21 * 60, 8 * 60)
USER, OTHER = 42, 43

COUNTRY = """\
country: TT
name: {fr: Testlande, en: Testland}
languages: [fr, en]
default_language: fr
timezone: Africa/Dakar
offices:
  - id: hall
    name: {fr: Mairie, en: Town hall}
blockers:
  - id: missing_document
    label: {fr: Il manquait un document, en: A document was missing}
  - id: office_refused
    label: {fr: Le bureau a refusé, en: The office refused}
  - id: other
    label: {fr: Autre chose, en: Something else}
"""

FLOW = """\
id: t-birth
languages: [fr, en]
title: {fr: Naissance, en: Birth}
description: {fr: Déclarer, en: Register}
source:
  - title: Source
    url: https://example.org
last_reviewed: 2026-01-15
followup: 14 days after end
reminders:
  - id: register
    deadline: 1 month after birth_date
    before: 7 days
    text: {fr: "Avant le {deadline}.", en: "By {deadline}."}
changes:
  - id: no-fee
    date: 2026-03-01
    text: {fr: "Plus de frais.", en: "No fee any more."}
steps:
  - id: born
    ask: {fr: "Né quand ? ex. 05.03.2026", en: "Born when? e.g. 05.03.2026"}
    input: date
    save: birth_date
  - id: done
    end: {fr: Fini., en: Done.}
"""


def at(text: str) -> float:
    """A Unix time from 'YYYY-MM-DD HH:MM' (UTC, which is Dakar's local time)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def day_of(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def flows(tmp_path: Path) -> FlowSet:
    folder = tmp_path / "flows" / "TT"
    folder.mkdir(parents=True)
    (folder / "country.yaml").write_text(COUNTRY, encoding="utf-8")
    (folder / "birth.yaml").write_text(FLOW, encoding="utf-8")
    result = load_flows(tmp_path / "flows")
    assert result.ok, "\n".join(map(str, result.problems))
    return result.flows


def ended(birth: str | None, lang: str = "fr") -> dict[str, Any]:
    answers = {"birth_date": birth} if birth else {}
    return {"status": "ended", "flow": "t-birth", "root": "t-birth", "lang": lang,
            "answers": answers, "seq": 3}


def compose(notice: Notice) -> dict[str, Any]:
    return {"text": f"{notice.kind}:{notice.reminder_id}:{notice.deadline}:{notice.lang}"}


async def accept(db: Database, flows: FlowSet, birth: str | None, now: float,
                 user: int = USER, lang: str = "fr") -> int:
    async with db.transaction() as tx:
        done = await followups.accept(tx, flows, ended(birth, lang), user_id=user,
                                      office_id="hall", now=now, default_quiet=QUIET)
    assert done is not None
    return done[0]


async def sent(db: Database) -> list[tuple[int, str]]:
    rows = await db.fetchall("SELECT chat_id, params FROM outbox ORDER BY id")
    calls = [(r["chat_id"], json.loads(r["params"])) for r in rows]
    assert all(params["chat_id"] == chat for chat, params in calls)
    return [(chat, params["text"]) for chat, params in calls]


def test_plan_counts_from_the_end_and_from_the_birth(flows: FlowSet) -> None:
    now = at("2026-03-10 12:00")
    planned = followups.plan(flows.flows["t-birth"].outcomes, {"birth_date": "2026-03-01"},
                             now=now, tz="Africa/Dakar", quiet_hours=QUIET)
    assert day_of(planned.followup_at) == "2026-03-24 10:00"
    [(reminder_id, deadline, send_at)] = planned.reminders
    assert (reminder_id, deadline.isoformat()) == ("register", "2026-04-01")
    assert day_of(send_at) == "2026-03-25 10:00"  # 7 days before, at the send hour


def test_joining_late_schedules_no_reminder_whose_deadline_passed(flows: FlowSet) -> None:
    outcomes = flows.flows["t-birth"].outcomes
    late = followups.plan(outcomes, {"birth_date": "2026-01-20"}, now=at("2026-03-10 12:00"),
                          tz="Africa/Dakar", quiet_hours=QUIET)
    assert late.reminders == () and late.followup_at is not None
    # The reminder day passed but the deadline has not: it goes out now, not never.
    close = followups.plan(outcomes, {"birth_date": "2026-02-15"}, now=at("2026-03-10 12:00"),
                           tz="Africa/Dakar", quiet_hours=QUIET)
    assert [day_of(s) for *_, s in close.reminders] == ["2026-03-10 12:00"]
    # ... unless it is night there: then at the end of the quiet hours.
    night = followups.plan(outcomes, {"birth_date": "2026-02-15"}, now=at("2026-03-10 22:30"),
                           tz="Africa/Dakar", quiet_hours=QUIET)
    assert [day_of(s) for *_, s in night.reminders] == ["2026-03-11 08:00"]
    # Without the answer there is nothing to count from; the follow-up still comes.
    blank = followups.plan(outcomes, {}, now=at("2026-03-10 12:00"), tz="Africa/Dakar",
                           quiet_hours=QUIET)
    assert blank.reminders == () and day_of(blank.followup_at) == "2026-03-24 10:00"


def test_local_time_and_quiet_hours_in_another_zone() -> None:
    # 10:00 in Shanghai (UTC+8) is 02:00 UTC; 23:00 there is quiet, 12:00 is not.
    assert day_of(quiet.at_send_hour(datetime(2026, 3, 10).date(), "Asia/Shanghai")) == (
        "2026-03-10 02:00")
    assert quiet.is_quiet(at("2026-03-10 15:00"), "Asia/Shanghai", QUIET)
    assert not quiet.is_quiet(at("2026-03-10 04:00"), "Asia/Shanghai", QUIET)
    assert day_of(quiet.next_allowed(at("2026-03-10 15:00"), "Asia/Shanghai", QUIET)) == (
        "2026-03-11 00:00")  # 08:00 in Shanghai
    assert not quiet.is_quiet(at("2026-03-10 23:00"), "Africa/Dakar", None)
    daytime = (13 * 60, 14 * 60)  # a window that does not cross midnight
    assert quiet.is_quiet(at("2026-03-10 13:30"), "UTC", daytime)
    assert day_of(quiet.next_allowed(at("2026-03-10 13:30"), "UTC", daytime)) == (
        "2026-03-10 14:00")


async def test_timers_fire_once_at_their_time(db: Database, flows: FlowSet) -> None:
    run_id = await accept(db, flows, "2026-03-01", at("2026-03-10 12:00"))
    assert [t.kind for t in await store.timers_of(db, run_id)] == ["followup", "reminder"]
    fire = lambda now: followups.fire_due(db, flows, compose, now=at(now),  # noqa: E731
                                          default_quiet=QUIET)
    assert await fire("2026-03-24 09:59") == 0
    assert await fire("2026-03-24 10:00") == 1
    assert await fire("2026-03-24 10:05") == 0  # once
    assert await fire("2026-03-25 10:00") == 1
    assert await sent(db) == [(USER, "followup:None:None:fr"),
                              (USER, "reminder:register:2026-04-01:fr")]
    assert await store.timers_of(db, run_id) == []
    lanes = await db.fetchall("SELECT DISTINCT lane FROM outbox")
    assert [row[0] for row in lanes] == ["bulk"]  # people talking to the bot go first


async def test_quiet_hours_postpone_and_a_passed_deadline_cancels(db: Database,
                                                                 flows: FlowSet) -> None:
    run_id = await accept(db, flows, "2026-03-01", at("2026-03-10 12:00"))
    async with db.transaction() as tx:  # as if the bot had been down: due in the night
        await tx.execute("UPDATE followup_timers SET due_at = ? WHERE run_id = ?"
                         " AND kind = 'followup'", (at("2026-03-24 23:00"), run_id))
    assert await followups.fire_due(db, flows, compose, now=at("2026-03-24 23:30"),
                                    default_quiet=QUIET) == 0
    [followup] = [t for t in await store.timers_of(db, run_id) if t.kind == "followup"]
    assert day_of(followup.due_at) == "2026-03-25 08:00"
    assert await followups.fire_due(db, flows, compose, now=at("2026-03-25 08:00"),
                                    default_quiet=QUIET) == 1  # the reminder is due at 10:00
    # A reminder still waiting when its deadline passes is dropped, not sent late.
    late = await accept(db, flows, "2026-03-01", at("2026-03-10 12:00"), user=OTHER)
    before = len(await sent(db))
    assert await followups.fire_due(db, flows, compose, now=at("2026-04-02 12:00"),
                                    default_quiet=QUIET) == 1  # only the follow-up
    assert (await sent(db))[before:] == [(OTHER, "followup:None:None:fr")]
    assert await store.timers_of(db, late) == []


async def test_stop_ends_a_run_and_only_its_owner_can(db: Database, flows: FlowSet) -> None:
    first = await accept(db, flows, "2026-03-01", at("2026-03-10 12:00"))
    second = await accept(db, flows, "2026-03-05", at("2026-03-10 12:00"))
    async with db.transaction() as tx:
        assert not await followups.stop(tx, first, OTHER)  # forged button
        assert await followups.stop(tx, first, USER)
    assert await store.timers_of(db, first) == []
    assert len(await store.timers_of(db, second)) == 2  # per run, not per person
    await followups.fire_due(db, flows, compose, now=at("2026-04-05 12:00"), default_quiet=QUIET)
    assert await sent(db) == [(USER, "followup:None:None:fr"),
                              (USER, "reminder:register:2026-04-05:fr")]


async def test_an_answer_is_recorded_once_and_anonymously(db: Database, flows: FlowSet) -> None:
    run_id = await accept(db, flows, "2026-03-01", at("2026-03-10 12:00"))
    now = at("2026-03-24 10:00")
    async with db.transaction() as tx:
        assert not await followups.answer(tx, flows, run_id, OTHER, result="refused", mask=1,
                                          now=now)
        assert not await followups.answer(tx, flows, run_id, USER, result="maybe", mask=1,
                                          now=now)
        assert await followups.answer(tx, flows, run_id, USER, result="refused", mask=0b101,
                                      now=now)
        assert not await followups.answer(tx, flows, run_id, USER, result="got_it", mask=0,
                                          now=now)
    rows = [dict(r) for r in await db.fetchall("SELECT * FROM outcome_reports")]
    assert rows == [{"id": 1, "day": "2026-03-24", "country": "TT", "flow_id": "t-birth",
                     "office_id": "hall", "lang": "fr", "source": "followup",
                     "result": "refused", "blockers": '["missing_document", "other"]'}]
    run = await store.get_run(db, run_id)
    assert (run.status, run.reported_blocker) == ("answered", True)
    # Answered: the reminder still comes (the deadline matters), the question does not.
    await followups.fire_due(db, flows, compose, now=at("2026-03-26 12:00"), default_quiet=QUIET)
    assert [text for _, text in await sent(db)] == ["reminder:register:2026-04-01:fr"]


async def test_finished_runs_are_pruned_unless_they_reported_a_blocker(
        db: Database, flows: FlowSet) -> None:
    happy = await accept(db, flows, "2026-03-01", at("2026-03-10 12:00"))
    stuck = await accept(db, flows, "2026-03-01", at("2026-03-10 12:00"))
    stopped = await accept(db, flows, "2026-03-01", at("2026-03-10 12:00"))
    waiting = await accept(db, flows, "2026-03-01", at("2026-03-10 12:00"))
    async with db.transaction() as tx:
        await followups.stop(tx, stopped, USER)
    # Stop deletes the run (it names the person) at once, not at the next prune
    assert await store.get_run(db, stopped) is None
    assert await db.fetchall("SELECT * FROM followup_timers WHERE run_id = ?", (stopped,)) == []
    [row] = await store.summary(db)
    assert row["stopped"] == 1  # an anonymous count stays
    async with db.transaction() as tx:
        await followups.answer(tx, flows, happy, USER, result="got_it", mask=0, now=0)
        await followups.answer(tx, flows, stuck, USER, result="refused", mask=1, now=0)
    assert await followups.prune(db) == 0  # the answered ones await reminders
    await followups.fire_due(db, flows, compose, now=at("2026-03-26 12:00"), default_quiet=QUIET)
    assert await followups.prune(db) == 1  # the happy run, its reminder sent
    left = await db.fetchall("SELECT id FROM followup_runs ORDER BY id")
    assert [r["id"] for r in left] == [stuck, waiting]  # a reporter; an unanswered question


async def test_forget_erases_runs_and_timers_but_not_anonymous_records(
        db: Database, flows: FlowSet) -> None:
    run_id = await accept(db, flows, "2026-03-01", at("2026-03-10 12:00"))
    await accept(db, flows, "2026-03-01", at("2026-03-10 12:00"), user=OTHER)
    async with db.transaction() as tx:
        await followups.answer(tx, flows, run_id, USER, result="not_yet", mask=2, now=0)
        await privacy.forget(tx, USER, USER)
    assert await store.get_run(db, run_id) is None
    assert await db.fetchall("SELECT * FROM followup_timers WHERE run_id = ?", (run_id,)) == []
    assert len(await db.fetchall("SELECT * FROM outcome_reports")) == 1
    await followups.fire_due(db, flows, compose, now=at("2026-04-01 12:00"), default_quiet=QUIET)
    assert {chat for chat, _ in await sent(db)} == {OTHER}


async def test_change_notes_go_once_to_those_who_reported_a_blocker(
        db: Database, flows: FlowSet) -> None:
    reporter = await accept(db, flows, "2026-03-01", at("2026-03-10 12:00"), lang="en")
    happy = await accept(db, flows, "2026-03-01", at("2026-03-10 12:00"), user=OTHER)
    stopped = await accept(db, flows, "2026-03-01", at("2026-03-10 12:00"), user=44)
    async with db.transaction() as tx:
        await followups.answer(tx, flows, reporter, USER, result="refused", mask=2, now=0)
        await followups.answer(tx, flows, happy, OTHER, result="got_it", mask=0, now=0)
        await followups.answer(tx, flows, stopped, 44, result="not_yet", mask=1, now=0)
        await followups.stop(tx, stopped, 44)

    def note(flow, change, lang):
        return {"text": f"{flow.id}/{change.id}: {change.text.get(lang)}"}

    assert await announcements.announce(db, flows, note) == {"t-birth/no-fee": 1}
    assert await sent(db) == [(USER, "t-birth/no-fee: No fee any more.")]
    late = await accept(db, flows, "2026-03-01", at("2026-03-10 12:00"), user=45)
    async with db.transaction() as tx:
        await followups.answer(tx, flows, late, 45, result="refused", mask=1, now=0)
    assert await announcements.announce(db, flows, note) == {}  # once, and not afterwards
    assert len(await sent(db)) == 1


def test_only_a_flow_with_outcomes_offers_them(flows: FlowSet) -> None:
    assert followups.offered_flow(flows, ended(None)).id == "t-birth"
    assert followups.offered_flow(flows, {**ended(None), "status": "waiting"}) is None
    assert followups.offered_flow(flows, {**ended(None), "flow": "x", "root": "y"}) is None


async def test_the_command_line_shows_counts_only(db: Database, flows: FlowSet) -> None:
    from bot.cli.followups import report

    run_id = await accept(db, flows, "2026-03-01", at("2026-03-10 12:00"), user=987654321)
    async with db.transaction() as tx:
        await followups.answer(tx, flows, run_id, 987654321, result="refused", mask=1, now=0)
    await announcements.announce(db, flows, lambda flow, note, lang: {"text": "x"})
    lines = await report(db)
    assert "  t-birth: 0 / 1 / 0, 1, 2 (2026-03-24 10:00 UTC)" in lines
    assert any(line.startswith("  t-birth/no-fee: 1, ") for line in lines)
    assert not any("987654321" in line for line in lines)


def test_quiet_hours_setting() -> None:
    from bot.config import ConfigError, load_settings
    from bot.engine.outcomes import parse_quiet_hours

    def read(value: str) -> str:
        return load_settings({"QUIET_HOURS": value}, None, require_token=False).quiet_hours

    assert parse_quiet_hours(read("")) == QUIET  # the default, 21:00-08:00
    assert parse_quiet_hours(read("22:30-07:00")) == (1350, 420)
    assert parse_quiet_hours(read("off")) is None
    with pytest.raises(ConfigError, match="QUIET_HOURS"):
        read("at night")


async def test_a_note_goes_out_in_chunks_and_resumes_after_a_crash(
        db: Database, flows: FlowSet, monkeypatch: pytest.MonkeyPatch) -> None:
    for user in range(100, 105):
        run_id = await accept(db, flows, "2026-03-01", at("2026-03-10 12:00"), user=user)
        async with db.transaction() as tx:
            await followups.answer(tx, flows, run_id, user, result="refused", mask=1, now=0)
    monkeypatch.setattr(announcements, "CHUNK", 2)
    real = announcements.enqueue_bulk
    calls = 0

    async def crash_on_second_chunk(tx: Any, messages: list) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("power cut")
        await real(tx, messages)

    monkeypatch.setattr(announcements, "enqueue_bulk", crash_on_second_chunk)
    note = lambda flow, change, lang: {"text": change.id}  # noqa: E731
    with pytest.raises(RuntimeError):
        await announcements.announce(db, flows, note)
    assert [chat for chat, _ in await sent(db)] == [100, 101]  # the first chunk committed
    assert await announcements.announce(db, flows, note) == {"t-birth/no-fee": 5}
    assert [chat for chat, _ in await sent(db)] == [100, 101, 102, 103, 104]  # each once
    assert await announcements.announce(db, flows, note) == {}
