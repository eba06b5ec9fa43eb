"""`python -m bot doctor`: is this installation ready to run? One verdict line per check.

Why: an NGO's operator should learn "the token was refused" or "the database folder is not
writable" from one command, before starting the bot or after something went wrong, not from
a log. Each check is independent (a bad token does not hide a broken flow), names no
secret, and the exit status is 0 only when every check passed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot import config_check
from bot.config import ConfigError, Settings, load_settings
from bot.engine import load_flows
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, LOCALES_DIR
from bot.storage.health import file_health
from bot.storage.migrations import MIGRATIONS
from bot.tg.api_status import TokenRefused
from bot.tg.connectivity import api_host, network_reason
from bot.tg.transport import AiohttpRequest

MIN_FREE_BYTES = 200 * 1024 * 1024  # below this, SQLite may soon fail with "disk is full"
API_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Verdict:
    check: str
    ok: bool
    detail: str
    warn: bool = False  # ok, but worth reading (the exit status stays 0)

    def line(self) -> str:
        mark = "FAIL" if not self.ok else "warn" if self.warn else "ok  "
        return f"{mark}  {self.check:<9} {self.detail}"


def check_postgres(url: str) -> Verdict:
    """DATABASE_URL: reachable, which server, schema version and what waits in the inbox."""
    from bot.storage.pg_ops import server_health, where

    try:
        health = server_health(url)
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return Verdict("database", False, f"cannot reach PostgreSQL at {where(url)}: {first}")
    newest = MIGRATIONS[-1][0]
    if health.schema_version > newest:
        return Verdict("database", False, f"{where(url)}: schema {health.schema_version} is "
                                          f"newer than this code ({newest}); upgrade the code")
    state = ("schema up to date" if health.schema_version == newest
             else "migrations will run at start")
    return Verdict("database", True, f"{health.server} at {where(url)} ({state}, "
                                     f"{health.inbox_pending} updates pending, "
                                     f"{health.set_aside} set aside)")


def check_database(settings: Settings) -> Verdict:
    if settings.database_url:
        return check_postgres(settings.database_url)
    path = settings.database_path
    where = str(path.resolve())
    if not path.exists():
        folder = next(p for p in (path.parent.resolve(), *path.parent.resolve().parents)
                      if p.exists())
        if not os.access(folder, os.W_OK):
            return Verdict("database", False, f"{where} does not exist and {folder} is not "
                                              "writable")
        return Verdict("database", True, f"{where} will be created at the first start")
    if not os.access(path, os.R_OK | os.W_OK) or not os.access(path.parent, os.W_OK):
        return Verdict("database", False, f"{where}: the bot's user must be able to read and "
                                          "write the file and its folder")
    try:
        health = file_health(path)
    except Exception as exc:
        return Verdict("database", False, f"{where}: {exc}")
    if health.integrity != "ok":
        return Verdict("database", False, f"{where}: integrity check failed: {health.integrity}"
                                          " (restore a backup, see docs/operations.md)")
    newest = MIGRATIONS[-1][0]
    if health.schema_version > newest:
        return Verdict("database", False, f"{where}: schema {health.schema_version} is newer "
                                          f"than this code ({newest}); upgrade the code")
    free = shutil.disk_usage(path.parent).free
    if free < MIN_FREE_BYTES:
        return Verdict("database", False, f"{where}: only {free // 2**20} MB free on its disk")
    pending = newest - health.schema_version
    state = f"{pending} migrations will run at start" if pending else "schema up to date"
    return Verdict("database", True, f"{where} ({state}, {free // 2**20} MB free)")


def check_flows(settings: Settings) -> Verdict:
    directory = settings.flows_dir
    if not directory.is_dir() and settings.shipped_flows_dir.is_dir():
        directory = settings.shipped_flows_dir  # FLOWS_DIR is created from it at first start
    result = load_flows(directory)
    where = str(directory.resolve())
    if directory != settings.flows_dir:
        where += f" (FLOWS_DIR {settings.flows_dir} is created from them at the first start)"
    if not result.ok:
        return Verdict("flows", False, f"{len(result.errors)} errors in {where}; run "
                                       "python -m bot flows check")
    return Verdict("flows", True, f"{len(result.flows.flows)} flows in {where}, "
                                  f"{len(result.warnings)} warnings")


def check_catalogues(locales_dir: Path | None = None) -> Verdict:
    """One catalogue per language of bot.i18n.LANGUAGES but English (the source): a language
    declared without its catalogue would speak English to its readers without a word."""
    where = locales_dir or LOCALES_DIR
    if not where.is_dir():
        return Verdict("language", False, f"no UI catalogues at {where}: install with "
                                          "pip install -e .")
    wanted = [lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE]
    missing = [lang for lang in wanted if not (where / lang / "LC_MESSAGES" / "messages.po")
               .is_file()]
    if missing:
        return Verdict("language", False, f"no UI catalogue for {', '.join(missing)} in {where} "
                                          f"({len(wanted) - len(missing)} of {len(wanted)})")
    return Verdict("language", True, f"{len(wanted)} UI catalogues in {where}")


async def check_bot_api(settings: Settings) -> Verdict:
    """getMe (and, in webhook mode, getWebhookInfo) with a short timeout."""
    api = api_host(settings.telegram_api_url)
    request = AiohttpRequest(connection_pool_size=1, read_timeout=API_TIMEOUT_S,
                             connect_timeout=API_TIMEOUT_S)
    updates = AiohttpRequest(connection_pool_size=1)
    bot = Bot(settings.bot_token, base_url=settings.telegram_api_url, request=request,
              get_updates_request=updates)
    try:
        async with asyncio.timeout(API_TIMEOUT_S * 2):
            await bot.initialize()
            me = bot.bot
            detail = f"@{me.username} (id {me.id}) at {api}"
            if settings.webhook_url:
                info = await bot.get_webhook_info()
                if info.url != settings.webhook_url:  # normal before the first start
                    return Verdict("bot api", True, f"{detail}; the webhook is not set to "
                                                    "WEBHOOK_URL yet (the bot sets it at "
                                                    "start)", warn=True)
                if info.last_error_message:
                    return Verdict("bot api", False, f"{detail}; Telegram's last webhook error: "
                                                     f"{info.last_error_message}")
            return Verdict("bot api", True, detail)
    except (InvalidToken, TokenRefused):
        return Verdict("bot api", False, "Telegram rejected BOT_TOKEN; get a new one from "
                                         "@BotFather")
    except NetworkError as exc:
        return Verdict("bot api", False, f"cannot reach {api}: {network_reason(exc)}")
    except TimeoutError:
        return Verdict("bot api", False, f"cannot reach {api}: timed out")
    except TelegramError as exc:
        return Verdict("bot api", False, f"{api} answered: {exc.message}")
    finally:
        for transport in (request, updates):
            await transport.shutdown()


def run_checks(env_file: Path | None = Path(".env"),
               print_line: Callable[[str], None] = print) -> int:
    """Print one verdict per check; 0 when all passed, 1 otherwise."""
    try:
        settings = load_settings(env_file=env_file)
    except ConfigError as exc:
        print_line(Verdict("settings", False, str(exc)).line())
        try:  # the other checks can still help, with what can be read
            settings = load_settings(env_file=env_file, require_token=False)
        except ConfigError:
            return 1
        verdicts = [check_database(settings), check_flows(settings), check_catalogues()]
        for verdict in verdicts:
            print_line(verdict.line())
        return 1
    mode = f"webhook {settings.webhook_url}" if settings.webhook_url else "long polling"
    verdicts = [Verdict("settings", True, f"token set, {mode}, {len(settings.admin_ids)} "
                                          "admins"),
                *(Verdict("settings", True, text, warn=True)
                  for text in config_check.warnings(settings, env_file)),
                check_database(settings), check_flows(settings), check_catalogues(),
                asyncio.run(check_bot_api(settings))]
    for verdict in verdicts:
        print_line(verdict.line())
    return 0 if all(v.ok for v in verdicts) else 1
