"""The local llama.cpp server as a backend: the OpenAI-compatible client pointed at it.

The server of ``llm.local`` is attached to when ``intentkg model start`` runs it,
otherwise started for this run and stopped when the backend closes (it also dies
with this process, whatever ends it). If the server dies during the run (killed,
out of memory), the first request that finds it gone starts a new one and is sent
to it; requests the dead server was answering are lost with it, so sending them
again pays nothing twice. The model name on every record is the server's alias
(``SmolLM2-135M-Instruct-Q4_1`` by default).
"""

from __future__ import annotations

import asyncio
import logging

from distill.backends.base import ChatRequest, ChatResponse, ImagesUnsupported
from distill.backends.openai_http import OpenAIBackend
from distill.local_server import LlamaServer, local_server, server_state
from kg.errors import DistillError
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
        self._settings = settings
        self.server = server if server is not None else local_server(settings.local).start()
        self.model = self.server.alias
        self.client = self._client()
        self.restarts = 0
        self._generation = 0
        self._restart_lock = asyncio.Lock()
        self._retired: list[OpenAIBackend] = []

    def _client(self) -> OpenAIBackend:
        # one server, ours: when it dies this backend starts another, so requests wait
        # for it only briefly before the restart is tried
        llm = self._settings.model_copy(update={
            "base_url": self.server.base_url, "base_urls": [], "model": self.server.alias,
            "server_wait_s": min(self._settings.server_wait_s, 5.0)})
        return OpenAIBackend(llm, api_key=self.server.api_key)

    @property
    def vision(self) -> bool | None:
        """See :attr:`OpenAIBackend.vision`."""
        return self.client.vision

    @property
    def vision_note(self) -> str:
        """Why the model is known to take no images."""
        return self.client.vision_note

    async def complete(self, request: ChatRequest) -> ChatResponse:
        """Answer through the server (see :meth:`OpenAIBackend.complete`); a server that
        died is replaced once per request."""
        generation = self._generation
        try:
            return await self.client.complete(request)
        except ImagesUnsupported:
            raise
        except DistillError:
            if not await self._replace_dead_server(generation):
                raise
        return await self.client.complete(request)

    async def _replace_dead_server(self, generation: int) -> bool:
        async with self._restart_lock:
            if self._generation != generation:
                return True  # another request already replaced it
            if server_state(self.server.state_dir) is not None:
                return False  # it lives: the failure was something else
            log.warning("llama-server %s is gone; starting a new one", self.server.alias)
            self.server.stop()  # reap it if it was ours
            old = self.server
            fresh = LlamaServer(old.binary, old.model_file, old.alias, state_dir=old.state_dir,
                                threads=old.threads, slots=old.slots,
                                ctx_per_slot=old.ctx_per_slot,
                                start_timeout_s=old.start_timeout_s)
            # started from this (the main) thread: the parent-death signal follows the
            # thread that forks, and a worker thread may end before this process does
            self.server = fresh.start()
            vision = self.client.vision
            self._retired.append(self.client)
            self.client = self._client()
            if vision is False:
                self.client.mark_no_images(self._retired[-1].vision_note)
            self._generation += 1
            self.restarts += 1
            return True

    async def aclose(self) -> None:
        """Close the clients; stop the server if this backend started it."""
        for client in (*self._retired, self.client):
            await client.aclose()
        self.server.stop()
