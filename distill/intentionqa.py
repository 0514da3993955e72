"""IntentionQA (HKUST-KnowComp): multiple-choice purchase-intention questions through any backend.

Two tasks, one JSON Lines format (``../shared/samples/SOURCES.md`` §6):

* task 1 — given Item A and Item B, pick the intention (options are ``because ...`` phrases);
* task 2 — given Item A and the intention, pick Item B (options are product names).

A line is task 2 when it has ``distractors_product``, else task 1. Each question
becomes one chat request (``distill/prompts/intentionqa_task{1,2}.v1.txt``) sent
through :class:`distill.cache.CachedCaller`, so every answer is logged and cached
like any distillation call and a replay file answers it in tests. Answers are
parsed leniently (:func:`parse_choice`); an answer naming no option counts as
wrong and is counted as unparsed. ``context`` lines (the knowledge graph's
intentions about the question's products, built by the caller) go into the
prompt when given.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field

from distill.backends.base import ChatRequest
from distill.cache import CachedCaller
from distill.prompts import Prompt, load_prompt
from distill.stages import run_bounded
from kg.errors import ConfigError, DistillError
from kg.records import Record
from kg.relations import resolve

__all__ = [
    "LETTERS",
    "QAOutcome",
    "QAQuestion",
    "accuracy_table",
    "difficulty_levels",
    "load_questions",
    "parse_choice",
    "qa_request",
    "record_replay",
    "run_questions",
]

LETTERS = ("A", "B", "C", "D")
_PREFIX = re.compile(r"^\s*PersonX bought a product of Item A and a product of Item B\s*", re.I)
STAGE = "intentionqa"


class QAQuestion(Record):
    """One IntentionQA question.

    Attributes:
        id: the benchmark's id (``FS_<n>``), made unique per task (``t1:FS_1``).
        task: 1 (pick the intention) or 2 (pick Item B).
        relation: canonical co-buy relation; for ``relation: "all"`` files it is read off
            the gold assertion's template, ``cobuyOpen`` when none matches.
        item_a_id / item_b_id: ASINs; ``option_ids`` are the ASINs of the options (task 2).
        assertion: the gold assertion without the ``PersonX bought ...`` prefix.
        options: letter → option text (HTML entities decoded).
        gold: the gold letter.
        distractor_similarity: mean ``distractors_score`` (higher = harder).
        typicality: the benchmark's typicality of the gold assertion.
    """

    id: str
    task: int
    relation: str
    item_a_id: str
    item_b_id: str
    item_a_name: str
    item_b_name: str
    assertion: str
    options: dict[str, str]
    option_ids: dict[str, str] = Field(default_factory=dict)
    gold: str
    distractor_similarity: float
    typicality: float | None = None


def _relation_of(raw: str, assertion: str) -> str:
    if raw and raw.casefold() != "all":
        return resolve(raw, "cobuy").id
    from kg.relations import COBUY_RELATIONS, REGISTRY

    text = assertion.casefold()
    best, best_len = "cobuyOpen", 0
    for rid in COBUY_RELATIONS:
        tpl = REGISTRY[rid].template.casefold()
        if rid != "cobuyOpen" and text.startswith(tpl) and len(tpl) > best_len:
            best, best_len = rid, len(tpl)
    return best


def _question(obj: dict[str, Any], where: str) -> QAQuestion:
    try:
        task = 2 if "distractors_product" in obj else 1
        options = {str(k).strip().upper(): html.unescape(str(v)) for k, v in
                   dict(obj["options"]).items()}
        gold = str(obj["gold_ind"]).strip().upper()
        if gold not in options:
            raise ValueError(f"gold_ind {gold!r} is not one of the options {sorted(options)}")
        assertion = _PREFIX.sub("", html.unescape(str(obj["assertion"]))).strip()
        option_ids: dict[str, str] = {}
        if task == 2:
            names = [html.unescape(str(n)) for n in obj["distractors_product"]]
            by_name = dict(zip(names, [str(i) for i in obj["distractors_id"]], strict=False))
            by_name[html.unescape(str(obj["item_b_name"]))] = str(obj["item_b_id"])
            option_ids = {k: by_name[v] for k, v in options.items() if v in by_name}
            option_ids[gold] = str(obj["item_b_id"])
        scores = [float(s) for s in obj.get("distractors_score") or []]
        typ = obj.get("typicality")
        return QAQuestion(
            id=f"t{task}:{obj['id']}", task=task,
            relation=_relation_of(str(obj.get("relation", "all")), assertion),
            item_a_id=str(obj["item_a_id"]), item_b_id=str(obj["item_b_id"]),
            item_a_name=html.unescape(str(obj["item_a_name"])),
            item_b_name=html.unescape(str(obj["item_b_name"])),
            assertion=assertion, options=options, option_ids=option_ids, gold=gold,
            distractor_similarity=sum(scores) / len(scores) if scores else 0.0,
            typicality=None if typ is None else float(typ))
    except (KeyError, TypeError, ValueError, ConfigError) as exc:
        detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
        raise ConfigError(f"{where}: not an IntentionQA question ({detail})") from exc


def load_questions(paths: Iterable[Path]) -> list[QAQuestion]:
    """Questions of IntentionQA JSON Lines files (both tasks may be mixed).

    Raises:
        ConfigError: a file is missing, or a line is not a question (names file and line).
    """
    out: list[QAQuestion] = []
    seen: dict[str, int] = {}
    for path in paths:
        if not path.is_file():
            raise ConfigError(f"IntentionQA file {path} not found")
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                where = f"{path}:{lineno}"
                try:
                    obj = json.loads(line)
                except ValueError as exc:
                    raise ConfigError(f"{where}: not JSON ({exc})") from exc
                if not isinstance(obj, dict):
                    raise ConfigError(f"{where}: not an IntentionQA question (not an object)")
                q = _question(obj, where)
                if q.id in seen:
                    # the byRelation file labels questions of the main file: keep its relation
                    if str(obj.get("relation", "all")).casefold() != "all":
                        out[seen[q.id]] = out[seen[q.id]].model_copy(
                            update={"relation": q.relation})
                    continue
                seen[q.id] = len(out)
                out.append(q)
    if not out:
        raise ConfigError("no IntentionQA questions in " + ", ".join(str(p) for p in paths))
    return out


def difficulty_levels(questions: Sequence[QAQuestion]) -> dict[str, str]:
    """Question id → ``easy``/``medium``/``hard``: tertiles of distractor similarity per task.

    IntentionQA grades difficulty by how similar the distractors are to the gold
    answer; the cut points here are the tertiles of the file's own questions.
    """
    out: dict[str, str] = {}
    for task in (1, 2):
        qs = sorted((q for q in questions if q.task == task),
                    key=lambda q: (q.distractor_similarity, q.id))
        n = len(qs)
        for i, q in enumerate(qs):
            out[q.id] = ("easy", "medium", "hard")[min(2, 3 * i // n)]
    return out


def _prompt(task: int) -> Prompt:
    return load_prompt(f"intentionqa_task{task}")


def qa_request(q: QAQuestion, model: str, context: Sequence[str] = ()) -> tuple[ChatRequest, str]:
    """The request for ``q`` (with knowledge-graph ``context`` lines) and its prompt version."""
    prompt = _prompt(q.task)
    ctx = ""
    if context:
        ctx = ("What a knowledge graph of purchase intentions says about these products:\n"
               + "\n".join(f"- {line}" for line in context))
    options = "\n".join(f"{k}. {v}" for k, v in sorted(q.options.items()))
    values = {"item_a": q.item_a_name, "item_b": q.item_b_name, "intention": q.assertion,
              "options": options, "context": ctx}
    req = ChatRequest(model=model, messages=prompt.messages(None, **values), temperature=0.0,
                      max_tokens=16, stage=STAGE, subject=q.id)
    return req, prompt.version


_PATTERNS = (
    re.compile(r"^\s*[(\[*\"']{0,3}([A-D])(?:[)\]*.:,\"']|\s*$|\s+[-–—:])"),  # B (B) **B** B.
    re.compile(r"(?i:answer|option|choice)\s*(?i:is|:)?\s*\W{0,2}([A-D])\b"),
    re.compile(r"\b([A-D])\s*[\).:]"),                               # "... C) because ..."
)


def parse_choice(text: str, options: Mapping[str, str]) -> str | None:
    """The option letter an answer names, or ``None``.

    Accepts a bare letter (``"B"``, ``"(b)"``, ``"**C**"``), ``"Answer: D"``, ``"The answer
    is A."``, a JSON object ``{"answer": "A"}``, and an answer that repeats exactly one
    option's text.
    """
    raw = text.strip()
    if raw.startswith("{"):
        try:
            obj = json.loads(raw)
            if isinstance(obj, dict):
                raw = str(obj.get("answer", obj.get("choice", raw)))
        except ValueError:
            pass
    upper = raw.upper()
    if upper in options:
        return upper
    for i, pat in enumerate(_PATTERNS):
        m = pat.search(upper if i == 0 else raw)
        if m and m.group(1).upper() in options:
            return m.group(1).upper()
    folded = " ".join(raw.casefold().split()).strip(" .")
    norm = {k: " ".join(v.casefold().split()).strip(" .") for k, v in options.items()}
    hits = [k for k, v in norm.items() if v == folded]
    if not hits:  # the answer quotes an option inside a longer reply
        hits = [k for k, v in norm.items() if len(v) >= 12 and v in folded]
    return hits[0] if len(hits) == 1 else None


@dataclass(frozen=True)
class QAOutcome:
    """One answered question: the parsed letter (None when unparsed) and whether it is gold."""

    question_id: str
    answer_text: str
    choice: str | None
    correct: bool


async def run_questions(
    questions: Sequence[QAQuestion], caller: CachedCaller, model: str, *,
    context: Callable[[QAQuestion], Sequence[str]] | None = None, concurrency: int = 16,
    on_item: Callable[[], None] | None = None,
) -> list[QAOutcome]:
    """Ask every question through ``caller`` (cached); outcomes in question order.

    Raises:
        DistillError: every question failed at the backend (the first failure is named).
    """
    outcomes: dict[int, QAOutcome] = {}
    errors: list[str] = []

    async def one(q: QAQuestion) -> QAOutcome:
        req, version = qa_request(q, model, context(q) if context else ())
        try:
            resp = await caller(req, version)
        except DistillError as exc:
            errors.append(f"{q.id}: {exc}")
            return QAOutcome(q.id, "", None, False)
        text = resp.texts[0] if resp.texts else ""
        choice = parse_choice(text, q.options)
        caller.cache.set_parsed(caller.key(req, version), choice)
        return QAOutcome(q.id, text, choice, choice == q.gold)

    async for i, res in run_bounded(questions, one, max(1, concurrency)):
        outcomes[i] = res
        if on_item is not None:
            on_item()
    if questions and len(errors) == len(questions):
        raise DistillError(f"all {len(questions)} IntentionQA questions failed; first: "
                           f"{errors[0]}")
    return [outcomes[i] for i in range(len(questions))]


def accuracy_table(questions: Sequence[QAQuestion], outcomes: Sequence[QAOutcome],
                   ) -> dict[str, dict[str, tuple[int, int]]]:
    """(correct, total) per ``task``, ``relation`` (``t1/usedFor``) and ``difficulty``
    (``t2/hard``), plus ``all``."""
    levels = difficulty_levels(questions)
    table: dict[str, dict[str, tuple[int, int]]] = {
        "all": {}, "task": {}, "relation": {}, "difficulty": {}}

    def add(group: str, key: str, ok: bool) -> None:
        c, n = table[group].get(key, (0, 0))
        table[group][key] = (c + int(ok), n + 1)

    for q, o in zip(questions, outcomes, strict=True):
        add("all", "all", o.correct)
        add("task", f"task {q.task}", o.correct)
        add("relation", f"t{q.task}/{q.relation}", o.correct)
        add("difficulty", f"t{q.task}/{levels[q.id]}", o.correct)
    return table


def record_replay(items: Iterable[tuple[QAQuestion, Sequence[str], str]], model: str,
                  out: Path) -> int:
    """Write a replay file answering each (question, context lines, answer text) request.

    For offline demos and tests: :class:`distill.backends.ReplayBackend` then answers
    exactly these requests. Returns the number of entries written.
    """
    from distill.backends.base import ChatResponse, request_hash

    lines: dict[str, str] = {}
    for q, context, answer in items:
        req, _ = qa_request(q, model, context)
        lines[request_hash(req)] = json.dumps({
            "key": request_hash(req), "stage": req.stage, "subject": req.subject,
            "request": req.summary(), "response": ChatResponse(texts=[answer]).to_json()},
            ensure_ascii=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(line + "\n" for line in lines.values()), encoding="utf-8")
    return len(lines)
