"""python-telegram-bot's HTTP transport on aiohttp instead of httpx.

Why: every reply Passerelle sends is one Bot API call, and with PTB's default transport
(httpx on httpcore and anyio) each call costs about 1.1 ms of CPU (measured on loopback,
benchmarks/README.md); aiohttp's C-accelerated client costs about 0.2 ms. On a small
server that difference decides how many people the bot can serve per second. PTB supports
replacing its transport: this is a :class:`telegram.request.BaseRequest`, so PTB still
builds the requests and maps Telegram's answers to its exceptions (RetryAfter, Forbidden,
BadRequest...) exactly as before; only the bytes travel differently.

Parameters travel as one JSON body (which the Bot API accepts for every call that uploads
no file: one ``json.dumps`` instead of PTB's per-parameter encoding and URL-quoting), and
as ``multipart/form-data`` when files are uploaded, as PTB's own transport does. Timeouts
become :class:`telegram.error.TimedOut`, other transport failures
:class:`telegram.error.NetworkError`.
"""

from __future__ import annotations

import json

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.logs import TOKEN_IN_TEXT
from bot.tg.api_status import ApiStatus, TokenRefused


class AiohttpRequest(BaseRequest):
    """A pooled aiohttp session; ``await initialize()`` before use, ``shutdown()`` after.

    ``status`` (optional) hears of every answer and failure (health, a refused token); a
    401 answer raises :class:`TokenRefused` whatever the method, because PTB would call it
    ``InvalidToken`` or ``EndPointNotFound`` depending on the call.
    """

    __slots__ = ("_connect_timeout", "_media_write_timeout", "_pool_size", "_pool_timeout",
                 "_read_timeout", "_session", "_status", "_write_timeout")

    def __init__(
        self,
        connection_pool_size: int = 32,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        status: ApiStatus | None = None,
    ) -> None:
        self._status = status
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See :meth:`telegram.request.BaseRequest.do_request`."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        write = write_timeout
        if isinstance(write, DefaultValue):
            write = self._media_write_timeout if files else self._write_timeout
        connect = (self._connect_timeout if isinstance(connect_timeout, DefaultValue)
                   else connect_timeout)
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        # aiohttp has no write timeout of its own: the request must be sent (write) and the
        # answer begun (read) within their sum, and each read of the answer within ``read``.
        total = None if read is None or write is None else read + write + (connect or 0) + (
            pool or 0)
        timeout = aiohttp.ClientTimeout(
            total=total, sock_connect=connect, sock_read=read,
            connect=None if pool is None or connect is None else pool + connect)
        try:
            data, headers = _body(request_data)
            async with self._session.request(method, url, data=data, headers=headers,
                                             timeout=timeout) as response:
                code, payload = response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's timeouts are TimeoutErrors too
            if self._status is not None:
                self._status.failed("timed out")
            raise TimedOut from exc
        except aiohttp.ClientError as exc:  # its text may quote the URL, which holds the token
            reason = TOKEN_IN_TEXT.sub("***", str(exc).replace(url, "<Bot API URL>"))
            if self._status is not None:
                self._status.failed(reason)
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {reason}") from None
        if self._status is not None:
            self._status.answered(code)
        if code == 401:
            raise TokenRefused("Unauthorized: Telegram refused the bot token")
        return code, payload


_JSON = {"Content-Type": "application/json"}


def _body(request_data: RequestData | None
          ) -> tuple[aiohttp.FormData | bytes | None, dict[str, str] | None]:
    """The request's body and its headers: JSON, or a multipart form when files go up."""
    if request_data is None:
        return None, None
    if not request_data.contains_files:
        body = json.dumps(request_data.parameters, ensure_ascii=False).encode()
        return body, _JSON
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (file_name, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=file_name, content_type=mime_type)
    return form, None
