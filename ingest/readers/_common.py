"""Helpers shared by the readers."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import ValidationError

from ingest.clean import clean_html, clean_post_text
from ingest.lang import post_lang
from ingest.report import IngestProblem, Item, Reason
from ingest.timefmt import utc_iso
from kg.records import CoBuy, ImageRef, Post, Product

__all__ = [
    "cobuys",
    "first_json",
    "image_refs",
    "make_post",
    "make_product",
    "problem",
    "str_list",
]


def problem(path: object, line: int, reason: str, detail: str) -> IngestProblem:
    """Shorthand for an :class:`IngestProblem` about ``path:line``."""
    return IngestProblem(str(path), line, reason, detail[:300])


def str_list(value: Any) -> list[str]:
    """``value`` as a list of non-empty strings (a string becomes a one-item list)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return []


def image_refs(uris: Iterable[str | None]) -> list[ImageRef]:
    """One :class:`ImageRef` per distinct non-empty uri, in order."""
    seen: dict[str, None] = {}
    for uri in uris:
        if uri and isinstance(uri, str) and uri.strip():
            seen.setdefault(uri.strip(), None)
    return [ImageRef(uri=u) for u in seen]


def make_product(path: object, line: int, **fields: Any) -> Product | IngestProblem:
    """Build a :class:`Product`, cleaning HTML from text fields; a bad record becomes a problem."""
    asin = str(fields.get("id") or "").strip()
    if not asin:
        return problem(path, line, Reason.MISSING_ID, "product without an ASIN")
    fields["id"] = asin
    for key in ("title", "brand", "category", "description"):
        value = fields.get(key)
        fields[key] = clean_html(value) if isinstance(value, str) else None
    fields["categories"] = [c for c in (clean_html(x) for x in fields.get("categories", []))
                            if c]
    fields["features"] = [f for f in (clean_html(x) for x in fields.get("features", [])) if f]
    try:
        return Product(**fields)
    except ValidationError as exc:
        return problem(path, line, Reason.INVALID, f"product {asin}: {_first_error(exc)}")


def make_post(
    path: object, line: int, *, source: str, source_id: Any, text: Any,
    quoted: str | None = None, **fields: Any,
) -> Post | IngestProblem:
    """Build a :class:`Post`; ``clean_text`` is derived from ``text`` (and a quoted text).

    ``created_at`` (in ``fields``) is normalized to UTC ISO-8601 (:func:`ingest.timefmt.utc_iso`).
    ``lang`` (in ``fields``) is the source's own language tag, if any; the post gets
    it when it is ISO 639-1, else the language detected from the post's own cleaned
    text, without the quoted text (see :func:`ingest.lang.post_lang`).
    """
    sid = str(source_id).strip() if source_id is not None else ""
    if not sid:
        return problem(path, line, Reason.MISSING_ID, f"{source} post without an id")
    if not isinstance(text, str) or not text.strip():
        return problem(path, line, Reason.MISSING_TEXT, f"{source} post {sid} has no text")
    clean = clean_post_text(text)
    fields["lang"] = post_lang(fields.get("lang"), clean)
    fields["created_at"] = utc_iso(fields.get("created_at"))
    if quoted:
        clean = f"{clean} | quoting: {clean_post_text(quoted)}".strip()
    try:
        return Post(id=Post.make_id(source, sid), source=source, source_id=sid, text=text,
                    clean_text=clean, **fields)
    except ValidationError as exc:
        return problem(path, line, Reason.INVALID, f"post {sid}: {_first_error(exc)}")


def cobuys(
    asin: str, others: Iterable[Any], *, source: str, category: str | None
) -> Iterator[Item]:
    """One :class:`CoBuy` per other ASIN (self-pairs are left for the run to count)."""
    for other in others:
        other_id = str(other).strip()
        if other_id and asin:
            yield CoBuy.of(asin, other_id, source=source, category=category)


def first_json(head: str) -> Any:
    """The first line of ``head`` decoded as JSON, or ``None``."""
    line = head.lstrip("\ufeff \t\r\n").split("\n", 1)[0]
    try:
        return json.loads(line)
    except ValueError:
        return None


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
