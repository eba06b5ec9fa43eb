"""Plugging follow-ups into the bot: hooks at a procedure's end, buttons, reload, the worker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram.ext import Application

from bot.config import Settings
from bot.services.library import FlowLibrary
from bot.storage import followups as store
from bot.storage.db import Database
from bot.tg.person import Person

from .handlers import on_button, on_end
from .worker import FollowupWorker


async def on_reload(person: Person) -> None:
    """Flows were reloaded: wake the worker, which announces new change notes."""
    person.tx.signal(store.SIGNAL)


@dataclass
class Followups:
    settings: Settings
    db: Database
    library: FlowLibrary

    def install(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        application.bot_data.setdefault("hooks", {}).update(
            ended=on_end, outcome_button=on_button, reloaded=on_reload)

    def workers(self) -> list[Any]:
        return [FollowupWorker(self.db, self.library, self.settings)]
