"""A person who floods their case: one notice, slowed down, nothing lost, others not delayed;
their burst reaches the volunteer merged, and the volunteer's other case is not held up."""

from __future__ import annotations

import time
from functools import partial

import pytest
from mediation_helpers import Desk, kg

from bot import app
from bot.services.flood import FloodGuard
from bot.tg.ratelimit import RateLimiter

FLOODER, OTHER, VOLUNTEER = 4243001, 4243002, 821
NOTICE = "You are sending messages very quickly"


@pytest.fixture
async def desk(fake_api, start_bot, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setattr(app, "RateLimiter", partial(RateLimiter, chat_rate=1000, chat_burst=1000))
    # A small budget (5 at once, then 10 a second) keeps the story short.
    monkeypatch.setattr(app, "FloodGuard", partial(FloodGuard, burst=5, rate=10.0))
    return Desk(fake_api, start_bot, tmp_path)


async def _taken_case(desk: Desk, person: int) -> int:
    desk.say(person, "/start kg-birth", lang="en")
    desk.say(person, "/human help", lang="en")
    await desk.settle()
    case_id = await desk.open_case_of(person)
    await desk.take(VOLUNTEER, case_id)
    return case_id


async def test_a_flood_gets_one_notice_loses_nothing_and_delays_nobody(desk: Desk) -> None:
    await desk.start([kg(VOLUNTEER, "ru", "en")])
    flood_case = await _taken_case(desk, FLOODER)
    other_case = await _taken_case(desk, OTHER)
    began = time.monotonic()
    for n in range(40):
        desk.say(FLOODER, f"flood {n:02d}", lang="en")
    desk.say(OTHER, "a question from someone else", lang="en")
    await desk.expect(VOLUNTEER, "a question from someone else")
    other_after = time.monotonic() - began
    await desk.settle(timeout=15)
    flood_took = time.monotonic() - began
    # Slowed down: 35 updates over budget at 10/s take more than 3 s; the other person's
    # message went through long before.
    assert flood_took > 3.0 and other_after < 1.5
    assert sum(NOTICE in text for text in desk.texts(FLOODER)) == 1
    relayed = [line for text in desk.texts(VOLUNTEER) for line in text.split("\n")
               if "flood" in line]
    assert [line.rsplit(" ", 1)[1] for line in relayed] == [f"{n:02d}" for n in range(40)]
    assert all(f"#{flood_case}" in line for line in relayed)  # each keeps its header
    assert other_case != flood_case
    left = await desk.db.fetchone("SELECT COUNT(*) AS n FROM inbox WHERE status != 'done'")
    assert left["n"] == 0


async def test_a_reply_to_a_merged_relay_reaches_its_case(fake_api, start_bot, tmp_path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           ) -> None:
    """With Telegram's pace in the volunteer's chat, a burst arrives merged; the volunteer
    answers it with Telegram's reply, while another case is their current one."""
    monkeypatch.setattr(app, "RateLimiter", partial(RateLimiter, chat_rate=2.0, chat_burst=1))
    desk = Desk(fake_api, start_bot, tmp_path)
    await desk.start([kg(VOLUNTEER, "ru", "en")])
    flood_case = await _taken_case(desk, FLOODER)
    await _taken_case(desk, OTHER)  # now the volunteer's current case
    for n in range(6):
        desk.say(FLOODER, f"part {n}", lang="en")
    await desk.settle(timeout=15)
    merged = [(chat, mid) for (chat, mid), m in fake_api.messages.items()
              if chat == VOLUNTEER and "part 0" in (m.get("text") or "")]
    assert len(merged) == 1
    message = fake_api.messages[merged[0]]
    assert message["text"].count("part") > 1  # several of the person's messages in one
    desk.say(VOLUNTEER, "answer to the burst", reply_to_message=message)
    await desk.settle(timeout=15)
    assert any("answer to the burst" in text for text in desk.texts(FLOODER))
    assert not any("answer to the burst" in text for text in desk.texts(OTHER))
    assert flood_case != await desk.open_case_of(OTHER)
