"""IntentionQA question files (FolkScope-derived): each line names a co-bought pair.

Each line gives both products (ASIN and name) and their co-buy; the questions
themselves are evaluation data and are not read here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ingest.readers._common import make_cobuy, make_product, problem
from ingest.registry import ReadOptions, register_reader
from ingest.report import Item, Reason
from ingest.textio import iter_json_array

__all__ = ["read_intentionqa"]


@register_reader("intentionqa.v1", description="IntentionQA JSON lines (item_a_id, item_b_id)",
                 sniff=lambda head, path: '"item_a_id"' in head and '"item_b_id"' in head)
def read_intentionqa(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """Products and co-buys from IntentionQA ``QA_fullInfo_*.jsonl``."""
    for line, obj in iter_json_array(path):
        if isinstance(obj, ValueError):
            yield problem(path, line, Reason.MALFORMED, str(obj))
            continue
        if not isinstance(obj, dict) or not obj.get("item_a_id") or not obj.get("item_b_id"):
            yield problem(path, line, Reason.MISSING_ID, "expected item_a_id and item_b_id")
            continue
        a, b = obj["item_a_id"], obj["item_b_id"]
        yield make_product(path, line, id=a, title=obj.get("item_a_name"), source="intentionqa")
        yield make_product(path, line, id=b, title=obj.get("item_b_name"), source="intentionqa")
        yield make_cobuy(path, line, a, b, source="intentionqa")
