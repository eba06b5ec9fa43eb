"""Several real ``python -m bot`` processes in webhook mode on one PostgreSQL database.

Why real processes: what must hold across processes (claims, leases, the elected sender)
only shows with separate interpreters, separate pools and ``kill -9``. Each process gets
the test's DATABASE_URL, the fake Bot API, and its own webhook port; updates are POSTed to
them as Telegram would (the fake cannot reach an https:// WEBHOOK_URL).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parents[1]
SECRET = "s3cr3t-several"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def text_update(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": update_id, "date": 1_700_000_000, "text": text,
        "chat": {"id": chat_id, "type": "private", "first_name": "P"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "P", "language_code": "en"}}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0,
                                "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


class BotProcess:
    """One bot process; ``await start()``, ``await post(update)``, ``kill()``, ``stop()``."""

    def __init__(self, api_url: str, token: str, tmp_path: Path, **env: str) -> None:
        self.port = free_port()
        self.env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
                    "PYTHONPATH": str(REPO), "FLOWS_DIR": str(REPO / "flows"),
                    "BOT_TOKEN": token, "TELEGRAM_API_URL": api_url,
                    "DATABASE_URL": os.environ["DATABASE_URL"],
                    "DATABASE_PATH": str(tmp_path / "unused.sqlite3"),
                    "WEBHOOK_URL": "https://bot.example.org/telegram", "WEBHOOK_SECRET": SECRET,
                    "WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_PORT": str(self.port),
                    "LOG_LEVEL": "WARNING", "QUIET_HOURS": "off", **env}
        self.cwd = tmp_path
        self.process: asyncio.subprocess.Process | None = None
        self.log = tmp_path / f"bot-{self.port}.log"

    async def start(self, timeout: float = 30) -> None:
        out = self.log.open("wb")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=self.cwd, env=self.env, stdout=out,
            stderr=asyncio.subprocess.STDOUT)
        out.close()
        async with asyncio.timeout(timeout), aiohttp.ClientSession() as session:
            while True:
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"http://127.0.0.1:{self.port}/healthz") as r:
                        if r.status in (200, 503):
                            return
                if self.process.returncode is not None:
                    raise RuntimeError(f"bot exited: {self.log.read_text()[-2000:]}")
                await asyncio.sleep(0.1)

    async def post(self, session: aiohttp.ClientSession, update: dict[str, Any]) -> int:
        """Deliver like Telegram; the status (200 once stored)."""
        async with session.post(f"http://127.0.0.1:{self.port}/telegram", json=update,
                                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as r:
            return r.status

    def kill(self) -> None:
        """``kill -9``: no cleanup, no goodbye."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> str:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(20):
                    await self.process.wait()
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        elif self.process is not None:
            await self.process.wait()
        return self.log.read_text(errors="replace")
