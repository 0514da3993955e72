"""The lean HTTP/1.1 client against a raw loopback server that writes scripted bytes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from distill.backends.http1 import HTTP1Client, HTTPTimeout, HTTPTransportError

# a handler gets (connection number, request number on it, raw request) and returns
# the chunks to write, or None to close without answering; "CLOSE" after the chunks
# closes the connection
Handler = Callable[[int, int, bytes], list[bytes | str] | None]


class RawServer:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[bytes] = []
        self.connections = 0
        self._server: Any = None

    async def start(self) -> RawServer:
        self._server = await asyncio.start_server(self._conn, "127.0.0.1", 0)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/v1"

    async def _conn(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn_no, req_no = self.connections, 0
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                raw = head + await reader.readexactly(length)
                self.requests.append(raw)
                chunks = self.handler(conn_no, req_no, raw)
                req_no += 1
                if chunks is None:
                    return
                for chunk in chunks:
                    if chunk == "CLOSE":
                        return
                    if isinstance(chunk, str):
                        await asyncio.sleep(float(chunk))
                        continue
                    writer.write(chunk)
                    await writer.drain()
                    await asyncio.sleep(0.005)  # arrive as separate reads
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def close(self) -> None:
        self._server.close()
        await self._server.wait_closed()


def ok(body: bytes = b'{"x": 1}', extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


async def _with(handler: Handler, fn: Callable[[HTTP1Client, RawServer], Any],
                **kw: Any) -> Any:
    srv = await RawServer(handler).start()
    client = HTTP1Client(srv.url, {"Content-Type": "application/json",
                                   "Authorization": "Bearer k"}, **kw)
    try:
        return await fn(client, srv)
    finally:
        await client.aclose()
        await srv.close()


async def test_request_wire_format_and_keep_alive() -> None:
    async def run(c: HTTP1Client, srv: RawServer) -> None:
        for i in range(3):
            resp = await c.post("/chat/completions", b'{"n": %d}' % i, timeout=5)
            assert resp.status == 200 and resp.body == b'{"x": 1}'
        assert srv.connections == 1  # one keep-alive connection served all three
        head, body = srv.requests[0].split(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        assert lines[0] == b"POST /v1/chat/completions HTTP/1.1"
        assert b"Content-Length: 8" in lines and b"Authorization: Bearer k" in lines
        assert any(x.startswith(b"Host: 127.0.0.1:") for x in lines) and body == b'{"n": 0}'

    await _with(lambda c, n, raw: [ok()], run)


async def test_chunked_body_split_across_reads_and_headers() -> None:
    answer = [b"HTTP/1.1 429 Too Many\r\nRetry-After: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
              b"5\r\nhel", b"lo\r\n6;ext=1\r\n world\r\n", b"0\r\n\r\n"]

    async def run(c: HTTP1Client, srv: RawServer) -> None:
        resp = await c.post("/x", b"{}", timeout=5)
        assert (resp.status, resp.body, resp.headers["retry-after"]) == (429, b"hello world", "3")
        assert (await c.post("/x", b"{}", timeout=5)).body == b"hello world"
        assert srv.connections == 1

    await _with(lambda c, n, raw: answer, run)


async def test_body_read_to_close() -> None:
    async def run(c: HTTP1Client, srv: RawServer) -> None:
        for _ in range(2):
            resp = await c.post("/x", b"{}", timeout=5)
            assert resp.status == 200 and resp.text == "all of it"
        assert srv.connections == 2  # no length: the connection is not reused

    await _with(lambda c, n, raw: [b"HTTP/1.1 200 OK\r\n\r\nall ", b"of it", "CLOSE"], run)


async def test_server_closing_idle_connection_is_replaced() -> None:
    # each connection answers one request, then the server closes it while idle
    async def run(c: HTTP1Client, srv: RawServer) -> None:
        for _ in range(3):
            assert (await c.post("/x", b"{}", timeout=5)).status == 200
        assert srv.connections == 3

    await _with(lambda c, n, raw: [ok(), "CLOSE"], run)


async def test_stale_connection_closed_without_answer_is_retried_once() -> None:
    # the second request arrives on a kept-alive connection the server then drops
    async def run(c: HTTP1Client, srv: RawServer) -> None:
        assert (await c.post("/x", b"{}", timeout=5)).status == 200
        assert (await c.post("/x", b"{}", timeout=5)).status == 200
        assert srv.connections == 2 and len(srv.requests) == 3

    await _with(lambda c, n, raw: None if (c, n) == (0, 1) else [ok()], run)


async def test_fresh_connection_closed_without_answer_is_an_error() -> None:
    async def run(c: HTTP1Client, srv: RawServer) -> None:
        with pytest.raises(HTTPTransportError, match="closed the connection without"):
            await c.post("/x", b"{}", timeout=5)

    await _with(lambda c, n, raw: None, run)


@pytest.mark.parametrize("chunks, message", [
    ([b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "CLOSE"], "mid-answer"),
    ([b"garbage without status\r\n\r\n"], "malformed HTTP answer"),
    ([b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n"], "malformed HTTP answer"),
])
async def test_broken_answers_are_transport_errors(chunks: list[bytes | str],
                                                   message: str) -> None:
    async def run(c: HTTP1Client, srv: RawServer) -> None:
        with pytest.raises(HTTPTransportError, match=message):
            await c.post("/x", b"{}", timeout=5)

    await _with(lambda c, n, raw: chunks, run)


async def test_timeout_drops_the_connection() -> None:
    async def run(c: HTTP1Client, srv: RawServer) -> None:
        with pytest.raises(HTTPTimeout, match=r"within 0.1s"):
            await c.post("/x", b"{}", timeout=0.1)
        assert (await c.post("/x", b"{}", timeout=5)).status == 200
        assert srv.connections == 2  # the timed-out connection was not reused

    await _with(lambda c, n, raw: ["1.0", ok()] if c == 0 else [ok()], run)


async def test_connect_refused_and_bad_url() -> None:
    client = HTTP1Client("http://127.0.0.1:9/v1", {})
    with pytest.raises(HTTPTransportError, match=r"cannot connect to http://127\.0\.0\.1:9"):
        await client.post("/x", b"{}", timeout=5)
    with pytest.raises(ValueError, match="not an http"):
        HTTP1Client("ftp://example.org/", {})


def test_proxy_from_the_environment_and_no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    from distill.backends.http1 import proxy_for

    assert proxy_for("http://127.0.0.1:8000/v1") is None
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    assert proxy_for("http://llm.example:8000/v1") == "http://proxy.example:3128"
    assert proxy_for("http://127.0.0.1:8000/v1") is None
    assert proxy_for("https://api.example/v1") is None  # no HTTPS_PROXY


async def test_backend_goes_through_the_proxy_the_environment_sets(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from distill.backends import ChatRequest, Message, OpenAIBackend
    from kg.settings import LLMSettings

    body = (b'{"choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}}],'
            b' "usage": {"prompt_tokens": 1, "completion_tokens": 1}}')
    srv = await RawServer(lambda c, n, raw: [ok(body)]).start()
    try:
        monkeypatch.setenv("HTTP_PROXY", srv.url.rsplit("/v1", 1)[0])
        # a host nobody can resolve: only the proxy can answer for it
        be = OpenAIBackend(LLMSettings(backend="openai", base_url="http://llm.invalid:8000/v1",
                                       model="m", max_retries=0, timeout_s=5))
        try:
            resp = await be.complete(ChatRequest(model="m", messages=(
                Message.text("user", "hi"),), stage="s", subject="x"))
        finally:
            await be.aclose()
        assert resp.texts == ["ok"]
        assert srv.requests[0].startswith(
            b"POST http://llm.invalid:8000/v1/chat/completions HTTP/1.1")
    finally:
        await srv.close()
