"""The rules of a team workspace, channel-free: binding, who may act, claiming, relaying.

A workspace is a second volunteer-side channel beside the private chat: the case lifecycle
itself (open, take, release, transfer, note, close) is :mod:`bot.services.mediation`'s, and
both channels call it. What is the workspace's own: which countries a group serves, which
case a topic shows, who may press a card's buttons, whose topic messages reach the person,
and what /forget removes from the group. Telegram is the caller's business (bot/tg/workspace).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.services import mediation, privacy
from bot.services.roles import Role
from bot.storage import cases, users, volunteers, workspaces, ws_outbox
from bot.storage.cases import Case
from bot.storage.db import Reader, Tx
from bot.storage.volunteers import Volunteer
from bot.storage.workspaces import Topic, Workspace

_COUNTRY = re.compile(r"^[A-Z]{2}$")


def parse_countries(text: str) -> tuple[str, ...] | None:
    """``SN`` or ``KG,KZ`` (spaces and case tolerated); None when a code is not ISO-shaped."""
    codes = [c.strip().upper() for c in re.split(r"[,\s]+", text) if c.strip()]
    if not codes or any(not _COUNTRY.match(c) for c in codes):
        return None
    return tuple(dict.fromkeys(codes))


def may_bind(user_id: int, admin_ids: frozenset[int]) -> bool:
    """Binding a group is an admin's act: it decides where people's cases are shown."""
    return user_id in admin_ids


async def route(db: Reader, case: Case) -> Workspace | None:
    """The workspace that takes the case (its country's), or None: private chats."""
    return await workspaces.for_country(db, case.country)


def may_act(role: Role, case: Case) -> bool:
    """Presses and commands in a workspace: admins, and volunteers for the case's country.
    Other members may read the topics; what they press is refused."""
    return role.admin or (role.volunteer is not None
                          and case.country in role.volunteer.countries)


@dataclass(frozen=True)
class Claim:
    won: bool
    holder: int | None  # who has the case now (the winner, or whoever was first)
    status: str


async def claim(tx: Tx, case: Case, user_id: int) -> Claim:
    """One conditional update (:func:`mediation.take`): of two presses at once, exactly one
    wins; the other learns who has the case."""
    if await mediation.take(tx, case.id, user_id):
        return Claim(True, user_id, "taken")
    fresh = await cases.get(tx, case.id)
    assert fresh is not None
    return Claim(False, fresh.volunteer_id, fresh.status)


def reaches_person(case: Case, user_id: int) -> bool:
    """Only the claimer's topic messages go to the person; the rest are internal notes."""
    return case.status == "taken" and case.volunteer_id == user_id


def topic_status(case: Case, waiting: bool = False) -> str:
    """The status a topic's icon and card show."""
    if case.status == "closed":
        return "closed"
    if case.status != "taken":
        return "unclaimed"
    return "waiting" if waiting else "claimed"


async def forget_topics(tx: Tx, user_id: int) -> None:
    """/forget: the person's case topics are deleted from their workspaces (where the bot
    has ``can_delete_messages``; otherwise the admins are told, see docs/privacy.md), and
    the calls still queued for those cases are dropped."""
    ids = await cases.ids_for_person(tx, user_id)
    for case_id in ids:
        await ws_outbox.drop_case(tx, case_id)
    for topic in await workspaces.drop_topics(tx, ids):
        if topic.thread_id is not None:
            await ws_outbox.enqueue(tx, topic.chat_id, "deleteForumTopic",
                                    {"chat_id": topic.chat_id,
                                     "message_thread_id": topic.thread_id},
                                    priority=ws_outbox.NOTICES, ordered=False)


# Before mediation's eraser: that one anonymises the cases, after which they name nobody.
privacy.ERASERS.insert(0, forget_topics)


# -- what the Telegram side reads and changes (handlers reach storage through here) -----------
async def of_chat(db: Reader, chat_id: int) -> Workspace | None:
    return await workspaces.get(db, chat_id)


async def migrated(tx: Tx, old: int, new: int) -> bool:
    """A group became a supergroup: its binding and topics follow the new chat id."""
    return await workspaces.migrate_chat(tx, old, new)


async def bind_group(tx: Tx, chat_id: int, countries: tuple[str, ...], user_id: int) -> None:
    """Bind (the binder's language noted for later texts)."""
    stored = await users.get(tx, user_id)
    await workspaces.bind(tx, chat_id, countries, (stored.lang if stored else None) or "en",
                          user_id)


async def unbind_group(tx: Tx, chat_id: int) -> bool:
    return await workspaces.unbind(tx, chat_id)


async def case_topic(db: Reader, case_id: int) -> tuple[Case | None, Topic | None]:
    return await cases.get(db, case_id), await workspaces.topic(db, case_id)


async def case_in_thread(db: Reader, chat_id: int, thread_id: int | None
                         ) -> tuple[Case | None, Topic | None]:
    """The case whose topic is ``thread_id`` in the group (None, None: not a case's topic)."""
    topic = (await workspaces.topic_by_thread(db, chat_id, thread_id)
             if thread_id is not None else None)
    return (await cases.get(db, topic.case_id) if topic else None), topic


async def colleagues(db: Reader, case: Case) -> list[Volunteer]:
    """The country's volunteers other than the case's own (transfer targets)."""
    return [v for v in await volunteers.for_country(db, case.country)
            if v.user_id != case.volunteer_id]


async def volunteer(db: Reader, user_id: int) -> Volunteer | None:
    return await volunteers.get(db, user_id)
