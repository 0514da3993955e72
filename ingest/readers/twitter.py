"""Tweets: Twitter API v1.1 objects and API v2 response pages (twarc output).

Posts get ``source="twitter"`` for both API versions, so the same tweet read from a
v1.1 and a v2 dump gets the same id (``twitter:<id_str>``). Decisions:

* the id is ``id_str`` (v1.1 numeric ``id`` values are often float-rounded);
* the text is the full text: ``extended_tweet.full_text``, ``full_text`` (extended
  mode), v2 ``note_tweet.text``; a retweet takes the full text of the retweeted tweet;
* a quote tweet keeps its own text; the quoted text is appended to ``clean_text``
  after ``" | quoting: "`` (the intention of a quote depends on what it quotes);
* images: v1.1 ``extended_entities.media`` (else ``entities.media``); v2
  ``includes.media`` joined on ``attachments.media_keys`` (``url``, or
  ``preview_image_url`` for videos); a retweet or quote without media of its own
  takes the media of the tweet it refers to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.readers._common import first_json, guarded, image_refs, make_post, problem
from ingest.registry import ReadOptions, register_reader
from ingest.report import Item, Reason
from ingest.textio import iter_json_array

__all__ = ["read_twitter_v1", "read_twitter_v2"]

SOURCE = "twitter"


def _v1_text(tweet: dict[str, Any]) -> str | None:
    ext = tweet.get("extended_tweet")
    if isinstance(ext, dict) and ext.get("full_text"):
        return str(ext["full_text"])
    text = tweet.get("full_text") or tweet.get("text")
    return str(text) if text is not None else None


def _v1_media(tweet: dict[str, Any]) -> list[str | None]:
    holder = tweet.get("extended_tweet") if isinstance(tweet.get("extended_tweet"), dict) else tweet
    for key in ("extended_entities", "entities"):
        for source in (holder, tweet):
            media = (source.get(key) or {}).get("media") if isinstance(source, dict) else None
            if media:
                return [m.get("media_url_https") or m.get("media_url") for m in media
                        if isinstance(m, dict)]
    return []


def _v1_hashtags(tweet: dict[str, Any]) -> list[str]:
    holder = tweet.get("extended_tweet") if isinstance(tweet.get("extended_tweet"), dict) else tweet
    tags = ((holder or {}).get("entities") or {}).get("hashtags") or []
    return [str(t["text"]) for t in tags if isinstance(t, dict) and t.get("text")]


def _v1_post(path: Path, line: int, tweet: dict[str, Any]) -> Item:
    sid = tweet.get("id_str") or (str(tweet["id"]) if isinstance(tweet.get("id"), int) else None)
    original = tweet.get("retweeted_status") if isinstance(
        tweet.get("retweeted_status"), dict) else None
    quoted = tweet.get("quoted_status") if isinstance(tweet.get("quoted_status"), dict) else None
    body = original or tweet
    media = _v1_media(tweet) or _v1_media(body) or (_v1_media(quoted) if quoted else [])
    user = tweet.get("user") if isinstance(tweet.get("user"), dict) else {}
    return make_post(
        path, line, source=SOURCE, source_id=sid, text=_v1_text(body),
        quoted=_v1_text(quoted) if quoted and not original else None,
        lang=tweet.get("lang"), created_at=tweet.get("created_at"),
        author=(user or {}).get("screen_name"), hashtags=_v1_hashtags(body),
        images=image_refs(media))


def _v1_tweets(value: Any, depth: int = 0) -> Iterator[dict[str, Any] | None]:
    if isinstance(value, list) and depth < 3:
        for item in value:
            yield from _v1_tweets(item, depth + 1)
    elif isinstance(value, dict) and isinstance(value.get("statuses"), list) and depth < 3:
        yield from _v1_tweets(value["statuses"], depth + 1)
    elif isinstance(value, dict) and ("id_str" in value or "id" in value) and (
            "text" in value or "full_text" in value):
        yield value
    else:
        yield None


@register_reader("twitter_v1.v1", description="Twitter API v1.1 tweets (JSON lines/array/search)",
                 sniff=lambda head, path: '"id_str"' in head and (
                     '"text"' in head or '"full_text"' in head))
def read_twitter_v1(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """Posts from v1.1 tweet objects: one per line, an array, or a search result."""
    for line, value in iter_json_array(path):
        if isinstance(value, ValueError):
            yield problem(path, line, Reason.MALFORMED, str(value))
            continue
        for tweet in _v1_tweets(value):
            if tweet is None:
                keys = ",".join(list(value)[:3]) if isinstance(value, dict) else "?"
                yield problem(path, line, Reason.NOT_A_RECORD, f"not a tweet (keys {keys})")
            else:
                yield from guarded(path, line, _v1_items(path, line, tweet))


def _v1_items(path: Path, line: int, tweet: dict[str, Any]) -> Iterator[Item]:
    yield _v1_post(path, line, tweet)


def _v2_text(tweet: dict[str, Any]) -> str | None:
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and note.get("text"):
        return str(note["text"])
    text = tweet.get("text")
    return str(text) if text is not None else None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _v2_page(path: Path, line: int, page: dict[str, Any]) -> Iterator[Item]:
    data = page.get("data")
    tweets = [data] if isinstance(data, dict) else _dicts(data)
    includes: dict[str, Any] = page["includes"] if isinstance(page.get("includes"), dict) else {}
    media = {m.get("media_key"): m.get("url") or m.get("preview_image_url")
             for m in _dicts(includes.get("media"))}
    included = {t.get("id"): t for t in _dicts(includes.get("tweets"))}
    users = {u.get("id"): u.get("username") for u in _dicts(includes.get("users"))}
    if not tweets:
        yield problem(path, line, Reason.NOT_A_RECORD, "response page without data")

    def images(tweet: dict[str, Any]) -> list[str | None]:
        att = tweet.get("attachments")
        if not isinstance(att, dict):
            return []
        inline = _dicts(att.get("media"))  # twarc2 flatten puts the media objects here
        if inline:
            return [m.get("url") or m.get("preview_image_url") for m in inline]
        keys = att.get("media_keys")
        return [media.get(k) for k in keys if isinstance(k, str)] if isinstance(keys, list) else []

    def referenced(tweet: dict[str, Any]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for ref in _dicts(tweet.get("referenced_tweets")):
            # flattened output carries the referenced tweet inline (it has a "text")
            body = ref if "text" in ref else included.get(ref.get("id"))
            if isinstance(body, dict) and isinstance(ref.get("type"), str):
                out[ref["type"]] = body
        return out

    def author(tweet: dict[str, Any]) -> str | None:
        inline = tweet.get("author")
        if isinstance(inline, dict) and isinstance(inline.get("username"), str):
            return str(inline["username"])
        name = users.get(tweet.get("author_id"))
        return name if isinstance(name, str) else None

    for tweet in tweets:
        yield from guarded(path, line, _v2_post(path, line, tweet, referenced(tweet), images,
                                                author))


def _v2_post(path: Path, line: int, tweet: dict[str, Any], refs: dict[str, dict[str, Any]],
             images: Any, author: Any) -> Iterator[Item]:
    original, quoted = refs.get("retweeted"), refs.get("quoted")
    body = original or tweet
    entities = body.get("entities")
    tags = _dicts(entities.get("hashtags")) if isinstance(entities, dict) else []
    yield make_post(
        path, line, source=SOURCE, source_id=tweet.get("id"), text=_v2_text(body),
        quoted=_v2_text(quoted) if quoted and not original else None,
        lang=tweet.get("lang"), created_at=tweet.get("created_at"),
        author=author(tweet),
        hashtags=[str(t["tag"]) for t in tags if t.get("tag")],
        images=image_refs(images(tweet) or images(body) or (images(quoted) if quoted else [])))


def _looks_v2(head: str) -> bool:
    if re.match(r'\s*\{\s*"data"\s*:\s*[\[{]', head) or (
            '"data"' in head and ('"__twarc"' in head or '"includes"' in head)):
        return True
    # one tweet per line without the page wrapper (twarc2 flatten, or a hand-made dump)
    first = first_json(head)
    return isinstance(first, dict) and "id" in first and "text" in first and "id_str" not in first \
        and any(k in first for k in ("author_id", "edit_history_tweet_ids", "conversation_id",
                                     "__twarc", "author", "public_metrics"))


@register_reader("twitter_v2.v1",
                 description="Twitter API v2 response pages or tweets (twarc, twarc2 flatten)",
                 sniff=lambda head, path: _looks_v2(head))
def read_twitter_v2(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """Posts from v2 response pages (``data`` a list or a single object) or bare v2 tweets,
    one per line (``twarc2 flatten`` output, author and media inline)."""
    for line, value in iter_json_array(path):
        if isinstance(value, ValueError):
            yield problem(path, line, Reason.MALFORMED, str(value))
        elif isinstance(value, dict) and "data" in value:
            yield from _v2_page(path, line, value)
        elif isinstance(value, dict) and ("id" in value and "text" in value):
            yield from _v2_page(path, line, {"data": value})
        else:
            yield problem(path, line, Reason.NOT_A_RECORD, "not a v2 response page or tweet")
