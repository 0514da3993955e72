"""``intentions_by_concept`` from the rankings kept at load time.

Every (concept, relation) keeps its first :data:`kg.store.TOP_K` intentions ranked by
subjects, then ABOUT score, then id (``ConceptStat.top`` / ``top_kept``), and every
concept keeps the number of distinct intentions per relation within each IS_A depth
(``ConceptStat.scope``). The live query ranks the intentions of a concept's whole
scope by subjects, then ``max(ABOUT score / (1 + distance))``, then id. Its first
``n`` are among the first ``n`` of the scope concepts' own rankings: an intention
left out of its best concept's first ``n`` has ``n`` others there that rank before
it overall too (the same or more subjects, and a score at least as high at the same
distance). So the page is exact: the candidates are merged, their scores computed
from their ABOUT links into the scope, and only the page's texts are read.

Before that, the default filters' first page (every relation, rejected assertions left
out, ``skip + limit <= ANSWER_ROWS``) is read whole from the answer kept per (concept,
depth) (``ConceptAnswer``, :mod:`kg.store.answers`): one node, no merge. The same holds
for ``products_for_concept`` (:func:`kept_products`), which has no other kept form.
Any other parameters answer from the rankings, or live.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from kg.store import (
    ALL,
    ANSWER_ROWS,
    TOP_K,
    GraphStore,
    answer_id,
    cell_id,
    decode_intentions,
    decode_products,
    round9,
    scope_at,
)
from queries._base import read
from queries.models import IntentionHit, ProductHit, RelationGroup

__all__ = ["kept_products", "ranked_by_concept"]


def _kept_answer(store: GraphStore, root: str, depth: int, *, products: bool,
                 relations: Sequence[str] | None, include_rejected: bool, skip: int,
                 limit: int) -> list[dict[str, Any]] | None:
    """The kept answer of ``root`` at ``depth`` (decoded rows), or ``None`` when the
    parameters are not the default ones it was kept for, or none is kept."""
    if relations is not None or include_rejected or skip + limit > ANSWER_ROWS:
        return None
    ids = [answer_id(root, d) for d in range(depth, -1, -1)]
    rows = read(store, "concept_answer", {"ids": ids, "products": products})
    if not rows or rows[0]["answer"] is None:
        return None
    text = str(rows[0]["answer"])
    return decode_products(text) if products else decode_intentions(text)


def kept_products(
    store: GraphStore,
    root: str,
    *,
    depth: int,
    relations: Sequence[str] | None,
    include_rejected: bool,
    skip: int,
    limit: int,
) -> list[ProductHit] | None:
    """``products_for_concept`` for one concept id from the answer kept at load time,
    or ``None`` when it cannot answer (other parameters, nothing kept)."""
    kept = _kept_answer(store, root, depth, products=True, relations=relations,
                        include_rejected=include_rejected, skip=skip, limit=limit)
    if kept is None:
        return None
    return [ProductHit(**row) for row in kept[skip:skip + limit]]


def ranked_by_concept(
    store: GraphStore,
    root: str,
    *,
    depth: int,
    relations: Sequence[str] | None,
    include_rejected: bool,
    skip: int,
    limit: int,
) -> list[RelationGroup] | None:
    """The groups of ``intentions_by_concept`` for one concept id, or ``None`` when the
    kept rankings cannot answer (a page past :data:`TOP_K`, aggregates without rankings).
    """
    n = skip + limit
    if n > TOP_K:
        return None
    kept = _kept_answer(store, root, depth, products=False, relations=relations,
                        include_rejected=include_rejected, skip=skip, limit=limit)
    if kept is not None:
        return [RelationGroup(relation=g["relation"], total=g["total"], items=[
            IntentionHit(relation=g["relation"], **item) for item in g["items"][skip:n]])
            for g in kept]
    rows = read(store, "concept_scope_counts", {"id": f"{root}|{cell_id(ALL)}"})
    if not rows or rows[0]["scope"] is None:
        return None
    which = 0 if include_rejected else 1
    totals = {rel: counts[which] for rel, counts in scope_at(rows[0]["scope"], depth).items()
              if counts[which] > 0 and (relations is None or rel in relations)}
    if not totals:
        return []
    scope = {r["id"]: int(r["distance"]) for r in
             read(store, "concept_scope", {"concept_ids": [root], "depth": depth})}
    candidates: dict[str, dict[str, int]] = defaultdict(dict)
    for row in read(store, "concept_rankings", {"scope": list(scope), "relations": relations,
                                                "include_rejected": include_rejected}):
        if row["relation"] not in totals:
            continue
        if row["top"] is None:
            return None
        for intention_id, subjects, _score in json.loads(row["top"])[:n]:
            candidates[row["relation"]][intention_id] = int(subjects)
    pools = {rel: _pool(found, n) for rel, found in candidates.items()}
    details = _details(store, {i for pool in pools.values() for i in pool}, scope)
    if any(i not in details for pool in pools.values() for i in pool):
        return None  # the rankings are older than the graph: answer live
    groups = []
    for rel, total in totals.items():
        pool = pools.get(rel, {})
        ranked = sorted(pool, key=lambda i: (-pool[i], -details[i]["score"], i))
        items = [IntentionHit(relation=rel, subjects=pool[i], **details[i])
                 for i in ranked[skip:n]]
        groups.append(RelationGroup(relation=rel, total=total, items=items))
    groups.sort(key=lambda g: (-g.total, g.relation))
    return groups


def _pool(found: dict[str, int], n: int) -> dict[str, int]:
    """The candidates that can reach the first ``n``: as many subjects as the n-th."""
    if len(found) <= n:
        return found
    floor = sorted(found.values(), reverse=True)[n - 1]
    return {i: s for i, s in found.items() if s >= floor}


def _details(store: GraphStore, ids: set[str], scope: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Per intention: id, text, support, score (best ABOUT score / (1 + distance), rounded
    to 9 decimals as the live query rounds it) and
    the names of the scope concepts it is about (first three, sorted)."""
    out: dict[str, dict[str, Any]] = {}
    names: dict[str, set[str]] = defaultdict(set)
    if not ids:
        return out
    for row in read(store, "intentions_in_scope", {"ids": sorted(ids), "scope": list(scope)}):
        score = round9(row["scores"][scope[row["concept_id"]]])
        hit = out.setdefault(row["id"], {"id": row["id"], "text": row["text"],
                                         "support": row["support"], "score": score})
        hit["score"] = max(hit["score"], score)
        if row["name"] is not None:
            names[row["id"]].add(row["name"])
    for i, hit in out.items():
        hit["concepts"] = sorted(names[i])[:3]
    return out
