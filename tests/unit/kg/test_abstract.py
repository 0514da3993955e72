"""Abstract intentions: pluralization, grouping by verb and object hypernym, parser fields."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from kgbuild_support import WORDNET

from kg.concepts import PhraseParser, find_abstractions, open_wordnet, plural
from kg.concepts.abstract import plain_name
from kg.embed import text_hash


@pytest.fixture(scope="module")
def wordnet(tmp_path_factory: pytest.TempPathFactory) -> Any:
    if not (WORDNET / "data.noun").is_file():
        pytest.skip("Debian wordnet-base is not installed")
    return open_wordnet(WORDNET, tmp_path_factory.mktemp("wn"))


@pytest.mark.parametrize(("noun", "expected"), [
    ("device", "devices"), ("beverage", "beverages"), ("battery", "batteries"), ("toy", "toys"),
    ("glass", "glasses"), ("dish", "dishes"), ("woman", "women"), ("fireman", "firemen"),
    ("human", "humans"), ("knife", "knives"), ("person", "people"),
    ("electronic equipment", "electronic equipment"), ("clothing", "clothing"),
    ("kitchenware", "kitchenware"), ("article of clothing", "articles of clothing"),
    ("portable computer", "portable computers"),
])
def test_plural(noun: str, expected: str) -> None:
    assert plural(noun) == expected


def _items(wn: Any, *rows: tuple[str, str, str]) -> list[tuple[str, str, str, Any]]:
    """``(key, action, synset name)`` rows; a complement follows the action after "|"."""
    out = []
    for key, action, name in rows:
        verb, _, complement = action.partition("|")
        out.append((key, verb, complement, wn.synset(name)))
    return out


def test_one_verb_and_shared_hypernym_make_one_abstraction(wordnet: Any) -> None:
    items = _items(wordnet, ("drink coffee", "drink", "coffee.n.01"),
                   ("drink tea", "drink", "tea.n.01"),
                   ("drink lemonade", "drink", "lemonade.n.01"))
    found = find_abstractions(items)
    assert len(found) == 1
    a = found[0]
    assert (a.text, a.action, a.synset) == ("drink beverages", "drink", "beverage.n.01")
    assert a.instances == (("drink coffee", 1), ("drink lemonade", 2), ("drink tea", 1))
    # coffee and tea are also liquids two levels up, but "drink beverages" already
    # holds both, closer: no "drink liquids"
    assert all(x.synset != "liquid.n.01" for x in found)


def test_different_verbs_and_one_sense_do_not_group(wordnet: Any) -> None:
    assert find_abstractions(_items(wordnet, ("brew coffee", "brew", "coffee.n.01"),
                                    ("drink tea", "drink", "tea.n.01"))) == []
    # two phrasings about the same thing generalize nothing
    assert find_abstractions(_items(wordnet, ("protect the phone", "protect", "telephone.n.01"),
                                    ("protect the phone from scratches", "protect",
                                     "telephone.n.01"))) == []


def test_groups_that_add_instances_nest(wordnet: Any) -> None:
    items = _items(wordnet, ("feed the dog", "feed", "dog.n.01"),
                   ("feed the puppy", "feed", "puppy.n.01"),
                   ("feed the cat", "feed", "cat.n.01"))
    found = {a.text: [k for k, _ in a.instances] for a in find_abstractions(items)}
    assert found == {"feed canines": ["feed the dog", "feed the puppy"],
                     "feed carnivores": ["feed the cat", "feed the dog"]}


def test_the_complement_is_part_of_the_abstraction(wordnet: Any) -> None:
    items = _items(wordnet, ("keep the dog warm", "keep|warm", "dog.n.01"),
                   ("keep the cat warm", "keep|warm", "cat.n.01"),
                   ("keep the dog clean", "keep|clean", "dog.n.01"))
    [a] = find_abstractions(items)
    assert (a.text, a.complement) == ("keep carnivores warm", "warm")
    assert [k for k, _ in a.instances] == ["keep the cat warm", "keep the dog warm"]


def test_settings_bound_the_groups(wordnet: Any) -> None:
    pair = _items(wordnet, ("drink coffee", "drink", "coffee.n.01"),
                  ("drink tea", "drink", "tea.n.01"))
    assert find_abstractions(pair, min_instances=3) == []
    hat_scarf = _items(wordnet, ("wear a hat", "wear", "hat.n.01"),
                       ("wear a scarf", "wear", "scarf.n.01"))
    assert [a.text for a in find_abstractions(hat_scarf)] == ["wear clothing"]  # 2 levels up
    assert find_abstractions(hat_scarf, max_levels=1) == []
    # a phone and a laptop first meet 3 and 7 levels up, at instrumentality (depth 5)
    devices = _items(wordnet, ("protect the phone", "protect", "telephone.n.01"),
                     ("protect the laptop", "protect", "laptop.n.01"))
    assert find_abstractions(devices) == []
    # ... and "protect instrumentalities" (or artifacts, objects) is no abstraction at all
    assert find_abstractions(devices, max_levels=12, min_depth=0) == []
    assert find_abstractions(devices, max_levels=12, min_depth=6) == []


def test_light_verbs_alone_make_no_abstraction(wordnet: Any) -> None:
    light = _items(wordnet, ("have coffee", "have", "coffee.n.01"),
                   ("have tea", "have", "tea.n.01"), ("use a hat", "use", "hat.n.01"),
                   ("use a scarf", "use", "scarf.n.01"))
    assert find_abstractions(light) == []
    # with a particle the verb means something of its own
    worn = _items(wordnet, ("put on a hat", "put on", "hat.n.01"),
                  ("put on a scarf", "put on", "scarf.n.01"))
    assert [a.text for a in find_abstractions(worn)] == ["put on clothing"]


def test_names_are_plain_words(wordnet: Any) -> None:
    # friend and colleague meet at person (too general) and organism (WordNet's term)
    people = _items(wordnet, ("invite a friend", "invite", "friend.n.01"),
                    ("invite a colleague", "invite", "colleague.n.01"))
    assert [a.text for a in find_abstractions(people, max_levels=3)] == []
    # money's hypernym "medium of exchange" is nobody's word
    cash = _items(wordnet, ("gather money", "gather", "money.n.01"),
                  ("gather coins", "gather", "coin.n.01"))
    assert all("medium" not in a.text for a in find_abstractions(cash, max_levels=3))
    # the most common lemma names the group, unless it repeats the verb
    lamps = _items(wordnet, ("turn on a table lamp", "turn on", "table_lamp.n.01"),
                   ("turn on a floor lamp", "turn on", "floor_lamp.n.01"))
    assert [a.text for a in find_abstractions(lamps)] == ["turn on lamps"]


def test_abstractions_are_deterministic(wordnet: Any) -> None:
    items = _items(wordnet, ("feed the dog", "feed", "dog.n.01"),
                   ("feed the puppy", "feed", "puppy.n.01"), ("feed the cat", "feed", "cat.n.01"),
                   ("drink coffee", "drink", "coffee.n.01"), ("drink tea", "drink", "tea.n.01"),
                   ("wear a hat", "wear", "hat.n.01"), ("wear a scarf", "wear", "scarf.n.01"))
    first = find_abstractions(items)
    for seed in range(3):
        random.Random(seed).shuffle(items)
        assert find_abstractions(items) == first
    assert [a.text for a in first] == sorted(a.text for a in first)


def test_parser_finds_action_and_direct_object(tmp_path: Path) -> None:
    parser = PhraseParser(cache_path=tmp_path / "parse.sqlite")
    up, lose, warm, iphone, dog, light = parser.parse([
        "pick up the kids", "not lose the keys", "keep warm on winter hikes", "protect my iPhone",
        "keep their dog warm and visible on winter walks", "turn on a light"])
    assert (up.action, up.direct_object, up.complement) == ("pick up", "kid", "")
    assert (lose.action, lose.direct_object) == ("", "")  # negated
    assert (warm.action, warm.direct_object) == ("", "")  # "hikes" is no direct object
    assert (iphone.action, iphone.direct_object) == ("protect", "iphone")
    assert (dog.action, dog.direct_object, dog.complement) == ("keep", "dog", "warm")
    # spaCy reads "on" as a preposition without an object: it is the verb's particle
    assert (light.action, light.direct_object) == ("turn on", "light")
    parser.close()


def test_parse_cache_rows_of_an_older_format_are_parsed_again(tmp_path: Path) -> None:
    path = tmp_path / "parse.sqlite"
    PhraseParser(cache_path=path).close()  # creates the table
    old = {"verb": "protect", "heads": ["laptop"], "phrases": ["laptop"],
           "object_head": "laptop"}
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO phrase_parts VALUES (?, ?, ?)",
                   (PhraseParser().model, text_hash("protect the laptop"), json.dumps(old)))
    parser = PhraseParser(cache_path=path)
    [parts] = parser.parse(["protect the laptop"])
    assert parser.parsed == 1 and parts.direct_object == "laptop"
    parser.close()


def test_abstract_hypernyms_name_no_group(wordnet: Any) -> None:
    # length and width are dimensions, an attribute: "extend dimensions" is no class of things
    assert wordnet.synset("dimension.n.01").lexname() == "noun.attribute"
    items = _items(wordnet, ("extend the length", "extend", "length.n.01"),
                   ("extend the width", "extend", "width.n.01"))
    assert find_abstractions(items) == []
    # the same verb on things still groups
    things = _items(wordnet, ("extend the table", "extend", "table.n.02"),
                    ("extend the desk", "extend", "desk.n.01"))
    assert [a.text for a in find_abstractions(things)] == ["extend furniture"]


def test_a_plural_lemma_is_not_pluralised_again(wordnet: Any) -> None:
    # "starches" is WordNet's own (plural) name of the class of rice and potatoes
    items = _items(wordnet, ("love rice", "love", "rice.n.01"),
                   ("love potatoes", "love", "potato.n.01"))
    texts = [a.text for a in find_abstractions(items)]
    assert "love starches" in texts and not any("starcheses" in t for t in texts)


def test_a_word_that_mostly_names_another_thing_does_not_name_the_group(wordnet: Any) -> None:
    # cable.n.02's most counted lemma is "line", which mostly means a line of people
    cables = _items(wordnet, ("connect the coax cable", "connect", "coaxial_cable.n.01"),
                    ("connect a printer cable", "connect", "printer_cable.n.01"))
    assert [a.text for a in find_abstractions(cables)] == ["connect cables"]
    # telephony's only word in use is "telephone", the instrument: no "receive telephones"
    calls = _items(wordnet, ("receive a voicemail", "receive", "voice_mail.n.01"),
                   ("receive a phone call", "receive", "call.n.01"))
    assert not any("telephone" in a.text for a in find_abstractions(calls))
    # a rival sense that is an act misleads nobody: a stage show is still a "show"
    assert plain_name(wordnet.synset("show.n.03")) == "show"


def test_a_classifying_level_names_no_group(wordnet: Any) -> None:
    # breakfast and dinner are meals; meals and pizza are nutriment, named "sustenance"
    items = _items(wordnet, ("eat breakfast", "eat", "breakfast.n.01"),
                   ("eat dinner", "eat", "dinner.n.01"), ("eat pizza", "eat", "pizza.n.01"),
                   ("eat a snack", "eat", "bite.n.04"))
    texts = [a.text for a in find_abstractions(items)]
    assert "eat meals" in texts and not any("sustenance" in t for t in texts)


def test_a_group_of_unlike_kinds_is_no_abstraction(wordnet: Any) -> None:
    # a phone is electronic equipment and a ball game equipment: "keep equipment" tells
    # nothing; two things of one kind still group
    unlike = _items(wordnet, ("keep the phone", "keep", "telephone.n.01"),
                    ("keep the ball", "keep", "ball.n.01"))
    assert find_abstractions(unlike) == []
    alike = _items(wordnet, ("keep the phone", "keep", "telephone.n.01"),
                   ("keep the amplifier", "keep", "amplifier.n.01"))
    assert [a.text for a in find_abstractions(alike)] == ["keep electronic equipment"]
    # the members may be kinds named after the group themselves: table and floor lamps
    lamps = _items(wordnet, ("keep a table lamp", "keep", "table_lamp.n.01"),
                   ("keep a floor lamp", "keep", "floor_lamp.n.01"))
    assert [a.text for a in find_abstractions(lamps)] == ["keep lamps"]


def test_a_group_named_wider_than_its_unnamed_kind_is_no_abstraction(wordnet: Any) -> None:
    # a ball and a game are both game equipment, a term nobody uses: "play equipment"
    # would name them by a wider class than they share
    play = _items(wordnet, ("play ball", "play", "ball.n.01"),
                  ("play the game", "play", "game.n.09"))
    assert find_abstractions(play) == []
    # a voicemail and a phone call are both telephony, whose only word misleads
    calls = _items(wordnet, ("receive a voicemail", "receive", "voice_mail.n.01"),
                   ("receive a phone call", "receive", "call.n.01"))
    assert find_abstractions(calls) == []
