"""People's messages never reach the logs, even at LOG_LEVEL=DEBUG.

Why: at DEBUG, aiosqlite logs every statement with its parameters and python-telegram-bot every
Bot API call with its parameters and result; both would write what people typed.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import Settings
from bot.logs import setup_logging
from bot.storage import sessions
from bot.storage.db import Database

TOKEN = "123456789:AAFakeTokenForTestsOnly_0123456789ab"
CHATTY = ("aiosqlite", "telegram")


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in CHATTY}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, was in levels.items():
        logging.getLogger(name).setLevel(was)


async def test_debug_logs_never_show_what_people_wrote(
        restore_logging: None, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    setup_logging(Settings(bot_token=TOKEN, log_level="DEBUG"))
    db = await Database.open(tmp_path / "bot.sqlite3")
    try:
        async with db.transaction() as tx:
            await sessions.save(tx, 42, {"answers": {"name": "Awa Ndiaye-Secretname"}})
    finally:
        await db.close()
    logging.getLogger("telegram.ext.ExtBot").debug("Call to sendMessage: %s", "Secretname")
    logging.getLogger("bot.tg.dispatcher").debug("update 1 failed at: ...")
    err = capsys.readouterr().err
    assert "Secretname" not in err and "update 1 failed" in err  # the bot's own DEBUG stays
