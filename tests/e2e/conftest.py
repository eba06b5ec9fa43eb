"""End-to-end fixtures: the real Application, workers and SQLite file against the fake API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from chat_driver import Person
from fakebotapi import FakeBotAPI

from bot.app import Runtime
from bot.config import Settings
from bot.services.library import FlowLibrary

REPO = Path(__file__).resolve().parents[2]
ADMIN_ID = 900
VOLUNTEER_IDS = (801, 802)


def make_settings(fake: FakeBotAPI, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": fake.token,
        "telegram_api_url": fake.base_url,
        "database_path": tmp_path / "data" / "bot.sqlite3",
        "flows_dir": REPO / "flows",
        "admin_ids": frozenset({ADMIN_ID}),
        "send_rate": 1000.0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
async def start_bot(fake_api: FakeBotAPI, tmp_path: Path
                    ) -> AsyncIterator[Callable[..., Any]]:
    """Start the bot (again, on the same database) with `await start_bot(**settings)`."""
    running: list[Runtime] = []

    async def start(**overrides: Any) -> Runtime:
        settings = make_settings(fake_api, tmp_path, **overrides)
        runtime = Runtime(settings, FlowLibrary.load(settings.flows_dir), poll_timeout=1)
        await runtime.start()
        running.append(runtime)
        return runtime

    yield start
    for runtime in running:
        await runtime.stop()


@pytest.fixture
def chat(start_bot: Callable[..., Any], fake_api: FakeBotAPI
         ) -> Callable[..., Awaitable[Person]]:
    """A person in their private chat with a started bot: `me = await chat(user_id, lang)`."""
    async def make(user_id: int = 42, lang: str = "en", **settings: Any) -> Person:
        return Person(fake_api, await start_bot(**settings), user_id, lang)

    return make
