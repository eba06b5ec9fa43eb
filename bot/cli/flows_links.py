"""`python -m bot flows links`: each flow's Telegram deep link, and optionally a QR code.

    python -m bot flows links --bot PasserelleBot
    python -m bot flows links --qr qr/        # asks Telegram for the username (needs BOT_TOKEN)

A deep link `https://t.me/<bot>?start=<flow id>` opens the bot straight into that flow. QR
codes are PNG files written with `qrcode`'s pure-Python backend (it needs `pypng`).
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import TextIO

from bot.cli.console import load_valid
from bot.config import ConfigError, Settings, load_settings
from bot.engine.model import Flow

START_PARAMETER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # what Telegram accepts after ?start=
USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
NO_BOT = ("no bot username: pass --bot USERNAME, or set BOT_TOKEN (in .env) so the bot's "
          "username can be asked from Telegram")


def deep_link(username: str, flow_id: str) -> str:
    if not START_PARAMETER.match(flow_id):
        raise ValueError(f"flow id {flow_id!r} cannot be a deep-link start parameter "
                         "(A-Z, a-z, 0-9, _ and -, at most 64 characters)")
    return f"https://t.me/{username}?start={flow_id}"


def fetch_username(settings: Settings) -> str:
    """Ask Telegram who the bot is: `Bot.initialize()` calls getMe exactly once."""
    import telegram

    async def ask() -> str:
        bot = telegram.Bot(settings.bot_token, base_url=settings.telegram_api_url)
        await bot.initialize()
        try:
            return bot.username
        finally:
            await bot.shutdown()

    return asyncio.run(ask())


def write_qr(url: str, path: Path) -> None:
    import qrcode
    from qrcode.image.pure import PyPNGImage

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10,
                         border=4)
    code.add_data(url)
    code.make(fit=True)
    image = code.make_image(image_factory=PyPNGImage)
    with path.open("wb") as handle:
        image.save(handle)


def _username(bot: str | None, err: TextIO) -> str | None:
    if bot is None:
        try:
            settings = load_settings(require_token=False)
        except ConfigError as exc:
            print(exc, file=err)
            return None
        if not settings.bot_token:
            print(NO_BOT, file=err)
            return None
        import telegram.error

        try:
            bot = fetch_username(settings)
        except telegram.error.InvalidToken:  # its message repeats the token: keep it out
            print("Telegram rejected BOT_TOKEN; check it, or pass --bot USERNAME", file=err)
            return None
        except telegram.error.TelegramError as exc:
            print(f"could not ask Telegram for the bot's username ({exc}); "
                  "pass --bot USERNAME", file=err)
            return None
    bot = bot.strip().removeprefix("@").removeprefix("https://t.me/")
    if not USERNAME.match(bot):
        print(f"{bot!r} is not a bot username (5-32 letters, digits and _)", file=err)
        return None
    return bot


def run(directory: str, bot: str | None = None, qr: str | None = None,
        out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Print every flow's link (and write QR codes); 1 for invalid flows, 2 without a bot."""
    out = out or sys.stdout
    err = err or sys.stderr
    loaded = load_valid(directory, err)
    if loaded is None:
        return 1
    flows: list[Flow] = sorted(loaded.flows.flows.values(), key=lambda f: (f.country, f.id))
    bad = [flow.id for flow in flows if not START_PARAMETER.match(flow.id)]
    if bad:
        print("these flow ids cannot be deep-link parameters (A-Z, a-z, 0-9, _ and -, "
              f"at most 64 characters): {', '.join(bad)}", file=err)
        return 1
    username = _username(bot, err)
    if username is None:
        return 2
    folder = Path(qr) if qr else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    for flow in flows:
        url = deep_link(username, flow.id)
        print(f"{flow.country}  {url}  {' '.join(flow.title.get(flow.languages[0]).split())}",
              file=out)
        if folder is not None:
            try:
                write_qr(url, folder / f"{flow.id}.png")
            except ImportError:
                print("QR codes need the pypng package: pip install pypng", file=err)
                return 2
    if folder is not None:
        print(f"wrote {len(flows)} QR codes to {folder}", file=out)
    return 0
