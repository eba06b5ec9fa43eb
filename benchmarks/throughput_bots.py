"""The two bots of `benchmarks/throughput.py`, each run in its own process.

Why a process per bot: CPU time per update must be the bot's alone, not the load
generator's or the fake Bot API's, and the memory figure must be the bot's RSS.

    python benchmarks/throughput_bots.py passerelle --api-url URL --db FILE --flows DIR
    python benchmarks/throughput_bots.py echo --api-url URL [--aiohttp]

The parent talks to the child over stdin/stdout, one line each way:
    child prints  ``ready``                 once it polls for updates;
    ``stats``  -> ``{"cpu": s, "rss_kb": n, "hwm_kb": n}``  (time.process_time, /proc);
    ``limits SEND_RATE CHAT_RATE|none``  -> Passerelle: new flood limits -> ``limits set``;
    ``profile`` / ``profile PATH``  -> start cProfile / stop it and write its stats to PATH;
    ``stop``   -> the child stops cleanly and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import json
import logging
import math
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TOKEN = "123456789:AAFakeTokenForTestsOnly_0123456789ab"  # the fake's token


def memory_kb() -> dict[str, int]:
    """Current and peak resident set size, from /proc (Linux)."""
    out = {"rss_kb": 0, "hwm_kb": 0}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out["rss_kb"] = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                out["hwm_kb"] = int(line.split()[1])
    except OSError:
        pass
    return out


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def _serve_commands(stop: asyncio.Event,
                          limits: Callable[[float, float | None], None] | None = None) -> None:
    """Answer the parent's commands until it says ``stop`` (or closes stdin)."""
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str] = asyncio.Queue()

    def read() -> None:  # a thread: stdin has no portable asyncio reader
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line.strip())
        loop.call_soon_threadsafe(lines.put_nowait, "stop")

    threading.Thread(target=read, daemon=True).start()
    profiler: cProfile.Profile | None = None
    while True:
        command = await lines.get()
        if command == "stats":
            _say(json.dumps({"cpu": time.process_time(), **memory_kb()}))
        elif command == "profile":
            profiler = cProfile.Profile()
            profiler.enable()  # the event loop's thread: where the bot's Python code runs
        elif command.startswith("profile ") and profiler is not None:
            profiler.disable()
            profiler.dump_stats(command.split(" ", 1)[1])
            profiler = None
            _say("profiled")
        elif command.startswith("limits ") and limits is not None:
            _, send_rate, chat_rate = command.split()
            limits(float(send_rate), None if chat_rate == "none" else float(chat_rate))
            _say("limits set")
        elif command == "stop":
            stop.set()
            return


# -- Passerelle: the real Runtime ---------------------------------------------------------------
async def run_passerelle(args: argparse.Namespace) -> None:
    import bot.app
    from bot.app import Runtime
    from bot.config import Settings
    from bot.logs import setup_logging
    from bot.services.library import FlowLibrary
    from bot.tg.ratelimit import RateLimiter
    from bot.tg.sender import Sender

    settings = Settings(
        bot_token=TOKEN,
        telegram_api_url=args.api_url,
        database_path=Path(args.db),
        flows_dir=Path(args.flows),
        send_rate=args.send_rate,
        log_level="INFO",
    )
    setup_logging(settings)
    if args.chat_rate is not None:  # a lifted per-chat limit (the default is Telegram's)
        bot.app.RateLimiter = functools.partial(  # type: ignore[misc]
            RateLimiter, chat_rate=args.chat_rate, chat_burst=max(3, int(args.chat_rate)))
    runtime = Runtime(settings, FlowLibrary.load(settings.flows_dir), poll_timeout=10)
    await runtime.start()
    sender = next(w for w in runtime.workers if isinstance(w, Sender))

    def limits(send_rate: float, chat_rate: float | None) -> None:
        """Change the flood limits in place (latency mode: people are set up with them lifted,
        then measured with Telegram's). The buckets keep their history (when each chat was
        last served), as in a bot that has been running all along. Benchmark only: it
        reaches into the limiter's private state."""
        limiter = sender._limiter
        rate, burst = (1.0, 3) if chat_rate is None else (chat_rate, max(3, int(chat_rate)))
        limiter._window.limit = max(1, math.floor(send_rate))
        limiter._global.rate = send_rate
        limiter._global.tokens = min(limiter._global.tokens, limiter._global.capacity)
        limiter._chat_rate, limiter._chat_burst = rate, burst
        for bucket in limiter._chats.values():
            bucket.rate, bucket.capacity = rate, burst
            bucket.tokens = min(bucket.tokens, burst)

    stop = asyncio.Event()
    _say("ready")
    await _serve_commands(stop, limits)
    await runtime.stop()


# -- the baseline: a bare python-telegram-bot echo bot ------------------------------------------
async def run_echo(args: argparse.Namespace) -> None:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler
    from telegram.ext import filters as f

    logging.basicConfig(level=logging.WARNING)

    def next_button(n: int) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton(f"Next {n}", callback_data=f"e:{n}")]])

    async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None and update.effective_message is not None
        await context.bot.send_message(update.effective_chat.id,
                                       f"echo: {update.effective_message.text}",
                                       reply_markup=next_button(1))

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and update.effective_chat is not None
        await query.answer()
        n = int((query.data or "e:0").split(":")[1]) + 1
        await context.bot.send_message(update.effective_chat.id, f"echo: {query.data}",
                                       reply_markup=next_button(n))

    builder = Application.builder().token(TOKEN).base_url(args.api_url)
    if args.aiohttp:  # information: the same bot on Passerelle's HTTP transport
        from bot.tg.transport import AiohttpRequest

        builder = builder.request(AiohttpRequest()).get_updates_request(AiohttpRequest())
    app = builder.build()
    app.add_handler(MessageHandler(f.TEXT, on_message))
    app.add_handler(CallbackQueryHandler(on_press))
    stop = asyncio.Event()
    async with app:  # what run_polling does, minus its signal handling
        assert app.updater is not None
        await app.updater.start_polling()
        await app.start()
        _say("ready")
        await _serve_commands(stop)
        await app.updater.stop()
        await app.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bot", choices=("passerelle", "echo"))
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--db")
    parser.add_argument("--flows")
    parser.add_argument("--send-rate", type=float, default=30.0)
    parser.add_argument("--chat-rate", type=float, default=None)
    parser.add_argument("--aiohttp", action="store_true",
                        help="echo: use bot/tg/transport.py instead of PTB's httpx transport")
    args = parser.parse_args()
    asyncio.run(run_passerelle(args) if args.bot == "passerelle" else run_echo(args))


if __name__ == "__main__":
    main()
