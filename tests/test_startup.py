"""`python -m bot` against an unreachable or refusing Bot API: clear lines, no hang, no leak.

The bot runs as a real subprocess (a supervisor's view): we read what it prints and send it
the signals systemd or Ctrl-C would.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from backend import POSTGRES, db_env, read_rows
from fakebotapi import FakeBotAPI

REPO = Path(__file__).resolve().parents[1]
WRONG_TOKEN = "111111111:AAWrongTokenRefusedByTelegram_0123456"
CLOSED_PORT = "http://127.0.0.1:9/bot"


async def start_bot(tmp_path: Path, **env: str) -> asyncio.subprocess.Process:
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
             "PYTHONPATH": str(REPO), "FLOWS_DIR": str(REPO / "flows"),
             "DATABASE_PATH": str(tmp_path / "db.sqlite3"), **db_env(), **env}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=clean,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)


async def read_until(process: asyncio.subprocess.Process, needle: str, count: int = 1,
                     timeout: float = 20) -> list[str]:
    lines: list[str] = []
    async with asyncio.timeout(timeout):
        while sum(needle in line for line in lines) < count:
            raw = await process.stdout.readline()
            if not raw:
                break
            lines.append(raw.decode())
    return lines


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_an_unreachable_api_is_retried_one_line_each_and_a_signal_stops_it(
        tmp_path: Path, sig: signal.Signals) -> None:
    bot = await start_bot(tmp_path, BOT_TOKEN=FakeBotAPI.token, TELEGRAM_API_URL=CLOSED_PORT)
    lines = await read_until(bot, "cannot reach the Telegram Bot API", count=2)
    bot.send_signal(sig)
    async with asyncio.timeout(5):  # stops within seconds, even in the middle of a backoff
        rest, _ = await bot.communicate()
    output = "".join(lines) + rest.decode()
    retries = [line for line in output.splitlines() if "cannot reach" in line]
    assert len(retries) >= 2
    assert "http://127.0.0.1:9" in retries[0] and "attempt 1" in retries[0]
    assert "Traceback" not in output and "Unclosed" not in output
    assert FakeBotAPI.token not in output
    assert bot.returncode == 0


async def test_a_refused_token_stops_with_exit_2_and_is_never_printed(
        tmp_path: Path, fake_api: FakeBotAPI) -> None:
    bot = await start_bot(tmp_path, BOT_TOKEN=WRONG_TOKEN, TELEGRAM_API_URL=fake_api.base_url)
    async with asyncio.timeout(20):
        out, _ = await bot.communicate()
    output = out.decode()
    assert bot.returncode == 2
    assert "Telegram refused the token: get a new one from @BotFather" in output
    assert WRONG_TOKEN not in output and WRONG_TOKEN.split(":")[1] not in output
    assert "Traceback" not in output and "Unclosed" not in output


async def test_the_bot_runs_against_the_api_and_stops_cleanly(
        tmp_path: Path, fake_api: FakeBotAPI) -> None:
    bot = await start_bot(tmp_path, BOT_TOKEN=FakeBotAPI.token,
                          TELEGRAM_API_URL=fake_api.base_url)
    lines = await read_until(bot, "Passerelle is running")
    bot.send_signal(signal.SIGTERM)
    async with asyncio.timeout(10):
        rest, _ = await bot.communicate()
    output = "".join(lines) + rest.decode()
    assert "Passerelle is running (long polling)" in output
    assert bot.returncode == 0
    assert "Traceback" not in output and "Unclosed" not in output


async def _post_update(port: int, update: dict) -> None:
    """What Telegram does in webhook mode (the fake cannot reach an https:// address)."""
    import aiohttp

    async with aiohttp.ClientSession() as session, session.post(
            f"http://127.0.0.1:{port}/telegram", json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": "s3cr3t"}) as response:
        assert response.status == 200


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_token_revoked_while_running_stops_with_exit_2_keeping_the_outbox(
        tmp_path: Path, fake_api: FakeBotAPI, mode: str) -> None:
    env = {"BOT_TOKEN": FakeBotAPI.token, "TELEGRAM_API_URL": fake_api.base_url}
    port = _free_port()
    if mode == "webhook":
        env |= {"WEBHOOK_URL": "https://bot.example.org/telegram",
                "WEBHOOK_SECRET": "s3cr3t", "WEBHOOK_PORT": str(port)}
    bot = await start_bot(tmp_path, **env)
    lines = await read_until(bot, "Passerelle is running")
    chat_id = 4242
    # The reply's first attempt is told to wait (429); its retry meets the revoked token.
    fake_api.fail_next("sendMessage", status=429, retry_after=2, chat_id=chat_id)
    if mode == "polling":
        await fake_api.wait_for(lambda c: c.method == "getUpdates")
        fake_api.user_message(chat_id, "/start")
    else:
        await _post_update(port, {"update_id": 7, "message": {
            "message_id": 1, "date": 1_700_000_000, "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            "chat": {"id": chat_id, "type": "private", "first_name": "Ana"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Ana"}}})
    await fake_api.wait_for(lambda c: c.method == "sendMessage" and c.status == 429, 10)
    fake_api.revoke_token()
    revoked_at = asyncio.get_running_loop().time()
    async with asyncio.timeout(30):
        rest, _ = await bot.communicate()
    took = asyncio.get_running_loop().time() - revoked_at
    output = "".join(lines) + rest.decode()
    assert bot.returncode == 2, output
    assert took < 30
    refusals = [line for line in output.splitlines() if "refused the token" in line]
    assert len(refusals) == 1 and "get a new one from @BotFather" in refusals[0]
    assert "Traceback" not in output and FakeBotAPI.token not in output
    assert "failed" not in output.lower()
    # The reply to /start is still pending (only the 429 counted): it goes after a restart.
    rows = read_rows(tmp_path / "db.sqlite3", "SELECT status, attempts FROM outbox"
                     " WHERE chat_id = ?", (chat_id,))
    if not rows and POSTGRES:  # a claim is a round trip: the update itself may still wait
        rows = read_rows(tmp_path / "db.sqlite3", "SELECT status, attempts FROM inbox"
                         " WHERE chat_id = ?", (chat_id,))
    assert rows and {status for status, _ in rows} == {"pending"}
    assert max(attempts for _, attempts in rows) <= 1


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
