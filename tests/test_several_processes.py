"""Several bot processes on one PostgreSQL database: nothing lost, nothing twice, in order.

Real ``python -m bot`` processes in webhook mode (see ``processes.py``) against the fake Bot
API; the database is read from outside, as an operator would. PostgreSQL only.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from pathlib import Path

import aiohttp
import pytest
from backend import read_rows
from fakebotapi import FakeBotAPI
from processes import BotProcess, text_update

from bot.storage import Database, records
from bot.storage.inbox_claims import MAX_ATTEMPTS

pytestmark = pytest.mark.postgres_only


async def _processes(fake: FakeBotAPI, tmp_path: Path, n: int, **env: str) -> list[BotProcess]:
    bots = [BotProcess(fake.base_url, fake.token, tmp_path, **env) for _ in range(n)]
    for bot in bots:  # one after the other: the first applies the migrations
        await bot.start()
    return bots


async def _stop(bots: list[BotProcess]) -> str:
    logs = [await bot.stop() for bot in bots]
    return "\n".join(logs)


def _q(sql: str, params: tuple = ()) -> list[tuple]:
    return read_rows(None, sql, params)


async def _settled(total: int, timeout: float = 60) -> None:
    """Every stored update finished and every owed message delivered."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = _q("SELECT COUNT(*) FROM inbox WHERE status != 'pending'")
        pending = _q("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
        if done and done[0][0] >= total and pending and pending[0][0] == 0:
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"not settled: {_q('SELECT status, COUNT(*) FROM inbox GROUP BY 1')}")


def _replies_per_chat() -> dict[int, int]:
    return dict(_q("SELECT chat_id, COUNT(*) FROM outbox WHERE chat_id IS NOT NULL"
                   " GROUP BY chat_id"))


def _in_order() -> None:
    """Each chat's updates were handled (claimed for their turn) in update_id order."""
    rows = _q("SELECT chat_id, update_id, processed_at FROM inbox WHERE chat_id IS NOT NULL"
              " ORDER BY chat_id, update_id")
    last: dict[int, float] = {}
    for chat, update_id, at in rows:
        assert at >= last.get(chat, 0.0), f"chat {chat}: update {update_id} handled early"
        last[chat] = at


async def test_the_same_update_delivered_to_two_processes_is_handled_once(
        fake_api: FakeBotAPI, tmp_path: Path) -> None:
    bots = await _processes(fake_api, tmp_path, 2)
    try:
        async with aiohttp.ClientSession() as session:
            twice = text_update(1, 501, "/start")
            assert await bots[0].post(session, twice) == 200
            assert await bots[1].post(session, twice) == 200  # Telegram retried elsewhere
            assert await bots[1].post(session, text_update(2, 502, "/start")) == 200
        await _settled(2)
    finally:
        output = await _stop(bots)
    assert _q("SELECT COUNT(*) FROM inbox")[0][0] == 2
    replies = _replies_per_chat()
    assert replies[501] == replies[502] > 0  # once, as for the chat that sent it once
    assert "Traceback" not in output


async def test_three_processes_and_300_updates_over_10_chats_keep_order_and_lose_none(
        fake_api: FakeBotAPI, tmp_path: Path) -> None:
    bots = await _processes(fake_api, tmp_path, 3)
    try:
        async with aiohttp.ClientSession() as session:
            for k in range(300):  # each to the next process, as a load balancer would
                chat = 700 + k % 10
                text = "/start" if k < 10 else "/help"
                assert await bots[k % 3].post(session, text_update(1000 + k, chat, text)) == 200
        await _settled(300, timeout=120)
    finally:
        output = await _stop(bots)
    assert _q("SELECT status, COUNT(*) FROM inbox GROUP BY status") == [("done", 300)]
    _in_order()
    replies = _replies_per_chat()
    assert len(replies) == 10 and len(set(replies.values())) == 1  # same work, once each
    owners = _q("SELECT COUNT(DISTINCT lease_owner) FROM inbox")[0][0]
    assert owners >= 2  # the work was shared
    assert "Traceback" not in output


async def test_kill_9_mid_update_it_is_handled_once_after_its_lease(
        fake_api: FakeBotAPI, tmp_path: Path) -> None:
    bots = await _processes(fake_api, tmp_path, 2, INBOX_LEASE_SECONDS="2")
    try:
        async with aiohttp.ClientSession() as session:
            for k in range(40):
                await bots[k % 2].post(session, text_update(2000 + k, 800 + k % 4, "/help"))
            bots[0].kill()  # kill -9 while turns are running
            # The state kill -9 leaves in the middle of a turn: the row claimed, its lease
            # running, the turn's own transaction rolled back by the server.
            lease_end = time.time() + 2.0
            _q("INSERT INTO inbox (update_id, chat_id, payload, received_at, attempts,"
               " lease_until, lease_owner) VALUES (?, ?, ?, ?, 1, ?, 'killed')",
               (2100, 809, _payload(2100, 809), time.time(), lease_end))
            await bots[1].post(session, text_update(2101, 809, "/help"))
            await asyncio.sleep(1.0)
            assert _q("SELECT status FROM inbox WHERE update_id = 2100") == [("pending",)]
            assert _q("SELECT status FROM inbox WHERE update_id = 2101") == [("pending",)]
        await _settled(42, timeout=60)
    finally:
        output = await _stop(bots)
    assert _q("SELECT status, COUNT(*) FROM inbox GROUP BY status") == [("done", 42)]
    row = _q("SELECT attempts, processed_at FROM inbox WHERE update_id = 2100")[0]
    assert row[0] == 2 and row[1] >= lease_end  # once, by the live process, after the lease
    _in_order()
    updates = dict(_q("SELECT chat_id, COUNT(*) FROM inbox GROUP BY chat_id"))
    assert _replies_per_chat() == updates  # one answer per /help: nothing twice, none lost
    assert "Traceback" not in output


def _payload(update_id: int, chat: int) -> str:
    import json

    return json.dumps(text_update(update_id, chat, "/help"))


async def test_a_poison_update_is_set_aside_and_its_chat_goes_on(
        fake_api: FakeBotAPI, tmp_path: Path) -> None:
    # An update whose turn never finished MAX_ATTEMPTS times (it killed its process each
    # time), then the chat's next message.
    now = time.time()
    db = await Database.open(tmp_path / "db")
    await db.close()
    _q("INSERT INTO inbox (update_id, chat_id, payload, received_at, attempts, lease_until,"
       " lease_owner) VALUES (?, ?, ?, ?, ?, ?, 'dead')",
       (3000, 901, _payload(3000, 901), now, MAX_ATTEMPTS, now - 1))
    _q("INSERT INTO inbox (update_id, chat_id, payload, received_at) VALUES (?, ?, ?, ?)",
       (3001, 901, _payload(3001, 901), now))
    bots = await _processes(fake_api, tmp_path, 2)
    try:
        await _settled(2)
    finally:
        output = await _stop(bots)
    statuses = dict(_q("SELECT update_id, status FROM inbox"))
    assert statuses == {3000: "failed", 3001: "done"}  # kept for the operator; chat went on
    error = _q("SELECT error FROM inbox WHERE update_id = 3000")[0][0]
    assert "set aside after 3 attempts" in error
    texts = fake_api.texts_to(901)
    assert len(texts) >= 2  # the apology, then the answer to the next message
    assert "set aside" in output


async def test_two_processes_due_for_the_same_timer_fire_it_once(tmp_path: Path) -> None:
    first = await Database.open(tmp_path / "db")
    second = await Database.open(tmp_path / "db")  # another pool: another process's view
    try:
        async with first.transaction() as tx:
            await records.add_timer(tx, "renotify", 1, time.time() - 1)
        (timer,) = await records.due_timers(second, time.time())
        fired: list[str] = []
        gate = asyncio.Event()

        async def fire(db: Database, name: str, hold: float) -> None:
            async with db.transaction() as tx:
                if await records.claim_timer(tx, timer["id"]):
                    fired.append(name)
                    gate.set()
                    await asyncio.sleep(hold)  # the timer's work, row locked meanwhile
                    await records.finish_timer(tx, timer["id"])

        async def later(db: Database, name: str) -> None:
            await gate.wait()
            await fire(db, name, 0)  # while the first holds it (SKIP LOCKED: no wait)
            await asyncio.sleep(0.5)
            await fire(db, name, 0)  # after it finished

        await asyncio.gather(fire(first, "first", 0.3), later(second, "second"))
        assert fired == ["first"]
    finally:
        await first.close()
        await second.close()


async def test_three_processes_together_send_at_most_30_messages_in_any_second(
        fake_api: FakeBotAPI, tmp_path: Path) -> None:
    bots = await _processes(fake_api, tmp_path, 3)
    try:
        async with aiohttp.ClientSession() as session:
            for k in range(90):  # 90 people write at once, to all three processes
                assert await bots[k % 3].post(session, text_update(4000 + k, 1000 + k,
                                                                   "/start")) == 200
        await _settled(90, timeout=90)
    finally:
        output = await _stop(bots)
    sends = sorted(c.at for c in fake_api.calls if c.method.startswith("send") and c.ok)
    assert len(sends) >= 90
    busiest = max(sum(1 for t in sends[i:] if t - start < 1.0)
                  for i, start in enumerate(sends))
    assert busiest <= 30, f"{busiest} messages in one second"
    per_chat = Counter(c.chat_id for c in fake_api.calls if c.method == "sendMessage")
    assert len(per_chat) == 90
    assert "Traceback" not in output


PRESSABLE = re.compile(r"^(c:[A-Z]{2}|s:.+|f:\d+:.+)$")  # country, procedure, a flow answer


def _latest_buttons(fake: FakeBotAPI, chat: int) -> tuple[int, str] | None:
    """The first pressable button of the bot's latest message to ``chat`` (None: that message
    asks for typing, or ends the journey)."""
    mine = [(mid, m) for (cid, mid), m in fake.messages.items()
            if cid == chat and m.get("from", {}).get("id") != chat]
    if not mine:
        return None
    message_id, message = max(mine, key=lambda item: item[0])
    for row in message.get("reply_markup", {}).get("inline_keyboard", []):
        for button in row:
            if PRESSABLE.match(str(button.get("callback_data", ""))):
                return message_id, button["callback_data"]
    return None


async def _handled(update_id: int, chat: int, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = _q("SELECT status FROM inbox WHERE update_id = ?", (update_id,))
        owed = _q("SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND status = 'pending'",
                  (chat,))
        if row and row[0][0] != "pending" and owed[0][0] == 0:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"update {update_id} of chat {chat} not handled")


async def test_people_go_through_procedures_across_two_processes_one_killed_midway(
        fake_api: FakeBotAPI, tmp_path: Path) -> None:
    """As the acceptance check: updates to both processes alternately, people pressing the
    buttons the bot showed them, one process killed in the middle."""
    bots = await _processes(fake_api, tmp_path, 2, INBOX_LEASE_SECONDS="3")
    fake_api.webhook = None  # we deliver ourselves (the fake cannot reach https://)
    alive = list(bots)
    sent = 0

    async def deliver(session: aiohttp.ClientSession, chat: int) -> None:
        nonlocal sent
        update = fake_api._queue.pop()
        sent += 1
        for _ in range(100):  # as Telegram: again (to the next process) until a 200
            bot = alive[sent % len(alive)]
            try:
                if await bot.post(session, update) == 200:
                    break
            except aiohttp.ClientError:
                pass
            sent += 1
            await asyncio.sleep(0.05)
        await _handled(update["update_id"], chat)

    async def person(session: aiohttp.ClientSession, chat: int) -> int:
        fake_api.user_message(chat, "/start", lang="ru")
        await deliver(session, chat)
        presses = 0
        for _ in range(6):
            found = _latest_buttons(fake_api, chat)
            if found is None:
                break
            fake_api.press(chat, found[0], found[1])
            await deliver(session, chat)
            presses += 1
        return presses

    async def killer() -> None:
        while sent < 25:
            await asyncio.sleep(0.02)
        # The process that is not the elected sender: a sender killed between Telegram's
        # answer and recording it sends that message again after failover (at least once).
        victim = bots[1]
        victim.kill()
        alive.remove(victim)

    try:
        async with aiohttp.ClientSession() as session:
            results = await asyncio.gather(*(person(session, 600 + i) for i in range(8)),
                                           killer())
    finally:
        output = await _stop(bots)
    assert all(presses >= 2 for presses in results[:-1]), results
    assert _q("SELECT COUNT(*) FROM inbox WHERE status != 'done'") == [(0,)]
    _in_order()
    for chat in range(600, 608):  # nothing twice: each stored message delivered once
        delivered = sum(1 for c in fake_api.calls
                        if c.chat_id == chat and c.method == "sendMessage" and c.ok)
        stored = _q("SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND method = 'sendMessage'"
                    " AND status = 'sent'", (chat,))[0][0]
        assert delivered == stored, (chat, delivered, stored)
    assert "Traceback" not in output
