"""The annotation round trip with Label Studio: export a sample of assertions as a project,
read the annotators' export back as :class:`~kg.evaluation.judgments.Judgment` records.

Export (:func:`export_project`) writes into ``OUTDIR``:

* ``label_config.xml`` — the labeling interface: the subject (post text and image, or the
  two products), the intention as a sentence, "plausible?" (required), "typical?" and a
  comment;
* ``tasks.json`` — one Label Studio task per assertion; ``data`` carries the assertion id,
  the project id and the model's scores;
* ``project.json`` — project id, seed, counts.

and a manifest ``<workdir>/eval/annotation_exports/<project>.json`` (the assertion ids),
so an import can tell an export of this work dir from any other file.

Import (:func:`parse_export`) reads Label Studio's JSON export (a list of tasks with
``annotations``). Every problem is collected and reported together, each naming the
task; nothing is stored unless the whole file is valid.
"""

from __future__ import annotations

import base64
import json
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import ConfigError
from kg.evaluation.judgments import Judgment
from kg.evaluation.kg_context import intention_sentence
from kg.evaluation.layout import EvalPaths
from kg.ids import content_id
from kg.io import iter_records
from kg.records import CoBuy, ImageRef, IntentionAssertion, Post, Product
from kg.workdir import WorkDir

__all__ = [
    "CHOICES",
    "AnnotationError",
    "ExportReport",
    "export_project",
    "label_config",
    "parse_export",
    "sample_assertions",
]

# from_name -> (to_name, {choice value: meaning})
CHOICES = {
    "plausible": {"plausible": True, "implausible": False},
    "typical": {"typical": True, "atypical": False},
}
_TO = "intention"
_MAX_INLINE_IMAGE = 256 * 1024


class AnnotationError(ConfigError):
    """An annotation file that cannot be imported; the message names every bad record."""


def label_config() -> str:
    """The Label Studio labeling config (XML) of an intention-kg project."""
    return """<View>
  <Header value="What was posted or bought"/>
  <Text name="subject" value="$subject"/>
  <Image name="image" value="$image" maxWidth="320px"/>
  <Header value="Intention ($relation)"/>
  <Text name="intention" value="$sentence"/>
  <Header value="Is this intention plausible here?"/>
  <Choices name="plausible" toName="intention" choice="single" required="true">
    <Choice value="plausible"/>
    <Choice value="implausible"/>
  </Choices>
  <Header value="Is it typical (what most people would mean)?"/>
  <Choices name="typical" toName="intention" choice="single">
    <Choice value="typical"/>
    <Choice value="atypical"/>
  </Choices>
  <TextArea name="comment" toName="intention" placeholder="Comment (optional)"
            maxSubmissions="1" editable="true"/>
</View>
"""


def sample_assertions(assertions: Iterable[IntentionAssertion], per_relation: int,
                      seed: int) -> list[IntentionAssertion]:
    """Up to ``per_relation`` assertions of each relation, drawn with ``seed``.

    Rejected assertions (``keep=False``) are drawn too, so the filter can be
    calibrated against the judgments. The draw does not depend on file order.
    """
    by_rel: dict[str, list[IntentionAssertion]] = defaultdict(list)
    for a in assertions:
        by_rel[a.relation].append(a)
    rng = random.Random(seed)
    out: list[IntentionAssertion] = []
    for rel in sorted(by_rel):
        items = sorted(by_rel[rel], key=lambda a: a.id)
        out += rng.sample(items, min(per_relation, len(items)))
    return out


def _image_value(images: Sequence[ImageRef]) -> str:
    """A data URL of the first readable local image (self-contained tasks), else its URI."""
    for img in images:
        path = Path(img.local_path) if img.local_path else None
        if path is not None and path.is_file() and path.stat().st_size <= _MAX_INLINE_IMAGE:
            mime = "image/png" if path.suffix.lower() == ".png" else "image/jpeg"
            return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"
    for img in images:
        if img.uri.startswith(("http://", "https://")):
            return img.uri
    return ""


@dataclass
class ExportReport:
    """What :func:`export_project` wrote."""

    project: str
    tasks: int
    per_relation: dict[str, int]
    out: Path


def _subjects(workdir: Path, wanted: set[str]) -> tuple[dict[str, Post], dict[str, CoBuy],
                                                        dict[str, Product]]:
    wd = WorkDir(workdir)
    posts = {p.id: p for p in iter_records(wd.ingest("posts"), Post) if p.id in wanted}
    pairs = {c.id: c for c in iter_records(wd.ingest("cobuys"), CoBuy) if c.id in wanted}
    asins = {x for c in pairs.values() for x in (c.product_a, c.product_b)}
    products = {p.id: p for p in iter_records(wd.ingest("products"), Product)
                if p.id in asins}
    return posts, pairs, products


def _task(a: IntentionAssertion, project: str, posts: dict[str, Post],
          pairs: dict[str, CoBuy], products: dict[str, Product]) -> dict[str, Any]:
    images: list[ImageRef] = []
    source = ""
    if a.subject_kind == "post" and a.subject_id in posts:
        post = posts[a.subject_id]
        subject, images, source = f"Post: {post.text}", post.images, post.source
        sentence = intention_sentence(a)
    elif a.subject_id in pairs:
        pair = pairs[a.subject_id]
        pa, pb = products.get(pair.product_a), products.get(pair.product_b)
        ta = (pa.title if pa else None) or pair.product_a
        tb = (pb.title if pb else None) or pair.product_b
        subject = f'Bought together: "{ta}" and "{tb}"'
        images = [*(pa.images if pa else []), *(pb.images if pb else [])]
        source = pair.source
        sentence = intention_sentence(a, f'"{ta}" and "{tb}"')
    else:
        subject, sentence = f"({a.subject_id})", intention_sentence(a)
    return {"data": {
        "intentkg_project": project, "assertion_id": a.id, "relation": a.relation,
        "subject": subject, "image": _image_value(images), "sentence": sentence,
        "intention": a.text, "subject_id": a.subject_id, "source": source,
        "model": a.model, "prompt_version": a.prompt_version,
        "filter_score": a.filter_score, "keep": a.keep,
        "plausibility": a.plausibility, "typicality": a.typicality}}


def export_project(workdir: Path, out: Path, *, per_relation: int = 20,
                   seed: int = 0) -> ExportReport:
    """Write a Label Studio project for a stratified sample of the work dir's assertions.

    Raises:
        ConfigError: the work dir has no assertions (run distill first).
    """
    paths = EvalPaths(workdir)
    sample = sample_assertions(iter_records(paths.assertions, IntentionAssertion),
                               per_relation, seed)
    if not sample:
        raise ConfigError(f"{paths.assertions}: no assertions to annotate; run "
                          "`intentkg distill` first")
    ids = sorted(a.id for a in sample)
    project = "intentkg-" + content_id("annotation", str(seed), *ids).split(":")[-1][:16]
    posts, pairs, products = _subjects(workdir, {a.subject_id for a in sample})
    tasks = [_task(a, project, posts, pairs, products) for a in sample]
    counts: dict[str, int] = defaultdict(int)
    for a in sample:
        counts[a.relation] += 1
    out.mkdir(parents=True, exist_ok=True)
    (out / "label_config.xml").write_text(label_config(), encoding="utf-8")
    (out / "tasks.json").write_text(json.dumps(tasks, ensure_ascii=False, indent=1),
                                    encoding="utf-8")
    meta = {"project": project, "seed": seed, "per_relation": per_relation,
            "tasks": len(tasks), "relations": dict(counts), "workdir": str(workdir)}
    (out / "project.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    paths.exports.mkdir(parents=True, exist_ok=True)
    (paths.exports / f"{project}.json").write_text(
        json.dumps({**meta, "assertion_ids": ids}, indent=1), encoding="utf-8")
    return ExportReport(project, len(tasks), dict(counts), out)


def _known_projects(workdir: Path) -> dict[str, set[str]]:
    exports = EvalPaths(workdir).exports
    out: dict[str, set[str]] = {}
    for path in sorted(exports.glob("*.json")) if exports.is_dir() else []:
        meta = json.loads(path.read_text(encoding="utf-8"))
        out[str(meta["project"])] = set(meta["assertion_ids"])
    return out


def _annotator(ann: dict[str, Any]) -> str:
    who = ann.get("completed_by")
    if isinstance(who, dict):
        return str(who.get("email") or f"user:{who.get('id')}")
    if who is None or who == "":
        raise ValueError("annotation has no 'completed_by'")
    return f"user:{who}"


def _choice(results: list[dict[str, Any]], name: str) -> bool | None:
    for r in results:
        if r.get("from_name") == name and r.get("type") == "choices":
            picked = (r.get("value") or {}).get("choices") or []
            if len(picked) != 1 or picked[0] not in CHOICES[name]:
                raise ValueError(f"{name!r} must be one of {sorted(CHOICES[name])}, got "
                                 f"{picked!r}")
            return CHOICES[name][picked[0]]
    return None


def _comment(results: list[dict[str, Any]]) -> str:
    for r in results:
        if r.get("from_name") == "comment":
            text = (r.get("value") or {}).get("text") or []
            return " ".join(str(t) for t in text).strip()
    return ""


def parse_export(path: Path, workdir: Path) -> tuple[list[Judgment], int]:
    """(judgments, tasks without a submitted annotation) from a Label Studio JSON export.

    Raises:
        AnnotationError: the file is not such an export, comes from another project or
            work dir, names unknown assertions, or an annotation lacks a field; the message
            lists every bad record (up to 20) by task id.
    """
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AnnotationError(f"{path}: not a Label Studio JSON export ({exc})") from exc
    if not isinstance(tasks, list):
        raise AnnotationError(f"{path}: not a Label Studio JSON export (expected a list of "
                              "tasks; export with format 'JSON')")
    projects = _known_projects(workdir)
    existing = {a.id for a in iter_records(EvalPaths(workdir).assertions, IntentionAssertion)}
    errors: list[str] = []
    judgments: list[Judgment] = []
    unannotated = 0
    for i, task in enumerate(tasks):
        tid = task.get("id", f"#{i}") if isinstance(task, dict) else f"#{i}"
        where = f"task {tid} (record {i})"
        try:
            data = task["data"]
            project = data.get("intentkg_project")
            aid = data.get("assertion_id")
            if not project:
                raise ValueError("no 'intentkg_project' in data: not a task exported by "
                                 "`intentkg eval annotate export`")
            if project not in projects:
                raise ValueError(f"project {project!r} was not exported from {workdir} "
                                 f"(known: {sorted(projects) or 'none'})")
            if not aid:
                raise ValueError("no 'assertion_id' in data")
            if aid not in projects[project] or aid not in existing:
                raise ValueError(f"unknown assertion id {aid!r}")
            submitted = [a for a in task.get("annotations") or []
                         if not a.get("was_cancelled")]
            if not submitted:
                unannotated += 1
            for ann in submitted:
                results = ann.get("result")
                if not isinstance(results, list):
                    raise ValueError(f"annotation {ann.get('id')} has no 'result' list")
                plausible = _choice(results, "plausible")
                if plausible is None:
                    raise ValueError(f"annotation {ann.get('id')} lacks the required "
                                     "'plausible' choice")
                judgments.append(Judgment(
                    assertion_id=aid, annotator=_annotator(ann), plausible=plausible,
                    typical=_choice(results, "typical"), comment=_comment(results),
                    project=project, task_id=str(tid),
                    annotation_id=None if ann.get("id") is None else str(ann["id"]),
                    annotated_at=ann.get("updated_at") or ann.get("created_at")))
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            errors.append(f"{where}: {detail}")
    if errors:
        shown = "; ".join(errors[:20])
        more = f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""
        raise AnnotationError(f"{path}: {len(errors)} bad record(s), nothing imported: "
                              f"{shown}{more}")
    return judgments, unannotated
