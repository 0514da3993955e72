"""Human judgments of assertions, kept beside the model's output in ``eval/judgments.parquet``.

A judgment never changes an assertion: it is its own record keyed by
(assertion id, annotator), and assertion ids are content hashes, so the same
assertion after a rebuild finds its judgments again. Importing a new batch
replaces only the judgments with the same key; everything else stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kg.io import read_records, write_records
from kg.records import Record

__all__ = ["Judgment", "accepted_assertion_ids", "merge_judgments", "read_judgments",
           "store_judgments", "verdicts"]


class Judgment(Record):
    """One annotator's verdict on one assertion.

    Attributes:
        assertion_id: the judged :class:`kg.records.IntentionAssertion`'s id.
        annotator: who judged (the annotation tool's user email, else ``user:<id>``).
        plausible: the intention is plausible for its subject.
        typical: the intention is typical (``None`` when the annotator left it out).
        comment: free text.
        project: the annotation export it came from.
        task_id / annotation_id: the annotation tool's ids, for audits.
        annotated_at: when the annotator submitted it, as the tool says.
    """

    assertion_id: str
    annotator: str
    plausible: bool
    typical: bool | None = None
    comment: str = ""
    project: str
    task_id: str | None = None
    annotation_id: str | None = None
    annotated_at: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """(assertion id, annotator): a later judgment with the same key replaces this one."""
        return (self.assertion_id, self.annotator)


def read_judgments(path: Path) -> list[Judgment]:
    """The stored judgments (none when the file does not exist)."""
    return read_records(path, Judgment)


def merge_judgments(old: Iterable[Judgment], new: Iterable[Judgment],
                    ) -> tuple[list[Judgment], int, int]:
    """(merged, added, replaced): ``new`` wins per key; order is old first, then added."""
    merged = {j.key: j for j in old}
    added = replaced = 0
    for j in new:
        if j.key in merged:
            replaced += int(merged[j.key] != j)
        else:
            added += 1
        merged[j.key] = j
    return list(merged.values()), added, replaced


def store_judgments(path: Path, new: Iterable[Judgment]) -> tuple[int, int, int]:
    """Merge ``new`` into the file at ``path`` (atomic rewrite); (total, added, replaced)."""
    merged, added, replaced = merge_judgments(read_judgments(path), new)
    write_records(path, merged)
    return len(merged), added, replaced


def verdicts(judgments: Iterable[Judgment]) -> dict[str, bool]:
    """Per judged assertion id: accepted, i.e. a strict majority of its annotators found it
    plausible (a tie is not accepted). Unjudged assertions are absent.

    ``intentkg load`` puts these on the assertion edges (``accepted``, see
    :data:`kg.schema.JUDGED_PROPERTIES`), where ``accepted_only`` queries read them.
    """
    votes: dict[str, list[bool]] = {}
    for j in judgments:
        votes.setdefault(j.assertion_id, []).append(j.plausible)
    return {a: 2 * sum(v) > len(v) for a, v in votes.items()}


def accepted_assertion_ids(judgments: Iterable[Judgment]) -> set[str]:
    """Assertions a strict majority of their annotators found plausible (:func:`verdicts`).

    What a query keeps when it must serve only human-accepted knowledge.
    """
    return {a for a, ok in verdicts(judgments).items() if ok}
