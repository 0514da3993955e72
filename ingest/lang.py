"""The language of a post: the source's own tag when it has a usable one, else detection.

Precedence (:func:`post_lang`): a language tag carried by the source (Twitter API
v1.1 and v2 ``lang``, a ``lang`` column of a generic file) wins when it names an
ISO 639-1 language; Twitter's "no language" tags (``und``, ``zxx``, ``qme``,
``qht``...) and anything else that is not ISO 639-1 count as absent. Otherwise the
language is detected from the post's cleaned text with Google's CLD2 (``pycld2``,
whose model is compiled into the wheel: offline, deterministic, about 20 µs for a
tweet). Detection answers only when CLD2 calls its answer reliable, so a post that
is too short, only emoji or only links gets ``None`` rather than a guess.

Codes are ISO 639-1, lower case (``"en"``, ``"es"``); legacy codes still used by
Twitter and CLD2 are mapped (``in`` -> ``id``, ``iw`` -> ``he``, ``jw`` -> ``jv``)
and region or script subtags dropped (``en-gb`` -> ``en``, ``zh-Hant`` -> ``zh``).
"""

from __future__ import annotations

import re

import pycld2

__all__ = ["detect_lang", "normalize_lang", "post_lang"]

_ISO_639_1_CODES = """
aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy
da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht
hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky
la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny
oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss
st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo
za zh zu
"""
_ISO_639_1 = frozenset(_ISO_639_1_CODES.split())
_LEGACY = {"in": "id", "iw": "he", "ji": "yi", "jw": "jv", "mo": "ro"}
_EMOJI_NAME = re.compile(r":[a-z0-9_]+:")  # emoji written as :name: by ingest.clean
# CLD2 rejects what is not valid UTF-8 for it: controls, surrogates, non-characters
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_MAX_CHARS = 4000


def normalize_lang(tag: object) -> str | None:
    """``tag`` as an ISO 639-1 code, or ``None`` when it names no such language.

    Examples: ``"en"`` -> ``"en"``, ``"EN-gb"`` -> ``"en"``, ``"in"`` -> ``"id"``,
    ``"und"``/``"qme"``/``"zxx"``/``""``/``None`` -> ``None``.
    """
    if not isinstance(tag, str):
        return None
    code = tag.strip().lower().replace("_", "-").split("-", 1)[0]
    code = _LEGACY.get(code, code)
    return code if code in _ISO_639_1 else None


def detect_lang(text: str) -> str | None:
    """The language of a cleaned post text, or ``None`` when CLD2 is not confident.

    Emoji names (``:snowflake:``) are ignored, so an emoji-only text gets ``None``;
    so do empty texts (a post of links and mentions cleans to ``""``), a single
    ASCII word (a segmented hashtag), texts of a few words CLD2 cannot place, and
    languages without an ISO 639-1 code.
    """
    text = _EMOJI_NAME.sub(" ", text[:_MAX_CHARS])
    text = _UNSAFE.sub(" ", text).strip()
    if not text or (text.isascii() and len(text.split(maxsplit=1)) < 2):
        return None  # CLD2 calls some lone words "reliable" ("poiuytrewq" -> Zhuang)
    try:
        reliable, _, details = pycld2.detect(text)
    except (pycld2.error, ValueError):  # UnicodeEncodeError is a ValueError
        return None
    return normalize_lang(str(details[0][1])) if reliable else None


def post_lang(source_tag: object, clean_text: str) -> str | None:
    """A post's language: the source's tag if it is ISO 639-1, else :func:`detect_lang`.

    Args:
        source_tag: the language tag found in the input (``"en"``, ``"und"``, ``None``).
        clean_text: the post's cleaned text (:func:`ingest.clean.clean_post_text`).
    """
    return normalize_lang(source_tag) or detect_lang(clean_text)
