"""Model backends behind one protocol, and :func:`make_backend` to pick one from settings."""

from __future__ import annotations

from distill.backends.base import (
    Backend,
    ChatRequest,
    ChatResponse,
    ImagePart,
    ImagesUnsupported,
    Message,
    TextPart,
    request_hash,
)
from distill.backends.openai_http import OpenAIBackend
from distill.backends.replay import RecordingBackend, ReplayBackend, load_replay
from kg.errors import ConfigError
from kg.settings import LLMSettings

__all__ = [
    "Backend",
    "ChatRequest",
    "ChatResponse",
    "ImagePart",
    "ImagesUnsupported",
    "Message",
    "OpenAIBackend",
    "RecordingBackend",
    "ReplayBackend",
    "TextPart",
    "load_replay",
    "make_backend",
    "request_hash",
]


def make_backend(llm: LLMSettings) -> Backend:
    """The backend ``llm.backend`` names, built from ``llm``.

    Raises:
        ConfigError: the settings do not say enough (no replay file, no model path).
        DistillError: the local server could not be built, fetched or started.
        MissingExtraError: the backend's optional package is not installed.
    """
    if llm.backend == "openai":
        return OpenAIBackend(llm)
    if llm.backend == "local":
        from distill.backends.local import LocalBackend

        return LocalBackend(llm)
    if llm.backend == "replay":
        if llm.replay_file is None:
            raise ConfigError("llm.backend is 'replay' but llm.replay_file is not set; set "
                              "INTENTKG_LLM__REPLAY_FILE or choose another backend")
        return ReplayBackend(llm.replay_file, llm.model)
    if llm.backend == "vllm":
        from distill.backends.vllm_offline import VLLMBackend

        return VLLMBackend(llm)
    from distill.backends.transformers_local import TransformersBackend

    return TransformersBackend(llm)
