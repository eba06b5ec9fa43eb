"""The one registration site: every handler, its group, and why the order matters.

Group -2 takes what belongs to a team workspace (bot/tg/workspace/router.py). Group -1
screens what is not a person's private chat (groups, channels, other bots, inline
buttons, service messages) and stops it there, so nothing personal is ever processed. Group 1 is
the private conversation: commands, then buttons, then typed text, then everything that is
not text, and finally unknown commands. Every handler is blocking (`block=True`, the
default): it must run inside the dispatcher's turn (one transaction per update).
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.services.library import FlowLibrary
from bot.tg.markup import MAX_MESSAGE
from bot.tg.transport import AiohttpRequest

from .handlers import admin, bad_input, chats, flow, menu, privacy, report
from .workspace import router as workspace_router

PRIVATE = filters.ChatType.PRIVATE
NEW_MESSAGE = filters.UpdateType.MESSAGE


def build_application(settings: Settings, library: FlowLibrary, *,
                      extra_commands: dict[str, Any] | None = None,
                      extra_handlers: list[Any] = (),
                      requests: tuple[AiohttpRequest, AiohttpRequest] | None = None,
                      **bot_data: Any) -> Application[Any, Any, Any, Any, Any, Any]:
    """Build the Application; no Updater: the inbox replaces it (see bot/tg/intake.py).

    `extra_commands` and `extra_handlers` (from the volunteer service) go before the
    fallbacks, so an unknown-command reply never shadows them. `requests` (the transport for
    every call, then the one for getUpdates) lets the caller close their connections even
    when the Application never finished initialising.
    """
    # PTB's httpx transport costs ~5x the CPU per call; getUpdates gets a pool of its own.
    calls, updates = requests or (AiohttpRequest(), AiohttpRequest(connection_pool_size=2))
    application = (
        ApplicationBuilder()
        .token(settings.bot_token)
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)  # documents sent to the bot (proposals)
        .request(calls)
        .get_updates_request(updates)
        .updater(None)
        .build()
    )
    application.bot_data.update(settings=settings, library=library, hooks={}, **bot_data)

    # A team workspace (a bound forum supergroup, or `/workspace` in a group) is handled and
    # stopped first: it is the one group the bot works in (see bot/tg/workspace/router.py).
    application.add_handler(TypeHandler(Update, workspace_router.route), group=-2)
    # Groups, channels, bots, inline buttons and service messages stop here (see chats.py).
    application.add_handler(TypeHandler(Update, chats.screen), group=-1)

    commands = {
        "start": menu.start,
        "menu": menu.menu,
        "language": menu.language,
        "help": menu.help_command,
        "back": flow.back,
        "restart": flow.restart,
        "forget": privacy.forget,
        "privacy": privacy.privacy_command,
        "reload": admin.reload,
        "stats": admin.stats,
        "report": report.report_command,
        **(extra_commands or {}),
    }
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback, filters=PRIVATE & NEW_MESSAGE),
                                group=1)
    for handler in extra_handlers:
        application.add_handler(handler, group=1)
    application.add_handler(MessageHandler(PRIVATE & NEW_MESSAGE & filters.COMMAND,
                                           bad_input.unknown_command), group=1)
    application.add_handler(CallbackQueryHandler(flow.button), group=1)
    application.add_handler(MessageHandler(PRIVATE & NEW_MESSAGE & filters.TEXT
                                           & ~filters.COMMAND & _too_long(), bad_input.too_long),
                            group=1)
    application.add_handler(MessageHandler(PRIVATE & NEW_MESSAGE & filters.TEXT
                                           & ~filters.COMMAND, flow.text), group=1)
    application.add_handler(MessageHandler(PRIVATE & NEW_MESSAGE & ~filters.TEXT,
                                           bad_input.not_text), group=1)
    application.add_handler(MessageHandler(PRIVATE & filters.UpdateType.EDITED,
                                           bad_input.edited), group=1)
    return application


def _too_long() -> filters.MessageFilter:
    class TooLong(filters.MessageFilter):
        def filter(self, message: Any) -> bool:
            return len(message.text or "") > MAX_MESSAGE

    return TooLong()

