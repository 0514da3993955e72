"""``intentkg eval ...``: measure quality on your own labelled data.

``intentkg eval canon PAIRS.tsv [--json OUT]`` clusters every phrase of a
labelled pairs file together, exactly as ``intentkg build`` merges (same
normaliser, model, candidate floor and pair decision), and prints precision,
recall and F1 of "same cluster" against the labels. ``intentkg eval concepts
PHRASES.txt --out LINKS.tsv`` writes every concept link the build would make.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from intentkg.common import Workdir, merge_opinion, settings_from
from kg.canon.decide import make_judge
from kg.canon.evaluate import evaluate_pairs, read_pairs
from kg.concepts.evaluate import eval_concepts
from kg.embed import CachedEmbedder, EmbeddingCache, SentenceTransformerEmbedder
from kg.workdir import WorkDir

__all__ = ["eval_app", "register"]

eval_app = typer.Typer(help="Measure merge and concept quality on your own labelled data.",
                       no_args_is_help=True)


@eval_app.command("canon")
def canon(
    ctx: typer.Context,
    pairs: Annotated[Path, typer.Argument(
        help="TSV with a header: text_a, text_b, label (1 = one intention, 0 = different).",
        exists=True, dir_okay=False)],
    json_out: Annotated[Path | None, typer.Option(
        "--json", help="Also write every pair's decision and evidence to this JSON file.")] = None,
    workdir: Workdir = None,
) -> None:
    """Precision, recall and F1 of intention merging on labelled pairs."""
    settings = settings_from(ctx, workdir=workdir)
    work = WorkDir(settings.workdir)
    labelled = read_pairs(pairs)
    embedder = CachedEmbedder(
        SentenceTransformerEmbedder(settings.embed.model, device=settings.embed.device,
                                    batch_size=settings.embed.batch_size),
        EmbeddingCache(work.embeddings_cache))
    with merge_opinion(settings) as opinion:
        judge = make_judge(settings, parse_cache=work.parse_cache,
                           wordnet_cache=work.wordnet_cache, opinion=opinion)
        try:
            result = evaluate_pairs(labelled, embedder, settings, judge)
        finally:
            if judge is not None:
                judge.parser.close()
            embedder.cache.close()
    positives = result.tp + result.fn
    typer.echo(f"{len(labelled)} pairs ({positives} same), {result.settings['phrases']} phrases "
               f"clustered together; decision {settings.canon.decision}, candidates at cosine >= "
               f"{settings.canon.threshold}, model {result.settings['model']}")
    second = result.settings["second_opinion"]
    if second is not None:
        typer.echo(f"second opinion from {second['llm']}: {second['asked']} unmatched pairs at "
                   f"cosine >= {second['floor']} asked, P(same) >= {second['threshold']} merges")
    typer.echo(f"precision {result.precision:.3f}  recall {result.recall:.3f}  "
               f"F1 {result.f1:.3f}  (tp {result.tp}, fp {result.fp}, fn {result.fn}, "
               f"tn {result.tn})")
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result.to_dict(), indent=1), encoding="utf-8")
        typer.echo(f"pairs and evidence: {json_out}")


@eval_app.command("concepts")
def concepts(
    ctx: typer.Context,
    phrases: Annotated[Path, typer.Argument(help="Text file, one intention phrase a line.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Links TSV file to write.")],
    workdir: Workdir = None,
) -> None:
    """Write every concept link the build would make: phrase, concept, synset, score."""
    settings = settings_from(ctx, workdir=workdir)
    n = eval_concepts(phrases, out, settings)
    typer.echo(f"{n} concept links -> {out}")


def register(app: typer.Typer) -> None:
    """Fill the ``eval`` group (canon, concepts, and the knowledge measures) and add it."""
    from intentkg import eval_quality_cmd

    eval_quality_cmd.register(eval_app)
    app.add_typer(eval_app, name="eval")
