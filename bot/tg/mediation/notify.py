"""Notifying volunteers of a case, and updating those notifications once it is taken."""

from __future__ import annotations

import time

from bot.config import Settings
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES
from bot.services import mediation
from bot.storage import cases, outbox, records, volunteers
from bot.storage.cases import Case
from bot.storage.db import Reader
from bot.tg.keyboards import Keyboard
from bot.tg.turn import Turn

from . import ws_hooks
from .relay import case_ref
from .texts import notification, taken_notice


async def ui_lang(db: Reader, user_id: int) -> str:
    """The language someone reads the bot in (see :func:`ui_langs`)."""
    return (await ui_langs(db, [user_id]))[user_id]


async def ui_langs(db: Reader, user_ids: list[int]) -> dict[int, str]:
    """The language each reads the bot in: their choice, else (a volunteer added from the
    command line who never opened the bot) their first working language, else English."""
    found = await volunteers.reading_languages(db, user_ids)
    langs = {}
    for user_id in user_ids:
        chosen, working = found.get(user_id, (None, None))
        langs[user_id] = chosen or (working if working in LANGUAGES else DEFAULT_LANGUAGE)
    return langs


async def notify(turn: Turn, case: Case, stage: int, settings: Settings,
                 exclude: frozenset[int] = frozenset()) -> mediation.Wave:
    """Send the case to a wave of the volunteers of a routing stage; return the wave.

    A case of a country with a workspace goes to its topic there instead (created once,
    whatever the stage: a workspace bound after the case opened gets it at the next wave).
    """
    if await ws_hooks.to_workspace(turn.tx, case, stage, settings.admin_ids):
        return mediation.Wave([], False)
    ref = case_ref(case.id, "notify")
    already = {row.chat_id for row in await outbox.all_by_ref(turn.tx, ref)
               if row.chat_id is not None}
    wave = await mediation.recipients(
        turn.tx, case, stage, settings.admin_ids, exclude, per_wave=settings.notify_per_wave,
        wave=await cases.add_notify_wave(turn.tx, case.id), already=already)
    chosen = wave.chosen
    langs = await ui_langs(turn.tx, chosen)
    rendered: dict[str, tuple[str, Keyboard]] = {}  # one rendering per language
    for user_id in chosen:
        lang = langs[user_id]
        if lang not in rendered:
            rendered[lang] = notification(case, lang)
        text, markup = rendered[lang]
        turn.send("sendMessage", {"chat_id": user_id, "text": text, "parse_mode": "HTML",
                                  "reply_markup": markup}, ref=ref, chat_id=user_id)
    await volunteers.mark_notified(turn.tx, chosen, time.time())
    await records.audit(turn.tx, case.id, None, f"notified_stage_{stage}",
                        f"volunteers={len(chosen)}")
    return wave


async def mark_taken(turn: Turn, case_id: int, taker_id: int) -> None:
    """Every other notification of the case now says it is taken; unsent ones are dropped."""
    ref = case_ref(case_id, "notify")
    for row in await outbox.all_by_ref(turn.tx, ref):
        message_id = (row.result or {}).get("message_id") if isinstance(row.result, dict) else None
        if row.status != "sent" or row.chat_id is None or message_id is None:
            continue
        by_you = row.chat_id == taker_id
        text = taken_notice(case_id, await ui_lang(turn.tx, row.chat_id), by_you)
        turn.send("editMessageText", {"chat_id": row.chat_id, "message_id": message_id,
                                      "text": text, "parse_mode": "HTML"}, chat_id=row.chat_id)
    await outbox.drop_pending(turn.tx, ref, "case taken")
