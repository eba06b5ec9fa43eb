"""A help desk for the mediation end-to-end tests: people, volunteers and admins as helpers.

Why: each test reads as a short story ("the person escalates, the volunteer takes the case,
they talk"); the plumbing (seeding the roster, injecting updates, waiting until the bot has
processed and delivered everything) lives here once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fakebotapi import Call, FakeBotAPI

from bot.app import Runtime
from bot.cli.volunteers import add_volunteer
from bot.storage import cases, records, users
from bot.storage.cases import Case
from bot.storage.db import Database
from bot.storage.users import User
from bot.tg.mediation.workers import RetentionWorker, TimerWorker

ADMIN = 900
SETTLE_TIMEOUT = 4.0


@dataclass(frozen=True)
class Vol:
    """A volunteer to put on the roster before the bot starts; ``ui``: their bot language."""

    user_id: int
    countries: tuple[str, ...]
    languages: tuple[str, ...]
    ui: str = "en"
    alias: str | None = None


def kg(user_id: int, *languages: str, ui: str = "en", alias: str | None = None) -> Vol:
    return Vol(user_id, ("KG",), languages or ("ru",), ui, alias)


def kz(user_id: int, *languages: str, ui: str = "en") -> Vol:
    return Vol(user_id, ("KZ",), languages or ("ru",), ui)


@dataclass
class Desk:
    """The running bot plus everything a test does to it and reads from it."""

    fake: FakeBotAPI
    start_bot: Callable[..., Any]
    tmp_path: Path
    runtime: Runtime | None = None
    updates: list[int] = field(default_factory=list)

    # -- lifecycle ------------------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.tmp_path / "data" / "bot.sqlite3"  # as tests/e2e/conftest.py sets it

    async def start(self, roster: Iterable[Vol] = (), **overrides: Any) -> Runtime:
        """Put ``roster`` on the volunteer list (with a users row), then start the bot."""
        db = await Database.open(self.db_path)
        try:
            for vol in roster:
                await add_volunteer(db, vol.user_id, vol.countries, vol.languages, vol.alias)
                async with db.transaction() as tx:
                    await users.save(tx, User(vol.user_id, vol.ui, vol.countries[0]))
        finally:
            await db.close()
        self.runtime = await self.start_bot(**overrides)
        return self.runtime

    async def stop(self) -> None:
        """Stop the bot as a deploy would (SIGTERM): nothing is drained on purpose."""
        assert self.runtime is not None
        await self.runtime.stop()

    async def start_again(self, **overrides: Any) -> Runtime:
        """A new process on the same database file (the fake Telegram keeps its state)."""
        self.runtime = await self.start_bot(**overrides)
        return self.runtime

    @property
    def db(self) -> Database:
        assert self.runtime is not None and self.runtime.db is not None
        return self.runtime.db

    def worker(self, kind: type) -> Any:
        assert self.runtime is not None
        return next(w for w in self.runtime.workers if isinstance(w, kind))

    @property
    def timers(self) -> TimerWorker:
        return self.worker(TimerWorker)

    @property
    def retention(self) -> RetentionWorker:
        return self.worker(RetentionWorker)

    # -- what people do -------------------------------------------------------------------------
    def _track(self, update_id: int) -> int:
        self.updates.append(update_id)
        return update_id

    def say(self, user_id: int, text: str, lang: str = "en", **extra: Any) -> int:
        return self._track(self.fake.user_message(user_id, text, lang=lang, **extra))

    def press(self, user_id: int, data: str, message_id: int = 1) -> int:
        return self._track(self.fake.press(user_id, message_id, data))

    def click(self, user_id: int, label: str) -> int:
        return self._track(self.fake.click(user_id, label))

    def press_shown(self, user_id: int, data: str) -> int:
        """Press the button with callback ``data`` on the latest message showing it (labels
        change with the language; the data does not)."""
        for (chat, message_id), message in sorted(self.fake.messages.items(), reverse=True):
            markup = message.get("reply_markup", {}).get("inline_keyboard", [])
            if chat == user_id and any(b.get("callback_data") == data for r in markup for b in r):
                return self.press(user_id, data, message_id)
        raise LookupError(f"no button {data!r} in chat {user_id}")

    def photo(self, user_id: int, caption: str | None = None) -> int:
        return self._track(self.fake.photo(user_id, caption))

    def location(self, user_id: int) -> int:
        return self._track(self.fake.location(user_id, 42.87, 74.59))

    def media(self, user_id: int, kind: str) -> int:
        """A document or a voice message (the fake has helpers for photos and locations only)."""
        content = {
            "document": {"file_id": "BQACAgIAAxk-doc", "file_unique_id": "AgADdoc",
                         "file_name": "passport.pdf", "mime_type": "application/pdf"},
            "voice": {"file_id": "AwACAgIAAxk-voice", "file_unique_id": "AgADvoice",
                      "duration": 3, "mime_type": "audio/ogg"},
        }[kind]
        return self._track(self.fake._user_says(user_id, "en", "private", {kind: content}, {}))

    # -- waiting and reading --------------------------------------------------------------------
    async def settle(self, timeout: float = SETTLE_TIMEOUT) -> None:
        """Wait until every injected update is processed and every due outbox row is out."""
        deadline = time.monotonic() + timeout
        while True:
            if await self._idle():
                return
            if time.monotonic() > deadline:
                raise TimeoutError("the bot did not settle: " + await self._backlog())
            await asyncio.sleep(0.01)

    async def _idle(self) -> bool:
        marks = ",".join("?" * len(self.updates)) or "NULL"
        done = await self.db.fetchone(
            f"SELECT COUNT(*) AS n FROM inbox WHERE status != 'pending'"
            f" AND update_id IN ({marks})", self.updates)
        due = await self.db.fetchone("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'"
                                     " AND due_at <= ?", (time.time(),))
        return done["n"] == len(self.updates) and due["n"] == 0

    async def _backlog(self) -> str:
        rows = await self.db.fetchall("SELECT method, chat_id, status FROM outbox"
                                      " WHERE status = 'pending'")
        return f"updates {self.updates}, pending outbox {[tuple(r) for r in rows]}"

    async def expect(self, chat_id: int, fragment: str, method: str | None = None,
                     timeout: float = SETTLE_TIMEOUT) -> Call:
        """The first successful call to ``chat_id`` whose text contains ``fragment``."""
        return await self.fake.wait_for(
            lambda c: c.ok and c.chat_id == chat_id and (method is None or c.method == method)
            and fragment in (c.params.get("text") or ""), timeout)

    def texts(self, chat_id: int) -> list[str]:
        return self.fake.texts_to(chat_id)

    def said(self, chat_id: int, fragment: str) -> int:
        """How many messages to ``chat_id`` contain ``fragment``."""
        return sum(fragment in text for text in self.texts(chat_id))

    def copies_to(self, chat_id: int, from_chat: int | None = None) -> list[Call]:
        return [c for c in self.fake.calls_to(chat_id) if c.method == "copyMessage"
                and (from_chat is None or c.params.get("from_chat_id") == from_chat)]

    async def answers(self, user_id: int) -> list[str]:
        """Texts of the answers to ``user_id``'s button presses (answerCallbackQuery)."""
        rows = await self.db.fetchall(
            "SELECT json_extract(payload, '$.callback_query.id') AS id FROM inbox"
            " WHERE CAST(json_extract(payload, '$.callback_query.from.id') AS INTEGER) = ?",
            (user_id,))
        mine = {str(r["id"]) for r in rows}
        return [c.params.get("text", "") for c in self.fake.calls
                if c.ok and c.method == "answerCallbackQuery"
                and str(c.params["callback_query_id"]) in mine]

    # -- the database's view ----------------------------------------------------------------
    async def case(self, case_id: int) -> Case:
        found = await cases.get(self.db, case_id)
        assert found is not None, f"no case #{case_id}"
        return found

    async def audit(self, case_id: int | None = None) -> list[tuple[Any, ...]]:
        if case_id is not None:
            return [(r["action"], r["actor_id"]) for r in await records.audit_for_case(
                self.db, case_id)]
        rows = await self.db.fetchall("SELECT case_id, actor_id, action FROM audit ORDER BY id")
        return [(r["case_id"], r["actor_id"], r["action"]) for r in rows]

    async def notifications(self, case_id: int) -> list[int]:
        """Chats that received a "New case" notification of ``case_id`` (in order)."""
        rows = await self.db.fetchall("SELECT chat_id FROM outbox WHERE ref = ? AND status ="
                                      " 'sent' ORDER BY id", (f"case:{case_id}:notify",))
        return [r["chat_id"] for r in rows]

    async def notification_id(self, volunteer_id: int, case_id: int) -> int:
        """The message id of the (latest) notification of ``case_id`` in a volunteer's chat."""
        row = await self.db.fetchone(
            "SELECT json_extract(result, '$.message_id') AS id FROM outbox WHERE ref = ?"
            " AND chat_id = ? AND status = 'sent' ORDER BY id DESC LIMIT 1",
            (f"case:{case_id}:notify", volunteer_id))
        assert row is not None, f"{volunteer_id} was not notified of case #{case_id}"
        return int(row["id"])

    async def take(self, volunteer_id: int, case_id: int) -> None:
        """The volunteer presses "take" on their notification of the case."""
        self.press(volunteer_id, f"v:take:{case_id}",
                   await self.notification_id(volunteer_id, case_id))
        await self.settle()

    async def open_case_of(self, person_id: int) -> int:
        case = await cases.latest_for_person(self.db, person_id)
        assert case is not None, f"{person_id} has no case"
        return case.id

    async def counters(self) -> dict[tuple[str, str], int]:
        return {(r["name"], r["key"]): r["count"] for r in await records.counters(self.db)}
