"""Write the bundled example's raw input files in their real-world formats.

The content (posts and products) lives in :mod:`demo_content`; this script only
dresses it in each source's wire format, quirks included:

* ``raw/tweets_v1.jsonl``: Twitter API v1.1 streaming statuses (``id`` and
  ``id_str`` over 2**53, two ``id`` values float-rounded, ``truncated`` +
  ``extended_tweet``, a retweet, a quote tweet, ``&amp;``, emoji, media).
* ``raw/tweets_v2.jsonl``: twarc response pages for API v2 (``data`` list,
  ``includes.media``/``users``/``tweets``, ``meta``, ``__twarc``).
* ``raw/mmsd.txt``: MMSD Python-literal lines.
* ``raw/meta_Demo.json``: Amazon 2018 product metadata lines.
* ``images/index.json``: every image URL above -> its local file name.

Run: ``.venv/bin/python examples/demo/make_raw.py`` (after ``make_images.py``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from demo_content import MMSD, PRODUCTS, TWEETS_V1, TWEETS_V2, Tweet

HERE = Path(__file__).resolve().parent
RAW = HERE / "raw"
IMAGES = HERE / "images"
TW_MEDIA = "https://pbs.twimg.com/media/{}.jpg"
AMZ_THUMB = "https://images-na.ssl-images-amazon.com/images/I/{}._SX38_SY50_CR,0,0,38,50_.jpg"
AMZ_FULL = "https://images-na.ssl-images-amazon.com/images/I/{}.jpg"

image_index: dict[str, str] = {}


def _tco(seed: str) -> str:
    code = hashlib.sha1(seed.encode()).hexdigest()
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "https://t.co/" + "".join(alphabet[int(code[i:i + 2], 16) % len(alphabet)]
                                     for i in range(0, 20, 2))


def _when(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=UTC)


def _v1_time(iso: str) -> str:
    return _when(iso).strftime("%a %b %d %H:%M:%S +0000 %Y")


def _v1_user(screen_name: str, name: str, location: str, seq: int) -> dict[str, Any]:
    uid = 10_000_000 + seq * 7919 + len(screen_name) * 131
    return {
        "id": uid, "id_str": str(uid), "name": name, "screen_name": screen_name,
        "location": location, "url": None, "description": "", "translator_type": "none",
        "protected": False, "verified": False, "followers_count": 120 + seq * 37,
        "friends_count": 300 + seq * 11, "listed_count": seq % 5, "favourites_count": 900 + seq,
        "statuses_count": 4000 + seq * 97, "created_at": "Tue Mar 04 18:20:11 +0000 2014",
        "utc_offset": None, "time_zone": None, "geo_enabled": False, "lang": "en",
        "contributors_enabled": False, "is_translator": False,
        "profile_image_url": f"http://pbs.twimg.com/profile_images/{uid}/avatar_normal.jpg",
        "profile_image_url_https": f"https://pbs.twimg.com/profile_images/{uid}/avatar_normal.jpg",
        "default_profile": True, "default_profile_image": False,
        "following": None, "follow_request_sent": None, "notifications": None,
    }


def _hashtags(text: str, tags: list[str]) -> list[dict[str, Any]]:
    out = []
    for tag in tags:
        start = text.find("#" + tag)
        out.append({"text": tag, "indices": [start, start + len(tag) + 1]})
    return out


def _v1_media(t: Tweet, tid: int, link: str, at: int) -> list[dict[str, Any]]:
    media = []
    for i, stem in enumerate(t.images):
        mid = tid - 1000 - i
        url = TW_MEDIA.format(stem)
        image_index[url] = f"{stem}.jpg"
        media.append({
            "id": mid, "id_str": str(mid), "indices": [at, at + 23],
            "media_url": url.replace("https://", "http://"), "media_url_https": url,
            "url": link, "display_url": "pic.twitter.com/" + link.rsplit("/", 1)[1],
            "expanded_url": f"https://twitter.com/{t.user}/status/{tid}/photo/{i + 1}",
            "type": "photo",
            "sizes": {"thumb": {"w": 150, "h": 150, "resize": "crop"},
                      "small": {"w": 680, "h": 680, "resize": "fit"},
                      "medium": {"w": 1200, "h": 1200, "resize": "fit"},
                      "large": {"w": 2048, "h": 2048, "resize": "fit"}},
        })
    return media


def v1_status(t: Tweet, seq: int) -> dict[str, Any]:
    """One v1.1 streaming status for ``t`` (recursing into retweet / quote)."""
    tid = int(t.id_str)
    link = _tco(t.id_str + "media")
    full = t.text + (f" {link}" if t.images else "")
    media = _v1_media(t, tid, link, len(t.text) + 1)
    entities: dict[str, Any] = {"hashtags": _hashtags(full, t.hashtags), "urls": [],
                                "user_mentions": [], "symbols": []}
    if t.retweet_of is not None:
        orig = t.retweet_of
        entities["user_mentions"] = [{"screen_name": orig.user, "name": orig.name,
                                      "id": 2_000_000 + seq, "id_str": str(2_000_000 + seq),
                                      "indices": [3, 4 + len(orig.user)]}]
    status: dict[str, Any] = {
        "created_at": _v1_time(t.created), "id": tid, "id_str": t.id_str,
        "text": full, "display_text_range": [0, len(t.text)],
        "source": '<a href="http://twitter.com/download/iphone" rel="nofollow">Twitter for'
                  ' iPhone</a>',
        "truncated": False, "in_reply_to_status_id": None, "in_reply_to_status_id_str": None,
        "in_reply_to_user_id": None, "in_reply_to_user_id_str": None,
        "in_reply_to_screen_name": None,
        "user": _v1_user(t.user, t.name, t.location, seq),
        "geo": None, "coordinates": None, "place": None, "contributors": None,
        "is_quote_status": t.quote_of is not None,
        "quote_count": 0, "reply_count": seq % 3, "retweet_count": seq * 2,
        "favorite_count": 5 + seq * 3, "entities": entities,
        "favorited": False, "retweeted": False, "filter_level": "low", "lang": t.lang,
        "timestamp_ms": str(int(_when(t.created).timestamp() * 1000)),
    }
    if len(full) > 140 and t.retweet_of is None:
        cut = full[:113].rsplit(" ", 1)[0]
        more = _tco(t.id_str + "more")
        status["text"] = f"{cut}… {more}"
        status["display_text_range"] = [0, len(cut) + 1]
        status["truncated"] = True
        status["entities"] = {
            "hashtags": _hashtags(status["text"], [h for h in t.hashtags
                                                   if "#" + h in cut]),
            "urls": [{"url": more, "expanded_url":
                      f"https://twitter.com/i/web/status/{t.id_str}",
                      "display_url": f"twitter.com/i/web/status/{t.id_str[:7]}…",
                      "indices": [len(cut) + 2, len(cut) + 25]}],
            "user_mentions": [], "symbols": []}
        ext: dict[str, Any] = {"full_text": full, "display_text_range": [0, len(t.text)],
                               "entities": {"hashtags": _hashtags(full, t.hashtags),
                                            "urls": [], "user_mentions": [], "symbols": []}}
        if media:
            ext["entities"]["media"] = media[:1]
            ext["extended_entities"] = {"media": media}
        status["extended_tweet"] = ext
    elif media:
        entities["media"] = media[:1]
        status["extended_entities"] = {"media": media}
    if t.float_rounded_id:
        status["id"] = int(float(tid))
    if t.retweet_of is not None:
        inner = v1_status(t.retweet_of, seq + 50)
        status["retweeted_status"] = inner
        prefix = f"RT @{t.retweet_of.user}: "
        body = inner.get("extended_tweet", {}).get("full_text", inner["text"])
        status["text"] = prefix + body[:140 - len(prefix) - 1] + "…"
        status["display_text_range"] = [0, len(status["text"])]
    if t.quote_of is not None:
        inner = v1_status(t.quote_of, seq + 60)
        status["quoted_status"] = inner
        status["quoted_status_id"] = inner["id"]
        status["quoted_status_id_str"] = inner["id_str"]
        link = f"https://twitter.com/{t.quote_of.user}/status/{t.quote_of.id_str}"
        status["quoted_status_permalink"] = {"url": _tco(link), "expanded": link,
                                             "display": f"twitter.com/{t.quote_of.user}/s…"}
    return status


def _v2_tweet(t: Tweet, seq: int) -> dict[str, Any]:
    tweet: dict[str, Any] = {
        "id": t.id_str, "text": t.text, "author_id": str(30_000_000 + seq * 613),
        "created_at": t.created + ".000Z", "lang": t.lang, "conversation_id": t.id_str,
        "edit_history_tweet_ids": [t.id_str], "possibly_sensitive": False,
        "reply_settings": "everyone", "source": "Twitter for Android",
        "public_metrics": {"retweet_count": seq, "reply_count": seq % 2,
                           "like_count": 12 + seq * 5, "quote_count": 0},
    }
    entities: dict[str, Any] = {}
    if t.hashtags:
        entities["hashtags"] = [{"start": (s := t.text.find("#" + h)), "end": s + len(h) + 1,
                                 "tag": h} for h in t.hashtags]
    if t.images:
        keys = [f"3_{int(t.id_str) - 500 - i}" for i in range(len(t.images))]
        link = _tco(t.id_str + "v2media")
        tweet["text"] = f"{t.text} {link}"
        tweet["attachments"] = {"media_keys": keys}
        entities["urls"] = [{"start": len(t.text) + 1, "end": len(t.text) + 24, "url": link,
                             "expanded_url": f"https://twitter.com/{t.user}/status/"
                                             f"{t.id_str}/photo/1",
                             "display_url": "pic.twitter.com/" + link.rsplit("/", 1)[1],
                             "media_key": keys[0]}]
    if entities:
        tweet["entities"] = entities
    return tweet


def v2_page(tweets: list[Tweet], first_seq: int, next_token: str | None) -> dict[str, Any]:
    """One twarc response page holding ``tweets``."""
    data, users, media, included = [], [], [], []
    for n, t in enumerate(tweets):
        seq = first_seq + n
        tweet = _v2_tweet(t, seq)
        users.append({"id": tweet["author_id"], "name": t.name, "username": t.user,
                      "created_at": "2016-09-01T12:00:00.000Z", "description": "",
                      "location": t.location, "protected": False, "verified": False,
                      "profile_image_url": "https://pbs.twimg.com/profile_images/"
                                           f"{tweet['author_id']}/a_normal.jpg",
                      "public_metrics": {"followers_count": 80 + seq * 13,
                                         "following_count": 200, "tweet_count": 1500 + seq,
                                         "listed_count": 1}})
        for key, stem in zip(tweet.get("attachments", {}).get("media_keys", []), t.images,
                             strict=True):
            url = TW_MEDIA.format(stem)
            image_index[url] = f"{stem}.jpg"
            media.append({"media_key": key, "type": "photo", "url": url,
                          "width": 1600, "height": 1600})
        if t.retweet_of is not None:
            orig = _v2_tweet(t.retweet_of, seq + 40)
            prefix = f"RT @{t.retweet_of.user}: "
            tweet["text"] = prefix + orig["text"][:140 - len(prefix) - 1] + "…"
            tweet["referenced_tweets"] = [{"type": "retweeted", "id": orig["id"]}]
            tweet["entities"] = {"mentions": [{"start": 3, "end": 4 + len(t.retweet_of.user),
                                               "username": t.retweet_of.user,
                                               "id": orig["author_id"]}]}
            included.append(orig)
            users.append({"id": orig["author_id"], "name": t.retweet_of.name,
                          "username": t.retweet_of.user,
                          "created_at": "2012-05-05T09:00:00.000Z", "description": "",
                          "protected": False, "verified": False,
                          "public_metrics": {"followers_count": 5400, "following_count": 310,
                                             "tweet_count": 8800, "listed_count": 40}})
        data.append(tweet)
    ids = sorted(t["id"] for t in data)
    includes: dict[str, Any] = {"users": users}
    if media:
        includes["media"] = media
    if included:
        includes["tweets"] = included
    meta: dict[str, Any] = {"newest_id": ids[-1], "oldest_id": ids[0], "result_count": len(data)}
    if next_token:
        meta["next_token"] = next_token
    return {"data": data, "includes": includes, "meta": meta, "__twarc": {
        "url": "https://api.twitter.com/2/tweets/search/recent?expansions=author_id%2C"
               "referenced_tweets.id%2Cattachments.media_keys&media.fields=url%2Ctype%2C"
               "width%2Cheight&query=%28winter%20OR%20coffee%20OR%20hiking%29%20lang%3Aen"
               "&max_results=100",
        "version": "2.13.0", "retrieved_at": "2023-02-20T10:15:42+00:00"}}


def product_line(p: dict[str, Any]) -> dict[str, Any]:
    """One Amazon 2018 metadata object, keys in the dump's order."""
    stems: list[str] = p["images"]
    for stem in stems:
        image_index[AMZ_THUMB.format(stem)] = f"{stem}.jpg"
        image_index[AMZ_FULL.format(stem)] = f"{stem}.jpg"
    out: dict[str, Any] = {
        "category": p["category"], "tech1": "", "description": p["description"], "fit": "",
        "title": p["title"], "also_buy": p["also_buy"],
        "image": [AMZ_THUMB.format(s) for s in stems], "tech2": "", "brand": p["brand"],
        "feature": p["feature"], "rank": p["rank"], "also_view": p.get("also_view", []),
        "details": p.get("details", {}), "main_cat": p["main_cat"], "similar_item": "",
        "date": p.get("date", ""), "price": p["price"], "asin": p["asin"],
    }
    if p.get("high_res"):
        out["imageURLHighRes"] = [AMZ_FULL.format(s) for s in stems]
    return out


def _write_jsonl(path: Path, objs: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for obj in objs:
            fh.write(json.dumps(obj, ensure_ascii=True) + "\n")


def main() -> None:
    """Write every raw file and the image index."""
    RAW.mkdir(exist_ok=True)
    _write_jsonl(RAW / "tweets_v1.jsonl", [v1_status(t, i) for i, t in enumerate(TWEETS_V1)])
    half = len(TWEETS_V2) // 2
    _write_jsonl(RAW / "tweets_v2.jsonl", [
        v2_page(TWEETS_V2[:half], 0, "b26v89c19zqg8o3fr5mh2xdbo3z1p0u8"),
        v2_page(TWEETS_V2[half:], half, None)])
    with (RAW / "mmsd.txt").open("w", encoding="utf-8") as fh:
        for sid, text, label in MMSD:
            fh.write(repr([sid, text, label]) + "\n")
            image_index[f"{sid}.jpg"] = f"{sid}.jpg"  # MMSD names images <id>.jpg
    _write_jsonl(RAW / "meta_Demo.json", [product_line(p) for p in PRODUCTS])
    missing = [f for f in image_index.values() if not (IMAGES / f).exists()]
    if missing:
        raise SystemExit(f"images not drawn yet: {missing}; run make_images.py first")
    (IMAGES / "index.json").write_text(json.dumps(image_index, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(TWEETS_V1)} v1 statuses, {len(TWEETS_V2)} v2 tweets, {len(MMSD)} MMSD "
          f"lines, {len(PRODUCTS)} products, {len(image_index)} image URLs")


if __name__ == "__main__":
    main()
