"""The graph schema, declared once.

Labels with their id key and properties, relationship types with their start and
end labels and properties, and the *writes*: how each loader step turns work-dir
records into graph rows (which node it merges or updates, which edges it merges,
which row key feeds which property). Everything else is derived from here:

* :mod:`kg.load` sends each write's rows to its ``.cypher`` file (a test checks
  every file sets exactly the properties its write declares);
* :mod:`kg.export` applies the same writes in memory, so the neo4j-admin CSV,
  Parquet and GraphML exports hold the graph ``intentkg load`` builds;
* :mod:`kg.store.dialect` takes its labels, types and assertion properties from
  here, the Cypher linter its vocabulary, and ``docs/schema.md`` its tables
  (:func:`markdown_tables`; ``python -m kg.schema`` prints them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from kg.relations import REGISTRY

__all__ = [
    "ASSERTION_PROPERTIES",
    "JUDGED_PROPERTIES",
    "NODES",
    "RELATIONSHIPS",
    "STATS_DIRTY",
    "STAT_WRITES",
    "WRITES",
    "EdgeWrite",
    "NodeSchema",
    "NodeWrite",
    "Prop",
    "RelSchema",
    "Write",
    "assertion_write",
    "markdown_tables",
    "node_labels",
    "property_keys",
    "relationship_types",
]

PropType = Literal["string", "double", "long", "int", "boolean", "string[]", "float[]"]


@dataclass(frozen=True)
class Prop:
    """A property: its name in the graph and its type (neo4j-admin spelling)."""

    name: str
    type: PropType = "string"
    doc: str = ""


@dataclass(frozen=True)
class NodeSchema:
    """A node label: every node has a unique string ``id``."""

    label: str
    id_doc: str
    props: tuple[Prop, ...]


@dataclass(frozen=True)
class RelSchema:
    """A relationship type between ``starts`` and ``end``.

    ``key`` is the property that tells two edges of one pair apart (assertions:
    ``id``); ``None`` means one edge per pair.
    """

    type: str
    starts: tuple[str, ...]
    end: str
    props: tuple[Prop, ...] = ()
    key: str | None = None
    doc: str = ""


def _p(names: str, type_: PropType = "string") -> tuple[Prop, ...]:
    return tuple(Prop(n, type_) for n in names.split())


ASSERTION_PROPERTIES: tuple[str, ...] = (
    "relation", "text", "raw_text", "rationale", "plausibility", "typicality", "filter_score",
    "filter_reason", "keep", "model", "prompt_version", "image_description", "accepted",
)
JUDGED_PROPERTIES: tuple[str, ...] = ("accepted",)
"""The assertion properties that come from the human judgments in ``eval/judgments.parquet``
(:mod:`kg.evaluation.judgments`), not from the assertion record: ``accepted`` is true when a
strict majority of the assertion's annotators found it plausible, false when not, and null
when nobody judged it. Every load sets it again, so a new or changed judgment lands on the
next ``intentkg load``."""
_ASSERTION_TYPES: dict[str, PropType] = {"plausibility": "double", "typicality": "double",
                                         "filter_score": "double", "keep": "boolean",
                                         "accepted": "boolean"}
_ASSERTION_DOCS = {"accepted": "a majority of human annotators found it plausible; "
                               "null when unjudged"}

NODES: dict[str, NodeSchema] = {n.label: n for n in (
    NodeSchema("Post", "`<source>:<source id>`", (
        *_p("source source_id text clean_text lang created_at author label"),
        Prop("hashtags", "string[]"),
        *_p("key_concept key_action key_object key_emotion"), Prop("keywords", "string[]"))),
    NodeSchema("Product", "ASIN", (
        *_p("title category brand"), Prop("price", "double"),
        *_p("description feature_description feature_model feature_prompt_version"))),
    NodeSchema("CoBuy", "`pair_id` of the sorted ASINs", _p("source category")),
    NodeSchema("Image", "`image:<sha256>` of the bytes, else a hash of the URI", _p(
        "uri local_path status description model prompt_version")),
    NodeSchema("Intention", "`Intention.make_id(text)`", (
        Prop("text"), Prop("aliases", "string[]"), Prop("support", "int"),
        Prop("abstract", "boolean"),
        Prop("embedding", "float[]", "float vector, 384 dims by default"))),
    NodeSchema("Concept", "`Concept.make_id(source, key)`", (
        Prop("name"), Prop("source", doc="`wordnet`/`probase`"), Prop("synset"), Prop("gloss"))),
    # Aggregates (kg.store.stats): kept up to date at the end of every load.
    NodeSchema("IntentionStat", "`<intention id>\\|<relation>`", (
        Prop("intention_id"), Prop("relation", doc="a relation id, or `*`: the cells row"),
        *_p("assertions kept subjects kept_subjects", "long"),
        Prop("cells", doc="JSON of every cell of the intention (`*` row only)"))),
    NodeSchema("ConceptStat", "`<concept id>\\|<cell>`", (
        Prop("concept_id"), Prop("cell", doc="`<relation or *>\\|<facet>\\|<value>`"),
        Prop("relation", doc="a relation id or `*` (all)"),
        Prop("facet", doc="`all`, `source`, `category` or `month`"), Prop("value"),
        *_p("assertions kept intentions kept_intentions scored kept_scored", "long"),
        *_p("score_sum kept_score_sum", "double"),
        Prop("linked", "long", "intentions ABOUT it (`*\\|all\\|` cell only)"),
        Prop("children", "long", "IS_A children (`*\\|all\\|` cell only)"),
        Prop("about_score", "double", "mean ABOUT score (`*\\|all\\|` cell only)"),
        Prop("scope", doc="JSON: distinct intentions per relation within each IS_A depth "
                          "(`*\\|all\\|` cell only)"),
        Prop("top", doc="JSON: the first intentions of the relation by subjects "
                        "(relation cells of facet `all`)"),
        Prop("top_kept", doc="the same by kept subjects"))),
    NodeSchema("ConceptAnswer", "`<concept id>\\|<depth>`", (
        Prop("concept_id"),
        Prop("depth", "long", "IS_A depth; one node per depth at which the scope grows"),
        Prop("intentions", doc="JSON: the answer of `intentions-by-concept` with the "
                               "default filters, first rows of each group, as positional "
                               "lists (`kg.store.answers`)"),
        Prop("products", doc="JSON: the answer of `products-for-concept` with the "
                             "default filters, first rows, as positional lists"))),
    NodeSchema("GraphStat", "the cell", (
        Prop("cell"), Prop("relation"), Prop("facet"), Prop("value"),
        *_p("assertions kept intentions kept_intentions filter_scored", "long"),
        Prop("filter_sum", "double"))),
)}

_SCORE = (Prop("score", "double"),)
RELATIONSHIPS: dict[str, RelSchema] = {r.type: r for r in (
    RelSchema("HAS_IMAGE", ("Post", "Product"), "Image"),
    RelSchema("OF", ("CoBuy",), "Product", doc="two per CoBuy"),
    RelSchema("ABOUT", ("Intention",), "Concept", _SCORE),
    RelSchema("IS_A", ("Concept",), "Concept", _SCORE),
    RelSchema("INSTANCE_OF", ("Intention",), "Intention", _SCORE,
              doc="to an `Intention {abstract: true}`; score = cosine of the two texts"),
    *(RelSchema(rel.graph_type, ("Post" if rel.domain == "post" else "CoBuy",), "Intention",
                (Prop("id"), *(Prop(p, _ASSERTION_TYPES.get(p, "string"),
                                    _ASSERTION_DOCS.get(p, "")) for p in ASSERTION_PROPERTIES)),
                key="id", doc=f"assertion `{rel.id}`")
      for rel in REGISTRY.values()),
)}
if len(RELATIONSHIPS) != 5 + len({rel.graph_type for rel in REGISTRY.values()}):
    raise AssertionError("a relation's graph type clashes with a fixed relationship type")


@dataclass(frozen=True)
class NodeWrite:
    """Merge (``create=True``) or update (``create=False``: MATCH, then SET) a node.

    ``props`` maps graph property → row key; ``key`` is the row key of the id.
    ``kept`` lists ``(property, default)`` pairs whose row value, when null, keeps
    the node's own value, else the default (``coalesce(row.p, n.p, default)``).
    """

    label: str
    key: str = "id"
    props: tuple[tuple[str, str], ...] = ()
    create: bool = True
    kept: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class EdgeWrite:
    """Merge an edge from the node ``start`` (row key ``start_key``) to ``end``.

    Both ends must exist (they were written by earlier writes of the step or by
    earlier steps); ``start`` may list several labels, of which the one holding
    the id is used (an image's owner is a post or a product). ``marks_end`` lists
    ``(property, value)`` pairs the edge sets on its end node (``SET end.p = value``).
    """

    type: str
    start: tuple[str, ...]
    start_key: str
    end: str
    end_key: str
    props: tuple[tuple[str, str], ...] = ()
    marks_end: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Write:
    """One loader step: a ``.cypher`` file in :mod:`kg.store.cypher` and what it does."""

    step: str
    cypher: str
    effects: tuple[NodeWrite | EdgeWrite, ...] = field(default_factory=tuple)


def _same(names: str) -> tuple[tuple[str, str], ...]:
    return tuple((n, n) for n in names.split())


WRITES: tuple[Write, ...] = (
    Write("posts", "posts", (NodeWrite("Post", props=_same(
        "source source_id text clean_text lang created_at author label hashtags")),)),
    Write("posts:key_info", "post_key_info", (NodeWrite("Post", "subject_id", (
        ("key_concept", "concept"), ("key_action", "action"), ("key_object", "object"),
        ("key_emotion", "emotion"), ("keywords", "keywords")), create=False),)),
    Write("products", "products", (NodeWrite("Product", props=_same(
        "title category brand price description")),)),
    Write("cobuys", "cobuys", (
        NodeWrite("CoBuy", props=_same("source category")),
        NodeWrite("Product", "product_a"), NodeWrite("Product", "product_b"),
        EdgeWrite("OF", ("CoBuy",), "id", "Product", "product_a"),
        EdgeWrite("OF", ("CoBuy",), "id", "Product", "product_b"))),
    Write("images", "images", (
        NodeWrite("Image", props=_same("uri local_path status")),
        EdgeWrite("HAS_IMAGE", ("Post", "Product"), "owner_id", "Image", "id"))),
    Write("images:descriptions", "image_descriptions", (NodeWrite("Image", "image_id", _same(
        "description model prompt_version"), create=False),)),
    Write("products:features", "product_features", (NodeWrite("Product", "subject_id", (
        ("feature_description", "description"), ("feature_model", "model"),
        ("feature_prompt_version", "prompt_version")), create=False),)),
    Write("intentions", "intentions", (NodeWrite("Intention", props=_same(
        "text aliases support abstract embedding"), kept=(("abstract", False),)),)),
    Write("concepts", "concepts", (NodeWrite("Concept", props=_same(
        "name source synset gloss")),)),
    Write("ABOUT", "about", (EdgeWrite("ABOUT", ("Intention",), "source_id", "Concept",
                                       "target_id", _same("score")),)),
    Write("IS_A", "is_a", (EdgeWrite("IS_A", ("Concept",), "source_id", "Concept", "target_id",
                                     _same("score")),)),
    Write("INSTANCE_OF", "instance_of", (EdgeWrite(
        "INSTANCE_OF", ("Intention",), "source_id", "Intention", "target_id",
        _same("score"), marks_end=(("abstract", True),)),)),
)
"""The loader's steps in order; assertion edges (one type per relation) come between
``concepts`` and ``ABOUT`` and are described by :func:`assertion_write`."""

STAT_WRITES: tuple[Write, ...] = tuple(
    Write(f"stats:{label}", f"stats_{label.lower()}", (NodeWrite(label, props=_same(
        " ".join(p.name for p in NODES[label].props))),))
    for label in ("IntentionStat", "ConceptStat", "ConceptAnswer", "GraphStat"))
"""The aggregate steps that follow :data:`WRITES`; their rows come from :mod:`kg.store.stats`
(computed from the loaded graph, so they are not work-dir rows)."""


def assertion_write(graph_type: str, subject_label: str) -> EdgeWrite:
    """The edge write of an assertion row (row keys ``subject_id``, ``intention_id``, ``id``)."""
    return EdgeWrite(graph_type, (subject_label,), "subject_id", "Intention", "intention_id",
                     (("id", "id"), *((p, p) for p in ASSERTION_PROPERTIES)))


def node_labels() -> tuple[str, ...]:
    """Every node label, in schema order."""
    return tuple(NODES)


def relationship_types() -> tuple[str, ...]:
    """Every relationship type: the fixed ones, then one per registered relation."""
    return tuple(RELATIONSHIPS)


STATS_DIRTY = "stats_dirty"
"""A mark the loader sets on posts, co-buys and concepts whose aggregates must be
recomputed (:mod:`kg.store.stats_refresh` clears it); not part of the data."""


def property_keys() -> tuple[str, ...]:
    """Every property name of any node or relationship (``id`` first), and the
    :data:`STATS_DIRTY` mark."""
    keys = ["id", STATS_DIRTY]
    for props in [n.props for n in NODES.values()] + [r.props for r in RELATIONSHIPS.values()]:
        keys.extend(p.name for p in props if p.name not in keys)
    return tuple(keys)


def markdown_tables() -> str:
    """The node and relationship tables of ``docs/schema.md``."""
    lines = ["| label | id | properties |", "|---|---|---|"]
    for n in NODES.values():
        props = ", ".join(f"{p.name} ({p.type}{'; ' + p.doc if p.doc else ''})"
                          if p.type != "string" or p.doc else p.name for p in n.props)
        lines.append(f"| `{n.label}` | {n.id_doc} | {props} |")
    lines += ["", "| pattern | properties |", "|---|---|"]
    assertion_props: tuple[Prop, ...] = ()
    assertion_types: list[str] = []
    for r in RELATIONSHIPS.values():
        if r.key == "id":
            assertion_props = r.props
            assertion_types.append(r.type)
            continue
        starts = "\\|".join(r.starts)  # an escaped pipe stays inside the cell
        doc = f" ({r.doc})" if r.doc else ""
        props = ", ".join(p.name for p in r.props) or "—"
        lines.append(f"| `(:{starts})-[:{r.type}]->(:{r.end})`{doc} | {props} |")
    lines.append(
        "| `(:Post\\|CoBuy)-[:<graph_type>]->(:Intention)`, one type per relation of "
        f"`kg.relations.REGISTRY`: {', '.join(f'`{t}`' for t in assertion_types)} | "
        f"{', '.join(p.name + (f' ({p.doc})' if p.doc else '') for p in assertion_props)} "
        "(`id` = assertion id) |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_tables(), end="")
