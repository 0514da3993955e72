"""Stable, content-derived identifiers.

Ids never depend on run order, so re-running a stage on the same input gives the
same ids and ``MERGE`` on them never duplicates a node.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["content_id", "normalize_text", "pair_id"]

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
