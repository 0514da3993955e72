"""Merge quality of canonicalization on hand-labelled intention pairs.

Reads bench/data/intention_pairs.tsv (text_a, text_b, label, domain, note),
embeds every phrase with the configured model and sweeps the merge threshold:

* pairwise: a pair is "predicted same" when cosine(a, b) >= t;
* clustered: all phrases of the file are clustered together with
  kg.canon (no-chaining clustering) and a pair is "predicted same" when both
  phrases end in the same cluster.

Prints precision, recall and F1 per threshold, per domain and overall.

    .venv/bin/python bench/bench_canon_quality.py [--quick] [--model NAME]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from kg.canon import cluster_labels, normalize_intention, similarity_edges
from kg.embed import SentenceTransformerEmbedder

PAIRS = Path(__file__).parent / "data" / "intention_pairs.tsv"


def prf(pred: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    tp = int((pred & gold).sum())
    fp = int((pred & ~gold).sum())
    fn = int((~pred & gold).sum())
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="coarser sweep (step 0.05)")
    ap.add_argument("--model", default="all-MiniLM-L6-v2")
    args = ap.parse_args()
    with PAIRS.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    a = [normalize_intention(r["text_a"]) for r in rows]
    b = [normalize_intention(r["text_b"]) for r in rows]
    gold = np.array([r["label"] == "1" for r in rows])
    domain = np.array([r["domain"] for r in rows])
    texts = sorted(set(a) | set(b))
    index = {t: i for i, t in enumerate(texts)}
    emb = SentenceTransformerEmbedder(args.model)
    vecs = emb.encode(texts)
    ia = np.array([index[t] for t in a])
    ib = np.array([index[t] for t in b])
    cos = (vecs[ia] * vecs[ib]).sum(axis=1)
    step = 0.05 if args.quick else 0.025
    print(f"{len(rows)} pairs ({int(gold.sum())} same, {int((~gold).sum())} different), "
          f"{len(texts)} distinct phrases, model {emb.name}")
    header = f"{'t':>6} | {'pairwise P':>10} {'R':>6} {'F1':>6} | {'clustered P':>11} {'R':>6} " \
             f"{'F1':>6} | {'post F1':>7} {'cobuy F1':>8}"
    print(header)
    print("-" * len(header))
    best: dict[str, tuple[float, float]] = {"pairwise": (0.0, 0.0), "clustered": (0.0, 0.0)}
    for t in np.arange(0.60, 0.95 + 1e-9, step):
        pw = cos >= t
        labels = cluster_labels(vecs, similarity_edges(vecs, float(t)), float(t))
        cl = labels[ia] == labels[ib]
        p1, r1, f1 = prf(pw, gold)
        p2, r2, f2 = prf(cl, gold)
        fd = {d: prf(cl[domain == d], gold[domain == d])[2] for d in ("post", "cobuy")}
        print(f"{t:6.3f} | {p1:10.3f} {r1:6.3f} {f1:6.3f} | {p2:11.3f} {r2:6.3f} {f2:6.3f} | "
              f"{fd['post']:7.3f} {fd['cobuy']:8.3f}")
        for name, f in (("pairwise", f1), ("clustered", f2)):
            if f > best[name][1]:
                best[name] = (float(t), f)
    for name, (t, f) in best.items():
        print(f"best {name} F1 {f:.3f} at t={t:.3f}")


if __name__ == "__main__":
    main()
