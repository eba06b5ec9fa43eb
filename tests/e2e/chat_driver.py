"""Drive the running bot as people do, and read what they see.

Why a driver: an end-to-end step is "inject an update, wait until the bot has processed it
*and* delivered everything it queued, then look". Waiting on the database (inbox row done,
no pending outbox row) instead of sleeping keeps the tests fast and free of timing guesses.
It also holds the tmp flow folders the tests need (pagination, long texts, venues).
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fakebot_limits import visible_text
from fakebotapi import Call, FakeBotAPI

import bot.app
from bot.app import Runtime
from bot.tg.ratelimit import RateLimiter

REPO = Path(__file__).resolve().parents[2]
SHIPPED_FLOWS = REPO / "flows"


def unthrottle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lift the per-chat flood limit (1 message/s after a burst of 3) for in-process bots.

    Why: the limit is the sender's business, tested in tests/test_sender.py; a journey of
    twenty messages would otherwise take twenty seconds.
    """
    def limiter(*args: Any, **kwargs: Any) -> RateLimiter:
        return RateLimiter(*args, **{**kwargs, "chat_rate": 10_000.0, "chat_burst": 10_000})

    monkeypatch.setattr(bot.app, "RateLimiter", limiter)


@dataclass
class Seen:
    """The calls one injected update caused (to the person's chat, and press answers)."""

    calls: list[Call]

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.ok]

    @property
    def texts(self) -> list[str]:
        """Texts as the person reads them (tags removed, entities decoded)."""
        return [visible_text(c.params["text"], c.params.get("parse_mode"))
                for c in self.calls if c.ok and "text" in c.params
                and c.method in ("sendMessage", "editMessageText")]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def answers(self) -> list[Call]:
        return self.of("answerCallbackQuery")

    def buttons(self) -> list[str]:
        """Labels of the inline buttons in the last message with a keyboard."""
        for call in reversed(self.calls):
            markup = call.params.get("reply_markup")
            if call.ok and isinstance(markup, dict) and markup.get("inline_keyboard"):
                return [b["text"] for row in markup["inline_keyboard"] for b in row]
        return []


@dataclass
class Person:
    """One person in their private chat; ``runtime`` is swapped on a restart."""

    fake: FakeBotAPI
    runtime: Runtime
    user_id: int
    lang: str = "en"
    presses: int = 0
    history: list[Seen] = field(default_factory=list)

    async def send(self, text: str) -> Seen:
        return await self.do(lambda: self.fake.user_message(self.user_id, text, lang=self.lang))

    async def click(self, label: str) -> Seen:
        self.presses += 1
        return await self.do(lambda: self.fake.click(self.user_id, label))

    async def press(self, message_id: int, data: str) -> Seen:
        self.presses += 1
        return await self.do(lambda: self.fake.press(self.user_id, message_id, data,
                                                     lang=self.lang))

    async def do(self, inject: Callable[[], int], timeout: float = 4.0) -> Seen:
        """Inject an update, wait until it is processed and its output delivered."""
        mark = len(self.fake.calls)
        update_id = inject()
        await settle(self.runtime, update_id, timeout)
        seen = Seen([c for c in self.fake.calls[mark:]
                     if c.chat_id == self.user_id or c.method == "answerCallbackQuery"])
        self.history.append(seen)
        return seen

    def data_of(self, message_id: int, label: str) -> str:
        """The callback data of the button ``label`` on the bot's message ``message_id``."""
        rows = self.fake.messages[(self.user_id, message_id)]["reply_markup"]["inline_keyboard"]
        return next(b["callback_data"] for row in rows for b in row if b["text"] == label)

    def message_with(self, label: str) -> int:
        """The id of the bot's latest message showing a button labelled ``label``."""
        for (chat, message_id), message in sorted(self.fake.messages.items(), reverse=True):
            rows = message.get("reply_markup", {}).get("inline_keyboard", [])
            if chat == self.user_id and any(b.get("text") == label for r in rows for b in r):
                return message_id
        raise LookupError(label)


async def settle(runtime: Runtime, update_id: int, timeout: float = 4.0) -> None:
    """Wait until ``update_id`` is processed and the outbox holds nothing pending."""
    assert runtime.db is not None
    deadline = time.monotonic() + timeout
    while True:
        row = await runtime.db.fetchone("SELECT status FROM inbox WHERE update_id = ?",
                                        (update_id,))
        pending = await runtime.db.fetchone(
            "SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'")
        if row is not None and row["status"] != "pending" and pending["n"] == 0:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"update {update_id} not settled: inbox {row and dict(row)}, "
                               f"{pending['n']} outbox rows pending")
        await asyncio.sleep(0.01)


def assert_presses_answered(fake: FakeBotAPI, presses: int) -> None:
    """Every press got exactly one answer that Telegram took (failed tries are retried)."""
    ids = [c.params["callback_query_id"] for c in fake.calls
           if c.method == "answerCallbackQuery" and c.ok]
    assert len(ids) == len(set(ids)) == presses


# -- tmp flow folders -----------------------------------------------------------------------

def _flow(flow_id: str, title: str, steps: str, *, keywords: str = "[]") -> str:
    today = date.today().isoformat()
    return f"""id: {flow_id}
languages: [fr, wo]
title: {{fr: "{title}", wo: "{title} (wo)"}}
description: {{fr: "Procédure de test {flow_id}", wo: "Test {flow_id}"}}
source:
  - title: "Source officielle de test"
    url: https://example.org/{flow_id}
last_reviewed: {today}
keywords: {keywords}
steps:
{steps}"""


def long_paragraphs(count: int = 6, size: int = 900) -> list[str]:
    """Paragraphs of distinct, recognisable sentences (``size`` characters each)."""
    out = []
    for n in range(count):
        words = f"Paragraphe {n} : " + " ".join(f"mot{n}x{i}" for i in range(size))
        out.append(words[:size].rsplit(" ", 1)[0] + f" fin{n}.")
    return out


def _say_block(step_id: str, paragraphs: list[str]) -> str:
    body = "\\n\\n".join(paragraphs)
    return f'  - id: {step_id}\n    say: {{fr: "{body}", wo: "{body}"}}\n'


ECHO_STEPS = """  - id: name
    ask: {fr: "Quel est votre nom ?", wo: "Naka nga tudd ?"}
    input: text
    save: name
    label: {fr: "Nom", wo: "Tur"}
  - id: office
    place: {name: {fr: "Mairie de test", wo: "Méeri"}, address: {fr: "1 rue du Test, Dakar",
            wo: "1 rue du Test, Dakar"}, lat: 14.6937, lon: -17.4441}
  - id: done
    end: {fr: "C'est fini, {name}.", wo: "Jeex na, {name}."}
"""


def write_test_flows(target: Path) -> Path:
    """The shipped flows plus five in SN (eight there: two pages) for the cases tested here.

    ``e2e-echo`` asks a free text, shows a place with coordinates and ends with a summary;
    ``e2e-long`` says more than 4096 characters in two steps before a yes/no question.
    """
    shutil.copytree(SHIPPED_FLOWS, target, ignore=shutil.ignore_patterns("tests"))
    sn = target / "SN"
    (sn / "e2e-echo.yaml").write_text(_flow("e2e-echo", "Écho", ECHO_STEPS), encoding="utf-8")
    paragraphs = long_paragraphs()
    long_steps = (_say_block("part1", paragraphs[:3]) + _say_block("part2", paragraphs[3:])
                  + '  - id: ok\n    ask: {fr: "Compris ?", wo: "Xam nga ?"}\n'
                  '    input: yesno\n    save: ok\n'
                  '  - id: done\n    end: {fr: "Merci.", wo: "Jërëjëf."}\n')
    (sn / "e2e-long.yaml").write_text(_flow("e2e-long", "Long", long_steps), encoding="utf-8")
    for letter in "abc":
        steps = f'  - id: done\n    end: {{fr: "Fin {letter}.", wo: "Jeex {letter}."}}\n'
        (sn / f"e2e-{letter}.yaml").write_text(
            _flow(f"e2e-{letter}", f"Zz procédure {letter}", steps), encoding="utf-8")
    return target


def calls_summary(calls: list[Call]) -> list[tuple[str, Any]]:
    """(method, status) pairs, for readable assertion messages."""
    return [(c.method, c.status) for c in calls]
