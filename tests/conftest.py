"""Shared fixtures: the fake Bot API, a PTB bot talking to it, a real SQLite database.

Network access outside 127.0.0.1 fails the test (like PTB's own test suite): the fake is the
only Telegram a test may talk to.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fakebotapi import FakeBotAPI
from telegram import Bot

from bot.storage import Database

_LOOPBACK = {"127.0.0.1", "::1", "localhost", None}


def pytest_configure(config: pytest.Config) -> None:
    # The outbox replays calls by method name through Bot.do_api_request on purpose.
    config.addinivalue_line(
        "filterwarnings", "ignore:Please use 'Bot.:telegram.warnings.PTBUserWarning"
    )
    # Raised inside PTB's own RetryAfter constructor; nothing to change on our side.
    config.addinivalue_line(
        "filterwarnings", "ignore:.*attribute `retry_after`:telegram.warnings.PTBDeprecationWarning"
    )


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def allowed(address: Any) -> bool:
        return not isinstance(address, tuple) or address[0] in _LOOPBACK

    def connect(self: socket.socket, address: Any) -> None:
        if not allowed(address):
            raise OSError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not allowed(address):
            raise OSError(f"test tried to reach the network: {address!r}")
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in _LOOPBACK:
            raise OSError(f"test tried to resolve {name!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    """A running fake Bot API; the test fails if the bot broke a Bot API rule."""
    fake = FakeBotAPI()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    if fake.violations:
        pytest.fail("Bot API violations:\n" + "\n".join(fake.violations), pytrace=False)


@pytest.fixture
async def api_bot(fake_api: FakeBotAPI) -> AsyncIterator[Bot]:
    """A PTB ``Bot`` (initialised) whose requests go to the fake."""
    bot = Bot(fake_api.token, base_url=fake_api.base_url)
    async with bot:
        yield bot


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A real SQLite database file in ``tmp_path``, schema applied."""
    database = await Database.open(tmp_path / "data" / "test.sqlite3")
    try:
        yield database
    finally:
        await database.close()
