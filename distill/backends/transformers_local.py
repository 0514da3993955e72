"""A local model directory run with Hugging Face transformers (CPU or GPU).

Text models load with ``AutoModelForCausalLM`` and their tokenizer's chat
template; vision-text models (a config with ``vision_config``) with
``AutoProcessor`` + ``AutoModelForImageTextToText``. transformers has no
guided decoding, so the JSON schema is only described in the prompt and the
answer goes through the usual repair / re-ask path. Calls run one at a time in
a worker thread.
"""

from __future__ import annotations

import asyncio
import io
import logging
import math
from pathlib import Path
from typing import Any

from distill.backends.base import ChatRequest, ChatResponse, ImagePart, Message
from kg.errors import ConfigError, DistillError
from kg.settings import LLMSettings

__all__ = ["TransformersBackend"]

log = logging.getLogger(__name__)


def _render_fallback(messages: list[dict[str, Any]]) -> str:
    lines = [f"{m['role']}: {m['content']}" for m in messages]
    return "\n".join([*lines, "assistant:"])


class TransformersBackend:
    """Generate with a local transformers model.

    Args:
        settings: ``model_path`` (the directory), ``model`` (recorded name).
        device: ``"cpu"``, ``"cuda"``...; default CUDA when available.

    Raises:
        ConfigError: ``llm.model_path`` is unset or not a directory.
        ConfigError: transformers or torch is not installed.
    """

    name = "transformers"
    supports_logprobs = True

    def __init__(self, settings: LLMSettings, *, device: str | None = None) -> None:
        path = settings.model_path
        if path is None or not Path(path).is_dir():
            raise ConfigError(f"the transformers backend needs llm.model_path set to a local "
                              f"model directory (got {path})")
        try:
            import torch
            import transformers
        except ImportError as exc:
            raise ConfigError("the transformers backend needs torch and transformers, which "
                              "come with sentence-transformers; reinstall intention-kg "
                              f"({exc})") from exc
        self.model = settings.model
        self._torch = torch
        self._device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        config = transformers.AutoConfig.from_pretrained(path)
        self._vision = hasattr(config, "vision_config")
        if self._vision:
            self._processor: Any = transformers.AutoProcessor.from_pretrained(  # type: ignore[no-untyped-call]
                path)
            self._tok: Any = self._processor.tokenizer
            self._lm: Any = transformers.AutoModelForImageTextToText.from_pretrained(path)
        else:
            self._processor = None
            self._tok = transformers.AutoTokenizer.from_pretrained(path)
            self._lm = transformers.AutoModelForCausalLM.from_pretrained(path)
        self._lm.to(self._device).eval()
        self._lock = asyncio.Lock()

    async def complete(self, request: ChatRequest) -> ChatResponse:
        """Generate the answer in a worker thread (one call at a time)."""
        async with self._lock:
            try:
                return await asyncio.to_thread(self._generate, request)
            except (RuntimeError, ValueError, IndexError) as exc:
                raise DistillError(f"transformers generation failed for {request.stage} "
                                   f"{request.subject}: {exc}") from exc

    def _messages(self, request: ChatRequest) -> tuple[list[dict[str, Any]], list[Any]]:
        images: list[Any] = []
        out: list[dict[str, Any]] = []
        for m in request.messages:
            if self._vision and m.images:
                out.append({"role": m.role, "content": self._vision_parts(m, images)})
            else:
                out.append({"role": m.role, "content": m.plain_text})
        return out, images

    def _vision_parts(self, message: Message, images: list[Any]) -> list[dict[str, Any]]:
        from PIL import Image

        parts: list[dict[str, Any]] = []
        for p in message.parts:
            if isinstance(p, ImagePart):
                data = p.data
                if data is None:
                    continue  # URL images need a server that can fetch them
                images.append(Image.open(io.BytesIO(data)).convert("RGB"))
                parts.append({"type": "image"})
            else:
                parts.append({"type": "text", "text": p.text})
        return parts

    def _generate(self, request: ChatRequest) -> ChatResponse:
        torch = self._torch
        messages, images = self._messages(request)
        templ = self._processor if self._vision else self._tok
        if getattr(templ, "chat_template", None):
            prompt = templ.apply_chat_template(messages, add_generation_prompt=True,
                                               tokenize=False)
        else:
            prompt = _render_fallback(messages)
        if self._vision and images:
            inputs = self._processor(text=prompt, images=images, return_tensors="pt")
        else:
            inputs = self._tok(prompt, return_tensors="pt")
        inputs = {k: v.to(self._device) for k, v in inputs.items()}
        n_in = int(inputs["input_ids"].shape[1])
        # A schema's token bound can exceed the model's window: never ask past it.
        window = (getattr(self._lm.config, "max_position_embeddings", None)
                  or getattr(self._lm.config, "n_positions", None))
        max_new = request.max_tokens if window is None else min(request.max_tokens,
                                                                int(window) - n_in)
        if max_new < 1:
            raise DistillError(f"the prompt ({n_in} tokens) fills the model's window "
                               f"({window} tokens)")
        sample = request.temperature > 0
        kwargs: dict[str, Any] = {"max_new_tokens": max_new, "do_sample": sample,
                                  "num_return_sequences": request.n,
                                  "return_dict_in_generate": True,
                                  "output_scores": request.logprobs,
                                  "pad_token_id": self._tok.pad_token_id
                                  if self._tok.pad_token_id is not None
                                  else self._tok.eos_token_id}
        if sample:
            kwargs["temperature"] = request.temperature
        with torch.no_grad():
            gen = self._lm.generate(**inputs, **kwargs)
        seqs = gen.sequences[:, n_in:]
        texts = [self._tok.decode(s, skip_special_tokens=True) for s in seqs]
        top: list[dict[str, float]] | None = None
        if request.logprobs and gen.scores:
            k = max(1, request.top_logprobs)
            top = []
            for step in gen.scores[:5]:
                logp = torch.log_softmax(step[0].float(), dim=-1)
                vals, ids = torch.topk(logp, min(k, logp.shape[-1]))
                alts: dict[str, float] = {}
                for v, i in zip(vals.tolist(), ids.tolist(), strict=True):
                    tok = self._tok.decode([i])
                    if math.isfinite(v) and tok not in alts:
                        alts[tok] = v
                top.append(alts)
        n_out = int(sum(int((s != kwargs["pad_token_id"]).sum()) for s in seqs))
        return ChatResponse(texts=texts, top_logprobs=top, tokens_in=n_in, tokens_out=n_out)

    async def aclose(self) -> None:
        """Drop the model."""
        self._lm = None
