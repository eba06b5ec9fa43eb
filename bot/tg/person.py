"""Who is talking and where they are: the per-update view handlers work with.

Loaded once per update inside the turn's transaction, so a handler sees its own writes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.engine import FlowSet, Sprint
from bot.i18n import DEFAULT_LANGUAGE, gettext_for, match_language
from bot.services import journey
from bot.services.library import FlowLibrary
from bot.storage import sessions, users
from bot.storage.db import Tx
from bot.storage.users import User
from bot.tg.render import ApiCall, render_events
from bot.tg.turn import Turn, current_turn


@dataclass
class Person:
    """One person in their private chat with the bot."""

    turn: Turn
    user: User
    chat_id: int
    known: bool  # False until they chose (or we matched) a language
    session: dict[str, Any] | None
    library: FlowLibrary
    settings: Settings
    hooks: dict[str, Any]  # services other issues plug in (e.g. "escalate")
    first_name: str | None = None

    @property
    def tx(self) -> Tx:
        return self.turn.tx

    @property
    def lang(self) -> str:
        return self.user.lang or DEFAULT_LANGUAGE

    @property
    def flows(self) -> FlowSet:
        return self.library.flows

    @property
    def gettext(self):
        return gettext_for(self.lang)

    @property
    def is_admin(self) -> bool:
        return self.user.user_id in self.settings.admin_ids

    def send(self, method: str, params: dict[str, Any], *, ref: str | None = None) -> None:
        params.setdefault("chat_id", self.chat_id)
        self.turn.send(method, params, ref=ref)

    def say(self, text_html: str, markup: dict[str, Any] | None = None) -> None:
        params: dict[str, Any] = {"text": text_html, "parse_mode": "HTML",
                                  "link_preview_options": {"is_disabled": True}}
        if markup is not None:
            params["reply_markup"] = markup
        self.send("sendMessage", params)

    def send_calls(self, calls: list[ApiCall]) -> None:
        for call in calls:
            self.send(call.method, call.params)

    async def update_user(self, **changes: Any) -> None:
        self.user = replace(self.user, **changes)
        self.known = self.user.lang is not None
        await users.save(self.tx, self.user)

    async def save_sprint(self, sprint: Sprint) -> None:
        self.session = await journey.record_sprint(self.tx, before=self.session, sprint=sprint,
                                                   flows=self.flows)
        await sessions.save(self.tx, self.chat_id, self.session)

    def show(self, sprint: Sprint) -> None:
        """Render a sprint's events in the flow's language."""
        self.send_calls(render_events(sprint.events, chat_id=self.chat_id,
                                      lang=sprint.session["lang"], seq=sprint.session["seq"]))


async def load_person(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Person:
    """The person behind a private-chat update, with their stored language and session."""
    turn = current_turn()
    tg_user = update.effective_user
    chat = update.effective_chat
    user_id = tg_user.id if tg_user else chat.id
    stored = await users.get(turn.tx, user_id)
    if stored is None:
        matched = match_language(tg_user.language_code if tg_user else None)
        stored = User(user_id, matched, None)
    session = await sessions.get(turn.tx, chat.id)
    return Person(turn, stored, chat.id, stored.lang is not None, session,
                  context.bot_data["library"], context.bot_data["settings"],
                  context.bot_data.setdefault("hooks", {}),
                  tg_user.first_name if tg_user else None)
