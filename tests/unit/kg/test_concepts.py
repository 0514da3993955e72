"""WordNet on Debian's files, sense choice by gloss similarity, Probase scoring."""

from __future__ import annotations

from pathlib import Path

import pytest
from kgbuild_support import WORDNET, CountingEmbedder

from kg.concepts import (
    LEXNAMES,
    PhraseParser,
    PhraseParts,
    ProbaseLinker,
    WordNetLinker,
    open_wordnet,
    probase_scores,
)
from kg.errors import ConfigError

needs_wordnet = pytest.mark.skipif(not (WORDNET / "data.noun").is_file(),
                                   reason="Debian wordnet-base is not installed")


@pytest.fixture(scope="module")
def wordnet(tmp_path_factory: pytest.TempPathFactory) -> object:
    if not (WORDNET / "data.noun").is_file():
        pytest.skip("Debian wordnet-base is not installed")
    return open_wordnet(WORDNET, tmp_path_factory.mktemp("wn"))


def test_lexnames_are_the_45_standard_files() -> None:
    assert len(LEXNAMES) == 45
    assert LEXNAMES[3] == ("noun.Tops", 1) and LEXNAMES[44] == ("adj.ppl", 3)


@needs_wordnet
def test_reader_opens_debian_files(wordnet: object) -> None:
    wn = wordnet
    assert wn.get_version() == "3.0"  # type: ignore[attr-defined]
    dog = wn.synset("dog.n.01")  # type: ignore[attr-defined]
    assert dog.lexname() == "noun.animal"
    assert "canine.n.02" in {s.name() for s in dog.hypernyms()}


def test_missing_wordnet_dir_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="wordnet_dir"):
        open_wordnet(tmp_path / "nope", tmp_path / "cache")


@needs_wordnet
def test_sense_is_chosen_by_gloss_similarity(wordnet: object, counting: CountingEmbedder) -> None:
    linker = WordNetLinker(wordnet, counting)
    battery = counting.encode(["charge the phone battery"])[0]
    synset, _ = linker.choose_sense(battery, "battery") or (None, 0.0)
    assert synset.name() == "battery.n.02"  # the electrical device, not the first sense (guns)
    fee = counting.encode(["charge a fee for the service"])[0]
    verb, _ = linker.choose_sense(fee, "charge", "v") or (None, 0.0)
    assert verb.name() == "charge.v.03"  # "demand payment"
    assert linker.choose_sense(fee, "qwxzy") is None


@needs_wordnet
def test_link_adds_about_and_is_a_chain(wordnet: object, counting: CountingEmbedder) -> None:
    linker = WordNetLinker(wordnet, counting, depth=2)
    vec = counting.encode(["walk the dog in the park"])
    graph = linker.link(["intention:x"], vec, [PhraseParts(verb="walk", heads=("dog",))])
    synset = {cid: c.synset for cid, c in graph.concepts.items()}
    links = {(link.kind, synset.get(link.source_id, link.source_id), synset[link.target_id])
             for link in graph.sorted_links()}
    # every hypernym is followed (dog is a canine and a domestic animal), two levels up
    assert links == {
        ("about", "intention:x", "dog.n.01"),
        ("is_a", "dog.n.01", "canine.n.02"),
        ("is_a", "dog.n.01", "domestic_animal.n.01"),
        ("is_a", "canine.n.02", "carnivore.n.01"),
        ("is_a", "domestic_animal.n.01", "animal.n.01"),
    }


def test_probase_scores_are_conditional_probabilities() -> None:
    scores = probase_scores([("animal", "dog", 30), ("pet", "dog", 60), ("pet", "dog", 10),
                             ("device", "phone", 5)])
    assert scores["dog"] == [("pet", 0.7), ("animal", 0.3)]
    assert scores["phone"] == [("device", 1.0)]


def test_probase_linker(tmp_path: Path) -> None:
    path = tmp_path / "probase.tsv"
    path.write_text("pet\tdog\t60\nanimal\tdog\t40\nanimal\tpet\t9\nliving thing\tanimal\t5\n",
                    encoding="utf-8")
    graph = ProbaseLinker(path, depth=3, max_concepts=1).link(
        ["intention:x"], [PhraseParts(heads=("dog",))])
    links = {(link.kind, graph.concepts[link.target_id].name, link.score)
             for link in graph.sorted_links()}
    assert ("about", "pet", 0.6) in links
    assert ("is_a", "animal", 1.0) in links and ("is_a", "living thing", 1.0) in links
    bad = tmp_path / "bad.tsv"
    bad.write_text("pet dog 60\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.tsv:1"):
        ProbaseLinker(bad).link(["i"], [PhraseParts(heads=("dog",))])


def test_phrase_parser_finds_verb_and_heads(tmp_path: Path) -> None:
    parser = PhraseParser(cache_path=tmp_path / "parse.sqlite")
    parts = parser.parse(["charge the phone battery", "protect one's iPhone"])
    assert parts[0].verb == "charge" and parts[0].object_head == "battery"
    assert parts[1].heads == ("iphone",)
    assert parser.parsed == 2
    parser.close()
    again = PhraseParser(cache_path=tmp_path / "parse.sqlite")
    assert again.parse(["protect one's iPhone"]) == [parts[1]]
    assert again.parsed == 0
    again.close()
