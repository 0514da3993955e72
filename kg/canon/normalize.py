"""Normalisation of intention phrases before they are compared.

Models often repeat the relation's template or a little boilerplate ("to",
"because", "they both are used for ...") in front of the intention. Stripping
it lets "because they both are used for keeping warm" and "keeping warm" meet
at exact dedupe, before any embedding is computed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kg.ids import normalize_text
from kg.relations import REGISTRY

__all__ = ["BOILERPLATE", "normalize_intention"]

BOILERPLATE: tuple[str, ...] = (
    "the user posts this because they intend to",
    "the user posts this because they want to",
    "the user intends to",
    "the user wants to",
    "the user wanted to",
    "the user needs to",
    "they both are used for",
    "they are both used for",
    "both are used for",
    "both can be used for",
    "they both are",
    "they are both",
    "they both",
    "both are",
    "because of",
    "because",
    "in order to",
    "so that",
    "so as to",
    "intends to",
    "intend to",
    "wants to",
    "want to",
    "used for",
    "to",
)
"""Leading phrases removed (longest first) after the relation templates."""

_QUOTES = re.compile(r"^[\"'`“”‘’\s]+|[\"'`“”‘’\s]+$")
_BULLET = re.compile(r"^(?:[-*•]+|\d+[.)])\s*")


@lru_cache(maxsize=1)
def _prefix_re() -> re.Pattern[str]:
    templates = {normalize_text(r.template) for r in REGISTRY.values()}
    # Longest first so a template wins over the boilerplate it starts with.
    alts = sorted(templates | set(BOILERPLATE), key=lambda p: (-len(p), p))
    return re.compile(r"^(?:" + "|".join(re.escape(a) for a in alts) + r") [ ,:;-]*(?=\S)")


def normalize_intention(text: str) -> str:
    """Return ``text`` normalised for comparison.

    Lower-cases, collapses whitespace, drops quotes, list bullets and trailing
    punctuation, then removes leading relation templates and boilerplate
    repeatedly ("because they both are used for to keep warm" → "keep warm").
    A phrase that is only boilerplate is kept as it was normalised.
    """
    norm = normalize_text(_BULLET.sub("", _QUOTES.sub("", text)))
    norm = _QUOTES.sub("", norm)
    prefix = _prefix_re()
    while True:
        stripped = prefix.sub("", norm, count=1)
        if stripped == norm:
            break
        norm = stripped
    return norm.rstrip(" .!;,")
