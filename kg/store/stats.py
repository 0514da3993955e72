"""Aggregates kept at load time: per intention, per concept and per graph.

Analysts' questions ("top concepts", "relation mix", "trend of *winter*") would
read every assertion edge per call; instead, the end of every ``intentkg load``
recomputes small aggregate nodes from the graph itself (:func:`refresh_stats`):

* ``IntentionStat`` — per (intention, relation): assertions, kept, distinct
  subjects, distinct subjects with a kept assertion.
* ``ConceptStat`` — per (concept, *cell*): a cell is ``<relation or *>|<facet>|<value>``
  with facet ``all`` (value ``""``), ``source``, ``category`` (co-buys) or
  ``month`` (posts' ``created_at[:7]``); relation-specific cells exist for facet
  ``all`` only. Counts: assertions and kept assertions reaching an intention
  ABOUT the concept, distinct such intentions (all / with a kept assertion) and
  the ABOUT score weighted by assertions (``score_sum / scored``). The
  ``*|all|`` cell of every concept also holds ``linked`` (intentions ABOUT it),
  ``children`` (IS_A) and ``about_score``.
* ``GraphStat`` — the same cells over the whole graph, plus the filter score
  sum and count (``relation_stats``).

The counts are pure functions of *facts* (:class:`Fact`: assertions grouped by
intention, relation, source, category and month), the ABOUT edges and IS_A
child counts, so the loader (facts read from the store) and the exports (facts
from the in-memory graph) compute the same nodes. Stat nodes have deterministic
ids and only changed ones are written (stale ones deleted), so a reload of the
same rows changes nothing and a load of new rows adds to the counts.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kg.schema import STAT_WRITES
from kg.store import dialect as d
from kg.store.base import GraphStore, WriteSummary
from kg.store.cypher_files import load_cypher

__all__ = ["ALL", "STAT_LABELS", "Fact", "cell_id", "compute_stats", "facts_of", "month_of",
           "refresh_stats"]

log = logging.getLogger(__name__)

ALL = "*"
"""The relation of a cell that counts every relation."""
STAT_LABELS: tuple[str, ...] = tuple(w.effects[0].label for w in STAT_WRITES)  # type: ignore[union-attr]
_PACKAGE = "kg.store.cypher"
_READS = "kg.store.cypher.stats"


@dataclass(frozen=True)
class Fact:
    """Assertions of one intention under one relation from subjects sharing a facet.

    Attributes:
        assertions: assertion edges; ``kept``: of which the filter kept.
        subjects: distinct posts/co-buys; ``kept_subjects``: with a kept assertion.
        filter_scored: edges with a filter score; ``filter_sum``: their scores' sum.
    """

    intention_id: str
    relation: str
    source: str | None
    category: str | None
    month: str | None
    assertions: int
    kept: int
    subjects: int
    kept_subjects: int
    filter_scored: int
    filter_sum: float


def month_of(created_at: str | None) -> str | None:
    """``YYYY-MM`` of an ISO-8601 time (what the facts query computes in Cypher)."""
    return created_at[:7] if created_at else None


def cell_id(relation: str, facet: str = "all", value: str = "") -> str:
    """A cell's key: ``<relation or *>|<facet>|<value>``."""
    return f"{relation}|{facet}|{value}"


def _facets(f: Fact) -> list[tuple[str, str]]:
    out = [("all", "")]
    if f.source:
        out.append(("source", f.source))
    if f.category:
        out.append(("category", f.category))
    if f.month:
        out.append(("month", f.month))
    return out


_Counts = list[float]  # assertions, kept, filter_scored, filter_sum


def _intention_cells(facts: Iterable[Fact]) -> dict[str, dict[tuple[str, str, str], _Counts]]:
    cells: dict[str, dict[tuple[str, str, str], _Counts]] = defaultdict(dict)
    for f in facts:
        own = cells[f.intention_id]
        keys = [(f.relation, "all", "")] + [(ALL, facet, value) for facet, value in _facets(f)]
        for key in keys:
            c = own.setdefault(key, [0, 0, 0, 0.0])
            c[0] += f.assertions
            c[1] += f.kept
            c[2] += f.filter_scored
            c[3] += f.filter_sum
    return cells


def compute_stats(
    facts: Iterable[Fact],
    about: Iterable[tuple[str, str, float | None]],
    concepts: Mapping[str, int],
) -> dict[str, list[dict[str, Any]]]:
    """The rows of every stat node, by label (sorted by id).

    Args:
        facts: the graph's assertions, grouped (see :class:`Fact`).
        about: ``(intention id, concept id, ABOUT score)`` per ABOUT edge.
        concepts: every concept id with its number of IS_A children.
    """
    facts = list(facts)
    per_intention: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for f in facts:
        acc = per_intention[(f.intention_id, f.relation)]
        acc[0] += f.assertions
        acc[1] += f.kept
        acc[2] += f.subjects
        acc[3] += f.kept_subjects
    intention_rows = [
        {"id": f"{i}|{rel}", "intention_id": i, "relation": rel, "assertions": a[0],
         "kept": a[1], "subjects": a[2], "kept_subjects": a[3]}
        for (i, rel), a in per_intention.items()]
    cells = _intention_cells(facts)

    graph: dict[tuple[str, str, str], list[float]] = {}
    for own in cells.values():
        for key, c in own.items():
            g = graph.setdefault(key, [0, 0, 0, 0, 0, 0.0])
            g[0] += c[0]
            g[1] += c[1]
            g[2] += 1 if c[0] else 0
            g[3] += 1 if c[1] else 0
            g[4] += c[2]
            g[5] += c[3]
    graph_rows = [
        {"id": cell_id(*key), "cell": cell_id(*key), "relation": key[0], "facet": key[1],
         "value": key[2], "assertions": int(g[0]), "kept": int(g[1]), "intentions": int(g[2]),
         "kept_intentions": int(g[3]), "filter_scored": int(g[4]),
         "filter_sum": round(g[5], 9)}
        for key, g in graph.items()]

    concept: dict[str, dict[tuple[str, str, str], list[float]]] = defaultdict(dict)
    linked: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for intention_id, concept_id, score in about:
        link = linked[concept_id]
        link[0] += 1
        if score is not None:
            link[1] += 1
            link[2] += score
        for key, c in cells.get(intention_id, {}).items():
            k = concept[concept_id].setdefault(key, [0, 0, 0, 0, 0, 0, 0.0, 0.0])
            k[0] += c[0]
            k[1] += c[1]
            k[2] += 1 if c[0] else 0
            k[3] += 1 if c[1] else 0
            if score is not None:
                k[4] += c[0]
                k[5] += c[1]
                k[6] += c[0] * score
                k[7] += c[1] * score
    concept_rows = []
    top = (ALL, "all", "")
    for concept_id in set(concepts) | set(concept):
        own = concept[concept_id]
        own.setdefault(top, [0, 0, 0, 0, 0, 0, 0.0, 0.0])
        for key, k in own.items():
            row: dict[str, Any] = {
                "id": f"{concept_id}|{cell_id(*key)}", "concept_id": concept_id,
                "cell": cell_id(*key), "relation": key[0], "facet": key[1], "value": key[2],
                "assertions": int(k[0]), "kept": int(k[1]), "intentions": int(k[2]),
                "kept_intentions": int(k[3]), "scored": int(k[4]), "kept_scored": int(k[5]),
                "score_sum": round(k[6], 9), "kept_score_sum": round(k[7], 9),
                "linked": None, "children": None, "about_score": None}
            if key == top:
                link = linked[concept_id]
                row.update(linked=int(link[0]), children=int(concepts.get(concept_id, 0)),
                           about_score=round(link[2] / link[1], 9) if link[1] else None)
            concept_rows.append(row)
    out = {"IntentionStat": intention_rows, "ConceptStat": concept_rows, "GraphStat": graph_rows}
    return {label: sorted(rows, key=lambda r: r["id"]) for label, rows in out.items()}


def facts_of(assertions: Iterable[tuple[str, Mapping[str, Any], str, Mapping[str, Any]]]
             ) -> list[Fact]:
    """Group ``(subject id, subject properties, intention id, edge properties)`` per
    assertion edge into facts, as ``stats/facts.cypher`` does in the store."""
    per_subject: dict[tuple[Any, ...], list[float]] = defaultdict(lambda: [0, 0, 0, 0.0])
    for subject_id, subject, intention_id, edge in assertions:
        if edge.get("relation") is None:
            continue
        key = (intention_id, edge["relation"], subject.get("source"), subject.get("category"),
               month_of(subject.get("created_at")), subject_id)
        acc = per_subject[key]
        acc[0] += 1
        acc[1] += 1 if edge.get("keep") in (None, True) else 0
        if edge.get("filter_score") is not None:
            acc[2] += 1
            acc[3] += float(edge["filter_score"])
    grouped: dict[tuple[Any, ...], list[float]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0.0])
    for key, acc in per_subject.items():
        g = grouped[key[:5]]
        g[0] += acc[0]
        g[1] += acc[1]
        g[2] += 1
        g[3] += 1 if acc[1] else 0
        g[4] += acc[2]
        g[5] += acc[3]
    return [Fact(intention_id=key[0], relation=key[1], source=key[2], category=key[3],
                 month=key[4], assertions=int(g[0]), kept=int(g[1]), subjects=int(g[2]),
                 kept_subjects=int(g[3]), filter_scored=int(g[4]), filter_sum=g[5])
            for key, g in grouped.items()]


def _same(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> bool:
    if old is None:
        return False
    clean = {k: v for k, v in new.items() if v is not None}
    return dict(old) == clean


def refresh_stats(store: GraphStore, batch_size: int = 5000) -> dict[str, WriteSummary]:
    """Recompute every stat node from the graph in ``store``; write only what changed.

    Returns:
        A :class:`WriteSummary` per stat step (``stats:ConceptStat``, ...); ``rows``
        counts the nodes written or deleted (0 when the graph did not change).
    """
    def reads(name: str) -> Sequence[dict[str, Any]]:
        return store.read(load_cypher(_READS, name, store.dialect), {})

    facts = [Fact(**row) for row in reads("facts")]
    about = [(r["intention_id"], r["concept_id"], r["score"]) for r in reads("about")]
    concepts = {r["id"]: int(r["children"]) for r in reads("concepts_children")}
    wanted = compute_stats(facts, about, concepts)
    summaries: dict[str, WriteSummary] = {}
    for write in STAT_WRITES:
        label = write.effects[0].label  # type: ignore[union-attr]
        existing = {p["id"]: p for p in (row["p"] for row in
                                         store.read(d.label_properties_query(label), {}))}
        rows = [r for r in wanted[label] if not _same(existing.get(r["id"]), r)]
        stale = [{"id": i} for i in existing.keys() - {r["id"] for r in wanted[label]}]
        summary = WriteSummary()
        if rows:
            summary.add(store.write_rows(load_cypher(_PACKAGE, write.cypher, store.dialect),
                                         rows, batch_size))
        if stale:
            summary.add(store.write_rows(d.label_delete_query(label), stale, batch_size))
        summaries[write.step] = summary
        log.info("%s: %d written, %d deleted, %d unchanged", label, len(rows), len(stale),
                 len(wanted[label]) - len(rows))
    return summaries

