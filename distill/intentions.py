"""One intention-per-relation answer into assertions: shared by MIKO posts and MIND pairs.

Both domains ask for every requested relation in one JSON call
(:func:`distill.prompts.intentions_schema`); :func:`parse_intentions` reads the
answer and :func:`assemble_intentions` turns it into
:class:`kg.records.IntentionAssertion` records, counting per relation what was
empty, kept or failed in the run report.
"""

from __future__ import annotations

from typing import Any, Literal

from distill.parse import clean_intention
from distill.report import DistillReport
from kg.records import IntentionAssertion
from kg.relations import Relation

__all__ = ["assemble_intentions", "count_failed", "parse_intentions"]


def parse_intentions(obj: dict[str, Any], relations: list[Relation]) -> dict[str, tuple[str, str]]:
    """Relation id → (raw intention, rationale); relations the answer lacks map to ("", "").

    A relation's value may be ``{"intention", "rationale"}`` or a bare string. Keys are
    matched case-insensitively. Raises ``ValueError`` when no relation is present at all.
    """
    by_key = {str(k).casefold(): v for k, v in obj.items()}
    out: dict[str, tuple[str, str]] = {}
    for rel in relations:
        val = by_key.get(rel.id.casefold())
        if isinstance(val, dict):
            out[rel.id] = (str(val.get("intention") or "").strip(),
                           str(val.get("rationale") or "").strip())
        elif isinstance(val, str):
            out[rel.id] = (val.strip(), "")
        else:
            out[rel.id] = ("", "")
    if not any(raw for raw, _ in out.values()) and not any(
            r.id.casefold() in by_key for r in relations):
        raise ValueError(f"none of the relations {[r.id for r in relations]} is in the answer")
    return out


def count_failed(report: DistillReport, relations: list[Relation]) -> None:
    """Count every relation of an item whose intentions answer could not be used."""
    for rel in relations:
        report.relation(rel.id).failed += 1


def assemble_intentions(report: DistillReport, answer: dict[str, tuple[str, str]],
                        relations: list[Relation], *, subject_id: str,
                        subject_kind: Literal["post", "cobuy"], model: str,
                        prompt_version: str, image_description: str | None,
                        count_kept: bool) -> list[tuple[Relation, IntentionAssertion]]:
    """The assertions of one parsed answer, in relation order, with their relations.

    Template echoes and trailing periods are removed (:func:`distill.parse.clean_intention`);
    a relation left empty is counted ``empty`` and yields nothing.

    Args:
        report: the run report (per-relation counts).
        answer: :func:`parse_intentions` of the model's answer.
        relations: the relations asked for, in order.
        subject_id: the post or co-buy id.
        subject_kind: ``"post"`` or ``"cobuy"``.
        model: the model that answered.
        prompt_version: recorded on every assertion.
        image_description: the image text the model saw, recorded on every assertion.
        count_kept: count each assertion as kept now (posts); co-buy intentions are
            counted kept or rejected by the filter instead.
    """
    templates = [r.template for r in relations]
    out: list[tuple[Relation, IntentionAssertion]] = []
    for rel in relations:
        raw, rationale = answer[rel.id]
        phrase = clean_intention(raw, rel.template, templates)
        counts = report.relation(rel.id)
        if not phrase:
            counts.empty += 1
            continue
        if count_kept:
            counts.kept += 1
        out.append((rel, IntentionAssertion(
            id=IntentionAssertion.make_id(subject_id, rel.id, phrase), subject_id=subject_id,
            subject_kind=subject_kind, relation=rel.id, text=phrase, raw_text=raw,
            rationale=rationale, model=model, prompt_version=prompt_version,
            image_description=image_description)))
    return out
