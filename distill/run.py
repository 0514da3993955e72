"""The distillation run: ingest records in, assertions and descriptions out.

Reads ``<workdir>/ingest/{posts,products,cobuys}.parquet``, runs MIKO over posts
and MIND over co-buy pairs through the answer store (``distill.answer_store``: the
SQLite call cache, or a Redis server; :mod:`distill.answer_store`), and writes
``<workdir>/distill/{assertions,image_descriptions,key_info}.parquet`` and
``report.json``. Results stream to temp files in input order as items finish
(memory stays flat however many posts and pairs there are) and replace the old
files only when the run ends; a killed run leaves the old files as they were,
loses no finished call, and a re-run with the same inputs makes no model call.
Answers that could not be used stay failed on a re-run (no call is paid for them)
unless ``llm.retry_failed`` asks the model again.

Two engines run the same stages into the same :class:`distill.sink.Sink`:
``distill.engine = "local"`` (asyncio in this process, below) and ``"ray"``
(:mod:`distill.ray_engine`, Ray Data ``map_batches`` actors). They write the same rows.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from distill.answer_store import AnswerStoreSpec
from distill.backends import Backend, make_backend
from distill.cache import CachedCaller
from distill.cobuy import describe_product, distill_cobuy
from distill.posts import distill_post
from distill.progress import CallProgress
from distill.report import DistillReport
from distill.sink import InOrder, Outputs, Sink, merge_stats, products_of_pairs
from distill.stages import Context, run_bounded
from kg.errors import ConfigError, DistillError
from kg.io import count_records, iter_records
from kg.locks import DirLock
from kg.records import CoBuy, Post, Product
from kg.relations import Relation, relations_for, resolve
from kg.reports import Progress
from kg.settings import Settings
from kg.workdir import WorkDir

if TYPE_CHECKING:
    from distill.ray_engine import RayWorkers

__all__ = ["arun_distill", "run_distill", "split_relations", "store_spec"]

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
                relations: list[str] | None = None, progress: Progress | None = None,
                ray_workers: RayWorkers | None = None) -> DistillReport:
    """Distill intentions from the ingested records in ``workdir``.

    Args:
        workdir: the work directory (reads ``ingest/``, writes ``distill/``).
        settings: ``settings.llm`` chooses backend, model, concurrency, filter threshold;
            ``settings.distill.engine`` the engine (``settings.ray`` for Ray).
        backend: a backend to use instead of the one ``settings`` describes (local
            engine only: Ray workers build theirs from ``settings.llm``).
        relations: relation ids (aliases allowed) to distill; default all.
        progress: told each stage, item and the call counters (the CLI draws it as a
            bar; ``None``: nothing).
        ray_workers: the Ray engine's worker classes (tests inject faults with them).

    Returns:
        The run's report (also written to ``distill/report.json``).

    Raises:
        DistillError: there were items to distill and every one of them failed.
        ConfigError: unknown relation, or unusable backend or engine settings.
        MissingExtraError: the Ray engine without the ``ray`` extra.
    """
    if settings.distill.engine == "ray":
        return _distill(workdir, settings, backend, relations, progress=progress,
                        out=None, cache_path=None, ray_workers=ray_workers)
    return asyncio.run(arun_distill(workdir, settings, backend, relations=relations,
                                    progress=progress))


async def arun_distill(workdir: Path, settings: Settings, backend: Backend | None = None, *,
                       relations: list[str] | None = None, progress: Progress | None = None,
                       out: WorkDir | None = None, cache_path: Path | str | None = None,
                       ) -> DistillReport:
    """:func:`run_distill` for callers already inside an event loop.

    ``out`` (a work dir for the outputs, default ``workdir``'s own) and ``cache_path``
    (default ``out``'s call cache) let tools such as the replay builder run without
    touching the work dir's outputs. The Ray engine runs in a thread.
    """
    if settings.distill.engine == "ray":
        return await asyncio.to_thread(_distill, workdir, settings, backend, relations,
                                       progress=progress, out=out,
                                       cache_path=cache_path, ray_workers=None)
    post_rels, cobuy_rels = split_relations(relations)
    out = out or WorkDir(workdir)
    with DirLock(out.stage("distill"), "distill"):
        be = backend if backend is not None else make_backend(settings.llm)
        run = _Run(workdir, out, DistillReport(backend=be.name, model=be.model), progress)
        cache = store_spec(settings, out, cache_path).open()
        caller = CachedCaller(be, cache, on_event=run.bar.on_event,
                              retry_failed=settings.llm.retry_failed)
        ctx = Context(settings.llm, caller, run.report)
        try:
            await _run_local(ctx, WorkDir(workdir), post_rels, cobuy_rels, run.sink)
        except BaseException:
            run.outputs.abort()
            raise
        finally:
            run.bar.close()
            cache.close()
            if backend is None:
                await be.aclose()
        if getattr(be, "vision", None) is False:
            ctx.note_text_only()
        merge_stats(run.report, caller.stats)
        return run.finish()


def _distill(workdir: Path, settings: Settings, backend: Backend | None,
             relations: list[str] | None, *, progress: Progress | None,
             out: WorkDir | None,
             cache_path: Path | str | None, ray_workers: RayWorkers | None) -> DistillReport:
    """The Ray engine's run (same edge as the local one: lock, outputs, report)."""
    from distill.ray_engine import run_ray

    if backend is not None:
        raise ConfigError("distill.engine 'ray' builds its backend on every worker from the "
                          "llm settings; pass no backend object, or use distill.engine 'local'")
    post_rels, cobuy_rels = split_relations(relations)
    out = out or WorkDir(workdir)
    cache = store_spec(settings, out, cache_path)
    with DirLock(out.stage("distill"), "distill"):
        run = _Run(workdir, out, DistillReport(engine="ray", backend=settings.llm.backend,
                                               model=settings.llm.model), progress)
        try:
            run_ray(settings, WorkDir(workdir), cache, post_rels, cobuy_rels, run.sink,
                    workers=ray_workers)
        except BaseException:
            run.outputs.abort()
            raise
        finally:
            run.bar.close()
        return run.finish()


def store_spec(settings: Settings, out: WorkDir,
               cache_path: Path | str | None) -> AnswerStoreSpec:
    """The answer store: an explicit ``cache_path`` (SQLite), else ``distill.answer_store``."""
    if cache_path is not None:
        path = cache_path if str(cache_path) == ":memory:" else Path(cache_path).resolve()
        return AnswerStoreSpec("sqlite", str(path))
    d = settings.distill
    return AnswerStoreSpec(d.answer_store, str(out.llm_cache.resolve()), d.answer_store_password)


class _Run:
    """The edge of one run: outputs, report, bar and clock; :meth:`finish` writes them."""

    def __init__(self, workdir: Path, out: WorkDir, report: DistillReport,
                 progress: Progress | None) -> None:
        self.workdir = workdir
        self.out = out
        self.report = report
        self.bar = CallProgress(progress)
        self.outputs = Outputs(out)
        self.sink = Sink(self.outputs, report, self.bar)
        self.started = report.start_clock()

    def finish(self) -> DistillReport:
        """Commit the outputs, write ``report.json``; raise when every item failed."""
        report = self.report
        report.stop_clock(self.started)
        report.written = self.outputs.commit()
        report.write(self.out.root)
        items = sum(s.items for s in report.stages.values())
        ok = sum(s.ok for s in report.stages.values())
        if items and not ok:
            first = report.failures[0] if report.failures else None
            detail = f" first failure: {first.stage} {first.subject}: {first.reason}" \
                if first else ""
            raise DistillError(f"distillation of {self.workdir} produced nothing: all {items} "
                               f"items failed (see {self.out.report('distill')}).{detail}")
        log.info("distill: %d calls, %d cached, %d assertions", report.calls, report.cached,
                 report.written["assertions"])
        return report


async def _run_local(ctx: Context, work: WorkDir, post_rels: list[Relation],
                     cobuy_rels: list[Relation], sink: Sink) -> None:
    """The local engine: every stage as asyncio tasks, ``llm.total_concurrency`` in flight
    (the sum of every model server's limit)."""
    if post_rels:
        await _local_posts(ctx, work.ingest("posts"), post_rels, sink)
    if cobuy_rels:
        products = products_of_pairs(work.ingest("products"), work.ingest("cobuys"))
        await _local_products(ctx, products, sink)
        await _local_pairs(ctx, work.ingest("cobuys"), {p.id: p for p in products},
                           cobuy_rels, sink)


async def _local_posts(ctx: Context, path: Path, relations: list[Relation], sink: Sink) -> None:
    sink.bar.stage("posts")
    ordered = InOrder(sink.post)
    async for i, res in run_bounded(iter_records(path, Post),
                                    lambda p: distill_post(ctx, p, relations), _limit(ctx)):
        ordered.add(i, res)


async def _local_products(ctx: Context, products: list[Product], sink: Sink) -> None:
    sink.bar.stage("products", len(products))
    ordered = InOrder(sink.product)
    async for i, d in run_bounded(products, lambda p: describe_product(ctx, p), _limit(ctx)):
        ordered.add(i, d)


async def _local_pairs(ctx: Context, path: Path, products: dict[str, Product],
                       relations: list[Relation], sink: Sink) -> None:
    sink.bar.stage("cobuys", count_records(path))
    ordered = InOrder(sink.pair)
    async for i, res in run_bounded(
            iter_records(path, CoBuy),
            lambda c: distill_cobuy(ctx, c, products, sink.texts, relations), _limit(ctx)):
        ordered.add(i, res)


def _limit(ctx: Context) -> int:
    return max(1, ctx.llm.total_concurrency)
