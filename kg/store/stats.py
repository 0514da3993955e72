"""Aggregates kept at load time: per intention, per concept and per graph (pure part).

Analysts' questions ("top concepts", "relation mix", "trend of *winter*") would
read every assertion edge per call; instead, the end of every ``intentkg load``
keeps small aggregate nodes up to date (:func:`kg.store.stats_refresh.refresh_stats`):

* ``IntentionStat`` — per (intention, relation): assertions, kept, distinct
  subjects, distinct subjects with a kept assertion. One more row per intention,
  relation ``*``, holds every *cell* of the intention (``cells``, JSON): the
  per-intention layer the concept and graph aggregates are summed from, so a load
  only re-reads the assertion edges of the intentions it touched.
* ``ConceptStat`` — per (concept, *cell*): a cell is ``<relation or *>|<facet>|<value>``
  with facet ``all`` (value ``""``), ``source``, ``category`` (co-buys) or
  ``month`` (posts' ``created_at[:7]``); relation-specific cells exist for facet
  ``all`` only. Counts: assertions and kept assertions reaching an intention
  ABOUT the concept, distinct such intentions (all / with a kept assertion) and
  the ABOUT score weighted by assertions (``score_sum / scored``). The
  ``*|all|`` cell of every concept also holds ``linked`` (intentions ABOUT it),
  ``children`` (IS_A), ``about_score`` and ``scope``: the distinct intentions per
  relation over the concept and its IS_A descendants, per depth. Relation cells
  hold ``top`` / ``top_kept``: the concept's first :data:`TOP_K` intentions of the
  relation ranked as ``intentions_by_concept`` ranks them.
* ``GraphStat`` — the same cells over the whole graph, plus the filter score
  sum and count (``relation_stats``).
* ``ConceptAnswer`` — per concept and IS_A depth, the answers of
  ``intentions_by_concept`` and ``products_for_concept`` with the default filters
  (:mod:`kg.store.answers`; computed by a store's refresh, not by the exports).

Every count is a pure function of *facts* (:class:`Fact`: assertions grouped by
intention, relation, source, category and month), the ABOUT edges and the IS_A
edges, so the loader (facts read from the store) and the exports (facts from the
in-memory graph) compute the same nodes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ALL", "SCOPE_DEPTH", "TOP_K", "Fact", "IntentionCells", "cell_id", "compute_stats",
           "concept_rows", "facts_of", "graph_rows", "intention_rows", "month_of", "scope_at",
           "top_entries"]

ALL = "*"
"""The relation of a cell that counts every relation."""
TOP_K = 100
"""Intentions kept per (concept, relation) ranking; deeper pages are computed live."""
SCOPE_DEPTH = 5
"""Deepest IS_A descent whose distinct-intention counts are kept (the query bound)."""


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


@dataclass
class IntentionCells:
    """One intention's cells: ``cell -> [assertions, kept, filter_scored, filter_sum]``
    and ``relation -> [subjects, kept_subjects]``."""

    cells: dict[str, list[float]] = field(default_factory=dict)
    subjects: dict[str, list[int]] = field(default_factory=dict)

    def to_json(self) -> str:
        """The ``cells`` property of the intention's ``*`` row (deterministic text)."""
        cells = {k: [int(v[0]), int(v[1]), int(v[2]), v[3]]
                 for k, v in sorted(self.cells.items())}
        return json.dumps({"c": cells, "s": dict(sorted(self.subjects.items()))},
                          separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> IntentionCells:
        """Parse :meth:`to_json`'s text."""
        data = json.loads(text)
        return cls(cells=data["c"], subjects=data["s"])


def month_of(created_at: str | None) -> str | None:
    """``YYYY-MM`` of an ISO-8601 time (what the facts query computes in Cypher)."""
    return created_at[:7] if created_at else None


def cell_id(relation: str, facet: str = "all", value: str = "") -> str:
    """A cell's key: ``<relation or *>|<facet>|<value>``."""
    return f"{relation}|{facet}|{value}"


def _split(cell: str) -> tuple[str, str, str]:
    relation, facet, value = cell.split("|", 2)
    return relation, facet, value


def _facets(f: Fact) -> list[tuple[str, str]]:
    out = [("all", "")]
    if f.source:
        out.append(("source", f.source))
    if f.category:
        out.append(("category", f.category))
    if f.month:
        out.append(("month", f.month))
    return out


def _cells_by_intention(facts: Iterable[Fact]) -> dict[str, IntentionCells]:
    out: dict[str, IntentionCells] = defaultdict(IntentionCells)
    for f in facts:
        own = out[f.intention_id]
        keys = [cell_id(f.relation)] + [cell_id(ALL, facet, value) for facet, value in _facets(f)]
        for key in keys:
            c = own.cells.setdefault(key, [0, 0, 0, 0.0])
            c[0] += f.assertions
            c[1] += f.kept
            c[2] += f.filter_scored
            c[3] += f.filter_sum
        s = own.subjects.setdefault(f.relation, [0, 0])
        s[0] += f.subjects
        s[1] += f.kept_subjects
    for own in out.values():  # as stored, so every later sum is the same from either side
        for c in own.cells.values():
            c[3] = round(c[3], 9)
    return dict(out)


def intention_rows(facts: Iterable[Fact]) -> tuple[list[dict[str, Any]], dict[str, IntentionCells]]:
    """The ``IntentionStat`` rows of the intentions in ``facts`` and their cells.

    Each intention gets a row per relation and a ``*`` row holding its cells.
    """
    facts = list(facts)
    per_relation: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for f in facts:
        acc = per_relation[(f.intention_id, f.relation)]
        acc[0] += f.assertions
        acc[1] += f.kept
        acc[2] += f.subjects
        acc[3] += f.kept_subjects
    rows = [{"id": f"{i}|{rel}", "intention_id": i, "relation": rel, "assertions": a[0],
             "kept": a[1], "subjects": a[2], "kept_subjects": a[3], "cells": None}
            for (i, rel), a in per_relation.items()]
    cells = _cells_by_intention(facts)
    for i, own in cells.items():
        top = own.cells[cell_id(ALL)]
        rows.append({"id": f"{i}|{ALL}", "intention_id": i, "relation": ALL,
                     "assertions": int(top[0]), "kept": int(top[1]), "subjects": None,
                     "kept_subjects": None, "cells": own.to_json()})
    return rows, cells


def graph_rows(cells: Mapping[str, IntentionCells]) -> list[dict[str, Any]]:
    """The ``GraphStat`` rows: every cell summed over all intentions."""
    graph: dict[str, list[float]] = {}
    for i in sorted(cells):
        for key, c in cells[i].cells.items():
            g = graph.setdefault(key, [0, 0, 0, 0, 0, 0.0])
            g[0] += c[0]
            g[1] += c[1]
            g[2] += 1 if c[0] else 0
            g[3] += 1 if c[1] else 0
            g[4] += c[2]
            g[5] += c[3]
    return [{"id": key, "cell": key, "relation": _split(key)[0], "facet": _split(key)[1],
             "value": _split(key)[2], "assertions": int(g[0]), "kept": int(g[1]),
             "intentions": int(g[2]), "kept_intentions": int(g[3]), "filter_scored": int(g[4]),
             "filter_sum": round(g[5], 9)} for key, g in graph.items()]


def top_entries(about: Sequence[tuple[str, float | None]], cells: Mapping[str, IntentionCells],
                relation: str, kept: bool) -> list[list[Any]]:
    """``[intention id, subjects, ABOUT score]`` of a concept's intentions under
    ``relation``, ranked by subjects (kept ones when ``kept``), score, then id;
    intentions without such a subject are left out."""
    entries: list[tuple[str, int, float]] = []
    for i, score in about:
        own = cells.get(i)
        subjects = own.subjects.get(relation) if own is not None else None
        n = subjects[1 if kept else 0] if subjects else 0
        if n > 0:
            entries.append((i, int(n), 1.0 if score is None else float(score)))
    entries.sort(key=lambda e: (-e[1], -e[2], e[0]))
    return [list(e) for e in entries]


def _relation_sets(about: Sequence[tuple[str, float | None]],
                   cells: Mapping[str, IntentionCells]) -> dict[str, tuple[set[str], set[str]]]:
    out: dict[str, tuple[set[str], set[str]]] = {}
    for i, _score in about:
        own = cells.get(i)
        for rel, (n, kept) in (own.subjects.items() if own is not None else ()):
            pair = out.setdefault(rel, (set(), set()))
            if n > 0:
                pair[0].add(i)
            if kept > 0:
                pair[1].add(i)
    return out


def _scope(concept: str, children: Mapping[str, Sequence[str]],
           sets: Mapping[str, Mapping[str, tuple[set[str], set[str]]]]) -> str:
    """JSON list, one entry per depth (0..SCOPE_DEPTH, shorter when nothing is added
    deeper): ``{relation: [intentions, kept intentions]}`` within that depth."""
    seen = {concept}
    level = [concept]
    union: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    out: list[dict[str, list[int]]] = []
    for depth in range(SCOPE_DEPTH + 1):
        if depth > 0:
            level = [c for p in level for c in children.get(p, ()) if c not in seen]
            level = list(dict.fromkeys(level))
            seen.update(level)
            if not level:
                break
        for c in level:
            for rel, (every, kept) in sets.get(c, {}).items():
                u = union[rel]
                u[0].update(every)
                u[1].update(kept)
        totals = {rel: [len(u[0]), len(u[1])] for rel, u in sorted(union.items())}
        if out and totals == out[-1]:
            continue
        out.append(totals)
    return json.dumps(out, separators=(",", ":"))


def scope_at(scope: str, depth: int) -> dict[str, list[int]]:
    """Per relation ``[intentions, kept intentions]`` within ``depth`` IS_A hops, read
    from a ``scope`` property (its last entry holds for every deeper depth)."""
    levels: list[dict[str, list[int]]] = json.loads(scope)
    return levels[min(depth, len(levels) - 1)] if levels else {}


def concept_rows(
    concepts: Iterable[str],
    about: Mapping[str, Sequence[tuple[str, float | None]]],
    cells: Mapping[str, IntentionCells],
    children: Mapping[str, Sequence[str]],
    top_only: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """The ``ConceptStat`` rows of ``concepts``.

    Args:
        concepts: the concept ids whose rows are wanted.
        about: ``concept id -> [(intention id, ABOUT score)]`` for at least these
            concepts and their IS_A descendants within :data:`SCOPE_DEPTH`.
        cells: the cells of (at least) every intention in ``about``.
        children: ``concept id -> IS_A child ids`` (the whole hierarchy).
        top_only: concepts of ``concepts`` whose ``*|all|`` row alone is wanted (an
            ancestor of a changed concept: only its scope counts can change).
    """
    top_only = set(top_only)
    sets: dict[str, dict[str, tuple[set[str], set[str]]]] = {}

    def sets_of(c: str) -> dict[str, tuple[set[str], set[str]]]:
        if c not in sets:
            sets[c] = _relation_sets(about.get(c, ()), cells)
        return sets[c]

    rows: list[dict[str, Any]] = []
    top = cell_id(ALL)
    for concept_id in concepts:
        links = sorted(about.get(concept_id, ()))
        own: dict[str, list[float]] = {top: [0, 0, 0, 0, 0, 0, 0.0, 0.0]}
        scored = [s for _, s in links if s is not None]
        for intention_id, score in links:
            icells = cells.get(intention_id)
            for key, c in (icells.cells.items() if icells is not None else ()):
                if concept_id in top_only and key != top:
                    continue
                k = own.setdefault(key, [0, 0, 0, 0, 0, 0, 0.0, 0.0])
                k[0] += c[0]
                k[1] += c[1]
                k[2] += 1 if c[0] else 0
                k[3] += 1 if c[1] else 0
                if score is not None:
                    k[4] += c[0]
                    k[5] += c[1]
                    k[6] += c[0] * score
                    k[7] += c[1] * score
        for key, k in own.items():
            relation, facet, value = _split(key)
            row: dict[str, Any] = {
                "id": f"{concept_id}|{key}", "concept_id": concept_id, "cell": key,
                "relation": relation, "facet": facet, "value": value,
                "assertions": int(k[0]), "kept": int(k[1]), "intentions": int(k[2]),
                "kept_intentions": int(k[3]), "scored": int(k[4]), "kept_scored": int(k[5]),
                "score_sum": round(k[6], 9), "kept_score_sum": round(k[7], 9),
                "linked": None, "children": None, "about_score": None, "scope": None,
                "top": None, "top_kept": None}
            if key == top:
                row.update(linked=len(links), children=len(children.get(concept_id, ())),
                           about_score=round(sum(scored) / len(scored), 9) if scored else None,
                           scope=_scope(concept_id, children, {c: sets_of(c) for c in
                                                               _below(concept_id, children)}))
            elif relation != ALL and facet == "all":
                for name, kept in (("top", False), ("top_kept", True)):
                    entries = top_entries(links, cells, relation, kept)[:TOP_K]
                    row[name] = json.dumps(entries, separators=(",", ":"))
            rows.append(row)
    return rows


def _below(concept: str, children: Mapping[str, Sequence[str]]) -> set[str]:
    """``concept`` and its IS_A descendants within :data:`SCOPE_DEPTH` hops."""
    seen = {concept}
    level = [concept]
    for _ in range(SCOPE_DEPTH):
        level = [c for p in level for c in children.get(p, ()) if c not in seen]
        seen.update(level)
    return seen


def ancestors(concepts: Iterable[str], parents: Mapping[str, Sequence[str]]) -> set[str]:
    """``concepts`` and every concept at most :data:`SCOPE_DEPTH` IS_A hops above them."""
    seen = set(concepts)
    level = list(seen)
    for _ in range(SCOPE_DEPTH):
        level = [p for c in level for p in parents.get(c, ()) if p not in seen]
        seen.update(level)
    return seen


ConceptMap = Mapping[str, Sequence[tuple[str, float | None]]]
"""concept id -> ``[(intention id, ABOUT score)]``."""
AnswerRows = Callable[[ConceptMap, Mapping[str, IntentionCells], Mapping[str, Sequence[str]]],
                      list[dict[str, Any]]]
"""Makes the ``ConceptAnswer`` rows from the ABOUT links by concept, the intentions' cells
and the IS_A children (``kg.store.answers``, fed with the co-buys it needs)."""


def compute_stats(
    facts: Iterable[Fact],
    about: Iterable[tuple[str, str, float | None]],
    concepts: Iterable[str],
    is_a: Iterable[tuple[str, str]] = (),
    answer_rows: AnswerRows | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The rows of every stat node, by label (sorted by id).

    Args:
        facts: the graph's assertions, grouped (see :class:`Fact`).
        about: ``(intention id, concept id, ABOUT score)`` per ABOUT edge.
        concepts: every concept id.
        is_a: ``(child concept id, parent concept id)`` per IS_A edge.
        answer_rows: makes the kept answers; without it there are none (a store keeps
            them itself, :mod:`kg.store.answers`).
    """
    intentions, cells = intention_rows(facts)
    by_concept: dict[str, list[tuple[str, float | None]]] = defaultdict(list)
    for intention_id, concept_id, score in about:
        by_concept[concept_id].append((intention_id, score))
    children: dict[str, list[str]] = defaultdict(list)
    for child, parent in is_a:
        children[parent].append(child)
    everything = set(concepts) | set(by_concept)
    out = {"IntentionStat": intentions,
           "ConceptStat": concept_rows(sorted(everything), by_concept, cells, children),
           "ConceptAnswer": answer_rows(by_concept, cells, children) if answer_rows else [],
           "GraphStat": graph_rows(cells)}
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
