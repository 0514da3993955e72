"""``intentkg distill`` and ``intentkg distill-replay`` (build a replay file from answers)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from intentkg.common import Workdir, progress_for, settings_from
from kg.errors import ConfigError
from kg.settings import Settings, describe_settings_error

__all__ = ["register"]

Relations = Annotated[str | None, typer.Option(
    help="Comma-separated relation ids (aliases allowed); default all.")]


def _with_llm(settings: Settings, **llm: Any) -> Settings:
    clean = {k: v for k, v in llm.items() if v is not None}
    if not clean:
        return settings
    try:
        merged = settings.llm.model_validate({**settings.llm.model_dump(), **clean})
    except ValidationError as exc:  # a flag's value: named, like a bad setting
        raise ConfigError(describe_settings_error(exc)) from None
    return settings.model_copy(update={"llm": merged})


def _relations(text: str | None) -> list[str] | None:
    names = [r.strip() for r in (text or "").split(",") if r.strip()]
    return names or None


def register(app: typer.Typer) -> None:
    """Add the ``distill`` and ``distill-replay`` commands to ``app``."""

    @app.command("distill")
    def distill_cmd(
        ctx: typer.Context,
        workdir: Workdir = None,
        backend: Annotated[str | None, typer.Option(
            help="openai | local | replay | vllm | transformers")] = None,
        model: Annotated[str | None, typer.Option(help="Model name.")] = None,
        base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible base URL.")] = None,
        replay_file: Annotated[Path | None, typer.Option(help="Replay JSONL file.")] = None,
        model_path: Annotated[Path | None, typer.Option(help="Local model directory.")] = None,
        concurrency: Annotated[int | None, typer.Option(min=1, help="Requests in flight.")] = None,
        relations: Relations = None,
        judge: Annotated[bool | None, typer.Option(
            "--judge/--no-judge", help="Score plausibility and typicality.")] = None,
        retry_failed: Annotated[bool | None, typer.Option(
            "--retry-failed", help="Ask the model again for answers an earlier run could "
            "not use (they are otherwise read from the cache and fail again).")] = None,
        model_file: Annotated[Path | None, typer.Option(
            help="GGUF weights for --backend local (default: the pinned SmolLM2-135M).")] = None,
        progress: Annotated[bool, typer.Option(help="Progress bar on stderr.")] = True,
        engine: Annotated[str | None, typer.Option(
            help="local (this process) | ray (Ray Data actors; needs the ray extra).")] = None,
        ray_address: Annotated[str | None, typer.Option(
            help="Ray cluster for --engine ray: local | auto | ray://host:10001.")] = None,
    ) -> None:
        """Distill intentions from the ingested posts and co-buy pairs (cached, resumable)."""
        from distill import run_distill

        base = settings_from(ctx, workdir=workdir,
                             distill={"engine": engine} if engine else None,
                             ray={"address": ray_address} if ray_address else None)
        local = (base.llm.local.model_copy(update={"model_file": model_file})
                 if model_file is not None else None)
        settings = _with_llm(base, backend=backend,
                             model=model, base_url=base_url, replay_file=replay_file,
                             model_path=model_path, concurrency=concurrency, judge=judge,
                             retry_failed=retry_failed, local=local)
        report = run_distill(settings.workdir, settings, relations=_relations(relations),
                             progress=progress_for(progress, " item"))
        kept = sum(r.kept for r in report.relations.values())
        rejected = sum(r.rejected for r in report.relations.values())
        typer.echo(f"assertions written: {report.written.get('assertions', 0)} "
                   f"({kept} kept, {rejected} rejected by the filter)")
        typer.echo(f"model: {report.model} ({report.backend})"
                   + (f"; text only: {report.text_only_reason}" if report.text_only else ""))
        typer.echo(f"model calls: {report.calls} made, {report.cached} from cache; "
                   f"failed items: {len(report.failures)}")
        if report.cached_failures:
            typer.echo(f"{report.cached_failures} failed items reused unusable answers from "
                       "the cache; --retry-failed asks the model again")

    @app.command("distill-replay")
    def replay_cmd(
        ctx: typer.Context,
        answers: Annotated[Path, typer.Argument(help="Answers JSONL (docs/replay_answers.md).")],
        out: Annotated[Path, typer.Argument(help="Replay file to write.")],
        workdir: Workdir = None,
        model: Annotated[str | None, typer.Option(help="Model name.")] = None,
        relations: Relations = None,
    ) -> None:
        """Record a replay file from human-authored answers (for offline demos and tests)."""
        from distill.replay_tools import build_replay

        settings = _with_llm(settings_from(ctx, workdir=workdir), model=model)
        report = build_replay(settings.workdir, settings, answers, out,
                              relations=_relations(relations))
        typer.echo(f"recorded {report.calls} requests into {out}")
