"""A running bot exposes its metrics on METRICS_PORT, in both modes, and counts its work."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import aiohttp
from fakebotapi import FakeBotAPI


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def scrape(port: int) -> dict[str, float]:
    async with aiohttp.ClientSession() as http, http.get(
            f"http://127.0.0.1:{port}/metrics") as response:
        text = await response.text()
    return {line.split()[0]: float(line.split()[1]) for line in text.splitlines()
            if line.startswith("passerelle_")}


async def test_the_metrics_endpoint_counts_processed_updates_and_pending_work(
        fake_api: FakeBotAPI, start_bot: Callable[..., Any]) -> None:
    port = free_port()
    await start_bot(metrics_port=port)
    before = await scrape(port)
    fake_api.user_message(4242, "/start")
    await fake_api.wait_for(lambda call: call.chat_id == 4242)
    after = await scrape(port)
    assert after["passerelle_updates_processed_total"] >= (
        before["passerelle_updates_processed_total"] + 1)
    assert after["passerelle_outbox_pending"] >= 0
    assert after["passerelle_cases_unclaimed"] == 0
