"""Distill against servers that refuse images, answer too much, nest too deep or answer
garbage; bounded schemas; failures not served from the cache as answers (issues 13, 14).

Every server here is a real HTTP server on loopback speaking the OpenAI chat API.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from distill import OpenAIBackend, arun_distill
from distill.backends import ChatRequest, ImagesUnsupported, Message
from distill.backends.base import ImagePart, TextPart
from distill.parse import extract_json
from distill.prompts import (
    description_schema,
    intentions_schema,
    judge_schema,
    key_info_schema,
    token_bound,
)
from kg.errors import DistillError
from kg.io import read_records
from kg.records import ImageDescription, IntentionAssertion
from kg.relations import relations_for
from kg.settings import LLMSettings, Settings

RELS = ["xIntent", "oReact", "usedFor", "isA"]
REFUSAL = (500, {}, b'{"error":{"code":500,"message":"image input is not supported - hint: '
           b'if this is unexpected, you may need to provide the mmproj"}}', 0)


def chat_ok(text: str, logprobs: dict[str, float] | None = None) -> bytes:
    choice: dict[str, Any] = {"index": 0, "message": {"role": "assistant", "content": text},
                              "finish_reason": "stop"}
    if logprobs:
        choice["logprobs"] = {"content": [{"token": next(iter(logprobs)), "logprob": 0.0,
                                           "top_logprobs": [{"token": k, "logprob": v}
                                                            for k, v in logprobs.items()]}]}
    return json.dumps({"choices": [choice],
                       "usage": {"prompt_tokens": 11, "completion_tokens": 3}}).encode()


def _fill(schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "object":
        return {k: _fill(v) for k, v in schema["properties"].items()}
    if kind == "array":
        return [_fill(schema["items"])]
    if kind == "number":
        return 0.5
    return "keep warm outdoors"


def _has_images(body: dict[str, Any]) -> bool:
    return any(isinstance(m["content"], list) and any(c["type"] == "image_url"
                                                        for c in m["content"])
               for m in body["messages"])


def answer(body: dict[str, Any], text: str | None = None) -> tuple[int, dict[str, str],
                                                                   bytes, float]:
    """A valid answer to any distill request: JSON filling its schema, or a Yes vote."""
    fmt = body.get("response_format")
    if fmt is None:
        return 200, {}, chat_ok("Yes, they go together.", {"Yes": -0.1, "No": -2.4}), 0
    return 200, {}, chat_ok(text if text is not None else
                            json.dumps(_fill(fmt["json_schema"]["schema"]))), 0


def _settings(workdir: Path, url: str, **llm: Any) -> Settings:
    args: dict[str, Any] = {"concurrency": 4, **llm}
    return Settings(workdir=workdir, llm=LLMSettings(
        backend="openai", base_url=url, model="m", timeout_s=5, max_retries=2, **args))


async def _run(workdir: Path, settings: Settings) -> Any:
    be = OpenAIBackend(settings.llm, backoff_s=0.001)
    try:
        return await arun_distill(workdir, settings, be, relations=RELS)
    finally:
        await be.aclose()


def test_every_schema_string_and_array_is_bounded() -> None:
    def walk(schema: dict[str, Any]) -> None:
        if schema.get("type") == "string":
            assert "maxLength" in schema
        if schema.get("type") == "array":
            assert "maxItems" in schema
            walk(schema["items"])
        for sub in schema.get("properties", {}).values():
            walk(sub)

    schemas = [description_schema(), key_info_schema(), judge_schema(),
               intentions_schema(relations_for("post")), intentions_schema(relations_for("cobuy"))]
    for schema in schemas:
        walk(schema)
        # the longest answer the schema allows fits in the max_tokens it is asked with
        longest = json.dumps(_longest(schema))
        assert len(longest) <= token_bound(schema)
    with pytest.raises(ValueError, match="maxLength"):
        token_bound({"type": "string"})


def _longest(schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "object":
        return {k: _longest(v) for k, v in schema["properties"].items()}
    if kind == "array":
        return [_longest(schema["items"])] * schema["maxItems"]
    if kind == "number":
        return -1.2345678901234567e-300
    return "x" * schema["maxLength"]


async def test_text_only_model_detected_from_its_first_refusal(workdir: Path, loopback: Any
                                                               ) -> None:
    def handler(n: int, body: dict[str, Any]) -> Any:
        return REFUSAL if _has_images(body) else answer(body)

    srv = await loopback(handler)  # no /props: learnt from the refusal
    report = await _run(workdir, _settings(workdir, srv.url, concurrency=1))
    image_requests = [b for b in srv.bodies if _has_images(b)]
    assert len(image_requests) == 1  # detected once; nothing with images after
    assert report.text_only and "image input is not supported" in report.text_only_reason
    assert not report.failures
    assert not any(s.call_errors for s in report.stages.values())  # a switch, not an error
    descs = read_records(workdir / "distill" / "image_descriptions.parquet", ImageDescription)
    by_subject = {d.subject_id: d for d in descs}
    # the post image and the product image were described with the text-only prompts
    assert by_subject["t:1"].prompt_version == "post_image_description_text_only.v1"
    assert by_subject["B01"].prompt_version == "product_description_text_only.v1"
    assert by_subject["B01"].image_id is None
    pairs = [a for a in read_records(workdir / "distill" / "assertions.parquet",
                                     IntentionAssertion) if a.subject_kind == "cobuy"]
    assert pairs and all(a.prompt_version.startswith("cobuy_intentions_text_only.v1")
                         for a in pairs)
    assert all(a.filter_score == pytest.approx(0.9089, abs=1e-3) for a in pairs)


async def test_text_only_model_detected_from_props_sends_no_image(workdir: Path,
                                                                  loopback: Any) -> None:
    srv = await loopback(lambda n, b: REFUSAL if _has_images(b) else answer(b),
                         props={"total_slots": 2, "modalities": {"vision": False}})
    report = await _run(workdir, _settings(workdir, srv.url, concurrency=8))
    assert srv.gets == ["/props"]  # asked once per run
    assert not any(_has_images(b) for b in srv.bodies)
    assert report.text_only and "/props" in report.text_only_reason
    assert srv.max_inflight <= 2  # never more requests than the server has slots
    assert not report.failures


async def test_concurrent_image_requests_all_fall_back(workdir: Path, loopback: Any) -> None:
    srv = await loopback(lambda n, b: (REFUSAL[0], {}, REFUSAL[2], 0.05) if _has_images(b)
                         else answer(b))
    report = await _run(workdir, _settings(workdir, srv.url, concurrency=8))
    assert report.text_only and not report.failures


async def test_refused_request_raises_images_unsupported(loopback: Any) -> None:
    srv = await loopback(lambda n, b: REFUSAL)
    be = OpenAIBackend(LLMSettings(backend="openai", base_url=srv.url, model="m"))
    req = ChatRequest(model="m", messages=(Message("user", (
        ImagePart(url="data:image/png;base64,AAAA", sha256="0" * 64), TextPart("hi"))),))
    try:
        with pytest.raises(ImagesUnsupported):
            await be.complete(req)
        assert be.vision is False
        with pytest.raises(ImagesUnsupported):  # known now: not sent at all
            await be.complete(req)
    finally:
        await be.aclose()
    assert len(srv.bodies) == 1


async def test_answer_over_the_size_cap_fails_without_retry(loopback: Any) -> None:
    huge = chat_ok("x" * (2 << 20))
    srv = await loopback(lambda n, b: (200, {}, huge, 0))
    be = OpenAIBackend(LLMSettings(backend="openai", base_url=srv.url, model="m",
                                   max_response_bytes=1 << 20), backoff_s=0.001)
    req = ChatRequest(model="m", messages=(Message.text("user", "hi"),))
    try:
        with pytest.raises(DistillError, match="limit"):
            await be.complete(req)
    finally:
        await be.aclose()
    assert len(srv.bodies) == 1


async def test_deeply_nested_answers_fail_the_item_not_the_run(workdir: Path,
                                                               loopback: Any) -> None:
    deep = "[" * 200_000 + "]" * 200_000

    def handler(n: int, body: dict[str, Any]) -> Any:
        fmt = body.get("response_format")
        if fmt and fmt["json_schema"]["name"] == "post_key_info":
            return answer(body, '{"concept": ' + deep + "}")
        return answer(body)

    srv = await loopback(handler)
    settings = _settings(workdir, srv.url)
    for _ in range(2):  # the second run reads the nested answers from the cache
        report = await _run(workdir, settings)
        key_fails = [f for f in report.failures if f.stage == "post_key_info"]
        assert len(key_fails) == 3 and all("nested too deeply" in f.reason for f in key_fails)
    assert report.calls == 0 and all(f.cached for f in key_fails)
    # a raw HTTP body nested too deeply is a failed call, not a crash
    assert extract_json('{"a": ' + deep + "}") is None


async def test_failed_answers_are_not_served_as_answers_and_retry_failed_asks_again(
        workdir: Path, loopback: Any) -> None:
    fixed = {"on": False}

    def handler(n: int, body: dict[str, Any]) -> Any:
        fmt = body.get("response_format")
        if fmt and fmt["json_schema"]["name"] == "post_intentions" and not fixed["on"]:
            return answer(body, "I cannot decide, sorry")
        return answer(body)

    srv = await loopback(handler)
    settings = _settings(workdir, srv.url)
    first = await _run(workdir, settings)
    failed = {f.subject for f in first.failures if f.stage == "post_intentions"}
    assert failed == {"t:1", "t:2", "t:3"}
    fixed["on"] = True
    again = await _run(workdir, settings)  # the same unusable answers, no call paid
    assert again.calls == 0
    assert {f.subject for f in again.failures if f.stage == "post_intentions"} == failed
    assert again.cached_failures == 3 and all(f.cached for f in again.failures)
    sent = len(srv.bodies)
    retry = await _run(workdir, settings.model_copy(update={
        "llm": settings.llm.model_copy(update={"retry_failed": True})}))
    assert not retry.failures
    # only the three refused answers were asked again (a refusal is not re-asked in-run)
    assert len(srv.bodies) - sent == retry.calls == 3
    posts = {a.subject_id for a in read_records(workdir / "distill" / "assertions.parquet",
                                                IntentionAssertion)
             if a.subject_kind == "post"}
    assert posts == {"t:1", "t:2", "t:3"}


def test_call_cache_is_private_to_its_owner(tmp_path: Path) -> None:
    import os
    import stat

    from distill.cache import LLMCache

    old = os.umask(0o022)
    try:
        path = tmp_path / "d" / "llm_cache.sqlite"
        cache = LLMCache(path)
        cache.count()
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in path.parent.iterdir()}
        cache.close()
    finally:
        os.umask(old)
    assert modes and all(mode == 0o600 for mode in modes.values()), modes
