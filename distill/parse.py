"""Pure parsing of model answers: JSON repair, refusals, boilerplate, yes/no scores.

Nothing here talks to a model; every function is a plain function over strings
and numbers, unit-tested on malformed and adversarial answers.
"""

from __future__ import annotations

import ast
import json
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "clean_intention",
    "extract_json",
    "is_refusal",
    "parse_yes_no",
    "too_deep",
    "vote_probability",
    "yes_probability",
]

MAX_DEPTH = 32  # deeper answers are refused before parsing (no RecursionError, no blow-up)
_LITERAL_LIMIT = 100_000  # Python-literal repair only for answers up to this many characters
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.S)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_REFUSAL = re.compile(
    r"^\s*(i'?m sorry|i am sorry|sorry,|i can(?:no|')t|i am unable|i'?m unable|"
    r"as an ai|i won'?t be able|unfortunately,? i)", re.I)


def extract_json(text: str) -> dict[str, Any] | None:
    """The JSON object in ``text``, repairing common damage; None when there is none.

    Repairs: code fences, prose before or after the object, trailing commas,
    Python-style single quotes / True / None. Answers nested deeper than
    :data:`MAX_DEPTH` are refused (None) before any parser sees them.
    """
    if not text or not text.strip() or too_deep(text):
        return None
    candidates = [text.strip()]
    candidates += [m.strip() for m in _FENCE.findall(text)]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start:end + 1])
    for cand in candidates:
        for variant in (cand, _TRAILING_COMMA.sub(r"\1", cand)):
            obj = _loads(variant)
            if isinstance(obj, dict):
                return obj
    return None


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """True when brackets in ``text`` nest deeper than ``limit`` (brackets in strings count
    too: a cheap, conservative scan that never recurses)."""
    depth = 0
    for ch in re.findall(r"[\[\]{}()]", text):
        if ch in "[{(":
            depth += 1
            if depth > limit:
                return True
        else:
            depth = max(0, depth - 1)
    return False


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        pass
    if len(text) > _LITERAL_LIMIT:
        return None
    try:  # single quotes, True/False/None: a Python literal is still data, never code
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def is_refusal(text: str) -> bool:
    """True when ``text`` is empty or opens like a refusal ("I'm sorry, I can't ...")."""
    return not text.strip() or bool(_REFUSAL.match(text))


_LEADS = [
    r"(?:the\s+)?(?:potential|possible|likely|main)?\s*(?:co-?buy(?:ing)?\s+|purchase\s+)?"
    r"(?:intention|intent|reason)s?\s+(?:\w+\s+){0,6}?(?:could|would|might|may|is|are|was)"
    r"(?:\s+be)?(?:\s+that)?\s*[:,]?\s*",
    r"(?:a\s+)?(?:customer|shopper|buyer|person|user|they)\s+(?:would|might|may|could)?\s*"
    r"(?:buy|purchase|bought|buys)\s+(?:them|both|these|the\s+two\s+products)(?:\s+together)?"
    r"\s*(?:because|since|as)?\s*",
    r"(?:they|these|both|the\s+(?:two\s+)?products)\s+(?:are|were|get|got)\s+(?:often\s+)?"
    r"(?:bought|purchased)\s+together\s*[,:]?\s*",
    r"because\s+(?:they|both|the\s+products)\s+(?:both\s+)?(?:are|can\s+be)\s+"
    r"(?:used\s+for|a\s+type\s+of|a\s+part\s+of|made\s+of|similar\s+to|capable\s+of)\s*",
    r"(?:because|since|so\s+that)\s+",
    r"(?:in\s+order\s+)?to\s+(?=\w)",
]


# A slot of the prompt's example echoed instead of filled: "[insert action]", "<reason>",
# "{intention}", "[your answer here]". An answer holding one says nothing.
_PLACEHOLDER = re.compile(
    r"[\[<{]\s*(?:insert\s+|your\s+|an?\s+|the\s+)*(?:action|activity|intent(?:ion)?|"
    r"reason|verb|noun|object|phrase|text|answer|emotion|feeling|product|here|x|y)"
    r"(?:\s+\w+){0,3}\s*[\]>}]", re.I)


def clean_intention(text: str, template: str = "", others: Iterable[str] = ()) -> str:
    """The short canonical intention phrase inside a model's ``text``.

    Strips echoes of the relation's ``template`` (and of ``others``, e.g. the
    domain's other templates), boilerplate leads ("The potential co-buy
    intention ... could be that", "because they both are used for", "to"),
    quotes and a trailing period.

    Args:
        text: what the model wrote for one relation.
        template: the relation's template from :mod:`kg.relations`.
        others: more templates to strip when echoed.

    Returns:
        The phrase, possibly ``""`` when nothing is left or the answer only echoes a
        placeholder of the prompt ("[insert action]").
    """
    out = " ".join(text.split()).strip(" \"'`*")
    if _PLACEHOLDER.search(out):
        return ""
    temps = [t.strip() for t in (template, *others) if t.strip()]
    temps += [t[len("because "):] for t in temps if t.casefold().startswith("because ")]
    prefixes = sorted(set(temps), key=len, reverse=True)
    changed = True
    while changed and out:
        changed = False
        for prefix in prefixes:
            if out.casefold().startswith(prefix.casefold()):
                out = out[len(prefix):].lstrip(" ,:;-\"'")
                changed = True
                break
        for lead in _LEADS:
            m = re.match(lead, out, re.I)
            if m and m.end() > 0 and m.end() < len(out):
                out = out[m.end():].lstrip(" ,:;-\"'")
                changed = True
    out = out.rstrip(" .!;,\"'`*").strip()
    if len(out) > 1 and out[0].isupper() and out[1].islower():
        out = out[0].lower() + out[1:]
    return out


_YES = frozenset({"yes", "y", "true"})
_NO = frozenset({"no", "n", "false"})


def _norm_token(token: str) -> str:
    return token.strip().strip(".,:;!\"'*").casefold()


def yes_probability(top_logprobs: Sequence[dict[str, float]] | None,
                    *, positions: int = 3) -> float | None:
    """P(yes) / (P(yes) + P(no)) from the first answer token's top log-probabilities.

    Looks at the first ``positions`` generated tokens and uses the first one whose
    alternatives include a yes or no variant ("Yes", " yes", "YES", "y"...), so a
    leading space or quote token does not hide the answer. None when no position has one.
    """
    for alts in list(top_logprobs or [])[:positions]:
        p_yes = p_no = 0.0
        for token, logprob in alts.items():
            word = _norm_token(token)
            if not math.isfinite(logprob):
                continue
            if word in _YES:
                p_yes += math.exp(logprob)
            elif word in _NO:
                p_no += math.exp(logprob)
        if p_yes + p_no > 0:
            return p_yes / (p_yes + p_no)
    return None


def parse_yes_no(text: str) -> tuple[bool | None, str]:
    """(answer, reason) from a "Yes. because ..." style answer; answer None when unclear."""
    stripped = text.strip().lstrip("*\"' ")
    m = re.match(r"([A-Za-z]+)\W*(.*)", stripped, re.S)
    if not m:
        return None, stripped
    word, rest = _norm_token(m.group(1)), m.group(2).strip()
    if word in _YES:
        return True, rest
    if word in _NO:
        return False, rest
    return None, stripped


def vote_probability(texts: Sequence[str]) -> tuple[float | None, str]:
    """Share of "yes" among the clear votes in ``texts`` and a reason from the majority side."""
    votes = [parse_yes_no(t) for t in texts]
    clear = [(v, r) for v, r in votes if v is not None]
    if not clear:
        return None, ""
    score = sum(1 for v, _ in clear if v) / len(clear)
    majority = score >= 0.5
    reason = next((r for v, r in clear if v == majority and r), "")
    return score, reason
