"""Amazon product metadata: 2014 (Python literals), 2018 (JSON lines or array), 2023 (JSON lines).

Each record gives one :class:`Product` and one :class:`CoBuy` per co-purchased ASIN
(2014 ``related.also_bought`` + ``related.bought_together``, 2018 ``also_buy``,
2023 ``bought_together``). Views (``also_view``) are not purchases and are ignored.
Arrays are streamed element by element (:func:`ingest.textio.iter_json_array`);
``.gz`` is read transparently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ingest.clean import clean_html, parse_price
from ingest.readers._common import (
    cobuys,
    guarded,
    image_refs,
    make_product,
    problem,
    str_list,
)
from ingest.registry import ReadOptions, register_reader
from ingest.report import Item, Reason
from ingest.textio import iter_json_array
from kg.records import Product

__all__ = ["read_amazon_2014", "read_amazon_2018", "read_amazon_2023"]

Convert = Callable[[Path, int, dict[str, Any]], Iterator[Item]]


def _read(path: Path, convert: Convert) -> Iterator[Item]:
    for line, value in iter_json_array(path):
        if isinstance(value, ValueError):
            yield problem(path, line, Reason.MALFORMED, str(value))
        elif not isinstance(value, dict):
            yield problem(path, line, Reason.NOT_A_RECORD, f"expected an object, got "
                          f"{type(value).__name__}")
        else:
            yield from guarded(path, line, convert(path, line, value))


def _description(value: Any) -> str | None:
    parts = [p for p in (clean_html(x) for x in str_list(value)) if p]
    return "\n".join(parts) or None


def _from_2014(path: Path, line: int, obj: dict[str, Any]) -> Iterator[Item]:
    paths = [p for p in obj.get("categories") or [] if isinstance(p, list) and p]
    category = str(paths[0][0]) if paths else None
    product = make_product(
        path, line, id=obj.get("asin"), title=obj.get("title"), brand=obj.get("brand"),
        price=parse_price(obj.get("price")), description=_description(obj.get("description")),
        category=category, categories=[" > ".join(map(str, p)) for p in paths],
        images=image_refs([obj.get("imUrl")]), source="amazon2014")
    yield product
    related = obj.get("related") or {}
    if isinstance(related, dict) and isinstance(product, Product):
        others = str_list(related.get("also_bought")) + str_list(related.get("bought_together"))
        yield from cobuys(product.id, others, source="amazon2014", category=category,
                          path=path, line=line)


def _from_2018(path: Path, line: int, obj: dict[str, Any]) -> Iterator[Item]:
    categories = str_list(obj.get("category"))
    category = clean_html(obj.get("main_cat") or None) if isinstance(
        obj.get("main_cat"), str) else None
    category = category or (clean_html(categories[0]) if categories else None)
    images = (str_list(obj.get("imageURLHighRes")) or str_list(obj.get("imageURL"))
              or str_list(obj.get("image")))
    product = make_product(
        path, line, id=obj.get("asin"), title=obj.get("title"), brand=obj.get("brand"),
        price=parse_price(obj.get("price")), description=_description(obj.get("description")),
        category=category, categories=categories, features=str_list(obj.get("feature")),
        images=image_refs(images), source="amazon2018")
    yield product
    if isinstance(product, Product):
        yield from cobuys(product.id, str_list(obj.get("also_buy")),
                          source="amazon2018", category=category, path=path, line=line)


def _from_2023(path: Path, line: int, obj: dict[str, Any]) -> Iterator[Item]:
    asin = obj.get("parent_asin") or obj.get("asin")
    details: dict[str, Any] = obj["details"] if isinstance(obj.get("details"), dict) else {}
    brand = obj.get("store") or details.get("Brand") or details.get("Manufacturer")
    images = [
        img.get("hi_res") or img.get("large") or img.get("thumb")
        for img in obj.get("images") or [] if isinstance(img, dict)
    ]
    category = obj.get("main_category") if isinstance(obj.get("main_category"), str) else None
    product = make_product(
        path, line, id=asin, title=obj.get("title"),
        brand=brand if isinstance(brand, str) else None,
        price=parse_price(obj.get("price")), description=_description(obj.get("description")),
        category=category, categories=str_list(obj.get("categories")),
        features=str_list(obj.get("features")), images=image_refs(images), source="amazon2023")
    yield product
    if isinstance(product, Product):
        together = obj.get("bought_together")
        yield from cobuys(product.id, str_list(together), source="amazon2023", category=category,
                          path=path, line=line)


def _sniff(pattern: str) -> Callable[[str, Path], bool]:
    regex = re.compile(pattern)

    def sniff(head: str, path: Path) -> bool:
        return head.lstrip("\ufeff \t\r\n[").startswith("{") and bool(regex.search(head))
    return sniff


@register_reader("amazon2023.v1", description="Amazon Reviews 2023 item metadata (JSON lines)",
                 sniff=_sniff(r'"parent_asin"\s*:'))
def read_amazon_2023(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """Products and co-buys from an Amazon 2023 ``meta_*.jsonl(.gz)`` file."""
    return _read(path, _from_2023)


@register_reader("amazon2018.v1",
                 description="Amazon 2018 metadata (JSON lines or a JSON array, also_buy)",
                 sniff=_sniff(r'"asin"\s*:.*|"(also_buy|main_cat|imageURL|tech1)"\s*:'))
def read_amazon_2018(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """Products and co-buys from an Amazon 2018 ``meta_*.json(.gz)`` file (lines or array)."""
    return _read(path, _from_2018)


@register_reader("amazon2014.v1",
                 description="Amazon 2014 metadata (Python-literal lines, related.also_bought)",
                 sniff=_sniff(r"^\s*\{[^\n]*'asin': "))
def read_amazon_2014(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """Products and co-buys from an Amazon 2014 ``meta_*.json(.gz)`` file (Python literals)."""
    return _read(path, _from_2014)
