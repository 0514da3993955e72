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


class LLMSettings(_Section):
    """Model backend for distillation.

    ``concurrency`` is the most requests in flight; against a vLLM server set it
    a little above the server's ``max_num_seqs`` (e.g. 1.25x) so a queue waits
    there and no batch slot idles while the client handles an answer
    (``bench/bench_distill.py`` measures both).
    """

    backend: Literal["openai", "replay", "vllm", "transformers"] = "replay"
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


class EmbedSettings(_Section):
    """Sentence embeddings used for canonicalization and vector search."""

    model: str = "all-MiniLM-L6-v2"
    batch_size: int = 256
    device: str = "cpu"


class CanonSettings(_Section):
    """Merging of intentions that mean the same (kg.canon).

    Attributes:
        decision: ``"rules"``: embeddings propose candidate pairs (cosine >=
            ``threshold``) and the parse-and-WordNet pair decision of
            kg.canon.decide accepts or rejects each; ``"cosine"``: the cosine
            threshold alone decides (the old behaviour, for comparison).
        threshold: cosine floor of a candidate pair (with ``"rules"``) or of a
            merge (with ``"cosine"``).
        wordnet_senses: senses per word searched for a shared synset.
        exact_limit: above this many distinct phrases, neighbours come from HNSW.
    """

    decision: Literal["rules", "cosine"] = "rules"
    threshold: float = Field(default=0.55, ge=0.0, le=1.0)
    wordnet_senses: int = Field(default=3, ge=1)
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
        from kg.workdir import WorkDir

        return self.falkordb.data_dir or WorkDir(self.workdir).falkordb


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
