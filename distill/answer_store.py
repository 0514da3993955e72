"""Where model answers are kept: the SQLite call log, or a Redis server every Ray worker reads.

:class:`AnswerStore` is what :class:`distill.cache.CachedCaller` and both engines
need; :class:`distill.cache.LLMCache` (one SQLite file, one machine) and
:class:`RedisAnswerStore` (a Redis-protocol server, reachable from every node)
implement it with the same semantics: rows keyed by (backend, model, prompt
version, request hash), failed marks, the stored request, parsed answers, counts,
and answers written in one event-loop turn committed together at the next.

``distill.answer_store`` chooses: ``"sqlite"`` (the default,
``<workdir>/distill/llm_cache.sqlite``), ``"redis://host:port/db"``,
``"rediss://host:port/db"`` (TLS) or ``"unix:///path/to/redis.sock?db=N"``. A
password goes in ``distill.answer_store_password`` (``INTENTKG_DISTILL__ANSWER_STORE_PASSWORD``),
never in the URL (see :func:`kg.settings.answer_store_url`).

Redis layout (prefix ``intentkg:answers:``): one hash per answer at
``call:<JSON of the key>`` whose fields are the SQLite columns (a NULL column is
an absent field), the set ``all`` of every answer's key, the set
``model:<model>`` of each model's, and ``schema`` (the layout version; a newer one
is refused).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from pydantic import SecretStr

from distill.backends.base import ChatRequest, ChatResponse
from kg.errors import ConfigError, DistillError, MissingExtraError

__all__ = ["AnswerStore", "AnswerStoreSpec", "PendingRows", "RedisAnswerStore",
           "open_answer_store"]

Key = tuple[str, str, str, str]
"""(backend, model, prompt version, request hash)."""
R = TypeVar("R")


class PendingRows(Generic[R]):
    """The answers of this event-loop turn, written together when it ends (one
    transaction per turn instead of one per answer); outside a loop, at once.

    Args:
        write: writes rows in one transaction (the store's own).
    """

    def __init__(self, write: Callable[[list[R]], None]) -> None:
        self._write = write
        self._rows: dict[Key, tuple[R, ChatResponse]] = {}
        self._handle: asyncio.Handle | None = None

    def get(self, key: Key) -> tuple[R, ChatResponse] | None:
        """The pending row and response of ``key`` (rows can still be changed in place)."""
        return self._rows.get(key)

    def add(self, key: Key, row: R, response: ChatResponse) -> None:
        """Write ``row`` with this loop turn's batch (now when no loop runs)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._write([row])
            return
        self._rows[key] = (row, response)
        if self._handle is None:
            self._handle = loop.call_soon(self.flush)

    def flush(self) -> None:
        """Write the pending rows now."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._rows:
            self._write([row for row, _ in self._rows.values()])
            self._rows.clear()

REDIS_SCHEMA = 1
"""The Redis layout this code writes."""

_PREFIX = "intentkg:answers:"
# set a field only when the answer exists (SQLite's UPDATE ... WHERE of a missing row)
_SET_IF_EXISTS = """if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end return 0"""
_STATS_CHUNK = 1000


class AnswerStore(Protocol):
    """The call log a :class:`distill.cache.CachedCaller` reads and writes."""

    def get(self, key: Key, *, skip_failed: bool = False) -> ChatResponse | None:
        """The stored response of ``key`` (None for one marked failed when ``skip_failed``)."""

    def failed(self, key: Key) -> str | None:
        """Why the answer of ``key`` was marked failed, or None."""

    def mark_failed(self, key: Key, reason: str) -> None:
        """Mark the answer of ``key`` unusable (``retry_failed`` runs ask again)."""

    def put(self, key: Key, request: ChatRequest, response: ChatResponse,
            latency_s: float) -> None:
        """Store one call's raw response (now, or with this loop turn's batch)."""

    def request(self, key: Key) -> dict[str, Any] | None:
        """The request the answer of ``key`` was given to, or None."""

    def set_parsed(self, key: Key, parsed: Any) -> None:
        """Record what the raw response was parsed into."""

    def flush(self) -> None:
        """Commit the pending rows together."""

    def parse_stats(self, model: str) -> tuple[int, int]:
        """(usable answers, answers) of ``model``."""

    def count(self) -> int:
        """Number of stored answers."""

    def close(self) -> None:
        """Commit what is pending and let go of the store."""


def _row(key: Key, request: ChatRequest, response: ChatResponse,
         latency_s: float) -> dict[str, Any]:
    backend, model, version, digest = key
    return {"backend": backend, "model": model, "prompt_version": version,
            "request_hash": digest, "stage": request.stage, "subject": request.subject,
            "response": json.dumps(response.to_json()), "parsed": None,
            "tokens_in": response.tokens_in, "tokens_out": response.tokens_out,
            "latency_s": latency_s, "created_at": time.time(), "failed": None,
            "request": json.dumps(request.canonical(), ensure_ascii=False, sort_keys=True)}


class RedisAnswerStore:
    """The call log in a Redis-protocol server (Redis, Valkey, the FalkorDB binary's own).

    Args:
        url: ``redis://host:port/db``, ``rediss://...`` or ``unix:///path.sock?db=N``
            (checked by :func:`kg.settings.answer_store_url`: no credentials in it).
        password: the server's ``requirepass``, if any.

    Raises:
        MissingExtraError: the ``redis`` client is not installed.
        ConfigError: the server cannot be reached or refuses the password.
        DistillError: the server holds answers in a newer layout than this code knows.
    """

    def __init__(self, url: str, password: SecretStr | None = None) -> None:
        try:
            import redis
        except ImportError:  # pragma: no cover - falkordb depends on it
            raise MissingExtraError("redis", None, "a Redis answer store") from None
        self.url = url
        secret = password.get_secret_value() if password is not None else ""
        self._secret = secret
        self._redis = redis.Redis.from_url(url, password=secret or None,
                                           socket_connect_timeout=10)
        try:
            self._check_schema()
        except redis.RedisError as exc:
            self._redis.close()
            raise ConfigError(f"the answer store {describe_store(url)} cannot be used: "
                              f"{type(exc).__name__}: {_no_secret(exc, secret)}; check "
                              "distill.answer_store and distill.answer_store_password") from None
        self._set_if_exists = self._redis.register_script(_SET_IF_EXISTS)
        self._pending: PendingRows[dict[str, Any]] = PendingRows(self._write)

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """A lost or failing server as a DistillError naming the store (never the password)."""
        import redis

        try:
            yield
        except redis.RedisError as exc:
            raise DistillError(
                f"the answer store {describe_store(self.url)} failed: {type(exc).__name__}: "
                f"{_no_secret(exc, self._secret)}; the answers already written are kept, "
                "so a re-run once it is back pays only for the rest") from None

    def _check_schema(self) -> None:
        self._redis.setnx(_PREFIX + "schema", REDIS_SCHEMA)
        version = int(self._redis.get(_PREFIX + "schema") or 0)
        if version > REDIS_SCHEMA:
            raise DistillError(
                f"the answer store {describe_store(self.url)} holds answers in layout "
                f"{version}, newer than this intention-kg knows ({REDIS_SCHEMA}): upgrade "
                "intention-kg, or point distill.answer_store at another database")

    def get(self, key: Key, *, skip_failed: bool = False) -> ChatResponse | None:
        """The stored response for ``key``.

        Args:
            skip_failed: None for an answer marked failed (so it is asked again).
        """
        pending = self._pending.get(key)
        if pending is not None:
            return None if skip_failed and pending[0]["failed"] is not None else pending[1]
        with self._guard():
            response, failed = self._redis.hmget(_hash(key), ["response", "failed"])
        if response is None or (skip_failed and failed is not None):
            return None
        return ChatResponse.from_json(json.loads(response))

    def failed(self, key: Key) -> str | None:
        """Why the answer of ``key`` was marked failed, or None."""
        pending = self._pending.get(key)
        if pending is not None:
            return pending[0]["failed"]  # type: ignore[no-any-return]
        with self._guard():
            raw = self._redis.hget(_hash(key), "failed")
        return None if raw is None else _text(raw)

    def mark_failed(self, key: Key, reason: str) -> None:
        """Mark the answer of ``key`` as unusable (``retry_failed`` runs ask again)."""
        self._update(key, "failed", reason[:500])

    def put(self, key: Key, request: ChatRequest, response: ChatResponse,
            latency_s: float) -> None:
        """Store one call's raw response: written now, or with this loop turn's batch."""
        self._pending.add(key, _row(key, request, response, latency_s), response)

    def request(self, key: Key) -> dict[str, Any] | None:
        """The request the answer of ``key`` was given to (:meth:`ChatRequest.canonical`);
        None when there is no such answer."""
        pending = self._pending.get(key)
        with self._guard():
            raw = pending[0]["request"] if pending is not None else \
                self._redis.hget(_hash(key), "request")
        return None if raw is None else dict(json.loads(raw))

    def set_parsed(self, key: Key, parsed: Any) -> None:
        """Record what the raw response was parsed into (for audits)."""
        self._update(key, "parsed", json.dumps(parsed, ensure_ascii=False))

    def flush(self) -> None:
        """Write the pending rows in one transaction (MULTI/EXEC)."""
        self._pending.flush()

    def parse_stats(self, model: str) -> tuple[int, int]:
        """(usable answers, answers) of ``model``: a JSON answer counts as usable when it
        was parsed, a free-text answer (the filter) when it was not marked failed."""
        self.flush()
        with self._guard():
            return self._parse_stats(model)

    def _parse_stats(self, model: str) -> tuple[int, int]:
        ok = total = 0
        for chunk in self._chunks(_PREFIX + "model:" + model):
            pipe = self._redis.pipeline(transaction=False)
            for member in chunk:
                pipe.hmget(_PREFIX + "call:" + _text(member), ["stage", "parsed", "failed"])
            for stage, parsed, failed in pipe.execute():
                if stage is None:
                    continue
                total += 1
                ok += parsed is not None or (stage == b"cobuy_filter" and failed is None)
        return ok, total

    def count(self) -> int:
        """Number of stored answers."""
        self.flush()
        with self._guard():
            return int(self._redis.scard(_PREFIX + "all"))

    def close(self) -> None:
        """Write what is pending and close the connection."""
        try:
            self.flush()
        finally:
            self._redis.close()

    def _update(self, key: Key, field: str, value: str) -> None:
        pending = self._pending.get(key)
        if pending is not None:
            pending[0][field] = value
            return
        with self._guard():
            self._set_if_exists(keys=[_hash(key)], args=[field, value])

    def _write(self, rows: list[dict[str, Any]]) -> None:
        pipe = self._redis.pipeline(transaction=True)
        for row in rows:
            key: Key = (row["backend"], row["model"], row["prompt_version"],
                        row["request_hash"])
            member = _member(key)
            pipe.delete(_hash(key))  # a replaced answer keeps none of the old fields
            pipe.hset(_hash(key), mapping={k: v for k, v in row.items() if v is not None})
            pipe.sadd(_PREFIX + "all", member)
            pipe.sadd(_PREFIX + "model:" + row["model"], member)
        with self._guard():
            pipe.execute()

    def _chunks(self, set_key: str) -> Iterator[list[bytes]]:
        chunk: list[bytes] = []
        for member in self._redis.sscan_iter(set_key, count=_STATS_CHUNK):
            chunk.append(member)
            if len(chunk) >= _STATS_CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


def _member(key: Key) -> str:
    return json.dumps(list(key), ensure_ascii=False, separators=(",", ":"))


def _hash(key: Key) -> str:
    return _PREFIX + "call:" + _member(key)


def _no_secret(exc: BaseException, secret: str) -> str:
    text = (str(exc).strip().splitlines() or [""])[0][:300]
    return text.replace(secret, "***") if secret else text


def describe_store(url: str) -> str:
    """``url`` for messages: scheme, host or socket path, database; nothing else."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"unix://{parts.path}"
    where = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{where}{port}{parts.path}"


@dataclass(frozen=True)
class AnswerStoreSpec:
    """How to open the answer store (picklable: Ray workers open it from this).

    Attributes:
        url: ``"sqlite"`` or a Redis URL (``distill.answer_store``).
        sqlite_path: the SQLite file when ``url`` is ``"sqlite"`` (or ``":memory:"``).
        password: ``distill.answer_store_password``.
    """

    url: str
    sqlite_path: str
    password: SecretStr | None = None

    @property
    def shared(self) -> bool:
        """Whether workers on other nodes can reach it (a server, not a file)."""
        return self.url != "sqlite"

    def describe(self) -> str:
        """The store for messages and reports (no secret)."""
        return f"sqlite {self.sqlite_path}" if self.url == "sqlite" else describe_store(self.url)

    def open(self) -> AnswerStore:
        """The store.

        Raises:
            ConfigError: a Redis store that cannot be reached or used.
            DistillError: a store written by a newer intention-kg.
        """
        if self.url == "sqlite":
            from distill.cache import LLMCache

            path: Path | str = self.sqlite_path if self.sqlite_path == ":memory:" \
                else Path(self.sqlite_path)
            return LLMCache(path)
        if not self.url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError("distill.answer_store must be 'sqlite', redis://host:port/db, "
                              "rediss://host:port/db or unix:///path/to/redis.sock?db=N")
        return RedisAnswerStore(self.url, self.password)


def open_answer_store(url: str, sqlite_path: Path | str,
                      password: SecretStr | None = None) -> AnswerStore:
    """The store ``url`` (``distill.answer_store``) names; ``sqlite_path`` for ``"sqlite"``."""
    return AnswerStoreSpec(url, str(sqlite_path), password).open()
