"""``intentkg eval report``: acceptance, agreement and calibration from the stored judgments,
with MIKO's and MIND's published figures beside ours, as Markdown and PNG charts.

Acceptance is the share of judgments marking an assertion plausible. Calibration
pairs each judgment of an assertion that has a filter score (MIND's role-aware
filter, co-buy relations) with that score.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg.evaluation.agreement import Agreement, agreement
from kg.evaluation.judgments import Judgment, read_judgments
from kg.evaluation.layout import EvalPaths
from kg.evaluation.stats import (
    expected_calibration_error,
    reliability_curve,
    threshold_for_precision,
)
from kg.io import iter_records
from kg.records import CoBuy, IntentionAssertion, Post

__all__ = ["PUBLISHED", "QualityReport", "build_report", "write_report"]

# What the papers report (for the table "theirs vs ours"); acceptance = share judged plausible.
PUBLISHED: dict[str, tuple[float, str]] = {
    "MIKO overall acceptance": (0.76, "MIKO, human evaluation of distilled intentions"),
    "MIKO xReact acceptance": (0.63, "MIKO, per relation"),
    "MIKO xWant acceptance": (0.82, "MIKO, per relation"),
    "MIND filter keep rate": (0.44, "MIND, share of candidates kept by the role-aware filter"),
}
MIND_KEEP = PUBLISHED["MIND filter keep rate"][0]


@dataclass
class Group:
    """Judgments of one group: count, accepted, typical (of those answered)."""

    judgments: int = 0
    plausible: int = 0
    typical_answered: int = 0
    typical: int = 0

    def add(self, j: Judgment) -> None:
        self.judgments += 1
        self.plausible += int(j.plausible)
        if j.typical is not None:
            self.typical_answered += 1
            self.typical += int(j.typical)

    @property
    def acceptance(self) -> float:
        return self.plausible / self.judgments if self.judgments else 0.0


@dataclass
class QualityReport:
    """Everything ``eval report`` computes."""

    judgments: int
    orphaned: int
    assertions_judged: int
    overall: Group
    by_relation: dict[str, Group]
    by_model: dict[str, Group]
    by_source: dict[str, Group]
    plausible_agreement: Agreement
    typical_agreement: Agreement
    filter_keep_rate: float | None
    calibration_points: int
    reliability: list[tuple[float, float, float, int]]
    ece: float | None
    target_precision: float
    threshold: tuple[float, float, float] | None
    precision_at_mind_keep: tuple[float, float] | None
    extra: dict[str, str] = field(default_factory=dict)
    charts: list[str] = field(default_factory=list)


def _group(judged: list[tuple[Judgment, IntentionAssertion, str]],
           key: Callable[[IntentionAssertion, str], str]) -> dict[str, Group]:
    out: dict[str, Group] = defaultdict(Group)
    for j, a, source in judged:
        out[key(a, source)].add(j)
    return dict(sorted(out.items()))


def build_report(workdir: Path, *, target_precision: float = 0.9) -> QualityReport:
    """Compute the report from ``<workdir>/eval/judgments.parquet`` and the assertions."""
    paths = EvalPaths(workdir)
    judgments = read_judgments(paths.judgments)
    wanted = {j.assertion_id for j in judgments}
    assertions: dict[str, IntentionAssertion] = {}
    kept = cobuy_total = 0
    for a in iter_records(paths.assertions, IntentionAssertion):
        if a.id in wanted:
            assertions[a.id] = a
        if a.subject_kind == "cobuy" and a.filter_score is not None:
            cobuy_total += 1
            kept += int(a.keep)
    subjects = {a.subject_id for a in assertions.values()}
    source_of = {p.id: p.source for p in iter_records(paths.dirs.ingest("posts"), Post)
                 if p.id in subjects}
    source_of.update({c.id: c.source for c in iter_records(paths.dirs.ingest("cobuys"), CoBuy)
                      if c.id in subjects})
    judged = [(j, assertions[j.assertion_id],
               source_of.get(assertions[j.assertion_id].subject_id, "unknown"))
              for j in judgments if j.assertion_id in assertions]
    overall = Group()
    for j, _, _ in judged:
        overall.add(j)
    votes: dict[str, dict[str, bool]] = defaultdict(dict)
    typical_votes: dict[str, dict[str, bool]] = defaultdict(dict)
    for j, _, _ in judged:
        votes[j.assertion_id][j.annotator] = j.plausible
        if j.typical is not None:
            typical_votes[j.assertion_id][j.annotator] = j.typical
    scored = [(a.filter_score, int(j.plausible)) for j, a, _ in judged
              if a.filter_score is not None]
    scores = [float(s) for s, _ in scored]
    labels = [y for _, y in scored]
    at_mind: tuple[float, float] | None = None
    if scored:
        ranked = sorted(scored, key=lambda t: -float(t[0]))
        k = max(1, round(MIND_KEEP * len(ranked)))
        at_mind = (float(ranked[k - 1][0]), sum(y for _, y in ranked[:k]) / k)
    return QualityReport(
        judgments=len(judgments), orphaned=len(judgments) - len(judged),
        assertions_judged=len({j.assertion_id for j, _, _ in judged}), overall=overall,
        by_relation=_group(judged, lambda a, _: a.relation),
        by_model=_group(judged, lambda a, _: f"{a.model} / {a.prompt_version}"),
        by_source=_group(judged, lambda _, s: s),
        plausible_agreement=agreement(votes), typical_agreement=agreement(typical_votes),
        filter_keep_rate=kept / cobuy_total if cobuy_total else None,
        calibration_points=len(scored), reliability=reliability_curve(scores, labels),
        ece=expected_calibration_error(scores, labels) if scored else None,
        target_precision=target_precision,
        threshold=threshold_for_precision(scores, labels, target_precision) if scored else None,
        precision_at_mind_keep=at_mind)


def _fmt(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _table(title: str, groups: dict[str, Group], ref: dict[str, float] | None = None) -> list[str]:
    head = "| " + title + " | judgments | acceptance | typical |" + (" published |" if ref else "")
    lines = [head, "|---|---:|---:|---:|" + ("---:|" if ref else "")]
    for key, g in groups.items():
        typ = f"{g.typical / g.typical_answered:.3f}" if g.typical_answered else "n/a"
        row = f"| {key} | {g.judgments} | {g.acceptance:.3f} | {typ} |"
        if ref is not None:
            row += f" {_fmt(ref.get(key), 2) if key in ref else ''} |"
        lines.append(row)
    return lines


def render_markdown(r: QualityReport) -> str:
    """The report as Markdown (charts referenced by file name)."""
    miko = {"xReact": PUBLISHED["MIKO xReact acceptance"][0],
            "xWant": PUBLISHED["MIKO xWant acceptance"][0]}
    pa, ta = r.plausible_agreement, r.typical_agreement
    out = [
        "# How good is the knowledge?", "",
        f"Judgments: {r.judgments} on {r.assertions_judged} assertions"
        + (f" ({r.orphaned} about assertions no longer in the work dir, left out)"
           if r.orphaned else "") + "."
        + ("" if r.judgments else " No judgments yet: `intentkg eval annotate export`, judge "
           "the tasks in Label Studio, then `intentkg eval annotate import`."), "",
        "## Theirs and ours", "",
        "| figure | published | ours |", "|---|---:|---:|",
        f"| overall acceptance (MIKO) | {PUBLISHED['MIKO overall acceptance'][0]:.2f} | "
        f"{_fmt(r.overall.acceptance if r.overall.judgments else None)} |",
        f"| xReact acceptance (MIKO) | {miko['xReact']:.2f} | "
        f"{_fmt(r.by_relation['xReact'].acceptance if 'xReact' in r.by_relation else None)} |",
        f"| xWant acceptance (MIKO) | {miko['xWant']:.2f} | "
        f"{_fmt(r.by_relation['xWant'].acceptance if 'xWant' in r.by_relation else None)} |",
        f"| candidates kept by the filter (MIND) | {MIND_KEEP:.2f} | "
        f"{_fmt(r.filter_keep_rate)} |", "",
        "## Acceptance", "", *_table("relation", r.by_relation, miko), "",
        *_table("model / prompt version", r.by_model), "", *_table("source", r.by_source), "",
        "## Agreement", "",
        "| question | Krippendorff's alpha (nominal) | raw agreement | units judged twice+ "
        "| annotators |", "|---|---:|---:|---:|---:|",
        f"| plausible | {_fmt(pa.alpha)} | {_fmt(pa.raw)} | {pa.units} | {pa.annotators} |",
        f"| typical | {_fmt(ta.alpha)} | {_fmt(ta.raw)} | {ta.units} | {ta.annotators} |", "",
        "## Calibration of the filter score", "",
    ]
    if not r.calibration_points:
        out.append("No judged assertion has a filter score (the filter scores co-buy "
                   "assertions only).")
    else:
        out += [f"{r.calibration_points} judgments of assertions with a filter score; "
                f"ECE {_fmt(r.ece)} (10 equal-width bins).", "",
                "| bin | mean score | share plausible | judgments |", "|---|---:|---:|---:|"]
        out += [f"| {lo:.1f}-{lo + 0.1:.1f} | {conf:.3f} | {acc:.3f} | {n} |"
                for lo, conf, acc, n in r.reliability]
        out.append("")
        if r.threshold is None:
            out.append(f"No threshold reaches precision {r.target_precision:.2f}.")
        else:
            thr, prec, keep = r.threshold
            out.append(f"Lowest threshold with precision >= {r.target_precision:.2f}: "
                       f"{thr:.3f} (precision {prec:.3f}, keeps {keep:.3f} of the judged).")
        if r.precision_at_mind_keep is not None:
            thr, prec = r.precision_at_mind_keep
            out.append(f"Keeping the top {MIND_KEEP:.0%} by score (MIND's keep rate): "
                       f"threshold {thr:.3f}, precision {prec:.3f}.")
    for title, body in r.extra.items():
        out += ["", f"## {title}", "", body]
    if r.charts:
        out += ["", "## Charts", ""] + [f"![{c}]({c})" for c in r.charts]
    return "\n".join(out) + "\n"


def _charts(r: QualityReport, out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names: list[str] = []
    if r.by_relation:
        fig, ax = plt.subplots(figsize=(max(6.0, 0.45 * len(r.by_relation)), 3.5))
        keys = list(r.by_relation)
        ax.bar(keys, [r.by_relation[k].acceptance for k in keys], color="#4c72b0",
               label="ours")
        refs = {"xReact": PUBLISHED["MIKO xReact acceptance"][0],
                "xWant": PUBLISHED["MIKO xWant acceptance"][0]}
        xs = [i for i, k in enumerate(keys) if k in refs]
        ax.scatter(xs, [refs[keys[i]] for i in xs], color="#dd8452", zorder=3,
                   label="MIKO (published)")
        ax.axhline(PUBLISHED["MIKO overall acceptance"][0], color="#dd8452", ls="--", lw=1)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("share judged plausible")
        ax.set_title("Acceptance per relation")
        ax.tick_params(axis="x", labelrotation=60, labelsize=8)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(out / "acceptance_by_relation.png", dpi=100)
        plt.close(fig)
        names.append("acceptance_by_relation.png")
    if r.reliability:
        fig, ax = plt.subplots(figsize=(4.0, 4.0))
        ax.plot([0, 1], [0, 1], color="grey", ls=":", lw=1)
        ax.plot([c for _, c, _, _ in r.reliability], [a for _, _, a, _ in r.reliability],
                marker="o", color="#4c72b0")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("filter score (mean per bin)")
        ax.set_ylabel("share judged plausible")
        ax.set_title(f"Reliability (ECE {_fmt(r.ece)})")
        fig.tight_layout()
        fig.savefig(out / "reliability.png", dpi=100)
        plt.close(fig)
        names.append("reliability.png")
    return names


def write_report(workdir: Path, out: Path, *, target_precision: float = 0.9,
                 charts: bool = True) -> tuple[QualityReport, Path]:
    """Compute the report and write ``report.md`` (and PNG charts) into ``out``.

    The last IntentionQA and sarcasm results of the work dir, when there are any,
    are added as sections.
    """
    r = build_report(workdir, target_precision=target_precision)
    paths = EvalPaths(workdir)
    if paths.intentionqa.is_file():
        qa = json.loads(paths.intentionqa.read_text(encoding="utf-8"))
        r.extra["IntentionQA"] = _qa_section(qa)
    if paths.sarcasm.is_file():
        s = json.loads(paths.sarcasm.read_text(encoding="utf-8"))
        r.extra["Sarcasm detection (MIKO's downstream task)"] = (
            f"{s['posts']} labelled posts, train {s['train']}, test {s['test']} (seed "
            f"{s['seed']}).\n\n| features | accuracy | F1 |\n|---|---:|---:|\n"
            f"| text | {s['accuracy_text']:.3f} | {s['f1_text']:.3f} |\n"
            f"| text + intentions | {s['accuracy_intent']:.3f} | {s['f1_intent']:.3f} |\n\n"
            f"Difference in accuracy {s['accuracy_diff']['estimate']:+.3f} (95% CI "
            f"{s['accuracy_diff']['low']:+.3f} to {s['accuracy_diff']['high']:+.3f}).")
    out.mkdir(parents=True, exist_ok=True)
    if charts:
        r.charts = _charts(r, out)
    path = out / "report.md"
    path.write_text(render_markdown(r), encoding="utf-8")
    return r, path


def _order(key: str) -> tuple[str, int, str]:
    head, _, tail = key.rpartition("/")
    return (head, {"easy": 0, "medium": 1, "hard": 2}.get(tail, 3), key)


def _qa_section(qa: dict[str, object]) -> str:
    def pct(cn: list[int]) -> str:
        return f"{cn[0] / cn[1]:.3f} ({cn[0]}/{cn[1]})" if cn[1] else "-"

    base = qa["without_kg"]
    kg = qa.get("with_kg")
    assert isinstance(base, dict)
    lines = [f"Model {qa['model']} ({qa['backend']}), {qa['questions']} questions.", "",
             "| group | without KG | with KG |", "|---|---:|---:|"]
    for group in ("all", "task", "difficulty"):
        for key, cn in sorted(base[group].items(), key=lambda kv: _order(kv[0])):
            other = pct(kg[group][key]) if isinstance(kg, dict) else "-"
            lines.append(f"| {key} | {pct(cn)} | {other} |")
    diff = qa.get("difference")
    if isinstance(diff, dict) and "all" in diff:
        d = diff["all"]
        lines += ["", f"Difference (with KG - without): {d['estimate']:+.3f} (95% CI "
                      f"{d['low']:+.3f} to {d['high']:+.3f}, paired bootstrap, n={d['n']})."]
    return "\n".join(lines)
