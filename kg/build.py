"""``intentkg build``: distilled assertions → canonical graph files in ``<workdir>/graph``.

Reads ``distill/assertions.parquet`` and writes ``graph/{intentions,assertions,
concepts,concept_links,merges}.parquet``.

* **Every** assertion becomes an edge, rejected ones (``keep=False``)
  included: ``keep`` travels on the edge and loaders/queries filter on it, so
  changing the filter threshold never needs a rebuild. Intention ``support``
  counts all assertions of the cluster.
* The input is read twice in batches (phrase counts, then ids) and never held
  as records, so memory grows with distinct phrases, not with assertions.
* Output is deterministic: phrases are processed in sorted order and ids are
  content hashes.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from kg.canon import Canonicalization, canonicalize, normalize_intention
from kg.concepts import ConceptGraph, PhraseParser, ProbaseLinker, WordNetLinker, open_wordnet
from kg.concepts.wordnet import DEFAULT_WORDNET_DIR
from kg.embed import CachedEmbedder, Embedder, EmbeddingCache, SentenceTransformerEmbedder
from kg.errors import ConfigError
from kg.io import iter_records, write_records
from kg.records import IntentionAssertion
from kg.settings import Settings

__all__ = ["BuildReport", "build_graph", "graph_paths"]

log = logging.getLogger(__name__)

GRAPH_FILES = ("intentions", "assertions", "concepts", "concept_links", "merges")


def graph_paths(workdir: Path) -> dict[str, Path]:
    """Paths of the graph files of ``workdir`` by name (``"intentions"`` ...)."""
    return {name: workdir / "graph" / f"{name}.parquet" for name in GRAPH_FILES}


@dataclass
class BuildReport:
    """What a build read, merged and wrote (also saved as ``graph/report.json``)."""

    assertions: int = 0
    distinct_phrases: int = 0
    intentions: int = 0
    merges: int = 0
    concepts: int = 0
    concept_links: int = 0
    embedded: int = 0
    embedding_cache_hits: int = 0
    parsed: int = 0
    threshold: float = 0.0
    model: str = ""
    concept_source: str = "none"
    seconds: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> str:
        """The report as pretty JSON."""
        return json.dumps(asdict(self), indent=2, sort_keys=True)


def _count_phrases(path: Path, batch_size: int) -> tuple[dict[str, int], dict[str, str], int]:
    counts: dict[str, int] = {}
    key_of: dict[str, str] = {}
    total = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_size, columns=["text"]):
        for text in batch.column(0).to_pylist():
            key = key_of.get(text)
            if key is None:
                key = key_of[text] = normalize_intention(text)
            counts[key] = counts.get(key, 0) + 1
            total += 1
    return counts, key_of, total


def _default_embedder(workdir: Path, settings: Settings, embedder: Embedder | None,
                      ) -> CachedEmbedder:
    if isinstance(embedder, CachedEmbedder):
        return embedder
    inner = embedder or SentenceTransformerEmbedder(
        settings.embed.model, device=settings.embed.device, batch_size=settings.embed.batch_size)
    return CachedEmbedder(inner, EmbeddingCache(workdir / "graph" / "embeddings.sqlite"))


def _link_concepts(workdir: Path, settings: Settings, canon: Canonicalization,
                   embedder: Embedder, report: BuildReport) -> ConceptGraph:
    rows = canon.canonical_rows()
    texts = [canon.keys[int(r)] for r in rows]
    ids = [canon.intention_id(t) for t in texts]
    parser = PhraseParser(cache_path=workdir / "graph" / "parse_cache.sqlite",
                          batch_size=settings.batch_size)
    graph = ConceptGraph()
    cfg = settings.concepts
    try:
        step = 50000
        if cfg.probase_path is not None:
            report.concept_source = "probase"
            parts = parser.parse(texts)
            ProbaseLinker(cfg.probase_path, depth=cfg.depth,
                          max_concepts=cfg.max_concepts_per_intention).link(ids, parts, graph)
        else:
            wn_dir = cfg.wordnet_dir or DEFAULT_WORDNET_DIR
            if cfg.wordnet_dir is None and not (wn_dir / "data.noun").is_file():
                log.warning("no WordNet at %s and no Probase file: concepts skipped "
                            "(install wordnet-base or set concepts.wordnet_dir)", wn_dir)
                return graph
            report.concept_source = "wordnet"
            linker = WordNetLinker(open_wordnet(wn_dir, workdir / ".wordnet"), embedder,
                                   depth=cfg.depth, max_concepts=cfg.max_concepts_per_intention)
            for start in range(0, len(texts), step):
                parts = parser.parse(texts[start:start + step])
                linker.link(ids[start:start + step], canon.vectors[rows[start:start + step]],
                            parts, graph)
        report.parsed = parser.parsed
    finally:
        parser.close()
    return graph


def build_graph(workdir: Path, settings: Settings, *, embedder: Embedder | None = None,
                progress: bool = False) -> BuildReport:
    """Canonicalize the distilled assertions of ``workdir`` and write the graph files.

    Args:
        workdir: the work directory (reads ``distill/assertions.parquet``).
        settings: ``canon``, ``embed``, ``concepts`` and ``batch_size`` are used.
        embedder: overrides the configured model; it is wrapped in the SQLite
            embedding cache unless it already is a :class:`CachedEmbedder`.
        progress: log progress at INFO (the CLI shows it).

    Returns:
        counts, cache statistics and per-stage seconds.

    Raises:
        ConfigError: no assertions file, or concept settings point at missing files.
    """
    source = workdir / "distill" / "assertions.parquet"
    if not source.is_file():
        raise ConfigError(f"{source} does not exist; run `intentkg distill` first")
    level = logging.INFO if progress else logging.DEBUG
    report = BuildReport(threshold=settings.canon.threshold)
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.seconds[stage] = round(now - clock, 3)
        clock = now
        log.log(level, "build: %s done in %.1fs", stage, report.seconds[stage])

    counts, key_of, report.assertions = _count_phrases(source, settings.batch_size * 10)
    report.distinct_phrases = len(counts)
    lap("read")
    cached = _default_embedder(workdir, settings, embedder)
    hits0, misses0 = cached.hits, cached.misses
    canon = canonicalize(counts, cached, threshold=settings.canon.threshold,
                         exact_limit=settings.canon.exact_limit)
    report.model = canon.model
    report.intentions = canon.n_intentions
    lap("canonicalize")
    graph = _link_concepts(workdir, settings, canon, cached, report)
    report.embedded = cached.misses - misses0
    report.embedding_cache_hits = cached.hits - hits0
    lap("concepts")
    paths = graph_paths(workdir)
    write_records(paths["intentions"], canon.iter_intentions())
    report.merges = write_records(paths["merges"], canon.iter_merges())
    report.concepts = write_records(paths["concepts"], graph.sorted_concepts())
    report.concept_links = write_records(paths["concept_links"], graph.sorted_links())
    lap("write_nodes")
    write_records(paths["assertions"], _with_intention_ids(source, canon, key_of,
                                                           settings.batch_size * 10))
    lap("write_assertions")
    (workdir / "graph" / "report.json").write_text(report.to_json(), encoding="utf-8")
    return report


def _with_intention_ids(source: Path, canon: Canonicalization, key_of: dict[str, str],
                        batch_size: int) -> Iterator[IntentionAssertion]:
    for a in iter_records(source, IntentionAssertion, batch_size=batch_size):
        # model_copy skips re-validation: the record was validated when read.
        yield a.model_copy(update={"intention_id": canon.intention_id(key_of[a.text])})
