"""Post language: the source's own tag first, else detection from the cleaned text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ingest import (
    clean_post_text,
    detect_lang,
    normalize_lang,
    post_lang,
    read_generic,
    read_twitter_v1,
    read_twitter_v2,
)
from kg.records import Post

TEXTS = {
    "en": "Just got my new hiking boots, can't wait for the weekend trip to the mountains!",
    "es": "Me encanta tomar café por la mañana antes de ir al trabajo con mis amigos",
    "fr": "J'adore me promener dans les rues de Paris quand il neige, c'est magnifique",
    "de": "Heute ist das Wetter wirklich schön, deshalb gehe ich mit meinem Hund wandern",
}


@pytest.mark.parametrize(("lang", "text"), sorted(TEXTS.items()))
def test_detects_the_language_of_a_cleaned_post(lang: str, text: str) -> None:
    raw = f"RT @ann: {text} ❄️ #WinterIsComing https://t.co/abc"
    assert detect_lang(clean_post_text(raw)) == lang


@pytest.mark.parametrize(
    "raw",
    [
        "🔥🙏🏽🙏🏽🙏🏽",  # emoji only: cleans to ":fire: :person_with_folded_hands: ..."
        "https://t.co/4rBpAPCxzL http://example.com/a",  # links only: cleans to ""
        "@someone https://t.co/x 😘",
        "#POIUYTREWQ",  # one segmented hashtag: one word is too short to tell
        "<user> <url> emoji_12 <num>",  # MMSD placeholders only
        "lol ok",
        "123 456 !!!",
    ],
)
def test_no_language_when_too_short_or_no_words(raw: str) -> None:
    assert detect_lang(clean_post_text(raw)) is None


def test_text_cld2_cannot_encode_gives_none_or_a_language_not_an_error() -> None:
    assert detect_lang("\udc80\x00\x85\ufffe") is None
    assert detect_lang("ctrl \x00 chars \udc80 " + TEXTS["en"]) == "en"


@pytest.mark.parametrize(
    ("tag", "code"),
    [("en", "en"), ("EN-gb", "en"), ("zh_Hant", "zh"), ("in", "id"), ("iw", "he"),
     ("und", None), ("zxx", None), ("qme", None), ("qht", None), ("", None), (None, None),
     ("english", None), ("xx", None), (7, None)],
)
def test_normalize_lang(tag: object, code: str | None) -> None:
    assert normalize_lang(tag) == code


def test_source_tag_wins_and_und_falls_back_to_detection() -> None:
    assert post_lang("es", clean_post_text(TEXTS["en"])) == "es"
    assert post_lang("und", clean_post_text(TEXTS["de"])) == "de"
    assert post_lang(None, clean_post_text(TEXTS["fr"])) == "fr"
    assert post_lang("und", clean_post_text("🔥 https://t.co/x")) is None


def _v1(id_str: str, text: str, lang: str | None, **extra: object) -> dict[str, object]:
    tweet: dict[str, object] = {"id": int(id_str), "id_str": id_str, "text": text,
                                "user": {"screen_name": "ann"}, **extra}
    if lang is not None:
        tweet["lang"] = lang
    return tweet


def test_twitter_v1_keeps_its_own_lang_and_detects_und(tmp_path: Path) -> None:
    tweets = [
        _v1("1001", TEXTS["en"], "fr"),  # the source's tag is kept, even when it looks wrong
        _v1("1002", TEXTS["es"], "und"),
        _v1("1003", TEXTS["fr"], None),
        _v1("1004", "🔥🙏🏽 https://t.co/abc", "und"),
        _v1("1005", "so true", "in"),  # legacy Twitter code for Indonesian
        # a quote tweet: the language is the author's own words, not the quoted text
        _v1("1006", TEXTS["de"], None, quoted_status=_v1("1007", TEXTS["en"], "en")),
    ]
    path = tmp_path / "tweets.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in tweets), encoding="utf-8")
    langs = {p.source_id: p.lang for p in read_twitter_v1(path) if isinstance(p, Post)}
    assert langs == {"1001": "fr", "1002": "es", "1003": "fr", "1004": None, "1005": "id",
                     "1006": "de"}


def test_twitter_v2_keeps_its_own_lang_and_detects_und(tmp_path: Path) -> None:
    page = {"data": [{"id": "2001", "text": TEXTS["de"], "lang": "de"},
                     {"id": "2002", "text": TEXTS["es"], "lang": "und"},
                     {"id": "2003", "text": "😘 @YasirTineh", "lang": "qme"}],
            "includes": {}, "meta": {"result_count": 3}}
    path = tmp_path / "page.jsonl"
    path.write_text(json.dumps(page) + "\n", encoding="utf-8")
    langs = {p.source_id: p.lang for p in read_twitter_v2(path) if isinstance(p, Post)}
    assert langs == {"2001": "de", "2002": "es", "2003": None}


def test_generic_posts_without_a_lang_column_are_detected(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    rows = [{"id": "a", "text": TEXTS["es"]}, {"id": "b", "text": TEXTS["en"], "lang": "und"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    langs = {p.source_id: p.lang for p in read_generic(path) if isinstance(p, Post)}
    assert langs == {"a": "es", "b": "en"}


_SCRIPT = """
import json, sys
from ingest import detect_lang
print(json.dumps([detect_lang(t) for t in json.loads(sys.stdin.read())]))
"""


def test_detection_is_deterministic_across_calls_and_processes() -> None:
    texts = [*TEXTS.values(), "Amsterdam Savage AF.", "hell yeah !", "Guten Morgen zusammen",
             "ok then, see you", "qué", "مطلوب: التبرع بالدم في مستشفى المقاصد بالقدس"]
    first = [detect_lang(t) for t in texts]
    assert all([detect_lang(t) for t in reversed(texts)][::-1] == first for _ in range(3))
    out = subprocess.run([sys.executable, "-c", _SCRIPT], input=json.dumps(texts),
                         capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == first
