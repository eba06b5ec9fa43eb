"""A loopback fake of the Telegram Bot API, for tests that run the real PTB client.

Why: the bot's platform code (intake, dispatcher, sender) is only trustworthy if tested
against HTTP, error codes and flood limits the way Telegram produces them, without the
network. The fake listens on 127.0.0.1 (random port); point PTB at :attr:`FakeBotAPI.base_url`.

* inject updates: :meth:`user_message`, :meth:`press`, :meth:`click`, :meth:`sticker`,
  :meth:`photo`, :meth:`document`, :meth:`location`, :meth:`edited_message` (each returns the
  update id); files sent with :meth:`document` (or uploaded by the bot with ``sendDocument``,
  see :meth:`sent_documents`) are served by ``getFile`` and the ``/file/bot<token>/`` URL;
  served by ``getUpdates`` (long poll; an ``offset`` confirms, see :attr:`confirmed`) or
  POSTed to the webhook once ``setWebhook`` was called;
* inspect: :attr:`calls` (every call in order), :meth:`calls_to`, :meth:`texts_to`,
  ``await`` :meth:`wait_for`;
* forum supergroups (team workspaces): see ``fakebot_forums`` (topics, rights, failure
  strings per chat or thread);
* inject faults: :meth:`fail_next` (429 with ``retry_after``, 5xx, 403, 400), :meth:`block`,
  :meth:`revoke_token` (every later call answers 401, as after /revoke in @BotFather),
  and :meth:`restart_update_ids` (ids start again, as Telegram does after a week idle);
* every call is checked (see ``fakebot_limits``); problems land in :attr:`violations`, which
  the ``fake_api`` fixture turns into a test failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from fakebot_forums import FakeForums
from fakebot_limits import Spec, check_call, decode_params
from fakebot_methods import ApiError, FakeChats

_FAULTS = {
    429: "Too Many Requests: retry after {retry_after}",
    403: "Forbidden: bot was blocked by the user",
    400: "Bad Request: injected failure",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    status: int = 200
    result: Any = None
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # field -> (name, bytes)
    at: float = field(default_factory=time.monotonic)  # when it arrived (budget checks)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return value if isinstance(value, int) else None


@dataclass
class _Fault:
    method: str
    status: int
    retry_after: int | float
    description: str | None
    chat_id: int | None
    times: int


class FakeBotAPI(FakeForums, FakeChats):
    token = "123456789:AAFakeTokenForTestsOnly_0123456789ab"

    def __init__(self, spec: Spec | None = None, *, use_spec: bool = True) -> None:
        super().__init__()
        self.spec = spec if spec is not None or not use_spec else Spec.load()
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.confirmed: list[int] = []
        self.webhook: dict[str, Any] | None = None
        self._queue: list[dict[str, Any]] = []  # injected, not yet confirmed
        self._update_ids = itertools.count(10_001)
        self._faults: list[_Fault] = []
        self._tick = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._pusher: asyncio.Task[None] | None = None
        self.port = 0
        self.revoked = False

    # -- server -------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """For PTB's ``base_url`` (it appends ``<token>/<method>``)."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def _download(self, request: web.Request) -> web.Response:
        """A file download, as from ``https://api.telegram.org/file/bot<token>/<path>``."""
        self.calls.append(Call("download", {"file_id": request.match_info["file_id"]}))
        content = self.files.get(request.match_info["file_id"])
        if content is None or request.match_info["token"] != self.token:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=content)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/documents/{file_id}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._closing = True
        self._changed()
        if self._pusher is not None:
            self._pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token or self.revoked:  # as Telegram does
            return web.json_response({"ok": False, "error_code": 401,
                                      "description": "Unauthorized"}, status=401)
        raw, self._uploading = await _read(request)
        call = Call(method, decode_params(self.spec, method, raw), files=self._uploading)
        self.calls.append(call)
        problems = check_call(self.spec, method, call.params)
        self.violations += [f"{method}: {p.message}" for p in problems]
        try:
            if any(p.fatal for p in problems):
                fatal = next(p for p in problems if p.fatal)
                raise ApiError(404 if "unknown method" in fatal.message else 400,
                               f"Bad Request: {fatal.message}")
            self._raise_fault(method, call.params)
            handler = getattr(self, f"api_{method}", None)
            if handler is None:
                self.violations.append(f"{method}: not implemented by the fake")
                raise ApiError(404, "Not Found")
            call.result = await handler(call.params)
        except ApiError as exc:
            call.status = exc.status
            body: dict[str, Any] = {"ok": False, "error_code": exc.status,
                                    "description": exc.description}
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            return self._reply(exc.status, body)
        return self._reply(200, {"ok": True, "result": call.result})

    def _reply(self, status: int, body: dict[str, Any]) -> web.Response:
        self._changed()
        return web.json_response(body, status=status)

    def _changed(self) -> None:
        self._tick.set()
        self._tick = asyncio.Event()

    # -- faults -------------------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int | float = 1,
        times: int = 1,
        *,
        chat_id: int | None = None,
        description: str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (to ``chat_id``, if given) fail."""
        self._faults.append(_Fault(method, status, retry_after, description, chat_id, times))

    def _raise_fault(self, method: str, params: dict[str, Any]) -> None:
        chat_id = params.get("chat_id")
        for fault in self._faults:
            if fault.method == method and fault.chat_id in (None, chat_id):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                text = fault.description or _FAULTS.get(fault.status, "Error")
                retry = fault.retry_after if fault.status == 429 else None
                raise ApiError(fault.status, text.format(retry_after=fault.retry_after), retry)
        if chat_id in self.blocked and method != "getChat":
            raise ApiError(403, _FAULTS[403])

    def revoke_token(self) -> None:
        """From now on every call answers 401 Unauthorized (a long poll already open
        finishes normally, as on Telegram)."""
        self.revoked = True

    def restart_update_ids(self, start: int = 1) -> None:
        """Number the next injected updates from ``start`` again."""
        self._update_ids = itertools.count(start)

    # -- inspection -----------------------------------------------------------------------------
    def calls_to(self, chat_id: int) -> list[Call]:
        """Successful calls addressed to ``chat_id``, in order."""
        return [c for c in self.calls if c.ok and c.chat_id == chat_id]

    def texts_to(self, chat_id: int) -> list[str]:
        """Texts (and captions) the bot sent to or edited in ``chat_id``, in order."""
        return [c.params.get("text") or c.params.get("caption") or ""
                for c in self.calls_to(chat_id) if "text" in c.params or "caption" in c.params]

    async def wait_for(self, predicate: Callable[[Call], bool], timeout: float = 5) -> Call:
        """The first recorded call matching ``predicate``, waiting for it if need be."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            tick = self._tick
            for call in self.calls[seen:]:
                if predicate(call):
                    return call
            seen = len(self.calls)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                made = ", ".join(c.method for c in self.calls[-20:])
                raise TimeoutError(f"no matching call within {timeout}s; last calls: {made}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(tick.wait(), remaining)

    def take_violations(self) -> list[str]:
        """Return and forget the violations (for tests that provoke them on purpose)."""
        found, self.violations = self.violations, []
        return found

    # -- updates ------------------------------------------------------------------------------
    def inject(self, content: dict[str, Any]) -> int:
        """Queue an update with ``content`` (e.g. ``{"message": {...}}``); return its id."""
        update_id = next(self._update_ids)
        self._queue.append({"update_id": update_id, **content})
        self._changed()
        if self.webhook is not None:
            self._push_soon()
        return update_id

    async def api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active;"
                           " use deleteWebhook to delete the webhook first")
        offset = params.get("offset")
        if isinstance(offset, int) and offset > 0:
            self._confirm(lambda u: u["update_id"] < offset)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while not self._queue and not self._closing and time.monotonic() < deadline:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._tick.wait(), deadline - time.monotonic())
        return list(self._queue[: int(params.get("limit") or 100)])

    def _confirm(self, done: Callable[[dict[str, Any]], bool]) -> None:
        self.confirmed += [u["update_id"] for u in self._queue if done(u)]
        self._queue = [u for u in self._queue if not done(u)]

    async def api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = dict(params)
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self._push_soon()
        return True

    async def api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    async def api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self._queue)}

    def _push_soon(self) -> None:
        if self._pusher is None or self._pusher.done():
            self._pusher = asyncio.create_task(self._push())

    async def _push(self) -> None:
        """Deliver queued updates to the webhook as Telegram does: retried until a 2xx."""
        async with aiohttp.ClientSession() as session:
            while self.webhook is not None and self._queue and not self._closing:
                update = self._queue[0]
                headers = {"Content-Type": "application/json"}
                if self.webhook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
                try:
                    async with session.post(self.webhook["url"], data=json.dumps(update),
                                            headers=headers) as response:
                        delivered = 200 <= response.status < 300
                except aiohttp.ClientError:
                    delivered = False
                if delivered:
                    self._confirm(lambda u, uid=update["update_id"]: u["update_id"] == uid)
                    self._changed()
                else:
                    await asyncio.sleep(0.05)


async def _read(request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """The request's parameters, and the files it uploads (field -> (file name, content))."""
    if request.content_type == "application/json":
        body = await request.json()
        return (body if isinstance(body, dict) else {}), {}
    form = await request.post()
    out: dict[str, Any] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for key, value in form.items():
        if isinstance(value, str):
            out[key] = value
        else:
            out[key] = f"<file {value.filename}>"
            files[key] = (value.filename, value.file.read())
    for key, value in request.query.items():
        out.setdefault(key, value)
    return out, files
