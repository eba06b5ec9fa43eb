"""Passing messages between a person and their volunteer, both ways, through the outbox.

Text is re-sent with a short header (who, which case); everything else (photos, documents,
voice, locations, a contact the person chose to share) is copied with `copyMessage`, so the
volunteer never sees the person's username, and the person never sees the volunteer's.
"""

from __future__ import annotations

from typing import Any

from telegram import Message

from bot.services import mediation
from bot.storage.cases import Case
from bot.tg import callbacks
from bot.tg.keyboards import button, keyboard
from bot.tg.markup import MAX_MESSAGE, bold, escape, split_plain
from bot.tg.turn import Turn

from . import ws_hooks

MEDIA_KINDS = ("photo", "document", "voice", "audio", "video", "video_note", "sticker",
               "animation", "location", "venue", "contact")


def kind_of(message: Message) -> str:
    if message.text is not None:
        return "text"
    return next((kind for kind in MEDIA_KINDS if getattr(message, kind, None)), "other")


def content_of(message: Message) -> str | None:
    """What is stored of a message: its text or caption (files stay on Telegram's side)."""
    return message.text or message.caption or None


def case_ref(case_id: int, what: str) -> str:
    return f"case:{case_id}:{what}"


def case_thread(case_id: int) -> str:
    """The outbox thread of a case in its volunteer's chat: a volunteer's cases are served
    round robin, and a burst of one person's texts is merged (see bot/tg/delivery_plan.py)."""
    return f"case:{case_id}"


def case_id_from_ref(ref: str | None) -> int | None:
    if not ref or not ref.startswith("case:"):
        return None
    part = ref.split(":")[1]
    return int(part) if part.isdigit() else None


def _send_text(turn: Turn, chat_id: int, header: str, text: str, ref: str,
               thread: str | None = None) -> None:
    parts = split_plain(text, MAX_MESSAGE - len(header) - 2)
    for index, part in enumerate(parts):
        body = f"{header}: {escape(part)}" if index == 0 else escape(part)
        turn.send("sendMessage", {"chat_id": chat_id, "text": body, "parse_mode": "HTML",
                                  "link_preview_options": {"is_disabled": True}},
                  ref=ref, chat_id=chat_id, thread=thread)


def _copy(turn: Turn, to_chat: int, message: Message, ref: str,
          markup: dict[str, Any] | None = None, thread: str | None = None) -> None:
    params: dict[str, Any] = {"chat_id": to_chat, "from_chat_id": message.chat_id,
                              "message_id": message.message_id}
    if markup is not None:
        params["reply_markup"] = markup
    turn.send("copyMessage", params, ref=ref, chat_id=to_chat, thread=thread)


async def person_to_volunteer(turn: Turn, case: Case, message: Message) -> None:
    """Store the person's message in the case; deliver it if a volunteer holds the case."""
    kind = kind_of(message)
    await mediation.person_message(turn.tx, case, kind, content_of(message), message.chat_id,
                                   message.message_id)
    if await ws_hooks.person_wrote(turn.tx, case, message.chat_id, message.message_id):
        return
    if case.status != "taken" or case.volunteer_id is None:
        turn.send("setMessageReaction", {"chat_id": message.chat_id,
                                         "message_id": message.message_id,
                                         "reaction": [{"type": "emoji", "emoji": "👌"}]},
                  chat_id=message.chat_id)
        return
    name = case.person_name or "…"
    ref = case_ref(case.id, "in")
    thread = case_thread(case.id)
    if kind == "text":
        _send_text(turn, case.volunteer_id, "💬 " + bold(f"#{case.id} {name}"), message.text, ref,
                   thread)
    else:
        tag = keyboard([[button(f"💬 #{case.id} {name}"[:40],
                                callbacks.encode("v", f"case:{case.id}"))]])
        _copy(turn, case.volunteer_id, message, ref, tag, thread)


async def contact_to_volunteer(turn: Turn, case: Case, chat_id: int, message_id: int) -> None:
    """A contact card the person agreed to share: kept as a message id only (the number
    stays on Telegram's side), copied to the volunteer if one holds the case, else shown
    with the case when it is taken."""
    await mediation.person_message(turn.tx, case, "contact", None, chat_id, message_id)
    if await ws_hooks.person_wrote(turn.tx, case, chat_id, message_id):
        return
    if case.status != "taken" or case.volunteer_id is None:
        return
    name = case.person_name or "…"
    tag = keyboard([[button(f"💬 #{case.id} {name}"[:40],
                            callbacks.encode("v", f"case:{case.id}"))]])
    turn.send("copyMessage", {"chat_id": case.volunteer_id, "from_chat_id": chat_id,
                              "message_id": message_id, "reply_markup": tag},
              ref=case_ref(case.id, "in"), chat_id=case.volunteer_id)


async def volunteer_to_person(turn: Turn, case: Case, message: Message, alias: str) -> None:
    kind = kind_of(message)
    await mediation.volunteer_message(turn.tx, case, kind, content_of(message),
                                      message.chat_id, message.message_id)
    ref = case_ref(case.id, "out")
    if kind == "text":
        _send_text(turn, case.person_id, "🙋 " + bold(alias), message.text, ref)
    else:
        _copy(turn, case.person_id, message, ref)
