"""`python -m bot set-webhook`: registers WEBHOOK_URL and the secret, idempotently."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from fakebotapi import FakeBotAPI

REPO = Path(__file__).resolve().parents[2]


async def set_webhook(tmp_path: Path, fake: FakeBotAPI, **env: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "set-webhook", cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "PYTHONPATH": str(REPO),
             "BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.base_url, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode()


async def test_set_webhook_twice_is_the_same_webhook(tmp_path: Path,
                                                     fake_api: FakeBotAPI) -> None:
    env = {"WEBHOOK_URL": "https://bot.example.org/telegram", "WEBHOOK_SECRET": "s3cr3t-x"}
    for _ in range(2):
        code, out = await set_webhook(tmp_path, fake_api, **env)
        assert code == 0, out
        assert "webhook set to https://bot.example.org/telegram" in out
        assert "s3cr3t-x" not in out and fake_api.token not in out
        assert fake_api.webhook is not None
        assert fake_api.webhook["url"] == env["WEBHOOK_URL"]
        assert fake_api.webhook["secret_token"] == env["WEBHOOK_SECRET"]
        fake_api.webhook = None  # the fake would push to https:// otherwise


async def test_set_webhook_without_the_settings_says_what_is_missing(
        tmp_path: Path, fake_api: FakeBotAPI) -> None:
    code, out = await set_webhook(tmp_path, fake_api)
    assert code == 2 and "WEBHOOK_URL and WEBHOOK_SECRET" in out
    assert [c.method for c in fake_api.calls if c.method == "setWebhook"] == []
