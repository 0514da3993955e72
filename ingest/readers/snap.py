"""SNAP ``amazon-meta.txt`` (Leskovec et al. 2007): product blocks with co-purchase lists.

A block starts at ``Id:``; ``ASIN:``, ``title:``, ``group:``, ``similar: <n> asin...``
and ``categories: <n>`` (followed by ``|A[1]|B[2]`` path lines) are read; review
lines are ignored. ``discontinued product`` blocks are skipped and counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ingest.readers._common import cobuys, make_product, problem
from ingest.registry import ReadOptions, register_reader
from ingest.report import Item, Reason
from ingest.textio import open_text
from kg.records import Product

__all__ = ["read_snap"]

_SEGMENT = re.compile(r"\|([^|\[]*)\[\d+\]")


def _category_path(line: str) -> str:
    return " > ".join(name.strip() for name in _SEGMENT.findall(line) if name.strip())


def _flush(path: Path, block: dict[str, object], line: int) -> Iterator[Item]:
    asin = str(block.get("asin") or "")
    if not asin:
        yield problem(path, line, Reason.MISSING_ID, "block without an ASIN line")
        return
    if block.get("discontinued"):
        yield problem(path, line, "discontinued", f"{asin}: discontinued product, no metadata")
        return
    group = block.get("group")
    category = group if isinstance(group, str) else None
    categories = block.get("categories")
    product = make_product(path, line, id=asin, title=block.get("title"), category=category,
                           categories=categories if isinstance(categories, list) else [],
                           source="snap")
    yield product
    similar = block.get("similar")
    if isinstance(product, Product) and isinstance(similar, list):
        yield from cobuys(asin, similar, source="snap", category=category, path=path, line=line)


@register_reader("snap.v1", description="SNAP amazon-meta.txt co-purchase blocks",
                 sniff=lambda head, path: bool(re.search(r"^Id:\s+\d+\s*$", head, re.M))
                 and "ASIN:" in head)
def read_snap(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """Products and co-buys (``similar`` lists) from a SNAP ``amazon-meta.txt(.gz)``."""
    block: dict[str, object] = {}
    start = 0
    with open_text(path) as fh:
        for number, raw in enumerate(fh, start=1):
            text = raw.strip()
            if text.startswith("Id:"):
                if block:
                    yield from _flush(path, block, start)
                block, start = {"id": text[3:].strip()}, number
            elif not block:
                continue
            elif text.startswith("ASIN:"):
                block["asin"] = text[5:].strip()
            elif text.startswith("title:"):
                block["title"] = text[6:].strip()
            elif text.startswith("group:"):
                block["group"] = text[6:].strip()
            elif text.startswith("similar:"):
                block["similar"] = text[8:].split()[1:]
            elif text.startswith("categories:"):
                block["categories"] = []
            elif text.startswith("|") and isinstance(block.get("categories"), list):
                cats = block["categories"]
                assert isinstance(cats, list)
                cats.append(_category_path(text))
            elif text == "discontinued product":
                block["discontinued"] = True
    if block:
        yield from _flush(path, block, start)
