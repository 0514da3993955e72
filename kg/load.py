"""Load a work directory's Parquet files into a graph store.

Reads the files described in ``docs/schema.md`` with :func:`kg.io.iter_records`
and upserts everything with batched ``UNWIND $rows`` MERGE queries, so loading
the same build twice creates nothing the second time. Missing files are skipped.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import Field

from kg.graph_rows import assertion_rows, embedding_dim, step_rows
from kg.locks import DirLock
from kg.reports import NoProgress, Progress, StageReport
from kg.store import dialect as d
from kg.store.base import GraphStore, WriteSummary
from kg.store.cypher_files import load_cypher
from kg.store.stats_refresh import refresh_stats
from kg.workdir import Stage, WorkDir

__all__ = ["LoadReport", "load_graph"]

log = logging.getLogger(__name__)

_PACKAGE = "kg.store.cypher"


class LoadReport(StageReport):
    """What a load wrote, per step (``posts``, ``assertions:X_INTENT``, ...).

    Written to ``<workdir>/load/report.json``.

    Attributes:
        steps: a :class:`WriteSummary` per step; ``rows`` is what was sent.
        skipped_files: work-dir files that did not exist.
        unlinked_assertions: assertions without a canonical intention id; they are
            linked to the intention whose id is derived from their own text.
        judged_assertions: assertions with human judgments in ``eval/judgments.parquet``;
            their edges get ``accepted`` (the others ``accepted = null``).
    """

    stage: Stage = "load"
    steps: dict[str, WriteSummary] = Field(default_factory=dict)
    skipped_files: list[str] = Field(default_factory=list)
    unlinked_assertions: int = 0
    judged_assertions: int = 0

    @property
    def rows(self) -> int:
        """Rows sent over all steps."""
        return sum(s.rows for s in self.steps.values())

    @property
    def nodes_created(self) -> int:
        """Nodes created over all steps (0 when reloading the same build)."""
        return sum(s.nodes_created for s in self.steps.values())

    @property
    def relationships_created(self) -> int:
        """Relationships created over all steps (0 when reloading the same build)."""
        return sum(s.relationships_created for s in self.steps.values())

    def _add(self, step: str, summary: WriteSummary) -> None:
        self.steps.setdefault(step, WriteSummary()).add(summary)


class _Loader:
    def __init__(self, store: GraphStore, batch_size: int, progress: Progress):
        self.store = store
        self.batch_size = batch_size
        self.progress = progress
        self.report = LoadReport()

    def run(self, step: str, query: str, rows: Iterable[dict[str, Any]]) -> None:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= self.batch_size:
                self._flush(step, query, batch)
                batch = []
        if batch:
            self._flush(step, query, batch)

    def _flush(self, step: str, query: str, batch: list[dict[str, Any]]) -> None:
        self.report._add(step, self.store.write_rows(query, batch, self.batch_size))
        self.progress.advance(len(batch))

    def file(self, step: str, name: str, rows: Iterable[dict[str, Any]]) -> None:
        self.run(step, load_cypher(_PACKAGE, name, self.store.dialect), rows)


def load_graph(
    store: GraphStore, workdir: Path, *, batch_size: int, progress: Progress | None = None
) -> LoadReport:
    """Upsert every record of ``workdir`` into ``store``.

    Order: schema, posts (+ key info), products (+ feature descriptions), co-buys
    with their ``OF`` edges, images with ``HAS_IMAGE`` and descriptions,
    intentions (with embeddings), concepts, assertion edges per relation type,
    ``ABOUT``, ``IS_A`` and ``INSTANCE_OF`` links; then the aggregates
    (:func:`kg.store.stats_refresh.refresh_stats`: recomputed for what the load changed,
    only changes written).

    Args:
        store: an open graph store.
        workdir: the work directory (``ingest/``, ``distill/``, ``graph/``).
        batch_size: rows per ``UNWIND`` query.
        progress: told the rows sent (the CLI draws a bar); ``None`` shows nothing.

    Returns:
        Counts per step, also written to ``<workdir>/load/report.json``; a second
        load of the same build creates 0 nodes and edges.

    Raises:
        LockedError: another load runs on ``workdir`` (the message names its pid).
    """
    with DirLock(WorkDir(workdir).stage("load"), "load"):
        report = _load(store, workdir, batch_size=batch_size, progress=progress)
        # Done: make the store quick to reopen (the embedded store snapshots itself).
        store.checkpoint()
    return report


def _load(store: GraphStore, workdir: Path, *, batch_size: int,
          progress: Progress | None) -> LoadReport:
    bar = progress if progress is not None else NoProgress()
    bar.stage("load")
    loader = _Loader(store, batch_size, bar)
    rep = loader.report
    started = rep.start_clock()
    try:
        store.ensure_schema(embedding_dim(workdir))
        for write, rows in step_rows(workdir, rep):
            if write.step == "ABOUT":  # assertion edges go between concepts and their links
                _load_assertions(loader, workdir)
            loader.file(write.step, write.cypher, rows)
        for step, summary in refresh_stats(store, batch_size).items():
            rep._add(step, summary)
    finally:
        bar.close()
    rep.stop_clock(started)
    rep.write(workdir)
    log.info("loaded %d rows: %d nodes and %d relationships created", rep.rows,
             rep.nodes_created, rep.relationships_created)
    return rep


def _load_assertions(loader: _Loader, workdir: Path) -> None:
    """Assertion edges, grouped by (subject kind, relationship type) into batches."""
    pending: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    queries: dict[tuple[str, str], tuple[str, str]] = {}
    for relation, kind, graph_type, row in assertion_rows(workdir, loader.report):
        key = (kind, relation)
        if key not in queries:
            queries[key] = (f"assertions:{graph_type}", d.assertion_edge_query(relation, kind))
        rows = pending[key]
        rows.append(row)
        if len(rows) >= loader.batch_size:
            loader._flush(*queries[key], rows)
            pending[key] = []
    for pair, left in pending.items():
        if left:
            loader._flush(*queries[pair], left)
