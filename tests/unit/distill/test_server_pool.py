"""Several OpenAI-compatible servers behind one client (``llm.base_urls``), against real
HTTP servers on loopback that can be killed and started again on the same port."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import shutil
import socket
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from distill import arun_distill
from distill.backends import ChatRequest, Message, OpenAIBackend
from distill.backends.http1 import HTTP1Client
from distill.backends.server_pool import NoServerUp, PoolServer, ServerPool
from distill.cache import CachedCaller, LLMCache
from kg.errors import ConfigError, DistillError
from kg.io import read_records
from kg.records import IntentionAssertion
from kg.settings import LLMServer, LLMSettings, Settings, load_settings

SECRET = "sk-pool-secret-4711"
_ITEM = re.compile(r"item-\d+")


class CapacityServer:
    """An OpenAI-compatible server on 127.0.0.1 that works on at most ``capacity``
    requests at once for ``latency`` seconds each (the rest queue, as llama.cpp's do).

    ``kill()`` stops it the way a crash does: the port refuses connections and the
    requests it holds are never answered (their connections close). ``start()`` again
    listens on the same port. ``received`` and ``answered`` count requests per item
    (the ``item-N`` in the prompt) on the server side.
    """

    def __init__(self, capacity: int = 4, latency: float = 0.02) -> None:
        self.capacity = capacity
        self.latency = latency
        self.status = 200  # answer to chat requests
        self.health_status = 200
        self.gate: asyncio.Event | None = None  # when set: hold requests until it is set
        self.received: Counter[str] = Counter()
        self.answered: Counter[str] = Counter()
        self.health_checks = 0
        self.inflight = 0
        self.max_inflight = 0
        self.port = 0
        self.alive = False
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._sem = asyncio.Semaphore(capacity)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def start(self) -> CapacityServer:
        self._server = await asyncio.start_server(self._conn, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        self.alive = True
        return self

    async def kill(self) -> None:
        self.alive = False
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        for task in self._tasks:  # the requests it was working on die with it
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _conn(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while self.alive:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                length = next((int(x.split(":", 1)[1]) for x in lines
                               if x.lower().startswith("content-length:")), 0)
                body = await reader.readexactly(length)
                method, path = lines[0].split(" ")[:2]
                if method == "GET":
                    status, payload = self._get(path)
                else:
                    status, payload = await self._chat(body)
                if not self.alive:
                    return  # killed while working: the answer is never sent
                writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: {len(payload)}\r\n"
                             "Content-Type: application/json\r\n\r\n".encode() + payload)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # cancelled: killed (asyncio's stream server would log a cancelled handler)
        finally:
            self._writers.discard(writer)
            self._tasks.discard(task)
            writer.close()

    def _get(self, path: str) -> tuple[int, bytes]:
        if path == "/health":
            self.health_checks += 1
            return self.health_status, b"{}"
        return 404, b"{}"

    async def _chat(self, body: bytes) -> tuple[int, bytes]:
        text = json.loads(body)["messages"][-1]["content"]
        item = _ITEM.search(text)
        key = item.group(0) if item else text
        self.received[key] += 1
        async with self._sem:
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
            try:
                if self.gate is not None:
                    await self.gate.wait()
                await asyncio.sleep(self.latency)
            finally:
                self.inflight -= 1
        if not self.alive:
            return 0, b""
        if self.status != 200:
            return self.status, b'{"error": "busy"}'
        self.answered[key] += 1
        return 200, json.dumps({
            "choices": [{"index": 0, "message": {"role": "assistant",
                                                 "content": f"answer {key}"}}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 2}}).encode()


@pytest.fixture
async def servers() -> AsyncIterator[Callable[..., Awaitable[CapacityServer]]]:
    """Factory: ``await servers(capacity, latency)`` starts a :class:`CapacityServer`."""
    started: list[CapacityServer] = []

    async def make(capacity: int = 4, latency: float = 0.02) -> CapacityServer:
        srv = await CapacityServer(capacity, latency).start()
        started.append(srv)
        return srv

    yield make
    for srv in started:
        if srv.alive:
            await srv.kill()


def _settings(*urls: str | dict[str, Any], **kw: Any) -> LLMSettings:
    base: dict[str, Any] = {"backend": "openai", "model": "m", "concurrency": 4,
                            "timeout_s": 5, "max_retries": 4, "health_interval_s": 0.05,
                            "server_wait_s": 5}
    return LLMSettings.model_validate({**base, "base_urls": list(urls), **kw})


def _request(i: int) -> ChatRequest:
    return ChatRequest(model="m", messages=(Message.text("user", f"describe item-{i}"),),
                       stage="s", subject=f"item-{i}", max_tokens=8)


async def _until(cond: Callable[[], bool]) -> None:
    """Wait for ``cond`` (bounded, so a broken client fails the test instead of hanging)."""
    for _ in range(2000):
        if cond():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("condition not reached")


# routing


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pool(*limits: int) -> ServerPool:
    """A pool of servers that nothing listens on (their health checks fail)."""
    urls = [f"http://127.0.0.1:{_closed_port()}/v1" for _ in limits]
    return ServerPool([PoolServer(url, HTTP1Client(url, {}), limit)
                       for url, limit in zip(urls, limits, strict=True)],
                      health_interval_s=1, wait_s=1, check_timeout_s=1)


async def test_each_request_goes_to_the_server_with_the_fewest_in_flight() -> None:
    pool = _pool(3, 3)
    a, b = pool.servers
    got = [await pool.acquire() for _ in range(4)]
    assert got.count(a) == 2 and got.count(b) == 2  # spread, not one filled first
    pool.release(b)
    pool.release(b)
    assert [await pool.acquire(), await pool.acquire()] == [b, b]  # 0 < 2, then 1 < 2
    assert {id(await pool.acquire()), id(await pool.acquire())} == {id(a), id(b)}
    assert (a.outstanding, b.outstanding) == (3, 3)
    # every place taken: a request waits and gets the first one that frees
    waiter = asyncio.ensure_future(pool.acquire())
    await asyncio.sleep(0)
    assert not waiter.done()
    pool.release(b)
    assert await waiter is b
    # a server the request already failed on is used only when no other has a place
    pool.release(a)
    pool.release(b)
    assert await pool.acquire(avoid={a}) is b  # 2 and 2: the other one
    assert await pool.acquire(avoid={a}) is a  # b is full: a after all
    await pool.aclose()


async def test_a_server_that_is_out_gets_nothing_and_all_out_fails_after_the_wait() -> None:
    pool = _pool(2, 2)
    a, b = pool.servers
    pool.take_out(a, "test")
    assert [await pool.acquire() for _ in range(2)] == [b, b]
    pool.take_out(b, "test")
    with pytest.raises(NoServerUp) as err:
        await pool.acquire()  # nothing listens there: both stay out, the wait (1 s) ends
    assert f"{a.url} (health check: " in str(err.value) and f"{b.url} (" in str(err.value)
    with pytest.raises(NoServerUp):
        await pool.acquire()  # still out after the wait: fails at once
    await pool.aclose()


async def test_requests_go_to_the_least_busy_server(servers: Any) -> None:
    a, b = await servers(), await servers()
    gate_a, gate_b = asyncio.Event(), asyncio.Event()
    a.gate, b.gate = gate_a, gate_b  # each holds its requests until its gate opens
    be = OpenAIBackend(_settings(a.url, b.url, timeout_s=60))
    try:
        first = [asyncio.ensure_future(be.complete(_request(i))) for i in range(4)]
        await _until(lambda: a.inflight + b.inflight == 4)
        assert (a.inflight, b.inflight) == (2, 2)
        b.gate = None
        gate_b.set()
        await _until(lambda: be.servers[1].outstanding == 0)
        # a holds 2, b none: one request at a time, each goes to b (one sent to a would
        # wait at its gate)
        for i in range(4, 8):
            await asyncio.wait_for(be.complete(_request(i)), 5)
        assert sum(b.answered.values()) == 6 and sum(a.received.values()) == 2
        gate_a.set()
        await asyncio.gather(*first)
    finally:
        await be.aclose()
    assert [s.answered for s in be.servers] == [2, 6]


async def test_each_server_keeps_its_own_concurrency(servers: Any) -> None:
    a, b = await servers(capacity=8), await servers(capacity=8)
    be = OpenAIBackend(_settings({"url": a.url, "concurrency": 1},
                                 {"url": b.url, "concurrency": 3}, concurrency=64))
    try:
        await asyncio.gather(*(be.complete(_request(i)) for i in range(30)))
    finally:
        await be.aclose()
    assert a.max_inflight == 1 and b.max_inflight == 3
    assert [s.limit for s in be.servers] == [1, 3]


# failures


async def test_killing_a_server_mid_run_loses_and_duplicates_nothing(servers: Any,
                                                                     tmp_path: Path) -> None:
    pool = [await servers(capacity=4, latency=0.03) for _ in range(3)]
    victim = pool[1]
    be = OpenAIBackend(_settings(*(s.url for s in pool)))
    cache = LLMCache(tmp_path / "cache.sqlite")
    caller = CachedCaller(be, cache)
    n = 150
    try:
        run = asyncio.ensure_future(asyncio.gather(
            *(caller(_request(i), "v1") for i in range(n)), return_exceptions=True))
        await _until(lambda: sum(victim.answered.values()) >= 5 and victim.inflight >= 2)
        await victim.kill()
        results = await run
        errors = [r for r in results if isinstance(r, BaseException)]
        assert not errors
        assert [r.texts[0] for r in results if not isinstance(r, BaseException)] == [
            f"answer item-{i}" for i in range(n)]
        answered = sum((s.answered for s in pool), Counter[str]())
        assert set(answered) == {f"item-{i}" for i in range(n)}  # 0 lost
        assert max(answered.values()) == 1  # 0 answered twice
        cut_off = [k for k in victim.received if k not in victim.answered]
        assert cut_off  # some were in flight on it when it died ...
        assert all(answered[k] == 1 for k in cut_off)  # ... and another server answered them
        state = be.servers[1]
        assert not state.up and state.taken_out == 1 and "health check" in state.problem
        # a second run over the same items pays for none of them
        before = sum(sum(s.received.values()) for s in pool)
        again = CachedCaller(be, cache)
        await asyncio.gather(*(again(_request(i), "v1") for i in range(n)))
        assert sum(sum(s.received.values()) for s in pool) == before
        assert again.stats.cached == n and again.stats.calls == 0
    finally:
        cache.close()
        await be.aclose()


async def test_a_server_is_put_back_when_its_health_check_answers(servers: Any,
                                                                  caplog: Any) -> None:
    a, b = await servers(), await servers()
    be = OpenAIBackend(_settings(a.url, b.url))
    caplog.set_level(logging.WARNING)
    try:
        await a.kill()
        await asyncio.gather(*(be.complete(_request(i)) for i in range(10)))
        assert not be.servers[0].up and sum(b.answered.values()) == 10
        a.health_status = 503
        await a.start()  # the same port again, but unwell for now
        await _until(lambda: a.health_checks >= 2)
        assert not be.servers[0].up  # 503 from /health: kept out
        a.health_status = 200
        await _until(lambda: be.servers[0].up)
        await asyncio.gather(*(be.complete(_request(i)) for i in range(10, 30)))
    finally:
        await be.aclose()
    assert sum(a.answered.values()) > 0  # it takes requests again
    assert f"{a.url} taken out" in caplog.text and f"{a.url} answers again" in caplog.text


async def test_a_5xx_takes_a_server_out_only_while_another_is_up(servers: Any) -> None:
    a, b = await servers(), await servers()
    a.status = 503
    be = OpenAIBackend(_settings(a.url, b.url), backoff_s=0.001)
    try:
        out = await asyncio.gather(*(be.complete(_request(i)) for i in range(8)))
        assert len(out) == 8 and not a.answered and sum(b.answered.values()) == 8
        assert be.servers[0].taken_out >= 1
    finally:
        await be.aclose()
    # alone, a server answering 5xx stays in: requests retry on it with backoff
    c = await servers()
    c.status = 503
    be = OpenAIBackend(_settings(c.url, max_retries=2), backoff_s=0.001)
    try:
        with pytest.raises(DistillError, match=r"HTTP 503 for s item-0 after 3 attempts"):
            await be.complete(_request(0))
        assert be.servers[0].up and c.received["item-0"] == 3 and c.health_checks == 0
    finally:
        await be.aclose()


async def test_a_request_that_timed_out_goes_to_another_server_never_the_same(
        servers: Any) -> None:
    slow, fast = await servers(latency=3.0), await servers()
    be = OpenAIBackend(_settings(slow.url, fast.url, timeout_s=0.3,
                                 min_tokens_per_s=1e6))
    try:
        # the slow server is first in turn: the request goes there, times out, moves on
        assert (await be.complete(_request(1))).texts == ["answer item-1"]
        assert slow.received["item-1"] == 1 and fast.answered["item-1"] == 1
        assert be.servers[0].taken_out == 1
    finally:
        await be.aclose()


async def test_every_server_out_fails_with_each_url_named_and_no_secret(
        servers: Any, caplog: Any) -> None:
    a, b = await servers(), await servers()
    await a.kill()
    await b.kill()
    caplog.set_level(logging.DEBUG)
    be = OpenAIBackend(_settings(a.url, b.url, server_wait_s=0.3,
                                 api_key=SecretStr(SECRET)), backoff_s=0.001)
    try:
        with pytest.raises(DistillError) as err:
            await be.complete(_request(0))
        with pytest.raises(DistillError, match="no model server has answered"):
            await be.complete(_request(1))  # after the wait: at once
    finally:
        await be.aclose()
    message = str(err.value)
    assert a.url in message and b.url in message and "is the server up" in message
    assert SECRET not in message and SECRET not in caplog.text


async def test_a_client_error_names_the_server_not_the_key(servers: Any) -> None:
    a = await servers()
    a.status = 401
    be = OpenAIBackend(_settings(a.url, api_key=SecretStr(SECRET)))
    try:
        with pytest.raises(DistillError) as err:
            await be.complete(_request(0))
    finally:
        await be.aclose()
    assert a.url in str(err.value) and "HTTP 401" in str(err.value)
    assert SECRET not in str(err.value)


# the distill pipeline over a pool


def _fill(schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "object":
        return {k: _fill(v) for k, v in schema["properties"].items()}
    if kind == "array":
        return [_fill(schema["items"])]
    if kind == "number":
        return 0.5
    return "keep warm outdoors"


async def _distill(workdir: Path, urls: list[str]) -> Any:
    settings = Settings(workdir=workdir, llm=_settings(*urls))
    be = OpenAIBackend(settings.llm, backoff_s=0.001)
    try:
        return await arun_distill(workdir, settings, be, relations=["xIntent", "usedFor"])
    finally:
        await be.aclose()


def _assertions(workdir: Path) -> list[tuple[str, str, str, float | None]]:
    rows = read_records(workdir / "distill" / "assertions.parquet", IntentionAssertion)
    return sorted((a.id, a.text, a.prompt_version, a.filter_score) for a in rows)


async def test_distill_over_two_servers_writes_what_one_server_writes(
        workdir: Path, loopback: Any, chat_ok_body: Any, tmp_path: Path) -> None:
    def handler(n: int, body: dict[str, Any]) -> Any:
        fmt = body.get("response_format")
        if fmt is None:  # the role-aware filter: a yes/no vote with log-probabilities
            return 200, {}, chat_ok_body("Yes", {"Yes": -0.1, "No": -2.4}), 0.01
        return 200, {}, chat_ok_body(json.dumps(_fill(fmt["json_schema"]["schema"]))), 0.01

    a, b, alone = await loopback(handler), await loopback(handler), await loopback(handler)
    other = tmp_path / "other"
    shutil.copytree(workdir, other)
    pooled = await _distill(workdir, [a.url, b.url])
    single = await _distill(other, [alone.url])
    assert a.bodies and b.bodies  # both servers worked
    assert len(a.bodies) + len(b.bodies) == len(alone.bodies)  # and nothing was asked twice
    assert not pooled.failures and not single.failures
    assert _assertions(workdir) == _assertions(other) != []


# settings


async def test_a_single_base_url_is_a_pool_of_one(servers: Any) -> None:
    a = await servers()
    llm = LLMSettings(backend="openai", base_url=a.url + "/", model="m", concurrency=2)
    assert llm.servers() == [LLMServer(url=a.url, concurrency=2)]
    assert _settings(a.url).servers() == [LLMServer(url=a.url, concurrency=4)]
    be = OpenAIBackend(llm)
    try:
        await asyncio.gather(*(be.complete(_request(i)) for i in range(6)))
    finally:
        await be.aclose()
    assert [s.url for s in be.servers] == [a.url] and a.max_inflight <= 2
    assert be.servers[0].answered == 6


def test_base_urls_from_toml_and_environment(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    toml = tmp_path / "c.toml"
    toml.write_text('[llm]\nbackend = "openai"\nconcurrency = 16\n'
                    'base_urls = ["http://gpu1:8000/v1", '
                    '{url = "http://gpu2:8000/v1/", concurrency = 48}]\n', encoding="utf-8")
    llm = load_settings(toml).llm
    assert [(s.url, s.concurrency) for s in llm.servers()] == [
        ("http://gpu1:8000/v1", 16), ("http://gpu2:8000/v1", 48)]
    assert llm.total_concurrency == 64
    monkeypatch.setenv("INTENTKG_LLM__BASE_URLS", '["http://a:1/v1", "http://b:2/v1"]')
    assert [s.url for s in load_settings().llm.servers()] == ["http://a:1/v1", "http://b:2/v1"]


@pytest.mark.parametrize(("llm", "expected"), [
    ({"base_urls": ["gpu1:8000/v1"]},
     r"llm.base_urls.0.url: .*must be an http:// or https:// URL"),
    ({"base_urls": ["http://a:1/v1", "http://a:1/v1/"]}, r"entry 1 repeats an earlier server"),
    ({"base_urls": [{"url": "http://a:1/v1", "concurrency": 0}]},
     r"llm.base_urls.0.concurrency: .*greater than or equal to 1"),
    ({"base_urls": "http://a:1/v1"}, r"llm.base_urls: Input should be a valid list"),
    ({"base_urls": [{"url": "http://a:1/v1", "slots": 2}]}, r"slots: unknown setting"),
    ({"base_urls": ["http://a:1/v1"], "base_url": "http://b:1/v1"},
     r"llm.base_url and llm.base_urls are both set"),
    ({"base_urls": [f"http://u:{SECRET}@a:1/v1"]}, "must not carry credentials"),
    ({"base_urls": [f"http://a:1/v1?key={SECRET}"]}, "must not carry a query string"),
    ({"base_url": f"http://a:1/v1?api-key={SECRET}"}, "must not carry a query string"),
    ({"concurrency": 0}, r"llm.concurrency: .*greater than or equal to 1"),
    ({"health_interval_s": 0}, r"llm.health_interval_s: .*greater than 0"),
])
def test_bad_server_settings_are_one_clear_error(llm: dict[str, Any], expected: str) -> None:
    with pytest.raises(ConfigError, match=expected) as err:
        load_settings(None, llm=llm)
    assert SECRET not in str(err.value)
