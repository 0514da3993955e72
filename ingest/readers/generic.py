"""MIKO-style benchmark posts and generic JSON Lines / CSV posts with a column mapping.

MIKO-style format (what ``miko`` reads): a JSON array, or JSON Lines, of objects::

    {"id": "p1", "text": "Snow day! #WinterIsComing", "image": "images/p1.jpg",
     "label": null, "lang": "en", "created_at": "2024-01-02", "author": "ann"}

``id`` (string or integer, kept exact) and ``text`` are required; ``image`` is a
path or URL, or a list of them; the rest are optional. ``generic`` reads JSON Lines
or CSV (by extension: ``.csv``/``.tsv`` or else JSON) whose columns are named by
``ReadOptions.mapping`` (``id=tweet_id,text=body,image=img_path``); unmapped fields
are looked up under their own names.

``generic`` makes products instead of posts with ``record=product`` in the mapping,
or when the mapping names ``title`` and not ``text``
(``id=asin,title=name,category=cat,price=price,image=img``); product fields are
``id, title, brand, category, description, price, image``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ingest.clean import parse_price
from ingest.readers._common import guarded, image_refs, make_product, problem
from ingest.readers.social import post_from_mapping
from ingest.registry import ReadOptions, register_reader
from ingest.report import Item, Reason
from ingest.textio import iter_json_array, open_text
from kg.errors import IngestError

__all__ = ["read_generic", "read_miko"]


Row = Callable[[Path, int, dict[str, Any], str, dict[str, str]], Item]


def _json_rows(path: Path, source: str, mapping: dict[str, str], make: Row) -> Iterator[Item]:
    for line, obj in iter_json_array(path, big_ints_as_str=True):
        if isinstance(obj, ValueError):
            yield problem(path, line, Reason.MALFORMED, str(obj))
        elif not isinstance(obj, dict):
            yield problem(path, line, Reason.NOT_A_RECORD, "expected an object per record")
        else:
            yield from guarded(path, line, _one(make, path, line, obj, source, mapping))


def _one(make: Row, path: Path, line: int, obj: dict[str, Any], source: str,
         mapping: dict[str, str]) -> Iterator[Item]:
    yield make(path, line, obj, source, mapping)


def _json_posts(path: Path, source: str, mapping: dict[str, str]) -> Iterator[Item]:
    return _json_rows(path, source, mapping, post_from_mapping)


def product_from_mapping(path: Path, line: int, row: dict[str, Any], source: str,
                         mapping: dict[str, str]) -> Item:
    """A product from one input row, our field names mapped to the row's columns."""
    def get(field: str) -> Any:
        value = row.get(mapping.get(field, field))
        return value if value not in ("", None) else None

    images = get("image")
    uris = images if isinstance(images, list) else [images] if images else []
    text = {k: get(k) for k in ("brand", "category", "description")}
    return make_product(path, line, id=get("id"), title=get("title"),
                        price=parse_price(get("price")), source=source,
                        images=image_refs(str(u) for u in uris),
                        **{k: v if isinstance(v, str) else None for k, v in text.items()})


def _wants_products(mapping: dict[str, str]) -> bool:
    kind = mapping.get("record", "").lower()
    if kind in ("product", "products"):
        return True
    if kind in ("post", "posts"):
        return False
    if kind:
        raise IngestError(f"--map record={kind!r}: use record=post or record=product")
    return "title" in mapping and "text" not in mapping


@register_reader("miko.v1", description="MIKO-style posts: JSON array/lines of {id, text, image}",
                 sniff=lambda head, path: head.lstrip("\ufeff \n[").startswith('{"id"')
                 and '"text"' in head and '"image"' in head)
def read_miko(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """Posts from a MIKO-style benchmark file (see the module docstring)."""
    return _json_posts(path, "miko", {})


@register_reader("generic.v1", description="JSON lines or CSV posts (--map id=..,text=..) or "
                 "products (--map record=product,id=..,title=..)")
def read_generic(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """Posts from JSON Lines or CSV, columns named by ``options.mapping``."""
    options = options or ReadOptions()
    source = options.source or "generic"
    make: Row = product_from_mapping if _wants_products(options.mapping) else post_from_mapping
    suffixes = [s.lower() for s in path.suffixes]
    if ".csv" not in suffixes and ".tsv" not in suffixes:
        yield from _json_rows(path, source, options.mapping, make)
        return
    with open_text(path) as fh:
        reader = csv.DictReader(fh, delimiter="\t" if ".tsv" in suffixes else ",")
        start = 2
        try:
            for row in reader:
                yield make(path, start, dict(row), source, options.mapping)
                start = reader.line_num + 1
        except csv.Error as exc:
            yield problem(path, reader.line_num, Reason.MALFORMED, f"CSV: {exc}")
