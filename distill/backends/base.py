"""The backend protocol and the chat request/response types every backend speaks.

A :class:`ChatRequest` is an OpenAI-style chat request (text and image content
parts, optional JSON schema, sampling parameters) plus two labels that are not
part of the request itself: ``stage`` and ``subject``, used in logs, errors and
replay files. :func:`request_hash` hashes only what the model sees, with images
replaced by their content hash, so the same request always gets the same key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from kg.errors import DistillError

__all__ = [
    "Backend",
    "ChatRequest",
    "ChatResponse",
    "ImagePart",
    "ImagesUnsupported",
    "Message",
    "TextPart",
    "request_hash",
]


class ImagesUnsupported(DistillError):
    """The model takes no images: ask again without them (the stage's text-only prompt).

    A backend raises it for a request with images once it knows (from the server's
    properties or its refusal); its ``vision`` attribute is then False.
    """


@dataclass(frozen=True)
class TextPart:
    """A text content part."""

    text: str


@dataclass(frozen=True)
class ImagePart:
    """An image content part.

    Attributes:
        url: a ``data:<mime>;base64,...`` URL or an http(s) URL.
        sha256: hash of the image bytes (or of the URL when only the URL is known);
            requests are hashed with it instead of the payload.
    """

    url: str
    sha256: str

    @property
    def data(self) -> bytes | None:
        """The decoded bytes of a data URL, else None."""
        if not self.url.startswith("data:"):
            return None
        import base64

        return base64.b64decode(self.url.split(",", 1)[1])


@dataclass(frozen=True)
class Message:
    """One chat message: a role and its content parts."""

    role: Literal["system", "user", "assistant"]
    parts: tuple[TextPart | ImagePart, ...]

    @classmethod
    def text(cls, role: Literal["system", "user", "assistant"], text: str) -> Message:
        """A message holding one text part."""
        return cls(role, (TextPart(text),))

    @property
    def plain_text(self) -> str:
        """The text parts joined by newlines (images left out)."""
        return "\n".join(p.text for p in self.parts if isinstance(p, TextPart))

    @property
    def images(self) -> list[ImagePart]:
        """The image parts, in order."""
        return [p for p in self.parts if isinstance(p, ImagePart)]


@dataclass(frozen=True)
class ChatRequest:
    """A chat completion request.

    Attributes:
        model: model name sent to the backend.
        messages: the conversation.
        json_schema: when set, the answer must be a JSON object matching it
            (guided decoding where the backend supports it).
        schema_name: a short name for the schema (OpenAI ``json_schema.name``).
        temperature: sampling temperature.
        max_tokens: completion length limit.
        n: number of samples.
        logprobs: ask for the first tokens' log-probabilities.
        top_logprobs: how many alternatives per token when ``logprobs``.
        stage: pipeline stage (label only, not hashed).
        subject: subject id the request is about (label only, not hashed).
    """

    model: str
    messages: tuple[Message, ...]
    json_schema: dict[str, Any] | None = None
    schema_name: str = "answer"
    temperature: float = 0.0
    max_tokens: int = 512
    n: int = 1
    logprobs: bool = False
    top_logprobs: int = 0
    stage: str = field(default="", compare=False)
    subject: str = field(default="", compare=False)

    def canonical(self) -> dict[str, Any]:
        """What identifies the request: everything the model sees, images by hash."""
        return {
            "model": self.model,
            "messages": [
                {"role": m.role, "content": [
                    {"type": "text", "text": p.text} if isinstance(p, TextPart)
                    else {"type": "image", "sha256": p.sha256} for p in m.parts]}
                for m in self.messages
            ],
            "schema": self.json_schema,
            "sampling": {"temperature": self.temperature, "max_tokens": self.max_tokens,
                         "n": self.n, "logprobs": self.logprobs,
                         "top_logprobs": self.top_logprobs},
        }

    def summary(self, limit: int = 200) -> str:
        """A short human-readable description for logs and replay files."""
        last = self.messages[-1].plain_text if self.messages else ""
        text = last if len(last) <= limit else last[:limit] + "…"
        n_img = sum(len(m.images) for m in self.messages)
        return f"[{self.stage} {self.subject}] {n_img} image(s): {text}"


def request_hash(request: ChatRequest) -> str:
    """Stable sha256 of the canonical JSON of ``request`` (labels excluded)."""
    blob = json.dumps(request.canonical(), sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass
class ChatResponse:
    """A backend's answer.

    Attributes:
        texts: one completion per sample (``n`` of them).
        top_logprobs: for the first sample, per generated token, the top
            alternatives and their log-probabilities; None when not available.
        tokens_in: prompt tokens (0 when unknown).
        tokens_out: completion tokens over all samples (0 when unknown).
        finish_reasons: per sample, why generation stopped (``"stop"``, ``"length"``
            when cut at ``max_tokens``); empty when unknown.
        cached: answered from the call cache in this run (not stored).
    """

    texts: list[str]
    top_logprobs: list[dict[str, float]] | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    finish_reasons: list[str] = field(default_factory=list)
    cached: bool = field(default=False, compare=False)

    @property
    def truncated(self) -> bool:
        """True when the first sample was cut at ``max_tokens``."""
        return bool(self.finish_reasons) and self.finish_reasons[0] == "length"

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (cache and replay files)."""
        out: dict[str, Any] = {"texts": self.texts, "top_logprobs": self.top_logprobs,
                               "tokens_in": self.tokens_in, "tokens_out": self.tokens_out}
        if self.finish_reasons:
            out["finish_reasons"] = self.finish_reasons
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChatResponse:
        """Inverse of :meth:`to_json`."""
        return cls(texts=[str(t) for t in data.get("texts", [])],
                   top_logprobs=data.get("top_logprobs"),
                   tokens_in=int(data.get("tokens_in", 0)),
                   tokens_out=int(data.get("tokens_out", 0)),
                   finish_reasons=[str(f) for f in data.get("finish_reasons") or []])


@runtime_checkable
class Backend(Protocol):
    """What distillation needs from a model backend.

    Attributes:
        name: backend kind (``"openai"``, ``"vllm"``, ``"transformers"``, ``"replay"``);
            part of the cache key.
        model: the model the backend answers with; part of the cache key.
        supports_logprobs: whether answers carry ``top_logprobs`` when asked.
    """

    name: str
    model: str
    supports_logprobs: bool

    async def complete(self, request: ChatRequest) -> ChatResponse:
        """Answer one request; raise :class:`kg.errors.DistillError` when it cannot."""
        ...

    async def aclose(self) -> None:
        """Release connections, engines and files."""
        ...
