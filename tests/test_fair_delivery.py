"""A chat's threads served round robin, bursts of one thread merged, the bulk lane last.

Against the fake Bot API through the real Sender; the per-chat flood limit is lifted where
the test is about order (the limiter has tests of its own in test_ratelimit.py).
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

import pytest

from bot.storage import Database, outbox
from bot.storage.outbox import NewRow
from bot.tg import delivery_plan
from bot.tg.ratelimit import RateLimiter
from bot.tg.sender import Sender

VOLUNTEER = 500


def _sender(api_bot: Any, db: Database, **limits: Any) -> Sender:
    limiter = RateLimiter(**{"global_rate": 10_000, "chat_rate": 10_000, "chat_burst": 10_000,
                             "global_burst": 10_000, **limits})
    return Sender(api_bot, db, limiter=limiter, rng=random.Random(1))


def _text(text: str, *, plain: bool = True) -> dict[str, Any]:
    params: dict[str, Any] = {"chat_id": VOLUNTEER, "text": text, "parse_mode": "HTML",
                              "link_preview_options": {"is_disabled": True}}
    if not plain:
        params["disable_notification"] = True  # anything else than text: never merged
    return params


async def _queue(db: Database, rows: list[tuple[str | None, str, bool]]) -> list[int]:
    """(thread, text, plain) rows to the volunteer, in this order, ref = thread."""
    async with db.transaction() as tx:
        return await outbox.enqueue_many(tx, [
            NewRow(VOLUNTEER, "sendMessage", _text(text, plain=plain), thread, None, "chat",
                   thread) for thread, text, plain in rows])


def _texts(fake_api: Any) -> list[str]:
    return fake_api.texts_to(VOLUNTEER)


async def test_threads_of_a_chat_are_served_round_robin(fake_api, api_bot, db) -> None:
    """One case with ten messages queued first no longer holds back the others."""
    await _queue(db, [("case:1", f"A{i}", False) for i in range(1, 6)]
                 + [("case:2", "B1", False), (None, "reply to /cases", False),
                    ("case:1", "A6", False), ("case:3", "C1", False)])
    await _sender(api_bot, db).run_once()
    assert _texts(fake_api) == ["A1", "B1", "reply to /cases", "C1", "A2", "A3", "A4", "A5",
                                "A6"]


async def test_a_burst_of_one_thread_is_merged_in_order(fake_api, api_bot, db) -> None:
    ids = await _queue(db, [("case:1", f"line {i}", True) for i in range(1, 6)]
                       + [("case:2", "other case", True)])
    await _sender(api_bot, db).run_once()
    assert _texts(fake_api) == ["line 1\nline 2\nline 3\nline 4\nline 5", "other case"]
    rows = [await outbox.get(db, row_id) for row_id in ids[:5]]
    assert {row.status for row in rows} == {"sent"}
    assert len({row.message_id for row in rows}) == 1  # one message, every row points at it
    # A reply to the merged message still finds its case.
    assert await outbox.ref_of_message(db, VOLUNTEER, rows[3].message_id) == "case:1"


async def test_merging_stays_within_telegrams_limit_and_loses_nothing(fake_api, api_bot,
                                                                      db) -> None:
    texts = [f"{i:03d} " + "x" * 996 for i in range(9)]  # 1,000 characters each
    await _queue(db, [("case:1", text, True) for text in texts])
    await _sender(api_bot, db).run_once()
    delivered = _texts(fake_api)
    assert [len(t) for t in delivered] == [4003, 4003, 1000]
    assert "\n".join(delivered).split("\n") == texts
    assert fake_api.take_violations() == []


async def test_chats_without_threads_keep_strict_order_and_are_not_merged(fake_api, api_bot,
                                                                          db) -> None:
    await _queue(db, [(None, f"m{i}", True) for i in range(4)])
    await _sender(api_bot, db).run_once()
    assert _texts(fake_api) == ["m0", "m1", "m2", "m3"]


async def test_the_bulk_lane_goes_after_every_chat_lane_message(fake_api, api_bot, db) -> None:
    """A chat-lane message queued while a bulk wave drains overtakes the rest of the wave."""
    async with db.transaction() as tx:
        await outbox.enqueue_many(tx, [
            NewRow(2000 + n, "sendMessage", {"chat_id": 2000 + n, "text": f"bulk {n}"},
                   lane="bulk") for n in range(40)])
    sender = _sender(api_bot, db, global_rate=20, global_burst=1)
    await sender.start()
    try:
        await fake_api.wait_for(lambda call: call.params.get("text") == "bulk 4", timeout=10)
        async with db.transaction() as tx:
            await outbox.enqueue(tx, 7, "sendMessage", {"chat_id": 7, "text": "hello"})
        await fake_api.wait_for(lambda call: call.params.get("text") == "hello", timeout=10)
        order = [c.params.get("text") for c in fake_api.calls if c.method == "sendMessage"]
        assert order.index("hello") <= 8  # the next free slot or so, not after 35 bulk ones
    finally:
        await sender.stop()


async def test_a_chat_has_its_chat_lane_rows_before_its_bulk_rows(fake_api, api_bot, db) -> None:
    async with db.transaction() as tx:
        await outbox.enqueue(tx, 7, "sendMessage", {"chat_id": 7, "text": "reminder"},
                             lane="bulk")
        await outbox.enqueue(tx, 7, "sendMessage", {"chat_id": 7, "text": "answer"})
    await _sender(api_bot, db).run_once()
    assert fake_api.texts_to(7) == ["answer", "reminder"]


async def test_a_wave_is_read_a_few_chats_at_a_time(fake_api, api_bot, db) -> None:
    async with db.transaction() as tx:
        await outbox.enqueue_many(tx, [
            NewRow(3000 + n, "sendMessage", {"chat_id": 3000 + n, "text": "note"}, lane="bulk")
            for n in range(300)])
    sender = Sender(api_bot, db, limiter=RateLimiter(global_rate=10_000, global_burst=10_000),
                    bulk_lanes=16)
    await sender.start()
    try:
        most = 0
        deadline = time.monotonic() + 20
        while sum(c.method == "sendMessage" for c in fake_api.calls) < 300:
            most = max(most, len(sender._lanes))
            assert time.monotonic() < deadline
            await asyncio.sleep(0.005)
        assert most <= 16
    finally:
        await sender.stop()


async def test_unknown_lanes_are_refused(db) -> None:
    with pytest.raises(ValueError, match="lane"):
        async with db.transaction() as tx:
            await outbox.enqueue(tx, 1, "sendMessage", {"chat_id": 1, "text": "x"},
                                 lane="urgent")


def test_plan_prefers_the_thread_served_least_recently() -> None:
    def row(row_id: int, thread: str | None) -> outbox.OutboxRow:
        return outbox.OutboxRow(row_id, 1, "copyMessage", {}, "pending", 0, 0.0, 0.0, None,
                                None, None, None, "chat", thread)

    rows = [row(1, "a"), row(2, "b"), row(3, "a"), row(4, "c")]
    assert delivery_plan.plan(rows, {}, now=1.0, batch=20).thread == "a"
    assert delivery_plan.plan(rows, {"a": 5}, now=1.0, batch=20).thread == "b"
    assert delivery_plan.plan(rows, {"a": 5, "b": 6}, now=1.0, batch=20).thread == "c"
    assert delivery_plan.plan(rows, {"a": 5, "b": 6, "c": 7}, now=1.0, batch=20).thread == "a"


async def test_the_next_thread_is_chosen_when_the_chats_slot_comes(fake_api, api_bot,
                                                                   db) -> None:
    """A message for another case that arrives while the chat waits for its flood-limit slot
    takes that slot (chosen before the wait, it would wait for the busy case's send too)."""
    await _queue(db, [("case:1", f"A{i}", False) for i in range(1, 4)]
                 + [("case:3", "C1", False)])
    sender = _sender(api_bot, db, chat_rate=2.5, chat_burst=1)  # a slot every 400 ms
    await sender.start()
    try:
        await fake_api.wait_for(lambda call: call.params.get("text") == "C1", timeout=5)
        await asyncio.sleep(0.1)  # the lane has read A2, A3 and waits for the next slot
        await _queue(db, [("case:2", "B1", False)])
        await fake_api.wait_for(lambda call: call.params.get("text") == "A3", timeout=5)
    finally:
        await sender.stop()
    assert _texts(fake_api) == ["A1", "C1", "B1", "A2", "A3"]


async def test_the_bulk_lane_starts_only_chats_whose_next_row_can_go(db) -> None:
    """A chat whose chat-lane row or first bulk row waits for a retry is not offered to the
    bulk lane (it would be started, held and started again in a loop)."""
    later = time.time() + 3600
    async with db.transaction() as tx:
        await outbox.enqueue(tx, 1, "sendMessage", {"chat_id": 1, "text": "retry"}, None, later)
        await outbox.enqueue(tx, 1, "sendMessage", {"chat_id": 1, "text": "b"}, lane="bulk")
        await outbox.enqueue(tx, 2, "sendMessage", {"chat_id": 2, "text": "b1"}, None, later,
                             lane="bulk")
        await outbox.enqueue(tx, 2, "sendMessage", {"chat_id": 2, "text": "b2"}, lane="bulk")
        ready = await outbox.enqueue(tx, 3, "sendMessage", {"chat_id": 3, "text": "b"},
                                     lane="bulk")
    assert await outbox.next_bulk(db, time.time() + 1, 10) == [(ready, 3)]
