"""Publishing flow changes from Telegram (issue 12): commands, the file handler, buttons,
the reason hook and the proposals worker, plugged in by `Publishing` (see bot/app.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, Message
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.config import Settings
from bot.services.library import FlowLibrary
from bot.storage.db import Database
from bot.tg.person import Person

from . import handlers
from .worker import ProposalWorker

YAML_FILE = (filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
             & (filters.Document.FileExtension("yaml") | filters.Document.FileExtension("yml")))


@dataclass
class Publishing:
    settings: Settings
    db: Database
    library: FlowLibrary
    commands: dict[str, Any] = field(default_factory=lambda: {
        "export": handlers.export_command,
        "proposals": handlers.proposals_command,
        "reject": handlers.reject_command,
        "rollback": handlers.rollback_command,
    })

    def handlers(self) -> list[Any]:
        """A .yaml file and the review buttons, ahead of the generic file and button handlers."""
        return [MessageHandler(YAML_FILE, handlers.document),
                CallbackQueryHandler(handlers.button, pattern=handlers.BUTTON)]

    def install(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Wrap the text hook: an admin's reason for a rejection comes before anything else."""
        hooks = application.bot_data.setdefault("hooks", {})
        previous = hooks.get("text")

        async def on_text(person: Person, message: Message) -> bool:
            if await handlers.reason_hook(person, message):
                return True
            return bool(previous and await previous(person, message))

        hooks["text"] = on_text

    def workers(self, bot: Bot) -> list[Any]:
        return [ProposalWorker(self.db, self.settings, self.library, bot)]
