"""Sample rows for every shared Cypher text, written to exercise each property."""

from __future__ import annotations

from typing import Any

from kg.store.dialect import ASSERTION_PROPERTIES

AWKWARD = 'it\'s a "quoted" \\ back\\slash; emoji 🧣 ünïcödé 中文 `tick` {brace} $dollar\nnew line'
LONG = ("warm socks for winter hikes " * 400)[:9000]


def assertion(i: int, subject_id: str, intention_id: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {p: None for p in ASSERTION_PROPERTIES}
    row.update(id=f"assertion:{i}", subject_id=subject_id, intention_id=intention_id,
               relation="xIntent", text="keep warm", raw_text=AWKWARD, keep=True,
               plausibility=0.9, model="m", prompt_version="v1")
    row.update(extra)
    return row


SAMPLE_ROWS: dict[str, list[dict[str, Any]]] = {
    "posts": [
        {"id": "twitter:1", "source": "twitter", "source_id": "1", "text": AWKWARD,
         "clean_text": LONG, "lang": "en", "created_at": "2020-01-01T00:00:00Z",
         "author": "a", "label": None, "hashtags": ["winter", "hike"]},
        {"id": "twitter:2", "source": "twitter", "source_id": "2", "text": "second",
         "clean_text": "second", "lang": None, "created_at": None, "author": None,
         "label": "1", "hashtags": []},
    ],
    "post_key_info": [
        {"subject_id": "twitter:1", "concept": "winter", "action": "hike", "object": "socks",
         "emotion": "joy", "keywords": ["warm", "socks"]},
    ],
    "products": [
        {"id": "B001", "title": AWKWARD, "category": "Clothing", "brand": "X", "price": 9.99,
         "description": LONG},
        {"id": "B002", "title": "boots", "category": None, "brand": None, "price": None,
         "description": None},
    ],
    "product_features": [
        {"subject_id": "B001", "description": "wool socks", "model": "vlm", "prompt_version": "v1"},
    ],
    "cobuys": [
        {"id": "cobuy:1", "product_a": "B001", "product_b": "B002", "source": "amazon",
         "category": "Clothing"},
        {"id": "cobuy:2", "product_a": "B002", "product_b": "B003", "source": "amazon",
         "category": None},
    ],
    "images": [
        {"id": "image:1", "uri": "https://example.org/a.jpg", "local_path": None,
         "status": "not_downloaded", "owner_id": "twitter:1"},
        {"id": "image:2", "uri": "/data/b.jpg", "local_path": "/data/b.jpg", "status": "ok",
         "owner_id": "B001"},
    ],
    "image_descriptions": [
        {"image_id": "image:1", "description": AWKWARD, "model": "vlm", "prompt_version": "v1"},
    ],
    "intentions": [
        {"id": "intention:warm", "text": "keep warm on winter hikes", "aliases": ["stay warm"],
         "support": 2, "abstract": None, "embedding": [1.0, 0.0, 0.0, 0.0]},
        {"id": "intention:cook", "text": "cook dinner for friends", "aliases": [],
         "support": 1, "abstract": None, "embedding": [0.0, 1.0, 0.0, 0.0]},
        {"id": "intention:mid", "text": AWKWARD, "aliases": [LONG], "support": 1,
         "abstract": None, "embedding": [0.6, 0.6, 0.1, 0.0]},
        {"id": "intention:warmth", "text": "warmth", "aliases": [], "support": 1,
         "abstract": True, "embedding": None},
    ],
    "concepts": [
        {"id": "concept:warmth", "name": "warmth", "source": "wordnet", "synset": "warmth.n.01",
         "gloss": AWKWARD},
        {"id": "concept:temperature", "name": "temperature", "source": "wordnet",
         "synset": "temperature.n.01", "gloss": None},
    ],
    "about": [{"source_id": "intention:warm", "target_id": "concept:warmth", "score": 0.8}],
    "is_a": [{"source_id": "concept:warmth", "target_id": "concept:temperature", "score": 1.0}],
    "instance_of": [{"source_id": "intention:warm", "target_id": "intention:warmth",
                     "score": 0.7}],
    "stats_intentionstat": [
        {"id": "intention:warm|xIntent", "intention_id": "intention:warm", "relation": "xIntent",
         "assertions": 3, "kept": 2, "subjects": 2, "kept_subjects": 1},
    ],
    "stats_conceptstat": [
        {"id": "concept:warmth|*|all|", "concept_id": "concept:warmth", "cell": "*|all|",
         "relation": "*", "facet": "all", "value": "", "assertions": 3, "kept": 2,
         "intentions": 1, "kept_intentions": 1, "scored": 3, "kept_scored": 2,
         "score_sum": 2.4, "kept_score_sum": 1.6, "linked": 1, "children": 0,
         "about_score": 0.8},
        {"id": "concept:warmth|*|month|2020-01", "concept_id": "concept:warmth",
         "cell": "*|month|2020-01", "relation": "*", "facet": "month", "value": "2020-01",
         "assertions": 1, "kept": 1, "intentions": 1, "kept_intentions": 1, "scored": 1,
         "kept_scored": 1, "score_sum": 0.8, "kept_score_sum": 0.8, "linked": None,
         "children": None, "about_score": None},
    ],
    "stats_conceptanswer": [
        {"id": "concept:warmth|0", "concept_id": "concept:warmth", "depth": 0,
         "intentions": '[{"relation":"xIntent","total":1,"items":[]}]', "products": "[]"},
    ],
    "stats_graphstat": [
        {"id": "*|all|", "cell": "*|all|", "relation": "*", "facet": "all", "value": "",
         "assertions": 3, "kept": 2, "intentions": 1, "kept_intentions": 1,
         "filter_scored": 1, "filter_sum": 0.5},
    ],
}

# Nodes and edges each sample file creates on an empty graph, in the order above.
EXPECTED_CREATED: dict[str, tuple[int, int]] = {
    "posts": (2, 0), "post_key_info": (0, 0), "products": (2, 0), "product_features": (0, 0),
    "cobuys": (3, 4), "images": (2, 2), "image_descriptions": (0, 0), "intentions": (4, 0),
    "concepts": (2, 0), "about": (0, 1), "is_a": (0, 1), "instance_of": (0, 1),
    "stats_intentionstat": (1, 0), "stats_conceptstat": (2, 0),
    "stats_conceptanswer": (1, 0), "stats_graphstat": (1, 0),
}
