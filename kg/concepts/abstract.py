"""Abstract intentions (after FolkScope): "drink tea" → "drink beverages".

An intention whose main verb has a direct object with a known WordNet sense is
an instance of "<verb> <hypernym of the object, plural> [<complement>]" for every
hypernym 1 to ``max_levels`` levels above that sense ("keeping hands warm in
freezing weather" → "keep extremities warm"). A (verb, complement, hypernym)
group with at least
``min_instances`` distinct intentions, whose objects are at least two different
senses, becomes an abstract intention ("protect the phone" and "protect the phone
from scratches" alone generalize nothing). Hypernyms
less than ``min_depth`` steps below WordNet's root (entity, object, whole,
artifact ...) say nothing and are skipped. A group is dropped when another group
of the same verb holds all its intentions, each as close or closer (coffee and tea
are beverages one level up and liquids two levels up: "brew beverages", not also
"brew liquids"); groups that add intentions stay, so abstractions nest ("feed
canines" and "feed carnivores").

What an analyst would not want is left out: light verbs alone (:data:`LIGHT_VERBS`:
"have desires", "make emotions"; "put on clothing" stays), hypernyms too general,
abstract (acts, ideas, states: "show assistances"), or named only by WordNet's
internal terms ("instrumentalities", "organisms", "mediums of exchange"). Particles
stay with the verb ("turn on lamps"), and a hypernym is named by its most common
lemma (:func:`plain_name`).

:func:`find_abstractions` is a pure function over ``(key, action, complement,
synset)`` items; synsets are nltk WordNet synsets (anything with ``name``, ``lemma_names``,
``hypernyms``, ``instance_hypernyms`` and ``min_depth``). Its output is sorted,
so the same input always gives the same abstractions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kg.concepts.link import TOO_GENERAL
from kg.concepts.wordnet import min_depth as depth_of

__all__ = ["LIGHT_VERBS", "Abstraction", "abstraction_texts", "find_abstractions", "plain_name",
           "plural"]

LIGHT_VERBS = frozenset({"have", "get", "make", "do", "hold", "put", "use", "take", "give",
                         "be", "let", "go", "come", "want", "need", "bring", "see", "find"})
"""Verbs too light to name an abstraction alone ("have desires", "make emotions"); with a
particle ("put on", "take off") they mean something and stay, except :data:`_EMPTY_VERBS`."""

_EMPTY_VERBS = frozenset({"have", "be", "do", "get", "make", "let", "want", "need"})

_CLASSIFIERS = frozenset({
    "creation.n.02", "representation.n.02", "facility.n.01", "structure.n.01",
    "obstruction.n.01", "covering.n.02", "commodity.n.01", "consumer_goods.n.01",
    "placental.n.01", "mammal.n.01", "vertebrate.n.01", "chordate.n.01", "animal.n.01",
    "social_control.n.01", "group_action.n.01", "body_part.n.01", "external_body_part.n.01",
    "substance.n.01", "substance.n.07", "solid.n.01", "fluid.n.01", "material.n.01",
    "nutriment.n.01",
})
"""WordNet's classifying levels, correct but no name for what people do ("shoot
representations", "plow facilities", "like placentals", "eat sustenance")."""

_UNCOUNTABLE = frozenset({
    "advice", "apparatus", "apparel", "attire", "baggage", "bedding", "clothing", "crockery",
    "cutlery", "equipment", "footgear", "furniture", "gear", "hardware", "headgear",
    "information", "jewellery", "jewelry", "knowledge", "lighting", "luggage", "machinery",
    "merchandise", "money", "music", "news", "nutriment", "nourishment", "produce", "series",
    "sheep", "software", "species", "stationery", "deer", "fish", "real estate", "real property",
    "property", "fare", "food", "water", "mail", "traffic", "personnel", "sustenance",
})
_IRREGULAR = {
    "child": "children", "foot": "feet", "goose": "geese", "man": "men", "mouse": "mice",
    "person": "people", "tooth": "teeth", "woman": "women", "ox": "oxen", "knife": "knives",
    "leaf": "leaves", "life": "lives", "loaf": "loaves", "shelf": "shelves", "wife": "wives",
    "wolf": "wolves", "half": "halves", "calf": "calves", "thief": "thieves",
}


def _plural_word(word: str) -> str:
    low = word.lower()
    if low in _UNCOUNTABLE or low.endswith(("ware", "wear")):
        return word
    for singular, many in _IRREGULAR.items():
        # "woman" → "women", "fireman" → "firemen"; not "human" → "humen".
        if low == singular or (singular in ("man", "woman") and low.endswith(singular)
                               and low not in ("human", "shaman", "caiman", "talisman")):
            return word[: len(word) - len(singular)] + many
    if low.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if low.endswith("y") and len(low) > 1 and low[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def plural(noun: str) -> str:
    """The plural of an English noun phrase (its head word inflected).

    The head is the last word, or the word before "of" ("article of clothing"
    → "articles of clothing"). Mass nouns (equipment, clothing, ...ware) stay.
    """
    if noun.lower() in _UNCOUNTABLE:
        return noun
    words = noun.split(" ")
    head = words.index("of") - 1 if "of" in words[1:] else len(words) - 1
    words[head] = _plural_word(words[head])
    return " ".join(words)


@dataclass(frozen=True)
class Abstraction:
    """An abstract intention and its instances.

    Attributes:
        text: the abstract phrase, e.g. ``"keep extremities warm"``.
        action: the verb (with particles) shared by the instances.
        complement: what the verb makes of the object (``"warm"``) or ``""``.
        synset: name of the hypernym the objects share (``computer.n.01``).
        instances: ``(key, levels)`` of each instance, sorted by key; ``levels``
            is how many IS_A steps lead from its object's sense to ``synset``.
    """

    text: str
    action: str
    complement: str
    synset: str
    instances: tuple[tuple[str, int], ...]


def _ancestors(synset: Any, max_levels: int) -> dict[str, tuple[int, Any]]:
    """Hypernyms 1..max_levels above ``synset`` by name: ``(fewest steps, synset)``."""
    found: dict[str, tuple[int, Any]] = {}
    frontier = [synset]
    for level in range(1, max_levels + 1):
        nxt = []
        for syn in frontier:
            for parent in (*syn.hypernyms(), *syn.instance_hypernyms()):
                if parent.name() not in found:
                    found[parent.name()] = (level, parent)
                    nxt.append(parent)
        frontier = nxt
    return found


def _kinds_on_path(synset: Any, ancestor: str, max_levels: int) -> set[Any]:
    """Hyponyms of ``ancestor`` (by name) between ``synset`` and it, within ``max_levels``
    steps: the kinds of the ancestor the synset is one of (not the synset itself)."""
    found: set[Any] = set()
    frontier = [(synset, False)]
    for _ in range(max_levels):
        nxt = []
        for syn, between in frontier:
            for parent in (*syn.hypernyms(), *syn.instance_hypernyms()):
                if parent.name() != ancestor:
                    nxt.append((parent, True))
                elif between:
                    found.add(syn)
        frontier = nxt
    return found


def _named_kind(kind: Any, hypernym: Any) -> bool:
    """Synset ``kind`` is named as a kind of ``hypernym``, its word after a modifier:
    "electronic_equipment.n.01" of equipment, "office_building.n.01" of building."""
    word = kind.name().rsplit(".", 2)[0].lower()
    return any(word.endswith("_" + lemma.name().lower()) for lemma in hypernym.lemmas())


def _loose(members: Iterable[Any], hypernym: Any, max_levels: int) -> bool:
    """``hypernym`` names the members' senses badly:

    * they reach it through two or more kinds that WordNet names after it ("keep equipment"
      for a phone, an electronic equipment, and a ball, a game equipment): the group holds
      unlike things under a name that tells them apart from nothing;
    * or all of them reach it through one kind that has no plain name (:func:`_internal`):
      the group is that kind, and the hypernym is wider than what they share ("play
      equipment" for balls and games, both *game equipment*; "receive telecommunications"
      for a voicemail and a phone call, both *telephony*).
    """
    named: set[Any] = set()
    kinds: set[Any] = set()
    every = True
    for synset in members:
        found = _kinds_on_path(synset, hypernym.name(), max_levels)
        every = every and bool(found)
        kinds |= found
        named |= {kind for kind in found if _named_kind(kind, hypernym)}
    return len(named) > 1 or (every and len(kinds) == 1 and _internal(next(iter(kinds))))


_Group = tuple[str, str, str]
"""(action, complement, hypernym synset name)."""


_COUNTS: dict[tuple[int, str], tuple[int, ...]] = {}
"""SemCor counts of a synset's lemmas, by (WordNet reader, synset name): NLTK reads each
count from disk by binary search (about 0.4 ms), and a build asks for the same hypernyms
again and again."""


def _synset_key(synset: Any) -> tuple[int, str]:
    """Key of a synset in this module's memos: its WordNet reader and its name."""
    return id(getattr(synset, "_wordnet_corpus_reader", None)), str(synset.name())


def _lemma_counts(synset: Any) -> tuple[int, ...]:
    key = _synset_key(synset)
    got = _COUNTS.get(key)
    if got is None:
        got = _COUNTS[key] = tuple(int(lem.count()) for lem in synset.lemmas())
    return got


_THINGS = frozenset({
    "noun.artifact", "noun.person", "noun.animal", "noun.plant", "noun.food", "noun.body",
    "noun.object", "noun.substance", "noun.location", "noun.group",
})
"""Lexicographer files of things one can point at: a word that mostly names one of them
is read as that thing, whatever the verb ("receive telephones")."""


def _misleading(lemma: Any, count: int, synset: Any) -> bool:
    """``lemma`` of ``synset`` (SemCor ``count``) mostly means a thing of another kind:
    its word has a noun sense in another lexicographer file of :data:`_THINGS` counted at
    least 5 times and more than three times as often ("telephones" for telephony, "lines"
    for cables; not "dishes" for food, nor "shows" for performances, whose rival sense
    is an act)."""
    reader = getattr(synset, "_wordnet_corpus_reader", None)
    if reader is None:
        return False
    word = str(lemma.name()).lower()
    for other in reader.synsets(word, pos="n"):
        if other.lexname() == synset.lexname() or other.lexname() not in _THINGS:
            continue
        theirs = sum(n for lem, n in zip(other.lemmas(), _lemma_counts(other), strict=True)
                     if lem.name().lower() == word)
        if theirs >= 5 and theirs > 3 * count:
            return True
    return False


_NAMES: dict[tuple[int, str], list[tuple[Any, int]]] = {}
""":func:`_names` by (WordNet reader, synset name): every instance of a group asks about
the same hypernyms, and each answer looks up every sense of every lemma."""


def _names(synset: Any) -> list[tuple[Any, int]]:
    """The synset's lemmas that name it plainly, with their SemCor counts: not a word that
    mostly means something else (:func:`_misleading`)."""
    key = _synset_key(synset)
    got = _NAMES.get(key)
    if got is None:
        got = _NAMES[key] = [
            (lem, n) for lem, n in zip(synset.lemmas(), _lemma_counts(synset), strict=True)
            if not _misleading(lem, n, synset)]
    return got


def plain_name(synset: Any, avoid: str = "") -> str:
    """The synset's most common plain lemma (SemCor counts; ties: WordNet's order; not
    one that mostly means something else), spaces for ``_``, other than ``avoid`` when
    there is another ("drink beverages", not "drink drinks").
    """
    counted = _names(synset) or list(zip(synset.lemmas(), _lemma_counts(synset), strict=True))
    lemmas = [(lem, n) for lem, n in counted if lem.name().replace("_", " ").lower() != avoid] \
        or counted
    best = max(enumerate(lemmas), key=lambda il: (il[1][1], -il[0]))[1][0]
    return str(best.name()).replace("_", " ")


_ABSTRACT_LEXNAMES = frozenset({
    "noun.Tops", "noun.act", "noun.attribute", "noun.cognition", "noun.feeling", "noun.motive",
    "noun.phenomenon", "noun.process", "noun.quantity", "noun.relation", "noun.shape",
    "noun.state", "noun.time",
})
"""WordNet's lexicographer files of abstract nouns: acts, attributes, ideas, states. Their
hypernyms make no class of things people act on ("show assistances", "extend dimensions",
"give perceptions", "find ideas"); things, places, food, bodies, possessions, works and
events stay ("protect equipment", "sell real estate", "watch shows")."""


def _internal(synset: Any) -> bool:
    """A hypernym no analyst would name a group by: too general, abstract (an act, idea
    or state), a multiword term nobody uses ("medium of exchange", "source of
    illumination", "consumer goods"), or one whose every word mostly means something
    else ("telephone" for telephony)."""
    if synset.name() in TOO_GENERAL or synset.name() in _CLASSIFIERS:
        return True
    if synset.lexname() in _ABSTRACT_LEXNAMES:
        return True
    names = _names(synset)
    if len(names) < len(synset.lemmas()) and all(n == 0 for _, n in names):
        return True  # its usual word misleads and no other is in use ("telephony")
    return not names or all(n == 0 and "_" in lem.name() for lem, n in names)


def _light(action: str) -> bool:
    verb, _, particle = action.partition(" ")
    return verb in _EMPTY_VERBS or (verb in LIGHT_VERBS and not particle)


def _already_plural(synset: Any, noun: str) -> bool:
    """``noun``, a lemma of ``synset``, is a plural itself: WordNet also knows it without
    its plural ending ("starches", "glasses"; not "glass", "dress")."""
    reader = getattr(synset, "_wordnet_corpus_reader", None)
    if reader is None or " " in noun or not noun.endswith("s") or noun.endswith("ss"):
        return False
    stems = {noun[:-1], noun[:-2]} if noun.endswith("es") else {noun[:-1]}
    return any(reader.synsets(stem, pos="n") for stem in stems)


def _text(action: str, complement: str, hypernym: Any) -> str:
    noun = plain_name(hypernym, avoid=action.split(" ")[0])
    many = noun if _already_plural(hypernym, noun) else plural(noun)
    return " ".join(w for w in (action, many, complement) if w).lower()


def abstraction_texts(action: str, complement: str, synset: Any, *, max_levels: int = 2,
                      min_depth: int = 5) -> list[tuple[str, str]]:
    """Every abstract intention one instance could join: ``(hypernym name, text)``.

    :func:`find_abstractions` makes one of these when another instance of the
    same verb shares the hypernym; listing them for single phrases lets their
    wording be judged without a corpus large enough to form the groups.
    """
    if _light(action):
        return []
    return [(name, _text(action, complement, parent))
            for name, (_, parent) in sorted(_ancestors(synset, max_levels).items(),
                                            key=lambda kv: (kv[1][0], kv[0]))
            if depth_of(parent) >= min_depth and not _internal(parent)]


def find_abstractions(items: Iterable[tuple[str, str, str, Any]], *, max_levels: int = 2,
                      min_instances: int = 2, min_depth: int = 5) -> list[Abstraction]:
    """Group intentions by verb and object hypernym into abstract intentions.

    Args:
        items: ``(key, action, complement, synset)`` per intention: a unique key
            (the intention id), the verb with particles, the object's complement
            (``""`` when none) and the sense of its direct object.
        max_levels: hypernym levels above the object's sense considered.
        min_instances: distinct intentions a group needs to become abstract (their
            objects must also have at least two different senses).
        min_depth: least ``synset.min_depth()`` (steps below the root) of a
            hypernym; smaller ones are too generic.

    Returns:
        Abstractions sorted by text. Groups that spell the same text (two senses
        with the same first lemma) are merged.
    """
    groups: dict[_Group, dict[str, int]] = {}
    synsets: dict[str, Any] = {}
    sense: dict[str, str] = {}
    objects: dict[str, Any] = {}
    for key, action, complement, synset in sorted(
            items, key=lambda x: (x[0], x[1], x[2], x[3].name())):
        if _light(action):
            continue
        sense[key] = synset.name()
        objects[key] = synset
        for name, (level, parent) in _ancestors(synset, max_levels).items():
            if depth_of(parent) < min_depth or _internal(parent):
                continue
            synsets.setdefault(name, parent)
            members = groups.setdefault((action, complement, name), {})
            members[key] = min(level, members.get(key, level))
    qualified = {g: m for g, m in groups.items()
                 if len(m) >= min_instances and len({sense[k] for k in m}) > 1
                 and not _loose({objects[k] for k in m}, synsets[g[2]], max_levels)}
    rank = {g: (sum(m.values()), -depth_of(synsets[g[2]]), g[2]) for g, m in qualified.items()}
    of_member: dict[str, list[_Group]] = {}
    for g in sorted(qualified):
        for key in qualified[g]:
            of_member.setdefault(key, []).append(g)

    def dominated(g: _Group) -> bool:
        members = qualified[g]
        for h in of_member[next(iter(members))]:  # a dominating group shares every member
            other = qualified[h]
            if h == g or not all(k in other and other[k] <= lv for k, lv in members.items()):
                continue
            if len(other) > len(members) or any(other[k] < lv for k, lv in members.items()) \
                    or rank[h] < rank[g]:
                return True
        return False

    keep = sorted((g for g in qualified if not dominated(g)), key=lambda g: rank[g])
    by_text: dict[str, tuple[_Group, dict[str, int]]] = {}
    for g in keep:  # most specific first: it names a merged text group
        action, complement, name = g
        text = _text(action, complement, synsets[name])
        if text in by_text:
            members = by_text[text][1]
            for key, level in qualified[g].items():
                members[key] = min(level, members.get(key, level))
        else:
            by_text[text] = (g, dict(qualified[g]))
    return [Abstraction(text=text, action=g[0], complement=g[1], synset=g[2],
                        instances=tuple(sorted(members.items())))
            for text, (g, members) in sorted(by_text.items())]
