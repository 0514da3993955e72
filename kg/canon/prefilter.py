"""The merge decision's cheap rejection, over many pairs at once (numpy, no Python loop).

:meth:`kg.canon.decide.PairJudge.same` rejects most candidate pairs before
deciding them: a word of one side that needs a partner, whose match keys
(:meth:`kg.canon.decide.Synonyms.keys`) meet none of the other side's and that
the other side does not drop as praise, cannot get one. :meth:`PairFilter.may_match`
is that test for arrays of signature pairs: words and keys become sparse
incidence matrices, "word ``w`` has a partner in signature ``s``" is one sparse
product, looked up per (pair, needed word) by binary search. It must say what
``kg.canon.decide._may_match`` says of each pair (a test compares them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

__all__ = ["Needs", "PairFilter"]

Needs = tuple[tuple[str, frozenset[str]], ...]
"""A signature's words that need a partner: ``(lemma, match keys)`` each."""

I64 = npt.NDArray[np.int64]


def _incidence(rows: list[list[int]], n_cols: int) -> csr_matrix:
    """A 0/1 sparse matrix with a row per list, ones at the listed columns."""
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(r) for r in rows])
    cols = np.fromiter((c for r in rows for c in r), dtype=np.int64, count=int(ptr[-1]))
    return csr_matrix((np.ones(len(cols), dtype=np.int32), cols, ptr),
                      shape=(len(rows), n_cols))


def _member(sorted_codes: I64, query: I64) -> npt.NDArray[np.bool_]:
    """Which of ``query`` are in ``sorted_codes`` (ascending, unique)."""
    if not len(sorted_codes):
        return np.zeros(len(query), dtype=np.bool_)
    at = np.searchsorted(sorted_codes, query)
    at[at == len(sorted_codes)] = 0
    return np.asarray(sorted_codes[at] == query)


class PairFilter:
    """The cheap rejection over signatures given as word lists.

    Args:
        words: per signature, its words (``lemma|pos``).
        soft: per signature, the praise lemmas it drops.
        keys: the match keys of a word (two words may be partners only when theirs meet).
        needed: whether a word needs a partner (light verbs and fillers do not).
        lemma: the lemma of a word.
    """

    def __init__(self, words: Sequence[Sequence[str]], soft: Sequence[Sequence[str]],
                 keys: Callable[[str], frozenset[str]], needed: Callable[[str], bool],
                 lemma: Callable[[str], str]) -> None:
        self.n = n = len(words)
        word_id: dict[str, int] = {}
        sig_words = [[word_id.setdefault(w, len(word_id)) for w in ws] for ws in words]
        vocab = list(word_id)
        key_id: dict[str, int] = {}
        word_keys = [[key_id.setdefault(k, len(key_id)) for k in sorted(keys(w))] for w in vocab]
        lemma_id: dict[str, int] = {}
        self._lemma = np.array([lemma_id.setdefault(lemma(w), len(lemma_id)) for w in vocab],
                               dtype=np.int64)
        by_key = _incidence(word_keys, len(key_id))
        offers = _incidence(sig_words, len(vocab)) @ by_key  # signature x key
        # partner[w, s] > 0: word w has a match key among the keys of signature s's words
        partner = (by_key @ offers.T).tocsr()
        partner.sort_indices()
        self._partner = np.repeat(np.arange(partner.shape[0], dtype=np.int64),
                                  np.diff(partner.indptr)) * n + partner.indices.astype(np.int64)
        self._soft = np.unique(np.fromiter(
            (lemma_id[lem] * n + s for s, lemmas in enumerate(soft) for lem in lemmas
             if lem in lemma_id), dtype=np.int64))
        is_needed = [needed(w) for w in vocab]
        need_rows = [[w for w in ws if is_needed[w]] for ws in sig_words]
        self._ptr = np.zeros(n + 1, dtype=np.int64)
        self._ptr[1:] = np.cumsum([len(r) for r in need_rows])
        self._needs = np.fromiter((w for r in need_rows for w in r), dtype=np.int64,
                                  count=int(self._ptr[-1]))

    def may_match(self, a: I64, b: I64, *, chunk: int = 1 << 18) -> npt.NDArray[np.bool_]:
        """For each pair ``(a[i], b[i])`` of signature indices: every needed word of
        ``a[i]`` is a lemma ``b[i]`` drops as praise, or has a match key among the keys of
        ``b[i]``'s words.

        Args:
            a: the signatures whose needed words are tested.
            b: the signatures that must offer partners.
            chunk: pairs expanded at a time (bounds memory).
        """
        n, ptr = self.n, self._ptr
        out = np.ones(len(a), dtype=np.bool_)
        for start in range(0, len(a), chunk):
            sa, sb = a[start:start + chunk], b[start:start + chunk]
            counts = ptr[sa + 1] - ptr[sa]
            pair = np.repeat(np.arange(len(sa), dtype=np.int64), counts)
            first = np.repeat(ptr[sa] - (np.cumsum(counts) - counts), counts)
            w = self._needs[first + np.arange(len(pair), dtype=np.int64)]
            other = sb[pair]
            ok = _member(self._partner, w * n + other) | \
                _member(self._soft, self._lemma[w] * n + other)
            out[start:start + chunk] = np.bincount(pair[~ok], minlength=len(sa)) == 0
        return out
