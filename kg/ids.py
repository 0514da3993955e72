"""Stable, content-derived identifiers.

Ids never depend on run order, so re-running a stage on the same input gives the
same ids and ``MERGE`` on them never duplicates a node.

Intention text has one normaliser, :func:`normalize_intention`: node text,
intention ids (:meth:`kg.records.Intention.make_id`) and lookups by text all
use it. Models and crowd workers often repeat the relation's template or a
little boilerplate ("to", "because", "they both are used for", "the person
wants to", ATOMIC's leading "PersonX") in front of the intention; stripping it
lets "because they both are used for keeping warm", "To keep warm." and
"PersonX wants to keep warm" meet. The relation an intention was stated under
travels on the assertion edge, not in the node text, so "they both are a type
of X" and "they both are related to X" both normalise to "X".
:func:`normalize_intention` is idempotent, so it may be applied to user input
and to node text alike.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from functools import lru_cache

__all__ = ["BOILERPLATE", "PLACEHOLDERS", "content_id", "normalize_intention", "normalize_text",
           "pair_id"]

_SPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Return ``text`` NFKC-normalized, lower-cased, with collapsed whitespace.

    Trailing sentence punctuation is dropped so "Keep warm." and "keep warm" agree.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _SPACE.sub(" ", text).strip()
    return text.rstrip(" .!;,")


def content_id(kind: str, *parts: str) -> str:
    """Hash ``kind`` and ``parts`` into a 32-hex-digit id prefixed by ``kind``.

    Args:
        kind: a short namespace such as ``"intention"`` or ``"cobuy"``.
        *parts: the strings that identify the object; they are not normalized here.

    Returns:
        ``"<kind>:<32 hex digits>"``.
    """
    h = hashlib.blake2b(digest_size=16)
    h.update(kind.encode())
    for part in parts:
        h.update(b"\x1f")
        h.update(part.encode("utf-8", "surrogatepass"))
    return f"{kind}:{h.hexdigest()}"


def pair_id(a: str, b: str) -> str:
    """Id of an unordered pair of product ids (co-buy): the same for (a, b) and (b, a)."""
    first, second = sorted((a, b))
    return content_id("cobuy", first, second)


PLACEHOLDERS = ("personx", "persony", "personz", "peoplex", "peopley")
"""ATOMIC's and CSKB's participant placeholders as normalised text writes them; PersonX, the
subject, is dropped where it leads an intention."""

_SUBJECTS = ("they both", "they are both", "they were both", "both", "they", "the person",
             "the user", "personx", "he", "she", "i", "we")
_WANTS = ("intends to", "intended to", "intend to", "wants to", "wanted to", "want to",
          "needs to", "needed to", "need to", "would like to", "wishes to", "wished to",
          "wish to", "is looking to", "was looking to", "wants", "wanted", "want")

_KINDS = ("a type of", "a kind of", "a manner of", "defined as", "related to", "the category of",
          "the topic of")
"""Templates that introduce what kind of thing a product is: the rest is a name or a class."""

BOILERPLATE: tuple[str, ...] = (
    "personx bought a product of item a and a product of item b",
    "the user posts this because they intend to",
    "the user posts this because they want to",
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
    *(f"{s} {w}" for s in _SUBJECTS for w in _WANTS),
    *_WANTS,
    "they could both be", "they can both be", "they both could be", "they both can be",
    "they would both be", "could both be", "could be", "can be",
    "have a property of being", "have the property of being", "has a property of being",
    "have a property of", "have the property of", "has a property of",
    "capable of being used as", "capable of being used for", "capable of being used to",
    "capable of being used in", "capable of being used with", "capable of being used",
    "capable of",
    "being used as", "being used for", "being used to",
    "used as", "used for", "used to", "used in", "used with", "used on", "used by",
    # a co-buy relation's words also lead without "because they both are" ("they are
    # distinct from", see _prefix_re); "symbols of" is "a symbol of" said in the plural
    "they are", "symbols of",
    *_KINDS,
    "personx",
    "to",
)
"""Leading phrases removed (longest first) after the relation templates."""

_LISTED = re.compile(
    r"^(?:the )?(?P<name>.+?)(?: (?:in|on|from) (?:the |its |their |our )?(?:same )?"
    r"(?:amazon(?:\.com)? )?(?:product (?:title|name|description|category)|search results"
    r"|description|database|website|title|listing|catalog|(?:[\w&-]+ )?category"
    r"|categor(?:y|ies) of [^,;]+)| category|(?: (?:in|on|at|from) amazon(?:\.com)?)+)$")
"""Where a model says it read the name ("defined as "Sony" in the product title", "related
to the watch category", "defined as "Radio" in Amazon.com", "defined as "Gemstone Jewelry"
in the category of "Jewelry" in Amazon"): after a kind template the place is no part of
what the product is."""

_FOUND_IN = re.compile(
    r"^(?:found|listed|sold) (?:in|under) (?:the )?(?:categor(?:y|ies) (?:of )?(?P<a>.+)"
    r"|(?P<b>.+?) categor(?:y|ies)(?: (?:of|on|at) amazon(?:\.com)?)?)$")
"""A product's category said as where it is found ("found in the "Jewelry" category")."""

_NO_NAME = ("same", "different", "other", "their", "its", "this", "that", "a ", "an ", "one ")
"""Words that make "the same category" a comparison, not a category's name."""

_CLAUSE = re.compile(r"\b(?:are|is|was|were|both|they|it)\b")
"""A clause before the place ("star wars and both are in the same category"): kept whole."""

_QUOTES = re.compile(r"^[\"'`“”‘’\s]+|[\"'`“”‘’\s]+$")
_INNER_QUOTES = re.compile(r"[\"“”]")
_TAGS = re.compile(r"<[^>]{0,200}>")
_BULLET = re.compile(r"^(?:[-*•]+|\d+[.)])\s*")
_POSSESSIVE = re.compile(r"\b(" + "|".join(PLACEHOLDERS) + r") ?'s\b")


_BOTH_ARE = "because they both are "
"""How the co-buy relation templates start (:data:`kg.relations.REGISTRY`)."""


@lru_cache(maxsize=1)
def _prefix_re() -> re.Pattern[str]:
    from kg.relations import REGISTRY

    templates = {normalize_text(r.template) for r in REGISTRY.values()}
    # "because they both are distinct from": "distinct from" alone leads too
    templates |= {t.removeprefix(_BOTH_ARE) for t in templates if t.startswith(_BOTH_ARE)}
    # Longest first so a template wins over the boilerplate it starts with.
    alts = sorted(templates | set(BOILERPLATE), key=lambda p: (-len(p), p))
    return re.compile(r"^(?:" + "|".join(re.escape(a) for a in alts) + r") [ ,:;-]*(?=\S)")


def normalize_intention(text: str) -> str:
    """Return ``text`` normalised for comparison, as node text and for ids.

    Unescapes HTML and drops tags, lower-cases (NFKC), collapses whitespace,
    drops quotes, list bullets and trailing punctuation, then removes leading
    relation templates and boilerplate repeatedly ("because they both are used
    for to keep warm" → "keep warm"; "PersonX wants to help PersonY" → "help
    persony"). A phrase that is only boilerplate is kept as it was normalised.
    """
    text = _TAGS.sub(" ", html.unescape(text)) if ("&" in text or "<" in text) else text
    norm = normalize_text(_BULLET.sub("", _QUOTES.sub("", text)))
    norm = _INNER_QUOTES.sub("", norm)
    norm = _POSSESSIVE.sub(lambda m: "his" if m.group(1) == "personx" else m.group(0), norm)
    prefix = _prefix_re()
    kind = False
    while True:
        match = prefix.match(norm)
        kind = kind or (match is not None and any(k in match.group(0) for k in _KINDS))
        stripped = _QUOTES.sub("", norm[match.end():] if match else norm)
        if stripped == norm:
            break
        norm = stripped
    return _category_name(norm.rstrip(" .!;,"), kind)


def _category_name(norm: str, kind: bool) -> str:
    """The category a FolkScope assertion names, without where it was read or found:
    "jewelry in the description" (after a kind template) and "found in the jewelry
    category" are "jewelry"; "found in the same category" stays."""
    name = None
    if found := _FOUND_IN.match(norm):
        name = found.group("a") or found.group("b")
    elif kind and (listed := _LISTED.match(norm)):
        name = listed.group("name")
    if not name or name.startswith(_NO_NAME) or _CLAUSE.search(name):
        return norm
    return _QUOTES.sub("", name).rstrip(" .!;,") or norm
