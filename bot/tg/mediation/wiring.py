"""Plugging mediation into the bot: its commands, hooks, workers and the blocked-chat hook."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram import Message
from telegram.ext import Application

from bot.config import Settings
from bot.i18n import N_, gettext_for
from bot.services import mediation, mediation_erasure, privacy
from bot.storage import cases, records, volunteers
from bot.storage.db import Database, Tx
from bot.tg import callbacks
from bot.tg.markup import escape
from bot.tg.person import Person
from bot.tg.turn import Turn

from . import admin_side, case_commands, person_side, shift_commands, volunteer_side
from .notify import notify, ui_lang
from .workers import RetentionWorker, TimerWorker


async def on_message(person: Person, message: Message) -> bool:
    """Volunteers' replies first, then a person's case; False lets the flow have it."""
    if await volunteer_side.on_message(person, message):
        return True
    return await person_side.on_message(person, message)


async def on_button(person: Person, data: callbacks.Callback) -> str | None:
    if data.kind == "v":
        return await volunteer_side.volunteer_button(person, data)
    if data.kind == "k":
        return await person_side.contact_button(person, data)
    await person_side.rate_button(person, data)
    return None


async def stats_lines(person: Person) -> list[str]:
    _ = person.gettext
    rows = await records.counters(person.tx)
    return [_("Counters (anonymous):")] + [f"• {r['name']} {r['key']}: {r['count']}"
                                            for r in rows]


@dataclass
class Mediation:
    settings: Settings
    db: Database
    commands: dict[str, Any] = field(default_factory=lambda: {
        "human": person_side.human_command,
        "cases": volunteer_side.cases_command,
        "case": volunteer_side.case_command,
        "note": case_commands.note_command,
        "release": case_commands.release_command,
        "transfer": case_commands.transfer_command,
        "close": case_commands.close_command,
        "suggest": case_commands.suggest_command,
        "available": volunteer_side.available_command,
        "away": volunteer_side.away_command,
        "shift": shift_commands.shift_command,
        "capacity": shift_commands.capacity_command,
        "invite": admin_side.invite_command,
        "suggestions": admin_side.suggestions_command,
    })

    def install(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        application.bot_data.setdefault("hooks", {}).update(
            **person_side.hooks(), text=on_message, media=on_message, button=on_button,
            start_payload=admin_side.accept_invite, stats=stats_lines,
            bad_button=refused_button)

    def workers(self) -> list[Any]:
        return [TimerWorker(self.db, self.settings), RetentionWorker(self.db, self.settings)]

    async def on_blocked(self, chat_id: int) -> None:
        """Someone blocked the bot: as a person, their cases are marked and each volunteer is
        told; as a volunteer, the cases they held go back to the queue and they are away."""
        async with self.db.transaction() as tx:
            turn = Turn(tx, 0, None)
            for case in await cases.mark_person_blocked(tx, chat_id):
                await records.audit(tx, case.id, None, "person_blocked")
                if case.volunteer_id is not None:
                    await _tell_volunteer(turn, case.volunteer_id, N_(
                        "The person in case #{id} blocked the bot: your messages cannot reach "
                        "them any more."), case.id)
            if await volunteers.get(tx, chat_id) is not None:
                await volunteers.set_available(tx, chat_id, False)
                for case in await cases.for_volunteer(tx, chat_id):
                    await mediation.release(tx, case, chat_id, self.settings.renotify_minutes * 60,
                                            self.settings.admin_escalation_minutes * 60)
                    await records.audit(tx, case.id, None, "volunteer_blocked")
                    released = await cases.get(tx, case.id)
                    assert released is not None
                    await notify(turn, released, 1, self.settings, exclude=frozenset({chat_id}))
            await turn.flush()


async def _tell_volunteer(turn: Turn, volunteer_id: int, message: str, case_id: int) -> None:
    _ = gettext_for(await ui_lang(turn.tx, volunteer_id))
    turn.send("sendMessage", {"chat_id": volunteer_id,
                              "text": escape(_(message).format(id=case_id))},
              chat_id=volunteer_id)


async def notify_released(tx: Tx, case: cases.Case, volunteer_id: int) -> None:
    """A forgotten volunteer's case is back in the queue: offer it to the others now."""
    turn = Turn(tx, 0, None)
    await notify(turn, case, 1, privacy.settings(), exclude=frozenset({volunteer_id}))
    await turn.flush()


async def refused_button(person: Person, data: str | None) -> None:
    """Button data that does not parse is forged or broken: record who sent it."""
    await records.audit(person.tx, None, person.user.user_id, "refused_button",
                        (data or "")[:64])


mediation_erasure.ON_RELEASED.append(notify_released)
