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


def description_schema() -> dict[str, Any]:
    """``{"description": str}``."""
    return _obj({"description": {"type": "string"}})


def key_info_schema() -> dict[str, Any]:
    """MIKO's key information: concept, action, object, emotion, keywords."""
    s = {"type": "string"}
    return _obj({"concept": s, "action": s, "object": s, "emotion": s,
                 "keywords": {"type": "array", "items": s}})


def intentions_schema(relations: list[Relation]) -> dict[str, Any]:
    """One property per relation, each ``{"intention": str, "rationale": str}``."""
    item = _obj({"intention": {"type": "string"}, "rationale": {"type": "string"}})
    return _obj({r.id: item for r in relations})


def judge_schema() -> dict[str, Any]:
    """``{"plausibility": number, "typicality": number}``."""
    num = {"type": "number", "minimum": 0, "maximum": 1}
    return _obj({"plausibility": num, "typicality": num})
