"""Notifying volunteers of a case, and updating those notifications once it is taken."""

from __future__ import annotations

from bot.config import Settings
from bot.services import mediation
from bot.storage import outbox, records, users
from bot.storage.cases import Case
from bot.storage.db import Reader
from bot.tg.turn import Turn

from .relay import case_ref
from .texts import notification, taken_notice


async def ui_lang(db: Reader, user_id: int) -> str:
    user = await users.get(db, user_id)
    return (user.lang if user else None) or "en"


async def notify(turn: Turn, case: Case, stage: int, settings: Settings) -> list[int]:
    """Send the case to the volunteers of a routing stage; return who was notified."""
    chosen = await mediation.recipients(turn.tx, case, stage, settings.admin_ids)
    for user_id in chosen:
        text, markup = notification(case, await ui_lang(turn.tx, user_id))
        turn.send("sendMessage", {"chat_id": user_id, "text": text, "parse_mode": "HTML",
                                  "reply_markup": markup},
                  ref=case_ref(case.id, "notify"), chat_id=user_id)
    await records.audit(turn.tx, case.id, None, f"notified_stage_{stage}",
                        f"volunteers={len(chosen)}")
    return chosen


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
