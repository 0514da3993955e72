"""Broken model answers never crash a run: repair, one re-ask, then a recorded failure."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from distill import run_distill
from distill.backends.base import ChatRequest, ChatResponse
from kg.io import read_records
from kg.records import IntentionAssertion, KeyInfo
from kg.settings import Settings


class ScriptedModel:
    """A stand-in for the model: answers each request with ``script(request)``."""

    name = "scripted"
    model = "scripted-model"

    def __init__(self, script: Callable[[ChatRequest], list[str]], logprobs: bool = True) -> None:
        self.script = script
        self.supports_logprobs = logprobs
        self.seen: list[ChatRequest] = []

    async def complete(self, request: ChatRequest) -> ChatResponse:
        self.seen.append(request)
        return ChatResponse(texts=self.script(request))

    async def aclose(self) -> None:
        pass


def _good(request: ChatRequest) -> str:
    if request.stage.endswith("description"):
        return '{"description": "a thing"}'
    if request.stage == "post_key_info":
        return '{"concept": "c", "action": "a", "object": "o", "emotion": "e", "keywords": []}'
    props = (request.json_schema or {}).get("properties", {})
    return json.dumps({r: {"intention": f"do {r}", "rationale": ""} for r in props})


def test_malformed_answers_are_repaired_reasked_or_recorded(workdir: Path) -> None:
    def script(req: ChatRequest) -> list[str]:
        reask = len(req.messages) > 2
        if req.stage == "post_key_info" and req.subject == "t:1":
            return ["```json\n{'concept': 'snow', 'keywords': ['a',],}\n```"]  # repairable
        if req.stage == "post_key_info" and req.subject == "t:2":
            return ['{"concept": "run"' if not reask else '{"concept": "run", "emotion": "x"}']
        if req.stage == "post_key_info":
            return ["garbage"]
        if req.stage == "post_intentions" and req.subject == "t:2":
            return ["I'm sorry, but I can't help with that."]
        if req.stage == "post_intentions" and req.subject == "t:3":
            return [""]
        if req.stage == "post_image_description" and req.subject == "t:3#0":
            return ["[]"]
        return [_good(req)]

    model = ScriptedModel(script)
    report = run_distill(workdir, Settings(workdir=workdir), model, relations=["xIntent"])
    keys = {k.subject_id: k for k in read_records(workdir / "distill/key_info.parquet", KeyInfo)}
    assert keys["t:1"].concept == "snow" and keys["t:1"].keywords == ["a"]
    assert keys["t:2"].emotion == "x"  # good on the re-ask
    assert "t:3" not in keys
    reasks = [r for r in model.seen if len(r.messages) > 2]
    assert sorted(r.subject for r in reasks) == ["t:2", "t:3", "t:3#0"]
    assert reasks[0].messages[-2].role == "assistant"
    fails = {(f.stage, f.subject): f for f in report.failures}
    assert fails[("post_key_info", "t:3")].raw_text == "garbage\n---re-ask---\ngarbage"
    assert fails[("post_intentions", "t:2")].reason == "model refused"
    assert fails[("post_intentions", "t:3")].reason == "empty answer"
    assert "no JSON object" in fails[("post_image_description", "t:3#0")].reason
    rows = read_records(workdir / "distill/assertions.parquet", IntentionAssertion)
    assert [r.subject_id for r in rows] == ["t:1"]
    assert report.relations["xIntent"].kept == 1 and report.relations["xIntent"].failed == 2


def test_filter_votes_without_logprobs(workdir: Path) -> None:
    def script(req: ChatRequest) -> list[str]:
        if req.stage == "cobuy_filter":
            assert not req.logprobs
            return ["Yes. fine"] if req.n == 1 else ["Yes. a", "No. b", "Yes. c", "Yes", "No"]
        return [_good(req)] * req.n

    settings = Settings(workdir=workdir)
    report = run_distill(workdir, settings, ScriptedModel(script, logprobs=False),
                         relations=["usedFor"])
    rows = read_records(workdir / "distill/assertions.parquet", IntentionAssertion)
    assert len(rows) == 2
    assert {(r.filter_score, r.filter_reason, r.keep) for r in rows} == {(0.6, "a", True)}
    assert report.relations["usedFor"].kept == 2


def test_unclear_filter_answer_is_a_failure_not_a_crash(workdir: Path) -> None:
    def script(req: ChatRequest) -> list[str]:
        return ["Maybe?"] * req.n if req.stage == "cobuy_filter" else [_good(req)]

    report = run_distill(workdir, Settings(workdir=workdir), ScriptedModel(script),
                         relations=["usedFor"])
    rows = read_records(workdir / "distill/assertions.parquet", IntentionAssertion)
    assert {(r.keep, r.filter_score, r.filter_reason) for r in rows} == {
        (False, None, "filter failed")}
    assert report.relations["usedFor"].failed == 2
