"""What every helper shares: argument checks, Cypher loading, reads, anchor lookups."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from kg.errors import ConfigError, QueryError
from kg.ids import normalize_intention
from kg.records import Intention
from kg.relations import resolve
from kg.store import GraphStore, load_cypher

__all__ = [
    "CYPHER_PACKAGE",
    "MAX_DEPTH",
    "MAX_LIMIT",
    "MAX_SKIP",
    "NotFoundError",
    "assertion_filter",
    "check_depth",
    "check_page",
    "check_text",
    "concept_ids",
    "intention_row",
    "is_filtered",
    "read",
    "relation_ids",
]

log = logging.getLogger(__name__)

CYPHER_PACKAGE = "queries.cypher"
MAX_LIMIT = 1000
"""Largest page any helper returns."""
MAX_SKIP = 100_000
"""Deepest page offset; deeper paging should filter instead."""
MAX_DEPTH = 5
"""Deepest IS_A descent; the Cypher patterns are written with ``*0..5``."""
MAX_TEXT = 500
"""Longest search text accepted."""


class NotFoundError(QueryError):
    """The node a helper was asked about (concept, intention, product) is not in the graph."""


def check_page(skip: int, limit: int) -> None:
    """Reject paging outside ``0 <= skip <= MAX_SKIP`` and ``1 <= limit <= MAX_LIMIT``.

    Raises:
        QueryError: naming the bad value and the allowed range.
    """
    if isinstance(skip, bool) or not isinstance(skip, int) or not 0 <= skip <= MAX_SKIP:
        raise QueryError(f"skip must be an integer in 0..{MAX_SKIP}, not {skip!r}")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be an integer in 1..{MAX_LIMIT}, not {limit!r}")


def check_depth(depth: int) -> None:
    """Reject an IS_A depth outside ``0..MAX_DEPTH``.

    Raises:
        QueryError: naming the bad value and the allowed range.
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or not 0 <= depth <= MAX_DEPTH:
        raise QueryError(f"depth must be an integer in 0..{MAX_DEPTH}, not {depth!r}")


def assertion_filter(include_rejected: bool, min_score: float,
                     accepted_only: bool) -> dict[str, Any]:
    """The query parameters that choose which assertion edges count, checked.

    ``include_rejected``: also the edges the role-aware filter rejected (``keep = false``).
    ``min_score``: only edges whose ``filter_score`` is at least this; an edge no filter
    ran on (null score, e.g. every post assertion: MIKO has no filter) counts as 1, as
    ``f(r)`` does in the recommenders' scores, so it always passes. ``accepted_only``:
    only edges a majority of human annotators accepted (``accepted = true``, from
    ``eval/judgments.parquet`` at load time); unjudged edges are left out.

    Raises:
        QueryError: ``min_score`` is not a number in ``0..1``.
    """
    if isinstance(min_score, bool) or not isinstance(min_score, int | float) \
            or not 0 <= min_score <= 1:
        raise QueryError(f"min_score must be a number in 0..1, not {min_score!r}")
    return {"include_rejected": bool(include_rejected), "min_score": float(min_score),
            "accepted_only": bool(accepted_only)}


def is_filtered(min_score: float, accepted_only: bool) -> bool:
    """A score or human-acceptance filter is set: the aggregates kept at load time
    (which count every kept or every assertion) cannot answer; the edges must be read."""
    return min_score > 0 or accepted_only


def check_text(text: str, what: str) -> str:
    """Return ``text`` stripped; reject empty or over-long search text.

    Raises:
        QueryError: the text is empty or longer than ``MAX_TEXT`` characters.
    """
    clean = text.strip() if isinstance(text, str) else ""
    if not clean:
        raise QueryError(f"{what} must not be empty")
    if len(clean) > MAX_TEXT:
        raise QueryError(f"{what} is {len(clean)} characters long; the limit is {MAX_TEXT}")
    return clean


def relation_ids(relations: Sequence[str] | None) -> list[str] | None:
    """Canonical relation ids for user-given names (aliases, any case); ``None`` means all.

    A name both domains know (``open``, ``other``) selects both domains' relations.

    Raises:
        QueryError: a name is unknown; the message lists the known relations.
    """
    if not relations:
        return None
    out: list[str] = []
    for name in relations:
        found: list[str] = []
        for domain in ("post", "cobuy"):
            try:
                found.append(resolve(name, domain).id)
            except ConfigError:
                continue
        if not found:
            try:
                resolve(name)
            except ConfigError as exc:
                raise QueryError(str(exc)) from exc
        out.extend(r for r in found if r not in out)
    return out


def read(store: GraphStore, name: str, params: Mapping[str, Any]) -> Sequence[dict[str, Any]]:
    """Run the helper query ``name`` (a file in ``queries/cypher``) in a read transaction."""
    query = load_cypher(CYPHER_PACKAGE, name, store.dialect)
    log.debug("query %s %s", name, {k: v for k, v in params.items() if k != "vector"})
    return store.read(query, dict(params))


def concept_ids(store: GraphStore, concept: str) -> list[str]:
    """Ids of the concept(s) meant by ``concept``: an id (``concept:...``) or a name.

    Several WordNet senses can share a name; all of them are returned.

    Raises:
        NotFoundError: no concept has that name.
    """
    concept = check_text(concept, "concept")
    if concept.startswith("concept:"):
        return [concept]
    rows = read(store, "concept_lookup", {"name": concept})
    if not rows:
        raise NotFoundError(
            f"no concept named {concept!r}; find names with "
            "`intentkg query search-concepts <text>` or pass a concept id"
        )
    return [str(row["id"]) for row in rows]


def intention_row(store: GraphStore, intention: str) -> dict[str, Any]:
    """The Intention node meant by ``intention``: its id (``intention:...``) or its text.

    Text is normalized the way canonical ids are made (:meth:`Intention.make_id`);
    a phrase the build merged into another intention finds that intention (its alias).

    Raises:
        NotFoundError: no such intention.
    """
    intention = check_text(intention, "intention")
    key = intention if intention.startswith("intention:") else Intention.make_id(intention)
    rows = read(store, "intention_lookup", {"id": key})
    if not rows and not intention.startswith("intention:"):
        # a phrase the build merged into another node is one of that node's aliases
        rows = read(store, "intention_alias_lookup", {"text": normalize_intention(intention)})
    if not rows:
        raise NotFoundError(
            f"no intention {intention!r} in the graph; find intentions with "
            "`intentkg query search-intentions <text>`"
        )
    return dict(rows[0])
