"""Several OpenAI-compatible servers behind one client: routing, take-out, health checks.

Each request goes to the server that is up, has a free place under its own
concurrency limit and has the fewest requests in flight (ties in turn). When no
server has a free place, requests wait in arrival order and each freed place is
handed to the first waiter that may use it.

A server that fails is taken out (:meth:`ServerPool.take_out`): no new request
goes to it, and a background task asks its ``/health`` (else ``/models``, for
servers without one) until it answers, then puts it back. The first check comes at
once (a server that failed one request but is well comes straight back); a server
that fails again before answering any request waits longer each time (up to 30 s),
so a server that accepts requests only to fail them does not draw the traffic that
its quick failures would otherwise win it. While every server is out, requests
wait; once every server has been out for ``wait_s`` seconds, waiting and new
requests fail with :class:`NoServerUp` until one comes back.

Server URLs in messages are the configured base URLs, which the settings keep
free of credentials and query strings; the request headers (the API key) are
never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass, field

from distill.backends.http1 import HTTP1Client, HTTPTransportError, ProxiedClient
from kg.errors import DistillError

__all__ = ["NoServerUp", "PoolServer", "ServerPool", "ServerState"]

log = logging.getLogger(__name__)

_MAX_CHECK_DELAY_S = 30.0
# /health answers that mean "no such endpoint here", not "unwell": ask /models instead
_NO_HEALTH_ENDPOINT = frozenset({401, 403, 404, 405})


class NoServerUp(DistillError):
    """Every server of the pool is out (or the request may use none of the others)."""


@dataclass(eq=False)
class PoolServer:
    """One server of the pool and its live counters.

    Attributes:
        url: the base URL as configured (no credentials, no query); used in messages.
        client: the connection pool to it.
        limit: the most requests in flight on it.
        outstanding: requests in flight now.
        up: whether new requests may go to it.
        problem: why it was last taken out ("" while well).
        fails_in_row: times taken out with no answer in between (delays its checks).
        answered: requests it answered.
        taken_out: times it was taken out.
    """

    url: str
    client: HTTP1Client | ProxiedClient
    limit: int
    outstanding: int = 0
    up: bool = True
    problem: str = ""
    fails_in_row: int = 0
    answered: int = 0
    taken_out: int = 0
    checker: asyncio.Task[None] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ServerState:
    """A snapshot of one server for reports, tests and benchmarks."""

    url: str
    up: bool
    limit: int
    outstanding: int
    answered: int
    taken_out: int
    problem: str


@dataclass(eq=False)
class _Waiter:
    fut: asyncio.Future[PoolServer]
    avoid: Collection[PoolServer]
    exclude: Collection[PoolServer]


class ServerPool:
    """Routes requests over :class:`PoolServer` s; see the module docstring.

    Args:
        servers: the servers, in configured order (at least one).
        health_interval_s: seconds between health checks of a server that is out.
        wait_s: how long requests may wait while every server is out.
        check_timeout_s: the most one health check may take.
    """

    def __init__(self, servers: list[PoolServer], *, health_interval_s: float,
                 wait_s: float, check_timeout_s: float) -> None:
        if not servers:
            raise ValueError("a server pool needs at least one server")
        self.servers = servers
        self._interval = health_interval_s
        self._wait_s = wait_s
        self._check_timeout = check_timeout_s
        self._waiters: deque[_Waiter] = deque()
        self._turn = 0
        self._down = 0
        self._all_down_since: float | None = None
        self._expiry: asyncio.TimerHandle | None = None
        self._expiry_loop: asyncio.AbstractEventLoop | None = None

    def states(self) -> list[ServerState]:
        """A snapshot of every server."""
        return [ServerState(s.url, s.up, s.limit, s.outstanding, s.answered, s.taken_out,
                            s.problem) for s in self.servers]

    def has_fresh(self, tried: Collection[PoolServer]) -> bool:
        """Whether a server that is up is not in ``tried`` (a retry need not wait)."""
        return any(s.up and s not in tried for s in self.servers)

    async def acquire(self, avoid: Collection[PoolServer] = (),
                      exclude: Collection[PoolServer] = ()) -> PoolServer:
        """A server for one request; call :meth:`release` when the request is done.

        Args:
            avoid: servers to use only when no other has a free place (ones that
                already failed this request).
            exclude: servers never to use (ones this request timed out on).

        Raises:
            NoServerUp: every server has been out for ``wait_s`` seconds, or every
                server is in ``exclude``.
        """
        if self._down:
            self._revive_checkers()
        if not self._waiters:
            server = self._pick(avoid, exclude)
            if server is not None:
                server.outstanding += 1
                return server
        if all(s in exclude for s in self.servers):
            raise NoServerUp("this request already timed out on every server: "
                             + ", ".join(s.url for s in self.servers))
        if self._outage_over():
            raise NoServerUp(self._outage_message())
        fut: asyncio.Future[PoolServer] = asyncio.get_running_loop().create_future()
        self._waiters.append(_Waiter(fut, avoid, exclude))
        if self._all_down_since is not None:
            self._arm_expiry()
        self._dispatch()
        try:
            return await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                self.release(fut.result())  # handed a place just as the request was cancelled
            raise

    def release(self, server: PoolServer) -> None:
        """Give back the place :meth:`acquire` took on ``server``."""
        server.outstanding -= 1
        if self._waiters:
            self._dispatch()

    def answered(self, server: PoolServer) -> None:
        """Record that ``server`` answered a request."""
        server.answered += 1
        server.fails_in_row = 0

    def failed_5xx(self, server: PoolServer, problem: str) -> None:
        """``server`` answered a request with a 5xx: take it out unless it is the last one up
        (then requests retry on it with backoff, as with a single server)."""
        if any(s.up and s is not server for s in self.servers):
            self.take_out(server, problem)

    def take_out(self, server: PoolServer, problem: str) -> None:
        """No new requests to ``server`` until its health check answers."""
        if not server.up:
            return
        server.up = False
        server.problem = problem
        server.fails_in_row += 1
        server.taken_out += 1
        self._down += 1
        log.warning("model server %s taken out (%s); %d of %d still up", server.url, problem,
                    len(self.servers) - self._down, len(self.servers))
        if self._down == len(self.servers):
            self._all_down_since = time.monotonic()
            if self._waiters:
                self._arm_expiry()
        self._start_checker(server)

    async def aclose(self) -> None:
        """Stop the health checks and close every connection."""
        self._cancel_expiry()
        for server in self.servers:
            if server.checker is not None and not server.checker.done():
                # RuntimeError: a check left over from an event loop that has ended
                with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                    server.checker.cancel()
                    await server.checker
            await server.client.aclose()

    # routing

    def _pick(self, avoid: Collection[PoolServer],
              exclude: Collection[PoolServer]) -> PoolServer | None:
        servers = self.servers
        n = len(servers)
        best: PoolServer | None = None
        best_key = (True, 0)
        for k in range(n):
            s = servers[(self._turn + k) % n]
            if not s.up or s.outstanding >= s.limit or s in exclude:
                continue
            key = (s in avoid, s.outstanding)
            if best is None or key < best_key:
                best, best_key = s, key
        if best is not None and n > 1:
            self._turn = (self._turn + 1) % n
        return best

    def _dispatch(self) -> None:
        """Hand free places to waiters, first come first served."""
        waiters = self._waiters
        i = 0
        while i < len(waiters):
            waiter = waiters[i]
            if waiter.fut.done():  # cancelled while waiting
                del waiters[i]
                continue
            server = self._pick(waiter.avoid, waiter.exclude)
            if server is None:
                if not waiter.exclude:
                    return  # no free place at all: later waiters cannot have one either
                i += 1
                continue
            del waiters[i]
            server.outstanding += 1
            waiter.fut.set_result(server)

    # outage: every server out

    def _outage_over(self) -> bool:
        return (self._all_down_since is not None
                and time.monotonic() >= self._all_down_since + self._wait_s)

    def _outage_message(self) -> str:
        down = "; ".join(f"{s.url} ({s.problem})" for s in self.servers)
        return f"no model server has answered for {self._wait_s:g}s: {down}"

    def _arm_expiry(self) -> None:
        loop = asyncio.get_running_loop()
        if self._expiry is not None and self._expiry_loop is loop:
            return
        assert self._all_down_since is not None
        delay = max(0.0, self._all_down_since + self._wait_s - time.monotonic())
        self._expiry, self._expiry_loop = loop.call_later(delay, self._expire), loop

    def _cancel_expiry(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
        self._expiry = self._expiry_loop = None

    def _expire(self) -> None:
        self._expiry = self._expiry_loop = None
        message = self._outage_message()
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.fut.done():
                waiter.fut.set_exception(NoServerUp(message))

    # health checks

    def _start_checker(self, server: PoolServer) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # outside a loop: the next acquire starts it
        server.checker = asyncio.ensure_future(self._check_until_well(server))

    def _revive_checkers(self) -> None:
        """Start again the checks that ended with a previous event loop."""
        for server in self.servers:
            if not server.up and (server.checker is None or server.checker.done()):
                self._start_checker(server)

    async def _check_until_well(self, server: PoolServer) -> None:
        if server.fails_in_row > 1:
            await asyncio.sleep(min(_MAX_CHECK_DELAY_S,
                                    self._interval * 2 ** (server.fails_in_row - 2)))
        while True:
            problem = await self._health(server)
            if problem is None:
                self._put_back(server)
                return
            server.problem = problem
            await asyncio.sleep(self._interval)

    async def _health(self, server: PoolServer) -> str | None:
        """None when ``server`` answers its health check, else what went wrong."""
        client = server.client
        try:
            resp = await client.get("/health", timeout=self._check_timeout)
            if 200 <= resp.status < 300:
                return None
            if resp.status in _NO_HEALTH_ENDPOINT:  # Ollama, hosted APIs: no /health
                resp = await client.get(client.prefix + "/models", timeout=self._check_timeout)
                if resp.status < 500:
                    return None
            return f"health check: HTTP {resp.status}"
        except HTTPTransportError as exc:
            return f"health check: {exc}"

    def _put_back(self, server: PoolServer) -> None:
        if server.up:
            return
        server.up = True
        server.problem = ""
        self._down -= 1
        self._all_down_since = None
        self._cancel_expiry()
        log.warning("model server %s answers again: back in the pool", server.url)
        if self._waiters:
            self._dispatch()
