"""A lean HTTP/1.1 keep-alive client on asyncio protocols, for one origin.

An inference server at capacity answers thousands of small requests a second;
the client must not be what limits a run. httpx + httpcore spend 0.3-1 ms of
CPU per request at hundreds of concurrent connections (request and response
objects, header merging, a pool that scans every waiting request), which caps a
2-core client at a fraction of a vLLM server's rate. This client does only what
a JSON POST to one origin needs: a pre-built request head, one idle list of
keep-alive connections, a response parser fed straight from ``data_received``
(``Content-Length``, chunked, or read-to-close bodies), TLS through asyncio, a
per-request timeout. No redirects, cookies, proxies or HTTP/2.

Failures raise :class:`HTTPTransportError` (connection refused, reset, a
malformed answer) or :class:`HTTPTimeout`; a keep-alive connection that the
server closed while idle is replaced transparently.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

__all__ = ["HTTP1Client", "HTTPResponse", "HTTPTimeout", "HTTPTooLarge", "HTTPTransportError"]

_MAX_HEAD = 64 * 1024


class HTTPTransportError(Exception):
    """The request could not be sent or its answer could not be read."""


class HTTPTimeout(HTTPTransportError):
    """No complete answer within the timeout."""


class HTTPTooLarge(HTTPTransportError):
    """The answer is larger than the client's ``max_body`` (the connection is dropped)."""


@dataclass(frozen=True, slots=True)
class HTTPResponse:
    """A complete answer: status, lower-cased header names, body."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (invalid bytes replaced)."""
        return self.body.decode("utf-8", "replace")


class _Stale(Exception):
    """The connection closed before any byte of the answer arrived."""


class _Conn(asyncio.Protocol):
    """One connection; at most one request in flight (no pipelining)."""

    __slots__ = ("_chunked", "_head", "_need", "buf", "closed", "max_body", "transport",
                 "waiter")

    def __init__(self, max_body: int = 1 << 62) -> None:
        self.max_body = max_body
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.waiter: asyncio.Future[tuple[HTTPResponse, bool]] | None = None
        self.closed = False
        self._head: tuple[int, dict[str, str], bool] | None = None
        self._need: int | None = None  # body length; None = chunked or read-to-close
        self._chunked = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # not an isinstance check: uvloop's transports are not asyncio.Transport subclasses
        self.transport = cast(asyncio.Transport, transport)

    def send(self, wire: bytes, waiter: asyncio.Future[tuple[HTTPResponse, bool]]) -> None:
        self.waiter = waiter
        self._head = None
        assert self.transport is not None
        self.transport.write(wire)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if self.waiter is not None and not self.waiter.done():
            try:
                self._parse()
            except HTTPTooLarge as exc:
                self._fail(exc)
            except (ValueError, IndexError) as exc:
                self._fail(HTTPTransportError(f"malformed HTTP answer: {exc}"))
        elif self.waiter is None:
            self.buf.clear()  # bytes nobody asked for: the connection is not reusable
            self.close()

    def _parse(self) -> None:
        if self._head is None:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > _MAX_HEAD:
                    raise ValueError("response head over 64 KiB")
                return
            lines = bytes(self.buf[:end]).split(b"\r\n")
            del self.buf[:end + 4]
            version, code = lines[0].split(b" ", 2)[:2]
            headers: dict[str, str] = {}
            for line in lines[1:]:
                key, _, value = line.partition(b":")
                headers[key.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
            keep = (version == b"HTTP/1.1"
                    and headers.get("connection", "").lower() != "close")
            self._chunked = "chunked" in headers.get("transfer-encoding", "").lower()
            length = headers.get("content-length")
            self._need = None if self._chunked or length is None else int(length)
            if self._need is None and not self._chunked:
                keep = False  # body ends when the server closes
            self._head = (int(code), headers, keep)
            if self._need is not None and self._need > self.max_body:
                raise HTTPTooLarge(f"answer of {self._need} bytes is over the "
                                   f"{self.max_body}-byte limit")
        if len(self.buf) > self.max_body + 64 * 1024:  # chunked or read-to-close
            raise HTTPTooLarge(f"answer over the {self.max_body}-byte limit")
        status, headers, keep = self._head
        if self._chunked:
            body = _dechunk(self.buf)
            if body is None:
                return
        elif self._need is not None:
            if len(self.buf) < self._need:
                return
            body = bytes(self.buf[:self._need])
            del self.buf[:self._need]
        else:
            return  # read to close: finished in connection_lost
        self._done(HTTPResponse(status, headers, body), keep)

    def _done(self, resp: HTTPResponse, keep: bool) -> None:
        waiter, self.waiter = self.waiter, None
        if self.buf:
            keep = False  # trailing bytes: do not trust this connection again
        if not keep:
            self.close()
        if waiter is not None and not waiter.done():
            waiter.set_result((resp, keep and not self.closed))

    def _fail(self, exc: Exception) -> None:
        waiter, self.waiter = self.waiter, None
        self.close()
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        if self._head is not None and self._need is None and not self._chunked:
            status, headers, _ = self._head
            self._done(HTTPResponse(status, headers, bytes(self.buf)), False)
        elif self._head is None and not self.buf:
            self._fail(_Stale())
        else:
            self._fail(HTTPTransportError(
                f"connection closed mid-answer{f': {exc}' if exc else ''}"))

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


def _dechunk(buf: bytearray) -> bytes | None:
    """The whole chunked body if ``buf`` holds all of it (consumed), else None."""
    out = bytearray()
    pos = 0
    while True:
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            return None
        size = int(bytes(buf[pos:eol]).split(b";")[0].strip(), 16)
        pos = eol + 2
        if size == 0:
            end = buf.find(b"\r\n\r\n", pos - 2)  # optional trailers end with an empty line
            if end < 0:
                return None
            del buf[:end + 4]
            return bytes(out)
        if len(buf) < pos + size + 2:
            return None
        out += buf[pos:pos + size]
        pos += size + 2


class HTTP1Client:
    """POSTs to one ``http``/``https`` origin over keep-alive connections.

    Args:
        base_url: scheme, host, optional port and path prefix, e.g. ``http://127.0.0.1:8000/v1``.
        headers: sent with every request (``Host`` and ``Content-Length`` are added).
        max_idle: most idle connections kept open.
        max_body: largest answer body accepted; a larger one raises :class:`HTTPTooLarge`.
    """

    def __init__(self, base_url: str, headers: dict[str, str], *, max_idle: int = 256,
                 max_body: int = 1 << 62) -> None:
        self.max_body = max_body
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")
        netloc = self.host if ":" not in self.host else f"[{self.host}]"
        if parts.port:
            netloc += f":{parts.port}"
        self._headers = "".join(f"{k}: {v}\r\n" for k, v in
                                {"Host": netloc, **headers}.items()).encode("latin-1")
        self._idle: list[_Conn] = []
        self._max_idle = max_idle
        self._ssl: ssl.SSLContext | None = (ssl.create_default_context()
                                            if parts.scheme == "https" else None)

    async def _connect(self) -> _Conn:
        loop = asyncio.get_running_loop()
        try:
            _, conn = await loop.create_connection(
                lambda: _Conn(self.max_body), self.host, self.port, ssl=self._ssl,
                server_hostname=self.host if self._ssl else None)
        except OSError as exc:
            raise HTTPTransportError(
                f"cannot connect to {self.scheme}://{self.host}:{self.port}: {exc}") from exc
        return conn

    async def post(self, path: str, body: bytes, *, timeout: float) -> HTTPResponse:
        """POST ``body`` to ``prefix + path``; the whole answer within ``timeout`` seconds.

        Raises:
            HTTPTimeout: no complete answer in time (the connection is dropped).
            HTTPTooLarge: the answer is over ``max_body`` bytes.
            HTTPTransportError: connect failure, reset, or malformed answer.
        """
        return await self._send(b"POST", self.prefix + path, body, timeout)

    async def get(self, path: str, *, timeout: float) -> HTTPResponse:
        """GET ``path`` at the origin (no prefix), e.g. ``/props``; see :meth:`post`."""
        return await self._send(b"GET", path, b"", timeout)

    async def _send(self, method: bytes, path: str, body: bytes,
                    timeout: float) -> HTTPResponse:
        wire = b"".join((method, b" ", path.encode("ascii"), b" HTTP/1.1\r\n",
                         self._headers, b"Content-Length: ", str(len(body)).encode(),
                         b"\r\n\r\n", body))
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                while True:
                    reused = False
                    conn = None
                    while self._idle:
                        conn = self._idle.pop()
                        if not conn.closed and not conn.transport.is_closing():  # type: ignore[union-attr]
                            reused = True
                            break
                        conn = None
                    if conn is None:
                        conn = await self._connect()
                    waiter: asyncio.Future[tuple[HTTPResponse, bool]] = loop.create_future()
                    conn.send(wire, waiter)
                    try:
                        resp, keep = await waiter
                    except _Stale:
                        if reused:
                            continue  # the server closed an idle keep-alive connection
                        raise HTTPTransportError("server closed the connection without "
                                                 "answering") from None
                    except BaseException:
                        conn.close()
                        raise
                    if keep and len(self._idle) < self._max_idle:
                        self._idle.append(conn)
                    elif not conn.closed:
                        conn.close()
                    return resp
        except TimeoutError:
            raise HTTPTimeout(f"no answer from {self.scheme}://{self.host}:{self.port}"
                              f"{path} within {timeout:g}s") from None

    async def aclose(self) -> None:
        """Close every idle connection."""
        for conn in self._idle:
            conn.close()
        self._idle.clear()


def proxy_for(base_url: str) -> str | None:
    """The proxy the environment (``HTTP_PROXY``, ``HTTPS_PROXY``, ``NO_PROXY`` …) sets
    for ``base_url``'s host, or None when it is reached directly."""
    from urllib.request import getproxies, proxy_bypass

    parts = urlsplit(base_url)
    proxy = getproxies().get(parts.scheme)
    if not proxy or not parts.hostname:
        return None
    return None if proxy_bypass(parts.hostname) else proxy


class ProxiedClient:
    """The :class:`HTTP1Client` interface over httpx, for origins behind a proxy.

    :class:`HTTP1Client` only connects directly; when the environment routes the
    server through a proxy, this client (slower per request, but proxy-aware:
    absolute-form requests, ``CONNECT`` tunnels for https) takes its place.
    """

    def __init__(self, base_url: str, headers: dict[str, str], *, proxy: str,
                 max_idle: int = 256, max_body: int = 1 << 62) -> None:
        import httpx

        self.max_body = max_body
        self._base = base_url.rstrip("/")
        parts = urlsplit(base_url)
        self.prefix = parts.path.rstrip("/")
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._client = httpx.AsyncClient(
            headers=headers, proxy=proxy,
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=max_idle))

    async def post(self, path: str, body: bytes, *, timeout: float) -> HTTPResponse:
        """POST ``body`` to ``base_url + path`` through the proxy (see :meth:`HTTP1Client.post`)."""
        return await self._send("POST", self._base + path, body, timeout)

    async def get(self, path: str, *, timeout: float) -> HTTPResponse:
        """GET ``path`` at the origin through the proxy (see :meth:`HTTP1Client.get`)."""
        return await self._send("GET", self._origin + path, None, timeout)

    async def _send(self, method: str, url: str, body: bytes | None,
                    timeout: float) -> HTTPResponse:
        import httpx

        try:
            async with asyncio.timeout(timeout):
                req = self._client.build_request(method, url, content=body, timeout=timeout)
                resp = await self._client.send(req, stream=True)
                try:
                    data = bytearray()
                    async for chunk in resp.aiter_raw():
                        data += chunk
                        if len(data) > self.max_body:
                            raise HTTPTooLarge(f"answer over the {self.max_body}-byte limit")
                finally:
                    await resp.aclose()
        except (httpx.TimeoutException, TimeoutError) as exc:
            raise HTTPTimeout(f"no answer from {url} within {timeout:g}s (through the "
                              "proxy)") from exc
        except httpx.HTTPError as exc:
            raise HTTPTransportError(f"{url} through the proxy: {type(exc).__name__}: "
                                     f"{exc}") from exc
        return HTTPResponse(resp.status_code, {k.lower(): v for k, v in resp.headers.items()},
                            bytes(data))

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()
