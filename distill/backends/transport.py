"""A lean HTTP/1.1 keep-alive transport for httpx, on plain asyncio streams.

httpcore's connection pool scans every (waiting request, connection) pair on
each event and goes through anyio for every read and write; at a few hundred
concurrent requests that costs milliseconds of CPU per request, which caps a
2-core client far below what an inference server can serve. This transport
keeps httpx's request/response API but does the wire work directly: one idle
list per origin, ``Content-Length`` or chunked bodies, TLS through asyncio.
Errors map onto httpx's own exceptions so retry logic stays the same.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import httpx

__all__ = ["AsyncioTransport"]

_Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class AsyncioTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 with keep-alive over asyncio streams (no HTTP/2, no proxies)."""

    def __init__(self, *, max_idle: int = 1024) -> None:
        self._idle: dict[tuple[str, str, int], list[_Conn]] = {}
        self._max_idle = max_idle
        self._ssl: ssl.SSLContext | None = None

    async def _open(self, scheme: str, host: str, port: int, timeout: float | None) -> _Conn:
        ctx = None
        if scheme == "https":
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            ctx = self._ssl
        return await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=ctx, server_hostname=host if ctx else None),
            timeout)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` on an idle or new connection and read the whole response."""
        url = request.url
        origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        timeouts: dict[str, Any] = request.extensions.get("timeout", {})
        body = await request.aread()
        head = [f"{request.method} {url.raw_path.decode('ascii')} HTTP/1.1".encode()]
        if b"host" not in {k.lower() for k, _ in request.headers.raw}:
            head.append(b"Host: " + url.netloc)
        head += [k + b": " + v for k, v in request.headers.raw]
        wire = b"\r\n".join(head) + b"\r\n\r\n" + body
        idle = self._idle.setdefault(origin, [])
        while True:
            reused = bool(idle)
            try:
                conn = idle.pop() if reused else await self._open(*origin,
                                                                  timeouts.get("connect"))
            except TimeoutError as exc:
                raise httpx.ConnectTimeout(f"connect to {url.host} timed out",
                                           request=request) from exc
            except OSError as exc:
                raise httpx.ConnectError(str(exc), request=request) from exc
            try:
                return await asyncio.wait_for(self._exchange(conn, wire, origin, request),
                                              timeouts.get("read"))
            except TimeoutError as exc:
                conn[1].close()
                raise httpx.ReadTimeout("response timed out", request=request) from exc
            except _Stale:
                conn[1].close()
                if reused:
                    continue  # the server closed an idle keep-alive connection: use a new one
                raise httpx.RemoteProtocolError("server closed the connection",
                                                request=request) from None
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                conn[1].close()
                raise httpx.ReadError(f"{type(exc).__name__}: {exc}", request=request) from exc

    async def _exchange(self, conn: _Conn, wire: bytes, origin: tuple[str, str, int],
                        request: httpx.Request) -> httpx.Response:
        reader, writer = conn
        writer.write(wire)
        await writer.drain()
        try:
            status_line = await reader.readuntil(b"\r\n")
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            raise _Stale from exc
        rest = await reader.readuntil(b"\r\n\r\n")
        parts = status_line.split(b" ", 2)
        status = int(parts[1])
        headers: list[tuple[bytes, bytes]] = []
        length: int | None = None
        chunked = close = False
        for line in rest[:-4].split(b"\r\n"):
            if not line:
                continue
            key, _, value = line.partition(b":")
            key, value = key.strip(), value.strip()
            low = key.lower()
            if low == b"content-length":
                length = int(value)
            elif low == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
                continue
            elif low == b"connection" and value.lower() == b"close":
                close = True
            headers.append((key, value))
        if chunked:
            content = await _read_chunked(reader)
        elif length is not None:
            content = await reader.readexactly(length)
        else:
            content, close = await reader.read(), True
        if close or parts[0] != b"HTTP/1.1":
            writer.close()
        elif len(self._idle[origin]) < self._max_idle:
            self._idle[origin].append(conn)
        else:
            writer.close()
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def aclose(self) -> None:
        """Close every idle connection."""
        for conns in self._idle.values():
            for _, writer in conns:
                writer.close()
        self._idle.clear()


class _Stale(Exception):
    """The connection was closed before any response byte arrived."""


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    out = bytearray()
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass  # trailers
            return bytes(out)
        out += await reader.readexactly(size)
        await reader.readexactly(2)
