"""The workspace as a team's tool: the Queue summary, response targets, shifts and capacity."""

from __future__ import annotations

import time
from functools import partial

import pytest
from mediation_helpers import ADMIN, Desk
from workspace_helpers import GROUP, PERSON, SN_V1, SN_V2, Team, french_case, sn

from bot import app
from bot.storage import records, volunteers, ws_outbox
from bot.storage import targets as target_rows
from bot.tg import ratelimit
from bot.tg.ratelimit import RateLimiter
from bot.tg.workspace.targets_worker import TargetWorker


@pytest.fixture
async def desk(fake_api, start_bot, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setattr(app, "RateLimiter", partial(RateLimiter, chat_rate=1000, chat_burst=1000))
    monkeypatch.setattr(ratelimit, "GROUP_LIMIT", 1000)
    return Desk(fake_api, start_bot, tmp_path)


@pytest.fixture
async def team(desk: Desk) -> Team:
    desk.fake.forum(GROUP)
    await desk.start([sn(SN_V1, "Fatou"), sn(SN_V2, "Moussa", "fr", "wo"),
                      sn(814, "Ibou", "wo")])
    team = Team(desk)
    await team.bind(ADMIN)
    return team


def queue_topic(team: Team):
    found = [t for t in team.fake.live_topics(GROUP) if t.name == "Queue"]
    assert len(found) == 1
    return found[0]


async def test_the_queue_topic_holds_one_pinned_summary_edited_at_most_once_a_minute(
        team: Team) -> None:
    case_id = await french_case(team.desk, team)
    queue = queue_topic(team)
    summaries = [m for m in team.fake.in_topic(GROUP, queue.thread_id) if "Queue" in
                 m.get("text", "")]
    assert len(summaries) == 1 and summaries[0]["message_id"] in queue.pinned
    assert "Open: 1 · unclaimed: 1" in summaries[0]["text"]
    assert f"#{case_id}" in summaries[0]["text"]
    for volunteer, action in ((SN_V1, "claim"), (SN_V1, "release"), (SN_V2, "claim")):
        team.press(volunteer, f"w:{action}:{case_id}")
        await team.settle()
    pending = await team.desk.db.fetchall(
        "SELECT due_at FROM ws_outbox WHERE method = '_queue' AND status = 'pending'")
    last = await ws_outbox.last_sent(team.desk.db, GROUP, "_queue")
    assert len(pending) == 1 and pending[0]["due_at"] >= last + 59  # coalesced, a minute on
    edits = [c for c in team.fake.calls if c.method == "editMessageText"
             and c.params.get("message_id") == summaries[0]["message_id"]]
    assert edits == []


async def test_a_missed_first_answer_is_posted_once_and_counted(team: Team) -> None:
    desk = team.desk
    case_id = await french_case(desk, team)
    team.command(SN_V2, "/shift on")
    await team.settle()
    worker = desk.worker(TargetWorker)
    assert await worker.run_due(time.time() + 59 * 60) == 0
    await worker.run_due(time.time() + 61 * 60)
    await worker.run_due(time.time() + 62 * 60)  # once only
    await team.settle()
    misses = [t for t in team.topic_texts(case_id) if "No first answer within 60 min" in t]
    assert len(misses) == 1
    mention = next(c for c in team.fake.calls if c.method == "sendMessage"
                   and c.chat_id == GROUP and "No first answer" in c.params["text"])
    assert f"tg://user?id={SN_V2}" in mention.params["text"]  # the on-shift team
    counters = {(r["name"], r["key"]): r["count"] for r in await records.counters(desk.db)}
    month = time.strftime("%Y-%m", time.gmtime())
    assert counters[("target_first", f"SN:{month}:missed")] == 1


async def test_targets_are_met_pause_while_waiting_and_stop_at_close(team: Team) -> None:
    desk = team.desk
    case_id = await french_case(desk, team)
    team.press(SN_V1, f"w:claim:{case_id}")
    await team.settle()
    team.write(SN_V1, team.topic(case_id).thread_id, "Bonjour !")
    await team.settle()
    first = await target_rows.get(desk.db, case_id, "first")
    later = await target_rows.get(desk.db, case_id, "next")
    assert (first["status"], later["status"]) == ("met", "paused")
    worker = desk.worker(TargetWorker)
    await worker.run_due(time.time() + 30 * 3600)  # waiting for the person: nothing runs
    assert (await target_rows.get(desk.db, case_id, "next"))["status"] == "paused"
    desk.say(PERSON, "Merci, une autre question", lang="fr")
    await team.settle()
    assert (await target_rows.get(desk.db, case_id, "next"))["status"] == "running"
    team.press(SN_V1, f"w:close:{case_id}")
    await team.settle()
    assert (await target_rows.get(desk.db, case_id, "next"))["status"] == "stopped"
    await worker.run_due(time.time() + 30 * 3600)
    assert not any("waited over" in t for t in team.topic_texts(case_id))
    counters = {(r["name"], r["key"]): r["count"] for r in await records.counters(desk.db)}
    month = time.strftime("%Y-%m", time.gmtime())
    assert counters[("target_first", f"SN:{month}:met")] == 1


async def test_shift_capacity_and_round_robin_suggestions(team: Team) -> None:
    desk = team.desk
    for volunteer in (SN_V1, SN_V2, 814):
        team.command(volunteer, "/shift on")
    team.command(SN_V2, "/capacity 1")
    await team.settle()
    assert "at most 1 open cases" in team.replies()[-1]
    first = await french_case(desk, team, PERSON, "Awa")
    second = await french_case(desk, team, PERSON + 1, "Binta")
    suggested = [next(t for t in team.topic_texts(c) if "Suggested" in t)
                 for c in (first, second)]
    assert "Fatou" in suggested[0] and "Moussa" in suggested[1]  # round robin; Ibou: wo only
    team.press(SN_V2, f"w:claim:{second}")
    await team.settle()
    third = await french_case(desk, team, PERSON + 2, "Coumba")
    assert "Fatou" in next(t for t in team.topic_texts(third) if "Suggested" in t)  # V2 full


async def test_nobody_on_shift_gives_the_admins_one_digest(team: Team) -> None:
    desk = team.desk
    for n in range(3):
        await french_case(desk, team, PERSON + n, f"P{n}")
    digests = [t for t in desk.texts(ADMIN) if "nobody on shift" in t]
    assert len(digests) == 1


async def test_away_until_a_date_and_back(team: Team) -> None:
    desk = team.desk
    team.command(SN_V1, "/away until 2099-01-31")
    await team.settle()
    assert "away until 2099-01-31" in team.replies()[-1]
    assert not (await volunteers.get(desk.db, SN_V1)).available
    desk.say(SN_V1, "/shift on")
    desk.say(SN_V1, "/available")
    await team.settle()
    assert (await volunteers.get(desk.db, SN_V1)).available
    assert any("on shift" in t for t in desk.texts(SN_V1))
