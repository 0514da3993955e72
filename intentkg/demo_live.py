"""``intentkg demo --live``: part of the bundled example through a real local model.

The local llama.cpp server (``llm.backend = "local"``, SmolLM2-135M-Instruct by
default) answers every call. To stay within minutes on a CPU, the run keeps the
posts and co-buy pairs the demo's questions are about (plus a few more posts) and
asks for four relations per domain. A tiny CPU model proves the system end to
end, not the quality of the knowledge.
"""

from __future__ import annotations

from pathlib import Path

from intentkg.demo_answers import DEMO_PAIR, DEMO_POST, DEMO_PRODUCT, DEMO_RECOMMEND_FROM
from kg.io import read_records, write_records
from kg.records import CoBuy, Post
from kg.workdir import WorkDir

__all__ = ["LIVE_RELATIONS", "parse_rate", "trim_to_live_subset"]

LIVE_RELATIONS = ["xIntent", "xNeed", "xReact", "oReact",
                  "usedFor", "capableOf", "isA", "relatedTo"]
LIVE_POSTS = 6
LIVE_PAIRS = 6


def trim_to_live_subset(workdir: Path) -> None:
    """Keep the demo's post and pairs (and a few more posts) in ``workdir/ingest``."""
    wd = WorkDir(workdir)
    posts = read_records(wd.ingest("posts"), Post)
    keep = [p for p in posts if p.id == DEMO_POST]
    keep += [p for p in posts if p.id != DEMO_POST][:LIVE_POSTS - len(keep)]
    write_records(wd.ingest("posts"), keep)
    wanted = {DEMO_PRODUCT, DEMO_RECOMMEND_FROM, *DEMO_PAIR}
    pairs = read_records(wd.ingest("cobuys"), CoBuy)
    first = [c for c in pairs if {c.product_a, c.product_b} == set(DEMO_PAIR)]
    more = [c for c in pairs if c not in first and wanted & {c.product_a, c.product_b}]
    rest = [c for c in pairs if c not in first and c not in more]
    write_records(wd.ingest("cobuys"), (first + more + rest)[:LIVE_PAIRS])


def parse_rate(workdir: Path, model: str) -> tuple[int, int]:
    """(usable answers, answers) of ``model`` in the work dir's call log."""
    from distill.cache import LLMCache

    cache = LLMCache(WorkDir(workdir).llm_cache)
    try:
        return cache.parse_stats(model)
    finally:
        cache.close()
