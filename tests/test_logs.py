"""Secrets never reach the logs: the token (in Bot API URLs) and the webhook secret."""

from __future__ import annotations

import logging

import pytest

from bot.config import Settings
from bot.logs import setup_logging

TOKEN = "123456789:AAFakeTokenForTestsOnly_0123456789ab"
SECRET = "webhook-secret-value"


@pytest.fixture
def restore_root_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    quieted = {name: logging.getLogger(name).level for name in ("aiosqlite", "telegram")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, was in quieted.items():
        logging.getLogger(name).setLevel(was)


def test_token_and_secret_are_scrubbed(restore_root_logging: None,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(Settings(bot_token=TOKEN, webhook_secret=SECRET, log_level="INFO"))
    log = logging.getLogger("httpx.test")
    log.warning("POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
    log.warning("header %s", SECRET)
    another = "987654321:ZZanotherLookingToken_abcdefghijklmnop"
    try:
        raise RuntimeError(f"failed to reach /bot{another}/sendMessage")
    except RuntimeError:
        log.exception("request failed")
    err = capsys.readouterr().err
    assert "getUpdates" in err and "request failed" in err
    assert TOKEN not in err and SECRET not in err and another not in err
    assert err.count("***") >= 3


async def test_debug_logs_never_show_what_people_wrote(
        restore_root_logging: None, capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    from bot.storage import sessions
    from bot.storage.db import Database

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
    assert "Secretname" not in err and "update 1 failed" in err
