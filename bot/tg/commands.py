"""Telegram's command menu, per language and per scope (people, volunteers, admins)."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot
from telegram.error import TelegramError

from bot.config import Settings
from bot.i18n import LANGUAGES, gettext_for

log = logging.getLogger(__name__)


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
    ]


def admin_commands(lang: str) -> list[tuple[str, str]]:
    _ = gettext_for(lang)
    return [
        *volunteer_commands(lang),
        ("reload", _("Reload the flow files")),
        ("stats", _("Anonymous statistics")),
        ("invite", _("Invite a volunteer")),
        ("suggestions", _("Volunteers' suggestions")),
    ]


def _telegram_code(lang: str) -> str:
    return "zh" if lang == "zh_Hans" else lang


async def _set(bot: Bot, commands: list[tuple[str, str]], scope: dict[str, Any],
               lang: str | None) -> None:
    params: dict[str, Any] = {
        "commands": [{"command": c, "description": d[:256]} for c, d in commands],
        "scope": scope,
    }
    if lang is not None:
        params["language_code"] = _telegram_code(lang)
    await bot.do_api_request("setMyCommands", api_kwargs=params)


async def set_commands(bot: Bot, settings: Settings, volunteer_ids: tuple[int, ...] = ()) -> None:
    """Default scope per language; volunteers and admins get their own per-chat menus."""
    try:
        for lang in (None, *LANGUAGES):
            code = lang or "en"
            await _set(bot, people_commands(code), {"type": "all_private_chats"}, lang)
        for user_id in volunteer_ids:
            await set_chat_commands(bot, user_id, admin=user_id in settings.admin_ids)
        for user_id in settings.admin_ids:
            await set_chat_commands(bot, user_id, admin=True)
    except TelegramError as exc:  # the bot works without menus; never refuse to start
        log.warning("could not set the command menus: %s", exc)


def chat_commands_params(user_id: int, *, admin: bool, lang: str = "en") -> dict[str, Any]:
    """setMyCommands parameters for one volunteer's or admin's private chat."""
    commands = admin_commands(lang) if admin else volunteer_commands(lang)
    return {"commands": [{"command": c, "description": d[:256]} for c, d in commands],
            "scope": {"type": "chat", "chat_id": user_id}}


async def set_chat_commands(bot: Bot, user_id: int, *, admin: bool, lang: str = "en") -> None:
    await bot.do_api_request("setMyCommands",
                             api_kwargs=chat_commands_params(user_id, admin=admin, lang=lang))
