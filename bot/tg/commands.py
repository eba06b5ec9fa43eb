"""Telegram's command menu, per language and per scope (people, volunteers, admins).

The menus go through the outbox like every other call, so a start never waits on Telegram
and a failed call is retried.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from bot.config import Settings
from bot.i18n import LANGUAGES, gettext_for
from bot.services.texts import MAX_DESCRIPTION, privacy_notice
from bot.storage import kv, outbox
from bot.storage.db import Database

MENU_KEY = "commands.digest"


def people_commands(lang: str) -> list[tuple[str, str]]:
    _ = gettext_for(lang)
    return [
        ("start", _("Start or choose a procedure")),
        ("menu", _("Procedures for your country")),
        ("back", _("Go back one step")),
        ("restart", _("Start the procedure again")),
        ("language", _("Change the language")),
        ("human", _("Talk to a volunteer")),
        ("help", _("What this bot does")),
        ("privacy", _("What is stored about me")),
        ("forget", _("Erase my data")),
    ]


def volunteer_commands(lang: str) -> list[tuple[str, str]]:
    _ = gettext_for(lang)
    return [
        *people_commands(lang),
        ("cases", _("My cases and open cases")),
        ("case", _("Switch to case N")),
        ("note", _("Add an internal note")),
        ("release", _("Put the case back in the queue")),
        ("transfer", _("Hand the case to another volunteer")),
        ("close", _("Close the case with an outcome")),
        ("suggest", _("Suggest a fix to the step")),
        ("available", _("I can take cases")),
        ("away", _("I cannot take cases now")),
        ("export", _("Get a flow file to edit")),
    ]


def admin_commands(lang: str) -> list[tuple[str, str]]:
    _ = gettext_for(lang)
    return [
        *volunteer_commands(lang),
        ("reload", _("Reload the flow files")),
        ("stats", _("Anonymous statistics")),
        ("invite", _("Invite a volunteer")),
        ("suggestions", _("Volunteers' suggestions")),
        ("proposals", _("Flow changes waiting for review")),
        ("rollback", _("Go back to a flow's previous version")),
        ("report", _("Anonymous report for partners")),
    ]


# Ours -> Telegram's, where they differ: Filipino has no two-letter code (Tagalog's is used);
# Telegram names no script, so Uzbek in Cyrillic shares "uz" with the Latin one.
TELEGRAM_CODES = {"zh_Hans": "zh", "fil": "tl", "uz_Cyrl": "uz"}


def menu_languages() -> tuple[str, ...]:
    """One language per Telegram code: the first of LANGUAGES wins ("uz" is the Latin
    catalogue, Uzbekistan's standard; Telegram would keep only the last call for a code)."""
    seen: dict[str, str] = {}
    for lang in LANGUAGES:
        seen.setdefault(_telegram_code(lang), lang)
    return tuple(seen.values())


def _telegram_code(lang: str) -> str:
    """Telegram's language_code for menus is a two-letter ISO 639-1 code."""
    return TELEGRAM_CODES.get(lang, lang)


def menu_calls(settings: Settings, volunteer_ids: tuple[int, ...]) -> list[dict[str, Any]]:
    """Every setMyCommands call: people per language, then volunteers' and admins' chats."""
    calls = []
    for lang in (None, *menu_languages()):
        params: dict[str, Any] = {
            "commands": [{"command": c, "description": d[:256]}
                         for c, d in people_commands(lang or "en")],
            "scope": {"type": "all_private_chats"},
        }
        if lang is not None:
            params["language_code"] = _telegram_code(lang)
        calls.append(params)
    staff = dict.fromkeys((*volunteer_ids, *sorted(settings.admin_ids)))
    calls += [chat_commands_params(user_id, admin=user_id in settings.admin_ids)
              for user_id in staff]
    return calls


def description_calls(settings: Settings) -> list[dict[str, Any]]:
    """The bot's description per language: the privacy notice, shown in the empty chat
    before a person writes (so also to those who arrive by a deep link, who skip the
    greeting)."""
    calls = []
    for lang in (None, *menu_languages()):
        text = privacy_notice(gettext_for(lang or "en"), settings.retention_days)
        params: dict[str, Any] = {"description": text[:MAX_DESCRIPTION]}
        if lang is not None:
            params["language_code"] = _telegram_code(lang)
        calls.append(params)
    return calls


async def queue_command_menus(db: Database, settings: Settings,
                              volunteer_ids: tuple[int, ...]) -> int:
    """Queue the menus (and the description) in the outbox when they changed since the last
    start (cheap restarts)."""
    calls = [("setMyCommands", params) for params in menu_calls(settings, volunteer_ids)]
    calls += [("setMyDescription", params) for params in description_calls(settings)]
    digest = hashlib.sha256(json.dumps(calls, sort_keys=True).encode()).hexdigest()
    async with db.transaction() as tx:
        if await kv.get(tx, MENU_KEY) == digest:
            return 0
        for method, params in calls:
            await outbox.enqueue(tx, None, method, params)
        await kv.put(tx, MENU_KEY, digest)
    return len(calls)


def chat_commands_params(user_id: int, *, admin: bool, lang: str = "en") -> dict[str, Any]:
    """setMyCommands parameters for one volunteer's or admin's private chat."""
    commands = admin_commands(lang) if admin else volunteer_commands(lang)
    return {"commands": [{"command": c, "description": d[:256]} for c, d in commands],
            "scope": {"type": "chat", "chat_id": user_id}}
