"""Every model call logged and cached in SQLite; a cached call is never paid again.

The cache lives in ``<workdir>/distill/llm_cache.sqlite`` (WAL mode). Rows are
keyed by (backend, model, prompt version, request hash). Inside an event loop,
the answers that arrive in one turn of the loop are committed together at the
start of the next turn (group commit: one transaction instead of one per call,
which was the largest cost of a call at thousands of calls a second); outside a
loop each row is committed at once. Either way, killing the process at any
moment loses at most the calls in flight and the answers of the current loop
turn, and re-running repeats none of the committed ones.

An answer that could not be used (no JSON, wrong shape, refusal, no yes/no) is
marked ``failed`` with the reason: a re-run reads it again and reports the item
as failed (no call is paid), and a run with ``retry_failed`` asks the model again
instead of using it. The file is private to its owner (mode 0600).

Each row keeps the request it answered (:meth:`ChatRequest.canonical`: everything
the model saw, images by hash) next to the raw answer and what it was parsed into,
so a cached answer can be audited (rows written before schema 3 have none).

Schema changes are numbered migrations (``PRAGMA user_version``); a cache written
by a newer version than this one is refused with a clear error instead of being
read wrongly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import sqlite3
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from distill.answer_store import AnswerStore, PendingRows
from distill.backends.base import (
    Backend,
    ChatRequest,
    ChatResponse,
    ImagesUnsupported,
    request_hash,
)
from kg.errors import DistillError

__all__ = ["SCHEMA_VERSION", "CachedCaller", "CallStats", "LLMCache"]

_Key = tuple[str, str, str, str]
_COLUMNS = ("backend", "model", "prompt_version", "request_hash", "stage", "subject",
            "response", "parsed", "tokens_in", "tokens_out", "latency_s", "created_at",
            "failed", "request")
_INSERT = (f"INSERT OR REPLACE INTO calls ({', '.join(_COLUMNS)}) "
           f"VALUES ({', '.join('?' * len(_COLUMNS))})")
_PARSED = _COLUMNS.index("parsed")  # column index of ``parsed`` in a row
_FAILED = _COLUMNS.index("failed")
_WHERE = "backend=? AND model=? AND prompt_version=? AND request_hash=?"

# m001_initial, m002_failed, m003_request: numbered by PRAGMA user_version
_MIGRATIONS = (
    """CREATE TABLE IF NOT EXISTS calls (
    backend TEXT NOT NULL, model TEXT NOT NULL, prompt_version TEXT NOT NULL,
    request_hash TEXT NOT NULL, stage TEXT NOT NULL, subject TEXT NOT NULL,
    response TEXT NOT NULL, parsed TEXT, tokens_in INTEGER NOT NULL,
    tokens_out INTEGER NOT NULL, latency_s REAL NOT NULL, created_at REAL NOT NULL,
    PRIMARY KEY (backend, model, prompt_version, request_hash)
)""",
    "ALTER TABLE calls ADD COLUMN failed TEXT",
    "ALTER TABLE calls ADD COLUMN request TEXT",
)
SCHEMA_VERSION = len(_MIGRATIONS)
"""The cache schema this code writes (``PRAGMA user_version`` of an up-to-date file)."""

_ADD_COLUMN = re.compile(r"ALTER TABLE calls ADD COLUMN (\w+)")


def _migrate(db: sqlite3.Connection, path: Path | str) -> None:
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise DistillError(
            f"the model-call cache {path} has schema version {version}, newer than this "
            f"intention-kg knows ({SCHEMA_VERSION}): upgrade intention-kg, or move the file "
            "away to start a new cache (its answers would be asked again)")
    for number, sql in enumerate(_MIGRATIONS[version:], version + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            added = _ADD_COLUMN.match(sql)
            if added and added.group(1) in {r[1] for r in db.execute("PRAGMA table_info(calls)")}:
                pass  # another process migrated it meanwhile
            else:
                db.execute(sql)
            db.execute(f"PRAGMA user_version={number}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


class LLMCache:
    """The SQLite call log.

    Args:
        path: the database file (created with its parent directory), or ``":memory:"``.
    """

    def __init__(self, path: Path | str) -> None:
        if isinstance(path, Path):
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():  # private: it holds prompts (post texts) and answers
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        self.path = path
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        _migrate(self._db, path)
        # rows written in this loop turn, committed by flush(): key -> (row, response)
        self._pending: PendingRows[list[Any]] = PendingRows(self._write)

    def get(self, key: _Key, *, skip_failed: bool = False) -> ChatResponse | None:
        """The cached response for ``key`` = (backend, model, prompt_version, request_hash).

        Args:
            skip_failed: None for an answer marked failed (so it is asked again).
        """
        pending = self._pending.get(key)
        if pending is not None:
            return None if skip_failed and pending[0][_FAILED] is not None else pending[1]
        row = self._db.execute(f"SELECT response, failed FROM calls WHERE {_WHERE}",
                               key).fetchone()
        if row is None or (skip_failed and row[1] is not None):
            return None
        return ChatResponse.from_json(json.loads(row[0]))

    def failed(self, key: _Key) -> str | None:
        """Why the answer of ``key`` was marked failed, or None."""
        pending = self._pending.get(key)
        if pending is not None:
            return pending[0][_FAILED]  # type: ignore[no-any-return]
        row = self._db.execute(f"SELECT failed FROM calls WHERE {_WHERE}", key).fetchone()
        return None if row is None else row[0]

    def mark_failed(self, key: _Key, reason: str) -> None:
        """Mark the answer of ``key`` as unusable (``retry_failed`` runs ask again)."""
        pending = self._pending.get(key)
        if pending is not None:
            pending[0][_FAILED] = reason[:500]
            return
        self._db.execute(f"UPDATE calls SET failed=? WHERE {_WHERE}", (reason[:500], *key))

    def put(self, key: _Key, request: ChatRequest, response: ChatResponse,
            latency_s: float) -> None:
        """Store one call's raw response: committed now, or with this loop turn's batch."""
        row = [*key, request.stage, request.subject, json.dumps(response.to_json()), None,
               response.tokens_in, response.tokens_out, latency_s, time.time(), None,
               json.dumps(request.canonical(), ensure_ascii=False, sort_keys=True)]
        self._pending.add(key, row, response)

    def request(self, key: _Key) -> dict[str, Any] | None:
        """The request the answer of ``key`` was given to (:meth:`ChatRequest.canonical`);
        None when there is no such answer, or it predates schema 3."""
        pending = self._pending.get(key)
        if pending is not None:
            raw = pending[0][_COLUMNS.index("request")]
        else:
            row = self._db.execute(f"SELECT request FROM calls WHERE {_WHERE}", key).fetchone()
            raw = None if row is None else row[0]
        return None if raw is None else dict(json.loads(raw))

    def set_parsed(self, key: _Key, parsed: Any) -> None:
        """Record what the raw response was parsed into (for audits)."""
        text = json.dumps(parsed, ensure_ascii=False)
        pending = self._pending.get(key)
        if pending is not None:
            pending[0][_PARSED] = text
            return
        self._db.execute(f"UPDATE calls SET parsed=? WHERE {_WHERE}", (text, *key))

    def flush(self) -> None:
        """Commit the pending rows in one transaction."""
        self._pending.flush()

    def _write(self, rows: list[list[Any]]) -> None:
        self._db.execute("BEGIN")
        try:
            self._db.executemany(_INSERT, rows)
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def parse_stats(self, model: str) -> tuple[int, int]:
        """(usable answers, answers) of ``model`` in the log: a JSON answer counts as usable
        when it was parsed, a free-text answer (the filter) when it was not marked failed."""
        self.flush()
        ok, total = self._db.execute(
            "SELECT sum(CASE WHEN parsed IS NOT NULL OR (stage = 'cobuy_filter' AND "
            "failed IS NULL) THEN 1 ELSE 0 END), count(*) FROM calls WHERE model=?",
            (model,)).fetchone()
        return int(ok or 0), int(total)

    def count(self) -> int:
        """Number of cached calls."""
        self.flush()
        return int(self._db.execute("SELECT count(*) FROM calls").fetchone()[0])

    def close(self) -> None:
        """Commit what is pending and close the database."""
        with contextlib.suppress(sqlite3.ProgrammingError):  # already closed
            self.flush()
        self._db.close()


@dataclass
class CallStats:
    """Counters of one run: model calls made, answered from cache, failed; tokens."""

    calls: int = 0
    cached: int = 0
    failed: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    by_stage: dict[str, dict[str, int]] = field(default_factory=dict)

    def bump(self, stage: str, what: str) -> None:
        """Count one ``what`` (calls/cached/failed) for ``stage``."""
        setattr(self, what, getattr(self, what) + 1)
        per = self.by_stage.setdefault(stage, {"calls": 0, "cached": 0, "failed": 0})
        per[what] += 1


class CachedCaller:
    """Answers requests from the cache, else from the backend (once, even if asked twice at once).

    Args:
        backend: the model backend.
        cache: the call log (:class:`LLMCache` or a shared
            :class:`distill.answer_store.RedisAnswerStore`).
        on_event: called with ``"calls"``, ``"cached"`` or ``"failed"`` after each request
            (the progress bar).
        retry_failed: ask again instead of using answers marked failed.
    """

    def __init__(self, backend: Backend, cache: AnswerStore,
                 on_event: Any = None, *, retry_failed: bool = False) -> None:
        self.backend = backend
        self.cache = cache
        self.retry_failed = retry_failed
        self.stats = CallStats()
        self._on_event = on_event
        self._inflight: dict[_Key, asyncio.Future[ChatResponse]] = {}

    def key(self, request: ChatRequest, prompt_version: str) -> _Key:
        """The cache key of ``request``."""
        return (self.backend.name, request.model, prompt_version, request_hash(request))

    async def __call__(self, request: ChatRequest, prompt_version: str) -> ChatResponse:
        """The response to ``request``; backend errors propagate (and are not cached)."""
        key = self.key(request, prompt_version)
        hit = self.cache.get(key, skip_failed=self.retry_failed)
        if hit is not None:
            self._event(request.stage, "cached")
            return replace(hit, cached=True)
        pending = self._inflight.get(key)
        if pending is not None:
            self._event(request.stage, "cached")
            return await asyncio.shield(pending)
        fut: asyncio.Future[ChatResponse] = asyncio.get_running_loop().create_future()
        self._inflight[key] = fut
        start = time.perf_counter()
        try:
            resp = await self.backend.complete(request)
        except BaseException as exc:
            if not isinstance(exc, ImagesUnsupported):  # a switch to text only, not a failure
                self._event(request.stage, "failed")
            if isinstance(exc, Exception):
                fut.set_exception(exc)
                fut.exception()  # mark retrieved: waiters re-raise it, nobody else must
            else:
                fut.cancel()
            raise
        finally:
            self._inflight.pop(key, None)
        self.cache.put(key, request, resp, time.perf_counter() - start)
        self.stats.tokens_in += resp.tokens_in
        self.stats.tokens_out += resp.tokens_out
        fut.set_result(resp)
        self._event(request.stage, "calls")
        return resp

    def _event(self, stage: str, what: str) -> None:
        self.stats.bump(stage, what)
        if self._on_event is not None:
            self._on_event(what, self.stats)
