"""Hashtag segmentation: ``#WinterIsComing`` -> "winter is coming".

Two steps:

1. camel case and digits split first (``WinterIsComing2017`` -> ``Winter Is Coming 2017``);
2. each remaining all-lower-case run longer than a word is split by a unigram
   word-frequency model (the Viterbi search of *wordninja*): the split minimizing
   the summed word costs ``log(total / count)`` wins; unknown words cost more the
   longer they are, so a run with no good split stays whole.

The word list, ``ingest/hashtag_words.txt`` (about 54k words), is built offline from
WordNet sense counts, the spaCy model vocabulary and a list of function words;
see :mod:`ingest.build_wordlist`. No network and no ``wordfreq`` dependency.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

__all__ = ["segment_hashtag", "segment_word", "word_costs"]

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_MAX_WORD = 20


@lru_cache(maxsize=1)
def word_costs() -> dict[str, float]:
    """Word -> cost (negative log-probability) from the shipped word list."""
    text = (Path(__file__).parent / "hashtag_words.txt").read_text(encoding="utf-8")
    counts: dict[str, int] = {}
    for line in text.splitlines():
        word, _, count = line.partition("\t")
        counts[word] = int(count)
    total = sum(counts.values())
    # words seen only in the spaCy vocabulary (count 1) are often names or junk
    # ("tw", "eet"): they cost extra, very short ones much more
    return {
        word: math.log(total / count) + (0.0 if count > 1 else 3.0 + 6.0 * (len(word) <= 2))
        for word, count in counts.items()
    }


@lru_cache(maxsize=1)
def _unknown_base() -> float:
    return max(word_costs().values(), default=20.0) - 3.0


def _cost(word: str, costs: dict[str, float]) -> float:
    known = costs.get(word)
    return known if known is not None else _unknown_base() + 2.0 * len(word)


@lru_cache(maxsize=65536)
def segment_word(run: str) -> tuple[str, ...]:
    """Split a lower-case letter run into the most probable words.

    Args:
        run: lower-case letters, e.g. ``"funnyquotes"``.

    Returns:
        The words, e.g. ``("funny", "quotes")``; ``(run,)`` when no split beats
        keeping it whole.
    """
    costs = word_costs()
    if not run or run in costs or not run.isalpha():
        return (run,) if run else ()
    best: list[tuple[float, int]] = [(0.0, 0)]
    for end in range(1, len(run) + 1):
        candidates = []
        for start in range(max(0, end - _MAX_WORD), end):
            word = run[start:end]
            candidates.append((best[start][0] + _cost(word, costs), start))
        best.append(min(candidates))
    words: list[str] = []
    end = len(run)
    while end > 0:
        start = best[end][1]
        words.append(run[start:end])
        end = start
    words.reverse()
    return tuple(words) if best[-1][0] < _cost(run, costs) else (run,)


def segment_hashtag(tag: str) -> str:
    """Turn a hashtag (with or without ``#``) into lower-case words.

    Args:
        tag: e.g. ``"#WinterIsComing"``, ``"funnyquotes"``, ``"MCM"``.

    Returns:
        e.g. ``"winter is coming"``, ``"funny quotes"``, ``"mcm"``.
    """
    parts = _CAMEL.findall(tag.lstrip("#")) or [tag.lstrip("#")]
    words: list[str] = []
    camel = sum(p.isalpha() for p in parts) > 1  # the author marked the word boundaries
    for part in parts:
        if (part.isupper() and len(part) > 1) or camel:
            words.append(part.lower())  # an acronym (MCM, NYC) or a camel-case word
        elif part.isalpha():
            words.extend(segment_word(part.lower()))
        else:
            words.append(part.lower())
    return " ".join(w for w in words if w)
