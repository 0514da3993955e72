"""The OpenAI-compatible backend against a real HTTP server on loopback."""

from __future__ import annotations

import asyncio
import logging
import math
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from distill.backends import ChatRequest, ImagePart, Message, OpenAIBackend, TextPart
from distill.images import image_part
from kg.errors import DistillError
from kg.records import ImageRef
from kg.settings import LLMSettings


def _settings(url: str, **kw: Any) -> LLMSettings:
    return LLMSettings(backend="openai", base_url=url, model="m", concurrency=4,
                       timeout_s=5, max_retries=3, **kw)


def _request(**kw: Any) -> ChatRequest:
    return ChatRequest(model="m", messages=(Message.text("user", "hi"),), stage="s",
                       subject="x", **kw)


async def test_payload_schema_images_and_key(loopback: Any, chat_ok_body: Any, tmp_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    srv = await loopback(lambda n, b: (200, {}, chat_ok_body('{"a": 1}'), 0))
    png = tmp_path / "i.png"
    from PIL import Image

    Image.new("RGB", (4, 4)).save(png)
    part = image_part(ImageRef(uri="x", local_path=str(png)))
    assert part is not None and part.url.startswith("data:image/png;base64,")
    url_part = ImagePart(url="https://example.org/p.jpg", sha256="0" * 64)
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    req = ChatRequest(model="m", messages=(
        Message.text("system", "sys"), Message("user", (part, url_part, TextPart("look")))),
        json_schema=schema, schema_name="thing", logprobs=True, top_logprobs=5)
    be = OpenAIBackend(_settings(srv.url, api_key=SecretStr("sekret-key")))
    caplog.set_level(logging.DEBUG)
    try:
        resp = await be.complete(req)
    finally:
        await be.aclose()
    assert resp.texts == ['{"a": 1}'] and resp.tokens_in == 11 and resp.tokens_out == 3
    body = srv.bodies[0]
    assert body["response_format"] == {"type": "json_schema", "json_schema": {
        "name": "thing", "schema": schema, "strict": True}}
    assert body["messages"][0] == {"role": "system", "content": "sys"}
    content = body["messages"][1]["content"]
    assert [c["type"] for c in content] == ["image_url", "image_url", "text"]
    assert content[0]["image_url"]["url"] == part.url
    assert content[1]["image_url"]["url"] == "https://example.org/p.jpg"
    assert body["logprobs"] is True and body["top_logprobs"] == 5
    assert srv.headers[0]["authorization"] == "Bearer sekret-key"
    assert "sekret-key" not in caplog.text


async def test_retries_429_and_500_then_succeeds(loopback: Any, chat_ok_body: Any) -> None:
    script = [(429, {"Retry-After": "0"}, b"slow down", 0), (500, {}, b"oops", 0),
              (200, {}, b"not json", 0), (200, {}, chat_ok_body("ok"), 0)]
    srv = await loopback(lambda n, b: script[n])
    be = OpenAIBackend(_settings(srv.url), backoff_s=0.001)
    try:
        resp = await be.complete(_request())
    finally:
        await be.aclose()
    assert resp.texts == ["ok"] and len(srv.bodies) == 4


async def test_gives_up_after_max_retries(loopback: Any) -> None:
    srv = await loopback(lambda n, b: (503, {}, b"down", 0))
    be = OpenAIBackend(_settings(srv.url), backoff_s=0.001)
    with pytest.raises(DistillError, match=r"HTTP 503 for s x after 4 attempts"):
        await be.complete(_request())
    await be.aclose()
    assert len(srv.bodies) == 4


async def test_client_error_is_not_retried(loopback: Any) -> None:
    srv = await loopback(lambda n, b: (400, {}, b'{"error": "bad model"}', 0))
    be = OpenAIBackend(_settings(srv.url), backoff_s=0.001)
    with pytest.raises(DistillError, match=r"HTTP 400 .*bad model"):
        await be.complete(_request())
    await be.aclose()
    assert len(srv.bodies) == 1


async def test_timeout_is_not_sent_again(loopback: Any, chat_ok_body: Any) -> None:
    # the server may still be working on a request that timed out: re-sending it only
    # queues the same work again (the retry storm of issue 13)
    srv = await loopback(lambda n, b: (200, {}, chat_ok_body("late" if n == 0 else "ok"),
                                       2.0 if n == 0 else 0))
    be = OpenAIBackend(_settings(srv.url).model_copy(update={
        "timeout_s": 0.2, "min_tokens_per_s": 1e6}), backoff_s=0.001)
    try:
        with pytest.raises(DistillError, match="not sent again"):
            await be.complete(_request())
    finally:
        await be.aclose()
    assert len(srv.bodies) == 1


def test_timeout_grows_with_the_tokens_asked_for() -> None:
    be = OpenAIBackend(_settings("http://127.0.0.1:9/v1").model_copy(update={
        "timeout_s": 10, "min_tokens_per_s": 4}))
    assert be.timeout_for(_request(max_tokens=400)) == pytest.approx(110)
    assert be.timeout_for(_request(max_tokens=400, n=5)) == pytest.approx(510)


async def test_connection_refused_is_a_distill_error() -> None:
    be = OpenAIBackend(_settings("http://127.0.0.1:9/v1", server_wait_s=0.2,
                                 health_interval_s=0.05), backoff_s=0.001)
    with pytest.raises(DistillError, match="is the server up") as err:
        await be.complete(_request())
    await be.aclose()
    assert "http://127.0.0.1:9/v1" in str(err.value)
    assert "cannot connect" in str(err.value)


async def test_concurrency_is_bounded_and_logprobs_parsed(loopback: Any,
                                                          chat_ok_body: Any) -> None:
    lp = {"Yes": math.log(0.8), "No": math.log(0.2)}
    srv = await loopback(lambda n, b: (200, {}, chat_ok_body("Yes", lp), 0.02))
    be = OpenAIBackend(_settings(srv.url))
    try:
        out = await asyncio.gather(*(be.complete(_request(logprobs=True, top_logprobs=2))
                                     for _ in range(20)))
    finally:
        await be.aclose()
    assert len(srv.bodies) == 20 and srv.max_inflight <= 4
    assert out[0].top_logprobs == [pytest.approx(lp)]
