"""``intentkg eval intentionqa | sarcasm | annotate export/import | report``: how good the
knowledge is (issue 15). Thin wrappers over :mod:`distill.intentionqa` and :mod:`kg.evaluation`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from intentkg.common import Workdir, settings_from
from intentkg.distill_cmd import _with_llm

__all__ = ["register"]

Seed = Annotated[int, typer.Option(help="Random seed (split, sample, bootstrap).")]


def register(eval_app: typer.Typer) -> None:
    """Add the commands to the ``eval`` group."""

    @eval_app.command("intentionqa")
    def intentionqa_cmd(
        ctx: typer.Context,
        files: Annotated[list[Path], typer.Argument(help="IntentionQA JSON Lines file(s).")],
        with_kg: Annotated[bool, typer.Option(
            "--with-kg", help="Also answer with the graph's intentions in the prompt.")] = False,
        workdir: Workdir = None,
        backend: Annotated[str | None, typer.Option(
            help="openai | replay | vllm | transformers")] = None,
        model: Annotated[str | None, typer.Option(help="Model name.")] = None,
        base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible base URL.")] = None,
        replay_file: Annotated[Path | None, typer.Option(help="Replay JSONL file.")] = None,
        model_path: Annotated[Path | None, typer.Option(help="Local model directory.")] = None,
        concurrency: Annotated[int | None, typer.Option(min=1, help="Requests in flight.")] = None,
        per_product: Annotated[int, typer.Option(
            min=1, help="Graph intentions per product in the prompt.")] = 5,
        seed: Seed = 0,
    ) -> None:
        """Answer IntentionQA questions (both tasks); accuracy per task, relation, difficulty."""
        from intentkg.eval_qa import run_intentionqa

        settings = _with_llm(settings_from(ctx, workdir=workdir), backend=backend,
                             model=model, base_url=base_url, replay_file=replay_file,
                             model_path=model_path, concurrency=concurrency)
        result = run_intentionqa(files, settings, with_kg=with_kg,
                                 per_product=per_product, seed=seed)
        typer.echo(result.render())

    @eval_app.command("sarcasm")
    def sarcasm_cmd(
        ctx: typer.Context,
        workdir: Workdir = None,
        test_size: Annotated[float, typer.Option(
            min=0.05, max=0.95, help="Share of each label held out for testing.")] = 0.3,
        seed: Seed = 0,
    ) -> None:
        """Sarcasm detection on labelled (MMSD) posts: text alone vs text + intentions."""
        import json
        from dataclasses import asdict

        from kg.embed import CachedEmbedder, EmbeddingCache, SentenceTransformerEmbedder
        from kg.evaluation.layout import EvalPaths
        from kg.evaluation.sarcasm import run_sarcasm
        from kg.io import iter_records
        from kg.records import IntentionAssertion, Post

        settings = settings_from(ctx, workdir=workdir)
        wd = settings.workdir
        paths = EvalPaths(wd)
        cache = EmbeddingCache(paths.dirs.embeddings_cache)
        embedder = CachedEmbedder(SentenceTransformerEmbedder(
            settings.embed.model, device=settings.embed.device,
            batch_size=settings.embed.batch_size), cache)
        try:
            result = run_sarcasm(iter_records(paths.dirs.ingest("posts"), Post),
                                 iter_records(paths.assertions, IntentionAssertion),
                                 embedder, test_size=test_size, seed=seed)
        finally:
            cache.close()
        paths.root.mkdir(parents=True, exist_ok=True)
        paths.sarcasm.write_text(json.dumps(asdict(result), indent=2), encoding="utf-8")
        typer.echo(result.render())

    annotate = typer.Typer(name="annotate", no_args_is_help=True,
                           help="Human judgments through Label Studio: export, import.")
    eval_app.add_typer(annotate, name="annotate")

    @annotate.command("export")
    def annotate_export_cmd(
        ctx: typer.Context,
        out: Annotated[Path, typer.Option("--out", help="Folder for the Label Studio project.")],
        workdir: Workdir = None,
        per_relation: Annotated[int, typer.Option(
            min=1, help="Assertions drawn per relation.")] = 20,
        seed: Seed = 0,
    ) -> None:
        """Write a stratified sample of assertions as a Label Studio project."""
        from kg.evaluation.annotate import export_project

        settings = settings_from(ctx, workdir=workdir)
        report = export_project(settings.workdir, out, per_relation=per_relation,
                                seed=seed)
        typer.echo(f"wrote {report.tasks} tasks over {len(report.per_relation)} relations to "
                   f"{out} (label_config.xml, tasks.json); project {report.project}")

    @annotate.command("import")
    def annotate_import_cmd(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="Label Studio JSON export.")],
        workdir: Workdir = None,
    ) -> None:
        """Store the judgments of a Label Studio JSON export beside the assertions."""
        from kg.evaluation.annotate import parse_export
        from kg.evaluation.judgments import store_judgments
        from kg.evaluation.layout import EvalPaths

        settings = settings_from(ctx, workdir=workdir)
        judgments, unannotated = parse_export(file, settings.workdir)
        total, added, replaced = store_judgments(EvalPaths(settings.workdir).judgments,
                                                 judgments)
        accepted = sum(j.plausible for j in judgments)
        share = accepted / len(judgments) if judgments else 0.0
        typer.echo(f"imported {len(judgments)} judgments from "
                   f"{len({j.annotator for j in judgments})} annotator(s): {added} new, "
                   f"{replaced} changed; {unannotated} task(s) without an annotation")
        typer.echo(f"acceptance (plausible) in this file: {share:.3f} ({accepted}/"
                   f"{len(judgments)}); judgments stored: {total}")

    @eval_app.command("report")
    def report_cmd(
        ctx: typer.Context,
        workdir: Workdir = None,
        out: Annotated[Path | None, typer.Option(
            "--out", help="Folder for report.md and charts (default <workdir>/eval/report).")
        ] = None,
        target_precision: Annotated[float, typer.Option(
            min=0.0, max=1.0, help="Precision the filter threshold must reach.")] = 0.9,
    ) -> None:
        """Acceptance, agreement and calibration from the stored judgments (Markdown + PNG)."""
        from kg.evaluation.layout import EvalPaths
        from kg.evaluation.report import write_report

        settings = settings_from(ctx, workdir=workdir)
        folder = out or EvalPaths(settings.workdir).report_dir
        r, path = write_report(settings.workdir, folder, target_precision=target_precision)
        pa = r.plausible_agreement
        acc = f"{r.overall.acceptance:.3f}" if r.overall.judgments else "n/a"
        alpha = "n/a" if pa.alpha is None else f"{pa.alpha:.3f}"
        raw = "n/a" if pa.raw is None else f"{pa.raw:.3f}"
        ece = "n/a" if r.ece is None else f"{r.ece:.3f}"
        typer.echo(f"acceptance {acc} over {r.overall.judgments} judgments of "
                   f"{r.assertions_judged} assertions (MIKO: 0.76)")
        typer.echo(f"agreement on plausible: Krippendorff's alpha {alpha}, raw {raw} "
                   f"({pa.units} assertions judged twice or more)")
        typer.echo(f"filter calibration: ECE {ece} over {r.calibration_points} judgments")
        typer.echo(f"report: {path}")
