"""Intention → Concept links, from WordNet (default) or a Probase-format file.

WordNet: for each noun-phrase head (up to ``max_concepts`` links per intention)

* the longest dictionary term is looked up first, so "power supply", "video
  game", "tug of war" and "remote control" are concepts of their own, not
  supply, game, war and control (:attr:`PhraseParts.terms`);
* template and frame nouns ("the person wants", "a type of", "a property of",
  "as a result", "in the product title") link to nothing (:data:`FRAME_NOUNS`),
  and neither do senses too general to be useful (:data:`TOO_GENERAL`, or less
  than :data:`MIN_DEPTH` steps below WordNet's root);
* the sense is the one whose gloss (lemma names, hypernym, definition, first
  example) is most similar to the intention's embedding moved towards its noun
  phrase's (``NP_WEIGHT``), plus priors: ``SENSE_PRIOR`` × the sense's share of
  the term's SemCor counts, and ``CONCRETE_PRIOR`` for things (artifacts, food,
  substances). So "charge the phone battery" links to battery.n.02 (*a device
  that produces electricity*), not to the first sense (*a group of guns*);
* a head stays unlinked when its best sense leads the runner-up by less than
  ``MARGIN``, when its gloss similarity is below ``MIN_SCORE``, below
  ``COMPOUND_MIN_SCORE`` when WordNet lacks its compound ("power supply"), or
  below ``NAMED_MIN_SCORE`` when it is part of a name ("HP Pavilion", "Stride
  Rite"), so brand names are not read as tents and rites;
* a head that ends one of WordNet's verb idioms links only when the idiom's gloss is
  about it (:meth:`WordNetLinker.idiomatic`): "spill the beans" links no beans, "fall in
  love" links love.

The constants were tuned on judged links of real text (``docs/concept_quality.md``).

Hypernyms of the chosen sense become ``IS_A`` links up to ``depth`` levels.

Probase: ``concept<TAB>instance<TAB>frequency`` rows, scored by
``P(c|i) = freq(c, i) / Σ_c freq(c, i)``.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kg.concepts.heads import PhraseParts
from kg.concepts.wordnet import min_depth
from kg.embed import Embedder
from kg.errors import ConfigError
from kg.records import Concept, ConceptLink
from kg.relations import REGISTRY

__all__ = [
    "COMPOUND_MIN_SCORE",
    "CONCRETE_PRIOR",
    "FRAME_NOUNS",
    "MARGIN",
    "MIN_DEPTH",
    "MIN_SCORE",
    "NAMED_MIN_SCORE",
    "NP_WEIGHT",
    "SENSE_PRIOR",
    "TOO_GENERAL",
    "ConceptGraph",
    "ProbaseLinker",
    "WordNetLinker",
    "load_probase",
    "probase_scores",
]

log = logging.getLogger(__name__)

F32 = npt.NDArray[np.float32]

SENSE_PRIOR = 0.4
"""Weight of the SemCor frequency share added to the gloss similarity of a sense."""

MIN_SCORE = 0.2
"""Least gloss similarity of a linked sense."""

MARGIN = 0.05
"""Least lead of the chosen sense's total (similarity + prior) over the runner-up; a head
whose senses are closer than this is left unlinked (too uncertain)."""

CONCRETE_PRIOR = 0.1
"""Bonus of senses that name things one can buy, hold or wear (WordNet's artifact, food,
substance, plant and body files): intentions are mostly about such things."""

_CONCRETE = frozenset({"noun.artifact", "noun.food", "noun.substance", "noun.plant",
                       "noun.body"})

HANDLING_PRIOR = 0.1
"""Further bonus of those concrete senses when the phrase's verb handles things
("buy a ring", "connect his tv", "wear a watch"): the object is a thing, not a sound or
a broadcast."""

_PLURAL_SENSE = re.compile(r"\((?:usually |often )?(?:in the )?plural\)")
"""A WordNet gloss that says its noun is usually said in the plural ("trouser")."""

HANDLING_VERBS = frozenset({
    "buy", "purchase", "order", "wear", "connect", "plug", "charge", "repair", "fix",
    "replace", "install", "carry", "hold", "store", "attach", "mount", "clean", "put",
    "use", "own", "sell", "return", "power", "cover", "protect", "keep", "organize",
    "pack", "hang", "watch", "listen", "eat", "drink", "cook", "bake", "fill",
})
"""Verbs whose objects are mostly things one can buy or hold."""

_WORD = re.compile(r"[a-z]{3,}")
_GLOSS_STOP = frozenset({
    "the", "and", "for", "with", "from", "that", "this", "which", "who", "whom", "what", "when",
    "where", "how", "its", "his", "her", "their", "one", "ones", "someone", "something",
    "somebody", "anything", "thing", "things", "way", "used", "use", "especially", "usually",
    "often", "very", "also", "more", "most", "other", "another", "some", "any", "all", "not",
    "into", "onto", "upon", "out", "make", "get", "give", "take", "have", "come", "become",
    "cause", "being", "been", "are", "was", "were"})
"""Words a verb idiom's gloss and a noun's glosses may share without being about one thing."""

NP_WEIGHT = 1.0
"""Weight of a noun phrase's own embedding ("usb extension cable") in the context of its
head's sense choice, next to the whole intention's (weight 1)."""

COMPOUND_MIN_SCORE = 0.45
"""Least gloss similarity of a head whose compound WordNet lacks ("power supply" is no
supply of the kind WordNet knows)."""

NAMED_MIN_SCORE = 0.45
"""Least gloss similarity of a sense of a word that is part of a name."""

MIN_DEPTH = 4
"""Least ``min_depth()`` of a linked synset (person, quality and thing are shallower)."""

def _template_frames() -> frozenset[str]:
    """The frame nouns of the relation templates: "because they both are a symbol of" ->
    ``symbol`` (a model answering "they both are symbols of love" echoes the frame)."""
    return frozenset(m.group(1) for rel in REGISTRY.values()
                     for m in re.finditer(r"\ban? (\w+) of\b", rel.template))


FRAME_NOUNS = frozenset({
    # who: the template's subject, not a topic
    "person", "people", "personx", "persony", "someone", "somebody", "one", "other", "others",
    "everyone", "anyone", "everybody", "anybody", "user", "buyer", "he", "she",
    # what kind: "a type of", "a manner of", "a property of", "a part of", "defined as"
    "type", "kind", "sort", "manner", "property", "part", "form", "variety", "lot", "number",
    "way", "style", "aspect", "term", "category", "class", "group", "series", "collection",
    "set", "pair", "piece", "item", "product", "merchandise", "thing", "stuff", "something",
    "anything", "everything", "nothing", "object", "goods", "brand", "model", "version",
    "process", "place", "location",
    # frames of reasons and results
    "result", "consequence", "effect", "purpose", "reason", "use", "usage", "need", "idea",
    "sense", "matter", "fact", "case", "situation", "order", "addition", "instance", "example",
    "ability", "able", "same", "end", "rest", "top", "bit",
    # meta words of generated co-buy text: where the words were found
    "title", "name", "description", "database", "website", "web site", "site", "page",
    "listing", "list", "store", "shop", "amazon", "topic", "subject", "label", "tag",
    "keyword", "review", "customer review", "quality", "price", "value", "level", "degree",
    # time words
    "time", "day", "today", "moment", "while", "period", "year", "week", "month",
}) | _template_frames()
"""Heads that link to no concept: template subjects, kind-of frames (every "a <noun> of"
of the relation templates among them), meta and time words."""

TOO_GENERAL = frozenset({
    "entity.n.01", "physical_entity.n.01", "abstraction.n.06", "object.n.01", "whole.n.02",
    "thing.n.08", "thing.n.12", "artifact.n.01", "instrumentality.n.03", "matter.n.03",
    "person.n.01", "organism.n.01", "causal_agent.n.01", "product.n.02", "merchandise.n.01",
    "commodity.n.01", "consumer_goods.n.01", "device.n.01", "attribute.n.02", "quality.n.01",
    "property.n.02", "state.n.02", "event.n.01", "act.n.02", "activity.n.01", "group.n.01",
    "measure.n.02", "time.n.01", "time.n.03", "time.n.05", "day.n.01", "purpose.n.01",
    "system.n.01", "unit.n.03", "part.n.01", "part.n.02", "relation.n.01",
})
"""Synsets too general to tell an analyst anything."""


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
        self._handling: dict[tuple[str, str], F32] = {}
        self._np_vecs: dict[str, F32] = {}
        # per synset name: its concept id, and its hypernyms sorted by name (pure lookups
        # that every link of a common sense would otherwise repeat)
        self._cids: dict[str, str] = {}
        self._parents: dict[str, list[Any]] = {}
        self._idioms: dict[tuple[str, str], bool] = {}
        self._verb_idioms: frozenset[str] | None = None

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
        """Frequency prior of each sense: ``SENSE_PRIOR`` × its share of SemCor counts."""
        key = (lemma, pos)
        if key not in self._priors:
            name = lemma.replace(" ", "_").lower()
            counts = np.array([sum(lem.count() for lem in s.lemmas() if lem.name().lower() == name)
                               for s in synsets], dtype=np.float32)
            total = float(counts.sum())
            prior = SENSE_PRIOR * (counts / total if total > 0 else np.zeros_like(counts))
            prior += np.array([CONCRETE_PRIOR if s.lexname() in _CONCRETE else 0.0
                               for s in synsets], dtype=np.float32)
            self._priors[key] = prior.astype(np.float32)
        return self._priors[key]

    def _synsets(self, lemma: str, pos: str) -> list[Any]:
        # nltk's morphy collects a word's base forms in a set, so the order of
        # synsets(...) follows the process's string-hash seed; sorting by synset name
        # makes sense choice (ties go to the first) the same in every run.
        name = lemma.replace(" ", "_")
        found = self.wn.synsets(name, pos=pos)
        # "sunglasses" is a word of its own, not only the plural of "sunglass"; but a
        # singular WordNet says is "usually in the plural" is the plural's sense too
        # ("pants" are trousers, not only bloomers)
        exact = [s for s in found if any(n.lower() == name for n in s.lemma_names())]
        if exact:
            exact += [s for s in found if s not in exact and _PLURAL_SENSE.match(s.definition())]
        return sorted(exact or found, key=lambda s: s.name())

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

    def choose_sense(self, context: F32, lemma: str, pos: str = "n", *,
                     handled: bool = False) -> tuple[Any, float] | None:
        """The sense of ``lemma`` whose gloss is closest to ``context``.

        The sense maximises the cosine similarity plus the frequency prior
        (``SENSE_PRIOR`` times the sense's share of the lemma's SemCor counts);
        ties go to the first sense by name.

        Args:
            context: unit embedding of the phrase the word appears in.
            lemma: the word's lemma.
            pos: WordNet part of speech (``"n"``, ``"v"``).
            handled: the phrase's verb handles things (``HANDLING_PRIOR`` for concrete
                senses).

        Returns:
            ``(synset, cosine similarity of its gloss)`` or ``None`` when WordNet
            lacks the word.
        """
        synsets, vecs = self._candidates(lemma, pos)
        if not synsets:
            return None
        sims = vecs @ context
        total = sims + self._prior(lemma, pos, synsets)
        if handled and HANDLING_PRIOR > 0:
            bonus = self._handling.get((lemma, pos))
            if bonus is None:
                bonus = self._handling[(lemma, pos)] = np.array(
                    [HANDLING_PRIOR if syn.lexname() in _CONCRETE else 0.0 for syn in synsets],
                    dtype=np.float32)
            total = total + bonus
        # on the few totals as Python floats (exact): the first best, as np.argmax, and
        # the runner-up, as np.partition(total, -2)[-2]
        totals = total.tolist()
        top = max(totals)
        best = totals.index(top)
        if MARGIN > 0 and len(synsets) > 1:
            runner_up = sorted(totals)[-2]
            if top - runner_up < MARGIN:
                return None
        return synsets[best], float(sims[best])

    def idiomatic(self, keys: Sequence[str], head: str) -> bool:
        """``head`` ends one of WordNet's verb idioms (``keys``: :attr:`PhraseParts.idioms`)
        whose meaning is not about it: "spill the beans" (*divulge confidential
        information*), "take place", "make fun", "turn a blind eye". An idiom whose gloss
        names the head or shares a word with one of its senses' glosses is about it and
        does not count: "fall in love" (*feelings of love*), "catch a cold", "shake
        hands", "give birth" (*cause to be born* / *the event of being born*), nor one
        whose gloss derives a word from it ("take care": *careful*)."""
        if self._verb_idioms is None:
            self._verb_idioms = frozenset(n.lower() for n in self.wn.all_lemma_names(pos="v")
                                          if "_" in n)
        for key in keys:
            if key not in self._verb_idioms:
                continue
            got = self._idioms.get((key, head))
            if got is None:
                found = [s for s in self.wn.synsets(key, pos="v")
                         if any(n.lower() == key for n in s.lemma_names())]
                about = self._gloss_words([head, *(s.definition()
                                                   for s in self.wn.synsets(head, pos="n"))])
                said = [self._gloss_words([s.definition()]) for s in found]
                got = self._idioms[(key, head)] = bool(found) and not any(
                    words & about or any(w.startswith(head) for w in words) for words in said)
            if got:
                return True
        return False

    def _gloss_words(self, texts: Iterable[str]) -> set[str]:
        """The content words of ``texts`` with their base forms ("hands" is a WordNet noun
        of its own, so its base form is asked of each part of speech)."""
        out = set()
        for text in texts:
            for word in _WORD.findall(text.lower()):
                if word not in _GLOSS_STOP:
                    out.add(word)
                    out.update(b for pos in "nva" if (b := self.wn.morphy(word, pos)))
                    if word.endswith("s"):
                        out.add(word[:-1])
        return out

    def _concept(self, graph: ConceptGraph, synset: Any) -> str:
        name = synset.name()
        cid = self._cids.get(name)
        if cid is None:
            cid = self._cids[name] = Concept.make_id("wordnet", name)
        if cid not in graph.concepts:
            graph.concepts[cid] = Concept(id=cid, name=synset.lemma_names()[0].replace("_", " "),
                                          source="wordnet", synset=synset.name(),
                                          gloss=synset.definition())
        return cid

    def link(self, ids: Sequence[str], vectors: F32, parts: Sequence[PhraseParts],
             graph: ConceptGraph | None = None) -> ConceptGraph:
        """Add ABOUT links of intentions ``ids`` (and their IS_A chains) to ``graph``."""
        graph = graph or ConceptGraph()
        self.prefetch_parts(parts)
        self.add_links(ids, [self.about(vec, p) for vec, p in zip(vectors, parts, strict=True)],
                       graph)
        return graph

    def add_links(self, ids: Sequence[str], senses: Sequence[Sequence[tuple[Any, float]]],
                  graph: ConceptGraph) -> None:
        """Add the ABOUT links (and IS_A chains) of intentions ``ids`` to ``graph``, given
        the senses :meth:`about` chose for each (chosen beforehand, as the build does
        while the candidate search runs)."""
        for iid, found in zip(ids, senses, strict=True):
            for synset, score in found:
                cid = self._concept(graph, synset)
                graph.add_link("about", iid, cid, max(0.0, min(1.0, score)))
                self._chain(graph, synset, cid)

    def prefetch_parts(self, parts: Sequence[PhraseParts]) -> None:
        """Embed, in one batch, the glosses and noun phrases :meth:`about` will need."""
        self.prefetch(t for p in parts for ts in _terms_of(p) for t in ts)
        # Noun-phrase vectors are kept for one batch only (the embedder caches them).
        self._np_vecs = {}
        if NP_WEIGHT > 0:
            todo = sorted({ts[0] for p in parts for ts in _terms_of(p) if len(ts) > 1})
            if todo:
                self._np_vecs.update(zip(todo, self.embedder.encode(todo), strict=True))

    def _context(self, context: F32, terms: Sequence[str]) -> F32:
        """The intention's embedding, moved towards the head's own noun phrase."""
        if NP_WEIGHT <= 0 or len(terms) < 2:
            return context
        vec = self._np_vecs.get(terms[0])
        if vec is None:
            vec = self._np_vecs[terms[0]] = self.embedder.encode([terms[0]])[0]
        mixed = context + NP_WEIGHT * vec
        norm = float(np.sqrt(mixed.dot(mixed)))  # np.linalg.norm's own sum, without its checks
        return (mixed / norm).astype(np.float32) if norm > 0 else context

    def sense_of(self, context: F32, terms: Sequence[str], *, named: bool = False,
                 handled: bool = False) -> tuple[Any, float] | None:
        """The linked sense of one noun-phrase head, or ``None``.

        Args:
            context: unit embedding of the intention.
            terms: dictionary terms of the head, longest first, the head last.
            named: the head is part of a name (needs ``NAMED_MIN_SCORE``
                unless a longer term matched).
            handled: the phrase's verb handles things (:data:`HANDLING_VERBS`).
        """
        if not terms or terms[-1] in FRAME_NOUNS or len(terms[-1]) < 2:
            return None
        context = self._context(context, terms)
        for i, term in enumerate(terms):
            chosen = self.choose_sense(context, term, handled=handled)
            if chosen is None:
                continue
            synset, score = chosen
            if i < len(terms) - 1 and " " not in term and synset.lexname() not in _CONCRETE:
                continue  # a written plural is its own word only for things ("glasses")
            if term in FRAME_NOUNS or synset.name() in TOO_GENERAL \
                    or min_depth(synset) < MIN_DEPTH:
                return None
            floor = MIN_SCORE
            if i == len(terms) - 1:  # no longer term matched
                if named:
                    floor = NAMED_MIN_SCORE
                elif any(" " in t for t in terms[:-1]):
                    floor = max(floor, COMPOUND_MIN_SCORE)
            return (synset, score) if score >= floor else None
        return None

    def about(self, context: F32, parts: PhraseParts) -> list[tuple[Any, float]]:
        """The senses one intention is ABOUT (at most ``max_concepts``), in text order.

        Args:
            context: unit embedding of the intention.
            parts: what the parser found in it.
        """
        out: list[tuple[Any, float]] = []
        seen: set[str] = set()
        named = parts.named or (False,) * len(parts.heads)
        verbal = parts.verbal or (False,) * len(parts.heads)
        idioms = parts.idioms or ((),) * len(parts.heads)
        for terms, is_named, may_be_verb, keys in zip(_terms_of(parts), named, verbal, idioms,
                                                      strict=True):
            if len(out) >= self.max_concepts:
                break
            if may_be_verb and self.wn.synsets(terms[-1], pos="v"):
                continue  # "be jump": CSKB's lemmatised "is jumping", no thing
            if keys and self.idiomatic(keys, terms[-1]):
                continue  # "spill the beans" is about no beans
            chosen = self.sense_of(context, terms, named=is_named,
                                   handled=parts.verb in HANDLING_VERBS)
            if chosen is not None and chosen[0].name() not in seen:
                seen.add(chosen[0].name())
                out.append(chosen)
        return out

    def _chain(self, graph: ConceptGraph, synset: Any, cid: str) -> None:
        # Every hypernym, not just the first: nltk returns them in hash-seed order, and
        # "alcohol" is both a beverage and a drug of abuse; both belong in the taxonomy.
        frontier = [(synset, cid)]
        for _ in range(self.depth):
            nxt: list[tuple[Any, str]] = []
            for syn, child in frontier:
                parents = self._parents.get(syn.name())
                if parents is None:
                    parents = self._parents[syn.name()] = sorted(
                        syn.hypernyms() or syn.instance_hypernyms(), key=lambda s: s.name())
                for parent in parents:
                    pid = self._concept(graph, parent)
                    if ("is_a", child, pid) in graph.links:
                        continue  # the rest of this chain is already there
                    graph.add_link("is_a", child, pid, 1.0)
                    nxt.append((parent, pid))
            frontier = nxt


def _terms_of(parts: PhraseParts) -> tuple[tuple[str, ...], ...]:
    """Dictionary terms per head (just the head when the parser gave none)."""
    return parts.terms if len(parts.terms) == len(parts.heads) else \
        tuple((h,) for h in parts.heads)


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
