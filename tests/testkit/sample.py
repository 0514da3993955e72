"""A small, hand-written intention graph for demos, documentation and tests.

Seven products, seven co-buys, three posts, seven intentions and eight concepts
with a two-level IS_A hierarchy, written through the store's own upsert Cypher
(:mod:`kg.store.cypher`) so it has exactly the shape ``intentkg build`` loads.
One assertion is rejected by the filter (``keep = false``), four carry a human
verdict (``accepted``, :data:`SAMPLE_JUDGED`) and one intention is reached only
through a shared concept, so every helper has something to show.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kg.records import CoBuy, Concept, Intention
from kg.store import GraphStore, load_cypher
from kg.store.dialect import ASSERTION_PROPERTIES, assertion_edge_query
from kg.store.stats_refresh import refresh_stats
from queries.search import TextEncoder

__all__ = ["SAMPLE_CONCEPTS", "SAMPLE_INTENTIONS", "SAMPLE_JUDGED", "load_sample",
           "sample_rows"]

SAMPLE_ALIASES: dict[str, list[str]] = {"stay warm outdoors": ["keep warm outdoors"]}
"""Phrases the build would have merged into a sample intention."""

SAMPLE_INTENTIONS: dict[str, str] = {
    "warm": "stay warm outdoors",
    "hike": "go hiking in winter",
    "cook": "cook dinner for friends",
    "gift": "give a birthday gift",
    "cozy": "feel cozy at home",
    "heat": "keep body heat on cold nights",
    "mend": "mend torn clothes",
}
SAMPLE_CONCEPTS: dict[str, str | None] = {  # name -> parent name
    "condition": None, "warmth": "condition", "body heat": "warmth", "comfort": "condition",
    "activity": None, "hiking": "activity", "cooking": "activity", "gift": None,
}
_ABOUT = [("warm", "warmth", 0.9), ("warm", "hiking", 0.5), ("hike", "hiking", 0.9),
          ("cook", "cooking", 0.9), ("gift", "gift", 0.8), ("cozy", "comfort", 0.8),
          ("cozy", "warmth", 0.4), ("heat", "body heat", 0.7)]
_PRODUCTS = [("B01", "wool socks", "Clothing"), ("B02", "hiking boots", "Shoes"),
             ("B03", "thermal gloves", "Clothing"), ("B04", "camping stove", "Outdoors"),
             ("B05", "cast iron pan", "Kitchen"), ("B06", "gift wrap", "Party"),
             ("B07", "fleece blanket", "Home")]
# (a, b, [(relation, intention key, filter score, keep)])
_COBUYS: list[tuple[str, str, list[tuple[str, str, float, bool]]]] = [
    ("B01", "B02", [("usedFor", "warm", 0.9, True), ("usedFor", "hike", 0.8, True)]),
    ("B01", "B03", [("usedFor", "warm", 0.95, True)]),
    ("B02", "B04", [("capableOf", "hike", 0.7, True)]),
    ("B04", "B05", [("usedFor", "cook", 0.85, True)]),
    ("B05", "B06", [("cobuyOpen", "gift", 0.6, True), ("usedFor", "warm", 0.1, False)]),
    ("B01", "B07", [("usedFor", "cozy", 0.8, True)]),
    ("B03", "B07", [("usedFor", "heat", 0.75, True)]),
]
SAMPLE_JUDGED: dict[tuple[str, str, str], bool] = {
    # (co-buy "A-B" or post id, relation, intention key) -> accepted by the annotators
    ("B01-B02", "usedFor", "warm"): True,
    ("B01-B03", "usedFor", "warm"): False,
    ("B01-B07", "usedFor", "cozy"): True,
    ("twitter:1", "xWant", "warm"): True,
}
"""The sample assertions with human judgments; every other one is unjudged."""
_POSTED = {"twitter:1": "2024-01-15T08:00:00+00:00", "twitter:2": "2024-02-03T19:30:00+00:00",
           "twitter:3": "2024-02-20T10:00:00+00:00"}
_POSTS: list[tuple[str, str, str | None, list[tuple[str, str]]]] = [
    ("twitter:1", "Snowy trail this morning #hiking", "a snowy mountain trail at dawn",
     [("xIntent", "hike"), ("xWant", "warm")]),
    ("twitter:2", "Dinner party tonight, come over", None,
     [("xIntent", "cook"), ("oReact", "cozy")]),
    ("twitter:3", "Wrapped presents for my sister's birthday", None, [("xIntent", "gift")]),
]


def _concept_id(name: str) -> str:
    return Concept.make_id("wordnet", name)


def _assertion(subject: str, kind: str, relation: str, key: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {p: None for p in ASSERTION_PROPERTIES}
    text = SAMPLE_INTENTIONS[key]
    row.update(id=f"assertion:{subject}:{relation}:{key}", subject_id=subject,
               intention_id=Intention.make_id(text), relation=relation, text=text,
               raw_text=f"{text}.", keep=True, model="sample-vlm", prompt_version="sample-v1",
               _kind=kind)
    row.update(extra)
    return row


def sample_rows(
    vectors: Sequence[Sequence[float]] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Rows of the sample graph keyed by the :mod:`kg.store.cypher` file that writes them.

    Args:
        vectors: one embedding per :data:`SAMPLE_INTENTIONS` value, in order; without
            them intentions have no embedding.
    """
    intentions = [
        {"id": Intention.make_id(text), "text": text, "aliases": SAMPLE_ALIASES.get(text, []),
         "support": 1 + n % 3,
         "abstract": False, "embedding": list(map(float, vectors[n])) if vectors else None}
        for n, text in enumerate(SAMPLE_INTENTIONS.values())
    ]
    concepts = [{"id": _concept_id(name), "name": name, "source": "wordnet",
                 "synset": f"{name.replace(' ', '_')}.n.01", "gloss": None}
                for name in SAMPLE_CONCEPTS]
    assertions = []
    for a, b, found in _COBUYS:
        cobuy = CoBuy.of(a, b).id
        for relation, key, score, keep in found:
            assertions.append(_assertion(cobuy, "cobuy", relation, key, filter_score=score,
                                         keep=keep, filter_reason="a shopper would buy both",
                                         accepted=SAMPLE_JUDGED.get((f"{a}-{b}", relation, key))))
    for post, _, description, found_post in _POSTS:
        for relation, key in found_post:
            assertions.append(_assertion(post, "post", relation, key,
                                         image_description=description, plausibility=0.8,
                                         accepted=SAMPLE_JUDGED.get((post, relation, key))))
    return {
        "posts": [{"id": pid, "source": "twitter", "source_id": pid.split(":")[1], "text": text,
                   "clean_text": text, "lang": "en", "created_at": _POSTED[pid], "author": None,
                   "label": None, "hashtags": []} for pid, text, _, _ in _POSTS],
        "products": [{"id": pid, "title": title, "category": cat, "brand": None, "price": None,
                      "description": None} for pid, title, cat in _PRODUCTS],
        "cobuys": [{"id": CoBuy.of(a, b).id, "product_a": a, "product_b": b, "source": "sample",
                    "category": dict((p, c) for p, _, c in _PRODUCTS)[a]} for a, b, _ in _COBUYS],
        "intentions": intentions,
        "concepts": concepts,
        "is_a": [{"source_id": _concept_id(n), "target_id": _concept_id(p), "score": 1.0}
                 for n, p in SAMPLE_CONCEPTS.items() if p],
        "about": [{"source_id": Intention.make_id(SAMPLE_INTENTIONS[k]),
                   "target_id": _concept_id(c), "score": s} for k, c, s in _ABOUT],
        "assertions": assertions,
    }


def load_sample(store: GraphStore, encoder: TextEncoder | None = None) -> None:
    """Write the sample graph into ``store`` (idempotent: every write is a MERGE),
    then its aggregates (:func:`kg.store.stats.refresh_stats`, as ``intentkg load`` does).

    The store's schema (indexes, and the vector index at the encoder's dimension)
    must exist already: call ``store.ensure_schema(dim)`` first.
    """
    vectors = encoder.encode(list(SAMPLE_INTENTIONS.values())) if encoder is not None else None
    rows = sample_rows([list(v) for v in vectors] if vectors is not None else None)
    for name in ("posts", "products", "cobuys", "intentions", "concepts", "is_a", "about"):
        store.write_rows(load_cypher("kg.store.cypher", name, store.dialect), rows[name])
    for row in rows["assertions"]:
        kind = row.pop("_kind")
        store.write_rows(assertion_edge_query(row["relation"], kind), [row])
    refresh_stats(store)
