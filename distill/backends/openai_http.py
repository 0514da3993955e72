"""OpenAI-compatible chat completions over HTTP (vLLM server, Ollama, llama.cpp, hosted APIs).

Bounded concurrency (a semaphore sized like the connection pool), retries with
exponential backoff and full jitter on 429, 5xx, timeouts and connection
errors (``Retry-After`` honoured), JSON-schema ``response_format`` (guided
decoding on vLLM), images as data-URL or URL content parts.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from typing import Any

from distill.backends.base import ChatRequest, ChatResponse, ImagePart, Message
from distill.backends.http1 import HTTP1Client, HTTPTransportError, ProxiedClient, proxy_for
from kg.errors import DistillError
from kg.settings import LLMSettings

__all__ = ["OpenAIBackend", "chat_payload", "parse_chat_response"]

log = logging.getLogger(__name__)

_RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


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
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list) or not choices:
        raise DistillError(f"chat completion without choices: {str(data)[:200]!r}")
    texts = [str((c.get("message") or {}).get("content") or "") for c in choices]
    top: list[dict[str, float]] | None = None
    lp = choices[0].get("logprobs")
    if isinstance(lp, dict) and isinstance(lp.get("content"), list):
        top = [{str(alt["token"]): float(alt["logprob"]) for alt in tok.get("top_logprobs") or []}
               or {str(tok["token"]): float(tok["logprob"])}
               for tok in lp["content"]]
    usage = data.get("usage") or {}
    return ChatResponse(texts=texts, top_logprobs=top,
                        tokens_in=int(usage.get("prompt_tokens") or 0),
                        tokens_out=int(usage.get("completion_tokens") or 0))


class OpenAIBackend:
    """An OpenAI-compatible HTTP backend.

    Args:
        settings: ``base_url``, ``model``, ``api_key``, ``concurrency``, ``timeout_s``,
            ``max_retries`` are used.
        backoff_s: base delay of the exponential backoff (tests make it small).
    """

    name = "openai"
    supports_logprobs = True

    def __init__(self, settings: LLMSettings, *, backoff_s: float = 0.5,
                 max_backoff_s: float = 30.0) -> None:
        self.model = settings.model
        self._url = settings.base_url.rstrip("/") + "/chat/completions"
        self._timeout = settings.timeout_s
        self._retries = settings.max_retries
        self._backoff = backoff_s
        self._max_backoff = max_backoff_s
        self._sem = asyncio.Semaphore(settings.concurrency)
        headers = {"Content-Type": "application/json", "Accept-Encoding": "identity"}
        key = settings.api_key.get_secret_value()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        # a lean HTTP/1.1 client: httpx costs 0.3-1 ms of CPU per request at hundreds of
        # connections, which caps a 2-core client far below a vLLM server (see http1);
        # httpx only when the environment sends this server through a proxy
        proxy = proxy_for(settings.base_url)
        self._client: HTTP1Client | ProxiedClient = (
            HTTP1Client(settings.base_url, headers, max_idle=settings.concurrency)
            if proxy is None else
            ProxiedClient(settings.base_url, headers, proxy=proxy,
                          max_idle=settings.concurrency))
        if proxy is not None:
            log.info("reaching %s through the proxy set in the environment", self._url)

    async def complete(self, request: ChatRequest) -> ChatResponse:
        """POST the request, retrying transient failures; see the module docstring."""
        body = chat_payload(request)
        attempt = 0
        while True:
            delay: float | None
            async with self._sem:
                try:
                    resp = await self._client.post("/chat/completions", _dumps(body),
                                                    timeout=self._timeout)
                except HTTPTransportError as exc:
                    problem, delay = f"{type(exc).__name__}: {exc}", None
                else:
                    if resp.status == 200:
                        try:
                            return parse_chat_response(json.loads(resp.body))
                        except ValueError as exc:
                            problem, delay = f"unreadable JSON body ({exc})", None
                    elif resp.status in _RETRY_STATUS:
                        problem = f"HTTP {resp.status}"
                        delay = _retry_after(resp.headers.get("retry-after"))
                    else:
                        raise DistillError(
                            f"{self._url} answered HTTP {resp.status} to "
                            f"{request.stage} {request.subject}: {resp.text[:300]!r}; check "
                            "llm.base_url, llm.model and llm.api_key")
            attempt += 1
            if attempt > self._retries:
                raise DistillError(
                    f"{self._url}: {problem} for {request.stage} {request.subject} after "
                    f"{attempt} attempts; is the server up? (llm.max_retries={self._retries})")
            if delay is None:
                cap = min(self._max_backoff, self._backoff * 2 ** (attempt - 1))
                delay = random.uniform(0, cap)
            log.debug("retry %d of %s %s in %.2fs: %s", attempt, request.stage,
                      request.subject, delay, problem)
            await asyncio.sleep(delay)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()


def _dumps(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, min(float(value), 300.0))
    except ValueError:
        return None  # HTTP-date form: fall back to our own backoff
