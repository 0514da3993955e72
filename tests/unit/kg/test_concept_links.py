"""Concept links that hold on real text: multiword terms, frames, names, `eval concepts`."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from kgbuild_support import WORDNET, CountingEmbedder
from typer.testing import CliRunner

from kg.concepts import PhraseParser, WordNetLinker, open_wordnet
from kg.concepts.abstract import abstraction_texts
from kg.concepts.evaluate import LINK_COLUMNS, link_phrases, read_phrases
from kg.concepts.heads import cased, subject_word
from kg.errors import ConfigError


@pytest.fixture(scope="module")
def wordnet(tmp_path_factory: pytest.TempPathFactory) -> Any:
    if not (WORDNET / "data.noun").is_file():
        pytest.skip("Debian wordnet-base is not installed")
    return open_wordnet(WORDNET, tmp_path_factory.mktemp("wn"))


@pytest.fixture(scope="module")
def parser() -> PhraseParser:
    return PhraseParser()


def _links(wordnet: Any, embedder: CountingEmbedder, parser: PhraseParser,
           *phrases: str) -> dict[str, list[str]]:
    found = link_phrases(list(phrases), WordNetLinker(wordnet, embedder), parser, embedder)
    out: dict[str, list[str]] = {p: [] for p in phrases}
    for link in found:
        out[link.phrase].append(link.synset)
    return out


def test_cased_restores_the_capitals_normalisation_removed() -> None:
    assert cased("protect his hp pavilion", "To protect his HP  Pavilion.") == \
        "protect his HP Pavilion"
    assert cased('a property of "stride rite', 'because a property of "Stride Rite"') == \
        "a property of Stride Rite"
    assert cased("keep warm", "something else entirely") == "keep warm"


def test_parser_lists_multiword_terms_before_the_head(parser: PhraseParser) -> None:
    supply, games, tug, remote, shades = parser.parse([
        "buy a power supply", "play video games", "play tug of war",
        "replace the infrared remote control", "a type of sunglasses"])
    assert supply.terms[supply.heads.index("supply")] == ("power supply", "supply")
    assert games.terms[games.heads.index("game")] == ("video game", "games", "game")
    assert "tug of war" in tug.terms[0]
    assert remote.terms[remote.heads.index("control")][-2:] == ("remote control", "control")
    assert shades.terms[shades.heads.index("sunglass")] == ("sunglasses", "sunglass")


def test_parser_marks_names(parser: PhraseParser) -> None:
    [hp] = parser.parse(["compatible with the HP Pavilion"])
    assert hp.named[hp.heads.index("pavilion")]


def test_links_take_the_compound_and_skip_frames_and_names(
        wordnet: Any, counting: CountingEmbedder, parser: PhraseParser) -> None:
    links = _links(wordnet, counting, parser, "buy a power supply", "play video games",
                   "replace the tv remote control",
                   "a type of surge protector", "the person wants to buy a new watch",
                   "they both are compatible with HP Pavilion", "as a result, he will be happy",
                   "they both are a manner of the same product")
    # WordNet 3.0 has no "power supply", and its supplies are amounts: no link at all
    assert links["buy a power supply"] == []
    assert "remote_control.n.01" in links["replace the tv remote control"]
    assert links["play video games"] == ["computer_game.n.01"]
    assert links["a type of surge protector"] == ["surge_suppressor.n.01"]  # not "type"
    assert links["the person wants to buy a new watch"] == ["watch.n.01"]  # not "person"
    assert links["they both are compatible with HP Pavilion"] == []  # not a tent
    assert links["as a result, he will be happy"] == []
    assert links["they both are a manner of the same product"] == []


def test_a_verb_lemmatised_after_be_links_no_thing(
        wordnet: Any, counting: CountingEmbedder, parser: PhraseParser) -> None:
    """CSKB writes "is jumping" as "be jump": no concept "jump" (a noun sense)."""
    links = _links(wordnet, counting, parser, "PersonX be jump", "PersonX be still debate",
                   "Was just city.", "PersonX be a web developer")
    assert links["PersonX be jump"] == [] and links["PersonX be still debate"] == []
    assert links["Was just city."] == ["city.n.01"]  # no verb "city": a noun after all
    assert links["PersonX be a web developer"] != []  # a determiner makes it a noun


def test_the_word_after_the_subject_is_its_verb_when_no_other_follows(
        wordnet: Any, counting: CountingEmbedder, parser: PhraseParser) -> None:
    """CSKB's events "PersonX swing", "PersonX hunt for it": the tagger reads the verb as a
    noun; "PersonX stomach hurt" and "PersonX dog be a lab mix" say a noun PersonX owns."""
    links = _links(wordnet, counting, parser, "PersonX swing", "PersonX hunt for it",
                   "PersonY love PersonX", "PersonX stomach hurt", "PersonX dog be a lab mix",
                   "PersonX want PersonY support")
    assert links["PersonX swing"] == [] and links["PersonX hunt for it"] == []
    assert links["PersonY love PersonX"] == []
    assert links["PersonX stomach hurt"] == ["stomach.n.01"]
    assert "dog.n.01" in links["PersonX dog be a lab mix"]
    assert links["PersonX want PersonY support"] != []  # PersonY is no subject there


@pytest.mark.parametrize(("key", "raw", "word"), [
    ("swing", "PersonX swing", "swing"),
    ("persony mind", "PersonY mind", "mind"),
    ("hunt for it", "PersonX hunt for it", "hunt"),
    ("dog be a lab mix", "PersonX dog be a lab mix", ""),  # an auxiliary follows: a subject
    ("persony support", "PersonX want PersonY support", ""),  # PersonY is no subject
    ("watch", "because they both are a type of watch", ""),
    ("swing", "swing", ""),
])
def test_subject_word(key: str, raw: str, word: str) -> None:
    assert subject_word(key, raw) == word


def test_abstraction_texts_name_plain_groups(wordnet: Any) -> None:
    texts = [t for _, t in abstraction_texts("protect", "", wordnet.synset("eye.n.01"))]
    assert texts == ["protect sense organs", "protect organs"]
    assert abstraction_texts("have", "", wordnet.synset("coffee.n.01")) == []


def test_read_phrases_skips_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    path.write_text("keep warm\n\n  buy a hat \n", encoding="utf-8")
    assert read_phrases(path) == ["keep warm", "buy a hat"]
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no phrase"):
        read_phrases(path)
    path.write_bytes("\ufeffkeep warm\r\nbuy a hat\r\n".encode())  # a Windows editor's file
    assert read_phrases(path) == ["keep warm", "buy a hat"]
    path.write_bytes(b"keep warm\nbuy a \xe9hat\n")
    with pytest.raises(ConfigError, match=r"p\.txt:2: not UTF-8"):
        read_phrases(path)


def test_cli_eval_concepts_writes_every_link(wordnet: Any, tmp_path: Path) -> None:
    from intentkg.main import app  # the real root: its error boundary prints `error: ...`

    src = tmp_path / "phrases.txt"
    src.write_text("buy a remote control\nthe person wants to drink coffee\nhappy\n",
                   encoding="utf-8")
    out = tmp_path / "links.tsv"
    runner = CliRunner()
    result = runner.invoke(app, ["eval", "concepts", str(src), "--out", str(out),
                                 "--workdir", str(tmp_path / "w")])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    assert tuple(rows[0]) == LINK_COLUMNS
    got = {(r[0], r[2]) for r in rows[1:]}
    assert ("buy a remote control", "remote_control.n.01") in got
    assert ("the person wants to drink coffee", "coffee.n.01") in got
    assert not any(r[2] == "person.n.01" or r[0] == "happy" for r in rows[1:])
    assert all(0.0 <= float(r[3]) <= 1.0 and r[1] for r in rows[1:])
    assert f"{len(rows) - 1} concept links" in result.output
    missing = runner.invoke(app, ["eval", "concepts", str(tmp_path / "nope.txt"),
                                  "--out", str(out)])
    assert missing.exit_code == 1 and "one phrase a line" in missing.output


def test_a_thing_handled_never_gets_an_abstract_sense(
        wordnet: Any, counting: CountingEmbedder, parser: PhraseParser) -> None:
    """"buy a ring": never the sound, however frequent (the handling verb's prior)."""
    links = _links(wordnet, counting, parser, "the person wants to buy a ring for his wife")
    rings = [s for s in links["the person wants to buy a ring for his wife"]
             if "ring" in wordnet.synset(s).lemma_names()]
    assert all(wordnet.synset(s).lexname() == "noun.artifact" for s in rings)
    assert "wife.n.01" in links["the person wants to buy a ring for his wife"]


def test_every_kind_of_frame_of_the_relation_templates_is_a_frame_noun() -> None:
    """"because they both are a symbol of" -> "symbol" links to nothing, as "type" does."""
    from kg.concepts.link import FRAME_NOUNS
    from kg.relations import REGISTRY

    frames = {"symbol", "type", "part", "manner"}
    assert frames <= FRAME_NOUNS
    assert any("a symbol of" in r.template for r in REGISTRY.values())


def test_a_plural_keeps_the_singular_wordnet_says_is_said_in_the_plural(
        wordnet: Any, counting: CountingEmbedder, parser: PhraseParser) -> None:
    """"pants" are trousers ("(usually in the plural)"), not only bloomers; "sunglasses"
    are never the lens called "sunglass"."""
    links = _links(wordnet, counting, parser, "to wear pants", "a type of sunglasses")
    assert links["to wear pants"] == ["trouser.n.01"]
    assert "sunglass.n.01" not in links["a type of sunglasses"]


def test_a_noun_inside_a_verb_idiom_links_only_when_the_idiom_is_about_it(
        wordnet: Any, counting: CountingEmbedder, parser: PhraseParser) -> None:
    assert parser.parse(["PersonY would spill the bean"])[0].idioms[-1] == (
        "spill_bean", "spill_beans", "spill_the_bean", "spill_the_beans")
    links = _links(wordnet, counting, parser, "PersonY would spill the bean",
                   "PersonX raise the roof", "PersonX make fun of PersonY",
                   "PersonX fall in love", "PersonX catch a cold", "PersonX give birth to PersonY",
                   "PersonX shake hand with PersonY", "PersonX take care of the dog",
                   "PersonX repair the roof")
    # idioms about something else: no beans, roofs or fun
    assert links["PersonY would spill the bean"] == []
    assert links["PersonX raise the roof"] == []
    assert not any(s.startswith("fun.") for s in links["PersonX make fun of PersonY"])
    # idioms whose gloss is about the noun keep it
    assert links["PersonX fall in love"] == ["love.n.01"]
    assert [s.split(".")[0] for s in links["PersonX catch a cold"]] == ["cold"]
    assert any(s.startswith("birth.") for s in links["PersonX give birth to PersonY"])
    assert any(s.startswith("hand.") for s in links["PersonX shake hand with PersonY"])
    assert "dog.n.01" in links["PersonX take care of the dog"]
    assert links["PersonX repair the roof"] == ["roof.n.01"]  # no idiom
