"""Load a work directory's Parquet files into a graph store.

Reads the files described in ``docs/schema.md`` with :func:`kg.io.iter_records`
and upserts everything with batched ``UNWIND $rows`` MERGE queries, so loading
the same build twice creates nothing the second time. Missing files are skipped.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from kg.io import iter_records
from kg.records import (
    CoBuy,
    Concept,
    ConceptLink,
    ImageDescription,
    Intention,
    IntentionAssertion,
    KeyInfo,
    Post,
    Product,
    Record,
)
from kg.relations import resolve
from kg.store import dialect as d
from kg.store.base import GraphStore, WriteSummary
from kg.store.cypher_files import load_cypher

__all__ = ["LoadReport", "load_graph"]

log = logging.getLogger(__name__)

R = TypeVar("R", bound=Record)
_PACKAGE = "kg.store.cypher"


@dataclass
class LoadReport:
    """What a load wrote, per step (``posts``, ``assertions:X_INTENT``, ...).

    Attributes:
        steps: a :class:`WriteSummary` per step; ``rows`` is what was sent.
        skipped_files: work-dir files that did not exist.
        unlinked_assertions: assertions without a canonical intention id; they are
            linked to the intention whose id is derived from their own text.
    """

    steps: dict[str, WriteSummary] = field(default_factory=dict)
    skipped_files: list[str] = field(default_factory=list)
    unlinked_assertions: int = 0

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


def _records(workdir: Path, rel: str, cls: type[R], report: LoadReport) -> Iterator[R]:
    path = workdir / rel
    if not path.exists():
        report.skipped_files.append(rel)
        log.info("skipping %s: not found", path)
        return
    yield from iter_records(path, cls)


def _post_row(p: Post) -> dict[str, Any]:
    return {"id": p.id, "source": p.source, "source_id": p.source_id, "text": p.text,
            "clean_text": p.clean_text, "lang": p.lang, "created_at": p.created_at,
            "author": p.author, "label": p.label, "hashtags": p.hashtags}


def _product_row(p: Product) -> dict[str, Any]:
    return {"id": p.id, "title": p.title, "category": p.category, "brand": p.brand,
            "price": p.price, "description": p.description}


def _image_rows(owner_id: str, images: Iterable[Any]) -> list[dict[str, Any]]:
    return [{"id": im.id, "uri": im.uri, "local_path": im.local_path, "status": im.status,
             "owner_id": owner_id} for im in images]


def _assertion_row(a: IntentionAssertion) -> dict[str, Any]:
    row = {p: getattr(a, p) for p in d.ASSERTION_PROPERTIES}
    row.update(id=a.id, subject_id=a.subject_id,
               intention_id=a.intention_id or Intention.make_id(a.text))
    return row


class _Loader:
    def __init__(self, store: GraphStore, batch_size: int, progress: Callable[[int], None]):
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
        self.progress(len(batch))

    def file(self, step: str, name: str, rows: Iterable[dict[str, Any]]) -> None:
        self.run(step, load_cypher(_PACKAGE, name, self.store.dialect), rows)


def load_graph(
    store: GraphStore, workdir: Path, *, batch_size: int, progress: bool = False
) -> LoadReport:
    """Upsert every record of ``workdir`` into ``store``.

    Order: schema, posts (+ key info), products (+ feature descriptions), co-buys
    with their ``OF`` edges, images with ``HAS_IMAGE`` and descriptions,
    intentions (with embeddings), concepts, assertion edges per relation type,
    ``ABOUT``, ``IS_A`` and ``INSTANCE_OF`` links.

    Args:
        store: an open graph store.
        workdir: the work directory (``ingest/``, ``distill/``, ``graph/``).
        batch_size: rows per ``UNWIND`` query.
        progress: show a progress bar of rows sent (stderr).

    Returns:
        Counts per step; a second load of the same build creates 0 nodes and edges.
    """
    bar: Any = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(unit=" rows", desc="load", leave=False)
    loader = _Loader(store, batch_size, bar.update if bar is not None else (lambda n: None))
    rep = loader.report
    try:
        first = next(_records(workdir, "graph/intentions.parquet", Intention, LoadReport()), None)
        dim = len(first.embedding) if first is not None and first.embedding else None
        store.ensure_schema(dim)

        images: list[dict[str, Any]] = []

        def posts() -> Iterator[dict[str, Any]]:
            for p in _records(workdir, "ingest/posts.parquet", Post, rep):
                images.extend(_image_rows(p.id, p.images))
                yield _post_row(p)

        loader.file("posts", "posts", posts())
        loader.file("posts:key_info", "post_key_info", (
            {"subject_id": k.subject_id, "concept": k.concept, "action": k.action,
             "object": k.object, "emotion": k.emotion, "keywords": k.keywords}
            for k in _records(workdir, "distill/key_info.parquet", KeyInfo, rep) if k.subject_id))

        def products() -> Iterator[dict[str, Any]]:
            for p in _records(workdir, "ingest/products.parquet", Product, rep):
                images.extend(_image_rows(p.id, p.images))
                yield _product_row(p)

        loader.file("products", "products", products())
        loader.file("cobuys", "cobuys", (
            c.model_dump(include={"id", "product_a", "product_b", "source", "category"})
            for c in _records(workdir, "ingest/cobuys.parquet", CoBuy, rep)))
        loader.file("images", "images", images)
        descriptions = list(_records(workdir, "distill/image_descriptions.parquet",
                                     ImageDescription, rep))
        loader.file("images:descriptions", "image_descriptions", (
            {"image_id": x.image_id, "description": x.description, "model": x.model,
             "prompt_version": x.prompt_version} for x in descriptions if x.image_id))
        loader.file("products:features", "product_features", (
            {"subject_id": x.subject_id, "description": x.description, "model": x.model,
             "prompt_version": x.prompt_version} for x in descriptions))
        loader.file("intentions", "intentions", (
            # abstract=None keeps what INSTANCE_OF links marked (also on hand-made files).
            {"id": i.id, "text": i.text, "aliases": i.aliases, "support": i.support,
             "abstract": True if i.abstract else None, "embedding": i.embedding}
            for i in _records(workdir, "graph/intentions.parquet", Intention, rep)))
        loader.file("concepts", "concepts", (
            c.model_dump(include={"id", "name", "source", "synset", "gloss"})
            for c in _records(workdir, "graph/concepts.parquet", Concept, rep)))
        _load_assertions(loader, workdir)
        links: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for link in _records(workdir, "graph/concept_links.parquet", ConceptLink, rep):
            links[link.kind].append({"source_id": link.source_id, "target_id": link.target_id,
                                     "score": link.score})
        for kind in ("about", "is_a", "instance_of"):
            loader.file(kind.upper(), kind, links.get(kind, []))
    finally:
        if bar is not None:
            bar.close()
    log.info("loaded %d rows: %d nodes and %d relationships created", rep.rows,
             rep.nodes_created, rep.relationships_created)
    return rep


def _load_assertions(loader: _Loader, workdir: Path) -> None:
    """Assertion edges, grouped by (subject kind, relationship type) into batches."""
    rep = loader.report
    pending: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    queries: dict[tuple[str, str], tuple[str, str]] = {}
    for a in _records(workdir, "graph/assertions.parquet", IntentionAssertion, rep):
        key = (a.subject_kind, a.relation)
        if key not in queries:
            step = f"assertions:{resolve(a.relation, a.subject_kind).graph_type}"
            queries[key] = (step, d.assertion_edge_query(a.relation, a.subject_kind))
        if a.intention_id is None:
            rep.unlinked_assertions += 1
        rows = pending[key]
        rows.append(_assertion_row(a))
        if len(rows) >= loader.batch_size:
            loader._flush(*queries[key], rows)
            pending[key] = []
    for pair, left in pending.items():
        if left:
            loader._flush(*queries[pair], left)
