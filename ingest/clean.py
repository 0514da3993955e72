"""Cleaning of post and product text; the raw text is always kept beside the result.

:func:`clean_post_text` removes what carries no intention (URLs, ``@mentions``, the
``RT @user:`` prefix, MMSD placeholders ``<user>``/``<url>``/``<num>``/``emoji_N``),
decodes HTML entities, turns hashtags into words (:mod:`ingest.segment`), writes
emoji as ``:name:`` and collapses whitespace. :func:`clean_html` is for product
fields scraped from pages (entities, tags, ``<br>``).
"""

from __future__ import annotations

import html
import re
import unicodedata

from ingest.segment import segment_hashtag

__all__ = ["clean_html", "clean_post_text", "emoji_to_names", "has_markup", "looks_like_css",
           "parse_price"]

_URL = re.compile(r"(?:https?://|www\.)\S*|\b\S+\.(?:com|co|ly|net|org)/\S*", re.I)
_TRUNCATED_URL = re.compile(r"\bhttps?\S*…|\bh…$|\bhttp…")
_RT = re.compile(r"^\s*RT\s*@\s*\w+\s*:\s*", re.I)
_MENTION = re.compile(r"(?<![\w@])@\s?\w{1,30}")
_PLACEHOLDER = re.compile(r"<(?:user|url|num|number|hashtag|emoji)>|\bemoji_\d+\b", re.I)
_HASHTAG = re.compile(r"(?<![\w&])#\s?(\w+)")
_TAG = re.compile(r"<[a-zA-Z!/?][^<>]{0,2000}>")
_OPEN_TAG = re.compile(r"<[a-zA-Z!/][^<>]*$")  # a tag cut off at the end of a scraped field
_MARKUP = re.compile(r"<[a-zA-Z!/]")
_BR = re.compile(r"<\s*(?:br|/p|p|/div|div|li)\b[^>]*>", re.I)
_SPACE = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{2,}")
_NEEDS_WORK = re.compile(r"[&<{}\n\r\t]|\s\s")
_CSS = re.compile(r"[.#][\w-]+\s*\{[^}]*\}|\{[^}]*:[^}]*\}")
_PRICE = re.compile(r"\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")


def emoji_to_names(text: str) -> str:
    """Replace each emoji by ``:its_unicode_name:`` (``❄`` -> ``:snowflake:``).

    Variation selectors, zero-width joiners and skin-tone modifiers are dropped so a
    ZWJ sequence becomes a run of names.
    """
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if ch in "\u200d\ufe0e\ufe0f" or 0x1F3FB <= code <= 0x1F3FF:
            continue
        if _is_emoji(code):
            name = unicodedata.name(ch, "")
            if name:
                out.append(f" :{name.lower().replace(' ', '_').replace('-', '_')}: ")
                continue
        out.append(ch)
    return "".join(out)


def _is_emoji(code: int) -> bool:
    return (0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF
            or 0x2B00 <= code <= 0x2BFF or code in (0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122))


def clean_post_text(text: str) -> str:
    """The cleaned form of a post's raw text (see the module docstring).

    Args:
        text: raw text as found in the source.

    Returns:
        Cleaned text, possibly empty (a post made only of links and mentions).
    """
    text = html.unescape(html.unescape(text))
    text = _RT.sub("", text)
    text = _TRUNCATED_URL.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _PLACEHOLDER.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _HASHTAG.sub(lambda m: " " + segment_hashtag(m.group(1)) + " ", text)
    text = text.replace("#", " ")
    text = emoji_to_names(text)
    return _SPACE.sub(" ", text).strip()


def clean_html(text: str | None) -> str | None:
    """Decode entities and strip HTML tags from a scraped product field; ``None`` stays ``None``.

    Returns ``None`` for text that is empty after cleaning or that is CSS junk.
    """
    if text is None:
        return None
    if not _NEEDS_WORK.search(text):  # the common case: plain text, nothing to clean
        return text.strip() or None
    text = html.unescape(text)
    if "<" in text:
        text = _BR.sub("\n", text)
        text = _TAG.sub(" ", text)
        text = _OPEN_TAG.sub(" ", text)
        text = html.unescape(text)
    text = "\n".join(_SPACE.sub(" ", line).strip() for line in text.splitlines())
    text = _BLANK_LINES.sub("\n", text).strip()
    if not text or looks_like_css(text):
        return None
    return text


def has_markup(text: str) -> bool:
    """True when ``text`` holds an HTML tag or a tag fragment (``<span class="..."``)."""
    return bool(_MARKUP.search(html.unescape(text) if "&" in text else text))


def looks_like_css(text: str) -> bool:
    """True when ``text`` is scraped style-sheet junk (``.a-box{...}``) rather than content."""
    return len(_CSS.findall(text[:4000])) >= 2


def parse_price(value: object) -> float | None:
    """A price as a float, or ``None`` for empty, ``"None"``, ranges' junk or CSS.

    Accepts floats, ``"$6.98"``, ``"$1,299.00"``; a range ``"$5.99 - $9.99"`` gives its low end.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value) if value >= 0 else None
    if not isinstance(value, str) or len(value) > 64 or looks_like_css(value):
        return None
    match = _PRICE.search(value)
    if match is None:
        return None
    whole = match.group(1).replace(",", "")
    return float(f"{whole}.{match.group(2)}" if match.group(2) else whole)
