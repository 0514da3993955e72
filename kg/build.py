"""``intentkg build``: distilled assertions → canonical graph files in ``<workdir>/graph``.

Reads ``distill/assertions.parquet`` and writes ``graph/{intentions,assertions,
concepts,concept_links,merges}.parquet``.

* **Every** assertion becomes an edge, rejected ones (``keep=False``)
  included: ``keep`` travels on the edge and loaders/queries filter on it, so
  changing the filter threshold never needs a rebuild. Intention ``support``
  counts all assertions of the cluster.
* The input is read twice in batches (phrase counts, then ids) and never held
  as records, so memory grows with distinct phrases, not with assertions.
* Abstract intentions (:mod:`kg.concepts.abstract`, WordNet only): canonical
  intentions whose verb has a direct object of a known sense are grouped by
  verb and object hypernym; each group becomes an abstract Intention ("drink
  beverages", ``abstract=True``, ``support`` = instances, embedded like the
  others) with ``instance_of`` links scored by embedding similarity. An abstract
  text that already is an intention reuses that node.
* Merging (:mod:`kg.canon`): embeddings propose candidate pairs, the
  parse-and-WordNet pair decision accepts or rejects each (only candidates
  are parsed, and parses are cached in ``graph/parse_cache.sqlite``), and
  ``merges.parquet`` keeps every merge's stage, rule and words.
* Output is deterministic: phrases are processed in sorted order and ids are
  content hashes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import Field

from kg.canon import Canonicalization, canonicalize, normalize_intention
from kg.canon.decide import PairJudge, SecondOpinion, make_judge
from kg.concepts import (
    ConceptGraph,
    PhraseParser,
    PhraseParts,
    ProbaseLinker,
    WordNetLinker,
    open_wordnet,
)
from kg.concepts.abstract import find_abstractions
from kg.concepts.evaluate import direct_objects
from kg.concepts.wordnet import DEFAULT_WORDNET_DIR
from kg.embed import CachedEmbedder, Embedder, EmbeddingCache, SentenceTransformerEmbedder
from kg.errors import ConfigError
from kg.io import RecordWriter, arrow_schema, iter_records, write_records
from kg.records import Intention, IntentionAssertion
from kg.reports import NoProgress, Progress, StageReport
from kg.settings import Settings
from kg.workdir import GRAPH_FILES, Stage, WorkDir

__all__ = ["BuildReport", "build_graph", "graph_paths"]

log = logging.getLogger(__name__)

def graph_paths(workdir: Path) -> dict[str, Path]:
    """Paths of the graph files of ``workdir`` by name (``"intentions"`` ...)."""
    wd = WorkDir(workdir)
    return {name: wd.graph(name) for name in GRAPH_FILES}


_Object = tuple[str, int, str, str, Any]
"""A canonical intention's id, row, action, complement and direct object's WordNet sense."""


class BuildReport(StageReport):
    """What a build read, merged and wrote (also saved as ``graph/report.json``).

    ``intentions`` counts canonical intentions (clusters); ``abstract_intentions``
    counts abstract ones, of which ``abstract_reused`` were already canonical
    intentions (the rest are new nodes). ``concept_links`` includes the
    ``instance_of_links``. ``canon_parsed`` counts phrases the merge decision
    parsed (not found in the parse cache); ``threshold`` is the candidate floor;
    ``phases`` the seconds of each phase (``read``, ``embed_ray``, ``canonicalize``,
    ``concepts``, ``abstract``, ``write_nodes``, ``write_assertions``).
    ``candidate_pairs`` counts the pairs the embeddings proposed to the merge decision
    (at most ``canon.candidates`` per phrase); ``candidates_cached`` says they came from
    the last build's candidate cache (same phrase vectors and settings).
    ``embedded_on_ray`` counts phrases embedded by Ray actors (``embed.engine = "ray"``)
    before canonicalization read them from the cache. ``model_asked`` counts the candidate
    pairs a second opinion was asked about (``canon.model_judge``).
    """

    stage: Stage = "graph"
    assertions: int = 0
    distinct_phrases: int = 0
    intentions: int = 0
    merges: int = 0
    concepts: int = 0
    concept_links: int = 0
    abstract_intentions: int = 0
    abstract_reused: int = 0
    instance_of_links: int = 0
    embedded: int = 0
    embedded_on_ray: int = 0
    candidate_pairs: int = 0
    candidates_cached: bool = False
    embedding_cache_hits: int = 0
    parsed: int = 0
    canon_parsed: int = 0
    model_asked: int = 0
    threshold: float = 0.0
    model: str = ""
    concept_source: str = "none"
    phases: dict[str, float] = Field(default_factory=dict)


class _Phases:
    """Times the build's phases into the report and names each to the progress."""

    def __init__(self, report: BuildReport, progress: Progress) -> None:
        self.report = report
        self.progress = progress
        self.current: str | None = None
        self.clock = time.perf_counter()

    def start(self, name: str | None) -> None:
        """End the current phase (if any) and start ``name`` (``None``: the last one ended)."""
        now = time.perf_counter()
        if self.current is not None:
            self.report.phases[self.current] = round(now - self.clock, 3)
            log.info("build: %s done in %.1fs", self.current, self.report.phases[self.current])
        self.current, self.clock = name, now
        if name is not None:
            self.progress.stage(f"build: {name}")


def _count_phrases(path: Path, batch_size: int,
                   ) -> tuple[dict[str, int], dict[str, str], dict[str, str], int]:
    """Phrase counts by key, key of each raw text, first raw text of each key, total."""
    counts: dict[str, int] = {}
    key_of: dict[str, str] = {}
    raw_of: dict[str, str] = {}
    total = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_size, columns=["text"]):
        for text in batch.column(0).to_pylist():
            key = key_of.get(text)
            if key is None:
                key = key_of[text] = normalize_intention(text)
                raw_of.setdefault(key, text)
            counts[key] = counts.get(key, 0) + 1
            total += 1
    return counts, key_of, raw_of, total


def _default_embedder(workdir: Path, settings: Settings, embedder: Embedder | None,
                      ) -> CachedEmbedder:
    if isinstance(embedder, CachedEmbedder):
        return embedder
    inner = embedder or SentenceTransformerEmbedder(
        settings.embed.model, device=settings.embed.device, batch_size=settings.embed.batch_size)
    return CachedEmbedder(inner, EmbeddingCache(WorkDir(workdir).embeddings_cache))


_Senses = tuple[list[tuple[Any, float]], tuple[str, str, Any] | None]
"""What concept linking chose for one phrase: its ABOUT senses, and its direct object's
action, complement and sense (``None`` without one)."""


class _Concepts:
    """Concept linking of the canonical intentions.

    With WordNet, :meth:`choose_cached` chooses the senses of every phrase whose parse
    is cached while the candidate search runs (each phrase's choice reads only its own
    parse and vector); :meth:`link` then links the canonical intentions, choosing only
    for those not chosen yet, so the links are the same as choosing after clustering.
    """

    STEP = 50000
    """Phrases parsed and linked at a time."""

    def __init__(self, wd: WorkDir, settings: Settings, embedder: Embedder,
                 raw_of: dict[str, str]) -> None:
        self.wd = wd
        self.settings = settings
        self.embedder = embedder
        self.raw_of = raw_of
        self.chosen: dict[str, _Senses] = {}
        self._linker: WordNetLinker | None = None

    def _parse(self, parser: PhraseParser, keys: list[str]) -> list[PhraseParts]:
        # The parser reads each intention with its original capitals, which mark names, and
        # knows which word followed "PersonX" in it.
        return parser.parse_intentions(keys, [self.raw_of.get(k, k) for k in keys])

    def _wordnet(self) -> Path | None:
        """The WordNet directory concept linking reads (``None``: Probase or nothing)."""
        cfg = self.settings.concepts
        if cfg.probase_path is not None:
            return None
        wn_dir = cfg.wordnet_dir or DEFAULT_WORDNET_DIR
        if cfg.wordnet_dir is None and not (wn_dir / "data.noun").is_file():
            return None
        return wn_dir

    def _wordnet_linker(self, wn_dir: Path) -> WordNetLinker:
        if self._linker is None:
            cfg = self.settings.concepts
            self._linker = WordNetLinker(open_wordnet(wn_dir, self.wd.wordnet_cache),
                                         self.embedder, depth=cfg.depth,
                                         max_concepts=cfg.max_concepts_per_intention)
        return self._linker

    def _choose(self, linker: WordNetLinker, keys: list[str], vectors: npt.NDArray[np.float32],
                parts: list[PhraseParts]) -> None:
        linker.prefetch_parts(parts)
        about = [linker.about(vec, p) for vec, p in zip(vectors, parts, strict=True)]
        objects: dict[int, tuple[str, str, Any]] = {}
        if self.settings.abstract.enabled:
            # the object's sense is chosen as for its ABOUT link (the glosses are fetched)
            objects = {i: (action, complement, synset) for i, action, complement, synset
                       in direct_objects(linker, vectors, parts)}
        for i, key in enumerate(keys):
            self.chosen[key] = (about[i], objects.get(i))

    def choose_cached(self, keys: list[str], vectors: npt.NDArray[np.float32]) -> None:
        """Choose the senses of those of ``keys`` whose parse is cached (nothing is parsed)."""
        wn_dir = self._wordnet()
        if wn_dir is None:
            return
        linker = self._wordnet_linker(wn_dir)
        parser = PhraseParser(cache_path=self.wd.parse_cache,
                              batch_size=self.settings.batch_size)
        try:
            for start in range(0, len(keys), self.STEP):
                step = keys[start:start + self.STEP]
                found = parser.cached_intentions(step, [self.raw_of.get(k, k) for k in step])
                at = [i for i, p in enumerate(found) if p is not None]
                if at:
                    self._choose(linker, [step[i] for i in at],
                                 vectors[start + np.array(at, dtype=np.int64)],
                                 [p for p in found if p is not None])
        finally:
            parser.close()

    def link(self, canon: Canonicalization, report: BuildReport,
             ) -> tuple[ConceptGraph, list[_Object]]:
        """ABOUT and IS_A links of the canonical intentions, and their direct objects."""
        rows = canon.canonical_rows()
        keys = [canon.keys[int(r)] for r in rows]
        ids = [canon.intention_id(t) for t in keys]
        parser = PhraseParser(cache_path=self.wd.parse_cache,
                              batch_size=self.settings.batch_size)
        graph = ConceptGraph()
        objects: list[_Object] = []
        cfg = self.settings.concepts
        try:
            wn_dir = self._wordnet()
            if cfg.probase_path is not None:
                report.concept_source = "probase"
                parts = self._parse(parser, keys)
                ProbaseLinker(cfg.probase_path, depth=cfg.depth,
                              max_concepts=cfg.max_concepts_per_intention).link(ids, parts, graph)
            elif wn_dir is None:
                log.warning("no WordNet at %s and no Probase file: concepts skipped "
                            "(install wordnet-base or set concepts.wordnet_dir)",
                            DEFAULT_WORDNET_DIR)
                return graph, objects
            else:
                report.concept_source = "wordnet"
                linker = self._wordnet_linker(wn_dir)
                for start in range(0, len(keys), self.STEP):
                    step = keys[start:start + self.STEP]
                    todo = [i for i, k in enumerate(step) if k not in self.chosen]
                    if todo:
                        self._choose(linker, [step[i] for i in todo],
                                     canon.vectors[rows[start + np.array(todo, dtype=np.int64)]],
                                     self._parse(parser, [step[i] for i in todo]))
                    chosen = [self.chosen[k] for k in step]
                    linker.add_links(ids[start:start + self.STEP], [c[0] for c in chosen], graph)
                    objects.extend((ids[start + i], int(rows[start + i]), *obj)
                                   for i, (_, obj) in enumerate(chosen) if obj is not None)
            report.parsed = parser.parsed
        finally:
            parser.close()
        return graph, objects


def _abstract_intentions(settings: Settings, canon: Canonicalization, objects: list[_Object],
                         embedder: Embedder, graph: ConceptGraph, report: BuildReport,
                         ) -> tuple[list[Intention], set[str]]:
    """New abstract Intention nodes, and ids of canonical intentions that are abstract too.

    Adds an ``instance_of`` link per instance to ``graph``, scored by the cosine
    similarity of the instance's and the abstract text's embeddings.
    """
    cfg = settings.abstract
    found = find_abstractions(((iid, act, comp, syn) for iid, _, act, comp, syn in objects),
                              max_levels=cfg.max_levels, min_instances=cfg.min_instances,
                              min_depth=cfg.min_depth)
    if not found:
        return [], set()
    row_of = {iid: row for iid, row, *_ in objects}
    keys = [normalize_intention(a.text) for a in found]
    vectors = embedder.encode(keys)
    made: dict[str, tuple[str, Any, set[str]]] = {}
    reused: set[str] = set()
    for a, key, vec in zip(found, keys, vectors, strict=True):
        try:
            target, existing = canon.intention_id(key), True
        except KeyError:
            target, existing = Intention.make_id(key), False
        instances = [iid for iid, _ in a.instances if iid != target]
        if len(instances) < cfg.min_instances:
            continue
        for iid in instances:
            score = float(np.dot(canon.vectors[row_of[iid]], vec))
            graph.add_link("instance_of", iid, target, max(0.0, min(1.0, score)))
        if existing:
            reused.add(target)
        else:
            made.setdefault(target, (key, vec, set()))[2].update(instances)
    new = [Intention(id=target, text=key, support=len(members),
                     embedding=[float(x) for x in vec], abstract=True)
           for target, (key, vec, members) in sorted(made.items())]
    report.abstract_intentions = len(new) + len(reused)
    report.abstract_reused = len(reused)
    report.instance_of_links = sum(1 for kind, _, _ in graph.links if kind == "instance_of")
    return new, reused


def build_graph(workdir: Path, settings: Settings, *, embedder: Embedder | None = None,
                progress: Progress | None = None,
                opinion: SecondOpinion | None = None) -> BuildReport:
    """Canonicalize the distilled assertions of ``workdir`` and write the graph files.

    Args:
        workdir: the work directory (reads ``distill/assertions.parquet``).
        settings: ``canon``, ``embed``, ``concepts``, ``abstract`` and ``batch_size``
            are used.
        embedder: overrides the configured model; it is wrapped in the SQLite
            embedding cache unless it already is a :class:`CachedEmbedder`.
        progress: told each phase as it starts (the CLI shows it); ``None`` shows nothing.
        opinion: a model asked about the candidate pairs the merge rules leave
            unmatched (:func:`kg.canon.decide.make_judge`); the application passes one
            when ``canon.model_judge`` is on.

    Returns:
        counts, cache statistics and per-phase seconds (also in ``graph/report.json``).

    Raises:
        ConfigError: no assertions file, or concept settings point at missing files.
    """
    wd = WorkDir(workdir)
    source = wd.distill("assertions")
    if not source.is_file():
        raise ConfigError(f"{source} does not exist; run `intentkg distill` first")
    report = BuildReport(threshold=settings.canon.threshold)
    started = report.start_clock()
    bar = progress if progress is not None else NoProgress()
    try:
        _build(wd, settings, source, embedder, report, _Phases(report, bar), opinion)
    finally:
        bar.close()
    report.stop_clock(started)
    report.write(workdir)
    return report


def _build(wd: WorkDir, settings: Settings, source: Path, embedder: Embedder | None,
           report: BuildReport, phase: _Phases, opinion: SecondOpinion | None) -> None:
    phase.start("read")
    counts, key_of, raw_of, report.assertions = _count_phrases(source, settings.batch_size * 10)
    report.distinct_phrases = len(counts)
    cached = _default_embedder(wd.root, settings, embedder)
    if settings.embed.engine == "ray" and embedder is None:
        from kg.embed_ray import embed_on_ray

        # the phrases' vectors from Ray actors into the cache; canonicalize reads them back
        phase.start("embed_ray")
        report.embedded_on_ray = embed_on_ray(cached.cache, counts, settings.embed,
                                              settings.ray)
    phase.start("canonicalize")
    hits0, misses0 = cached.hits, cached.misses
    concepts = _Concepts(wd, settings, cached, raw_of)
    canon = _canonicalize(wd, settings, counts, cached, report, concepts.choose_cached, opinion)
    phase.start("concepts")
    graph, objects = concepts.link(canon, report)
    phase.start("abstract")
    abstract, reused = _abstract_intentions(settings, canon, objects, cached, graph, report)
    report.embedded = cached.misses - misses0
    report.embedding_cache_hits = cached.hits - hits0
    phase.start("write_nodes")
    _write_intentions(wd.graph("intentions"), canon, reused, abstract)
    report.merges = write_records(wd.graph("merges"), canon.iter_merges())
    report.concepts = write_records(wd.graph("concepts"), graph.sorted_concepts())
    report.concept_links = write_records(wd.graph("concept_links"), graph.sorted_links())
    phase.start("write_assertions")
    write_records(wd.graph("assertions"), _with_intention_ids(source, canon, key_of,
                                                              settings.batch_size * 10))
    phase.start(None)


def _canonicalize(wd: WorkDir, settings: Settings, counts: dict[str, int],
                  embedder: CachedEmbedder, report: BuildReport,
                  while_searching: Callable[[list[str], npt.NDArray[np.float32]], None],
                  opinion: SecondOpinion | None) -> Canonicalization:
    made: list[PairJudge] = []

    def judge() -> PairJudge | None:
        # made while the candidate search runs (loading WordNet overlaps it)
        got = make_judge(settings, parse_cache=wd.parse_cache, wordnet_cache=wd.wordnet_cache,
                         opinion=opinion)
        made.extend([got] if got is not None else [])
        return got

    try:
        canon = canonicalize(counts, embedder, threshold=settings.canon.threshold, judge=judge,
                             exact_limit=settings.canon.exact_limit,
                             candidates=settings.canon.candidates,
                             candidates_cache=wd.candidates_cache,
                             while_searching=while_searching)
    finally:
        for got in made:
            report.canon_parsed = got.parser.parsed
            report.model_asked = got.asked
            got.parser.close()
    report.model = canon.model
    report.intentions = canon.n_intentions
    report.candidate_pairs = canon.candidate_pairs
    report.candidates_cached = canon.candidates_cached
    return canon


def _write_intentions(path: Path, canon: Canonicalization, reused: set[str],
                      abstract: list[Intention]) -> int:
    """The canonical intentions (``abstract`` set on the ``reused`` ones), then the new
    abstract ones; the canonical ones column by column (their embeddings are most of the
    file)."""
    batch_size = 10000
    with RecordWriter(path, batch_size=batch_size) as writer:
        last: pa.Table | None = None
        for table in canon.intention_tables(frozenset(reused), batch_size=batch_size):
            if last is not None:
                writer.write_table(Intention, last)
            last = table
        # the abstract ones share the last row group, as records written one by one would
        rest = [last] if last is not None else []
        if abstract:
            rest.append(pa.Table.from_pylist([a.model_dump(mode="json") for a in abstract],
                                             schema=arrow_schema(Intention)))
        if rest:
            writer.write_table(Intention, pa.concat_tables(rest))
    return writer.count


def _with_intention_ids(source: Path, canon: Canonicalization, key_of: dict[str, str],
                        batch_size: int) -> Iterator[IntentionAssertion]:
    for a in iter_records(source, IntentionAssertion, batch_size=batch_size):
        # model_copy skips re-validation: the record was validated when read.
        yield a.model_copy(update={"intention_id": canon.intention_id(key_of[a.text])})
