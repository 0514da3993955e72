"""What every stage shares: the run context and one JSON question with repair and re-ask.

:meth:`Context.ask_json` sends a request through the cache, parses the answer
(repairing fences, trailing prose, quotes), re-asks once with the parse error
when that fails, and otherwise records the item as failed with the raw text and
marks the answers failed in the cache (a ``retry_failed`` run asks again).
No model answer, however broken, raises out of a stage.

:meth:`Context.ask_json_images` builds a request with images while the model may
take them; when the backend says it takes none (:class:`ImagesUnsupported`), the
same question is asked with the stage's text-only request, and the run report
records the switch once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from distill.backends.base import ChatRequest, ChatResponse, ImagesUnsupported, Message
from distill.cache import CachedCaller
from distill.parse import (
    extract_json,
    is_refusal,
    parse_yes_no,
    too_deep,
    vote_probability,
    yes_probability,
)
from distill.prompts import Prompt, token_bound
from distill.report import DistillReport
from kg.settings import LLMSettings

__all__ = ["Answer", "Context", "run_bounded"]

log = logging.getLogger(__name__)

T = TypeVar("T")
V = TypeVar("V")

_REASK = ("Your previous answer could not be used: {error}. Reply again with only the JSON "
          "object, no code fence and no other text.")


@dataclass
class Answer:
    """A parsed answer and exactly what the model wrote."""

    value: Any
    raw_text: str


@dataclass
class Context:
    """Everything a stage needs: settings, the cached caller, the report, the model name."""

    llm: LLMSettings
    caller: CachedCaller
    report: DistillReport

    @property
    def model(self) -> str:
        """Model name recorded on every record."""
        return self.caller.backend.model

    @property
    def send_images(self) -> bool:
        """False once the model is known to take no images (or ``llm.vision`` is off)."""
        return (self.llm.vision != "off"
                and getattr(self.caller.backend, "vision", None) is not False)

    def request(self, prompt: Prompt, messages: tuple[Message, ...], *, stage: str,
                subject: str, schema: dict[str, Any] | None = None, **kw: Any) -> ChatRequest:
        """A request with the run's model and sampling settings.

        With a ``schema``, ``max_tokens`` is the most tokens an answer matching it can
        take (:func:`distill.prompts.token_bound`), so a bounded answer always closes;
        ``llm.max_tokens`` applies to free-text requests.
        """
        if prompt.version not in self.report.prompt_versions:
            self.report.prompt_versions.append(prompt.version)
        max_tokens = token_bound(schema) if schema is not None else self.llm.max_tokens
        args: dict[str, Any] = {"temperature": self.llm.temperature,
                                "max_tokens": max_tokens, **kw}
        return ChatRequest(model=self.model, messages=messages, json_schema=schema,
                           schema_name=prompt.name, stage=stage, subject=subject, **args)

    async def call(self, request: ChatRequest, version: str) -> ChatResponse | None:
        """The response, or None (failure recorded) when the backend failed.

        Raises:
            ImagesUnsupported: the request has images and the model takes none.
        """
        try:
            return await self.caller(request, version)
        except ImagesUnsupported:
            raise
        except Exception as exc:  # any backend failure is one failed item, never a crash
            log.warning("%s %s: %s", request.stage, request.subject, exc)
            self.report.fail(request.stage, request.subject, f"model call failed: {exc}")
            return None

    def note_text_only(self) -> None:
        """Record once in the report that the run switched to text-only prompts."""
        if not self.report.text_only:
            self.report.text_only = True
            self.report.text_only_reason = str(getattr(self.caller.backend, "vision_note", "")
                                               or "the model refused images")

    async def ask_json_images(self, build: Callable[[bool], tuple[ChatRequest, str]],
                              validate: Callable[[dict[str, Any]], V],
                              ) -> tuple[Answer | None, ChatRequest, str]:
        """:meth:`ask_json` of ``build(images)``, falling back to ``build(False)``.

        Args:
            build: makes (request, prompt version); with ``False`` it must send no images.
            validate: as for :meth:`ask_json`.

        Returns:
            (answer or None, the request that was answered, its prompt version).
        """
        request, version = build(self.send_images)
        try:
            return await self.ask_json(request, version, validate), request, version
        except ImagesUnsupported:
            self.note_text_only()
        request, version = build(False)
        return await self.ask_json(request, version, validate), request, version

    async def ask_yes_no(self, prompt: Prompt, msgs: tuple[Message, ...], *, stage: str,
                         subject: str, max_tokens: int,
                         ) -> tuple[float | None, str, ChatResponse | None]:
        """P(yes) of a Yes/No question, its stated reason, and the last response.

        P(yes) comes from the first answer tokens' log-probabilities when the backend
        gives them, else (or when they hold no Yes/No) from the share of "yes" among
        ``llm.filter_votes`` samples. A call that failed is not asked again by votes.
        An answer without a Yes/No is marked failed in the cache; the score is then
        ``None`` (the caller records the failure in its own terms).
        """
        score: float | None = None
        reason, resp = "", None
        if self.caller.backend.supports_logprobs:
            req = self.request(prompt, msgs, stage=stage, subject=subject, max_tokens=max_tokens,
                               temperature=0.0, logprobs=True, top_logprobs=10)
            resp = await self.call(req, prompt.version)
            if resp is not None:
                score = yes_probability(resp.top_logprobs)
                reason = parse_yes_no(resp.texts[0])[1] if resp.texts else ""
                if score is None:
                    self.mark_failed(req, prompt.version,
                                     "no Yes/No among the first tokens' logprobs")
        if score is None and (resp is not None or not self.caller.backend.supports_logprobs):
            req = self.request(prompt, msgs, stage=stage, subject=subject, max_tokens=max_tokens,
                               temperature=max(self.llm.temperature, 0.7),
                               n=self.llm.filter_votes)
            resp = await self.call(req, prompt.version)
            score, reason = (None, "") if resp is None else vote_probability(resp.texts)
            if resp is not None and score is None:
                self.mark_failed(req, prompt.version, "no Yes/No among the votes")
        return score, reason, resp

    def mark_failed(self, request: ChatRequest, version: str, reason: str) -> None:
        """Mark a cached answer unusable (a ``retry_failed`` run asks again)."""
        self.caller.cache.mark_failed(self.caller.key(request, version), reason)

    async def ask_json(self, request: ChatRequest, version: str,
                       validate: Callable[[dict[str, Any]], V]) -> Answer | None:
        """Ask, parse and validate a JSON answer; repair, re-ask once, else record a failure.

        Args:
            request: the request (with its JSON schema).
            version: prompt version (cache key).
            validate: turns the JSON object into the stage's value; raises
                ``ValueError``/``TypeError``/``KeyError`` when it does not fit.
        """
        resp = await self.call(request, version)
        if resp is None:
            return None
        raw = resp.texts[0] if resp.texts else ""
        if is_refusal(raw):
            reason = "empty answer" if not raw.strip() else "model refused"
            self.mark_failed(request, version, reason)
            self.report.fail(request.stage, request.subject, reason, raw, cached=resp.cached)
            return None
        value, error = _validate(raw, validate, resp)
        if error is None:
            self._parsed(request, version, value)
            return Answer(value, raw)
        retry = replace(request, messages=(
            *request.messages, Message.text("assistant", raw[:4000]),
            Message.text("user", _REASK.format(error=error))))
        resp2 = await self.call(retry, version)
        raw2 = resp2.texts[0] if resp2 and resp2.texts else ""
        value, error2 = _validate(raw2, validate, resp2)
        if error2 is None:
            self._parsed(retry, version, value)
            return Answer(value, raw2)
        reason = f"unusable answer after one re-ask: {error}; then: {error2}"
        self.mark_failed(request, version, reason)
        if resp2 is not None:
            self.mark_failed(retry, version, reason)
        self.report.fail(request.stage, request.subject, reason,
                         raw if not raw2 else f"{raw}\n---re-ask---\n{raw2}",
                         cached=resp.cached and (resp2 is None or resp2.cached))
        return None

    def _parsed(self, request: ChatRequest, version: str, value: Any) -> None:
        # the audit column is best effort; the raw response is already stored
        with contextlib.suppress(TypeError, ValueError):
            self.caller.cache.set_parsed(self.caller.key(request, version),
                                         value if isinstance(value, dict | list | str) else
                                         repr(value))


def _validate(raw: str, validate: Callable[[dict[str, Any]], V],
              resp: ChatResponse | None = None) -> tuple[V | None, str | None]:
    if is_refusal(raw):
        return None, "empty or refused answer"
    if too_deep(raw):
        return None, "answer nested too deeply"
    obj = extract_json(raw)
    if obj is None:
        if resp is not None and resp.truncated:
            return None, "answer cut at max_tokens before the JSON closed"
        return None, "no JSON object found"
    try:
        return validate(obj), None
    except (ValueError, TypeError, KeyError) as exc:
        return None, f"JSON does not match the schema ({exc})"


async def run_bounded(items: Iterable[T], fn: Callable[[T], Awaitable[V]],
                      limit: int) -> AsyncIterator[tuple[int, V]]:
    """Run ``fn`` over ``items`` with at most ``limit`` in flight; yield (index, result).

    Items are pulled lazily, so a huge input never becomes a huge task list.
    """
    it = iter(enumerate(items))
    pending: set[asyncio.Task[tuple[int, V]]] = set()

    async def one(i: int, item: T) -> tuple[int, V]:
        return i, await fn(item)

    def fill() -> None:
        while len(pending) < limit:
            nxt = next(it, None)
            if nxt is None:
                return
            pending.add(asyncio.ensure_future(one(*nxt)))

    fill()
    try:
        while pending:
            done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                pending.discard(task)
                yield task.result()
            fill()
    finally:
        for task in pending:
            task.cancel()
