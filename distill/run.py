"""The distillation run: ingest records in, assertions and descriptions out.

Reads ``<workdir>/ingest/{posts,products,cobuys}.parquet``, runs MIKO over posts
and MIND over co-buy pairs through the SQLite call cache, and writes
``<workdir>/distill/{assertions,image_descriptions,key_info}.parquet`` and
``report.json``. Results stream to temp files in input order as items finish
(memory stays flat however many posts and pairs there are) and replace the old
files only when the run ends; a killed run leaves the old files as they were,
loses no finished call, and a re-run with the same inputs makes no model call.
Answers that could not be used stay failed on a re-run (no call is paid for them)
unless ``llm.retry_failed`` asks the model again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from distill.backends import Backend, make_backend
from distill.cache import CachedCaller, CallStats, LLMCache
from distill.cobuy import describe_product, distill_cobuy
from distill.posts import distill_post
from distill.progress import Progress
from distill.report import DistillReport, StageCounts
from distill.stages import Context, run_bounded
from kg.errors import ConfigError, DistillError
from kg.io import RecordWriter, count_records, iter_records
from kg.locks import DirLock
from kg.records import CoBuy, ImageDescription, IntentionAssertion, Post, Product
from kg.relations import Relation, relations_for, resolve
from kg.settings import Settings

__all__ = ["arun_distill", "run_distill", "split_relations"]

log = logging.getLogger(__name__)


def split_relations(names: list[str] | None) -> tuple[list[Relation], list[Relation]]:
    """(post relations, co-buy relations) for a run; ``None`` means all of both.

    A name is looked up in both domains (``open`` is in both).

    Raises:
        ConfigError: a name is in neither domain.
    """
    if not names:
        return relations_for("post"), relations_for("cobuy")
    post: list[Relation] = []
    cobuy: list[Relation] = []
    for name in names:
        found = False
        for domain, bucket in (("post", post), ("cobuy", cobuy)):
            try:
                rel = resolve(name, domain)  # type: ignore[arg-type]
            except ConfigError:
                continue
            found = True
            if rel not in bucket:
                bucket.append(rel)
        if not found:
            resolve(name)  # raises with the list of known relations
    return post, cobuy


def run_distill(workdir: Path, settings: Settings, backend: Backend | None = None, *,
                relations: list[str] | None = None, progress: bool = False) -> DistillReport:
    """Distill intentions from the ingested records in ``workdir``.

    Args:
        workdir: the work directory (reads ``ingest/``, writes ``distill/``).
        settings: ``settings.llm`` chooses backend, model, concurrency, filter threshold.
        backend: a backend to use instead of the one ``settings`` describes.
        relations: relation ids (aliases allowed) to distill; default all.
        progress: show a progress bar on stderr.

    Returns:
        The run's report (also written to ``distill/report.json``).

    Raises:
        DistillError: there were items to distill and every one of them failed.
        ConfigError: unknown relation, or unusable backend settings.
    """
    return asyncio.run(arun_distill(workdir, settings, backend, relations=relations,
                                    progress=progress))


async def arun_distill(workdir: Path, settings: Settings, backend: Backend | None = None, *,
                       relations: list[str] | None = None, progress: bool = False,
                       out_dir: Path | None = None, cache_path: Path | str | None = None,
                       ) -> DistillReport:
    """:func:`run_distill` for callers already inside an event loop.

    ``out_dir`` (default ``<workdir>/distill``) and ``cache_path`` (default
    ``<out_dir>/llm_cache.sqlite``) let tools such as the replay builder run
    without touching the work dir's outputs.
    """
    post_rels, cobuy_rels = split_relations(relations)
    out = out_dir or workdir / "distill"
    with DirLock(out, "distill"):
        return await _distill_locked(workdir, settings, backend, out, post_rels, cobuy_rels,
                                     progress=progress, cache_path=cache_path)


async def _distill_locked(workdir: Path, settings: Settings, backend: Backend | None, out: Path,
                          post_rels: list[Relation], cobuy_rels: list[Relation], *,
                          progress: bool, cache_path: Path | str | None) -> DistillReport:
    own_backend = backend is None
    be = backend if backend is not None else make_backend(settings.llm)
    cache = LLMCache(cache_path if cache_path is not None else out / "llm_cache.sqlite")
    report = DistillReport(backend=be.name, model=be.model)
    bar = Progress(enabled=progress)
    caller = CachedCaller(be, cache, on_event=bar.on_event,
                          retry_failed=settings.llm.retry_failed)
    ctx = Context(settings.llm, caller, report)
    start = time.perf_counter()
    outputs = _Outputs(out)
    try:
        await _run(ctx, workdir / "ingest", post_rels, cobuy_rels, bar, outputs)
    except BaseException:
        outputs.abort()
        raise
    finally:
        bar.close()
        cache.close()
        if own_backend:
            await be.aclose()
    report.elapsed_s = round(time.perf_counter() - start, 3)
    if getattr(be, "vision", None) is False:
        ctx.note_text_only()
    _merge_stats(report, caller.stats)
    report.written = outputs.commit()
    (out / "report.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")
    items = sum(s.items for s in report.stages.values())
    ok = sum(s.ok for s in report.stages.values())
    if items and not ok:
        first = report.failures[0] if report.failures else None
        detail = f" first failure: {first.stage} {first.subject}: {first.reason}" if first else ""
        raise DistillError(f"distillation of {workdir} produced nothing: all {items} items "
                           f"failed (see {out / 'report.json'}).{detail}")
    log.info("distill: %d calls, %d cached, %d assertions", report.calls, report.cached,
             report.written["assertions"])
    return report


T = TypeVar("T")


class _Outputs:
    """The run's three output files, written as results arrive; duplicate assertion ids
    (the same subject, relation and text twice) are written once."""

    def __init__(self, out: Path) -> None:
        self.assertions = RecordWriter(out / "assertions.parquet")
        self.descriptions = RecordWriter(out / "image_descriptions.parquet")
        self.key_info = RecordWriter(out / "key_info.parquet")
        self._seen: set[str] = set()

    def assertion(self, rec: IntentionAssertion) -> None:
        if rec.id not in self._seen:
            self._seen.add(rec.id)
            self.assertions.write(rec)

    def commit(self) -> dict[str, int]:
        return {"assertions": self.assertions.commit(),
                "image_descriptions": self.descriptions.commit(),
                "key_info": self.key_info.commit()}

    def abort(self) -> None:
        for writer in (self.assertions, self.descriptions, self.key_info):
            writer.abort()


class _InOrder(Generic[T]):
    """Passes results that finish out of order on in input order.

    Holds only results that finished before an earlier item did (bounded by the
    items in flight times how long the slowest one takes).
    """

    def __init__(self, emit: Callable[[T], None]) -> None:
        self._emit = emit
        self._next = 0
        self._held: dict[int, T] = {}

    def add(self, index: int, result: T) -> None:
        self._held[index] = result
        while self._next in self._held:
            self._emit(self._held.pop(self._next))
            self._next += 1


async def _run(ctx: Context, ingest: Path, post_rels: list[Relation],
               cobuy_rels: list[Relation], bar: Progress, out: _Outputs) -> None:
    limit = max(1, ctx.llm.concurrency)
    if post_rels:
        def post_done(res: Any) -> None:
            for d in res.descriptions:
                out.descriptions.write(d)
            if res.key_info:
                out.key_info.write(res.key_info)
            for a in res.assertions:
                out.assertion(a)

        ordered_posts: _InOrder[Any] = _InOrder(post_done)
        posts = iter_records(ingest / "posts.parquet", Post)
        bar.stage("posts")
        counts = ctx.report.stage("posts")
        async for i, res in run_bounded(posts, lambda p: distill_post(ctx, p, post_rels), limit):
            ordered_posts.add(i, res)
            counts.items += 1
            counts.ok += int(res.key_info is not None or bool(res.assertions))
            bar.item()
    if cobuy_rels:
        cobuys_path = ingest / "cobuys.parquet"
        needed = {p for c in iter_records(cobuys_path, CoBuy)
                  for p in (c.product_a, c.product_b)}
        products = {p.id: p for p in iter_records(ingest / "products.parquet", Product)
                    if p.id in needed}
        del needed
        bar.stage("products", len(products))
        texts: dict[str, str] = {}

        def product_done(d: ImageDescription | None) -> None:
            if d is not None:
                out.descriptions.write(d)
                texts[d.subject_id] = d.description

        ordered_products: _InOrder[ImageDescription | None] = _InOrder(product_done)
        ordered = [products[k] for k in sorted(products)]
        async for i, d in run_bounded(ordered, lambda p: describe_product(ctx, p), limit):
            ordered_products.add(i, d)
            bar.item()
        bar.stage("cobuys", count_records(cobuys_path))
        counts = ctx.report.stage("cobuys")

        def pair_done(found: list[IntentionAssertion]) -> None:
            for a in found:
                out.assertion(a)

        ordered_pairs: _InOrder[list[IntentionAssertion]] = _InOrder(pair_done)
        async for i, pres in run_bounded(
                iter_records(cobuys_path, CoBuy),
                lambda c: distill_cobuy(ctx, c, products, texts, cobuy_rels), limit):
            ordered_pairs.add(i, pres.assertions)
            counts.items += 1
            counts.ok += int(bool(pres.assertions))
            bar.item()


def _merge_stats(report: DistillReport, stats: CallStats) -> None:
    report.tokens_in, report.tokens_out = stats.tokens_in, stats.tokens_out
    for stage, per in stats.by_stage.items():
        counts = report.stages.setdefault(stage, StageCounts())
        counts.calls, counts.cached, counts.call_errors = (
            per["calls"], per["cached"], per["failed"])
