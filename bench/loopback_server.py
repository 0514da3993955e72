"""A loopback HTTP/1.1 server of fixed capacity that answers like an OpenAI-compatible
model server, for the benches that measure the client (not a part of the product).

At most ``capacity`` requests are worked on at once, each for ``latency`` seconds; the
rest wait in arrival order, so one server's capacity is ``capacity / latency``
requests per second. GET requests are answered at once (health checks, statistics).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from multiprocessing.synchronize import Event
from typing import cast

__all__ = ["http_response", "serve_fixed_capacity"]


def http_response(status: int, body: bytes, extra: str = "") -> bytes:
    """A whole HTTP/1.1 response with a JSON ``body`` (``extra``: more header lines)."""
    return (f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{extra}\r\n").encode() + body


def serve_fixed_capacity(port: int, latency: float, capacity: int, ready: Event, *,
                         answer: Callable[[bytes], bytes], on_get: Callable[[bytes], bytes],
                         on_arrival: Callable[[bytes], None] = lambda body: None) -> None:
    """Serve on ``127.0.0.1:port`` until killed (sets ``ready`` once listening).

    Args:
        answer: the response to a POST ``body`` once its ``latency`` is over (not
            called when the client has gone).
        on_get: the response to a GET request, given its lower-cased head.
        on_arrival: told each POST body as it arrives.
    """
    waiting: deque[tuple[asyncio.Transport, bytes]] = deque()
    busy = 0

    def finish(transport: asyncio.Transport, body: bytes) -> None:
        nonlocal busy
        if not transport.is_closing():
            transport.write(answer(body))
        busy -= 1
        while waiting and busy < capacity:
            t, b = waiting.popleft()
            if not t.is_closing():
                start_one(t, b)

    def start_one(transport: asyncio.Transport, body: bytes) -> None:
        nonlocal busy
        busy += 1
        asyncio.get_running_loop().call_later(latency, finish, transport, body)

    class Conn(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.t, self.buf = cast(asyncio.Transport, transport), b""

        def data_received(self, data: bytes) -> None:
            self.buf += data
            while True:
                end = self.buf.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = self.buf[:end].lower()
                i = head.find(b"content-length:")
                j = head.find(b"\r\n", i)
                n = int(head[i + 15:j if j > 0 else None]) if i >= 0 else 0
                if len(self.buf) < end + 4 + n:
                    return
                body, self.buf = self.buf[end + 4:end + 4 + n], self.buf[end + 4 + n:]
                if head.startswith(b"get "):
                    self.t.write(on_get(head))
                    continue
                on_arrival(body)
                if busy < capacity:
                    start_one(self.t, body)
                else:
                    waiting.append((self.t, body))

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(Conn, "127.0.0.1", port,
                                                                backlog=4096)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(main())
