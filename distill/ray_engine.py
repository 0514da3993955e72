"""``distill.engine = "ray"``: the same MIKO/MIND stages in Ray Data ``map_batches`` actors.

Ray Data reads the ingest Parquet; a pool of ``ray.num_workers`` actors per stage
each builds its own backend from ``settings.llm`` (so every worker spreads its
requests over the same servers) and opens the shared call cache, then runs
:func:`distill.posts.distill_post`, :func:`distill.cobuy.describe_product` and
:func:`distill.cobuy.distill_cobuy` over its batch exactly as the local engine
does, up to ``min(ray.batch_size, llm.concurrency)`` requests in flight. Each
result travels back pickled, with the batch's partial report; the driver hands
the results, in input order (Ray Data's ``preserve_order``), to the same
:class:`distill.sink.Sink` the local engine uses, so both engines write the same
rows in the same order.

Products are described before the pairs (a pair's prompt holds both
descriptions); the products the pairs name and their descriptions go to the
pair workers once through Ray's object store.

A worker that dies mid-batch (its node lost, the process killed) is restarted
by Ray and its batch is run again: answers it committed to the cache are read
back, not paid again, and the driver receives each batch's results once.

Every worker opens the answer store itself from its
:class:`distill.answer_store.AnswerStoreSpec`: with ``distill.answer_store =
"sqlite"`` that is the SQLite file ``distill/llm_cache.sqlite`` in WAL mode, so
the workers must run on the machine holding it (``ray.worker_resources``); with a
Redis URL it is a server every node reaches, so workers may run anywhere (see the
README: "The answer store").
"""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distill.answer_store import AnswerStoreSpec
from distill.backends import make_backend
from distill.cache import CachedCaller
from distill.cobuy import describe_product, distill_cobuy
from distill.posts import distill_post
from distill.report import DistillReport
from distill.sink import Sink, merge_stats, products_of_pairs
from distill.stages import Context, run_bounded
from kg.errors import ConfigError, DistillError
from kg.io import count_records
from kg.raycluster import ray_session
from kg.records import CoBuy, Post
from kg.relations import Relation
from kg.settings import LLMSettings, Settings
from kg.workdir import WorkDir

__all__ = ["PairWorker", "PostWorker", "ProductWorker", "RayWorkers", "run_ray"]

Batch = dict[str, list[Any]]
"""A worker's output: pickled results and reports, one row per item."""


class _Worker:
    """One actor: a backend, the shared cache and an event loop, kept across batches."""

    def __init__(self, llm: LLMSettings, store: AnswerStoreSpec,
                 relations: list[Relation]) -> None:
        self.llm = llm
        self.relations = relations
        self.loop = asyncio.new_event_loop()
        self.backend = make_backend(llm)
        self.cache = store.open()

    def items(self, batch: Any) -> list[Any]:
        """The batch's input records (``batch`` is a ``pyarrow.Table``)."""
        raise NotImplementedError

    async def one(self, ctx: Context, item: Any) -> Any:
        """One item's result."""
        raise NotImplementedError

    def __call__(self, batch: Any) -> Batch:
        """Run the stage over one batch: a pickled result per item, the batch report once."""
        report = DistillReport(engine="ray", backend=self.backend.name, model=self.backend.model)
        caller = CachedCaller(self.backend, self.cache, retry_failed=self.llm.retry_failed)
        ctx = Context(self.llm, caller, report)
        items = self.items(batch)
        try:
            results = self.loop.run_until_complete(self._all(ctx, items))
        finally:
            self.cache.flush()
        if getattr(self.backend, "vision", None) is False:
            ctx.note_text_only()
        merge_stats(report, caller.stats)
        blobs = [pickle.dumps(r) for r in results]
        return {"result": blobs, "report": [pickle.dumps(report)] + [b""] * (len(blobs) - 1)}

    async def _all(self, ctx: Context, items: list[Any]) -> list[Any]:
        results: list[Any] = [None] * len(items)
        async for i, res in run_bounded(items, lambda item: self.one(ctx, item),
                                        max(1, self.llm.concurrency)):
            results[i] = res
        return results


class PostWorker(_Worker):
    """MIKO over a batch of posts (rows of ``ingest/posts.parquet``)."""

    def items(self, batch: Any) -> list[Any]:
        """The posts of the batch."""
        return [Post.model_validate(row) for row in batch.to_pylist()]

    async def one(self, ctx: Context, item: Any) -> Any:
        """:func:`distill.posts.distill_post`."""
        return await distill_post(ctx, item, self.relations)


class ProductWorker(_Worker):
    """MIND's product descriptions over a batch of pickled products."""

    def items(self, batch: Any) -> list[Any]:
        """The products of the batch."""
        return [pickle.loads(blob) for blob in batch.column("product").to_pylist()]

    async def one(self, ctx: Context, item: Any) -> Any:
        """:func:`distill.cobuy.describe_product`."""
        return await describe_product(ctx, item)


class PairWorker(_Worker):
    """MIND's pair intentions and filter over a batch of co-buy rows.

    ``known`` is a one-element list holding the object-store reference of
    (products by id, descriptions by product id).
    """

    def __init__(self, llm: LLMSettings, store: AnswerStoreSpec, relations: list[Relation],
                 known: list[Any]) -> None:
        import ray

        super().__init__(llm, store, relations)
        self.products, self.texts = ray.get(known[0])

    def items(self, batch: Any) -> list[Any]:
        """The co-buy pairs of the batch."""
        return [CoBuy.model_validate(row) for row in batch.to_pylist()]

    async def one(self, ctx: Context, item: Any) -> Any:
        """:func:`distill.cobuy.distill_cobuy`."""
        return await distill_cobuy(ctx, item, self.products, self.texts, self.relations)


@dataclass(frozen=True)
class RayWorkers:
    """The actor classes of the three stages (tests subclass them to inject faults)."""

    post: type[_Worker] = PostWorker
    product: type[_Worker] = ProductWorker
    pair: type[_Worker] = PairWorker


def run_ray(settings: Settings, work: WorkDir, store: AnswerStoreSpec,
            post_rels: list[Relation],
            cobuy_rels: list[Relation], sink: Sink, *, workers: RayWorkers | None = None,
            ) -> None:
    """Run the stages on the Ray cluster ``settings.ray`` names, results into ``sink``.

    Raises:
        MissingExtraError: the ``ray`` extra is not installed.
        ConfigError: the cluster cannot be reached, or the settings cannot work there.
        DistillError: Ray gave up on a batch.
    """
    classes = workers or RayWorkers()
    settings = settings.model_copy(update={"llm": _for_workers(settings.llm)})
    with ray_session(settings.ray, "distill.engine 'ray'") as ray:
        stage = _Stage(ray, settings, store, sink)
        if post_rels:
            posts = work.ingest("posts")
            count = count_records(posts)
            sink.bar.stage("posts", count)
            stage.run(stage.read(posts), count, classes.post, (post_rels,), sink.post)
        if cobuy_rels:
            products = products_of_pairs(work.ingest("products"), work.ingest("cobuys"))
            sink.bar.stage("products", len(products))
            items = ray.data.from_items([{"product": pickle.dumps(p)} for p in products])
            stage.run(items, len(products), classes.product, (cobuy_rels,), sink.product)
            known = ray.put(({p.id: p for p in products}, dict(sink.texts)))
            pairs = work.ingest("cobuys")
            count = count_records(pairs)
            sink.bar.stage("cobuys", count)
            stage.run(stage.read(pairs), count, classes.pair, (cobuy_rels, [known]), sink.pair)


class _Stage:
    """Runs one stage's dataset through an actor pool and feeds the sink in order."""

    def __init__(self, ray: Any, settings: Settings, store: AnswerStoreSpec,
                 sink: Sink) -> None:
        self.ray = ray
        self.settings = settings
        self.store = store
        self.sink = sink
        self.first = True
        self.resources = settings.ray.worker_resources or None

    def read(self, path: Path) -> Any:
        """A dataset over a Parquet file, read where the workers may run."""
        return self.ray.data.read_parquet(str(path.resolve()), resources=self.resources)

    def run(self, dataset: Any, count: int, worker: type[_Worker], args: tuple[Any, ...],
            emit: Callable[[Any], None]) -> None:
        """Map ``dataset`` (``count`` items) through a pool of ``worker`` actors."""
        if not count:
            return
        rs = self.settings.ray
        batches = -(-count // rs.batch_size)
        # blocks of one batch each, streamed: every actor of the pool gets work
        mapped = dataset.repartition(target_num_rows_per_block=rs.batch_size).map_batches(
            worker, batch_size=rs.batch_size, batch_format="pyarrow",
            fn_constructor_args=(self.settings.llm, self.store, *args),
            compute=self.ray.data.ActorPoolStrategy(size=min(rs.num_workers, batches)),
            num_cpus=rs.cpus_per_worker, resources=self.resources)
        try:
            for result, part in _results(mapped):
                emit(pickle.loads(result))
                if part:
                    self._merge(pickle.loads(part))
        except self.ray.exceptions.RayError as exc:
            raise DistillError(f"the Ray engine gave up on a batch: {_first_line(exc)}; the "
                               "answers already received are in the call cache, so a re-run "
                               "pays only for the rest") from None

    def _merge(self, part: DistillReport) -> None:
        report = self.sink.report
        if self.first:  # the backend as the workers built it
            report.backend, report.model = part.backend, part.model
            self.first = False
        report.merge(part)


def _results(dataset: Any) -> Iterator[tuple[bytes, bytes]]:
    for batch in dataset.iter_batches(batch_size=None, batch_format="pyarrow"):
        yield from zip(batch.column("result").to_pylist(), batch.column("report").to_pylist(),
                       strict=True)


def _for_workers(llm: LLMSettings) -> LLMSettings:
    """``llm`` with absolute paths (workers run elsewhere), checked before any worker starts.

    Raises:
        ConfigError: the replay file is not set or not found.
    """
    if llm.backend == "replay" and llm.replay_file is None:
        raise ConfigError("llm.backend is 'replay' but llm.replay_file is not set; set "
                          "INTENTKG_LLM__REPLAY_FILE or choose another backend")
    if llm.replay_file is None:
        return llm
    if not llm.replay_file.is_file():
        raise ConfigError(f"replay file {llm.replay_file} not found; every Ray worker reads "
                          "it, so give a path on a filesystem they all see")
    return llm.model_copy(update={"replay_file": llm.replay_file.resolve()})


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
