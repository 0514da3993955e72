"""Text cleaning, hashtag segmentation, HTML and price parsing."""

from __future__ import annotations

import pytest

from ingest import clean_html, clean_post_text, emoji_to_names, parse_price, segment_hashtag


@pytest.mark.parametrize(
    ("tag", "words"),
    [
        ("#WinterIsComing", "winter is coming"),
        ("winteriscoming", "winter is coming"),
        ("funnyquotes", "funny quotes"),
        ("blacklivesmatter", "black lives matter"),
        ("gameofthrones", "game of thrones"),
        ("MCM", "mcm"),
        ("SaveSheikhJarrah", "save sheikh jarrah"),
        ("nyc2017", "nyc 2017"),
        ("lol", "lol"),
        ("poiuytrewq", "poiuytrewq"),
    ],
)
def test_segment_hashtag(tag: str, words: str) -> None:
    assert segment_hashtag(tag) == words


def test_clean_post_text_removes_noise_and_keeps_meaning() -> None:
    raw = "RT @ann: Snow again \u2744\ufe0f #WinterIsComing &amp; ready https://t.co/abc http\u2026"
    assert clean_post_text(raw) == "Snow again :snowflake: winter is coming & ready"


def test_clean_post_text_mmsd_placeholders() -> None:
    raw = "<user> i love waiting <num> min emoji_689 for a cab # not # blessed <url>"
    assert clean_post_text(raw) == "i love waiting min for a cab not blessed"


def test_clean_post_text_can_be_empty() -> None:
    assert clean_post_text("@someone https://t.co/x") == ""


def test_emoji_names_drop_joiners() -> None:
    assert emoji_to_names("\U0001f469\u200d\U0001f467").split() == [":woman:", ":girl:"]


def test_clean_html() -> None:
    assert clean_html("Industrial &amp; Scientific <b>bold</b><br>next") == (
        "Industrial & Scientific bold\nnext")
    assert clean_html("</span></span></span>") is None
    assert clean_html(".a-box{color:#fff}.a-b{x:y}") is None
    assert clean_html(None) is None


@pytest.mark.parametrize(
    ("value", "price"),
    [("$6.98", 6.98), ("$1,299.00", 1299.0), (12.5, 12.5), ("", None), ("None", None),
     (None, None), ("$5.99 - $9.99", 5.99),
     (".a-box-inner{background-color:#fff}.a-box{border:0}", None)],
)
def test_parse_price(value: object, price: float | None) -> None:
    assert parse_price(value) == price
