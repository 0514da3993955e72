"""OpenAI-compatible chat completions over HTTP (vLLM server, Ollama, llama.cpp, hosted APIs).

One server (``llm.base_url``) or several of the same model (``llm.base_urls``),
each with its own concurrency limit (never more than the slots a llama.cpp
server reports in ``/props``); each request goes to the server with the fewest
requests in flight (:mod:`distill.backends.server_pool`). JSON-schema
``response_format`` (guided decoding on vLLM and llama.cpp), images as data-URL
or URL content parts.

Failures: a server that cannot be reached, drops the connection or times out is
taken out of the pool, health-checked in the background and put back when it
answers; a 5xx answer takes a server out only while another is up. The request
is sent again at once to another server when one is up, else after exponential
backoff with full jitter (``Retry-After`` honoured) to the same one; 429 and
other transient answers retry the same way without taking the server out.
Nothing is sent to two servers at once, so an answer is paid once (and the
call cache in :mod:`distill.cache` keeps it from being asked again).

A request that times out is never sent to the same server again: the server
may still be working on it, and re-sending a long generation to a busy server
only adds to its queue; it goes to another server if there is one, else fails.
Timeouts grow with the tokens asked for (``timeout_s + max_tokens /
min_tokens_per_s``). Answers are read up to ``max_response_bytes``.

A server that cannot take images (``/props`` says so, or it refuses the first
request with images) switches the backend to text only: :attr:`vision` becomes
False and every request with images raises :class:`ImagesUnsupported` at once,
so the stages fall back to their text-only prompts.

Messages name the server by its configured URL (the settings refuse URLs with
credentials or a query string); the API key travels only in a header and is
never logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
from dataclasses import dataclass
from typing import Any

from distill.backends.base import ChatRequest, ChatResponse, ImagePart, ImagesUnsupported, Message
from distill.backends.http1 import (
    HTTP1Client,
    HTTPTimeout,
    HTTPTooLarge,
    HTTPTransportError,
    ProxiedClient,
    proxy_for,
)
from distill.backends.server_pool import NoServerUp, PoolServer, ServerPool, ServerState
from kg.errors import DistillError
from kg.settings import LLMSettings

__all__ = ["ImagesUnsupported", "OpenAIBackend", "chat_payload", "parse_chat_response"]

log = logging.getLogger(__name__)

_RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
# how servers say a model takes no images: llama.cpp ("image input is not supported"),
# vLLM ("... is not a multimodal model"), Ollama, hosted APIs
_NO_IMAGES = re.compile(
    r"image input is not supported|not a multimodal model|does not support (?:image|vision)"
    r"|(?:images?|vision|multimodal)(?: input)? (?:is |are )?not supported"
    r"|unsupported content type.{0,20}image|image_url.{0,40}not supported", re.I)


def _content(message: Message) -> str | list[dict[str, Any]]:
    if not message.images:  # plain strings work with every server, lists not always
        return message.plain_text
    return [
        {"type": "image_url", "image_url": {"url": p.url}} if isinstance(p, ImagePart)
        else {"type": "text", "text": p.text}
        for p in message.parts
    ]


def chat_payload(request: ChatRequest) -> dict[str, Any]:
    """The ``/chat/completions`` JSON body for ``request``."""
    body: dict[str, Any] = {
        "model": request.model,
        "messages": [{"role": m.role, "content": _content(m)} for m in request.messages],
        "temperature": request.temperature,
        "max_tokens": request.max_tokens,
    }
    if request.n != 1:
        body["n"] = request.n
    if request.json_schema is not None:
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": request.schema_name, "schema": request.json_schema,
                            "strict": True},
        }
    if request.logprobs:
        body["logprobs"] = True
        body["top_logprobs"] = request.top_logprobs
    return body


def parse_chat_response(data: Any) -> ChatResponse:
    """Turn a ``/chat/completions`` JSON answer into a :class:`ChatResponse`.

    Raises:
        DistillError: the answer has no choices.
    """
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except RecursionError:
            raise DistillError("answer JSON nested too deeply") from None
        except ValueError as exc:
            raise DistillError(f"unreadable JSON body ({exc})") from None
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list) or not choices:
        raise DistillError(f"chat completion without choices: {str(data)[:200]!r}")
    if not all(isinstance(c, dict) for c in choices):
        raise DistillError(f"chat completion with malformed choices: {str(data)[:200]!r}")
    texts = [str((c.get("message") or {}).get("content") or "") for c in choices]
    top: list[dict[str, float]] | None = None
    lp = choices[0].get("logprobs")
    if isinstance(lp, dict) and isinstance(lp.get("content"), list):
        try:
            top = [{str(alt["token"]): float(alt["logprob"])
                    for alt in tok.get("top_logprobs") or []}
                   or {str(tok["token"]): float(tok["logprob"])}
                   for tok in lp["content"]]
        except (KeyError, TypeError, ValueError, AttributeError):
            top = None  # malformed log-probabilities: the filter falls back to votes
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    try:
        tokens_in = int(usage.get("prompt_tokens") or 0)
        tokens_out = int(usage.get("completion_tokens") or 0)
    except (TypeError, ValueError):
        tokens_in = tokens_out = 0
    finish = [str(c.get("finish_reason") or "") for c in choices]
    return ChatResponse(texts=texts, top_logprobs=top, tokens_in=tokens_in,
                        tokens_out=tokens_out, finish_reasons=finish)


@dataclass
class _Failure:
    """One attempt that did not answer: what went wrong and what it means for the server."""

    problem: str
    delay: float | None = None  # the server's Retry-After
    server_down: bool = False  # unreachable or timed out: take it out
    server_error: bool = False  # a 5xx answer
    timed_out: bool = False


class OpenAIBackend:
    """An OpenAI-compatible HTTP backend over one server or a pool of them.

    Args:
        settings: ``base_url``/``base_urls``, ``model``, ``api_key``, ``concurrency``,
            ``timeout_s``, ``min_tokens_per_s``, ``max_retries``, ``max_response_bytes``,
            ``vision``, ``health_interval_s`` and ``server_wait_s`` are used.
        backoff_s: base delay of the exponential backoff (tests make it small).
        api_key: a key that wins over ``settings.api_key`` (the local server's).
        probe: ask each server's ``/props`` before the first request.

    Attributes:
        vision: False once the server is known to take no images; None while unknown.
        slots: the parallel slots the servers reported (summed), when any did.
    """

    name = "openai"
    supports_logprobs = True

    def __init__(self, settings: LLMSettings, *, backoff_s: float = 0.5,
                 max_backoff_s: float = 30.0, api_key: str | None = None,
                 probe: bool = True) -> None:
        self.model = settings.model
        self._timeout = settings.timeout_s
        self._tokens_per_s = settings.min_tokens_per_s
        self._retries = settings.max_retries
        self._backoff = backoff_s
        self._max_backoff = max_backoff_s
        self._probed = settings.vision == "off" or not probe
        self._probe_lock = asyncio.Lock()
        self.vision: bool | None = False if settings.vision == "off" else None
        self.vision_note = "llm.vision is off" if settings.vision == "off" else ""
        self.slots: int | None = None
        headers = {"Content-Type": "application/json", "Accept-Encoding": "identity"}
        key = api_key if api_key is not None else settings.api_key.get_secret_value()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        servers = []
        for server in settings.servers():
            limit = server.concurrency or settings.concurrency
            client = _client(server.url, headers, limit, settings.max_response_bytes)
            servers.append(PoolServer(server.url, client, limit))
        self._pool = ServerPool(servers, health_interval_s=settings.health_interval_s,
                                wait_s=settings.server_wait_s,
                                check_timeout_s=min(10.0, settings.timeout_s))

    @property
    def servers(self) -> list[ServerState]:
        """Each server's state: up or out, requests in flight and answered, times out."""
        return self._pool.states()

    def timeout_for(self, request: ChatRequest) -> float:
        """Seconds one attempt of ``request`` may take: grows with the tokens asked for."""
        return self._timeout + request.max_tokens * max(1, request.n) / self._tokens_per_s

    async def probe(self) -> None:
        """Ask each server once for its slots and modalities (llama.cpp ``/props``).

        Servers without ``/props`` (vLLM, Ollama, hosted APIs) are left as they are:
        concurrency from the settings, vision learnt from the first refusal.
        """
        async with self._probe_lock:
            if self._probed:
                return
            self._probed = True
            found = await asyncio.gather(*(_props(s) for s in self._pool.servers))
            for server, props in zip(self._pool.servers, found, strict=True):
                if props is not None:
                    self._use_props(server, props)

    def _use_props(self, server: PoolServer, props: dict[str, Any]) -> None:
        slots = props.get("total_slots")
        if isinstance(slots, int) and slots > 0:
            self.slots = (self.slots or 0) + slots
            if slots < server.limit:
                log.info("%s has %d slots: at most %d requests in flight there", server.url,
                         slots, slots)
                server.limit = slots
        modalities = props.get("modalities")
        if isinstance(modalities, dict) and modalities.get("vision") is False:
            self.mark_no_images("the server's /props says the model has no vision input")
        elif isinstance(modalities, dict) and modalities.get("vision") is True:
            self.vision = True if self.vision is None else self.vision

    def mark_no_images(self, why: str) -> None:
        """Take no images from now on (``why`` goes to the log and the run report)."""
        if self.vision is not False:
            self.vision, self.vision_note = False, why
            log.warning("%s takes no images (%s): using the text-only prompts", self.model, why)

    async def complete(self, request: ChatRequest) -> ChatResponse:
        """POST the request to the least busy server, retrying transient failures on
        another server where there is one; see the module docstring.

        Raises:
            ImagesUnsupported: the request has images and the model takes none.
            DistillError: any other failure (after the retries it allows); the message
                names the server.
        """
        if not self._probed:
            await self.probe()
        has_images = any(m.images for m in request.messages)
        if has_images and self.vision is False:
            raise ImagesUnsupported(f"{self.model} takes no images ({self.vision_note})")
        body = _dumps(chat_payload(request))
        timeout = self.timeout_for(request)
        tried: set[PoolServer] = set()
        timed_out: set[PoolServer] = set()
        attempt = 0
        while True:
            try:
                server = await self._pool.acquire(avoid=tried, exclude=timed_out)
            except NoServerUp as exc:
                raise DistillError(
                    f"{exc}; {request.stage} {request.subject} not answered; is the server "
                    "up? (llm.server_wait_s)") from None
            try:
                outcome = await self._attempt(server, body, timeout, request, has_images)
            finally:
                self._pool.release(server)
            if isinstance(outcome, ChatResponse):
                self._pool.answered(server)
                return outcome
            self._note_failure(server, outcome, tried, timed_out, request)
            attempt += 1
            if attempt > self._retries:
                raise DistillError(
                    f"{server.url}: {outcome.problem} for {request.stage} {request.subject} "
                    f"after {attempt} attempts; is the server up? "
                    f"(llm.max_retries={self._retries})")
            delay = 0.0 if self._pool.has_fresh(tried | timed_out) else outcome.delay
            if delay is None:
                cap = min(self._max_backoff, self._backoff * 2 ** (attempt - 1))
                delay = random.uniform(0, cap)
            log.debug("retry %d of %s %s in %.2fs: %s: %s", attempt, request.stage,
                      request.subject, delay, server.url, outcome.problem)
            if delay:
                await asyncio.sleep(delay)

    def _note_failure(self, server: PoolServer, failure: _Failure, tried: set[PoolServer],
                      timed_out: set[PoolServer], request: ChatRequest) -> None:
        tried.add(server)
        if failure.server_down:
            self._pool.take_out(server, failure.problem)
        elif failure.server_error:
            self._pool.failed_5xx(server, failure.problem)
        if failure.timed_out:
            timed_out.add(server)
            if all(s in timed_out for s in self._pool.servers):
                raise DistillError(
                    f"{failure.problem} for {request.stage} {request.subject}; not sent again "
                    "(the server may still be working on it); raise llm.timeout_s or lower "
                    "llm.min_tokens_per_s for a slow server")

    async def _attempt(self, server: PoolServer, body: bytes, timeout: float,
                       request: ChatRequest, has_images: bool) -> ChatResponse | _Failure:
        """One POST to ``server``: the answer, or what went wrong when it may be retried."""
        if has_images and self.vision is False:  # learnt while this one waited
            raise ImagesUnsupported(f"{self.model} takes no images ({self.vision_note})")
        try:
            resp = await server.client.post("/chat/completions", body, timeout=timeout)
        except HTTPTimeout as exc:
            return _Failure(str(exc), server_down=True, timed_out=True)
        except HTTPTooLarge as exc:
            raise DistillError(f"{server.url}/chat/completions: {exc} for {request.stage} "
                               f"{request.subject} (llm.max_response_bytes)") from None
        except HTTPTransportError as exc:
            return _Failure(f"{type(exc).__name__}: {exc}", server_down=True)
        if resp.status == 200:
            try:
                return parse_chat_response(resp.body)
            except DistillError as exc:
                return _Failure(str(exc))
        said = _NO_IMAGES.search(resp.text) if has_images and resp.status >= 400 else None
        if said:  # the server's own words, not its whole (escaped, truncated) error body
            self.mark_no_images(f"HTTP {resp.status}: {said.group(0)}")
            raise ImagesUnsupported(f"{self.model} takes no images ({self.vision_note})")
        if resp.status in _RETRY_STATUS:
            return _Failure(f"HTTP {resp.status}", _retry_after(resp.headers.get("retry-after")),
                            server_error=resp.status >= 500)
        raise DistillError(
            f"{server.url}/chat/completions answered HTTP {resp.status} to {request.stage} "
            f"{request.subject}: {resp.text[:300]!r}; check llm.base_url(s), llm.model and "
            "llm.api_key")

    async def aclose(self) -> None:
        """Stop the health checks and close the connection pools."""
        await self._pool.aclose()


def _client(url: str, headers: dict[str, str], concurrency: int,
            max_body: int) -> HTTP1Client | ProxiedClient:
    # a lean HTTP/1.1 client: httpx costs 0.3-1 ms of CPU per request at hundreds of
    # connections, which caps a 2-core client far below a vLLM server (see http1);
    # httpx only when the environment sends this server through a proxy
    proxy = proxy_for(url)
    if proxy is None:
        return HTTP1Client(url, headers, max_idle=concurrency, max_body=max_body)
    log.info("reaching %s through the proxy set in the environment", url)
    return ProxiedClient(url, headers, proxy=proxy, max_idle=concurrency, max_body=max_body)


async def _props(server: PoolServer) -> dict[str, Any] | None:
    """The server's llama.cpp ``/props``, or None where it has none or cannot be reached."""
    try:
        resp = await server.client.get("/props", timeout=10.0)
        props = json.loads(resp.body) if resp.status == 200 else None
    except (HTTPTransportError, ValueError, RecursionError):
        return None
    return props if isinstance(props, dict) else None


def _dumps(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, min(float(value), 300.0))
    except ValueError:
        return None  # HTTP-date form: fall back to our own backoff
