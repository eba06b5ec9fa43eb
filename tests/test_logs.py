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
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


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
