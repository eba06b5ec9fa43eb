"""Shared fixtures: the fake Bot API, a PTB bot talking to it, a real SQLite database.

Network access outside 127.0.0.1 fails the test (like PTB's own test suite): the fake is the
only Telegram a test may talk to.
"""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from backend import BACKEND
from fakebotapi import FakeBotAPI
from telegram import Bot

from bot.storage import Database

_LOOPBACK = {"127.0.0.1", "::1", "localhost", None}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: about the SQLite file; skipped on PG")
    config.addinivalue_line("markers", "postgres_only: needs PostgreSQL (several processes)")
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


# --- Backends: the whole suite runs on SQLite, and again on PostgreSQL ---------------------
# PASSERELLE_TEST_BACKEND=postgres: every Database.open(path) of a test opens a schema of its
# own on a throw-away PostgreSQL cluster started for the session (or on
# PASSERELLE_TEST_DATABASE_URL), and DATABASE_URL points subprocesses (`python -m bot …`) at
# the test's schema. Tests about the SQLite file itself are marked `sqlite_only`.


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if BACKEND == "postgres" and item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.skip(reason="SQLite file specific"))
        if BACKEND != "postgres" and item.get_closest_marker("postgres_only"):
            item.add_marker(pytest.mark.skip(reason="PostgreSQL only: run with "
                                                    "PASSERELLE_TEST_BACKEND=postgres"))


def pytest_report_header(config: pytest.Config) -> str:
    return f"passerelle database backend: {BACKEND}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The base URL of a PostgreSQL server for the session (started here if not given)."""
    given = os.environ.get("PASSERELLE_TEST_DATABASE_URL", "").strip()
    if given:
        yield given
        return
    from bot.storage.pg_cluster import Cluster, find_bin

    if find_bin() is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    with Cluster() as url:
        yield url


def schema_url(base: str, key: str) -> str:
    """A URL whose connections use a schema of their own (created now), named after key."""
    import hashlib

    import psycopg

    schema = "t_" + hashlib.sha1(key.encode()).hexdigest()[:20]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(autouse=True)
def _backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
             tmp_path: Path) -> Iterator[None]:
    if BACKEND != "postgres":
        yield
        return
    base = request.getfixturevalue("pg_server")
    from bot.storage import db as db_module
    from bot.storage.dialect import is_postgres_url

    original = db_module.Database.open.__func__  # type: ignore[attr-defined]
    url = schema_url(base, str(tmp_path.resolve()))  # one schema per test, any file name

    async def open_(cls: Any, target: Any, *args: Any, **kwargs: Any) -> Any:
        return await original(cls, target if is_postgres_url(target) else url, *args, **kwargs)

    monkeypatch.setattr(db_module.Database, "open", classmethod(open_))
    monkeypatch.setenv("DATABASE_URL", url)
    yield

