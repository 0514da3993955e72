"""Run summaries: per stage, per relation, and the items that failed."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kg.reports import StageReport

__all__ = ["DistillReport", "Failure", "RelationCounts", "StageCounts"]

RAW_LIMIT = 2000


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Failure(_Model):
    """One item the run could not distill (the run goes on without it).

    Attributes:
        stage: the stage (``post_intentions``, ``cobuy_filter``...).
        subject: post, product or co-buy id; ``"<id>|<relation>"`` for per-relation stages.
        reason: what went wrong.
        raw_text: what the model wrote (truncated), when it wrote anything.
        cached: the unusable answer came from the call cache (an earlier run paid for
            it); ``intentkg distill --retry-failed`` asks the model again.
    """

    stage: str
    subject: str
    reason: str
    raw_text: str = ""
    cached: bool = False


class StageCounts(_Model):
    """Per stage: items done and model calls made / answered from cache / failed."""

    items: int = 0
    ok: int = 0
    failed: int = 0
    calls: int = 0
    cached: int = 0
    call_errors: int = 0


class RelationCounts(_Model):
    """Per relation: assertions kept, rejected by the filter, failed, or left empty."""

    kept: int = 0
    rejected: int = 0
    failed: int = 0
    empty: int = 0


class DistillReport(StageReport):
    """What :func:`distill.run_distill` did; also written to ``distill/report.json``.

    Attributes:
        engine: ``"local"`` or ``"ray"`` (``distill.engine``).
        backend: backend kind.
        model: model name.
        prompt_versions: every prompt version used.
        stages: counts per stage.
        relations: counts per relation id.
        written: records written per output file name.
        failures: the failed items.
        tokens_in: prompt tokens of the calls made in this run.
        tokens_out: completion tokens of the calls made in this run.
        text_only: the model takes no images, so the run used the text-only prompts
            and sent co-buy requests without images.
        text_only_reason: how that was found out.
    """

    stage: Literal["distill"] = "distill"
    engine: Literal["local", "ray"] = "local"
    backend: str
    model: str
    text_only: bool = False
    text_only_reason: str = ""
    prompt_versions: list[str] = Field(default_factory=list)
    stages: dict[str, StageCounts] = Field(default_factory=dict)
    relations: dict[str, RelationCounts] = Field(default_factory=dict)
    written: dict[str, int] = Field(default_factory=dict)
    failures: list[Failure] = Field(default_factory=list)
    tokens_in: int = 0
    tokens_out: int = 0

    @property
    def calls(self) -> int:
        """Model calls made (not answered from cache) in this run."""
        return sum(s.calls for s in self.stages.values())

    @property
    def cached(self) -> int:
        """Calls answered from the cache in this run."""
        return sum(s.cached for s in self.stages.values())

    def stage_counts(self, name: str) -> StageCounts:
        """The counts of stage ``name`` (created on first use)."""
        return self.stages.setdefault(name, StageCounts())

    def relation(self, name: str) -> RelationCounts:
        """The counts of relation ``name`` (created on first use)."""
        return self.relations.setdefault(name, RelationCounts())

    @property
    def cached_failures(self) -> int:
        """Failed items whose unusable answers came from the cache."""
        return sum(1 for f in self.failures if f.cached)

    def fail(self, stage: str, subject: str, reason: str, raw_text: str = "", *,
             cached: bool = False) -> None:
        """Record a failed item."""
        self.stage_counts(stage).failed += 1
        self.failures.append(Failure(stage=stage, subject=subject, reason=reason,
                                     raw_text=raw_text[:RAW_LIMIT], cached=cached))

    def merge(self, part: DistillReport) -> None:
        """Add the counts of ``part`` (one worker's batch) to this report."""
        self.text_only = self.text_only or part.text_only
        self.text_only_reason = self.text_only_reason or part.text_only_reason
        for version in part.prompt_versions:
            if version not in self.prompt_versions:
                self.prompt_versions.append(version)
        for name, counts in part.stages.items():
            _add(self.stage_counts(name), counts)
        for name, rel in part.relations.items():
            _add(self.relation(name), rel)
        self.failures.extend(part.failures)
        self.tokens_in += part.tokens_in
        self.tokens_out += part.tokens_out


def _add(into: BaseModel, part: BaseModel) -> None:
    for name in type(part).model_fields:
        setattr(into, name, getattr(into, name) + getattr(part, name))
