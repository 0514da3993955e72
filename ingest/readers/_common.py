"""Helpers shared by the readers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import ValidationError

from ingest.clean import clean_html, clean_post_text, has_markup
from ingest.lang import post_lang
from ingest.report import IngestProblem, Item, Reason, note, printable
from ingest.timefmt import utc_iso
from kg.records import CoBuy, ImageRef, Post, Product, Record

__all__ = [
    "check_text",
    "cobuys",
    "first_json",
    "guarded",
    "id_text",
    "image_refs",
    "make_cobuy",
    "make_post",
    "make_product",
    "problem",
    "str_list",
]


def problem(path: object, line: int, reason: str, detail: str) -> IngestProblem:
    """Shorthand for an :class:`IngestProblem` about ``path:line`` (detail made printable)."""
    return IngestProblem(printable(str(path), 1000), line, reason, printable(detail))


def id_text(value: Any) -> str | None:
    """An id as text: a string or an integer; ``None`` for anything else (lists, objects...)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int):
        return str(value)
    return None


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", tuple: "a list", bool: "a boolean",
            float: "a number", int: "a number"}.get(type(value), type(value).__name__)


_ESCAPED = re.compile(r"\\udc[89a-f][0-9a-f]")


def check_text(path: object, line: int, rec: Record) -> Record | IngestProblem:
    """``rec``, or the problem with its text: bytes that were not UTF-8, a lone surrogate
    (``\\ud800`` in JSON), or a NUL character (the graph store cuts strings there)."""
    try:
        dumped = rec.model_dump_json()
    except ValueError:
        if _ESCAPED.search(repr(rec.model_dump())):  # surrogateescape'd bytes: U+DC80..U+DCFF
            return problem(path, line, Reason.INVALID_UTF8,
                           "bytes that are not UTF-8; re-encode the file as UTF-8")
        return problem(path, line, Reason.LONE_SURROGATE,
                       "a lone surrogate (such as \\ud800) in a text field")
    if "\\u0000" in dumped:
        return problem(path, line, Reason.NUL_CHARACTER, "a NUL character (\\u0000) in a text "
                       "field; the graph store would cut the text there")
    return rec


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
    """Build a :class:`Product`, cleaning HTML from text fields; a bad record becomes a problem.

    A title that is not a string (a list, an object) is a problem, not an empty title;
    markup removed from a title is counted (``html_in_title``, ``title_only_html``).
    """
    raw_id = fields.get("id")
    asin = id_text(raw_id)
    if raw_id is not None and asin is None:
        return problem(path, line, Reason.WRONG_TYPE,
                       f"the product id is {_kind(raw_id)}, expected a string")
    if not asin:
        return problem(path, line, Reason.MISSING_ID, "product without an ASIN")
    fields["id"] = asin
    title = fields.get("title")
    if title is not None and not isinstance(title, str):
        return problem(path, line, Reason.WRONG_TYPE,
                       f"product {asin}: the title is {_kind(title)}, expected a string")
    for key in ("title", "brand", "category", "description"):
        value = fields.get(key)
        fields[key] = clean_html(value) if isinstance(value, str) else None
    if isinstance(title, str) and has_markup(title):
        kind = "html_in_title" if fields["title"] else "title_only_html"
        note(kind, path, line, f"product {asin}: {title[:80]!r}")
    fields["categories"] = [c for c in (clean_html(x) for x in fields.get("categories", []))
                            if c]
    fields["features"] = [f for f in (clean_html(x) for x in fields.get("features", [])) if f]
    try:
        product = Product(**fields)
    except ValidationError as exc:
        return problem(path, line, Reason.INVALID, f"product {asin}: {_first_error(exc)}")
    checked = check_text(path, line, product)
    return checked if isinstance(checked, Product | IngestProblem) else product


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
    sid = id_text(source_id)
    if source_id is not None and sid is None:
        return problem(path, line, Reason.WRONG_TYPE,
                       f"{source} post id is {_kind(source_id)}, expected a string or integer")
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
        post = Post(id=Post.make_id(source, sid), source=source, source_id=sid, text=text,
                    clean_text=clean, **fields)
    except ValidationError as exc:
        return problem(path, line, Reason.INVALID, f"post {sid}: {_first_error(exc)}")
    checked = check_text(path, line, post)
    return checked if isinstance(checked, Post | IngestProblem) else post


def make_cobuy(path: object, line: int, a: Any, b: Any, *, source: str,
               category: str | None = None) -> CoBuy | IngestProblem:
    """A :class:`CoBuy` of two ids (strings or integers), or the problem with them."""
    ida, idb = id_text(a), id_text(b)
    if ida is None or idb is None:
        bad = a if ida is None else b
        return problem(path, line, Reason.WRONG_TYPE,
                       f"a co-bought id is {_kind(bad)}, expected a string")
    if not ida or not idb:
        return problem(path, line, Reason.MISSING_ID, "a co-buy needs two ids")
    try:
        pair = CoBuy.of(ida, idb, source=source, category=category)
    except UnicodeError:
        return problem(path, line, Reason.INVALID_UTF8,
                       "an id with bytes that are not UTF-8 or a lone surrogate")
    checked = check_text(path, line, pair)
    return checked if isinstance(checked, CoBuy | IngestProblem) else pair


def cobuys(
    asin: str, others: Iterable[Any], *, source: str, category: str | None,
    path: object = "", line: int = 0,
) -> Iterator[Item]:
    """One :class:`CoBuy` per other ASIN (self-pairs are left for the run to count)."""
    for other in others:
        other_id = id_text(other)
        if other_id and asin:
            yield make_cobuy(path, line, asin, other_id, source=source, category=category)


def guarded(path: object, line: int, items: Iterable[Item]) -> Iterator[Item]:
    """``items`` (one input record's output); a record of an unexpected shape (a list where
    an object belongs...) becomes a ``malformed`` problem instead of stopping the file."""
    try:
        yield from items
    except (AttributeError, KeyError, TypeError, ValueError, IndexError, RecursionError) as exc:
        yield problem(path, line, Reason.MALFORMED,
                      f"unexpected structure ({type(exc).__name__}: {exc})")


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
