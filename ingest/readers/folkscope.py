"""FolkScope / MIND files: product and pair TSVs, and the crowdsourcing annotation CSV.

* ``folkscope_products``: ``asin<TAB>title<TAB>category`` per line (optional header).
* ``folkscope_pairs``: ``asin_a<TAB>asin_b`` per line (optional header, extra columns ignored).
* ``folkscope_csv``: the crowdsourcing batch CSV, two assertion blocks per row
  (suffixes ``_1`` and ``_2``), quoted fields spanning lines. Each block gives both
  products (name, category, up to three image URLs) and their co-buy; the
  annotated intention itself belongs to distillation and is not read here.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from ingest.readers._common import image_refs, make_cobuy, make_product, problem
from ingest.registry import ReadOptions, register_reader
from ingest.report import Item, Reason
from ingest.textio import iter_lines, open_text

__all__ = ["read_folkscope_csv", "read_folkscope_pairs", "read_folkscope_products"]

_ASIN = re.compile(r"^[A-Z0-9]{10}$")
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def _tsv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    for number, line in iter_lines(path):
        cells = [c.strip() for c in line.split("\t")]
        if number == 1 and not _ASIN.match(cells[0]) and cells[0].lower().startswith(
                ("asin", "id", "item")):
            continue  # header
        yield number, cells


def _sniff_tsv(columns: int) -> Callable[[str, Path], bool]:
    def sniff(head: str, path: Path) -> bool:
        lines = [ln for ln in head.splitlines()[:6] if ln.strip()]
        rows = [ln.split("\t") for ln in lines[1:-1] or lines[:1]]
        return bool(rows) and all(len(r) == columns and _ASIN.match(r[0].strip())
                                  for r in rows)
    return sniff


@register_reader("folkscope_products.v1", description="FolkScope asin<TAB>title<TAB>category",
                 sniff=_sniff_tsv(3))
def read_folkscope_products(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """Products from a FolkScope ``asin<TAB>title<TAB>category`` file."""
    for number, cells in _tsv_rows(path):
        if len(cells) < 2:
            yield problem(path, number, Reason.MALFORMED, "expected asin<TAB>title<TAB>category")
            continue
        yield make_product(path, number, id=cells[0], title=cells[1],
                           category=cells[2] if len(cells) > 2 else None, source="folkscope")


@register_reader("folkscope_pairs.v1", description="FolkScope asin_a<TAB>asin_b co-buy pairs",
                 sniff=_sniff_tsv(2))
def read_folkscope_pairs(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """Co-buys from a FolkScope ``asin_a<TAB>asin_b`` file."""
    for number, cells in _tsv_rows(path):
        if len(cells) < 2 or not cells[0] or not cells[1]:
            yield problem(path, number, Reason.MALFORMED, "expected asin_a<TAB>asin_b")
            continue
        yield make_cobuy(path, number, cells[0], cells[1], source="folkscope")


def _block(path: Path, line: int, row: dict[str, str], n: int) -> Iterator[Item]:
    def get(key: str) -> str:
        return (row.get(f"{key}_{n}") or "").strip()

    a, b = get("id_a"), get("id_b")
    if not a and not b and not get("Product_a"):
        return  # an empty second block
    if not a or not b:
        yield problem(path, line, Reason.MISSING_ID, f"block {n}: a co-buy needs id_a and id_b")
        return
    category = get("Cate") or None
    for side, asin in (("a", a), ("b", b)):
        yield make_product(
            path, line, id=asin, title=get(f"Product_{side}") or None,
            category=get(f"item_{side}_cate") or category,
            images=image_refs(get(f"item_{side}_img{k}_url") for k in (1, 2, 3)),
            source="folkscope")
    yield make_cobuy(path, line, a, b, source="folkscope", category=category)


@register_reader("folkscope_csv.v1",
                 description="FolkScope crowdsourcing CSV (two assertion blocks per row)",
                 sniff=lambda head, path: head.lstrip("\ufeff").startswith("id_a_1,id_b_1,"))
def read_folkscope_csv(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """Products and co-buys from a FolkScope ``crowdsourcing_integrate_*.csv``."""
    with open_text(path) as fh:
        reader = csv.DictReader(fh)
        start = 2  # the header is line 1
        try:
            for row in reader:
                for n in (1, 2):
                    yield from _block(path, start, row, n)
                start = reader.line_num + 1
        except csv.Error as exc:
            yield problem(path, reader.line_num, Reason.MALFORMED, f"CSV: {exc}")
