"""Answers kept per (concept, depth): ``intentions-by-concept`` and ``products-for-concept``.

A kept ranking cannot be merged exactly across a concept's scope for
``products-for-concept`` (a product's score sums over the scope's intentions, and
binding those assertion edges is the live query's cost: ~5.5 µs each on FalkorDB),
and merging the kept intention rankings of a large scope reads and parses hundreds
of lists. So the refresh keeps, per concept and IS_A depth, the answer itself for
the default filters (every relation, rejected assertions left out) and the first
:data:`ANSWER_ROWS` rows (of each relation group, for intentions): a
``ConceptAnswer`` node holding both answers as JSON, exactly as the live queries
(``queries/cypher/intentions_by_concept.cypher`` and ``products_for_concept.cypher``)
return them; contract tests hold the two equal. Other filters or deeper pages run
the live queries.

The answers are computed here, in memory, from what the refresh has read anyway
(ABOUT links, IS_A edges, per-intention cells) plus, per intention, its kept co-buy
assertions summed per co-buy (:class:`AnswerInputs`): one read of those edges serves
every (concept, depth), where running the live query per (concept, depth) binds
them again for every scope that holds them (at 100k edges, 400 answers: 26 s
instead of 4.4 s, half of it the read of the co-buy assertions).
Scores and sums are rounded to 9 decimals (``floor(x * 1e9 + 0.5) / 1e9``) here and in
the live queries, so neither the order of the additions nor the digits a store sends
(FalkorDB: 15) show.

The answer at depth ``d`` depends only on the concepts within ``d`` IS_A hops, so a
node is kept only at the depths where that scope grows (depth 0 always); the answer
at ``d`` is the node of the greatest depth ``<= d``. A concept whose own intentions
or links changed gets every depth recomputed, an ancestor ``k`` IS_A hops above it
the depths ``>= k`` (the shallower ones do not reach the change). Node properties
the loader does not mark (an intention's support or text, a product's title) are
part of a kept answer as of its last refresh, like a subject's facets in the other
aggregates: refresh with ``full=True`` after changing only those.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kg.store.stats import SCOPE_DEPTH, IntentionCells

__all__ = ["ANSWER_ROWS", "ITEM_FIELDS", "PRODUCT_FIELDS", "AnswerInputs", "answer_id",
           "answer_rows", "answers", "decode_intentions", "decode_products", "distances_above",
           "encode_intentions", "encode_products", "levels", "named_ids", "round9",
           "scope_intentions"]

ANSWER_ROWS = 20
"""Rows kept per answer (per relation group for intentions): the helpers' default page."""
ITEM_FIELDS = ("id", "text", "subjects", "support", "score", "concepts")
"""The fields of an ``intentions_by_concept`` item, in their kept order."""
PRODUCT_FIELDS = ("id", "title", "category", "cobuys", "score", "intentions")
"""The fields of a ``products_for_concept`` row, in their kept order."""


def answer_id(concept_id: str, depth: int) -> str:
    """The id of a ``ConceptAnswer`` node."""
    return f"{concept_id}|{depth}"


def round9(x: float) -> float:
    """``x`` rounded to 9 decimals as the live query rounds it."""
    return math.floor(x * 1e9 + 0.5) / 1e9


@dataclass
class AnswerInputs:
    """What the answers are computed from.

    Attributes:
        about: concept id -> ``[(intention id, ABOUT score)]``.
        cells: the cells of (at least) every intention in ``about``.
        children: concept id -> IS_A child ids.
        names: concept id -> name.
        cobuys: intention id -> ``[(co-buy id, summed filter score)]`` of its kept
            co-buy assertions (``coalesce(filter_score, 1.0)`` summed per co-buy).
        products_of: co-buy id -> its product ids.
        texts: intention id -> ``(text, support)`` (filled for the answers' items).
        titles: product id -> ``(title, category)`` (filled for the answers' rows).
    """

    about: Mapping[str, Sequence[tuple[str, float | None]]]
    cells: Mapping[str, IntentionCells]
    children: Mapping[str, Sequence[str]]
    names: Mapping[str, str | None]
    cobuys: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    products_of: dict[str, list[str]] = field(default_factory=dict)
    texts: dict[str, tuple[str | None, int]] = field(default_factory=dict)
    titles: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


def levels(concept: str, children: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """``concept`` and its IS_A descendants within :data:`SCOPE_DEPTH` hops, with the
    fewest hops to each."""
    out = {concept: 0}
    level = [concept]
    for depth in range(1, SCOPE_DEPTH + 1):
        level = list(dict.fromkeys(c for p in level for c in children.get(p, ()) if c not in out))
        out.update(dict.fromkeys(level, depth))
    return out


def distances_above(concepts: Iterable[str], parents: Mapping[str, Sequence[str]]
                    ) -> dict[str, int]:
    """``concepts`` (0) and every concept at most :data:`SCOPE_DEPTH` IS_A hops above
    them, with the fewest hops from one of them."""
    out = dict.fromkeys(concepts, 0)
    level = list(out)
    for hops in range(1, SCOPE_DEPTH + 1):
        level = list(dict.fromkeys(p for c in level for p in parents.get(c, ()) if p not in out))
        out.update(dict.fromkeys(level, hops))
    return out


def scope_intentions(concepts: Iterable[str], inputs: AnswerInputs) -> set[str]:
    """The intentions ABOUT the scopes (to :data:`SCOPE_DEPTH`) of ``concepts``."""
    seen: set[str] = set()
    for concept in concepts:
        seen.update(levels(concept, inputs.children))
    return {i for c in seen for i, _ in inputs.about.get(c, ())}


class _IntentionIndex:
    """The ABOUT links and kept subjects of :class:`AnswerInputs` as arrays, so every
    scope ranks its intentions with ``numpy`` (index order = id order)."""

    def __init__(self, inputs: AnswerInputs) -> None:
        self.ids = sorted({i for links in inputs.about.values() for i, _ in links})
        pos = {i: k for k, i in enumerate(self.ids)}
        self.names = inputs.names
        self.links = {c: (np.array([pos[i] for i, _ in links], dtype=np.int64),
                          np.array([1.0 if s is None else float(s) for _, s in links],
                                   dtype=np.float64))
                      for c, links in inputs.about.items() if links}
        self.concepts_of: dict[int, list[str]] = defaultdict(list)
        for c, links in inputs.about.items():
            for i, _ in links:
                self.concepts_of[pos[i]].append(c)
        members: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for k, i in enumerate(self.ids):
            own = inputs.cells.get(i)
            for relation, (_every, kept) in (own.subjects.items() if own is not None else ()):
                if kept > 0:
                    members[relation].append((k, int(kept)))
        self.relations = {rel: (np.array([m[0] for m in rows], dtype=np.int64),
                                np.array([m[1] for m in rows], dtype=np.int64))
                          for rel, rows in members.items()}

    def groups_for(self, scope: Mapping[str, int]) -> list[dict[str, Any]]:
        """The first rows of ``intentions_by_concept.cypher`` for ``scope`` (concept ->
        distance; texts filled later)."""
        parts = [(self.links[c][0], self.links[c][1] / (1.0 + d))
                 for c, d in scope.items() if c in self.links]
        if not parts:
            return []
        score = np.full(len(self.ids), -np.inf)
        np.maximum.at(score, np.concatenate([p[0] for p in parts]),
                      np.concatenate([p[1] for p in parts]))
        present = score > -np.inf
        rounded = np.where(present, np.floor(score * 1e9 + 0.5) / 1e9, 0.0)
        out: list[dict[str, Any]] = []
        concepts: dict[int, list[str]] = {}
        for relation, (idx, kept) in self.relations.items():
            mask = present[idx]
            members, subjects = idx[mask], kept[mask]
            if not len(members):
                continue
            order = np.lexsort((members, -rounded[members], -subjects))[:ANSWER_ROWS]
            items = []
            for j in order.tolist():
                m = int(members[j])
                if m not in concepts:
                    names = {self.names.get(c) for c in self.concepts_of[m] if c in scope}
                    concepts[m] = sorted(n for n in names if n is not None)[:3]
                items.append({"id": self.ids[m], "subjects": int(subjects[j]),
                              "score": float(rounded[m]), "concepts": concepts[m]})
            out.append({"relation": relation, "total": len(members), "items": items})
        out.sort(key=lambda g: (-g["total"], g["relation"]))
        return out


def _gather(ptr: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """The positions of the CSR rows ``idx`` (``ptr[k]:ptr[k + 1]`` each), concatenated."""
    starts, lengths = ptr[idx], ptr[idx + 1] - ptr[idx]
    offsets = np.cumsum(lengths) - lengths
    return np.asarray(np.arange(int(lengths.sum())) - np.repeat(offsets, lengths)
                      + np.repeat(starts, lengths))


class _CobuyIndex:
    """The co-buy assertions of :class:`AnswerInputs` as arrays: one read of the edges,
    then every scope sums its intentions' rows with ``numpy.bincount``."""

    def __init__(self, inputs: AnswerInputs) -> None:
        self.intentions = {i: k for k, i in enumerate(sorted(inputs.cobuys))}
        cobuys = sorted(inputs.products_of)
        self.cobuy_ids = {c: k for k, c in enumerate(cobuys)}
        self.products = sorted({p for ps in inputs.products_of.values() for p in ps})
        product_ids = {p: k for k, p in enumerate(self.products)}  # index order = id order
        lengths = [len(inputs.cobuys[i]) for i in sorted(inputs.cobuys)]
        self.ptr = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(np.int64)
        self.cobuy = np.array([self.cobuy_ids[c] for i in sorted(inputs.cobuys)
                               for c, _ in inputs.cobuys[i]], dtype=np.int64)
        self.weight = np.array([w for i in sorted(inputs.cobuys) for _, w in inputs.cobuys[i]],
                               dtype=np.float64)
        of = [(self.cobuy_ids[c], product_ids[p]) for c in cobuys for p in inputs.products_of[c]]
        self.of_ptr = np.concatenate([[0], np.cumsum([len(inputs.products_of[c]) for c in cobuys],
                                                     dtype=np.int64)]).astype(np.int64)
        self.of_product = np.array([p for _, p in of], dtype=np.int64)
        self.cobuys_of: dict[int, list[int]] = defaultdict(list)
        for cobuy, product in of:
            self.cobuys_of[product].append(cobuy)
        self.rows_of: dict[int, list[tuple[str, float]]] = defaultdict(list)
        for i in sorted(inputs.cobuys):
            for c, w in inputs.cobuys[i]:
                self.rows_of[self.cobuy_ids[c]].append((i, w))

    def products_for(self, intentions: set[str]) -> list[dict[str, Any]]:
        """The first rows of ``products_for_concept.cypher`` for the intentions of a scope
        (texts and titles filled later)."""
        idx = np.array(sorted(self.intentions[i] for i in intentions if i in self.intentions),
                       dtype=np.int64)
        if not len(idx):
            return []
        rows = _gather(self.ptr, idx)
        # the co-buys reached, each with its summed weight
        hit, inverse = np.unique(self.cobuy[rows], return_inverse=True)
        per_cobuy = np.bincount(inverse, weights=self.weight[rows])
        # their products: a product's score sums its co-buys', its count counts them
        of = _gather(self.of_ptr, hit)
        owner = np.repeat(per_cobuy, self.of_ptr[hit + 1] - self.of_ptr[hit])
        found, slot = np.unique(self.of_product[of], return_inverse=True)
        score = np.bincount(slot, weights=owner)
        count = np.bincount(slot)
        rounded = np.floor(score * 1e9 + 0.5) / 1e9
        order = np.lexsort((found, -count, -rounded))[:ANSWER_ROWS]
        out = []
        for k in order.tolist():
            p = int(found[k])
            weights: dict[str, float] = defaultdict(float)
            for c in self.cobuys_of[p]:  # a co-buy not reached has no row in scope
                for i, w in self.rows_of[c]:
                    if i in intentions:
                        weights[i] += w
            out.append({"id": self.products[p], "cobuys": int(count[k]),
                        "score": float(rounded[k]),
                        "intentions": [(i, round9(w)) for i, w in weights.items()]})
        return out


def _fill(inputs: AnswerInputs, intentions: list[dict[str, Any]],
          products: list[dict[str, Any]]) -> None:
    for group in intentions:
        for item in group["items"]:
            item["text"], item["support"] = inputs.texts.get(item["id"], (None, 1))
    for row in products:
        row["title"], row["category"] = inputs.titles.get(row["id"], (None, None))
        texts = [(inputs.texts.get(i, (None, 1))[0], i, w) for i, w in row["intentions"]]
        texts.sort(key=lambda t: (-t[2], t[0] is None, t[0] or "", t[1]))
        row["intentions"] = [t for t, _, _ in texts if t is not None][:3]


def _json(rows: Any) -> str:
    return json.dumps(rows, separators=(",", ":"), ensure_ascii=False)


def encode_intentions(groups: Sequence[Mapping[str, Any]]) -> str:
    """``ConceptAnswer.intentions``: ``[[relation, total, [[item fields...]]]]`` (fields
    in :data:`ITEM_FIELDS` order; positional lists keep the text small and let the
    store's fast parameter path write it)."""
    return _json([[g["relation"], g["total"], [[item[f] for f in ITEM_FIELDS]
                                              for item in g["items"]]] for g in groups])


def decode_intentions(text: str) -> list[dict[str, Any]]:
    """The groups of :func:`encode_intentions`' text: ``relation``, ``total``, ``items``."""
    return [{"relation": relation, "total": total,
             "items": [dict(zip(ITEM_FIELDS, item, strict=True)) for item in items]}
            for relation, total, items in json.loads(text)]


def encode_products(rows: Sequence[Mapping[str, Any]]) -> str:
    """``ConceptAnswer.products``: ``[[row fields...]]`` in :data:`PRODUCT_FIELDS` order."""
    return _json([[row[f] for f in PRODUCT_FIELDS] for row in rows])


def decode_products(text: str) -> list[dict[str, Any]]:
    """The rows of :func:`encode_products`' text."""
    return [dict(zip(PRODUCT_FIELDS, row, strict=True)) for row in json.loads(text)]


def answers(inputs: AnswerInputs, wanted: Mapping[str, int]
            ) -> list[tuple[str, int, list[dict[str, Any]], list[dict[str, Any]]]]:
    """``(concept, depth, intentions, products)`` of the concepts ``wanted``
    (``concept -> from depth``) at each kept depth ``>= from depth``, before
    :func:`answer_rows` fills in texts and titles."""
    out = []
    index = _CobuyIndex(inputs)
    ranking = _IntentionIndex(inputs)
    for concept in sorted(wanted):
        scope = levels(concept, inputs.children)
        for depth in sorted(set(scope.values())):
            if depth < wanted[concept]:
                continue
            within = {c: d for c, d in scope.items() if d <= depth}
            intentions = {i for c in within for i, _ in inputs.about.get(c, ())}
            out.append((concept, depth, ranking.groups_for(within),
                        index.products_for(intentions)))
    return out


def answer_rows(inputs: AnswerInputs,
                computed: Sequence[tuple[str, int, list[dict[str, Any]], list[dict[str, Any]]]]
                ) -> list[dict[str, Any]]:
    """The ``ConceptAnswer`` rows of :func:`answers` (``inputs.texts`` and
    ``inputs.titles`` must hold every id they name)."""
    rows = []
    for concept, depth, intentions, products in computed:
        _fill(inputs, intentions, products)
        rows.append({"id": answer_id(concept, depth), "concept_id": concept, "depth": depth,
                     "intentions": encode_intentions(intentions),
                     "products": encode_products(products)})
    return rows


def named_ids(computed: Iterable[tuple[str, int, list[dict[str, Any]], list[dict[str, Any]]]]
              ) -> tuple[set[str], set[str]]:
    """The intention ids and product ids whose texts and titles the answers show."""
    intentions: set[str] = set()
    products: set[str] = set()
    for _c, _d, groups, rows in computed:
        intentions.update(item["id"] for g in groups for item in g["items"])
        for row in rows:
            products.add(row["id"])
            intentions.update(i for i, _ in row["intentions"])
    return intentions, products
