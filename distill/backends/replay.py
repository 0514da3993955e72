"""Replay answers from a recorded file, and record any backend's answers into one.

The replay file is JSON Lines, one call per line::

    {"key": "<request hash>", "stage": "...", "subject": "...",
     "request": "<short summary>", "response": {"texts": [...], "top_logprobs": ...,
                                                "tokens_in": 0, "tokens_out": 0}}

``key`` is :func:`distill.backends.base.request_hash` of the request, so a
replay answers exactly the requests that were recorded; anything else is a
:class:`kg.errors.DistillError` naming the stage, the subject and the hash.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import IO

from distill.backends.base import Backend, ChatRequest, ChatResponse, request_hash
from kg.errors import ConfigError, DistillError

__all__ = ["RecordingBackend", "ReplayBackend", "load_replay"]


def load_replay(path: Path) -> dict[str, ChatResponse]:
    """Request hash → recorded response, from a replay file.

    Raises:
        ConfigError: the file is missing or a line is not a replay entry (names the line).
    """
    if not path.is_file():
        raise ConfigError(f"replay file {path} not found; record one with "
                          "distill.replay_tools.build_replay or set llm.replay_file")
    out: dict[str, ChatResponse] = {}
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                out[str(entry["key"])] = ChatResponse.from_json(entry["response"])
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise ConfigError(f"{path}:{lineno}: not a replay entry ({exc})") from exc
    return out


class ReplayBackend:
    """Answers from a replay file; a request that was never recorded is an error.

    Args:
        path: the replay file.
        model: the model name the recording was made with (it is part of every key).
    """

    name = "replay"
    supports_logprobs = True

    def __init__(self, path: Path, model: str) -> None:
        self.path = path
        self.model = model
        self._answers = load_replay(path)

    async def complete(self, request: ChatRequest) -> ChatResponse:
        """The recorded response to ``request``."""
        key = request_hash(request)
        resp = self._answers.get(key)
        if resp is None:
            raise DistillError(
                f"replay miss: {request.stage} {request.subject} (request {key[:16]}…) is "
                f"not in {self.path}; re-record the file for these inputs, model "
                f"{request.model!r} and relations")
        return resp

    async def aclose(self) -> None:
        """Nothing to release."""


class RecordingBackend:
    """Wraps a backend and appends every answered request to a replay file.

    The wrapper keeps the inner backend's name and model, so cache keys do not
    change when recording is switched on. Each key is written once.
    """

    def __init__(self, inner: Backend, path: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.supports_logprobs = inner.supports_logprobs
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._seen = set(load_replay(path)) if path.is_file() else set()
        self._fh: IO[str] = path.open("a", encoding="utf-8")
        self._lock = asyncio.Lock()

    async def complete(self, request: ChatRequest) -> ChatResponse:
        """Answer through the inner backend and record the pair."""
        resp = await self.inner.complete(request)
        key = request_hash(request)
        async with self._lock:
            if key not in self._seen:
                self._seen.add(key)
                self._fh.write(json.dumps({
                    "key": key, "stage": request.stage, "subject": request.subject,
                    "request": request.summary(), "response": resp.to_json()},
                    ensure_ascii=False) + "\n")
                self._fh.flush()
        return resp

    async def aclose(self) -> None:
        """Close the file and the inner backend."""
        self._fh.close()
        await self.inner.aclose()
