"""``intentkg ingest <format> <path...>``: raw dumps -> typed records in the work dir."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ingest import DownloadPolicy, IngestReport, available_formats, run_ingest
from intentkg.common import progress_for, settings_from
from kg.errors import ConfigError
from kg.workdir import WorkDir

__all__ = ["ingest", "register"]


def _parse_map(text: str | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ConfigError(
                f"--map expects field=column pairs separated by commas, got {part!r}")
        mapping[key.strip()] = value.strip()
    return mapping


def _summary(report: IngestReport) -> str:
    lines = ["records read: " + ", ".join(f"{k} {v}" for k, v in report.read.items()),
             "records written: " + ", ".join(f"{k} {v}" for k, v in report.written.items()),
             "files now hold: " + ", ".join(f"{k} {v}" for k, v in report.total.items())]
    if report.skipped:
        lines.append("skipped: " + ", ".join(f"{k} {v}" for k, v in sorted(report.skipped.items())))
    if report.unknown_product_pairs:
        lines.append(f"co-buys naming a product without metadata: {report.unknown_product_pairs}")
    if report.images:
        lines.append("images: " + ", ".join(f"{k} {v}" for k, v in sorted(report.images.items())))
    if report.cleaned:
        lines.append("kept after cleaning: " + ", ".join(
            f"{k} {v}" for k, v in sorted(report.cleaned.items())))
    lines.extend(f"  {p}" for p in report.problems[:5])
    lines.extend(f"  {n}" for n in report.notes[:3])
    lines.extend(f"error: not read: {f}" for f in report.unreadable_files)
    lines.extend(f"error: read in part: {f}" for f in report.incomplete_files)
    return "\n".join(lines)


def ingest(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help="Input format, or 'auto'.")],
    paths: Annotated[list[Path], typer.Argument(help="Input files (.gz is read transparently).")],
    workdir: Annotated[Path | None, typer.Option(
        "--workdir", "-w", "--out", "-o",
        help="Work directory (default: settings.workdir, ./work).")] = None,
    mapping: Annotated[str | None, typer.Option(
        "--map", help="generic format: field=column,... e.g. id=tweet_id,text=body")] = None,
    source: Annotated[str | None, typer.Option(help="generic format: source name.")] = None,
    image_dir: Annotated[Path | None, typer.Option(
        help="Folder for relative image paths (default: the input's folder).")] = None,
    image_map: Annotated[Path | None, typer.Option(
        help="JSON object mapping image uris to local files (used before anything else).")] = None,
    download_images: Annotated[bool, typer.Option(
        "--download-images", help="Fetch http(s) images into <workdir>/images (bounded).")] = False,
    keep_unknown_pairs: Annotated[bool, typer.Option(
        "--keep-unknown-pairs/--drop-unknown-pairs",
        help="Keep co-buys naming a product without metadata.")] = True,
    sample_per_category: Annotated[int | None, typer.Option(
        min=1, help="Keep at most N co-buys per category (deterministic).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the co-buy sample.")] = 0,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
) -> None:
    """Read raw dumps into <workdir>/ingest/{posts,products,cobuys}.parquet and report.json.

    Exit code 0 when every file was read (bad records are skipped and counted), 3 when
    some files could not be read or only in part (each is listed; the rest is written),
    1 when nothing could be read.
    """
    settings = settings_from(ctx)
    workdir = workdir if workdir is not None else settings.workdir
    policy = DownloadPolicy(allow_hosts=frozenset(settings.ingest.download_allow_hosts),
                            deadline_s=settings.ingest.download_deadline_s,
                            max_bytes=settings.ingest.download_max_bytes)
    columns = _parse_map(mapping)
    report = run_ingest(
        fmt, list(paths), workdir, mapping=columns, source=source,
        image_dir=image_dir, image_map=image_map, download_images=download_images,
        download_policy=policy,
        keep_unknown_pairs=keep_unknown_pairs, sample_per_category=sample_per_category,
        seed=seed, progress=progress_for(progress, " rec"))
    typer.echo(_summary(report), err=True)
    typer.echo(str(WorkDir(workdir).stage("ingest")))
    if report.unreadable_files or report.incomplete_files:
        raise typer.Exit(3)  # the run is written, but not every input was read in full


def register(app: typer.Typer) -> None:
    """Add the ``ingest`` command to ``app``."""
    formats = ", ".join(sorted({spec.format for spec in available_formats().values()}))
    app.command("ingest", help=f"Read raw dumps into typed records. Formats: auto, {formats}.")(
        ingest)
