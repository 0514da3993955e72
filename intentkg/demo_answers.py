"""The helper queries the demo answers on the bundled example, printed as tables.

The questions (a concept, a post, a product, a pair, a phrase) are chosen for the
bundled example; the answers are real queries against the graph just loaded.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

import queries as q
from intentkg.common import printable
from kg.settings import Settings
from kg.store import GraphStore, open_store

__all__ = ["EXAMPLE_INPUTS", "print_demo_answers"]

EXAMPLE_INPUTS: tuple[str, ...] = (
    "tweets_v1.jsonl",
    "tweets_v2.jsonl",
    "mmsd.txt",
    "meta_Demo.json",
)
DEMO_CONCEPT = "beverage"
DEMO_POST = "twitter:1073941289759993066"
DEMO_PRODUCT = "B01L9TQB8K"
DEMO_RECOMMEND_FROM = "B07JHL5RT9"
DEMO_PAIR = ("B07JHL5RT9", "B00SLRB2H6")
DEMO_LIKE = "stay warm outdoors"


def print_demo_answers(settings: Settings, console: Console) -> None:
    """Open the store of ``settings`` and print the answers to the demo's questions."""
    from kg.embed import SentenceTransformerEmbedder

    store = open_store(settings)
    try:
        for question in (_by_concept, _of_post, _of_product, _recommend, _why):
            try:
                question(store, console)
            except q.NotFoundError as exc:  # a live model's graph may lack the demo's anchors
                console.print(Text(f"(no answer: {printable(str(exc))})"))
        encoder = SentenceTransformerEmbedder(settings.embed.model, device=settings.embed.device)
        hits = q.similar_intentions(store, encoder, DEMO_LIKE, limit=5)
        _table(
            console,
            f'Intentions like "{DEMO_LIKE}" (vector index)',
            ["intention", "support", "similarity"],
            [[h.text, str(h.support), f"{h.score:.3f}"] for h in hits],
        )
    finally:
        store.close()


def _by_concept(store: GraphStore, console: Console) -> None:
    groups = q.intentions_by_concept(store, DEMO_CONCEPT, depth=3, limit=3)
    rows = [
        [g.relation, i.text, str(i.subjects), ", ".join(i.concepts)]
        for g in groups[:6]
        for i in g.items
    ]
    _table(
        console,
        f'Intentions about the concept "{DEMO_CONCEPT}" and its hyponyms (analyst)',
        ["relation", "intention", "posts/pairs", "via concept"],
        rows,
    )


def _of_post(store: GraphStore, console: Console) -> None:
    found = q.intentions_of_post(store, DEMO_POST, limit=10)
    rows = [[a.relation, a.intention or "", a.raw_text or ""] for a in found]
    provenance = f" (model {found[0].model}, prompt {found[0].prompt_version})" if found else ""
    _table(
        console,
        f"Intentions of post {DEMO_POST}{provenance}",
        ["relation", "canonical intention", "model wrote"],
        rows,
    )


def _of_product(store: GraphStore, console: Console) -> None:
    rows = [
        [
            a.relation,
            a.intention,
            f"{a.filter_score:.2f}" if a.filter_score is not None else "",
            a.subject_id,
        ]
        for a in q.intentions_of_product(store, DEMO_PRODUCT, limit=8)
    ]
    _table(
        console,
        f"Intentions of product {DEMO_PRODUCT} (from its co-buy pairs)",
        ["relation", "intention", "filter score", "co-buy"],
        rows,
    )


def _recommend(store: GraphStore, console: Console) -> None:
    recs = q.similar_products(store, DEMO_RECOMMEND_FROM, limit=5)
    rows = [
        [
            r.id,
            r.title or "",
            f"{r.score:.2f}",
            "; ".join(f"{e.intention} ({e.relation})" for e in r.explanations),
        ]
        for r in recs
    ]
    _table(
        console,
        f"Products reachable from {DEMO_RECOMMEND_FROM} through shared intentions (recommender)",
        ["product", "title", "score", "because"],
        rows,
    )


def _why(store: GraphStore, console: Console) -> None:
    why = q.why_bought_together(store, *DEMO_PAIR, limit=5)
    rows = [
        [a.relation, a.intention, f"{a.filter_score:.2f}" if a.filter_score is not None else ""]
        for a in why.direct
    ]
    _table(
        console,
        f"Why were {DEMO_PAIR[0]} and {DEMO_PAIR[1]} bought together?",
        ["relation", "intention", "filter score"],
        rows,
    )


def _table(
    console: Console, title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]
) -> None:
    table = Table(title=Text(printable(title)), title_justify="left")
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:  # stored text: shown as is, never read as Rich markup
        table.add_row(*(Text(printable(cell)) for cell in row))
    if not rows:
        table.add_row(*(["(no answer)"] + [""] * (len(columns) - 1)))
    console.print(table)
