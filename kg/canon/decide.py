"""The precise merge decision: do two normalised intention phrases mean the same?

Embeddings find candidates (:mod:`kg.canon.cluster`); this module decides on
each candidate pair from the spaCy parse and WordNet, because a cosine
threshold cannot tell "wear the ring for his wife" from "... his girlfriend".

Each phrase is reduced to a :class:`Signature`:

* its **content words** (lemmas of nouns, verbs, adjectives, adverbs, numbers,
  verb particles and explicit participants such as ``persony``), leaving out
  function words, the default subject ``personx``, copulas before an
  adjective ("be/feel/get/become impatient"), intent and modal verbs before
  another verb ("want to / need to / can / will"), intensifiers ("very",
  "really", "so") and aspect adverbs ("still", "again", "already");
* whether it is **negated** (any "not", "never", "no" ...: crowd text doubles
  them for emphasis).

Two phrases are the same intention when their negation agrees (or one side says
it by a prefix: "unnecessary" = "not necessary") and every content word of each
side has a partner on the other side: the same lemma, or a WordNet synonym (a
shared synset among the first senses of both words; a phrasal verb may be a
single verb: "pick out" = "choose"). Light verbs, fillers and praise may be
left over where their rules say so (:func:`_light`). Any
word left over is an object, beneficiary, verb or modifier that one side has
and the other lacks or swaps, so the pair stays apart; antonyms never share a
synset, so they stay apart too. :func:`decide` returns the decision and the
rule that made it, kept as merge evidence.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kg.canon.prefilter import Needs as _Needs
from kg.canon.prefilter import PairFilter
from kg.ids import PLACEHOLDERS
from kg.settings import Settings
from kg.textcache import TextCache

__all__ = ["DEFAULT_SENSES", "Decision", "OpinionPolicy", "PairJudge", "SecondOpinion",
           "Signature", "SignatureParser", "Synonyms", "decide", "make_judge"]

log = logging.getLogger(__name__)

DEFAULT_SENSES = 3
"""Senses per word (most frequent first) searched for a shared synset."""

NEGATIONS = frozenset({"not", "n't", "never", "no", "without", "nothing", "nobody", "none",
                       "neither", "nor", "cannot"})
INTENSIFIERS = frozenset({
    "very", "really", "so", "quite", "pretty", "super", "deeply", "absolutely", "rather",
    "just", "too", "extremely", "truly", "totally", "completely", "fully", "highly", "much",
    "all", "also", "even", "still", "again", "already", "now", "eventually", "always", "ever",
    "finally", "immediately", "suddenly", "soon", "then", "yet", "emotionally", "actually",
    "simply", "definitely", "certainly", "probably", "maybe", "perhaps", "surely", "well",
    "respectively", "lot", "bit", "little", "somewhat", "kind", "sort", "both", "together",
})
"""Words that change degree, time or tone but not the goal ("so happy" = "happy")."""
CONCESSIVES = frozenset({"anyway", "anyhow"})
"""Adverbs that concede ("buy one anyway" = "buy one"). Not *only*, which narrows ("can only
go" is not "can go")."""
COPULAS = frozenset({"be", "feel", "get", "become", "seem", "appear", "grow"})
"""Verbs dropped before an adjective or noun complement ("get impatient" = "feel impatient")."""
STAY_VERBS = frozenset({"keep", "stay", "remain"})
"""Verbs of staying in a state; one word before an adjective ("keep / stay warm")."""
DISTINCT_LEMMAS = (frozenset({"need", "want"}),)
"""Lemmas WordNet shares a sense of that ATOMIC keeps apart: xNeed is not xWant ("persony
might need" is not "persony want"; WordNet's want.v.02 is "have need of")."""
AUXILIARIES = frozenset({"be", "have", "do", "get", "can", "could", "will", "would", "shall",
                         "should", "may", "might", "must", "ought", "need", "dare", "used",
                         "to", "ll", "m", "s", "d", "wo", "ca", "ai", "na", "gon", "wan",
                         "gotta"})
"""Lemmas the tagger may rightly call auxiliaries; any other it tags so is a verb it misread
(:func:`_misread_verb`)."""
CAUSATIVES = frozenset({"make"})
"""Verbs dropped before a clause about the phrase's own subject ("making him happy" =
"happy"; "making his wife happy" keeps them)."""
INTENT_VERBS = frozenset({"want", "need", "hope", "wish", "intend", "would", "plan", "have",
                          "go", "get", "wan", "gon", "ll"})
"""Verbs dropped before the verb they introduce ("want to rest" = "rest")."""
MODALS = frozenset({"can", "could", "will", "would", "shall", "should", "may", "might", "must",
                    "ll", "wo", "ca", "gotta", "na"})
DEFAULT_SUBJECTS = frozenset({"personx", "he", "she", "they", "i", "we", "you", "it", "him",
                              "her", "them", "me", "us", "his", "their", "my", "our", "your",
                              "its", "himself", "herself", "themselves", "myself", "yourself",
                              "someone", "something", "somebody", "one", "person", "x"})
"""Pronouns and ATOMIC's default subject: who the phrase is about, never its content."""
THING_SUBJECTS = frozenset({"it", "that", "this", "something", "everything", "nothing",
                            "anything"})
"""Subjects that are a thing, not the phrase's person: "it be at the beach" is about where
something is, not where PersonX is ("be at the beach")."""
EXPLETIVE_VERBS = frozenset({"matter", "happen", "seem", "appear", "occur", "rain", "snow"})
"""Verbs whose "it" stands for no thing ("it does not matter" = "does not matter")."""
REFLEXIVES = frozenset({"myself", "yourself", "himself", "herself", "itself", "ourselves",
                        "yourselves", "themselves", "themself", "oneself"})
"""Pronouns that, as the object, make the subject the one acted on ("hurt himself" is not
"hurt", "examine myself" is not "examine that"); elsewhere they only stress ("write the
book himself", "see it for myself")."""
PARTICIPANTS = frozenset(PLACEHOLDERS) - {"personx"}
"""ATOMIC's other participants: content, matched only by themselves."""
_FUNCTION_POS = frozenset({"DET", "PRON", "AUX", "CCONJ", "SCONJ", "PART", "ADP", "PUNCT",
                           "SPACE", "SYM"})
ROLE_PREPOSITIONS: dict[str, str] = {
    "from": "source", "to": "goal", "for": "goal", "with": "goal", "about": "topic",
    "of": "topic", "at": "place", "on": "place", "in": "place", "inside": "place",
    "against": "against", "outside": "outside", "under": "under", "below": "under",
    "beneath": "under", "underneath": "under", "above": "above", "near": "near",
    "beside": "near", "before": "before", "after": "after", "until": "until",
    "till": "until", "during": "place"}
"""Prepositions that say a role, each to its class: a source, a goal (recipient,
beneficiary, purpose or companion: "talk to" = "talk with", "a gift to her" = "a gift for
her"), a topic, a place or setting ("at home" = "in the home", "on winter hikes" = "during
winter hikes"), and places and times of their own ("under", "near", "before", "after" ...).
The same word, or "be", with prepositions of no
common class relates to something else ("look for" / "look at", "run from" / "run to",
"talk to" / "talk about", "a gift for" / "a gift from", "be in the house" / "be outside
the house", "go before dinner" / "go after dinner")."""
DIRECTIONS = frozenset({"out", "up", "down", "away", "off", "back", "over", "through", "into",
                        "onto", "around", "across", "along", "behind", "ahead", "apart"})
"""Prepositions kept as content: "get to the car" is not "get out of the car"."""
SOFT = frozenset({"good", "nice", "great", "best", "excellent", "fine", "wonderful", "perfect",
                  "awesome", "high", "amazing", "beautiful", "lovely", "fantastic", "superb",
                  "cheap", "low", "reasonable", "affordable", "inexpensive", "fair",
                  "competitive"})
"""Praise that does not change the goal ("a nice dinner" = "dinner", "good quality and a low
price" = "high quality and a reasonable price"); dropped unless it is all the phrase says."""
LEVELS = frozenset({"high", "low"})
"""Praise only of :data:`PRAISED_LEVELS` ("high quality", "a low price"); of anything else
a level is what the phrase says ("high heels", "low battery", "high speed")."""
PRAISED_LEVELS = frozenset({"quality", "price", "cost", "value", "performance", "standard",
                            "rating", "grade", "durability", "reliability", "efficiency"})
ENJOYED = frozenset({"time"})
"""Nouns whose praise is what the phrase says: "have a good / great time" is enjoying
oneself, not "have time"; any praise of them is one word ("good")."""
CLASSES: dict[str, str] = dict.fromkeys(
    ("provide", "give", "deliver", "offer", "supply", "bring"), "give") | dict.fromkeys(
    ("find", "search", "seek"), "find")
"""Words merged into one class: verbs of giving ("providing / giving him the best quality"),
and of seeking, whose goal is finding ("find / search for a new job")."""
FILLERS = frozenset({"category", "product", "item", "amazon", "amazon.com", "purpose", "type",
                     "kind"})
"""Filler nouns: a pair that differs only in these is still one intention ("the watch
category" = "the watch")."""
GENERIC_NOUNS = frozenset({"thing", "stuff", "item", "object", "belonging"})
"""Nouns that name no particular thing: any two are one ("carry a lot of stuff" = "hold a lot
of things"), but none is dropped, unlike :data:`FILLERS` ("have things" is not "have it")."""
LIGHT_VERBS = frozenset({"have", "get", "make", "take", "do", "give"})
"""Light verbs: one side's light verb is ignored when the other side has no verb at all but
says something besides its participants ("make some life change" = "life change", not
"persony do that" = "persony be"), unless its object is a concrete thing ("make bracelets"
is not "wristband", "have a child" is not "be a kid")."""
_INFORMAL = re.compile(r"(an? )?(informal|uncomplimentary|slang|colloquial) terms? for ")
"""WordNet glosses of a synset that only names its hypernym less formally ("mom", "dad",
"cop")."""
_FEELING_LEXNAMES = frozenset({"verb.emotion"})
"""WordNet's verb files of feelings (not verb.body: "being worn" is no "worn" look)."""
SIMILAR = "~"
"""Prefix of a synset an adjective reaches by WordNet's similar-to link
(:meth:`Synonyms.synsets`)."""
PROPERTY_VERBS = frozenset({"have", "give", "provide", "offer", "deliver"})
"""Verbs that only say a property when their objects are all attributes: "has good quality",
"gives him the best quality" and "offers a good price" are "good quality and price"."""
RECEIVING_VERBS = frozenset({"get", "have"})
"""Light verbs whose subject may receive what the noun says ("get a call", "have help",
"have work"): the verb itself only with an indefinite noun of an intransitive verb ("get
some rest", "have a talk"), unlike "take a walk" = "walk" or "make a decision"."""
INDEFINITES = frozenset({"a", "an", "some"})
TRANSITIVE_FRAMES = frozenset({5, 8, 9, 10, 11, 14, 15, 16, 17, 18, 19, 20, 21, 24, 25})
"""WordNet's verb frames with a direct object ("Somebody ----s something", ...)."""
FEEL = "feel"
"""The verb whose felt object is the feeling itself (:data:`FELT_LEXNAMES`): light like
:data:`LIGHT_VERBS`, and its objects are kept like theirs."""
FELT_LEXNAMES = frozenset({"noun.feeling", "noun.state", "noun.motive"})
"""WordNet's noun files of what one feels ("regret", "pain", "urge"): *feel* with such an
object says only the feeling ("feel regret" = "regret it")."""
SPELLINGS = ((re.compile(r"is(e|ation)$"), r"iz\1"), (re.compile(r"ys(e)$"), r"yz\1"),
             (re.compile(r"our(ite|able)?$"), r"or\1"), (re.compile(r"tre$"), "ter"),
             (re.compile(r"ogue$"), "og"))
"""British endings and their American forms ("realise", "colour", "favourite", "theatre",
"catalogue"); a form counts only where WordNet files both in one synset."""
NEGATING_PREFIXES = ("un", "in", "im", "ir", "il", "dis", "non")
"""Prefixes that make an adjective its own antonym ("unnecessary", "impatient", "dishonest")."""
CONSUMING_VERBS = frozenset({"eat", "drink"})
"""Verbs that *have* stands for with food or drink as its object ("have lunch")."""
CONCRETE_LEXNAMES = frozenset({"noun.artifact", "noun.person", "noun.animal", "noun.plant",
                               "noun.food", "noun.body", "noun.object", "noun.substance"})
"""WordNet's lexicographer files of concrete things (see :meth:`Synonyms.concrete`)."""
DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "some", "any",
                         "each", "every", "another", "other", "such", "what", "which", "whose",
                         "all", "both", "either", "half", "many", "few", "several", "more",
                         "most", "less", "much", "enough", "own"})
"""Words the tagger may call DET that really are; any other "DET" (a mis-tagged
"bluetooth") is content."""


TEMPLATE_PARTICIPLES = frozenset({"use"})
"""Participles of FolkScope's relation templates ("being used in a costume" = "a costume");
kept when they have a subject ("his laptop to be used"). "found in" stays: dev labels
"found in the category of jewelry" apart from "a jewelry product"."""


_WN_POS = {"NOUN": "n", "PROPN": "n", "VERB": "v", "ADJ": "a", "ADV": "r"}
BENEFICIARIES = frozenset({"him", "her", "them", "me", "us", "you"})
"""Pronouns that, after "for", name a beneficiary ("find a job for him" is not "find a job")."""


PLACEHOLDER_NAMES: dict[str, str] = dict(zip(PLACEHOLDERS, ("John", "Mary", "Tom", "Anna", "Peter"),
                                             strict=True))
"""ATOMIC's placeholders are parsed as these names: spaCy reads "persony teach personx" as a
noun phrase with "teach" as an auxiliary, "Mary teach John" as subject, verb and object.
Normalised text is lower case, so a capitalised name can only be a substituted placeholder."""
_PLACEHOLDER_OF = {name: word for word, name in PLACEHOLDER_NAMES.items()}
_PLACEHOLDER_RE = re.compile(r"\b(" + "|".join(PLACEHOLDER_NAMES) + r")\b")


_CONTRACTED = re.compile(
    r"\b(do|does|did|is|are|was|were|has|have|had|would|could|should|must|need|wo|ca|ai)n t\b")
"""A contraction whose apostrophe was lost ("don t make", as CSKB writes it): the tagger
reads "don" as a noun and loses the negation."""
_UNCONTRACTED = {"wo": "will", "ca": "can", "ai": "is"}


def for_parser(text: str) -> str:
    """``text`` with ATOMIC's placeholders replaced by names the parser understands and
    contractions that lost their apostrophe spelled out ("don t" → "do not")."""
    text = _CONTRACTED.sub(lambda m: _UNCONTRACTED.get(m.group(1), m.group(1)) + " not", text)
    return _PLACEHOLDER_RE.sub(lambda m: PLACEHOLDER_NAMES[m.group(1)], text)


def _lemma(word: str) -> str:
    """The lemma of a signature word (``"sick|a"`` → ``"sick"``)."""
    return word.split("|", 1)[0]


@dataclass(frozen=True)
class Signature:
    """What the decision compares: content lemmas (sorted, unique) and negation.

    Words are ``lemma|pos`` with a WordNet part of speech (``n``, ``v``, ``a``, ``r``, or
    empty for particles and participants), so synonyms are looked up in the right sense.
    """

    words: tuple[str, ...]
    negated: bool
    """The phrase says "not", "never", "nothing" ... (any number of them)."""
    verbs: tuple[str, ...] = ()
    """The content words that are verbs."""
    soft: tuple[str, ...] = ()
    """Lemmas of praise dropped as modifiers ("a *good* product"): the other side may say
    the same word as its predicate ("the product is *good*")."""
    light_objects: tuple[str, ...] = ()
    """``verb>noun`` for each light or property verb (:data:`PROPERTY_VERBS`), and *feel*,
    with a noun as its direct object ("make>bracelet"; a property verb's noun after "with"
    too),
    ``verb>noun>a`` when the noun has an indefinite determiner ("get some rest"): with a
    concrete thing as its object the verb is not light (:meth:`Synonyms.concrete`)."""
    passive: tuple[str, ...] = ()
    """Verbs said in the passive of the phrase's own subject ("to be *loved*", "he was
    *hired*"); not with another subject ("his laptop to be *repaired*" = "repair his
    laptop")."""
    active: tuple[str, ...] = ()
    """Verbs said in an active form with a direct object ("to *love* her", "he *hired* a
    nanny"); a participle said of the subject ("feel *excited*") is neither."""
    phrasal: tuple[str, ...] = ()
    """``verb>particle`` of each phrasal verb ("calm>down", "give>up")."""
    roles: tuple[str, ...] = ()
    """``head>preposition`` of each role preposition with an object ("look>for",
    "gift>from"): "look for a job" is not "look at a job"."""
    placed: tuple[str, ...] = ()
    """Nouns said as where or when an act or state is ("be *in a meeting*", "be *on time*",
    "set it *on the table*"; not "the screen on his laptop"): a light verb's object is not
    light against them ("have a meeting" is not "be in a meeting")."""

    def objects(self, verb: str) -> list[tuple[str, bool]]:
        """``(noun, indefinite)`` for each direct object of light verb ``verb``."""
        found = []
        for entry in self.light_objects:
            head, _, rest = entry.partition(">")
            if head == verb:
                noun, _, det = rest.partition(">")
                found.append((noun, bool(det)))
        return found

    def roles_differ(self, other: Signature) -> str:
        """A word both sides relate to something by role prepositions none of which they
        share ("look for" / "look at", "a gift for" / "a gift from"), or ``""``."""
        mine: dict[str, set[str]] = {}
        theirs: dict[str, set[str]] = {}
        for found, roles in ((mine, self.roles), (theirs, other.roles)):
            for entry in roles:
                head, _, prep = entry.partition(">")
                found.setdefault(head, set()).add(ROLE_PREPOSITIONS[prep])
        clash = sorted(f"{head} {'/'.join(sorted(mine[head] | theirs[head]))}"
                       for head in mine.keys() & theirs.keys()
                       if mine[head].isdisjoint(theirs[head]))
        return ", ".join(clash)

    def to_json(self) -> str:
        """Compact JSON (the parse cache stores this)."""
        return json.dumps([list(self.words), self.negated, list(self.verbs), list(self.soft),
                           list(self.light_objects), list(self.passive), list(self.active),
                           list(self.phrasal), list(self.roles), list(self.placed)],
                          separators=(",", ":"))

    @staticmethod
    def from_json(raw: str) -> Signature:
        """Inverse of :meth:`to_json`."""
        (words, negated, verbs, soft, light_objects, passive, active, phrasal,
         roles, placed) = json.loads(raw)
        return Signature(tuple(words), bool(negated), tuple(verbs), tuple(soft),
                         tuple(light_objects), tuple(passive), tuple(active), tuple(phrasal),
                         tuple(roles), tuple(placed))

    def voice_differs(self, other: Signature) -> str:
        """A verb said in the passive on one side and only in the active on the other
        ("to be loved" / "to love her": who acts differs), or ``""``."""
        flips = (set(self.passive) & (set(other.active) - set(other.passive))) | \
            (set(other.passive) & (set(self.active) - set(self.passive)))
        return " ".join(sorted(flips))


_PARTICIPLE_ENDS = ("ed", "d", "ing", "en", "n")


def _participle(a: str, b: str) -> bool:
    """One word is the other's participle ("frustrate" / "frustrated", "excite" / "exciting");
    never of a two-letter word ("do" / "don")."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) > 2 and long.startswith(short.rstrip("e")) and \
        long[len(short.rstrip("e")):] in _PARTICIPLE_ENDS


def _rules_digest() -> str:
    """A short digest of the word lists :func:`_signature` reads (part of the cache key)."""
    import hashlib

    lists = (NEGATIONS, REFLEXIVES, INTENSIFIERS, CONCESSIVES, COPULAS, INTENT_VERBS, MODALS,
             DEFAULT_SUBJECTS, THING_SUBJECTS, EXPLETIVE_VERBS, PARTICIPANTS, _FUNCTION_POS,
             DIRECTIONS, SOFT,
             DETERMINERS, BENEFICIARIES, STAY_VERBS, _MODIFIER_DEPS, PLACEHOLDER_NAMES,
             TEMPLATE_PARTICIPLES, LIGHT_VERBS, PROPERTY_VERBS, AUXILIARIES, LEVELS,
             PRAISED_LEVELS, ENJOYED, INDEFINITES, CAUSATIVES, ROLE_PREPOSITIONS,
             {" ".join(idiom) for idiom in IDIOMS})
    text = "|".join(",".join(sorted(x)) for x in lists) + repr(sorted(CLASSES.items()))
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def _to_verb(doc: Any, i: int) -> bool:
    """``doc[i]`` is followed by "to" and a verb ("want to rest", not "get to the car")."""
    return i + 2 < len(doc) and doc[i + 1].lower_ == "to" and doc[i + 2].pos_ in ("VERB", "AUX")


_MODIFIER_DEPS = frozenset({"amod", "advmod", "compound", "nmod", "npadvmod"})
"""Dependencies of a word that modifies another ("a *nice* dinner"); praise said as the
predicate ("they were *cheap*") is what the phrase says and is kept."""


_GRADED = frozenset({"JJR", "JJS", "RBR", "RBS"})
"""Tags of comparatives and superlatives ("better", "best")."""
_ACTIVE_TAGS = frozenset({"VB", "VBP", "VBZ", "VBD", "VBG"})
"""Tags of a verb said in an active form (a "VBN" is passive or a participle)."""

_OBJECT_DEPS = frozenset({"dobj", "iobj", "dative", "pobj", "obj", "attr", "oprd"})


def _or_not(doc: Any, i: int) -> bool:
    """``doc[i]`` is the "not" of a closing "or not" ("know if it is good or not")."""
    return bool(i > 0 and doc[i - 1].lower_ == "or" and doc[i].lower_ == "not"
                and all(t.is_punct for t in doc[i + 1:]))


IDIOMS: tuple[tuple[str, ...], ...] = (("at", "the", "same", "time"), ("had", "better"),
                                        ("would", "better"), ("'d", "better"), ("as", "well"))
"""Word sequences said by an intensifier or a modal too ("at the same time" = "together",
"had better take it" = "take it", "do it as well" = "do it too"): dropped."""


def _idiom_tokens(doc: Any) -> set[int]:
    """Indices of the tokens of :data:`IDIOMS` in ``doc``."""
    words = [t.lower_ for t in doc]
    found: set[int] = set()
    for idiom in IDIOMS:
        n = len(idiom)
        for i in range(len(words) - n + 1):
            if tuple(words[i:i + n]) == idiom:
                found.update(range(i, i + n))
    return found


def _predicate(tok: Any) -> bool:
    """``tok`` is an adjective said of the subject ("they were *pretty*"), not a degree word."""
    return bool(tok.pos_ == "ADJ" and tok.dep_ in ("acomp", "ROOT", "attr", "conj", "oprd"))


def _own_passive(tok: Any) -> bool:
    """A passive ``tok`` says the phrase's own subject is acted on: its passive subject, if
    any, is a default one ("to be loved", "he was hired"; not "his laptop to be repaired")."""
    return not any(c.dep_ == "nsubjpass" and _PLACEHOLDER_OF.get(c.text, c.lower_)
                   not in DEFAULT_SUBJECTS for c in tok.children)


def _misread_verb(tok: Any, lexicon: Synonyms | None) -> bool:
    """``tok`` is a verb the tagger called something else: an auxiliary that is none ("stop
    talk" is "stop talking", not "talk"), or a fragment's first word, its root, tagged a noun
    although a preposition, a determiner or a participant follows, when WordNet knows the
    verb (an intention whose "to" was stripped: "shout at persony" = "yell at persony")."""
    lemma = tok.lemma_.lower()
    if tok.pos_ == "AUX":
        return lemma not in AUXILIARIES and lemma.isalpha()
    doc = tok.doc
    return (tok.i == 0 and tok.pos_ in ("NOUN", "PROPN") and tok.dep_ == "ROOT"
            and len(doc) > 1 and doc[1].pos_ in ("ADP", "DET", "PRON", "PROPN")
            and lexicon is not None and lexicon.verb(lemma))


def _state_alone(doc: Any) -> bool:
    """``doc`` is "be" and one participle: a state said alone ("exhausted", "is
    prepared"; not "get shot")."""
    return len(doc) == 2 and doc[0].lower_ in ("be", "is", "am", "are", "was", "were")


def _participant_role(tok: Any) -> str:
    """``@subj`` for a participant who is the subject, ``@`` and the role class of the
    preposition it follows ("talk *with* persony" is ``@goal``), else nothing: an object,
    direct or indirect, also as "to" or "for" beside a direct object ("give persony a
    call" = "call persony", "give a gift to persony" = "give persony a gift")."""
    if tok.dep_ in ("nsubj", "nsubjpass"):
        return "@subj"
    prep = tok.head
    if tok.dep_ != "pobj" or prep.lower_ not in ROLE_PREPOSITIONS:
        return ""
    if prep.lower_ in ("to", "for") and (prep.head.dep_ == "dobj" or any(
            c.dep_ == "dobj" for c in prep.head.children)):
        return ""  # after the object ("a gift for persony") or its verb
    return "@" + ROLE_PREPOSITIONS[prep.lower_]


def _manner(tok: Any) -> bool:
    """``tok`` says how much or how well a verb is done, which changes the goal: "well"
    after an active verb ("do well", "sleep well"; not "as well" or "well prepared"), "too
    much" or "too little" ("eat too much")."""
    head = tok.head
    if tok.dep_ != "advmod" or head.pos_ != "VERB" or head.tag_ == "VBN":
        return False
    if tok.lower_ == "well":
        return not any(c.lower_ == "as" for c in tok.children)
    return tok.lower_ in ("much", "little") and any(c.lower_ == "too" for c in tok.children)


def _direct_objects(verb: Any, given: bool) -> list[Any]:
    """The nouns ``verb`` governs as direct objects, and with ``given`` also those after its
    "with" ("provide him *with* the best quality")."""
    found = [c for c in verb.children if c.dep_ == "dobj" and c.pos_ == "NOUN"]
    if given:
        found += [g for c in verb.children if c.dep_ == "prep" and c.lower_ == "with"
                  for g in c.children if g.dep_ == "pobj" and g.pos_ == "NOUN"]
    return found


def _signature(doc: Any, lexicon: Synonyms | None = None) -> Signature:
    words: set[str] = set()
    verbs: set[str] = set()
    soft: set[str] = set()
    light_objects: set[str] = set()
    passive: set[str] = set()
    active: set[str] = set()
    phrasal: set[str] = set()
    roles: set[str] = set()
    placed: set[str] = set()
    negations = 0
    skip = _idiom_tokens(doc)
    for tok in doc:
        if tok.i in skip:
            continue
        low = _PLACEHOLDER_OF.get(tok.text, tok.lower_)
        lemma = low if tok.text in _PLACEHOLDER_OF else (tok.lemma_.lower() or low)
        if lemma == "go" and any(c.dep_ in ("dobj", "xcomp") and c.lower_.endswith("ing")
                                 for c in tok.children):
            continue  # the activity is what is said: "go camping" = "camping"
        if tok.dep_ == "pobj" and tok.pos_ == "NOUN" and \
                ROLE_PREPOSITIONS.get(tok.head.lower_) == "place" and \
                tok.head.head.pos_ in ("VERB", "AUX"):
            placed.add(lemma)
        if (low in NEGATIONS or lemma in NEGATIONS or tok.dep_ == "neg") and not (
                low == "no" and tok.pos_ == "INTJ"):  # "say no" is an answer, not "not say"
            if not _or_not(doc, tok.i):
                negations += 1
            continue
        if low in PARTICIPANTS:
            # who does what to whom: "persony supervises" is not "supervise persony", and
            # "watch persony" is not "watch it with persony"
            words.add(low + _participant_role(tok) + "|")
            continue
        if low == "personx" and tok.dep_ in _OBJECT_DEPS:
            # PersonX acted on by another ("persony understand personx" is not "persony
            # understand"); as the subject or possessor PersonX is the default and dropped
            words.add("personx|")
            continue
        if low in REFLEXIVES and tok.dep_ == "dobj" and not (
                lexicon is not None and lexicon.intransitive(tok.head.lemma_.lower())):
            words.add("self|")  # not after a verb that takes no object: "go himself"
            continue
        if low in THING_SUBJECTS and tok.dep_ in ("nsubj", "nsubjpass") \
                and tok.head.dep_ == "ROOT" and tok.head.lemma_.lower() not in EXPLETIVE_VERBS:
            words.add("thing@subj|")  # "it be nice" is not "be nice"
            continue
        if low in BENEFICIARIES and tok.dep_ == "pobj" and tok.head.lower_ == "for":
            words.add("for-someone|")
            continue
        if low in DEFAULT_SUBJECTS or lemma in DEFAULT_SUBJECTS:
            continue
        if tok.dep_ == "prep" and low in ROLE_PREPOSITIONS and (
                tok.head.pos_ in ("VERB", "NOUN") or tok.head.lemma_ == "be") \
                and any(c.dep_ == "pobj" for c in tok.children):
            roles.add(f"{CLASSES.get(tok.head.lemma_.lower(), tok.head.lemma_.lower())}>{low}")
        if tok.dep_ == "prt" or (tok.pos_ == "ADP" and low in DIRECTIONS):
            words.add(lemma + "|")  # particle or direction: "give up" is not "give"
            if tok.dep_ == "prt" and tok.head.pos_ == "VERB" and not (
                    tok.i + 1 < len(doc) and doc[tok.i + 1].pos_ == "ADP"):
                # "stand up", not the idiom "stand up for"
                phrasal.add(f"{tok.head.lemma_.lower()}>{lemma}")
            continue
        is_verb = tok.pos_ == "VERB" or _misread_verb(tok, lexicon)
        if tok.pos_ == "DET" and low not in DETERMINERS:
            pass  # mis-tagged content word
        elif not is_verb and (tok.pos_ in _FUNCTION_POS or tok.is_punct
                              or not any(c.isalnum() for c in low)):
            continue
        if lemma == "quality" and tok.dep_ == "compound" and any(
                c.lower_ in SOFT for c in (*tok.children, *tok.head.children)):
            soft.add("quality|n")  # "high quality service" = "good service": praise
            continue
        if (lemma in SOFT or low in SOFT) and tok.dep_ in _MODIFIER_DEPS:
            head = tok.head.lemma_.lower()
            if head in ENJOYED:
                words.add("good|a")  # "have a great time" is enjoying it, not "have time"
                continue
            if lemma not in LEVELS or head in PRAISED_LEVELS:
                soft.add(f"{lemma}|{_WN_POS.get(tok.pos_, '')}")
                continue
        if _manner(tok):
            words.add(f"{'too ' if low != 'well' else ''}{low}|r")
            continue  # "do well" is not "do", "eat too much" is not "eat"
        if ((low in INTENSIFIERS or (lemma in INTENSIFIERS and tok.tag_ not in _GRADED))
                and not _predicate(tok)) or lemma in MODALS or (
                    low in CONCESSIVES and tok.pos_ == "ADV"):
            continue  # "so happy" = "happy"; "better" (lemma "well") is no degree word
        if low == "more" and tok.dep_ == "advmod" and tok.head.pos_ in ("ADJ", "ADV"):
            continue  # comparative degree: "more secure" = "secure"
        if low == "own" and tok.dep_ == "amod" and any(
                c.dep_ == "poss" for c in tok.head.children):
            continue  # "his own business" = "his business"
        child_deps = {c.dep_ for c in tok.children}
        if lemma in COPULAS and child_deps & {"acomp", "attr", "oprd"}:
            continue
        if lemma in INTENT_VERBS and (child_deps & {"xcomp", "ccomp"} or _to_verb(doc, tok.i)):
            continue
        if lemma == "be":
            continue
        if lemma in CAUSATIVES and any(
                c.dep_ == "ccomp" and any(g.dep_ == "nsubj" and g.lower_ in DEFAULT_SUBJECTS
                                          for g in c.children) for c in tok.children):
            continue  # "making him look good" = "look good": the phrase's own subject
        if lemma in TEMPLATE_PARTICIPLES and tok.tag_ == "VBN" and tok.dep_ != "amod" \
                and not any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children):
            continue  # FolkScope's "being used in a costume"; not "a used car"
        word = CLASSES.get(lemma, lemma) if is_verb else lemma
        if lemma in STAY_VERBS and any(c.pos_ == "ADJ" for c in tok.children):
            word = "stay"  # "keep warm" = "stay warm" = "remain warm"
        if tok.tag_ == "VBN" and "auxpass" in child_deps and "dobj" not in child_deps and \
                lexicon is not None and (lexicon.feeling(lemma) or _state_alone(doc)) and \
                lexicon.adjective(tok.lower_):
            # "be thrilled" as "feel thrilled" reads it: an adjective ("thrilled" ~
            # "excited"), as is a state said alone ("exhausted" ~ "tired"); its voice is
            # still kept ("to be loved" is not "to love her")
            words.add(f"{tok.lower_}|a")
            if _own_passive(tok):
                passive.add(word)
            continue
        words.add(f"{word}|{'v' if is_verb else _WN_POS.get(tok.pos_, '')}")
        if is_verb:
            verbs.add(word)
            if tok.tag_ == "VBN" and "auxpass" in child_deps and _own_passive(tok):
                passive.add(word)  # "to be loved": the subject is acted on
            elif tok.tag_ in _ACTIVE_TAGS and "dobj" in child_deps:
                active.add(word)  # "to love her"
            if word in LIGHT_VERBS or word in PROPERTY_VERBS or word == FEEL:
                light_objects.update(
                    f"{word}>{c.lemma_.lower()}" + (">a" if any(
                        d.dep_ == "det" and d.lower_ in INDEFINITES for d in c.children) else "")
                    for c in _direct_objects(tok, word in PROPERTY_VERBS))
    if not any(_lemma(w) not in PARTICIPANTS and "@" not in w for w in words):
        words |= soft  # praise is all the phrase says ("persony be great")
    # crowd text doubles its negations for emphasis ("not gonna get nothing"): any negates
    return Signature(tuple(sorted(words)), negations > 0, tuple(sorted(verbs)),
                     tuple(sorted({_lemma(w) for w in soft})), tuple(sorted(light_objects)),
                     tuple(sorted(passive)), tuple(sorted(active)), tuple(sorted(phrasal)),
                     tuple(sorted(roles)), tuple(sorted(placed)))


class SignatureParser:
    """Signatures of phrases from a spaCy pipeline, with an optional SQLite cache.

    Args:
        model: spaCy package name (the one concept linking uses).
        cache_path: SQLite file keyed by text hash (``None``: no cache).
        batch_size: phrases per ``nlp.pipe`` batch.
        lexicon: WordNet's word classes (:class:`Synonyms`, with WordNet): a one-word
            phrase that is an adjective is parsed after "be" ("ill", "ashamed", which the
            tagger alone reads as a noun or a verb), and a feeling said in the passive
            ("be thrilled") is read as its adjective, as "feel thrilled" is.
    """

    VERSION = "canon-signature-65"
    """Cache key prefix; bump when :func:`_signature` changes (changes to the word lists
    change the key by themselves, see :func:`_rules_digest`)."""

    def __init__(self, model: str | None = None, *, cache_path: Path | None = None,
                 batch_size: int = 1024, lexicon: Synonyms | None = None) -> None:
        from kg.concepts.heads import DEFAULT_SPACY_MODEL

        self.model = model or DEFAULT_SPACY_MODEL
        self.batch_size = batch_size
        self.parsed = 0
        self.lexicon = lexicon if lexicon is not None and lexicon.wordnet is not None else None
        self._nlp: Any = None
        frame = ":wordnet" if self.lexicon is not None else ""
        self._cache = TextCache(cache_path, table="canon_signatures", column="sig",
                                key=f"{self.VERSION}:{_rules_digest()}:{self.model}{frame}")

    def _framed(self, text: str) -> str:
        """``text`` as the parser reads it (:func:`for_parser`, "be" before a lone
        adjective)."""
        if self.lexicon is not None and " " not in text and self.lexicon.adjective(text):
            return "be " + text
        return for_parser(text)

    def _load(self) -> Any:
        if self._nlp is None:
            from kg.concepts.heads import _load_pipeline

            self._nlp = _load_pipeline(self.model)
        return self._nlp

    def signatures(self, texts: Sequence[str]) -> list[Signature]:
        """The signature of each of ``texts`` (cached ones are read back)."""
        return self._cache.map(texts, self._parse, encode=Signature.to_json,
                               decode=Signature.from_json)

    def cached(self, texts: Iterable[str]) -> dict[str, Signature]:
        """The signatures of ``texts`` found in the cache (none are parsed)."""
        return self._cache.cached(texts, decode=Signature.from_json)

    def _parse(self, texts: list[str]) -> list[Signature]:
        # the signature reads tags, lemmas and the parse, never entities: NER costs a third
        docs = self._load().pipe([self._framed(t) for t in texts], batch_size=self.batch_size,
                                 disable=["ner"])
        self.parsed += len(texts)
        return [_signature(doc, self.lexicon) for doc in docs]

    def close(self) -> None:
        """Close the cache database."""
        self._cache.close()


class Synonyms:
    """WordNet synonymy between lemmas: a synset shared among their first senses.

    Args:
        wordnet: an nltk WordNet reader (:func:`kg.concepts.wordnet.open_wordnet`),
            or ``None`` for exact lemmas only.
        senses: senses per word searched (most frequent first).
    """

    def __init__(self, wordnet: Any | None, *, senses: int = DEFAULT_SENSES) -> None:
        self.wordnet = wordnet
        self.senses = senses
        self._sets: dict[str, frozenset[str]] = {}
        self._forms: dict[str, frozenset[str]] = {}
        self._lexnames: dict[str, str] = {}
        self._intransitive: dict[str, bool] = {}
        self._completive: dict[str, bool] = {}
        self._feeling: dict[str, bool] = {}
        self._keys: dict[str, frozenset[str]] = {}
        self._same: dict[tuple[str, str], bool] = {}
        self._spelled: dict[str, str] = {}
        self._stems: dict[str, tuple[str, ...]] = {}

    def american(self, word: str) -> str:
        """``word`` in the spelling WordNet's sense counts are kept under ("realise" →
        "realize", "colour" → "color"), else ``word`` itself. WordNet lists British forms
        in the same synsets but counts no uses of them, so their senses come in no useful
        order ("realise" would first be "gain" as in "realise a profit")."""
        got = self._spelled.get(word)
        if got is None:
            got = word
            if self.wordnet is not None:
                for pattern, repl in SPELLINGS:
                    other = pattern.sub(repl, word)
                    if other != word and {s.name() for s in self.wordnet.synsets(other)} & \
                            {s.name() for s in self.wordnet.synsets(word)}:
                        got = other
                        break
            self._spelled[word] = got
        return got

    def synsets(self, word: str, pos: str = "") -> frozenset[str]:
        """Names of the first ``senses`` synsets of ``word`` as part of speech ``pos``
        (``n``, ``v``, ``a``, ``r``; every part of speech when empty)."""
        got = self._sets.get(f"{word}|{pos}")
        if got is None:
            names: set[str] = set()
            if self.wordnet is not None:
                key = self.american(word).replace(" ", "_")
                for part in (pos,) if pos else ("n", "v", "a", "r"):
                    found = self.wordnet.synsets(key, pos=part)
                    if part == "a":  # adjective satellites are filed under "s"
                        found = found[:self.senses] + \
                            self.wordnet.synsets(key, pos="s")[:self.senses]
                    else:
                        found = self._used(key, found)
                    names.update(s.name() for s in found)
                    if part == "n":  # "mom" is WordNet's "informal term for a mother"
                        names.update(h.name() for s in found if _INFORMAL.match(s.definition())
                                     for h in s.hypernyms())
                    if part == "a":
                        # "angry" ~ "mad", "guilty" ~ "ashamed": WordNet's similar-to links,
                        # and its see-also links between heads ("happy" ~ "joyful"),
                        # marked: two satellites of one head are no synonyms ("lucky" and
                        # "happy" both lead to "fortunate")
                        names.update(SIMILAR + t.name() for s in found
                                     for t in (*s.similar_tos(), *s.also_sees()))
            got = self._sets[f"{word}|{pos}"] = frozenset(names)
        return got

    def _used(self, key: str, found: list[Any]) -> list[Any]:
        """The first ``senses`` of noun or verb ``found``, less those after the first that
        the word never takes in WordNet's sense-tagged corpus: "phone" as an earphone goes,
        "think" as "imagine" stays (11 uses). Adjectives keep every sense: their
        similar-to links need the rarer ones ("glad" ~ "happy")."""
        kept = []
        for rank, synset in enumerate(found[:self.senses]):
            if rank == 0 or any(lemma.name().lower() == key and lemma.count() > 0
                                for lemma in synset.lemmas()):
                kept.append(synset)
        return kept

    def lexname(self, noun: str) -> str:
        """WordNet's lexicographer file of the first sense of ``noun`` (``noun.artifact``,
        ``noun.attribute`` ...); empty without WordNet or for an unknown noun."""
        got = self._lexnames.get(noun)
        if got is None:
            found = self.wordnet.synsets(noun, pos="n")[:1] if self.wordnet is not None else []
            got = self._lexnames[noun] = str(found[0].lexname()) if found else ""
        return got

    def completive(self, verb: str, particle: str) -> bool:
        """The phrasal verb ``verb particle`` shares a sense with ``verb`` alone in WordNet
        ("calm down", "sit down", "wake up", "cheer up"; not "give up", "pick up", "make
        up"): its particle adds nothing."""
        key = f"{verb}>{particle}"
        got = self._completive.get(key)
        if got is None:
            got = False
            if self.wordnet is not None:
                phrasal = {s.name() for s in self.wordnet.synsets(f"{verb}_{particle}", pos="v")}
                got = bool(phrasal) and not phrasal.isdisjoint(self.synsets(verb, "v"))
            self._completive[key] = got
        return got

    def phrasal_keys(self, verb: str, particle: str) -> frozenset[str]:
        """Match keys of the phrasal verb ``verb particle`` as WordNet's own verb ("pick
        out" is choose.v.01): a single verb on the other side may be its partner."""
        return frozenset("S:" + name for name in self.synsets(f"{verb} {particle}", "v"))

    def phrasal_same(self, verb: str, particle: str, other: str) -> bool:
        """The phrasal verb ``verb particle`` shares one of its first senses with the
        single verb ``other`` ("pick out" / "choose", "find out" / "discover", "put back" /
        "replace"), ``other`` not being ``verb`` itself."""
        return other != verb and _share_sense(self.synsets(f"{verb} {particle}", "v"),
                                              self.synsets(other, "v"))

    def negated_stem(self, adjective: str) -> tuple[str, ...]:
        """The adjective that ``adjective`` negates by a prefix, as WordNet's direct
        antonym of it ("unnecessary" → "necessary", "impatient" → "patient",
        "dishonest" → "honest"); empty for any other ("under", "interesting")."""
        got = self._stems.get(adjective)
        if got is None:
            stems = {adjective.removeprefix(p) for p in NEGATING_PREFIXES} - {adjective}
            got = self._stems[adjective] = () if self.wordnet is None or not stems else \
                tuple(sorted({
                    anti.name().lower() for synset in self.wordnet.synsets(adjective, pos="a")
                    for lemma in synset.lemmas() if lemma.name().lower() == adjective
                    for anti in lemma.antonyms() if anti.name().lower() in stems}))
        return got

    def verb(self, word: str) -> bool:
        """WordNet knows ``word`` as a verb ("shout", "walk")."""
        return self.wordnet is not None and bool(self.wordnet.synsets(word, pos="v"))

    def adjective(self, word: str) -> bool:
        """WordNet knows ``word`` as an adjective ("ill", "ashamed", "blue")."""
        return self.wordnet is not None and bool(
            self.wordnet.synsets(word, pos="a") or self.wordnet.synsets(word, pos="s"))

    def feeling(self, verb: str) -> bool:
        """One of the first senses of ``verb`` is a feeling (WordNet's verb.emotion: "excite",
        "worry", "please"; not "wear", "charge", "hire")."""
        got = self._feeling.get(verb)
        if got is None:
            found = self.wordnet.synsets(verb, pos="v")[:self.senses] \
                if self.wordnet is not None else []
            got = self._feeling[verb] = any(s.lexname() in _FEELING_LEXNAMES for s in found)
        return got

    def intransitive(self, verb: str) -> bool:
        """The first sense of ``verb`` takes no direct object in any of WordNet's frames
        ("sleep", "rest", "talk"; not "call", "help", "meet")."""
        got = self._intransitive.get(verb)
        if got is None:
            found = self.wordnet.synsets(verb, pos="v")[:1] if self.wordnet is not None else []
            frames = {f for s in found for lemma in s.lemmas() if lemma.name() == verb
                      for f in lemma.frame_ids()}
            got = self._intransitive[verb] = bool(frames) and frames.isdisjoint(
                TRANSITIVE_FRAMES)
        return got

    def concrete(self, noun: str) -> bool:
        """The first sense of ``noun`` is a concrete thing: an artifact, person, animal,
        plant, food, body part, natural object or substance. "make a bracelet" and "have
        a child" act on things; "make a connection", "have a meeting" and "give a good
        price" are light verbs with an event, an act or an attribute."""
        return self.lexname(noun) in CONCRETE_LEXNAMES

    def forms(self, word: str) -> frozenset[str]:
        """Lemmas derivationally related to the first senses of ``word`` ("connect" for
        "connection", "luck" for "lucky")."""
        got = self._forms.get(word)
        if got is None:
            names: set[str] = set()
            if self.wordnet is not None and self.synsets(word):
                for name in self.synsets(word):
                    if name.startswith(SIMILAR):
                        continue
                    for lemma in self.wordnet.synset(name).lemmas():
                        if lemma.name().lower() == word.replace(" ", "_"):
                            names.update(f.name().lower()
                                         for f in lemma.derivationally_related_forms())
            got = self._forms[word] = frozenset(names)
        return got

    def keys(self, word: str) -> frozenset[str]:
        """Match keys of a signature word: :meth:`same` is true of two words only when
        their keys meet (its lemma, its synsets, its derivational forms, the stems it
        would share with a participle), so disjoint keys rule a partner out cheaply."""
        got = self._keys.get(word)
        if got is None:
            lemma, _, pos = word.partition("|")
            keys = {"L:" + lemma, "P:" + lemma.rstrip("e")}
            if lemma in GENERIC_NOUNS and pos == "n":
                keys.add("G:")
            if lemma == "have":  # "have dinner" may be "eat dinner" (see _consumed)
                keys.update("L:" + verb for verb in CONSUMING_VERBS)
            keys.update("P:" + lemma[:-len(end)] for end in _PARTICIPLE_ENDS
                        if lemma.endswith(end))
            if pos and "@" not in lemma and lemma not in PARTICIPANTS:
                keys.update("S:" + name.removeprefix(SIMILAR)
                            for name in self.synsets(lemma, pos))
                keys.update("L:" + form for form in self.forms(lemma))
                if pos == "a":  # "unnecessary" may meet "necessary" (see _negated_stems)
                    keys.update(key for stem in self.negated_stem(lemma)
                                for key in self.keys(f"{stem}|a"))
            got = self._keys[word] = frozenset(keys)
        return got

    MEMO_LIMIT = 2_000_000
    """Word pairs remembered by :meth:`same` (a build meets the same pairs again and again)."""

    def same(self, a: str, b: str) -> bool:
        """Signature words ``a`` and ``b`` (``lemma|pos``) are the same lemma, share a synset
        as the same part of speech, or are derivationally related ("connect" /
        "connection")."""
        key = (a, b) if a <= b else (b, a)
        got = self._same.get(key)
        if got is None:
            if len(self._same) >= self.MEMO_LIMIT:
                self._same.clear()
            got = self._same[key] = self._same_uncached(*key)
        return got

    def _same_uncached(self, a: str, b: str) -> bool:
        la, _, pa = a.partition("|")
        lb, _, pb = b.partition("|")
        if la == lb:
            return True
        if "@" in la or "@" in lb or la in PARTICIPANTS or lb in PARTICIPANTS or not pa or not pb:
            return False
        if pa == pb == "n" and la in GENERIC_NOUNS and lb in GENERIC_NOUNS:
            return True
        if {la, lb} in DISTINCT_LEMMAS:
            return False
        if la in LIGHT_VERBS and lb in LIGHT_VERBS:
            return False  # "make do" is not "make it": light verbs share senses, not meaning
        if pa == pb and _share_sense(self.synsets(la, pa), self.synsets(lb, pb)):
            return True
        if pa != pb and _participle(la, lb):
            return True
        if not (lb in self.forms(la) or la in self.forms(lb)):
            return False
        if {pa, pb} == {"a", "v"}:
            return False  # a state is not the act: "be sleepy" / "sleep", "supportive" / "support"
        # a person is not the thing he deals in: "a musician" is not "music" (but "be a
        # winner" is "win", and "a decision" is "decide")
        return not (pa == pb == "n" and (self.lexname(la) == "noun.person") !=
                    (self.lexname(lb) == "noun.person"))


def _share_sense(a: frozenset[str], b: frozenset[str]) -> bool:
    """Synset names ``a`` and ``b`` (:meth:`Synonyms.synsets`) share a sense of their own, or
    one side's own sense is similar to the other's ("mad" → "angry"); two senses that are
    only similar to one third do not count."""
    own_a = [n for n in a if not n.startswith(SIMILAR)]
    own_b = [n for n in b if not n.startswith(SIMILAR)]
    return any(n in b or SIMILAR + n in b for n in own_a) or \
        any(SIMILAR + n in a for n in own_b)


@dataclass(frozen=True)
class Decision:
    """The outcome of :func:`decide` for one pair, with the rule that made it."""

    same: bool
    rule: str
    """``identical``, ``lemmas``, ``synonyms``, ``light``, ``model`` (same: the rules left
    it unmatched, a second opinion merged it); ``negation``, ``voice``, ``preposition``,
    ``unmatched``, ``empty`` (different)."""
    detail: str = ""
    """The words that decided: the synonym pairs used, or the words left unmatched."""


def _unmatched(mine: Iterable[str], theirs: Sequence[str], syn: Synonyms,
               used: list[tuple[str, str]]) -> list[str]:
    left = []
    lemmas = {_lemma(t) for t in theirs}
    for w in mine:
        if w in theirs or _lemma(w) in lemmas:
            continue
        partner = next((t for t in theirs if syn.same(w, t)), None)
        if partner is None:
            left.append(w)
        else:
            used.append((w, partner))
    return left


def _phrasal_units(sig: Signature) -> list[tuple[str, str]]:
    """``(verb, particle)`` of each phrasal verb of ``sig`` whose two words (``verb|v``,
    ``particle|``) it has."""
    return [(verb, particle) for verb, _, particle in (e.partition(">") for e in sig.phrasal)
            if f"{verb}|v" in sig.words and f"{particle}|" in sig.words]


def _phrasal_partners(own: Signature, other: Signature, left_own: list[str],
                      left_other: list[str], syn: Synonyms,
                      used: list[tuple[str, str]]) -> None:
    """Pair each phrasal verb of ``own`` left without a partner with a single verb left on
    the other side that WordNet gives as one of its senses ("pick out" = "choose"), and take
    both out of the lists. Two phrasal verbs are never paired so ("go out" is not "get
    out"), and the particles must be left over too."""
    for verb, particle in _phrasal_units(own):
        v, p = f"{verb}|v", f"{particle}|"
        if p not in left_own:
            continue
        partner = next((w for w in other.words if w.endswith("|v") and
                        syn.phrasal_same(verb, particle, _lemma(w))), None)
        if partner is not None and (v in left_own) == (partner in left_other):
            # both verbs left, or both matched already ("find out" / "discover": "find" ~
            # "discover", and "out" goes with it)
            left_own.remove(p)
            if v in left_own:
                left_own.remove(v)
                left_other.remove(partner)
            used.append((f"{verb} {particle}|v", partner))


def _consumed(sig: Signature, syn: Synonyms) -> bool:
    """``sig`` says *have* with food or drink as its objects ("have dinner", "have a beer")."""
    foods = [obj for obj, _ in sig.objects("have")]
    return bool(foods) and all(syn.lexname(obj) == "noun.food" for obj in foods)


def _nominal(noun: str, verbs: Iterable[str], syn: Synonyms) -> bool:
    """``noun`` is not a concrete thing and names one of ``verbs`` ("walk", "decision" /
    "decide")."""
    return not syn.concrete(noun) and any(syn.same(f"{noun}|n", f"{v}|v") for v in verbs)


def _light(word: str, own: Signature, other: Signature, syn: Synonyms) -> bool:
    lemma = _lemma(word)
    if lemma in FILLERS or (lemma in GENERIC_NOUNS and own.verbs and not other.verbs):
        return True  # "the watch category" = "watch"; "storing things" = "storage"
    if any(f"{verb}>{lemma}" in own.phrasal and syn.completive(verb, lemma)
           for verb in other.verbs):
        return True  # "calm down" = "calm", "sit down" = "sit"; not "give up" = "give"
    if lemma == FEEL:
        objects = [obj for obj, _ in own.objects(lemma)]
        # a feeling felt is the feeling: "feel regret" = "regret it", "feel responsibility"
        # = "feel responsible" (not "feel the cold wind" = "wind")
        return bool(objects) and all(
            syn.lexname(obj) in FELT_LEXNAMES or any(
                syn.same(f"{obj}|n", w) for w in other.words if w.endswith("|a"))
            for obj in objects)
    if lemma not in LIGHT_VERBS and lemma not in PROPERTY_VERBS:
        return False
    found = own.objects(lemma)
    objects = [obj for obj, _ in found]
    if any(f"{obj}|a" in other.words and f"{obj}|n" not in other.words for obj in objects):
        return False  # a noun is not its adjective: "have a right" is not "be right"
    if lemma in PROPERTY_VERBS and objects and all(
            syn.lexname(obj) == "noun.attribute" for obj in objects):
        return True  # a property said with a verb: "has / gives him good quality"
    if lemma not in LIGHT_VERBS:
        return False
    if any(obj in other.placed and obj not in own.placed for obj in objects):
        return False  # "have a meeting" is not "be in a meeting", "have time" not "on time"
    if lemma in RECEIVING_VERBS and objects and all(
            _nominal(obj, other.passive, syn) for obj in objects):
        return True  # receiving is the passive: "get praise" = "be praised"
    if lemma == "have" and _consumed(own, syn) and set(other.verbs) & CONSUMING_VERBS:
        return True  # "have dinner" = "eat dinner", "have a drink" = "drink something"
    if objects and all(
            _nominal(obj, [v for v in other.verbs if lemma not in RECEIVING_VERBS or (
                indefinite and syn.intransitive(v))], syn)
            for obj, indefinite in found):
        # the verb said as a noun: "take a walk" = "walk", "make a decision" = "decide";
        # "get some rest" = "rest", but "get the call" is not "call it" (see RECEIVING_VERBS)
        return True
    if other.verbs or any(syn.concrete(obj) for obj in objects):
        return False  # "make bracelets" is not "wristband"
    return any(_lemma(w) not in FILLERS and _lemma(w) not in PARTICIPANTS and "@" not in w
               for w in other.words)


def _eats(word: str, other: Signature, syn: Synonyms) -> bool:
    """``word`` is *eat* or *drink* and ``other`` has food with *have* ("eat dinner" /
    "have dinner")."""
    return _lemma(word) in CONSUMING_VERBS and _consumed(other, syn)


def decide(a: Signature, b: Signature, syn: Synonyms, *, text_a: str = "",
           text_b: str = "") -> Decision:
    """Whether phrases with signatures ``a`` and ``b`` are one intention.

    ``text_a``/``text_b`` (the normalised phrases) only let identical texts
    short-cut the decision.
    """
    if text_a and text_a == text_b:
        return Decision(True, "identical")
    if a.negated != b.negated:
        said, other = (b, a) if a.negated else (a, b)
        stems = _negated_stems(said, syn)
        if not stems:
            return Decision(False, "negation", "one side is negated")
        # "it is unnecessary" = "it is not necessary": the prefix says the negation
        said = replace(said, words=tuple(sorted(stems.get(w, w) for w in said.words)),
                       negated=True)
        a, b = (other, said) if a.negated else (said, other)
    flips = a.voice_differs(b)
    if flips:
        return Decision(False, "voice", flips)
    clash = a.roles_differ(b)
    if clash:
        return Decision(False, "preposition", clash)
    if not a.words or not b.words:
        return Decision(False, "empty", "no content words")
    used: list[tuple[str, str]] = []
    left_a = [w for w in _unmatched(a.words, b.words, syn, used) if _lemma(w) not in b.soft]
    left_b = [w for w in _unmatched(b.words, a.words, syn, used) if _lemma(w) not in a.soft]
    _phrasal_partners(a, b, left_a, left_b, syn, used)
    _phrasal_partners(b, a, left_b, left_a, syn, used)
    left = [w for w in left_a if not _light(w, a, b, syn) and not _eats(w, b, syn)] + \
        [w for w in left_b if not _light(w, b, a, syn) and not _eats(w, a, syn)]
    if left:
        return Decision(False, "unmatched", " ".join(sorted({_lemma(w) for w in left})))
    if left_a or left_b:
        return Decision(True, "light", " ".join(sorted({_lemma(w) for w in left_a + left_b})))
    if used:
        pairs = sorted({"=".join(sorted(map(_lemma, p))) for p in used})
        return Decision(True, "synonyms", " ".join(pairs))
    return Decision(True, "lemmas")


def _negated_stems(sig: Signature, syn: Synonyms) -> dict[str, str]:
    """``{word: stem}`` for each adjective of ``sig`` that is a negating prefix on an adjective
    WordNet gives as its antonym ("unnecessary|a" → "necessary|a", "unhappy|a" →
    "happy|a"); empty when there is none or ``sig`` is negated itself."""
    if sig.negated:
        return {}
    found = {}
    for word in sig.words:
        lemma, _, pos = word.partition("|")
        stems = syn.negated_stem(lemma) if pos == "a" else ()
        if stems:
            found[word] = f"{stems[0]}|a"
    return found


def _filter_words(sig: Signature) -> list[str]:
    """The words of ``sig`` as the cheap rejection sees them: a phrasal verb is one word,
    ``verb|v>particle``, that needs a partner by the keys of its verb, its particle or the
    phrasal verb's senses (:func:`_phrasal_partners`: "pick out" / "choose")."""
    units = _phrasal_units(sig)
    heads = {f"{verb}|v": particle for verb, particle in units}
    particles = {f"{particle}|" for _, particle in units}
    return [f"{w}>{heads[w]}" if w in heads else w for w in sig.words if w not in particles]


def _needs_partner(word: str) -> bool:
    """Whether a signature word must have a partner on the other side: not a light or
    property verb, a filler, a generic noun or a particle, which :func:`decide` may leave
    over."""
    lemma, _, pos = word.partition("|")
    return lemma not in LIGHT_VERBS and lemma not in PROPERTY_VERBS and lemma != FEEL and \
        lemma not in FILLERS and lemma not in GENERIC_NOUNS and \
        (bool(pos) or lemma not in DIRECTIONS)


def _may_match(needs: _Needs, other: Signature, offers: frozenset[str]) -> bool:
    """Every needed word is praise the other side drops, or has a key among ``offers``."""
    return all(lemma in other.soft or not keys.isdisjoint(offers) for lemma, keys in needs)


def _unordered(a: str, b: str) -> tuple[str, str]:
    """The pair ``a``, ``b`` in one order, as the second opinion is asked and remembered."""
    return (a, b) if a <= b else (b, a)


SecondOpinion = Callable[[Sequence[tuple[str, str]]], list[float | None]]
"""P(same) for each pair of normalised phrases, ``None`` where no answer came (a model
asked through the distill backends: :mod:`distill.same_meaning`)."""


@dataclass(frozen=True)
class OpinionPolicy:
    """Which candidate pairs a :data:`SecondOpinion` is asked about, and what merges.

    Only pairs the rules leave ``unmatched`` (words without a partner) are asked: a
    negation, a voice or a preposition clash, an antonym stay decided by the rules.
    """

    ask: SecondOpinion
    floor: float
    """Least cosine of a pair that is asked (``canon.model_floor``)."""
    threshold: float
    """Least P(same) that merges (``canon.model_threshold``)."""
    limit: int
    """Most pairs asked in one clustering, most similar first (``canon.model_pairs``)."""


class PairJudge:
    """The merge decision the build uses: cached signatures + WordNet synonymy, and
    optionally a second opinion on what the rules leave unmatched.

    Args:
        parser: computes (or reads cached) signatures.
        synonyms: WordNet synonymy (exact lemmas only without WordNet).
        opinion: a model asked about candidate pairs the rules leave unmatched
            (:meth:`consult`); ``None``: the rules alone decide.
    """

    name = "rules"
    MEMO_LIMIT = 500_000
    """Decisions remembered by signature pair (many phrases share a signature)."""

    def __init__(self, parser: SignatureParser, synonyms: Synonyms, *,
                 opinion: OpinionPolicy | None = None) -> None:
        self.parser = parser
        self.synonyms = synonyms
        self.opinion = opinion
        self.asked = 0
        """Pairs the second opinion was asked about (by :meth:`consult`)."""
        self._sig: dict[str, Signature] = {}
        self._memo: dict[tuple[Signature, Signature], Decision] = {}
        self._needs: dict[str, _Needs] = {}
        self._offers: dict[str, frozenset[str]] = {}
        self._agreed: dict[tuple[str, str], float] = {}

    def prepare(self, texts: Iterable[str]) -> None:
        """Parse the signatures of ``texts`` not seen yet (one batched spaCy pass)."""
        todo = sorted({t for t in texts if t not in self._sig})
        if todo:
            self._sig.update(zip(todo, self.parser.signatures(todo), strict=True))

    def preload(self, texts: Iterable[str]) -> None:
        """Read the cached signatures of ``texts`` (nothing is parsed: :meth:`prepare`
        parses what is still missing)."""
        self._sig.update(self.parser.cached(t for t in texts if t not in self._sig))

    def signature(self, text: str) -> Signature:
        """The signature of ``text`` (parsed now if :meth:`prepare` did not see it)."""
        if text not in self._sig:
            self.prepare([text])
        return self._sig[text]

    def same(self, text_a: str, text_b: str) -> bool:
        """``decide(text_a, text_b).same``, with most rejections found without deciding:
        a word of one side that must have a partner (not light, filler or praise) and
        whose :meth:`Synonyms.keys` meet none of the other side's cannot get one."""
        if text_a == text_b or (self._agreed and _unordered(text_a, text_b) in self._agreed):
            return True
        a, b = self.signature(text_a), self.signature(text_b)
        needs_a, needs_b = self._needs.get(text_a), self._needs.get(text_b)
        if needs_a is None:
            needs_a = self._needs[text_a] = self._need_keys(a)
        if needs_b is None:
            needs_b = self._needs[text_b] = self._need_keys(b)
        offers_a, offers_b = self._offers.get(text_a), self._offers.get(text_b)
        if offers_a is None:
            offers_a = self._offers[text_a] = self._offer_keys(a)
        if offers_b is None:
            offers_b = self._offers[text_b] = self._offer_keys(b)
        return self._same(a, needs_a, offers_a, b, needs_b, offers_b)

    def same_pairs(self, texts: Sequence[str], rows: npt.NDArray[np.int64],
                   cols: npt.NDArray[np.int64], *, block: int = 1 << 18,
                   ) -> npt.NDArray[np.bool_]:
        """``same(texts[r], texts[c])`` for each pair ``(r, c)`` of ``rows`` and ``cols``.

        The decision reads only the two signatures (and whether the texts are equal):
        the cheap rejection runs on arrays of signature ids, ``block`` pairs at a time
        (bounded memory), and only the pairs it lets through are decided, each distinct
        pair of signatures once (:meth:`decide`'s memo).
        """
        out = np.zeros(len(rows), dtype=np.bool_)
        if not len(rows):
            return out
        ids: dict[Signature, int] = {}
        sid = np.full(len(texts), -1, dtype=np.int64)
        for r in np.unique(np.concatenate([rows, cols])).tolist():
            sid[r] = ids.setdefault(self.signature(texts[r]), len(ids))
        sigs = list(ids)
        negated = np.array([s.negated for s in sigs], dtype=np.bool_)
        # a side that says its negation by a prefix may meet a negated one ("unnecessary")
        prefixed = np.array([bool(_negated_stems(s, self.synonyms)) for s in sigs],
                            dtype=np.bool_)
        has_words = np.array([bool(s.words) for s in sigs], dtype=np.bool_)
        prefilter = PairFilter([_filter_words(s) for s in sigs], [s.soft for s in sigs],
                               self._word_keys, _needs_partner, _lemma)
        for start in range(0, len(rows), block):
            r, c = rows[start:start + block], cols[start:start + block]
            x, y = sid[r], sid[c]
            decided = ((negated[x] == negated[y]) | (prefixed[x] & negated[y]) |
                       (prefixed[y] & negated[x])) & has_words[x] & has_words[y]
            for mine, theirs in ((x, y), (y, x)):  # the cheap rejection, both ways
                at = np.flatnonzero(decided)
                decided[at] = prefilter.may_match(mine[at], theirs[at])
            for i in np.flatnonzero(decided).tolist():
                decided[i] = self._decided(sigs[int(x[i])], sigs[int(y[i])]).same
            # equal texts (one signature) are the same whatever their signature says
            for i in np.flatnonzero((x == y) & ~decided).tolist():
                decided[i] = texts[int(r[i])] == texts[int(c[i])]
            out[start:start + block] = decided
        return out

    def _same(self, a: Signature, needs_a: _Needs, offers_a: frozenset[str],
              b: Signature, needs_b: _Needs, offers_b: frozenset[str]) -> bool:
        """:meth:`same` of two different texts with signatures ``a`` and ``b``."""
        if not a.words or not b.words or (a.negated != b.negated and not (
                _negated_stems(a, self.synonyms) or _negated_stems(b, self.synonyms))):
            return False
        if not (_may_match(needs_a, b, offers_b) and _may_match(needs_b, a, offers_a)):
            return False
        return self._decided(a, b).same

    def _need_keys(self, sig: Signature) -> _Needs:
        """The words of ``sig`` that must have a partner, with their match keys."""
        return tuple((_lemma(w), self._word_keys(w)) for w in _filter_words(sig)
                     if _needs_partner(w))

    def _offer_keys(self, sig: Signature) -> frozenset[str]:
        """Every match key of the words of ``sig`` (a partner's keys must meet these)."""
        return frozenset().union(*(self._word_keys(w) for w in _filter_words(sig)))

    def _word_keys(self, word: str) -> frozenset[str]:
        """:meth:`Synonyms.keys` of a word of :func:`_filter_words`: a phrasal verb's head
        has the keys of the phrasal verb too."""
        head, _, particle = word.partition(">")
        keys = self.synonyms.keys(head)
        if not particle:
            return keys
        return keys | self.synonyms.keys(f"{particle}|") | \
            self.synonyms.phrasal_keys(_lemma(head), particle)

    def decide(self, text_a: str, text_b: str) -> Decision:
        """The decision for two normalised phrases."""
        if text_a == text_b:
            return Decision(True, "identical")
        got = self._decided(self.signature(text_a), self.signature(text_b))
        p = self._agreed.get(_unordered(text_a, text_b))
        if p is not None and not got.same:
            return Decision(True, "model", f"P(same) {p:.3f}; rules: {got.detail}")
        return got

    def consult(self, texts: Sequence[str], edges: tuple[npt.NDArray[np.int64],
                npt.NDArray[np.int64], npt.NDArray[np.float32]],
                accepted: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        """``accepted`` with the candidate pairs the second opinion merges added.

        Asked are the pairs ``(texts[r], texts[c])`` of ``edges`` (rows, columns,
        cosines) that the rules reject as ``unmatched`` at cosine ≥ the policy's
        floor, at most its limit, most similar first. A pair merges when the model
        gives P(same) ≥ the threshold; :meth:`same` and :meth:`decide` then say so
        too (rule ``model``, so the merge log keeps the evidence). Without an
        opinion, ``accepted`` is returned as it is.
        """
        policy = self.opinion
        if policy is None or policy.limit == 0:
            return accepted
        rows, cols, sims = edges
        todo = np.flatnonzero(~accepted & (sims >= policy.floor))
        todo = todo[np.argsort(-sims[todo], kind="stable")]
        asked: list[int] = []
        pairs: list[tuple[str, str]] = []
        for e in todo.tolist():
            a, b = texts[int(rows[e])], texts[int(cols[e])]
            if self.decide(a, b).rule == "unmatched":
                asked.append(e)
                pairs.append(_unordered(a, b))
                if len(pairs) >= policy.limit:
                    break
        if not pairs:
            return accepted
        answers = policy.ask(pairs)
        if len(answers) != len(pairs):
            raise ValueError(f"second opinion gave {len(answers)} answers for {len(pairs)} pairs")
        self.asked += len(pairs)
        out = accepted.copy()
        for e, pair, p in zip(asked, pairs, answers, strict=True):
            if p is not None and p >= policy.threshold:
                self._agreed[pair] = float(p)
                out[e] = True
        log.info("second opinion: %d of %d unmatched candidate pairs merged",
                 int(out.sum() - accepted.sum()), len(pairs))
        return out

    def _decided(self, a: Signature, b: Signature) -> Decision:
        key = (a, b) if a.words <= b.words else (b, a)
        got = self._memo.get(key)
        if got is None:
            if len(self._memo) >= self.MEMO_LIMIT:  # bound memory on huge candidate graphs
                self._memo.clear()
            got = self._memo[key] = decide(key[0], key[1], self.synonyms)
        return got


def make_judge(settings: Settings, *, parse_cache: Path, wordnet_cache: Path,
               opinion: SecondOpinion | None = None) -> PairJudge | None:
    """The pair decision of ``settings`` (``None`` for the cosine-only stage).

    With ``opinion`` (a model, when ``canon.model_judge`` is on), the judge asks it
    about the candidate pairs the rules leave unmatched, within the ``canon.model_*``
    settings (:class:`OpinionPolicy`).

    Signatures are cached in ``parse_cache`` (the build's parse cache,
    :attr:`kg.workdir.WorkDir.parse_cache`); WordNet comes from
    ``concepts.wordnet_dir`` or the system copy (prepared in ``wordnet_cache``),
    and without it only identical lemmas match (a warning is logged).
    """
    if settings.canon.decision == "cosine":
        return None
    from kg.concepts.wordnet import DEFAULT_WORDNET_DIR, open_wordnet

    wn_dir = settings.concepts.wordnet_dir or DEFAULT_WORDNET_DIR
    wordnet: Any = None
    if (wn_dir / "data.noun").is_file():
        wordnet = open_wordnet(wn_dir, wordnet_cache)
    else:
        log.warning(
            "no WordNet at %s: merges need identical lemmas (install wordnet-base)", wn_dir)
    synonyms = Synonyms(wordnet, senses=settings.canon.wordnet_senses)
    parser = SignatureParser(cache_path=parse_cache, batch_size=max(64, settings.batch_size),
                             lexicon=synonyms)
    policy = None
    if opinion is not None:
        canon = settings.canon
        policy = OpinionPolicy(opinion, floor=canon.model_floor,
                               threshold=canon.model_threshold, limit=canon.model_pairs)
    return PairJudge(parser, synonyms, opinion=policy)
