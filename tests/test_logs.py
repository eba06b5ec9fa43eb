"""Secrets never reach the logs: the token (in Bot API URLs) and the webhook secret."""

from __future__ import annotations

import logging
import sys
import threading

import pytest

from bot.config import Settings
from bot.logs import setup_logging

TOKEN = "123456789:AAFakeTokenForTestsOnly_0123456789ab"
SECRET = "webhook-secret-value"


@pytest.fixture
def restore_root_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    hooks = sys.excepthook, threading.excepthook
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    sys.excepthook, threading.excepthook = hooks


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


def test_an_uncaught_exception_is_printed_without_the_token(
        restore_root_logging: None, capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(Settings(bot_token=TOKEN, log_level="INFO"))
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    err = capsys.readouterr().err
    assert "RuntimeError" in err and "was rejected" in err
    assert TOKEN not in err
