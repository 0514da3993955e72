"""Optional judge stage: plausibility and typicality of each assertion, per relation.

A judge model rates ``<template> <intention>`` in the subject's context; the
scores fill :attr:`IntentionAssertion.plausibility` and ``typicality``. On a
failed judgement the fields stay None (the failure is in the report).
"""

from __future__ import annotations

import asyncio
from typing import Any

from distill.prompts import judge_schema, load_prompt
from distill.stages import Context
from kg.records import IntentionAssertion
from kg.relations import REGISTRY

__all__ = ["S_JUDGE", "judge_assertions", "parse_judgement"]

S_JUDGE = "judge"


def parse_judgement(obj: dict[str, Any]) -> tuple[float, float]:
    """(plausibility, typicality), each in [0, 1]; scores on a 1–5 or 0–10 scale are rescaled."""
    out = []
    for key in ("plausibility", "typicality"):
        val = float(obj[key])
        if val > 5:
            val /= 10
        elif val > 1:
            val = (val - 1) / 4
        if not 0 <= val <= 1:
            raise ValueError(f"{key}={obj[key]!r} is not a score in [0, 1]")
        out.append(val)
    return out[0], out[1]


async def judge_assertions(ctx: Context, assertions: list[IntentionAssertion],
                           context: str) -> None:
    """Fill plausibility/typicality of ``assertions`` in place (concurrently)."""
    prompt = load_prompt("judge")

    async def one(a: IntentionAssertion) -> None:
        sentence = f"{REGISTRY[a.relation].template} {a.text}."
        req = ctx.request(prompt, prompt.messages(context=context, sentence=sentence),
                          stage=S_JUDGE, subject=f"{a.subject_id}|{a.relation}",
                          schema=judge_schema())
        ans = await ctx.ask_json(req, prompt.version, parse_judgement)
        if ans is not None:
            a.plausibility, a.typicality = ans.value

    await asyncio.gather(*(one(a) for a in assertions))
