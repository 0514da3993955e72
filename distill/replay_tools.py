"""Build a replay file from human-authored answers (the offline demo's model).

:func:`build_replay` runs the real distillation stages over the work dir's
ingested records with an *authoring backend* that answers each request from an
answers file, and records every request/response into a replay file that
:class:`distill.backends.ReplayBackend` (``llm.backend = "replay"``) answers from.

Answers file (full spec with examples: ``docs/replay_answers.md``): UTF-8 JSON
Lines, blank lines and ``#``/``//`` lines ignored, one object per line::

    {"stage": <stage>, "subject": <subject>, "relation": <relation, filter/judge only>,
     "answer": {...}}

=========================  =============================  ===================================
stage                      subject                        answer
=========================  =============================  ===================================
post_image_description     ``<post id>#<image index>``    ``{"description": str}``
post_key_info              post id                        ``{"concept", "action", "object",
                                                          "emotion": str, "keywords": [str]}``
post_intentions            post id                        ``{<relation>: {"intention": str,
                                                          "rationale": str}, ...}``
product_description        product id (ASIN)              ``{"description": str}``
cobuy_intentions           CoBuy id or ``"A+B"``          as post_intentions (co-buy relations)
cobuy_filter (+relation)   CoBuy id or ``"A+B"``          ``{"yes_probability": float,
                                                          "reason": str}``
judge (+relation)          post id / CoBuy id / ``A+B``   ``{"plausibility": float,
                                                          "typicality": float}``
=========================  =============================  ===================================

``yes_probability`` p becomes first-token log-probabilities ``{"Yes": ln p, "No": ln(1-p)}``
and the text ``"Yes. <reason>"`` (p >= 0.5) or ``"No. <reason>"``. A duplicate
``(stage, subject, relation)`` is an error naming both lines; requests without an
answer are collected and reported together in one :class:`kg.errors.DistillError`.
The replay file is tied to ``settings.llm.model``, ``settings.llm.judge`` and the relations.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import tempfile
from pathlib import Path
from typing import Any

from distill.backends.base import ChatRequest, ChatResponse
from distill.backends.replay import RecordingBackend
from distill.report import DistillReport
from distill.run import arun_distill
from kg.errors import ConfigError, DistillError
from kg.ids import pair_id
from kg.relations import resolve
from kg.settings import Settings
from kg.workdir import WorkDir

__all__ = ["STAGES", "AuthoringBackend", "build_replay", "load_answers"]

log = logging.getLogger(__name__)

STAGES = ("post_image_description", "post_key_info", "post_intentions", "product_description",
          "cobuy_intentions", "cobuy_filter", "judge")
_PER_RELATION = ("cobuy_filter", "judge")

AnswerKey = tuple[str, str, str]


def _subject(stage: str, subject: str) -> str:
    if "+" in subject and stage in ("cobuy_intentions", "cobuy_filter", "judge"):
        a, _, b = subject.partition("+")
        return pair_id(a.strip(), b.strip())
    return subject.strip()


def _relation(stage: str, subject: str, name: str) -> str:
    domain = "cobuy" if stage == "cobuy_filter" or subject.startswith("cobuy:") else "post"
    return resolve(name, domain).id  # type: ignore[arg-type]


def load_answers(path: Path) -> dict[AnswerKey, dict[str, Any]]:
    """(stage, subject, relation or "") → answer object, from an answers file.

    Raises:
        ConfigError: unreadable file, bad line, unknown stage or relation, duplicate key
            (the message names the file and line).
    """
    if not path.is_file():
        raise ConfigError(f"answers file {path} not found")
    out: dict[AnswerKey, dict[str, Any]] = {}
    where: dict[AnswerKey, int] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith(("#", "//")):
            continue
        try:
            obj = json.loads(line)
            stage, subject, answer = str(obj["stage"]), str(obj["subject"]), obj["answer"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}:{lineno}: not an answer line ({exc}); see "
                              "docs/replay_answers.md") from exc
        if stage not in STAGES:
            raise ConfigError(f"{path}:{lineno}: unknown stage {stage!r}; stages: "
                              f"{', '.join(STAGES)}")
        if not isinstance(answer, dict):
            raise ConfigError(f"{path}:{lineno}: 'answer' must be a JSON object")
        subject = _subject(stage, subject)
        relation = ""
        if stage in _PER_RELATION:
            if "relation" not in obj:
                raise ConfigError(f"{path}:{lineno}: stage {stage} needs a 'relation'")
            try:
                relation = _relation(stage, subject, str(obj["relation"]))
            except ConfigError as exc:
                raise ConfigError(f"{path}:{lineno}: {exc}") from exc
        key = (stage, subject, relation)
        if key in out:
            raise ConfigError(f"{path}:{lineno}: duplicate answer for {key} (first on line "
                              f"{where[key]})")
        out[key], where[key] = answer, lineno
    return out


class AuthoringBackend:
    """Answers requests from an answers file; remembers the ones it could not answer."""

    name = "authoring"
    supports_logprobs = True

    def __init__(self, answers: dict[AnswerKey, dict[str, Any]], model: str) -> None:
        self.model = model
        self.answers = answers
        self.used: set[AnswerKey] = set()
        self.missing: set[AnswerKey] = set()

    async def complete(self, request: ChatRequest) -> ChatResponse:
        """The authored answer for the request's (stage, subject[, relation])."""
        subject, relation = request.subject, ""
        if request.stage in _PER_RELATION:
            subject, _, relation = subject.rpartition("|")
        key = (request.stage, subject, relation)
        answer = self.answers.get(key)
        if answer is None:
            self.missing.add(key)
            raise DistillError(f"answers file has no {key}")
        self.used.add(key)
        if request.stage == "cobuy_filter":
            p = min(max(float(answer.get("yes_probability", 0.0)), 1e-6), 1 - 1e-6)
            word = "Yes" if p >= 0.5 else "No"
            text = f"{word}. {answer.get('reason', '')}".strip()
            return ChatResponse(texts=[text] * request.n,
                                top_logprobs=[{"Yes": math.log(p), "No": math.log(1 - p)}])
        return ChatResponse(texts=[json.dumps(answer, ensure_ascii=False)] * request.n)

    async def aclose(self) -> None:
        """Nothing to release."""


def build_replay(workdir: Path, settings: Settings, answers_path: Path, out_path: Path, *,
                 relations: list[str] | None = None) -> DistillReport:
    """Record the demo's replay file from an answers file.

    Args:
        workdir: a work dir with ``ingest/`` outputs (its ``distill/`` is not touched).
        settings: the settings the demo will run with (model, judge, image mode).
        answers_path: the human-authored answers (format in the module docstring).
        out_path: the replay file to (re)write.
        relations: the relation subset the demo will run with.

    Returns:
        The report of the authoring run.

    Raises:
        DistillError: some requests had no answer; the message lists them all.
        ConfigError: the answers file is malformed.
    """
    author = AuthoringBackend(load_answers(answers_path), settings.llm.model)
    out_path.unlink(missing_ok=True)
    backend = RecordingBackend(author, out_path)
    with tempfile.TemporaryDirectory(prefix="intentkg-replay-") as tmp:
        try:
            report = asyncio.run(arun_distill(workdir, settings, backend, relations=relations,
                                              out=WorkDir(Path(tmp)), cache_path=":memory:"))
        except DistillError:
            if not author.missing:
                raise
            report = None
        finally:
            asyncio.run(backend.aclose())
    if author.missing:
        miss = sorted(author.missing)
        shown = "; ".join("/".join(p for p in k if p) for k in miss[:50])
        more = f" (and {len(miss) - 50} more)" if len(miss) > 50 else ""
        raise DistillError(f"{answers_path} lacks {len(miss)} answers: {shown}{more}")
    unused = sorted(set(author.answers) - author.used)
    if unused:
        log.warning("%d answers were never asked for (typo in a subject?): %s", len(unused),
                    unused[:10])
    assert report is not None
    return report
