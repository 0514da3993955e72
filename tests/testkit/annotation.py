"""A small work dir for the evaluation tests, and Label Studio exports written by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kg.io import write_records
from kg.records import CoBuy, IntentionAssertion, Post, Product


def _assertion(subject: str, kind: str, relation: str, text: str, score: float | None = None,
               ) -> IntentionAssertion:
    return IntentionAssertion(
        id=IntentionAssertion.make_id(subject, relation, text), subject_id=subject,
        subject_kind=kind, relation=relation, text=text, raw_text=text,  # type: ignore[arg-type]
        filter_score=score, keep=score is None or score >= 0.5, model="m1",
        prompt_version="post_intentions.v1" if kind == "post" else "cobuy_intentions.v1")


def make_workdir(wd: Path) -> Path:
    """4 MMSD posts with 3 assertions each (xReact, xWant, xIntent) and one co-buy pair with
    10 usedFor assertions scored 0.0 … 0.9 by the filter (kept from 0.5)."""
    pair = CoBuy.of("B1", "B2", source="amazon")
    posts = [Post(id=f"mmsd:{i}", source="mmsd", source_id=str(i), text=f"post {i} about snow",
                  clean_text=f"post {i} about snow", label=str(i % 2)) for i in range(4)]
    write_records(wd / "ingest" / "posts.parquet", posts)
    write_records(wd / "ingest" / "products.parquet",
                  [Product(id="B1", title="Wool socks"), Product(id="B2", title="Boots")])
    write_records(wd / "ingest" / "cobuys.parquet", [pair])
    rows = [_assertion(p.id, "post", rel, f"{rel} thing {p.id}")
            for p in posts for rel in ("xReact", "xWant", "xIntent")]
    rows += [_assertion(pair.id, "cobuy", "usedFor", f"hiking {k}", score=k / 10)
             for k in range(10)]
    write_records(wd / "distill" / "assertions.parquet", rows)
    return wd


def ls_result(plausible: bool, typical: bool, comment: str = "") -> list[dict[str, Any]]:
    """An annotation ``result`` for the labeling config of ``kg.evaluation.annotate``."""
    out: list[dict[str, Any]] = [
        {"from_name": "plausible", "to_name": "intention", "type": "choices",
         "value": {"choices": ["plausible" if plausible else "implausible"]}},
        {"from_name": "typical", "to_name": "intention", "type": "choices",
         "value": {"choices": ["typical" if typical else "atypical"]}}]
    if comment:
        out.append({"from_name": "comment", "to_name": "intention", "type": "textarea",
                    "value": {"text": [comment]}})
    return out


def ls_export(tasks: list[dict[str, Any]], verdicts: dict[str, list[tuple[str, bool]]],
              ) -> list[dict[str, Any]]:
    """A Label Studio JSON export of ``tasks`` with (annotator email, plausible) verdicts;
    every annotation is typical and carries the comment ``note <k>``."""
    out = []
    for i, task in enumerate(tasks):
        anns = [{"id": 100 * i + k, "completed_by": {"id": k + 1, "email": who},
                 "result": ls_result(ok, True, f"note {k}"), "was_cancelled": False,
                 "created_at": "2026-01-01T00:00:00Z"}
                for k, (who, ok) in enumerate(verdicts.get(task["data"]["assertion_id"], []))]
        out.append({"id": i + 1, "data": task["data"], "annotations": anns})
    return out
