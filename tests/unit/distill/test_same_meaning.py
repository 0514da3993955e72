"""The model's second opinion on merges: P(same) from logprobs or votes, cached, failures kept."""

from __future__ import annotations

import math
from pathlib import Path

from distill.backends.base import ChatRequest, ChatResponse
from distill.same_meaning import S_SAME, same_meaning
from kg.errors import DistillError
from kg.settings import Settings


class _Model:
    """A backend that says Yes to "his job" / "his work", No to anything else, garbage to
    "gibberish", and fails on "broken"; it counts its calls."""

    name = "fake"
    model = "fake-judge"

    def __init__(self, logprobs: bool) -> None:
        self.supports_logprobs = logprobs
        self.calls = 0
        self.closed = False

    async def complete(self, request: ChatRequest) -> ChatResponse:
        self.calls += 1
        assert request.stage == S_SAME
        text = request.messages[-1].plain_text
        if "broken" in text:
            raise DistillError("server went away")
        if "gibberish" in text:
            return ChatResponse(texts=["Perhaps."] * max(request.n, 1),
                                top_logprobs=[{"Perhaps": -0.1}] if request.logprobs else None)
        yes = '"his job"' in text and '"his work"' in text
        if request.logprobs:
            first = {"Yes": math.log(0.9), "No": math.log(0.1)} if yes else \
                {"No": math.log(0.8), "Yes": math.log(0.2)}
            return ChatResponse(texts=["Yes." if yes else "No."], top_logprobs=[first])
        return ChatResponse(texts=["Yes, the same." if yes else "No, another goal."] * request.n)

    async def aclose(self) -> None:
        self.closed = True


PAIRS = [("his job", "his work"), ("eat pasta", "eat pizza"), ("gibberish", "more gibberish"),
         ("broken", "also broken")]


def test_logprobs_give_p_same_and_answers_are_cached(tmp_path: Path) -> None:
    settings = Settings(workdir=tmp_path)
    model = _Model(logprobs=True)
    with same_meaning(tmp_path, settings, backend=model) as ask:
        got = ask(PAIRS)
    assert not model.closed  # a backend passed in belongs to the caller
    assert math.isclose(got[0], 0.9) and math.isclose(got[1], 0.2)
    assert got[2] is None and got[3] is None  # no Yes/No, no answer: never merged
    calls = model.calls
    with same_meaning(tmp_path, settings, backend=model) as ask:
        again = ask(PAIRS[:2])
    assert again == got[:2] and model.calls == calls  # from the work dir's answer store


def test_votes_when_the_backend_gives_no_logprobs(tmp_path: Path) -> None:
    settings = Settings(workdir=tmp_path, llm={"filter_votes": 3})
    with same_meaning(tmp_path, settings, backend=_Model(logprobs=False)) as ask:
        got = ask(PAIRS[:3])
    assert got == [1.0, 0.0, None]
