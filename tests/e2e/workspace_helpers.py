"""A team workspace for the end-to-end tests: a forum supergroup, its volunteers, a person.

Why: each workspace test is a short story (bind, a person asks, a volunteer claims and
answers, something breaks); the plumbing (the forum in the fake, waiting for the workspace
outbox, finding a case's topic and card) lives here once.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fakebot_forums import Topic
from mediation_helpers import Desk, Vol

from bot.storage import workspaces

GROUP = -1001234567890
SN_V1, SN_V2, READER = 811, 812, 813
PERSON = 4343431


def sn(user_id: int, alias: str, *languages: str) -> Vol:
    return Vol(user_id, ("SN",), languages or ("fr",), "fr", alias)


class Team:
    """The desk seen from a workspace group."""

    def __init__(self, desk: Desk, group: int = GROUP) -> None:
        self.desk, self.fake, self.group = desk, desk.fake, group

    def command(self, user_id: int, text: str, thread_id: int | None = None) -> int:
        return self.desk._track(self.fake.group_command(user_id, self.group, text, thread_id))

    def write(self, user_id: int, thread_id: int, text: str) -> int:
        return self.desk._track(self.fake.topic_message(user_id, self.group, thread_id, text))

    def press(self, user_id: int, data: str) -> int:
        """Press the button with callback ``data`` on the latest group message showing it."""
        for (chat, message_id), message in sorted(self.fake.messages.items(), reverse=True):
            markup = message.get("reply_markup", {}).get("inline_keyboard", [])
            if chat == self.group and any(b.get("callback_data") == data
                                          for r in markup for b in r):
                return self.desk._track(self.fake.press(user_id, message_id, data,
                                                        chat_id=self.group))
        raise LookupError(f"no button {data!r} in the group")

    async def settle(self, timeout: float = 6.0) -> None:
        """Every update processed, every due call of both outboxes made."""
        deadline = time.monotonic() + timeout
        while True:
            await self.desk.settle(max(0.1, deadline - time.monotonic()))
            row = await self.desk.db.fetchone(
                "SELECT COUNT(*) AS n FROM ws_outbox WHERE status = 'pending' AND due_at <= ?",
                (time.time(),))
            if row["n"] == 0 and await self.desk._idle():
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"workspace outbox not empty: {row['n']} pending")
            await asyncio.sleep(0.02)

    async def bind(self, admin: int, countries: str = "SN") -> None:
        self.command(admin, f"/workspace {countries}")
        await self.settle()

    def replies(self) -> list[str]:
        """Texts the bot sent into the group (any topic), in order."""
        return self.fake.texts_to(self.group)

    def topic(self, case_id: int) -> Topic:
        found = self.fake.topic_of_case(self.group, case_id)
        assert found is not None, f"no live topic for case #{case_id}"
        return found

    def card(self, case_id: int) -> dict[str, Any]:
        """The case card: the first bot message of the case's live topic."""
        messages = self.fake.in_topic(self.group, self.topic(case_id).thread_id)
        cards = [m for m in messages if m.get("text", "").startswith(f"Case #{case_id}")]
        assert cards, f"no card in the topic of case #{case_id}"
        return cards[0]

    def topic_texts(self, case_id: int) -> list[str]:
        return [m.get("text") or m.get("caption") or "" for m in
                self.fake.in_topic(self.group, self.topic(case_id).thread_id)
                if "forum_topic_created" not in m]

    async def stored_thread(self, case_id: int) -> int | None:
        topic = await workspaces.topic(self.desk.db, case_id)
        return None if topic is None else topic.thread_id


async def french_case(desk: Desk, team: Team, person: int = PERSON, name: str = "Awa",
                      text: str = "Bonjour, j'ai besoin d'aide") -> int:
    """A person in Senegal, writing in French, asks for a volunteer and writes a message."""
    desk.say(person, "/start sn-birth", lang="fr", first_name=name,
             username=f"{name.lower()}_private")
    desk.say(person, "/human acte de naissance", lang="fr")
    await team.settle()
    case_id = await desk.open_case_of(person)
    desk.say(person, text, lang="fr")
    await team.settle()
    return case_id
