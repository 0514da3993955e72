"""The local llama.cpp server as a backend: the OpenAI-compatible client pointed at it.

The server of ``llm.local`` is attached to when ``intentkg model start`` runs it,
otherwise started for this run and stopped when the backend closes (it also dies
with this process, whatever ends it). The model name on every record is the
server's alias (``SmolLM2-135M-Instruct-Q4_1`` by default).
"""

from __future__ import annotations

import logging

from distill.backends.base import ChatRequest, ChatResponse
from distill.backends.openai_http import OpenAIBackend
from distill.local_server import LlamaServer, local_server
from kg.settings import LLMSettings

__all__ = ["LocalBackend"]

log = logging.getLogger(__name__)


class LocalBackend:
    """:class:`OpenAIBackend` over a :class:`LlamaServer` this backend starts or attaches to.

    Args:
        settings: ``llm.local`` says which server; the client settings apply as for
            ``openai`` (``base_url``, ``model`` and ``api_key`` come from the server).
        server: a started server to use instead.
    """

    name = "local"
    supports_logprobs = True

    def __init__(self, settings: LLMSettings, *, server: LlamaServer | None = None) -> None:
        self.server = server if server is not None else local_server(settings.local).start()
        self.model = self.server.alias
        client = settings.model_copy(update={"base_url": self.server.base_url,
                                             "model": self.server.alias})
        self.client = OpenAIBackend(client, api_key=self.server.api_key)

    @property
    def vision(self) -> bool | None:
        """See :attr:`OpenAIBackend.vision`."""
        return self.client.vision

    @property
    def vision_note(self) -> str:
        """Why the model is known to take no images."""
        return self.client.vision_note

    async def complete(self, request: ChatRequest) -> ChatResponse:
        """Answer through the server (see :meth:`OpenAIBackend.complete`)."""
        return await self.client.complete(request)

    async def aclose(self) -> None:
        """Close the client; stop the server if this backend started it."""
        await self.client.aclose()
        self.server.stop()
