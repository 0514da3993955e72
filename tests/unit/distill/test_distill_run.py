"""run_distill end to end: replay building, outputs, cache re-use, crash and resume."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from distill import ReplayBackend, run_distill
from distill.backends.base import ChatRequest, ChatResponse
from distill.replay_tools import AuthoringBackend, build_replay, load_answers
from kg.errors import ConfigError, DistillError
from kg.io import read_records
from kg.locks import DirLock, LockedError
from kg.records import ImageDescription, IntentionAssertion, KeyInfo
from kg.settings import Settings

RELS = ["xIntent", "xNeed", "oReact", "usedFor", "isA"]


@pytest.fixture
def settings(workdir: Path) -> Settings:
    return Settings(workdir=workdir)


@pytest.fixture
def replay(workdir: Path, settings: Settings, answers: Path, tmp_path: Path) -> Path:
    out = tmp_path / "demo.replay.jsonl"
    build_replay(workdir, settings, answers, out, relations=RELS)
    return out


def test_build_replay_records_every_request(replay: Path) -> None:
    entries = [json.loads(x) for x in replay.read_text().splitlines()]
    stages = [e["stage"] for e in entries]
    # 2 post images + 3 key info + 3 intentions + 3 products + 2 pairs + 4 filters
    assert len(entries) == 17
    assert stages.count("cobuy_filter") == 4 and stages.count("product_description") == 3
    assert len({e["key"] for e in entries}) == len(entries)


def test_replay_run_writes_records(workdir: Path, settings: Settings, replay: Path) -> None:
    report = run_distill(workdir, settings, ReplayBackend(replay, settings.llm.model),
                         relations=RELS)
    out = workdir / "distill"
    assertions = read_records(out / "assertions.parquet", IntentionAssertion)
    assert len(assertions) == 3 * 3 + 2 * 2
    post = next(a for a in assertions if a.subject_id == "t:1" and a.relation == "xNeed")
    assert post.text == "do t:1 xNeed"  # template echo and trailing period stripped
    assert post.raw_text == "Before posting this, the user needs to do t:1 xNeed."
    assert post.image_description == "Image 1: A snowy street."
    assert post.prompt_version == "post_intentions.v1"
    pair = {(a.subject_id, a.relation): a for a in assertions if a.subject_kind == "cobuy"}
    assert len(pair) == 4
    scores = sorted(round(a.filter_score or 0, 3) for a in pair.values())
    assert scores == [0.2, 0.5, 0.7, 0.9]
    assert {a.keep for a in pair.values() if (a.filter_score or 0) >= 0.5} == {True}
    assert {a.keep for a in pair.values() if (a.filter_score or 0) < 0.5} == {False}
    assert all(a.filter_reason.startswith("r ") for a in pair.values())
    keys = read_records(out / "key_info.parquet", KeyInfo)
    assert [k.subject_id for k in keys] == ["t:1", "t:2", "t:3"]
    descs = read_records(out / "image_descriptions.parquet", ImageDescription)
    versions = {d.subject_id: d.prompt_version for d in descs}
    assert versions["t:3"] == "post_image_description_text_only.v1"  # image not loadable
    assert versions["t:1"] == "post_image_description.v1"
    assert versions["B02"] == "product_description_text_only.v1"
    assert next(d.image_id for d in descs if d.subject_id == "B02") is None
    assert report.relations["isA"].kept == 1 and report.relations["isA"].rejected == 1
    assert json.loads((out / "report.json").read_text())["written"]["assertions"] == 13
    assert report.calls == 17 and report.cached == 0


class _Recorded:
    """A kg.reports.Progress that keeps what it was told."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, int | None]] = []
        self.items: dict[str, int] = {}
        self.last: dict[str, int | str] = {}
        self.closed = 0

    def stage(self, name: str, total: int | None = None) -> None:
        self.stages.append((name, total))
        self.items[name] = 0

    def advance(self, n: int = 1) -> None:
        self.items[self.stages[-1][0]] += n

    def counters(self, **values: int | str) -> None:
        self.last = values

    def close(self) -> None:
        self.closed += 1


def test_distill_tells_its_progress_stages_items_and_calls(workdir: Path, settings: Settings,
                                                           replay: Path) -> None:
    """The stage draws nothing itself: the CLI's Progress gets stages, items and counters."""
    told = _Recorded()
    run_distill(workdir, settings, ReplayBackend(replay, settings.llm.model), relations=RELS,
                progress=told)
    assert [name for name, _ in told.stages] == ["posts", "products", "cobuys"]
    assert told.items == {"posts": 3, "products": 3, "cobuys": 2}
    assert told.last["calls"] == 17 and told.last["cached"] == 0
    assert told.closed >= 1


def test_rerun_makes_no_model_call(workdir: Path, settings: Settings, replay: Path) -> None:
    run_distill(workdir, settings, ReplayBackend(replay, settings.llm.model), relations=RELS)
    first = (workdir / "distill" / "assertions.parquet").read_bytes()
    again = run_distill(workdir, settings, ReplayBackend(replay, settings.llm.model),
                        relations=RELS)
    assert again.calls == 0 and again.cached == 17
    rows = read_records(workdir / "distill" / "assertions.parquet", IntentionAssertion)
    assert len(rows) == 13 and len({r.id for r in rows}) == 13
    assert (workdir / "distill" / "assertions.parquet").read_bytes() == first


class _Crash(BaseException):
    """Stands for the process dying (not an Exception, so nothing catches it)."""


class _CountingBackend:
    """Answers from the authored answers; counts calls; dies after ``crash_after`` calls."""

    name = "authoring"
    supports_logprobs = True

    def __init__(self, answers: Path, model: str, crash_after: int | None = None) -> None:
        self.inner = AuthoringBackend(load_answers(answers), model)
        self.model = model
        self.crash_after = crash_after
        self.requests: list[str] = []

    async def complete(self, request: ChatRequest) -> ChatResponse:
        if self.crash_after is not None and len(self.requests) >= self.crash_after:
            raise _Crash
        self.requests.append(f"{request.stage} {request.subject}")
        return await self.inner.complete(request)

    async def aclose(self) -> None:
        pass


@pytest.mark.parametrize("crash_after", [0, 1, 5, 11, 16])
def test_crash_then_resume_pays_each_call_once(workdir: Path, settings: Settings, answers: Path,
                                               crash_after: int) -> None:
    dying = _CountingBackend(answers, settings.llm.model, crash_after)
    with pytest.raises(_Crash):
        run_distill(workdir, settings, dying, relations=RELS)
    assert not (workdir / "distill" / "assertions.parquet").exists()
    survivor = _CountingBackend(answers, settings.llm.model)
    report = run_distill(workdir, settings, survivor, relations=RELS)
    paid = dying.requests + survivor.requests
    assert len(paid) == len(set(paid)) == 17  # every call paid once, none twice
    assert report.calls == len(survivor.requests) and report.cached == len(dying.requests)
    rows = read_records(workdir / "distill" / "assertions.parquet", IntentionAssertion)
    assert len(rows) == 13 and len({r.id for r in rows}) == 13
    db = sqlite3.connect(workdir / "distill" / "llm_cache.sqlite")
    assert db.execute("SELECT count(*) FROM calls").fetchone()[0] == 17


def test_replay_miss_names_the_request(workdir: Path, settings: Settings, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    backend = ReplayBackend(empty, settings.llm.model)
    with pytest.raises(DistillError, match=r"replay miss: post_image_description t:1#0 "
                                           r"\(request [0-9a-f]{16}"):
        run_distill(workdir, settings, backend, relations=RELS)
    report = json.loads((workdir / "distill" / "report.json").read_text())
    assert report["failures"][0]["reason"].startswith("model call failed: replay miss")


def test_build_replay_lists_missing_answers(workdir: Path, settings: Settings,
                                            answers_data: list[dict[str, object]],
                                            tmp_path: Path) -> None:
    partial = tmp_path / "partial.jsonl"
    partial.write_text("\n".join(json.dumps(a) for a in answers_data
                                 if a["stage"] != "cobuy_filter"))
    with pytest.raises(DistillError, match=r"lacks 4 answers: cobuy_filter/cobuy:"):
        build_replay(workdir, settings, partial, tmp_path / "r.jsonl", relations=RELS)


def test_answers_file_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "a.jsonl"
    line = {"stage": "post_key_info", "subject": "p", "answer": {}}
    bad.write_text(json.dumps(line) + "\n" + json.dumps(line) + "\n")
    with pytest.raises(ConfigError, match=r"a.jsonl:2: duplicate answer .* line 1"):
        load_answers(bad)
    bad.write_text(json.dumps({"stage": "cobuy_filter", "subject": "A+B", "answer": {},
                               "relation": "nope"}))
    with pytest.raises(ConfigError, match=r"a.jsonl:1: unknown relation 'nope'"):
        load_answers(bad)
    bad.write_text('{"stage": "post_typo", "subject": "p", "answer": {}}')
    with pytest.raises(ConfigError, match="unknown stage 'post_typo'"):
        load_answers(bad)


def test_relation_subset_skips_other_domain(workdir: Path, settings: Settings,
                                            answers: Path) -> None:
    backend = _CountingBackend(answers, settings.llm.model)
    report = run_distill(workdir, settings, backend, relations=["xIntent"])
    assert not any(r.startswith(("product", "cobuy")) for r in backend.requests)
    assert set(report.relations) == {"xIntent"}
    with pytest.raises(ConfigError, match="unknown relation 'bogus'"):
        run_distill(workdir, settings, backend, relations=["bogus"])


def test_results_finishing_out_of_order_are_written_in_input_order() -> None:
    from distill.sink import InOrder as _InOrder

    seen: list[int] = []
    ordered: _InOrder[int] = _InOrder(seen.append)
    for i in (2, 0, 3, 1, 5, 4):
        ordered.add(i, i * 10)
    assert seen == [0, 10, 20, 30, 40, 50]


def test_crash_keeps_the_previous_outputs(workdir: Path, settings: Settings,
                                          answers: Path) -> None:
    run_distill(workdir, settings, _CountingBackend(answers, settings.llm.model),
                relations=RELS)
    out = workdir / "distill" / "assertions.parquet"
    before = out.read_bytes()
    with pytest.raises(_Crash):
        run_distill(workdir, settings.model_copy(update={"llm": settings.llm.model_copy(
            update={"model": "other-model"})}),
            _CountingBackend(answers, "other-model", crash_after=3), relations=RELS)
    assert out.read_bytes() == before
    assert not list((workdir / "distill").glob("*.tmp"))


def test_a_second_distill_of_one_work_dir_is_refused(workdir: Path, settings: Settings,
                                                     replay: Path) -> None:
    with DirLock(workdir / "distill", "distill"), \
            pytest.raises(LockedError, match="another `distill`"):
        run_distill(workdir, settings, ReplayBackend(replay, settings.llm.model), relations=RELS)
    assert not (workdir / "distill" / "llm_cache.sqlite").exists()  # no call was paid for
