"""Bot API requests over aiohttp instead of PTB's default httpx.

httpcore's connection pool scans every connection for every request, so with a hundred
residents being answered at once the bot spent most of its time choosing a connection
(see BENCHMARKS.md, "Telegram throughput"). aiohttp's connector does not, and aiohttp is
already a dependency.
"""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """A `telegram.request.BaseRequest` backed by one `aiohttp.ClientSession`."""

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 30.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
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
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        # PTB annotates these with its private DefaultValue; `object` is the public (wider) type.
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        data = request_data.json_parameters if request_data else {}
        body: aiohttp.FormData | dict[str, str]
        if files:
            # Raw UTF-8 file names, as httpx sends them: Telegram shows percent-escapes verbatim.
            body = aiohttp.FormData(quote_fields=False)
            for name, value in data.items():
                body.add_field(name, value)
            for name, (file_name, content, mime_type) in files.items():
                body.add_field(name, content, filename=file_name, content_type=mime_type)
        else:
            body = data

        read = _timeout(read_timeout, self._read_timeout)
        connect = _timeout(connect_timeout, self._connect_timeout)
        pool = _timeout(pool_timeout, self._pool_timeout)
        write = _timeout(write_timeout, self._media_write_timeout if files else self._write_timeout)
        # aiohttp has no separate write timeout; it counts towards the whole request.
        total = (
            None if read is None or write is None else read + write + (pool or 0) + (connect or 0)
        )
        timeout = aiohttp.ClientTimeout(
            total=total,
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.ClientError: {err!r}") from err


# PTB marks a timeout the caller did not pass with a DefaultValue (`BaseRequest.DEFAULT_NONE`);
# the class itself is private, so it is reached through that public marker.
_NOT_PASSED = type(BaseRequest.DEFAULT_NONE)


def _timeout(given: object, default: float | None) -> float | None:
    """The timeout the caller passed (seconds or None for none), else this request's default."""
    if isinstance(given, _NOT_PASSED):
        return default
    if given is None or isinstance(given, int | float):
        return given
    raise TypeError(f"a timeout is a number of seconds or None, not {given!r}")
