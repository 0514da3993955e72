"""Work-dir records → graph rows, one stream per write of :data:`kg.schema.WRITES`.

The loader sends these rows to the stores and the exports apply them in memory,
so both build the same graph. Row keys are those the writes in :mod:`kg.schema`
name; which record field feeds which row key is written here and nowhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from kg.evaluation.judgments import read_judgments, verdicts
from kg.evaluation.layout import EvalPaths
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
from kg.schema import ASSERTION_PROPERTIES, JUDGED_PROPERTIES, WRITES, Write
from kg.workdir import WorkDir

__all__ = ["RowsReport", "RowsTally", "assertion_rows", "embedding_dim", "step_rows",
           "subject_label"]

log = logging.getLogger(__name__)
R = TypeVar("R", bound=Record)
_SUBJECT_LABELS = {"post": "Post", "cobuy": "CoBuy"}


class RowsTally(Protocol):
    """What reading the work dir counts (:class:`RowsReport`, :class:`kg.load.LoadReport`)."""

    skipped_files: list[str]
    unlinked_assertions: int
    judged_assertions: int


@dataclass
class RowsReport:
    """What reading the work dir found.

    Attributes:
        skipped_files: work-dir files that did not exist.
        unlinked_assertions: assertions without a canonical intention id; they are
            linked to the intention whose id is derived from their own text.
        judged_assertions: assertions with human judgments (``accepted`` not null).
    """

    skipped_files: list[str] = field(default_factory=list)
    unlinked_assertions: int = 0
    judged_assertions: int = 0


def _records(path: Path, cls: type[R], report: RowsTally | None) -> Iterator[R]:
    if not path.exists():
        if report is not None:
            report.skipped_files.append(f"{path.parent.name}/{path.name}")
        log.info("skipping %s: not found", path)
        return
    yield from iter_records(path, cls)


def embedding_dim(workdir: Path) -> int | None:
    """Dimensions of the intentions' embeddings (``None`` without intentions or vectors)."""
    first = next(_records(WorkDir(workdir).graph("intentions"), Intention, None), None)
    return len(first.embedding) if first is not None and first.embedding else None


def _image_rows(owner_id: str, images: Iterable[Any]) -> list[dict[str, Any]]:
    return [{"id": im.id, "uri": im.uri, "local_path": im.local_path, "status": im.status,
             "owner_id": owner_id} for im in images]


Rows = Iterable[dict[str, Any]]


def step_rows(workdir: Path, report: RowsTally) -> Iterator[tuple[Write, Rows]]:
    """Each write of :data:`kg.schema.WRITES` with its rows, in load order.

    Consume each step's rows before asking for the next step (images are
    gathered while posts and products stream by).
    """
    wd = WorkDir(workdir)
    images: list[dict[str, Any]] = []
    writes = {w.step: w for w in WRITES}

    def posts() -> Iterator[dict[str, Any]]:
        for p in _records(wd.ingest("posts"), Post, report):
            images.extend(_image_rows(p.id, p.images))
            yield {"id": p.id, "source": p.source, "source_id": p.source_id, "text": p.text,
                   "clean_text": p.clean_text, "lang": p.lang, "created_at": p.created_at,
                   "author": p.author, "label": p.label, "hashtags": p.hashtags}

    def products() -> Iterator[dict[str, Any]]:
        for p in _records(wd.ingest("products"), Product, report):
            images.extend(_image_rows(p.id, p.images))
            yield {"id": p.id, "title": p.title, "category": p.category, "brand": p.brand,
                   "price": p.price, "description": p.description}

    features: list[dict[str, Any]] = []

    def descriptions() -> Iterator[dict[str, Any]]:
        # One read: image descriptions stream by, product features are kept for their step.
        for x in _records(wd.distill("image_descriptions"), ImageDescription, report):
            if x.subject_id:
                features.append({"subject_id": x.subject_id, "description": x.description,
                                 "model": x.model, "prompt_version": x.prompt_version})
            if x.image_id:
                yield {"image_id": x.image_id, "description": x.description, "model": x.model,
                       "prompt_version": x.prompt_version}

    by_kind: dict[str, list[dict[str, Any]]] | None = None

    def links(kind: str) -> Iterator[dict[str, Any]]:
        nonlocal by_kind
        if by_kind is None:  # one read for the three link kinds
            by_kind = {"about": [], "is_a": [], "instance_of": []}
            for link in _records(wd.graph("concept_links"), ConceptLink, report):
                by_kind[link.kind].append({"source_id": link.source_id,
                                           "target_id": link.target_id, "score": link.score})
        yield from by_kind.pop(kind)

    yield writes["posts"], posts()
    yield writes["posts:key_info"], (
        {"subject_id": k.subject_id, "concept": k.concept, "action": k.action,
         "object": k.object, "emotion": k.emotion, "keywords": k.keywords}
        for k in _records(wd.distill("key_info"), KeyInfo, report) if k.subject_id)
    yield writes["products"], products()
    yield writes["cobuys"], (
        c.model_dump(include={"id", "product_a", "product_b", "source", "category"})
        for c in _records(wd.ingest("cobuys"), CoBuy, report))
    yield writes["images"], images
    yield writes["images:descriptions"], descriptions()
    yield writes["products:features"], features
    yield writes["intentions"], (
        # abstract=None keeps what INSTANCE_OF links marked (also on hand-made files).
        {"id": i.id, "text": i.text, "aliases": i.aliases, "support": i.support,
         "abstract": True if i.abstract else None, "embedding": i.embedding}
        for i in _records(wd.graph("intentions"), Intention, report))
    yield writes["concepts"], (
        c.model_dump(include={"id", "name", "source", "synset", "gloss"})
        for c in _records(wd.graph("concepts"), Concept, report))
    for kind in ("ABOUT", "IS_A", "INSTANCE_OF"):
        yield writes[kind], links(kind.lower())


def assertion_rows(workdir: Path,
                   report: RowsTally) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """``(relation, subject kind, graph type, row)`` per assertion, in file order.

    Loaded after ``concepts`` and before ``ABOUT``; the edge each row makes is
    :func:`kg.schema.assertion_write` of its graph type and subject label. The
    :data:`kg.schema.JUDGED_PROPERTIES` come from ``eval/judgments.parquet``, matched by
    assertion id (``accepted``: :func:`kg.evaluation.judgments.verdicts`; ``None``
    for an unjudged assertion, or when there are no judgments).
    """
    judged = verdicts(read_judgments(EvalPaths(workdir).judgments))
    for a in _records(WorkDir(workdir).graph("assertions"), IntentionAssertion, report):
        if a.intention_id is None:
            report.unlinked_assertions += 1
        row = {p: getattr(a, p) for p in ASSERTION_PROPERTIES if p not in JUDGED_PROPERTIES}
        row.update(id=a.id, subject_id=a.subject_id, accepted=judged.get(a.id),
                   intention_id=a.intention_id or Intention.make_id(a.text))
        if a.id in judged:
            report.judged_assertions += 1
        graph_type = resolve(a.relation, a.subject_kind).graph_type
        yield a.relation, a.subject_kind, graph_type, row


def subject_label(subject_kind: str) -> str:
    """The node label of an assertion's subject kind (``post`` → ``Post``)."""
    return _SUBJECT_LABELS[subject_kind]
