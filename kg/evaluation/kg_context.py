"""What the graph knows about a product, as sentences (IntentionQA's ``--with-kg`` context)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from kg.evaluation.layout import EvalPaths
from kg.io import iter_records
from kg.records import CoBuy, IntentionAssertion, Product
from kg.relations import REGISTRY
from kg.workdir import WorkDir

__all__ = ["intention_sentence", "product_intentions"]


def intention_sentence(a: IntentionAssertion, subject: str = "") -> str:
    """The assertion as a sentence through its relation's template.

    ``subject`` (for example the two product titles) opens co-buy sentences:
    ``'Someone bought "A" and "B" because they both are used for hiking.'``.
    """
    rel = REGISTRY.get(a.relation)
    template = rel.template if rel else a.relation
    text = a.text.rstrip(" .")
    if a.subject_kind == "cobuy":
        who = f"Someone bought {subject} " if subject else "Bought together "
        return f"{who}{template} {text}."
    return f"{template} {text}."


def product_intentions(workdir: Path, *, per_product: int = 5) -> dict[str, list[str]]:
    """ASIN → up to ``per_product`` kept co-buy intentions about it, best filter score first.

    Each sentence names the product it was bought with, so the context is readable
    on its own.
    """
    wd = WorkDir(workdir)
    titles = {p.id: p.title or p.id for p in iter_records(wd.ingest("products"), Product)}
    pairs = {c.id: c for c in iter_records(wd.ingest("cobuys"), CoBuy)}
    found: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for a in iter_records(EvalPaths(workdir).assertions, IntentionAssertion):
        pair = pairs.get(a.subject_id)
        if a.subject_kind != "cobuy" or not a.keep or pair is None:
            continue
        score = a.filter_score if a.filter_score is not None else 0.5
        for asin, other in ((pair.product_a, pair.product_b), (pair.product_b, pair.product_a)):
            sentence = intention_sentence(a, f'this with "{titles.get(other, other)}"')
            found[asin].append((-score, sentence))
    return {asin: [s for _, s in sorted(items)[:per_product]] for asin, items in found.items()}
