"""Keep the aggregate nodes of :mod:`kg.store.stats` up to date after a load.

The loader's writes mark what they change: creating (or changing the keep flag or
filter score of) an assertion edge sets ``stats_dirty`` on its subject (post or
co-buy; an Intention is never written for this: FalkorDB would re-index its vector and
leave a tombstone in the HNSW graph); creating
(or re-scoring) an ABOUT edge, or creating an IS_A edge, sets it on the concepts.
:func:`refresh_stats` then

1. re-reads the assertion edges of the marked subjects' intentions only and rewrites their
   ``IntentionStat`` rows (the ``*`` row holds all of the intention's cells);
2. recomputes the ``ConceptStat`` rows of the concepts those intentions are ABOUT,
   of the marked concepts and of their IS_A ancestors (within
   :data:`~kg.store.stats.SCOPE_DEPTH`), from the stored per-intention cells;
3. recomputes the ``ConceptAnswer`` nodes (:mod:`kg.store.answers`: the answers kept
   per (concept, depth)) of those concepts, each at the depths that reach a change,
   in memory from the same links and cells plus one read of the kept co-buy
   assertions of the intentions in their scopes;
4. recomputes the ``GraphStat`` rows from the per-intention cells;
5. clears the marks (last, so a refresh cut short is simply redone).

Only rows whose values changed are written. A re-load of the same rows marks
nothing, so it reads two label scans and writes nothing; a load of new rows adds
to the counts. A subject's own facets (a post's time, a co-buy's category) are
not tracked: after changing those, refresh with ``full=True``.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from kg.schema import STAT_WRITES
from kg.store import dialect as d
from kg.store.answers import (
    AnswerInputs,
    answer_id,
    answer_rows,
    answers,
    distances_above,
    named_ids,
    scope_intentions,
)
from kg.store.base import GraphStore, WriteSummary
from kg.store.cypher_files import load_cypher
from kg.store.stats import (
    ALL,
    SCOPE_DEPTH,
    Fact,
    IntentionCells,
    ancestors,
    cell_id,
    concept_rows,
    graph_rows,
    intention_rows,
)

__all__ = ["FULL_FRACTION", "refresh_stats"]

log = logging.getLogger(__name__)

_PACKAGE = "kg.store.cypher"
_READS = "kg.store.cypher.stats"
_CHUNK = 2000
FULL_FRACTION = 0.3
"""Past this share of marked intentions one scan of every assertion edge is cheaper."""
_STEPS = {w.effects[0].label: w for w in STAT_WRITES}  # type: ignore[union-attr]


def _chunks(items: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield list(items[start:start + _CHUNK])


class _Refresh:
    def __init__(self, store: GraphStore, batch_size: int) -> None:
        self.store = store
        self.batch_size = batch_size
        self.summaries = {w.step: WriteSummary() for w in STAT_WRITES}

    def read(self, name: str, params: Mapping[str, Any] | None = None
             ) -> Sequence[dict[str, Any]]:
        return self.store.read(load_cypher(_READS, name, self.store.dialect), params or {})

    def read_in(self, name: str, ids: Iterable[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for chunk in _chunks(sorted(ids)):
            out.extend(self.read(name, {"ids": chunk}))
        return out

    def sync(self, label: str, wanted: list[dict[str, Any]],
             existing: Iterable[Mapping[str, Any]]) -> None:
        """Write the rows of ``wanted`` that differ from ``existing``; delete the rest."""
        old = {p["id"]: p for p in existing}
        rows = [r for r in wanted if not _same(old.get(r["id"]), r)]
        stale = [{"id": i} for i in old.keys() - {r["id"] for r in wanted}]
        write = _STEPS[label]
        summary = self.summaries[write.step]
        if rows:
            summary.add(self.store.write_rows(
                load_cypher(_PACKAGE, write.cypher, self.store.dialect), rows, self.batch_size))
        if stale:
            summary.add(self.store.write_rows(d.label_delete_query(label), stale,
                                              self.batch_size))
        log.info("%s: %d written, %d deleted, %d unchanged", label, len(rows), len(stale),
                 len(wanted) - len(rows))

    def clear(self, name: str, ids: Sequence[str]) -> None:
        if ids:
            self.store.write_rows(load_cypher(_READS, name, self.store.dialect),
                                  [{"id": i} for i in ids], self.batch_size)


def _same(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> bool:
    if old is None:
        return False
    clean = {k: v for k, v in new.items() if v is not None}
    return dict(old) == clean


def refresh_stats(store: GraphStore, batch_size: int = 5000, *, full: bool = False
                  ) -> dict[str, WriteSummary]:
    """Bring the aggregate nodes of ``store`` up to date with its graph.

    Args:
        store: the graph store.
        batch_size: rows per write.
        full: recompute everything from every assertion edge (also done when the
            store holds aggregates of an older layout, or most intentions changed);
            every kept answer is recomputed too (also done when none is kept).

    Returns:
        A :class:`WriteSummary` per stat step (``stats:ConceptStat``, ...); ``rows``
        counts the nodes written or deleted (0 when the graph did not change).
    """
    job = _Refresh(store, batch_size)
    star = {r["id"]: r["cells"] for r in job.read("intention_cells")}
    subjects: dict[str, list[str]] = {"post": [], "cobuy": []}
    for row in job.read("dirty_subjects"):
        subjects[row["kind"]].append(row["id"])
    dirty = _intentions_of(job, subjects)
    dirty_concepts = [r["id"] for r in job.read("dirty_concepts")]
    if not star and store.read(d.label_properties_query("IntentionStat") + " LIMIT 1", {}):
        full = True  # aggregates written before the per-intention cells existed
    answers_missing = bool(job.read("any_concept")) and not job.read("any_answer")
    if not (full or dirty or dirty_concepts or answers_missing):
        return job.summaries
    full = full or len(dirty) > FULL_FRACTION * max(len(star), 1)
    cells, targets = _refresh_intentions(job, star, None if full else set(dirty))
    _refresh_concepts(job, cells, None if full else targets, dirty_concepts,
                      all_answers=full or answers_missing)
    job.sync("GraphStat", graph_rows(cells), (r["p"] for r in store.read(
        d.label_properties_query("GraphStat"), {})))
    job.clear("clear_posts", subjects["post"])
    job.clear("clear_cobuys", subjects["cobuy"])
    job.clear("clear_concepts", dirty_concepts)
    return job.summaries


def _intentions_of(job: _Refresh, subjects: Mapping[str, Sequence[str]]) -> list[str]:
    """The intentions asserted by the marked subjects (every one of their assertions)."""
    found: set[str] = set()
    posts, cobuys = list(subjects["post"]), list(subjects["cobuy"])
    for start in range(0, max(len(posts), len(cobuys)), _CHUNK):
        found.update(r["id"] for r in job.read("subject_intentions", {
            "posts": posts[start:start + _CHUNK], "cobuys": cobuys[start:start + _CHUNK]}))
    return sorted(found)


def _refresh_intentions(job: _Refresh, star: Mapping[str, str], targets: set[str] | None
                        ) -> tuple[dict[str, IntentionCells], set[str]]:
    """Rewrite the IntentionStat rows of ``targets`` (``None``: every intention).

    Returns:
        Every intention's cells, and the intentions recomputed.
    """
    if targets is None:
        facts = [Fact(**row) for row in job.read("facts")]
        existing = [r["p"] for r in job.store.read(
            d.label_properties_query("IntentionStat"), {})]
    else:
        facts = [Fact(**row) for chunk in _chunks(sorted(targets))
                 for row in job.read("facts_of", {"ids": chunk})]
        existing = [r["p"] for r in job.read_in("intention_stats_of", targets)]
    rows, fresh = intention_rows(facts)
    job.sync("IntentionStat", rows, existing)
    if targets is None:
        return fresh, set(fresh) | {p["intention_id"] for p in existing}
    cells = {i: IntentionCells.from_json(text) for i, text in star.items()
             if i not in targets and text}
    cells.update(fresh)
    return cells, targets


def _refresh_concepts(job: _Refresh, cells: Mapping[str, IntentionCells],
                      targets: set[str] | None, dirty_concepts: Sequence[str], *,
                      all_answers: bool) -> None:
    """Rewrite the ConceptStat rows the recomputed intentions and marked concepts reach
    (``targets=None``: every concept), then their kept answers (``all_answers``: every
    concept's)."""
    by_concept: dict[str, list[tuple[str, float | None]]] = defaultdict(list)
    touched: set[str] = set(dirty_concepts)
    for row in job.read("about"):
        by_concept[row["concept_id"]].append((row["intention_id"], row["score"]))
        if targets is not None and row["intention_id"] in targets:
            touched.add(row["concept_id"])
    children: dict[str, list[str]] = defaultdict(list)
    parents: dict[str, list[str]] = defaultdict(list)
    for row in job.read("is_a"):
        children[row["parent"]].append(row["child"])
        parents[row["child"]].append(row["parent"])
    if targets is None:
        concepts = {r["id"] for r in job.read("concepts")} | set(by_concept)
        existing = [r["p"] for r in job.store.read(d.label_properties_query("ConceptStat"), {})]
        above: set[str] = set()
    else:
        concepts = ancestors(touched, parents)
        above = concepts - touched  # only their scope counts can change: their *|all| row
        existing = [r["p"] for r in job.read_in("concept_stats_of", touched)]
        existing += [r["p"] for r in job.read_in("concept_top_stats_of",
                                                 [f"{c}|{cell_id(ALL)}" for c in above])]
    job.sync("ConceptStat", concept_rows(sorted(concepts), by_concept, cells, children, above),
             existing)
    names = {r["id"]: r["name"] for r in job.read("concepts")}
    inputs = AnswerInputs(about=by_concept, cells=cells, children=children, names=names)
    if all_answers:
        _refresh_answers(job, inputs, dict.fromkeys(set(names) | set(by_concept), 0), None)
    else:
        _refresh_answers(job, inputs, distances_above(touched, parents), touched)


def _refresh_answers(job: _Refresh, inputs: AnswerInputs, wanted: Mapping[str, int],
                     touched: set[str] | None) -> None:
    """Recompute the kept answers of ``wanted`` (``concept -> first depth reaching a
    change``; ``touched=None``: every concept, every other kept answer deleted)."""
    if touched is None:
        existing = [r["p"] for r in job.store.read(
            d.label_properties_query("ConceptAnswer"), {})]
    else:
        existing = [r["p"] for r in job.read_in("concept_answers_of", [
            answer_id(c, depth) for c, first in wanted.items()
            for depth in range(first, SCOPE_DEPTH + 1)])]
    start = time.perf_counter()
    for row in job.read_in("cobuy_weights", scope_intentions(wanted, inputs)):
        inputs.cobuys.setdefault(row["intention_id"], []).append(
            (row["cobuy_id"], float(row["weight"])))
        inputs.products_of[row["cobuy_id"]] = list(row["products"])
    read_s = time.perf_counter() - start
    computed = answers(inputs, wanted)
    intentions, products = named_ids(computed)
    inputs.texts.update({r["id"]: (r["text"], int(r["support"]))
                         for r in job.read_in("intention_texts", intentions)})
    inputs.titles.update({r["id"]: (r["title"], r["category"])
                          for r in job.read_in("product_titles", products)})
    rows = answer_rows(inputs, computed)
    log.info("kept answers: %d concepts, %d (concept, depth) answers in %.2f s (co-buy "
             "assertions read in %.2f s)", len(wanted), len(rows), time.perf_counter() - start,
             read_s)
    job.sync("ConceptAnswer", rows, existing)
