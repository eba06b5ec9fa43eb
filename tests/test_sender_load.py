"""The sender under load: rows posted while it works, many chats, long queues per chat."""

from __future__ import annotations

import asyncio
from typing import Any

from fakebotapi import FakeBotAPI
from telegram import Bot

from bot.storage import Database, outbox
from bot.tg.ratelimit import RateLimiter
from bot.tg.sender import Sender


def _fast() -> RateLimiter:
    return RateLimiter(global_rate=10_000, chat_rate=10_000, chat_burst=10_000)


async def test_a_row_added_while_its_chat_is_sending_goes_without_a_poll(
        fake_api: FakeBotAPI, api_bot: Bot, db: Database, monkeypatch) -> None:
    send = fake_api.api_sendMessage
    sending, release = asyncio.Event(), asyncio.Event()

    async def held_send(params: dict[str, Any]) -> dict[str, Any]:
        if params["text"] == "first":
            sending.set()
            await release.wait()
        return await send(params)

    monkeypatch.setattr(fake_api, "api_sendMessage", held_send)
    sender = Sender(api_bot, db, limiter=_fast(), poll_interval=300)  # no poll will come
    await sender.start()
    try:
        await enqueue(db, 1, "first")
        await asyncio.wait_for(sending.wait(), 5)
        await enqueue(db, 1, "second")  # its chat's lane has already read its rows
        release.set()
        await fake_api.wait_for(lambda c: c.params.get("text") == "second", timeout=5)
    finally:
        await sender.stop()
    assert fake_api.texts_to(1) == ["first", "second"]


async def test_rows_committed_one_by_one_go_out_in_order(fake_api: FakeBotAPI, api_bot: Bot,
                                                         db: Database) -> None:
    sender = Sender(api_bot, db, limiter=_fast(), poll_interval=300)
    await sender.start()
    try:
        for i in range(30):
            await enqueue(db, 1, f"m{i}")
        await fake_api.wait_for(lambda c: c.params.get("text") == "m29", timeout=5)
    finally:
        await sender.stop()
    assert fake_api.texts_to(1) == [f"m{i}" for i in range(30)]
    rows = await db.fetchall("SELECT status FROM outbox")
    assert {r["status"] for r in rows} == {"sent"}


async def enqueue(db: Database, chat_id: int, text: str) -> None:
    async with db.transaction() as tx:
        await outbox.enqueue(tx, chat_id, "sendMessage", {"chat_id": chat_id, "text": text})


async def test_many_chats_with_more_rows_than_a_batch(fake_api: FakeBotAPI, api_bot: Bot,
                                                      db: Database) -> None:
    sender = Sender(api_bot, db, limiter=_fast(), batch=4, max_in_flight=3)
    async with db.transaction() as tx:
        await outbox.enqueue_many(tx, [(chat, "sendMessage", {"chat_id": chat,
                                                              "text": f"{chat}:{i}"}, None, None)
                                       for i in range(10) for chat in range(1, 21)])
    await sender.run_once()
    for chat in range(1, 21):
        assert fake_api.texts_to(chat) == [f"{chat}:{i}" for i in range(10)]
    rows = await db.fetchall("SELECT status, result FROM outbox")
    assert len(rows) == 200 and {r["status"] for r in rows} == {"sent"}
    assert all(r["result"] is not None for r in rows)  # each message id was recorded


async def test_enqueue_many_keeps_the_given_order_and_drops_blocked_chats(db: Database) -> None:
    async with db.transaction() as tx:
        await outbox.block_chat(tx, 2)
    async with db.transaction() as tx:
        ids = await outbox.enqueue_many(tx, [
            (1, "sendMessage", {"text": "a"}, None, None),
            (2, "sendMessage", {"text": "b"}, "case:1", None),
            (None, "setMyCommands", {"commands": []}, None, 123.0),
            (1, "sendMessage", {"text": "c"}, None, None),
        ])
    rows = [await outbox.get(db, row_id) for row_id in ids]
    assert ids == sorted(ids)
    assert [r.params.get("text") for r in rows] == ["a", "b", None, "c"]
    assert [r.status for r in rows] == ["pending", "dropped", "pending", "pending"]
    assert rows[1].ref == "case:1" and rows[1].error == outbox.BLOCKED
    assert rows[2].due_at == 123.0
