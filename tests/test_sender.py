"""Outbox delivery: order, retries, blocked chats, edits, and the flood-limit arithmetic."""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fakebotapi import FakeBotAPI
from telegram import Bot

from bot.storage import Database, outbox
from bot.tg.ratelimit import RateLimiter, TokenBucket
from bot.tg.sender import Sender, counts_as_message


class Clock:
    """A clock that moves only when told to."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# -- rate limits (pure arithmetic, injected clock) ---------------------------------------------
def test_token_bucket_refills_at_its_rate() -> None:
    bucket = TokenBucket(rate=1.0, capacity=3, now=0.0)
    for _ in range(3):
        assert bucket.wait_time(0.0) == 0
        bucket.take(0.0)
    assert bucket.wait_time(0.0) == pytest.approx(1.0)
    assert bucket.wait_time(0.25) == pytest.approx(0.75)
    assert bucket.wait_time(1.0) == 0
    bucket.take(1.0)
    assert bucket.wait_time(100.0) == 0 and bucket.tokens == 3  # never above the burst


def test_rate_limiter_per_chat_burst_then_one_per_second() -> None:
    clock = Clock(0.0)
    limiter = RateLimiter(global_rate=30, chat_rate=1, chat_burst=3, clock=clock,
                          global_burst=30)
    assert [limiter.reserve(1) for _ in range(3)] == [0, 0, 0]
    assert limiter.reserve(1) == pytest.approx(1.0)
    assert limiter.reserve(2) == 0  # another chat is not held back
    clock.advance(1.0)
    assert limiter.reserve(1) == 0
    assert limiter.reserve(1) == pytest.approx(1.0)


def test_rate_limiter_global_limit_across_chats() -> None:
    clock = Clock(0.0)
    limiter = RateLimiter(global_rate=30, chat_rate=1, chat_burst=3, clock=clock,
                          window_span=1.0)
    for chat in range(30):  # as fast as allowed: a few at once, then paced
        while (wait := limiter.reserve(chat)) > 0:
            clock.advance(wait)
    full_at = clock.now
    assert full_at < 1.0
    # The bucket has a token again by now, but the window is full until 1 s.
    clock.advance(1 / 30)
    assert limiter.reserve(99) == pytest.approx(1 - full_at - 1 / 30)
    clock.advance(1 - full_at - 1 / 30)
    assert limiter.reserve(99) == 0


def test_what_counts_as_a_message() -> None:
    assert counts_as_message("sendMessage") and counts_as_message("editMessageText")
    assert counts_as_message("copyMessage")
    assert not counts_as_message("answerCallbackQuery")
    assert not counts_as_message("sendChatAction")
    assert not counts_as_message("setMyCommands")


def test_backoff_doubles_with_jitter_and_is_capped(db: Database) -> None:
    sender = Sender(Bot("1:x"), db, rng=random.Random(7))
    for attempt, full in [(1, 1), (2, 2), (3, 4), (4, 8), (7, 60), (30, 60)]:
        delay = sender.backoff(attempt)
        assert full / 2 <= delay <= full


# -- delivery against the fake Bot API --------------------------------------------------------
@pytest.fixture
def clock() -> Clock:
    return Clock(time.time() + 60)  # rows enqueued during the test are due at once


@pytest.fixture
async def sender(api_bot: Bot, db: Database, clock: Clock) -> AsyncIterator[Sender]:
    blocked: list[int] = []

    async def on_blocked(chat_id: int) -> None:
        blocked.append(chat_id)

    sender = Sender(api_bot, db, clock=clock, on_blocked=on_blocked, rng=random.Random(1))
    sender.blocked = blocked  # type: ignore[attr-defined]
    yield sender


async def enqueue(db: Database, chat_id: int, method: str = "sendMessage", **params: Any) -> int:
    params.setdefault("chat_id", chat_id)
    async with db.transaction() as tx:
        return await outbox.enqueue(tx, chat_id, method, params)


async def status(db: Database, row_id: int) -> str:
    return (await outbox.get(db, row_id)).status


async def test_delivers_in_order_and_records_message_ids(fake_api, sender, db) -> None:
    ids = [await enqueue(db, 1, text=f"m{i}") for i in range(3)]
    other = await enqueue(db, 2, text="other chat")
    await sender.run_once()
    assert fake_api.texts_to(1) == ["m0", "m1", "m2"]
    assert fake_api.texts_to(2) == ["other chat"]
    assert [(await outbox.get(db, i)).message_id for i in ids] == [1, 2, 3]
    assert await status(db, other) == "sent"


async def test_429_waits_retry_after_and_holds_the_chat(fake_api, sender, db, clock) -> None:
    fake_api.fail_next("sendMessage", status=429, retry_after=2)
    first, second = await enqueue(db, 1, text="first"), await enqueue(db, 1, text="second")
    await sender.run_once()
    row = await outbox.get(db, first)
    assert (row.status, row.attempts, row.due_at) == ("pending", 1, clock() + 2)
    assert await status(db, second) == "pending"  # did not overtake the first
    clock.advance(1.9)
    await sender.run_once()
    assert fake_api.texts_to(1) == []
    clock.advance(0.1)
    await sender.run_once()
    assert fake_api.texts_to(1) == ["first", "second"]


async def test_server_errors_back_off_exponentially(fake_api, sender, db, clock) -> None:
    fake_api.fail_next("sendMessage", status=500)
    fake_api.fail_next("sendMessage", status=502)
    row_id = await enqueue(db, 1, text="patience")
    start = clock()
    await sender.run_once()
    first = await outbox.get(db, row_id)
    assert 0.5 <= first.due_at - start <= 1
    clock.now = first.due_at
    await sender.run_once()
    second = await outbox.get(db, row_id)
    assert 1 <= second.due_at - first.due_at <= 2 and second.attempts == 2
    clock.now = second.due_at
    await sender.run_once()
    assert await status(db, row_id) == "sent"
    assert fake_api.texts_to(1) == ["patience"]


async def test_blocked_chat_is_remembered_and_dropped(fake_api, sender, db) -> None:
    fake_api.block(5)
    rows = [await enqueue(db, 5, text=f"m{i}") for i in range(3)]
    other = await enqueue(db, 6, text="still delivered")
    await sender.run_once()
    assert [await status(db, r) for r in rows] == ["dropped"] * 3
    assert await status(db, other) == "sent"
    assert sender.blocked == [5]
    assert await outbox.is_blocked(db, 5)
    late = await enqueue(db, 5, text="later")
    await sender.run_once()
    assert await status(db, late) == "dropped"
    attempts = [c for c in fake_api.calls if c.chat_id == 5]
    assert len(attempts) == 1  # one 403, no retry storm


async def test_not_modified_counts_as_sent(fake_api, sender, db, api_bot) -> None:
    sent = await api_bot.send_message(1, "same")
    row_id = await enqueue(db, 1, "editMessageText", message_id=sent.message_id, text="same")
    await sender.run_once()
    assert await status(db, row_id) == "sent"


async def test_edit_of_a_lost_message_becomes_a_new_message(fake_api, sender, db) -> None:
    fake_api.user_message(1, "a message the bot cannot edit")
    keyboard = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
    gone = await enqueue(db, 1, "editMessageText", message_id=404, text="new text",
                         reply_markup=keyboard)
    theirs = await enqueue(db, 1, "editMessageText", message_id=1, text="second")
    await sender.run_once()
    assert fake_api.texts_to(1) == ["new text", "second"]
    assert [c.method for c in fake_api.calls_to(1)] == ["sendMessage", "sendMessage"]
    row = await outbox.get(db, gone)
    assert row.status == "sent" and row.result == {"message_id": 2, "fallback": "sendMessage"}
    assert (await outbox.get(db, theirs)).message_id == 3
    assert fake_api.messages[(1, 2)]["reply_markup"] == keyboard


async def test_other_bad_requests_fail_without_blocking_the_chat(fake_api, sender, db, caplog):
    fake_api.fail_next("sendMessage", status=400, description="Bad Request: chat not found")
    bad, good = await enqueue(db, 1, text="secret words"), await enqueue(db, 1, text="next")
    await sender.run_once()
    row = await outbox.get(db, bad)
    assert (row.status, row.error) == ("failed", "BadRequest: Chat not found")
    assert await status(db, good) == "sent"
    assert "sendMessage failed: BadRequest: Chat not found" in caplog.text
    assert "secret words" not in caplog.text


async def test_background_loop_wakes_on_commit(fake_api: FakeBotAPI, api_bot: Bot, db) -> None:
    sender = Sender(api_bot, db)
    await sender.start()
    try:
        await enqueue(db, 3, text="wake up")
        await fake_api.wait_for(lambda c: c.params.get("text") == "wake up", timeout=3)
        async with db.transaction() as tx:
            await outbox.enqueue(tx, 3, "sendMessage", {"chat_id": 3, "text": "soon"},
                                 due_at=time.time() + 0.05)
        await fake_api.wait_for(lambda c: c.params.get("text") == "soon", timeout=3)
    finally:
        await sender.stop()
