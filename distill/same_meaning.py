"""A second opinion on intention merges: the distill model judges what the rules leave open.

kg's merge decision (:mod:`kg.canon.decide`) is precise where WordNet and the parse
speak, and says "unmatched" where two phrases use words WordNet does not connect
("his job" / "his work"). With ``canon.model_judge`` on, ``intentkg build`` and
``intentkg eval canon`` pass :func:`same_meaning`'s callable to the build, which asks
it about those candidate pairs only (``canon.model_*`` bound how many and which).

Each pair is one cached call (the work dir's answer store, as every distill call):
P(same) from the first answer token's log-probabilities of "Yes" and "No" when the
backend gives them, else the share of "Yes" among ``llm.filter_votes`` samples. A
pair without a usable answer gets ``None`` (never merged) and is counted in the log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from distill.backends import Backend, make_backend
from distill.cache import CachedCaller
from distill.prompts import load_prompt
from distill.report import DistillReport
from distill.run import store_spec
from distill.stages import Context, run_bounded
from kg.settings import Settings
from kg.workdir import WorkDir

__all__ = ["S_SAME", "same_meaning", "same_probability"]

log = logging.getLogger(__name__)

S_SAME = "same_intention"
MAX_TOKENS = 48


async def same_probability(ctx: Context, text_a: str, text_b: str) -> float | None:
    """P(one intention) the model gives two normalised phrases; ``None`` when it gave
    no Yes/No (the failure is in ``ctx.report`` and marked in the cache)."""
    prompt = load_prompt("same_intention")
    msgs = prompt.messages(text_a=text_a, text_b=text_b)
    subject = f"{text_a}\t{text_b}"
    score, _, resp = await ctx.ask_yes_no(prompt, msgs, stage=S_SAME, subject=subject,
                                          max_tokens=MAX_TOKENS)
    if score is None and resp is not None:
        ctx.report.fail(S_SAME, subject, "no Yes/No answer", resp.texts[0] if resp.texts else "",
                        cached=resp.cached)
    return score


async def _ask(ctx: Context, pairs: Sequence[tuple[str, str]]) -> list[float | None]:
    out: list[float | None] = [None] * len(pairs)

    async def one(pair: tuple[str, str]) -> float | None:
        return await same_probability(ctx, *pair)

    async for i, score in run_bounded(pairs, one, ctx.llm.concurrency):
        out[i] = score
    return out


@contextmanager
def same_meaning(workdir: Path, settings: Settings,
                 backend: Backend | None = None,
                 ) -> Iterator[Callable[[Sequence[tuple[str, str]]], list[float | None]]]:
    """A :data:`~kg.canon.decide.SecondOpinion` asking the ``llm`` model, its answers
    cached in ``workdir``'s answer store; the backend (unless passed in) and the store
    are closed on exit. Call it outside a running event loop (it runs its own)."""
    cache = store_spec(settings, WorkDir(workdir), None).open()
    loop = asyncio.new_event_loop()  # one loop for every call: a client is bound to its loop
    be: Backend | None = backend
    try:
        be = be if be is not None else make_backend(settings.llm)
        caller = CachedCaller(be, cache, retry_failed=settings.llm.retry_failed)
        report = DistillReport(backend=be.name, model=be.model)
        model = be.model

        def ask(pairs: Sequence[tuple[str, str]]) -> list[float | None]:
            answers = loop.run_until_complete(_ask(Context(settings.llm, caller, report), pairs))
            missing = sum(a is None for a in answers)
            log.info("%s asked about %d pairs (%d without an answer)", model, len(pairs), missing)
            return answers

        yield ask
    finally:
        cache.close()
        try:
            if backend is None and be is not None:
                loop.run_until_complete(be.aclose())
        finally:
            loop.close()
