"""MIKO's downstream experiment: does a post's distilled intentions help detect sarcasm?

Two linear classifiers on the same seeded, stratified split of labelled posts
(MMSD / MMSD2.0 ``Post.label``): one on the sentence embedding of the post's text,
one on that embedding concatenated with the embedding of the post's kept
intentions written as sentences. Accuracy and F1 of the positive (sarcastic)
class for both, and a paired bootstrap interval of each difference over the test
posts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kg.embed import Embedder
from kg.errors import ConfigError, MissingExtraError
from kg.evaluation.kg_context import intention_sentence
from kg.evaluation.stats import Interval, accuracy, binary_f1, bootstrap_paired
from kg.records import IntentionAssertion, Post

__all__ = ["SarcasmResult", "run_sarcasm", "stratified_split"]


@dataclass
class SarcasmResult:
    """Figures of one run; ``*_text`` is text alone, ``*_intent`` text plus intentions."""

    posts: int
    train: int
    test: int
    positive: str
    with_intentions: int
    accuracy_text: float
    f1_text: float
    accuracy_intent: float
    f1_intent: float
    accuracy_diff: Interval
    f1_diff: Interval
    seed: int

    def render(self) -> str:
        """Headline figures and a note when the test set is too small to mean anything."""
        lines = [
            f"sarcasm: {self.posts} labelled posts ({self.with_intentions} with intentions); "
            f"stratified split seed {self.seed}: train {self.train}, test {self.test}; "
            f"positive label {self.positive!r}",
            f"text only:          accuracy {self.accuracy_text:.3f}  F1 {self.f1_text:.3f}",
            f"text + intentions:  accuracy {self.accuracy_intent:.3f}  F1 {self.f1_intent:.3f}",
            f"difference accuracy {self.accuracy_diff}",
            f"difference F1       {self.f1_diff}",
        ]
        if self.test < 30:
            lines.append(f"note: only {self.test} test posts; these figures show the method "
                         "runs, they do not measure anything")
        return "\n".join(lines)


def stratified_split(labels: Sequence[str], test_size: float, seed: int,
                     ) -> tuple[list[int], list[int]]:
    """(train indices, test indices): each label keeps its share in both, seeded.

    Every label gets at least one test and one train item.

    Raises:
        ConfigError: fewer than two labels, or a label with fewer than two items.
    """
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        by_label[label].append(i)
    if len(by_label) < 2:
        raise ConfigError(f"sarcasm needs posts of two labels; found {sorted(by_label)}")
    small = {k: len(v) for k, v in by_label.items() if len(v) < 2}
    if small:
        raise ConfigError(f"each label needs at least 2 posts (one to train, one to test); "
                          f"found {small}")
    rng = np.random.default_rng(seed)
    train: list[int] = []
    test: list[int] = []
    for label in sorted(by_label):
        idx = list(by_label[label])
        rng.shuffle(idx)
        n_test = min(len(idx) - 1, max(1, round(test_size * len(idx))))
        test += idx[:n_test]
        train += idx[n_test:]
    return sorted(train), sorted(test)


def _fit_predict(x_train: npt.NDArray[np.float32], y_train: npt.NDArray[np.int64],
                 x_test: npt.NDArray[np.float32], seed: int) -> npt.NDArray[np.int64]:
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise MissingExtraError("scikit-learn", None, "the sarcasm classifier") from exc
    model = LogisticRegression(max_iter=2000, random_state=seed)
    model.fit(x_train, y_train)
    return np.asarray(model.predict(x_test), dtype=np.int64)


def run_sarcasm(posts: Iterable[Post], assertions: Iterable[IntentionAssertion],
                embedder: Embedder, *, test_size: float = 0.3, seed: int = 0,
                bootstrap: int = 2000) -> SarcasmResult:
    """Train and test both classifiers on the labelled ``posts``.

    Args:
        posts: posts; those without a label are skipped.
        assertions: distilled assertions; kept post assertions give the intentions.
        embedder: the sentence embedder (kg.embed's MiniLM in the CLI).
        test_size: share of each label held out for testing.
        seed: seed of the split, the classifier and the bootstrap.
        bootstrap: bootstrap resamples.

    Raises:
        ConfigError: not enough labelled posts (see :func:`stratified_split`).
    """
    labelled = [p for p in posts if p.label not in (None, "")]
    if not labelled:
        raise ConfigError("no labelled posts in the work dir; ingest MMSD or MMSD2.0 posts "
                          "(their label is the sarcasm label)")
    ids = {p.id for p in labelled}
    intents: dict[str, list[str]] = defaultdict(list)
    for a in assertions:
        if a.subject_kind == "post" and a.keep and a.subject_id in ids:
            intents[a.subject_id].append(intention_sentence(a))
    labels = [str(p.label) for p in labelled]
    positive = "1" if "1" in labels else sorted(set(labels))[-1]
    y = np.array([int(label == positive) for label in labels], dtype=np.int64)
    train, test = stratified_split(labels, test_size, seed)
    text_vecs = embedder.encode([p.clean_text or p.text for p in labelled])
    intent_texts = [" ".join(intents.get(p.id, [])) for p in labelled]
    intent_vecs = embedder.encode([t or "(no intentions)" for t in intent_texts])
    both = np.hstack([text_vecs, intent_vecs])
    tr, te = np.array(train), np.array(test)
    pred_text = _fit_predict(text_vecs[tr], y[tr], text_vecs[te], seed)
    pred_intent = _fit_predict(both[tr], y[tr], both[te], seed)
    gold = y[te]
    return SarcasmResult(
        posts=len(labelled), train=len(train), test=len(test), positive=positive,
        with_intentions=sum(1 for p in labelled if intents.get(p.id)),
        accuracy_text=accuracy(gold, pred_text), f1_text=binary_f1(gold, pred_text),
        accuracy_intent=accuracy(gold, pred_intent), f1_intent=binary_f1(gold, pred_intent),
        accuracy_diff=bootstrap_paired(pred_text, pred_intent, gold, metric="accuracy",
                                       samples=bootstrap, seed=seed),
        f1_diff=bootstrap_paired(pred_text, pred_intent, gold, metric="f1",
                                 samples=bootstrap, seed=seed),
        seed=seed)
