"""/healthz tells the truth about Telegram: a real `python -m bot` against the fake Bot API,
polled as an uptime monitor would (Prometheus port, HEALTH_STALE_SECONDS=5)."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import aiohttp
from fakebotapi import FakeBotAPI
from test_startup import CLOSED_PORT, _free_port, read_until, start_bot


async def _get(url: str) -> tuple[int, str]:
    try:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return response.status, await response.text()
    except aiohttp.ClientError:
        return 0, ""


async def _stop(bot: asyncio.subprocess.Process) -> str:
    bot.send_signal(signal.SIGTERM)
    async with asyncio.timeout(15):
        rest, _ = await bot.communicate()
    return rest.decode()


async def test_healthz_turns_503_when_the_bot_api_stops_answering(
        tmp_path: Path, fake_api: FakeBotAPI) -> None:
    port = _free_port()
    bot = await start_bot(tmp_path, BOT_TOKEN=FakeBotAPI.token,
                          TELEGRAM_API_URL=fake_api.base_url, METRICS_PORT=str(port),
                          HEALTH_STALE_SECONDS="5")
    lines = await read_until(bot, "Passerelle is running")
    try:
        for _ in range(8):  # a quiet bot stays healthy (its long poll answers every 30 s)
            status, body = await _get(f"http://127.0.0.1:{port}/healthz")
            assert status == 200 and '"ok"' in body, body
            await asyncio.sleep(1)
        _, metrics = await _get(f"http://127.0.0.1:{port}/metrics")
        stamp = next(line for line in metrics.splitlines()
                     if line.startswith("passerelle_last_api_success_timestamp_seconds "))
        assert abs(float(stamp.split()[1]) - time.time()) < 30
        await fake_api.stop()  # Telegram is gone (the port refuses connections)
        stopped = time.monotonic()
        while True:
            status, body = await _get(f"http://127.0.0.1:{port}/healthz")
            if status == 503:
                break
            assert time.monotonic() - stopped < 15, "still healthy 15 s after the API stopped"
            await asyncio.sleep(0.5)
        assert "no successful Bot API call" in body and "127.0.0.1" in body
        assert time.monotonic() - stopped >= 4  # not before HEALTH_STALE_SECONDS
    finally:
        output = "".join(lines) + await _stop(bot)
    during = [line for line in output.splitlines() if "cannot reach the Telegram Bot API" in line
              or "getUpdates at" in line]
    assert during and f"127.0.0.1:{fake_api.port}" in during[0]
    assert FakeBotAPI.token not in output and "Traceback" not in output


async def test_the_metrics_port_opens_while_telegram_is_unreachable_at_start(
        tmp_path: Path) -> None:
    port = _free_port()
    bot = await start_bot(tmp_path, BOT_TOKEN=FakeBotAPI.token, TELEGRAM_API_URL=CLOSED_PORT,
                          METRICS_PORT=str(port))
    lines = await read_until(bot, "cannot reach the Telegram Bot API")
    try:
        status, body = await _get(f"http://127.0.0.1:{port}/healthz")
        assert status == 503
        assert "never reached" in body and "127.0.0.1:9" in body
        status, metrics = await _get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200 and "passerelle_last_api_success_timestamp_seconds 0.0" in metrics
    finally:
        output = "".join(lines) + await _stop(bot)
    assert "Traceback" not in output
