"""Every piece of Cypher that differs between FalkorDB and Neo4j.

Shared Cypher lives in ``.cypher`` files (:mod:`kg.store.cypher_files`); what the
two databases spell differently — constraints, vector and full-text index DDL
and procedures, vector scores — is built here by small ``*_query()`` functions.

The only non-parameter parts ever put into a Cypher text are node labels from
:data:`NODE_LABELS` and relationship types from :data:`kg.relations.REGISTRY`,
both checked against :data:`IDENTIFIER` before use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kg.errors import StoreError
from kg.relations import REGISTRY, Relation, resolve
from kg.schema import ASSERTION_PROPERTIES, NODES, RELATIONSHIPS
from kg.store.base import DialectName

__all__ = [
    "ASSERTION_PROPERTIES",
    "FIXED_RELATIONSHIP_TYPES",
    "FULLTEXT_INDEX",
    "IDENTIFIER",
    "MAX_ID_BYTES",
    "NODE_LABELS",
    "SECONDARY_INDEXES",
    "SUBJECT_LABELS",
    "VECTOR_INDEX",
    "VECTOR_LABEL",
    "assertion_edge_query",
    "assertion_graph_types",
    "check_ids",
    "constraint_queries",
    "falkordb_constraint_commands",
    "fulltext_index_query",
    "fulltext_query",
    "fulltext_terms",
    "index_queries",
    "label_delete_query",
    "label_properties_query",
    "secondary_index_query",
    "vector_index_query",
    "vector_query",
]

IDENTIFIER = re.compile(r"^[A-Z][A-Za-z0-9_]{0,63}$")
NODE_LABELS: tuple[str, ...] = tuple(NODES)
FIXED_RELATIONSHIP_TYPES: tuple[str, ...] = tuple(
    t for t, r in RELATIONSHIPS.items() if r.key is None)
SUBJECT_LABELS: dict[str, str] = {"post": "Post", "cobuy": "CoBuy"}
SECONDARY_INDEXES: tuple[tuple[str, str], ...] = (
    ("ConceptStat", "cell"), ("ConceptStat", "concept_id"), ("IntentionStat", "intention_id"))
"""Exact-match indexes besides ``id``: the aggregate lookups of the query helpers."""
VECTOR_INDEX = "intention_embedding"
VECTOR_LABEL = "IntentionVector"
"""FalkorDB: the second label of every Intention with an embedding, which holds the vector
index. FalkorDB keeps one index per label and rebuilds them one after another when it
restarts; the HNSW part is slow (tens of seconds per 10k vectors), and while a label's
index is being built every lookup on that label scans it. On a label of its own, created
last, the vectors are indexed after every id index is ready again."""
VECTOR_OVERFETCH = 4
VECTOR_OVERFETCH_MIN = 16
FULLTEXT_INDEX = "intention_text"
_WORD = re.compile(r"\w+", re.UNICODE)
# FalkorDB 4.x crashes (SIGSEGV in EnforceUniqueEntity) on a unique-constrained
# string that is empty, starts or ends with whitespace, or is over 4 KiB. Ids are
# hashes or source ids, so both stores refuse such ids before sending anything.
MAX_ID_BYTES = 4000
_ID_KEYS = ("id", "subject_id", "intention_id", "source_id", "target_id", "owner_id",
            "product_a", "product_b", "post_id", "image_id")


def check_ids(row: Mapping[str, Any]) -> None:
    """Refuse id-like values of ``row`` that are empty, padded or over :data:`MAX_ID_BYTES`.

    Raises:
        StoreError: naming the key, the value and what an id must look like.
    """
    for key in _ID_KEYS:
        value = row.get(key)
        if not isinstance(value, str):
            continue
        if not value or value != value.strip():
            raise StoreError(f"{key} {value[:60]!r} is empty or has leading/trailing "
                             "whitespace; ids must be hashes or trimmed source ids")
        if len(value) * 4 > MAX_ID_BYTES and len(value.encode("utf-8", "surrogatepass")) > \
                MAX_ID_BYTES:
            raise StoreError(f"{key} {value[:60]!r}... is {len(value.encode())} bytes, over the "
                             f"{MAX_ID_BYTES} an id may have; ids must be hashes or source ids")


def _check_identifier(name: str, allowed: tuple[str, ...] | set[str], what: str) -> str:
    if not IDENTIFIER.match(name) or name not in allowed:
        raise StoreError(f"{what} {name!r} is not allowed in Cypher; allowed: "
                         f"{', '.join(sorted(allowed))}")
    return name


def _check_dialect(dialect: DialectName) -> DialectName:
    if dialect not in ("falkordb", "neo4j"):
        raise StoreError(f"unknown Cypher dialect {dialect!r}; expected 'falkordb' or 'neo4j'")
    return dialect


def assertion_graph_types() -> dict[str, Relation]:
    """Every relationship type an assertion edge may have, mapped to its relation."""
    return {rel.graph_type: rel for rel in REGISTRY.values()}


def constraint_queries(dialect: DialectName) -> list[str]:
    """Cypher DDL for a unique ``id`` on every label (Neo4j; FalkorDB gets range indexes).

    FalkorDB creates unique constraints with the ``GRAPH.CONSTRAINT`` command, not
    Cypher (see :func:`falkordb_constraint_commands`), and needs an exact-match
    index on the property first: that index is what it gets here.
    """
    if _check_dialect(dialect) == "neo4j":
        return [f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS "
                f"FOR (n:{label}) REQUIRE n.id IS UNIQUE" for label in NODE_LABELS]
    return [f"CREATE INDEX FOR (n:{label}) ON (n.id)" for label in NODE_LABELS]


def secondary_index_query(dialect: DialectName, label: str, prop: str) -> str:
    """DDL of the exact-match index on ``label.prop`` (one of :data:`SECONDARY_INDEXES`)."""
    if (label, prop) not in SECONDARY_INDEXES:
        raise StoreError(f"no secondary index {label}.{prop} is declared")
    if _check_dialect(dialect) == "neo4j":
        return (f"CREATE INDEX {label.lower()}_{prop} IF NOT EXISTS "
                f"FOR (n:{label}) ON (n.{prop})")
    return f"CREATE INDEX FOR (n:{label}) ON (n.{prop})"


def label_properties_query(label: str) -> str:
    """Every node of ``label`` as its property map (column ``p``)."""
    return f"MATCH (n:{_check_identifier(label, NODE_LABELS, 'label')}) RETURN properties(n) AS p"


def label_delete_query(label: str) -> str:
    """``UNWIND $rows`` delete of the ``label`` nodes whose ``id`` is ``row.id``."""
    label = _check_identifier(label, NODE_LABELS, "label")
    return f"UNWIND $rows AS row MATCH (n:{label} {{id: row.id}}) DETACH DELETE n"


def falkordb_constraint_commands(graph: str) -> list[tuple[str | int, ...]]:
    """``GRAPH.CONSTRAINT CREATE`` argument tuples for a unique ``id`` on every label."""
    return [("GRAPH.CONSTRAINT", "CREATE", graph, "UNIQUE", "NODE", label, "PROPERTIES", 1, "id")
            for label in NODE_LABELS]


def vector_index_query(dialect: DialectName, dimensions: int, ef_runtime: int = 64,
                       ef_construction: int = 64) -> str:
    """DDL of the cosine vector index on ``Intention.embedding`` (FalkorDB: on
    :data:`VECTOR_LABEL`).

    ``ef_runtime`` and ``ef_construction`` (HNSW search and build breadth) apply to
    FalkorDB; Neo4j sizes its HNSW index itself.
    """
    if not 0 < dimensions <= 4096:
        raise StoreError(f"embedding dimensions must be in 1..4096, not {dimensions}")
    if _check_dialect(dialect) == "neo4j":
        return (f"CREATE VECTOR INDEX {VECTOR_INDEX} IF NOT EXISTS "
                "FOR (n:Intention) ON (n.embedding) "
                f"OPTIONS {{indexConfig: {{`vector.dimensions`: {int(dimensions)}, "
                "`vector.similarity_function`: 'cosine'}}")
    return (f"CREATE VECTOR INDEX FOR (n:{VECTOR_LABEL}) ON (n.embedding) "
            f"OPTIONS {{dimension: {int(dimensions)}, similarityFunction: 'cosine', "
            f"efRuntime: {int(ef_runtime)}, efConstruction: {int(ef_construction)}}}")


def fulltext_index_query(dialect: DialectName) -> str:
    """DDL of the full-text index on ``Intention.text``."""
    if _check_dialect(dialect) == "neo4j":
        return (f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS "
                "FOR (n:Intention) ON EACH [n.text]")
    return "CREATE FULLTEXT INDEX FOR (n:Intention) ON (n.text)"


def index_queries(
    dialect: DialectName, embedding_dim: int | None, ef_runtime: int = 64,
    ef_construction: int = 64,
) -> list[str]:
    """Every Cypher DDL text of the schema, in the order to run it."""
    queries = [*constraint_queries(dialect), fulltext_index_query(dialect),
               *(secondary_index_query(dialect, label, prop)
                 for label, prop in SECONDARY_INDEXES)]
    if embedding_dim:
        queries.append(vector_index_query(dialect, embedding_dim, ef_runtime, ef_construction))
    return queries


def vector_query(dialect: DialectName) -> str:
    """Nearest intentions to ``$vector``: rows ``id, text, similarity`` (best first, ``$k`` rows).

    Parameters: ``$vector`` (list of floats), ``$k`` (int). ``similarity`` is in
    [0, 1] on both stores: Neo4j's cosine score is ``(1 + cos) / 2``, FalkorDB
    returns the cosine distance ``1 - cos``, so it is mapped to ``1 - d / 2``.
    """
    if _check_dialect(dialect) == "neo4j":
        return (f"CALL db.index.vector.queryNodes('{VECTOR_INDEX}', $k, $vector) "
                "YIELD node, score "
                "RETURN node.id AS id, node.text AS text, score AS similarity "
                "ORDER BY similarity DESC")
    # FalkorDB's HNSW index counts tombstones of updated nodes against k: ask for
    # more candidates than needed and keep the best k.
    return (f"CALL db.idx.vector.queryNodes('{VECTOR_LABEL}', 'embedding', "
            f"{VECTOR_OVERFETCH} * $k + {VECTOR_OVERFETCH_MIN}, vecf32($vector)) "
            "YIELD node, score "
            "RETURN node.id AS id, node.text AS text, 1.0 - score / 2.0 AS similarity "
            "ORDER BY similarity DESC LIMIT $k")


def fulltext_query(dialect: DialectName) -> str:
    """Intentions matching the full-text ``$query``: rows ``id, text, score`` (best first).

    ``$query`` must come from :func:`fulltext_terms`, which escapes user text for
    the dialect's query syntax. ``$limit`` caps the rows.
    """
    if _check_dialect(dialect) == "neo4j":
        call = f"CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', $query) YIELD node, score "
    else:
        call = "CALL db.idx.fulltext.queryNodes('Intention', $query) YIELD node, score "
    return call + ("RETURN node.id AS id, node.text AS text, score "
                   "ORDER BY score DESC LIMIT $limit")


def fulltext_terms(text: str, dialect: DialectName) -> str:
    """Turn free user text into a full-text query matching any of its words.

    Only word characters survive, so no query-syntax operator (Lucene's
    ``+-&|!(){}[]^"~*?:\\/``, RediSearch's ``@|-~*%``) reaches the index.

    Raises:
        StoreError: ``text`` has no word at all.
    """
    words = _WORD.findall(text.replace("_", " "))
    if not words:
        raise StoreError(f"full-text search needs at least one word; got {text!r}")
    return " OR ".join(words) if _check_dialect(dialect) == "neo4j" else "|".join(words)


def assertion_edge_query(relation: str, subject_kind: str) -> str:
    """``UNWIND $rows`` MERGE of assertion edges ``(subject)-[:<TYPE>]->(:Intention)``.

    The same text serves both dialects. Row keys: ``id``, ``subject_id``,
    ``intention_id`` and :data:`ASSERTION_PROPERTIES`.

    Args:
        relation: a canonical relation id, an alias, or a graph type (``X_INTENT``);
            the relationship type always comes from :data:`kg.relations.REGISTRY`.
        subject_kind: ``"post"`` or ``"cobuy"``; must be the relation's domain.

    Raises:
        StoreError: unknown relation, unknown subject kind, or a mismatch of the two.
    """
    if subject_kind not in SUBJECT_LABELS:
        raise StoreError(f"unknown subject kind {subject_kind!r}; expected 'post' or 'cobuy'")
    types = assertion_graph_types()
    rel = types.get(relation)
    if rel is None:
        try:
            rel = resolve(relation, "post" if subject_kind == "post" else "cobuy")
        except Exception as exc:
            raise StoreError(str(exc)) from exc
    if rel.domain != subject_kind:
        raise StoreError(f"relation {rel.id!r} belongs to {rel.domain} subjects, "
                         f"not {subject_kind}")
    graph_type = _check_identifier(rel.graph_type, set(types), "relationship type")
    label = _check_identifier(SUBJECT_LABELS[subject_kind], NODE_LABELS, "label")
    sets = ",\n    ".join(f"r.{p} = row.{p}" for p in ASSERTION_PROPERTIES)
    return (
        "UNWIND $rows AS row\n"
        f"MATCH (s:{label} {{id: row.subject_id}})\n"
        "MATCH (i:Intention {id: row.intention_id})\n"
        f"MERGE (s)-[r:{graph_type} {{id: row.id}}]->(i)\n"
        # a new edge, or a changed keep flag or filter score, marks the subject's
        # aggregates stale (kg.store.stats_refresh); not the intention: FalkorDB
        # re-indexes a written node's vector, leaving a tombstone in its HNSW graph
        # (an unchanged edge writes nothing: no SET runs for it)
        "ON CREATE SET s.stats_dirty = true\n"
        "WITH s, r, row\n"
        "FOREACH (_ IN CASE WHEN coalesce(r.keep, true) <> coalesce(row.keep, true)"
        " OR coalesce(r.filter_score, -1.0) <> coalesce(row.filter_score, -1.0)"
        " THEN [1] ELSE [] END | SET s.stats_dirty = true)\n"
        f"SET {sets}"
    )
