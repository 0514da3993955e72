"""Intention → Concept links, from WordNet (default) or a Probase-format file.

WordNet: each head noun's sense is the synset whose gloss (lemma names,
hypernym, definition, first example) is most similar to the whole intention's
embedding, plus a small prior from the sense's SemCor frequency share
(``SENSE_PRIOR`` × count share; MiniLM alone picks odd senses of short words).
So "charge the phone battery" links to battery.n.02 (*a device that produces
electricity*), not to the first sense (*a group of guns*). Hypernyms of the chosen sense
become ``IS_A`` links up to ``depth`` levels.

Probase: ``concept<TAB>instance<TAB>frequency`` rows, scored by
``P(c|i) = freq(c, i) / Σ_c freq(c, i)``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kg.concepts.heads import PhraseParts
from kg.embed import Embedder
from kg.errors import ConfigError
from kg.records import Concept, ConceptLink

__all__ = [
    "SENSE_PRIOR",
    "ConceptGraph",
    "ProbaseLinker",
    "WordNetLinker",
    "load_probase",
    "probase_scores",
]

log = logging.getLogger(__name__)

F32 = npt.NDArray[np.float32]

SENSE_PRIOR = 0.2
"""Weight of the SemCor frequency share added to the gloss similarity of a sense."""


@dataclass
class ConceptGraph:
    """Concept nodes and links collected while linking (deduplicated)."""

    concepts: dict[str, Concept] = field(default_factory=dict)
    links: dict[tuple[str, str, str], ConceptLink] = field(default_factory=dict)

    def add_link(self, kind: str, source: str, target: str, score: float) -> None:
        """Add a link; a repeated link keeps its highest score."""
        key = (kind, source, target)
        old = self.links.get(key)
        if old is None or score > old.score:
            self.links[key] = ConceptLink(kind=kind, source_id=source,  # type: ignore[arg-type]
                                          target_id=target, score=round(score, 6))

    def sorted_links(self) -> list[ConceptLink]:
        """Links in a stable order (kind, source, target)."""
        return [self.links[k] for k in sorted(self.links)]

    def sorted_concepts(self) -> list[Concept]:
        """Concepts ordered by id."""
        return [self.concepts[k] for k in sorted(self.concepts)]


class WordNetLinker:
    """Links intentions to WordNet synsets chosen by gloss similarity.

    Args:
        wordnet: an nltk WordNet reader (:func:`kg.concepts.wordnet.open_wordnet`).
        embedder: embeds glosses (cached embedders make reruns cheap).
        depth: hypernym levels above each linked synset.
        max_concepts: head nouns linked per intention.
    """

    def __init__(self, wordnet: Any, embedder: Embedder, *, depth: int = 3,
                 max_concepts: int = 3) -> None:
        self.wn = wordnet
        self.embedder = embedder
        self.depth = depth
        self.max_concepts = max_concepts
        self._senses: dict[tuple[str, str], tuple[list[Any], F32]] = {}
        self._priors: dict[tuple[str, str], F32] = {}

    @staticmethod
    def gloss(synset: Any) -> str:
        """Text embedded for a sense: lemma names, hypernym, definition, first example."""
        names = ", ".join(n.replace("_", " ") for n in synset.lemma_names())
        parents = sorted(synset.hypernyms() or synset.instance_hypernyms(), key=lambda s: s.name())
        kind = ", ".join(p.lemma_names()[0].replace("_", " ") for p in parents)
        text = f"{names}: a kind of {kind}; {synset.definition()}" if kind else \
            f"{names}: {synset.definition()}"
        examples = synset.examples()
        return f"{text}; e.g. {examples[0]}" if examples else text

    def _prior(self, lemma: str, pos: str, synsets: list[Any]) -> F32:
        key = (lemma, pos)
        if key not in self._priors:
            name = lemma.replace(" ", "_").lower()
            counts = np.array([sum(lem.count() for lem in s.lemmas() if lem.name().lower() == name)
                               for s in synsets], dtype=np.float32)
            total = float(counts.sum())
            self._priors[key] = counts / total if total > 0 else np.zeros_like(counts)
        return self._priors[key]

    def _synsets(self, lemma: str, pos: str) -> list[Any]:
        # nltk's morphy collects a word's base forms in a set, so the order of
        # synsets(...) follows the process's string-hash seed; sorting by synset name
        # makes sense choice (ties go to the first) the same in every run.
        return sorted(self.wn.synsets(lemma.replace(" ", "_"), pos=pos), key=lambda s: s.name())

    def _candidates(self, lemma: str, pos: str) -> tuple[list[Any], F32]:
        key = (lemma, pos)
        if key not in self._senses:
            synsets = self._synsets(lemma, pos)
            vecs = (self.embedder.encode([self.gloss(s) for s in synsets]) if synsets
                    else np.zeros((0, self.embedder.dim), dtype=np.float32))
            self._senses[key] = (synsets, vecs)
        return self._senses[key]

    def prefetch(self, lemmas: Iterable[str], pos: str = "n") -> None:
        """Embed the glosses of all senses of ``lemmas`` in one batch."""
        todo = sorted({lem for lem in lemmas if (lem, pos) not in self._senses})
        per: list[list[Any]] = [self._synsets(lem, pos) for lem in todo]
        glosses = [self.gloss(s) for syns in per for s in syns]
        vecs = (self.embedder.encode(glosses) if glosses
                else np.zeros((0, self.embedder.dim), dtype=np.float32))
        at = 0
        for lem, syns in zip(todo, per, strict=True):
            self._senses[(lem, pos)] = (syns, vecs[at:at + len(syns)])
            at += len(syns)

    def choose_sense(self, context: F32, lemma: str, pos: str = "n") -> tuple[Any, float] | None:
        """The sense of ``lemma`` whose gloss is closest to ``context``.

        The score is the cosine similarity plus ``SENSE_PRIOR`` times the
        sense's share of the lemma's SemCor counts; ties go to the first sense.

        Args:
            context: unit embedding of the phrase the word appears in.
            lemma: the word's lemma.
            pos: WordNet part of speech (``"n"``, ``"v"``).

        Returns:
            ``(synset, cosine similarity of its gloss)`` or ``None`` when WordNet
            lacks the word.
        """
        synsets, vecs = self._candidates(lemma, pos)
        if not synsets:
            return None
        sims = vecs @ context
        best = int(np.argmax(sims + SENSE_PRIOR * self._prior(lemma, pos, synsets)))
        return synsets[best], float(sims[best])

    def _concept(self, graph: ConceptGraph, synset: Any) -> str:
        cid = Concept.make_id("wordnet", synset.name())
        if cid not in graph.concepts:
            graph.concepts[cid] = Concept(id=cid, name=synset.lemma_names()[0].replace("_", " "),
                                          source="wordnet", synset=synset.name(),
                                          gloss=synset.definition())
        return cid

    def link(self, ids: Sequence[str], vectors: F32, parts: Sequence[PhraseParts],
             graph: ConceptGraph | None = None) -> ConceptGraph:
        """Add ABOUT links of intentions ``ids`` (and their IS_A chains) to ``graph``."""
        graph = graph or ConceptGraph()
        self.prefetch(h for p in parts for h in p.heads[: self.max_concepts])
        for iid, vec, p in zip(ids, vectors, parts, strict=True):
            for head in p.heads[: self.max_concepts]:
                chosen = self.choose_sense(vec, head)
                if chosen is None:
                    continue
                synset, score = chosen
                cid = self._concept(graph, synset)
                graph.add_link("about", iid, cid, max(0.0, min(1.0, score)))
                self._chain(graph, synset, cid)
        return graph

    def _chain(self, graph: ConceptGraph, synset: Any, cid: str) -> None:
        # Every hypernym, not just the first: nltk returns them in hash-seed order, and
        # "alcohol" is both a beverage and a drug of abuse; both belong in the taxonomy.
        frontier = [(synset, cid)]
        for _ in range(self.depth):
            nxt: list[tuple[Any, str]] = []
            for syn, child in frontier:
                parents = sorted(syn.hypernyms() or syn.instance_hypernyms(),
                                 key=lambda s: s.name())
                for parent in parents:
                    pid = self._concept(graph, parent)
                    if ("is_a", child, pid) in graph.links:
                        continue  # the rest of this chain is already there
                    graph.add_link("is_a", child, pid, 1.0)
                    nxt.append((parent, pid))
            frontier = nxt


def probase_scores(rows: Iterable[tuple[str, str, int]]) -> dict[str, list[tuple[str, float]]]:
    """``instance → [(concept, P(concept|instance))]``, best first (ties by name).

    Args:
        rows: ``(concept, instance, frequency)`` triples; repeats are summed.
    """
    freq: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for concept, instance, n in rows:
        freq[instance][concept] += n
    out: dict[str, list[tuple[str, float]]] = {}
    for instance, by_concept in freq.items():
        total = sum(by_concept.values())
        if total <= 0:
            continue
        out[instance] = sorted(((c, f / total) for c, f in by_concept.items()),
                               key=lambda cp: (-cp[1], cp[0]))
    return out


def load_probase(path: Path, instances: set[str] | None = None,
                 ) -> dict[str, list[tuple[str, float]]]:
    """Read a Probase-format file (only rows whose instance is in ``instances``, when given).

    Raises:
        ConfigError: a line is not ``concept<TAB>instance<TAB>integer``.
    """
    def rows() -> Iterable[tuple[str, str, int]]:
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                cols = line.rstrip("\n").split("\t")
                try:
                    concept, instance, n = cols[0].strip().lower(), cols[1].strip().lower(), \
                        int(cols[2])
                except (IndexError, ValueError) as exc:
                    raise ConfigError(f"{path}:{lineno}: expected 'concept<TAB>instance<TAB>"
                                      f"frequency', got {line[:80]!r}") from exc
                if instances is None or instance in instances:
                    yield concept, instance, n

    if not path.is_file():
        raise ConfigError(f"Probase file {path} does not exist; fix concepts.probase_path")
    return probase_scores(rows())


class ProbaseLinker:
    """Links intentions to Probase concepts of their noun phrases or head nouns.

    Args:
        path: the ``concept<TAB>instance<TAB>frequency`` file.
        depth: IS_A levels (a concept's own best concept, and so on).
        max_concepts: concepts per noun.
    """

    def __init__(self, path: Path, *, depth: int = 3, max_concepts: int = 3) -> None:
        self.path = path
        self.depth = depth
        self.max_concepts = max_concepts

    def link(self, ids: Sequence[str], parts: Sequence[PhraseParts],
             graph: ConceptGraph | None = None) -> ConceptGraph:
        """Add ABOUT (score P(c|i)) and IS_A links for intentions ``ids``."""
        graph = graph or ConceptGraph()
        wanted = {w for p in parts for w in (*p.phrases, *p.heads)}
        table = load_probase(self.path, wanted)
        for iid, p in zip(ids, parts, strict=True):
            terms = [t for t in (*p.phrases, *p.heads) if t in table]
            if not terms:
                continue
            for concept, score in table[terms[0]][: self.max_concepts]:
                graph.add_link("about", iid, self._concept(graph, concept), score)
        # IS_A: each concept looked up as an instance, one file pass per level.
        seen: set[str] = set()
        frontier = {c.name for c in graph.concepts.values()}
        for _ in range(self.depth):
            if not frontier:
                break
            upper = load_probase(self.path, frontier)
            nxt: set[str] = set()
            for name in sorted(frontier):
                for concept, score in upper.get(name, [])[:1]:
                    graph.add_link("is_a", self._concept(graph, name),
                                   self._concept(graph, concept), score)
                    nxt.add(concept)
            seen |= frontier
            frontier = nxt - seen
        return graph

    @staticmethod
    def _concept(graph: ConceptGraph, name: str) -> str:
        cid = Concept.make_id("probase", name)
        if cid not in graph.concepts:
            graph.concepts[cid] = Concept(id=cid, name=name, source="probase")
        return cid
