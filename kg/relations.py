"""The relation registry: the single source of truth for relation names.

MIKO (social posts) uses the nine ATOMIC social relations plus ``open``;
MIND/FolkScope (co-buy pairs) uses ConceptNet-style commonsense relations.
Released data spells some of them differently (``propertOf``, ``other``,
``causeEffect``); :func:`resolve` maps every alias to one canonical relation.

Graph relationship types come only from :attr:`Relation.graph_type` here, never
from model output, so nothing a model writes can reach a Cypher label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from kg.errors import ConfigError

__all__ = [
    "COBUY_RELATIONS",
    "POST_RELATIONS",
    "REGISTRY",
    "Domain",
    "Relation",
    "relations_for",
    "resolve",
]

Domain = Literal["post", "cobuy"]


@dataclass(frozen=True)
class Relation:
    """One relation type.

    Attributes:
        id: canonical camelCase id (``xIntent``, ``usedFor``).
        domain: ``"post"`` (MIKO) or ``"cobuy"`` (MIND/FolkScope).
        template: the natural-language prefix an intention completes.
        question: what the model is asked to complete, in plain words.
        aliases: other spellings found in released data.
        type_name: relationship type when the derived one would clash with a fixed type
            of the schema (``isA`` would be ``IS_A``, the concept hierarchy's type).
    """

    id: str
    domain: Domain
    template: str
    question: str
    aliases: tuple[str, ...] = field(default=())
    type_name: str | None = None

    @property
    def graph_type(self) -> str:
        """Relationship type in the graph: ``xIntent`` → ``X_INTENT``, ``isA`` → ``TYPE_OF``."""
        return self.type_name or re.sub(r"(?<!^)(?=[A-Z])", "_", self.id).upper()


_POST: tuple[Relation, ...] = (
    Relation("xIntent", "post", "The user posts this because they intend to",
             "why the user posts this (their intent)"),
    Relation("xNeed", "post", "Before posting this, the user needs to",
             "what the user needed to do before posting"),
    Relation("xWant", "post", "After posting this, the user wants to",
             "what the user wants to do after posting"),
    Relation("xEffect", "post", "As a result of posting this, the user will",
             "what happens to the user as a result"),
    Relation("xReact", "post", "After posting this, the user feels",
             "how the user feels after posting"),
    Relation("xAttr", "post", "The user who posts this is seen as",
             "how the user is seen by others"),
    Relation("oEffect", "post", "As a result of this post, others will",
             "what happens to others as a result"),
    Relation("oReact", "post", "After seeing this post, others feel",
             "how others feel after seeing the post"),
    Relation("oWant", "post", "After seeing this post, others want to",
             "what others want to do after seeing the post"),
    Relation("open", "post", "The user posts this because",
             "any other reason the user posts this", aliases=("other",)),
)

_COBUY: tuple[Relation, ...] = (
    Relation("usedFor", "cobuy", "because they both are used for",
             "what both products are used for together"),
    Relation("capableOf", "cobuy", "because they both are capable of",
             "what both products are capable of"),
    Relation("isA", "cobuy", "because they both are a type of",
             "what type of thing both products are", type_name="TYPE_OF"),
    Relation("partOf", "cobuy", "because they both are a part of",
             "what larger whole both products are part of"),
    Relation("madeOf", "cobuy", "because they both are made of",
             "what both products are made of"),
    Relation("propertyOf", "cobuy", "because they both have the property of being",
             "a property both products share", aliases=("propertOf", "propertyof")),
    Relation("similarTo", "cobuy", "because they both are similar to",
             "what both products are similar to"),
    Relation("symbolOf", "cobuy", "because they both are a symbol of",
             "what both products symbolize"),
    Relation("definedAs", "cobuy", "because they both are defined as",
             "how both products are defined"),
    Relation("mannerOf", "cobuy", "because they both are a manner of",
             "what activity both products are a manner of"),
    Relation("createdBy", "cobuy", "because they both are created by",
             "who or what created both products"),
    Relation("deriveFrom", "cobuy", "because they both are derived from",
             "what both products are derived from", aliases=("derivedFrom",)),
    Relation("distinctFrom", "cobuy", "because they both are distinct from",
             "what both products are distinct from"),
    Relation("relatedTo", "cobuy", "because they both are related to",
             "what both products are related to"),
    Relation("can", "cobuy", "because the person can",
             "what the buyer can do with both products"),
    Relation("cause", "cobuy", "because they both cause",
             "what the products cause", aliases=("causeEffect", "causes")),
    Relation("effect", "cobuy", "because the effect is",
             "what effect the buyer wants from both products", aliases=("causeDesire",)),
    Relation("cobuyOpen", "cobuy", "because",
             "any other reason to buy both", aliases=("open", "other")),
)

REGISTRY: dict[str, Relation] = {r.id: r for r in _POST + _COBUY}


def _key(name: str) -> str:
    return name.strip().replace("_", "").replace(" ", "").casefold()


_ALIASES: dict[tuple[Domain, str], Relation] = {}
for _rel in _POST + _COBUY:
    for _name in (_rel.id, *_rel.aliases):
        _ALIASES.setdefault((_rel.domain, _key(_name)), _rel)


def resolve(name: str, domain: Domain | None = None) -> Relation:
    """Return the canonical relation for ``name`` or one of its aliases.

    Args:
        name: a relation name as found in data or given by a user (any case).
        domain: restricts the lookup; ``open``/``other`` need it because both
            domains have an open relation. Without it, posts win.

    Raises:
        ConfigError: the name is unknown; the message lists the known names.
    """
    domains: tuple[Domain, ...] = (domain,) if domain else ("post", "cobuy")
    for d in domains:
        rel = _ALIASES.get((d, _key(name)))
        if rel is not None:
            return rel
    known = ", ".join(sorted(r.id for r in REGISTRY.values() if domain in (None, r.domain)))
    raise ConfigError(f"unknown relation {name!r}; known relations: {known}")


def relations_for(domain: Domain, names: list[str] | None = None) -> list[Relation]:
    """Relations of ``domain`` in registry order, or just ``names`` (aliases allowed)."""
    if names:
        return [resolve(n, domain) for n in names]
    return [r for r in REGISTRY.values() if r.domain == domain]


POST_RELATIONS: tuple[str, ...] = tuple(r.id for r in _POST)
COBUY_RELATIONS: tuple[str, ...] = tuple(r.id for r in _COBUY)
