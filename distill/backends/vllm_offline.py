"""vLLM in-process batch inference (GPU; optional extra ``vllm``).

Requests arriving concurrently are gathered into micro-batches and sent to
``LLM.chat`` together, each with its own sampling parameters and JSON-schema
structured output (``StructuredOutputsParams`` on recent vLLM,
``GuidedDecodingParams`` on older releases). Images travel as data-URL content
parts, which ``LLM.chat`` accepts like the OpenAI server does.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from distill.backends.base import ChatRequest, ChatResponse
from distill.backends.openai_http import chat_payload
from kg.errors import DistillError, MissingExtraError
from kg.settings import LLMSettings

__all__ = ["VLLMBackend", "sampling_params"]

log = logging.getLogger(__name__)


def _import_vllm() -> Any:
    try:
        import vllm
    except ImportError as exc:
        raise MissingExtraError("vllm", "vllm", "the vLLM offline backend") from exc
    return vllm


def sampling_params(vllm: Any, request: ChatRequest) -> Any:
    """vLLM ``SamplingParams`` for ``request`` (JSON schema as structured output)."""
    kw: dict[str, Any] = {"temperature": request.temperature, "max_tokens": request.max_tokens,
                          "n": request.n}
    if request.logprobs:
        kw["logprobs"] = max(1, request.top_logprobs)
    if request.json_schema is not None:
        params = vllm.sampling_params
        if hasattr(params, "StructuredOutputsParams"):
            kw["structured_outputs"] = params.StructuredOutputsParams(json=request.json_schema)
        else:
            kw["guided_decoding"] = params.GuidedDecodingParams(json=request.json_schema)
    return vllm.SamplingParams(**kw)


class VLLMBackend:
    """Batch generation with an in-process vLLM engine.

    Args:
        settings: ``model_path`` or ``model`` names the weights; ``concurrency`` caps a batch.
        batch_wait_s: how long to wait for more requests before running a batch.
        engine_args: more keyword arguments for ``vllm.LLM``.
    """

    name = "vllm"
    supports_logprobs = True

    def __init__(self, settings: LLMSettings, *, batch_wait_s: float = 0.02,
                 **engine_args: Any) -> None:
        self._vllm = _import_vllm()
        self.model = settings.model
        source = str(settings.model_path) if settings.model_path else settings.model
        self._llm = self._vllm.LLM(model=source, **engine_args)
        self._max_batch = max(1, settings.concurrency)
        self._wait = batch_wait_s
        self._queue: asyncio.Queue[tuple[ChatRequest, asyncio.Future[ChatResponse]]] | None
        self._queue = None
        self._worker: asyncio.Task[None] | None = None

    async def complete(self, request: ChatRequest) -> ChatResponse:
        """Queue the request for the next batch and wait for its answer."""
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._worker = asyncio.create_task(self._batches())
        fut: asyncio.Future[ChatResponse] = asyncio.get_running_loop().create_future()
        await self._queue.put((request, fut))
        return await fut

    async def _batches(self) -> None:
        assert self._queue is not None
        while True:
            batch = [await self._queue.get()]
            await asyncio.sleep(self._wait)
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                answers = await asyncio.to_thread(self._run, [r for r, _ in batch])
            except Exception as exc:  # the engine failed: fail this batch, keep serving
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(DistillError(f"vLLM batch failed: {exc}"))
                continue
            for (_, fut), ans in zip(batch, answers, strict=True):
                if not fut.done():
                    fut.set_result(ans)

    def _run(self, requests: list[ChatRequest]) -> list[ChatResponse]:
        convs = [chat_payload(r)["messages"] for r in requests]
        params = [sampling_params(self._vllm, r) for r in requests]
        outputs = self._llm.chat(convs, sampling_params=params, use_tqdm=False)
        return [_response(o) for o in outputs]

    async def aclose(self) -> None:
        """Stop the batcher."""
        if self._worker is not None:
            self._worker.cancel()
            self._worker = None


def _response(output: Any) -> ChatResponse:
    comps = list(output.outputs)
    top: list[dict[str, float]] | None = None
    if comps and comps[0].logprobs:
        top = [{str(lp.decoded_token): float(lp.logprob) for lp in step.values()}
               for step in comps[0].logprobs[:5]]
    return ChatResponse(texts=[c.text for c in comps], top_logprobs=top,
                        tokens_in=len(output.prompt_token_ids or []),
                        tokens_out=sum(len(c.token_ids) for c in comps))
