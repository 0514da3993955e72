"""Concepts: head nouns (spaCy) → WordNet or Probase hypernyms → an IS_A taxonomy;
abstract intentions from verbs and object hypernyms."""

from kg.concepts.abstract import Abstraction, find_abstractions, plural
from kg.concepts.heads import DEFAULT_SPACY_MODEL, PhraseParser, PhraseParts
from kg.concepts.link import (
    ConceptGraph,
    ProbaseLinker,
    WordNetLinker,
    load_probase,
    probase_scores,
)
from kg.concepts.wordnet import DEFAULT_WORDNET_DIR, LEXNAMES, open_wordnet, prepare_wordnet_dir

__all__ = [
    "DEFAULT_SPACY_MODEL",
    "DEFAULT_WORDNET_DIR",
    "LEXNAMES",
    "Abstraction",
    "ConceptGraph",
    "PhraseParser",
    "PhraseParts",
    "ProbaseLinker",
    "WordNetLinker",
    "find_abstractions",
    "load_probase",
    "open_wordnet",
    "plural",
    "prepare_wordnet_dir",
    "probase_scores",
]
