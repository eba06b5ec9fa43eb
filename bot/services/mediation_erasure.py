"""/forget's part of mediation: the person's cases become anonymous, a volunteer leaves.

Why a service of its own (and not the Telegram wiring, as before): /forget must find every
eraser without importing ``bot.tg`` (the command line runs without it), so the service that
owns the cases registers this eraser in :data:`bot.services.privacy.ERASERS`. What needs
Telegram's rendering (offering a released case to other volunteers at once) is a hook the
running bot installs (:data:`ON_RELEASED`); without it (the command line) the case gets a
routing timer due now, which the bot's timer worker runs.
"""

from __future__ import annotations

import html
import time
from collections.abc import Awaitable, Callable

from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, gettext_for
from bot.services import mediation, privacy
from bot.storage import cases, outbox, records, volunteers
from bot.storage.cases import Case
from bot.storage.db import Tx

# Called with the transaction and the case a forgotten volunteer held, once it is back in
# the queue (the running bot notifies the other volunteers there and then).
Released = Callable[[Tx, Case, int], Awaitable[None]]
ON_RELEASED: list[Released] = []


async def _ui_lang(tx: Tx, user_id: int) -> str:
    chosen, working = (await volunteers.reading_languages(tx, [user_id])).get(
        user_id, (None, None))
    return chosen or (working if working in LANGUAGES else DEFAULT_LANGUAGE)


async def _tell(tx: Tx, chat_id: int, lang: str, message: str, case_id: int) -> None:
    text = html.escape(gettext_for(lang)(message).format(id=case_id), quote=False)
    await outbox.enqueue(tx, chat_id, "sendMessage", {"chat_id": chat_id, "text": text})


async def erase_person(tx: Tx, user_id: int) -> None:
    """Anonymise the person's cases (a volunteer still holding one is told); a volunteer
    also leaves the roster, their cases going back to the queue."""
    settings = privacy.settings()
    for case in await cases.anonymise_person(tx, user_id):
        await records.audit(tx, case.id, None, "forgotten")
        if case.status == "taken" and case.volunteer_id is not None:
            await volunteers.clear_current_case(tx, case.id)
            await _tell(tx, case.volunteer_id, await _ui_lang(tx, case.volunteer_id), N_(
                "The person in case #{id} blocked the bot or erased their data: messages "
                "cannot reach them."), case.id)
    if await volunteers.get(tx, user_id) is None:
        return
    for case in await cases.for_volunteer(tx, user_id):
        await mediation.release(tx, case, user_id, settings.renotify_minutes * 60,
                                settings.admin_escalation_minutes * 60)
        released = await cases.get(tx, case.id)
        assert released is not None
        if ON_RELEASED:
            for hook in ON_RELEASED:
                await hook(tx, released, user_id)
        else:
            await records.add_timer(tx, mediation.RENOTIFY, case.id, time.time())
        if released.person_id is not None and not released.person_blocked:
            await _tell(tx, released.person_id, released.lang, N_(
                "Your volunteer handed your case #{id} back; another volunteer will take it "
                "soon."), case.id)
    await volunteers.remove(tx, user_id)
    await outbox.enqueue(tx, user_id, "deleteMyCommands",
                         {"scope": {"type": "chat", "chat_id": user_id}})


privacy.ERASERS.append(erase_person)
