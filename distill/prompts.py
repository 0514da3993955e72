"""Versioned prompt files and the JSON schemas answers must match.

Prompts live in ``distill/prompts/<name>.v<N>.txt`` with a ``[system]`` and a
``[user]`` section and ``$placeholders`` (:class:`string.Template`, so JSON braces
need no escaping). The version recorded on every record is ``"<name>.v<N>"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from string import Template
from typing import Any

from distill.backends.base import ImagePart, Message, TextPart
from kg.errors import ConfigError
from kg.relations import Relation

__all__ = [
    "Prompt",
    "description_schema",
    "intentions_schema",
    "judge_schema",
    "key_info_schema",
    "load_prompt",
    "relation_lines",
    "token_bound",
]

_SECTION = re.compile(r"^\[(system|user)\]\s*$", re.M)


@dataclass(frozen=True)
class Prompt:
    """One versioned prompt.

    Attributes:
        name: prompt name (``post_intentions``).
        version: ``"<name>.v<N>"``, recorded on every record it produced.
        system: system message template.
        user: user message template.
    """

    name: str
    version: str
    system: str
    user: str

    def messages(self, images: list[ImagePart] | None = None, **values: str) -> tuple[Message, ...]:
        """System and user messages with ``values`` substituted; images go before the text."""
        user = Template(self.user).substitute(values)
        parts: tuple[TextPart | ImagePart, ...] = (*(images or []), TextPart(user))
        msgs: list[Message] = []
        if self.system:
            msgs.append(Message.text("system", Template(self.system).substitute(values)))
        msgs.append(Message("user", parts))
        return tuple(msgs)


@lru_cache(maxsize=64)
def load_prompt(name: str, version: int = 1) -> Prompt:
    """Read ``distill/prompts/<name>.v<version>.txt``.

    Raises:
        ConfigError: the file is missing or has no ``[user]`` section.
    """
    fname = f"{name}.v{version}.txt"
    res = resources.files("distill") / "prompts" / fname
    try:
        text = res.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"prompt file distill/prompts/{fname} not found; reinstall "
                          "intention-kg or check the prompt name") from exc
    sections: dict[str, str] = {}
    pieces = _SECTION.split(text)
    for head, body in zip(pieces[1::2], pieces[2::2], strict=True):
        sections[head] = body.strip()
    if "user" not in sections:
        raise ConfigError(f"distill/prompts/{fname} has no [user] section")
    return Prompt(name, f"{name}.v{version}", sections.get("system", ""), sections["user"])


def relation_lines(relations: list[Relation]) -> str:
    """One line per relation: ``- xNeed: "Before posting this, the user needs to ..."``."""
    return "\n".join(f'- {r.id}: "{r.template} ..." ({r.question})' for r in relations)


def _obj(props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(props),
            "additionalProperties": False}


def _str(max_length: int) -> dict[str, Any]:
    # every string is bounded, so a small model that loops inside one still closes the JSON
    return {"type": "string", "maxLength": max_length}


DESCRIPTION_CHARS = 400
INTENTION_CHARS = 60
RATIONALE_CHARS = 120


def description_schema() -> dict[str, Any]:
    """``{"description": str}`` (at most 400 characters)."""
    return _obj({"description": _str(DESCRIPTION_CHARS)})


def key_info_schema() -> dict[str, Any]:
    """MIKO's key information: concept, action, object, emotion, keywords (bounded)."""
    return _obj({"concept": _str(60), "action": _str(60), "object": _str(60),
                 "emotion": _str(30),
                 "keywords": {"type": "array", "items": _str(30), "maxItems": 6}})


def intentions_schema(relations: list[Relation]) -> dict[str, Any]:
    """One property per relation, each ``{"intention": str, "rationale": str}`` (bounded)."""
    item = _obj({"intention": _str(INTENTION_CHARS), "rationale": _str(RATIONALE_CHARS)})
    return _obj({r.id: item for r in relations})


def judge_schema() -> dict[str, Any]:
    """``{"plausibility": number, "typicality": number}``."""
    num = {"type": "number", "minimum": 0, "maximum": 1}
    return _obj({"plausibility": num, "typicality": num})


# Whitespace a grammar lets the model put between JSON tokens (llama.cpp: up to 22 chars).
_SPACE = 22


def token_bound(schema: dict[str, Any]) -> int:
    """Most characters (so tokens: every token is at least one) of an answer matching ``schema``.

    Used as the request's ``max_tokens``, so a constrained answer always fits and closes.
    Strings count at one character per ``maxLength`` unit (escape sequences and rare
    multi-token characters aside). Raises ``ValueError`` for an unbounded schema.
    """
    kind = schema.get("type")
    if kind == "string":
        if "maxLength" not in schema:
            raise ValueError("string without maxLength")
        return 2 + int(schema["maxLength"])
    if kind in ("number", "integer"):
        return 40
    if kind == "boolean":
        return 5
    if kind == "array":
        if "maxItems" not in schema:
            raise ValueError("array without maxItems")
        return 2 + _SPACE + int(schema["maxItems"]) * (token_bound(schema["items"]) + 1 + _SPACE)
    if kind == "object":
        return 2 + _SPACE + sum(len(k) + 3 + 2 * _SPACE + token_bound(v) + 1
                                for k, v in schema.get("properties", {}).items())
    raise ValueError(f"no bound for schema type {kind!r}")
