"""Concept links of arbitrary phrases, exactly as ``intentkg build`` makes them.

:func:`link_phrases` is what ``intentkg eval concepts`` runs: each phrase is
normalised as the build normalises intentions, embedded, parsed, and linked by
the same :class:`~kg.concepts.link.WordNetLinker` the build uses. It returns
one :class:`PhraseLink` per ABOUT link, so a user can judge the links of their
own phrases and measure precision.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kg.canon import normalize_intention
from kg.concepts.heads import PhraseParser, PhraseParts
from kg.concepts.link import HANDLING_VERBS, WordNetLinker
from kg.concepts.wordnet import DEFAULT_WORDNET_DIR, open_wordnet
from kg.embed import CachedEmbedder, Embedder, EmbeddingCache, SentenceTransformerEmbedder
from kg.errors import ConfigError
from kg.settings import Settings
from kg.workdir import WorkDir

__all__ = ["LINK_COLUMNS", "PhraseLink", "direct_objects", "eval_concepts", "link_phrases",
           "read_phrases", "write_links"]

LINK_COLUMNS = ("phrase", "concept", "synset", "score")
"""Columns of the links file ``intentkg eval concepts`` writes."""


@dataclass(frozen=True)
class PhraseLink:
    """One ABOUT link of a phrase.

    Attributes:
        phrase: the phrase as given.
        concept: the concept's name (the synset's first lemma, spaces for ``_``).
        synset: the WordNet synset id (``battery.n.02``).
        score: the link's score in [0, 1] (gloss similarity of the chosen sense).
    """

    phrase: str
    concept: str
    synset: str
    score: float


def link_phrases(phrases: Sequence[str], linker: WordNetLinker, parser: PhraseParser,
                 embedder: Embedder, *, batch_size: int = 4096) -> list[PhraseLink]:
    """Every ABOUT link the build would make for ``phrases``, in input order.

    Args:
        phrases: raw intention phrases (repeats are linked once each).
        linker: the WordNet linker, with the build's settings.
        parser: the spaCy phrase parser (its cache makes reruns cheap).
        embedder: the build's sentence embedder (intention context).
        batch_size: phrases embedded and parsed at a time.
    """
    out: list[PhraseLink] = []
    for start in range(0, len(phrases), batch_size):
        chunk = list(phrases[start:start + batch_size])
        keys = [normalize_intention(p) for p in chunk]
        vectors = embedder.encode(keys)
        parts = parser.parse_intentions(keys, chunk)
        linker.prefetch_parts(parts)
        for phrase, vec, p in zip(chunk, vectors, parts, strict=True):
            for synset, score in linker.about(vec, p):
                out.append(PhraseLink(phrase=phrase,
                                      concept=synset.lemma_names()[0].replace("_", " "),
                                      synset=synset.name(),
                                      score=round(max(0.0, min(1.0, score)), 6)))
    return out


def direct_objects(linker: WordNetLinker, vectors: npt.NDArray[np.float32],
                   parts: Sequence[PhraseParts]) -> Iterator[tuple[int, str, str, Any]]:
    """``(index, action, complement, sense of the direct object)`` of each phrase that has
    a verb with a linkable direct object, the sense chosen as for its ABOUT link.

    The glosses must have been fetched (:meth:`WordNetLinker.prefetch_parts`).
    """
    for i, (vec, p) in enumerate(zip(vectors, parts, strict=True)):
        if not p.action or p.direct_object not in p.heads:
            continue
        at = p.heads.index(p.direct_object)
        terms = p.terms[at] if len(p.terms) == len(p.heads) else (p.direct_object,)
        named = bool(p.named[at]) if len(p.named) == len(p.heads) else False
        if len(p.idioms) == len(p.heads) and linker.idiomatic(p.idioms[at], terms[-1]):
            continue  # "spill the beans" is no instance of spilling things
        chosen = linker.sense_of(vec, terms, named=named, handled=p.verb in HANDLING_VERBS)
        if chosen is not None:
            yield i, p.action, p.complement, chosen[0]


def write_links(path: Path, links: Iterable[PhraseLink]) -> int:
    """Write ``links`` as a TSV file with a header row; returns the number written.

    Tabs and newlines inside a phrase become spaces, so each link is one line.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("\t".join(LINK_COLUMNS) + "\n")
        for link in links:
            phrase = " ".join(link.phrase.split())
            fh.write(f"{phrase}\t{link.concept}\t{link.synset}\t{link.score:.4f}\n")
            n += 1
    return n


def read_phrases(path: Path) -> list[str]:
    """Non-blank lines of a UTF-8 text file, one phrase each (a byte-order mark is no part
    of the first).

    Raises:
        ConfigError: the file does not exist, is not UTF-8 or holds no phrase.
    """
    if not path.is_file():
        raise ConfigError(f"{path} does not exist; give a text file with one phrase a line")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 text ({exc.reason})") from None
    out = [line.strip() for line in text.splitlines()]
    out = [p for p in out if p]
    if not out:
        raise ConfigError(f"{path} holds no phrase; give one phrase a line")
    return out


def eval_concepts(phrases_path: Path, out: Path, settings: Settings, *,
                  embedder: Embedder | None = None) -> int:
    """Write every concept link the build would make for the phrases of a file.

    Uses the build's settings (embedding model, WordNet directory, concepts per
    intention) and its caches in ``<workdir>/graph`` (embeddings, parses).

    Args:
        phrases_path: one phrase a line.
        out: the TSV file to write (:data:`LINK_COLUMNS`, with a header).
        settings: ``embed``, ``concepts`` and ``workdir`` are used.
        embedder: overrides the configured model (it is wrapped in the cache).

    Returns:
        the number of links written.

    Raises:
        ConfigError: no phrases, a Probase file is configured (WordNet only), or
            WordNet is missing.
    """
    cfg = settings.concepts
    if cfg.probase_path is not None:
        raise ConfigError("intentkg eval concepts evaluates WordNet links; "
                          "unset concepts.probase_path")
    phrases = read_phrases(phrases_path)
    work = WorkDir(settings.workdir)
    wordnet = open_wordnet(cfg.wordnet_dir or DEFAULT_WORDNET_DIR, work.wordnet_cache)
    inner = embedder or SentenceTransformerEmbedder(
        settings.embed.model, device=settings.embed.device, batch_size=settings.embed.batch_size)
    cached = inner if isinstance(inner, CachedEmbedder) else \
        CachedEmbedder(inner, EmbeddingCache(work.embeddings_cache))
    parser = PhraseParser(cache_path=work.parse_cache,
                          batch_size=settings.batch_size)
    try:
        linker = WordNetLinker(wordnet, cached, depth=cfg.depth,
                               max_concepts=cfg.max_concepts_per_intention)
        return write_links(out, link_phrases(phrases, linker, parser, cached))
    finally:
        parser.close()
