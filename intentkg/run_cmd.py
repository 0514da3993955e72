"""``intentkg run`` (every stage on your files) and ``intentkg demo`` (the bundled example)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from intentkg.common import Workdir, printable, settings_from
from intentkg.pipeline import InputSpec, PipelineReport, run_pipeline
from kg.settings import Settings

__all__ = ["register"]

DEFAULT_EXAMPLE = Path("examples/demo")


def register(app: typer.Typer) -> None:
    """Add ``run`` and ``demo`` to ``app``."""

    @app.command("run")
    def run(
        ctx: typer.Context,
        paths: Annotated[list[Path], typer.Argument(help="Raw input files.", exists=True)],
        fmt: Annotated[str, typer.Option("--format", help="Input format, or auto.")] = "auto",
        workdir: Workdir = None,
        backend: Annotated[
            str | None, typer.Option(help="Model backend: openai, replay, vllm, transformers.")
        ] = None,
        base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible server URL.")] = None,
        model: Annotated[str | None, typer.Option(help="Model name.")] = None,
        replay_file: Annotated[Path | None, typer.Option(help="Recorded answers (replay).")] = None,
        relations: Annotated[
            list[str] | None,
            typer.Option("--relation", help="Distill only these relations (repeatable)."),
        ] = None,
        image_map: Annotated[
            Path | None, typer.Option(help="JSON object mapping image URLs to local files.")
        ] = None,
        download_images: Annotated[bool, typer.Option(help="Fetch http(s) images.")] = False,
        store: Annotated[str | None, typer.Option(help="falkordb (embedded) or neo4j.")] = None,
        fresh: Annotated[
            bool, typer.Option(help="Start from empty stage outputs and graph.")
        ] = False,
    ) -> None:
        """Ingest, distill, build and load PATHS into the graph store."""
        settings = _with_llm(
            settings_from(ctx, workdir=workdir, store=store), backend, base_url, model, replay_file
        )
        report = run_pipeline(
            [InputSpec(fmt, tuple(paths))],
            settings,
            image_map=image_map,
            download_images=download_images,
            relations=relations,
            fresh=fresh,
            progress=True,
        )
        _print_stages(Console(stderr=True), report)

    @app.command("demo")
    def demo(
        ctx: typer.Context,
        workdir: Annotated[Path, typer.Option("--workdir", "-w")] = Path("work/demo"),
        example: Annotated[Path, typer.Option(help="Example folder.")] = DEFAULT_EXAMPLE,
        backend: Annotated[
            str | None,
            typer.Option(
                help="Use a real model: openai (with --base-url/--model), vllm, transformers."
            ),
        ] = None,
        base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible server URL.")] = None,
        model: Annotated[str | None, typer.Option(help="Model name.")] = None,
        fresh: Annotated[
            bool, typer.Option(help="Start from empty stage outputs and graph.")
        ] = True,
        live: Annotated[
            bool,
            typer.Option(
                help="Distill part of the example with the local llama.cpp model "
                "(built and fetched on first use; minutes on a CPU)."
            ),
        ] = False,
    ) -> None:
        """Run the whole pipeline on the bundled example and print answers to helper queries."""
        from intentkg.demo_answers import EXAMPLE_INPUTS, print_demo_answers

        console = Console()
        settings = settings_from(ctx, workdir=workdir, store="falkordb")
        relations: list[str] | None = None
        after_ingest = None
        if live:
            from intentkg.demo_live import LIVE_RELATIONS, trim_to_live_subset

            settings = _with_llm(settings, "local", None, None, None)
            relations, after_ingest = LIVE_RELATIONS, trim_to_live_subset
            console.print(
                "[bold]Live: a real model answers[/bold] (the local llama.cpp server, "
                f"{settings.llm.local.model_file or 'SmolLM2-135M-Instruct'}, "
                f"{settings.llm.local.threads} thread(s)) on part of the example: "
                "a tiny CPU model proves the system, not the knowledge."
            )
        elif backend in (None, "replay"):
            replay = example / "replay.jsonl"
            settings = _with_llm(settings, "replay", None, None, replay)
            console.print(
                f"[bold]Model answers come from the recorded file {replay}[/bold] "
                "(no model is called). To distill with a real model, run e.g.\n"
                "  intentkg demo --backend openai --base-url http://127.0.0.1:8000/v1 "
                "--model Qwen/Qwen2-VL-7B-Instruct\n"
                "(docker compose --profile gpu up vllm starts such a server)."
            )
        else:
            settings = _with_llm(settings, backend, base_url, model, None)
            console.print(
                f"Model answers come from {settings.llm.backend} model "
                f"{settings.llm.model} at {settings.llm.base_url}."
            )
        inputs = [InputSpec("auto", tuple(example / "raw" / name for name in EXAMPLE_INPUTS))]
        report = run_pipeline(
            inputs,
            settings,
            image_map=example / "images" / "index.json",
            relations=relations,
            fresh=fresh,
            progress=True,
            after_ingest=after_ingest,
        )
        _print_stages(console, report)
        distilled = next((s.report for s in report.stages if s.name == "distill"), None)
        if distilled is not None and distilled.backend != "replay":
            from intentkg.demo_live import parse_rate

            ok, total = parse_rate(settings.workdir, distilled.model)
            share = f"{100 * ok / total:.0f}%" if total else "n/a"
            console.print(
                f"Model answers came from {distilled.model} ({distilled.backend})"
                + (f", text only ({distilled.text_only_reason})" if distilled.text_only else "")
                + f"; {ok} of {total} answers usable ({share})."
            )
        print_demo_answers(settings, console)


def _with_llm(
    settings: Settings,
    backend: str | None,
    base_url: str | None,
    model: str | None,
    replay_file: Path | None,
) -> Settings:
    llm = settings.llm.model_copy(
        update={
            k: v
            for k, v in {
                "backend": backend,
                "base_url": base_url,
                "model": model,
                "replay_file": replay_file,
            }.items()
            if v is not None
        }
    )
    return settings.model_copy(update={"llm": type(settings.llm).model_validate(llm.model_dump())})


def _print_stages(console: Console, report: PipelineReport) -> None:
    table = Table(title="Pipeline stages")
    table.add_column("stage")
    table.add_column("seconds", justify="right")
    table.add_column("result")
    for stage in report.stages:
        table.add_row(stage.name, f"{stage.seconds:.1f}",
                      Text(printable(_summary(stage.name, stage.report))))
    console.print(table)


def _summary(name: str, report: Any) -> str:
    """One line per stage report; each stage's report type is known here."""
    if name == "ingest":
        return "; ".join(
            f"read {r.read}, wrote {r.written}, skipped {r.skipped}, images {r.images}"
            + "".join(f"; not read: {f}" for f in r.unreadable_files + r.incomplete_files)
            for r in report
        )
    if name == "distill":
        calls = sum(s.calls for s in report.stages.values())
        cached = sum(s.cached for s in report.stages.values())
        kept = sum(r.kept for r in report.relations.values())
        rejected = sum(r.rejected for r in report.relations.values())
        failed = sum(r.failed for r in report.relations.values())
        paid = "answered from the replay file" if report.backend == "replay" else "model calls"
        return (
            f"{report.backend} {report.model}: {calls} {paid}, {cached} cached; "
            f"assertions kept {kept}, rejected by the filter {rejected}, failed {failed}"
        )
    if name == "build":
        return (
            f"{report.assertions} assertions -> {report.intentions} intentions "
            f"({report.merges} merged, candidates at cosine >= {report.threshold}), "
            f"{report.concepts} concepts, "
            f"{report.concept_links} concept links, {report.abstract_intentions} abstract "
            f"intentions ({report.instance_of_links} INSTANCE_OF links)"
        )
    if name == "load":
        return (
            f"{report.rows} rows: {report.nodes_created} nodes and "
            f"{report.relationships_created} relationships created"
        )
    return str(report)
