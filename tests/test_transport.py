"""The aiohttp transport under python-telegram-bot: same requests, same errors as PTB's own."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from fakebotapi import FakeBotAPI
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.tg.sender import retry_after_seconds
from bot.tg.transport import AiohttpRequest


@pytest.fixture
async def bot(fake_api: FakeBotAPI) -> AsyncIterator[Bot]:
    request = AiohttpRequest()
    bot = Bot(fake_api.token, base_url=fake_api.base_url, request=request,
              get_updates_request=AiohttpRequest(connection_pool_size=1))
    async with bot:
        yield bot


async def test_calls_carry_their_parameters_and_results(fake_api: FakeBotAPI, bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Oui ✅", callback_data="f:1:yes")]])
    sent = await bot.send_message(7, "<b>Привет</b> &amp; «bonjour»", parse_mode="HTML",
                                  reply_markup=markup)
    call = fake_api.calls[-1]
    assert call.method == "sendMessage"
    assert call.params["text"] == "<b>Привет</b> &amp; «bonjour»"
    assert call.params["reply_markup"] == markup.to_dict()
    assert sent.message_id == 1 and sent.text == "Привет & «bonjour»"
    raw = await bot.do_api_request("sendMessage", api_kwargs={"chat_id": 7, "text": "raw"})
    assert raw["message_id"] == 2


async def test_files_go_up_as_multipart(fake_api: FakeBotAPI, bot: Bot) -> None:
    await bot.send_document(7, document=b"%PDF-1.4 fake", filename="form.pdf", caption="Form")
    call = fake_api.calls[-1]
    assert call.params["document"] == "<file form.pdf>"
    assert call.params["caption"] == "Form" and call.params["chat_id"] == 7


@pytest.mark.parametrize(("status", "error"), [
    (429, RetryAfter), (403, Forbidden), (400, BadRequest), (500, NetworkError),
    (502, NetworkError),
])
async def test_telegram_errors_become_ptb_errors(fake_api: FakeBotAPI, bot: Bot, status: int,
                                                 error: type[Exception]) -> None:
    fake_api.fail_next("sendMessage", status=status, retry_after=3)
    with pytest.raises(error) as caught:
        await bot.send_message(7, "x")
    if status == 429:
        assert retry_after_seconds(caught.value) == 3


async def test_long_poll_waits_and_returns_updates(fake_api: FakeBotAPI, bot: Bot) -> None:
    polling = asyncio.create_task(bot.do_api_request("getUpdates", api_kwargs={"timeout": 5},
                                                     read_timeout=10))
    await asyncio.sleep(0.1)
    assert not polling.done()  # it really waits on the server
    update_id = fake_api.user_message(7, "hello")
    updates = await asyncio.wait_for(polling, 3)
    assert [u["update_id"] for u in updates] == [update_id]


async def test_a_slow_server_is_a_timeout() -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", slow)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    request = AiohttpRequest(read_timeout=0.2)
    bot = Bot(FakeBotAPI.token, base_url=f"http://127.0.0.1:{port}/bot", request=request)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await bot.do_api_request("sendMessage", api_kwargs={"chat_id": 1, "text": "x"})
    finally:
        await request.shutdown()
        await runner.cleanup()


async def test_no_server_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    bot = Bot(FakeBotAPI.token, base_url=f"http://127.0.0.1:{port}/bot", request=request)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await bot.do_api_request("sendMessage", api_kwargs={"chat_id": 1, "text": "x"})
        assert not isinstance(caught.value, TimedOut)
    finally:
        await request.shutdown()


async def test_requests_before_initialize_are_refused() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:1/bot/x", "POST")
