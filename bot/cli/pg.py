"""`python -m bot set-webhook` and `python -m bot migrate-to-postgres --from FILE [--force]`.

Why a command for the webhook: with several processes behind a load balancer, none of them
should decide alone to (re)register the webhook at start; the operator sets it once (again
after changing WEBHOOK_URL or WEBHOOK_SECRET). Setting the same webhook twice changes nothing.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from telegram import Bot, Update
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.config import Settings
from bot.tg.connectivity import api_host, network_reason


def set_webhook(settings: Settings) -> int:
    if not settings.webhook_url or not settings.webhook_secret:
        print("passerelle set-webhook: set WEBHOOK_URL and WEBHOOK_SECRET first (see "
              ".env.example)", file=sys.stderr)
        return 2

    async def call() -> None:
        async with Bot(settings.bot_token, base_url=settings.telegram_api_url) as bot:
            await bot.set_webhook(url=settings.webhook_url or "",
                                  secret_token=settings.webhook_secret,
                                  allowed_updates=list(Update.ALL_TYPES), max_connections=40)
    api = api_host(settings.telegram_api_url)
    try:
        asyncio.run(call())
    except InvalidToken:
        print("passerelle set-webhook: Telegram rejected BOT_TOKEN", file=sys.stderr)
        return 2
    except NetworkError as exc:
        print(f"passerelle set-webhook: cannot reach {api}: {network_reason(exc)}",
              file=sys.stderr)
        return 1
    except TelegramError as exc:
        print(f"passerelle set-webhook: {api} answered: {exc.message}", file=sys.stderr)
        return 1
    print(f"webhook set to {settings.webhook_url} (secret token set; updates of every type)")
    return 0


def migrate_to_postgres(source: str, settings: Settings, force: bool = False) -> int:
    from bot.storage.db import DatabaseUnavailable
    from bot.storage.pg import redact
    from bot.storage.pg_import import ImportRefused, migrate_to_postgres

    if not settings.database_url:
        print("passerelle migrate-to-postgres: set DATABASE_URL=postgresql://… (the target) "
              "first", file=sys.stderr)
        return 2
    where = redact(settings.database_url)
    print(f"copying {source} into {where}")
    try:
        copied = asyncio.run(migrate_to_postgres(Path(source), settings.database_url,
                                                 force=force))
    except (ImportRefused, DatabaseUnavailable) as exc:
        print(f"passerelle migrate-to-postgres: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # e.g. the server went away mid-copy: run again to resume
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"passerelle migrate-to-postgres: interrupted ({first}); run the same command "
              "again to resume", file=sys.stderr)
        return 1
    resumed = sum(1 for c in copied if c.resumed)
    total = sum(c.rows for c in copied)
    print(f"done: {len(copied)} tables, {total} rows, every count checked"
          + (f" ({resumed} tables copied by an earlier run)" if resumed else ""))
    return 0
