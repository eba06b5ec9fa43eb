"""Webhook intake: Telegram POSTs updates; each is in the inbox before we answer 200.

Why: Telegram treats a 2xx as "delivered" and retries anything else, so answering only after
the commit gives the same guarantee as polling: nothing acknowledged is ever lost. The
``X-Telegram-Bot-Api-Secret-Token`` header (set with ``setWebhook``) proves a request comes
from Telegram; anything else gets 403 and is not stored.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Bot, Update

from bot.ops.http import ApiProblem, healthz
from bot.storage import inbox
from bot.storage.db import Database

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


class WebhookServer:
    """An aiohttp server receiving updates at ``path``; ``await start()`` / ``await stop()``.

    ``url`` is the public HTTPS address Telegram calls (behind a reverse proxy, typically);
    the server listens on ``host:port`` (port 0 picks a free one, see :attr:`port`).
    """

    def __init__(
        self,
        bot: Bot,
        db: Database,
        *,
        url: str,
        secret_token: str,
        host: str = "0.0.0.0",
        port: int = 8080,
        path: str | None = None,
        allowed_updates: Sequence[str] = Update.ALL_TYPES,
        max_connections: int = 40,
        api_problem: ApiProblem | None = None,
        shared: bool = False,
    ) -> None:
        """``shared``: one of several processes behind a load balancer (PostgreSQL). Then the
        webhook is set at start only if Telegram has none for ``url`` (``python -m bot
        set-webhook`` sets it, e.g. after a new secret), so processes never fight over it."""
        self._api_problem = api_problem
        if not _SECRET_RE.fullmatch(secret_token):
            raise ValueError("secret_token: 1-256 characters A-Z, a-z, 0-9, _ and - only")
        self._bot = bot
        self._db = db
        self._url = url
        self._secret = secret_token.encode()
        self._host = host
        self._port = port
        self.path = path or urlsplit(url).path or "/"
        self._allowed = list(allowed_updates)
        self._max_connections = max_connections
        self._shared = shared
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def app(self) -> web.Application:
        """The aiohttp application (one route); exposed for embedding and tests."""
        app = web.Application()
        app.router.add_post(self.path, self._receive)
        app.router.add_get("/healthz", self._healthz)  # for the reverse proxy and monitoring
        return app

    async def start(self) -> None:
        """Listen first, then tell Telegram where to send updates."""
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        if not self._shared or (await self._bot.get_webhook_info()).url != self._url:
            await self.set_webhook()
        log.info("webhook: listening on %s:%s%s", self._host, self.port, self.path)

    async def set_webhook(self) -> None:
        """Tell Telegram where to send updates (idempotent: the same call twice is one)."""
        await self._bot.set_webhook(
            url=self._url,
            secret_token=self._secret.decode(),
            allowed_updates=self._allowed,
            max_connections=self._max_connections,
        )

    async def stop(self) -> None:
        """Stop listening. The webhook stays set: Telegram keeps updates until we are back."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, request: web.Request) -> web.Response:
        return await healthz(self._db, self._api_problem)

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=403)
        try:
            update = json.loads(await request.read())
            if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
                raise ValueError("not an update")
        except ValueError:
            return web.Response(status=400)
        try:
            async with self._db.transaction() as tx:
                await inbox.add_many(tx, [update])
        except Exception as exc:
            if self._db.transient(exc):  # PostgreSQL unreachable: one line, no traceback
                log.warning("webhook: update %s not stored (%s); Telegram will send it again",
                            update["update_id"], type(exc).__name__)
            else:
                log.exception("webhook: storing update %s failed", update["update_id"])
            return web.Response(status=500)  # Telegram will deliver it again
        return web.Response(status=200)
