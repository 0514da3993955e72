"""IntentionQA with and without the graph: ties :mod:`distill.intentionqa` (model calls) to
:mod:`kg.evaluation` (graph context, paired bootstrap) and writes ``eval/intentionqa.json``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from distill.backends import make_backend
from distill.cache import CachedCaller, LLMCache
from distill.intentionqa import (
    QAOutcome,
    QAQuestion,
    accuracy_table,
    load_questions,
    run_questions,
)
from kg.errors import ConfigError
from kg.evaluation.kg_context import product_intentions
from kg.evaluation.layout import EvalPaths
from kg.evaluation.stats import Interval, bootstrap_paired
from kg.settings import Settings

__all__ = ["QAResult", "context_for", "run_intentionqa"]


@dataclass
class QAResult:
    """Accuracy tables of one IntentionQA run (``with_kg`` only with ``--with-kg``)."""

    model: str
    backend: str
    files: list[str]
    questions: int
    without_kg: dict[str, dict[str, tuple[int, int]]]
    unparsed: int
    with_kg: dict[str, dict[str, tuple[int, int]]] | None = None
    unparsed_with_kg: int = 0
    difference: dict[str, Interval] = field(default_factory=dict)
    questions_with_context: int = 0

    def render(self) -> str:
        """The figures as Markdown (printed by the CLI, reused by ``eval report``)."""
        a = self.without_kg["all"]["all"]
        lines = [f"IntentionQA accuracy: {_pct(a)} ({self.questions} questions, model "
                 f"{self.model}, backend {self.backend}); unparsed answers: {self.unparsed}"]
        if self.with_kg is not None:
            b = self.with_kg["all"]["all"]
            lines.append(f"IntentionQA accuracy with the graph's intentions: {_pct(b)} "
                         f"({self.questions_with_context} questions had graph context); "
                         f"unparsed answers: {self.unparsed_with_kg}")
            lines.append(f"difference (with KG - without), paired bootstrap: "
                         f"{self.difference['all']}")
        lines += ["", "| group | without KG | with KG |", "|---|---|---|"]
        for group in ("task", "relation", "difficulty"):
            for key in sorted(self.without_kg[group], key=group_order):
                other = self.with_kg[group][key] if self.with_kg is not None else None
                lines.append(f"| {key} | {_pct(self.without_kg[group][key])} | "
                             f"{_pct(other) if other else '-'} |")
        return "\n".join(lines)

    def to_json(self) -> str:
        """JSON for ``eval/intentionqa.json``."""
        return json.dumps(asdict(self), indent=2)


def group_order(key: str) -> tuple[str, int, str]:
    """Sort key of table rows: by task, then easy < medium < hard, then name."""
    head, _, tail = key.rpartition("/")
    return (head, {"easy": 0, "medium": 1, "hard": 2}.get(tail, 3), key)


def _pct(cn: tuple[int, int]) -> str:
    c, n = cn
    return f"{c / n:.3f} ({c}/{n})" if n else "-"


def context_for(table: dict[str, list[str]]) -> Callable[[QAQuestion], list[str]]:
    """The graph's sentences about a question's products: A and B (task 1), A and every
    option (task 2, so the context favours no option)."""

    def context(q: QAQuestion) -> list[str]:
        asins = [q.item_a_id, q.item_b_id] if q.task == 1 else [
            q.item_a_id, *sorted(set(q.option_ids.values()))]
        seen: list[str] = []
        for asin in asins:
            for line in table.get(asin, []):
                if line not in seen:
                    seen.append(line)
        return seen

    return context


def run_intentionqa(files: list[Path], settings: Settings, *, with_kg: bool = False,
                    per_product: int = 5, seed: int = 0) -> QAResult:
    """Answer the questions in ``files`` through ``settings.llm``'s backend (cached in
    ``<workdir>/distill/llm_cache.sqlite``); with ``with_kg`` a second pass adds the
    graph's intentions about each question's products, and the paired difference gets
    a bootstrap interval.

    Raises:
        ConfigError: a file is missing or malformed, or the backend settings are unusable.
        DistillError: every question failed at the backend.
    """
    questions = load_questions(files)
    workdir = settings.workdir
    if with_kg and not EvalPaths(workdir).assertions.is_file():
        raise ConfigError(f"--with-kg needs a work dir with distilled assertions (-w DIR); "
                          f"{workdir} has none")
    backend = make_backend(settings.llm)
    cache = LLMCache(EvalPaths(workdir).dirs.llm_cache)
    caller = CachedCaller(backend, cache)
    limit = settings.llm.total_concurrency  # every server of llm.base_urls kept busy

    async def go() -> tuple[list[QAOutcome], list[QAOutcome] | None, int]:
        try:
            base = await run_questions(questions, caller, backend.model, concurrency=limit)
            if not with_kg:
                return base, None, 0
            table = product_intentions(workdir, per_product=per_product)
            context = context_for(table)
            with_ctx = sum(1 for q in questions if context(q))
            treated = await run_questions(questions, caller, backend.model,
                                          context=context, concurrency=limit)
            return base, treated, with_ctx
        finally:
            cache.close()
            await backend.aclose()

    base, treated, with_ctx = asyncio.run(go())
    result = QAResult(model=backend.model, backend=backend.name,
                      files=[str(f) for f in files], questions=len(questions),
                      without_kg=accuracy_table(questions, base),
                      unparsed=sum(o.choice is None for o in base))
    if treated is not None:
        result.with_kg = accuracy_table(questions, treated)
        result.unparsed_with_kg = sum(o.choice is None for o in treated)
        result.questions_with_context = with_ctx
        b = [int(o.correct) for o in base]
        t = [int(o.correct) for o in treated]
        result.difference["all"] = bootstrap_paired(b, t, seed=seed)
        for task in (1, 2):
            idx = [i for i, q in enumerate(questions) if q.task == task]
            if idx:
                result.difference[f"task {task}"] = bootstrap_paired(
                    [b[i] for i in idx], [t[i] for i in idx], seed=seed)
    out = EvalPaths(workdir).intentionqa
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(result.to_json(), encoding="utf-8")
    return result
