"""The optional metrics endpoint (``METRICS_PORT``) and the health answer both servers give.

Why a server of its own: in polling mode there is no web server, and monitoring must work
in both modes. It is aiohttp (already a dependency) on the bot's event loop, so it starts
and stops with the bot and needs no thread. Bind it to localhost or a private network: the
figures are anonymous, but nobody outside needs them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.ops import metrics
from bot.storage.db import Database
from bot.storage.health import queue_health

log = logging.getLogger(__name__)


# Why the Bot API counts as unhealthy now (None: it answered recently); see ApiStatus.
ApiProblem = Callable[[], str | None]
WRITE_CHECK_TIMEOUT_S = 3.0


async def healthz(db: Database | None, api_problem: ApiProblem | None = None) -> web.Response:
    """200 with the queue figures when the database takes a write and the Bot API answered
    recently; otherwise 503 with the reason (``{"status": "unavailable", "reason": ...}``).

    Why a real write: a database on a full disk or a read-only mount still answers reads.
    """
    reasons: list[str] = []
    health = None
    where = f"the database {db.path}" if isinstance(getattr(db, "path", None), Path) else (
        "the database")  # a PostgreSQL URL may hold a password: never in the answer
    if db is None:
        reasons.append("the database is not open yet")
    else:
        try:
            health = await queue_health(db)
            await asyncio.wait_for(db.check_writable(), WRITE_CHECK_TIMEOUT_S)
        except TimeoutError:
            reasons.append(f"{where} took no write within {WRITE_CHECK_TIMEOUT_S:g} s")
        except Exception as exc:
            reasons.append(f"{where} cannot be written: {exc}")
    problem = api_problem() if api_problem is not None else None
    if problem is not None:
        reasons.append(problem)
    body: dict[str, object] = {"status": "unavailable" if reasons else "ok"}
    if reasons:
        body["reason"] = "; ".join(reasons)
        log.warning("healthz: %s", body["reason"])
    if health is not None:
        body.update(inbox_pending=health.inbox_pending, outbox_pending=health.outbox_pending,
                    outbox_oldest_age_seconds=round(health.outbox_oldest_age_s, 1))
    return web.json_response(body, status=503 if reasons else 200)


class MetricsServer:
    """``GET /metrics`` (Prometheus) and ``GET /healthz``; ``await start()`` / ``stop()``."""

    def __init__(self, db: Database, *, host: str = "127.0.0.1", port: int = 9464,
                 api_problem: ApiProblem | None = None) -> None:
        self._db = db
        self._api_problem = api_problem
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/healthz", self._healthz)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()
        self.port = self._runner.addresses[0][1]
        log.info("metrics: http://%s:%s/metrics", self._host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _metrics(self, request: web.Request) -> web.Response:
        body = await metrics.exposition(self._db)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _healthz(self, request: web.Request) -> web.Response:
        return await healthz(self._db, self._api_problem)
