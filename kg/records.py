"""Typed records: the contract between stages.

Every stage reads and writes these and nothing else (no raw dicts cross a stage
boundary). Ids are derived from content or from source ids (see :mod:`kg.ids`),
so re-running a stage gives the same ids.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kg.ids import content_id, normalize_intention, normalize_text, pair_id

__all__ = [
    "CoBuy",
    "Concept",
    "ConceptLink",
    "ImageDescription",
    "ImageRef",
    "Intention",
    "IntentionAssertion",
    "KeyInfo",
    "MergeRecord",
    "Post",
    "Product",
    "Record",
    "SubjectKind",
]

SubjectKind = Literal["post", "cobuy"]


class Record(BaseModel):
    """Base of all records: unknown fields are an error, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ImageRef(Record):
    """An image of a post or a product.

    Attributes:
        uri: where the source says the image is (URL or path, never rewritten).
        local_path: a readable local file once resolved or downloaded.
        sha256: content hash of the bytes once read.
        status: ``"ok"``, ``"missing"``, ``"broken"``, ``"not_downloaded"``.
    """

    uri: str
    local_path: str | None = None
    sha256: str | None = None
    status: str = "not_downloaded"

    @property
    def id(self) -> str:
        """Image id: the content hash when known, else a hash of the uri."""
        return f"image:{self.sha256}" if self.sha256 else content_id("image", self.uri)


class Post(Record):
    """A social-media post (tweet, MMSD item, ...).

    Attributes:
        id: ``"<source>:<source id>"``; source ids are kept as strings (ids over 2**53).
        source: dataset or API the post came from (``twitter_v1``, ``mmsd``...).
        text: the raw text as found.
        clean_text: text after cleaning (entities, URLs, mentions, hashtags segmented).
        lang: ISO 639-1 code (``"en"``) or ``None``: the source's own tag when it is
            ISO 639-1 (a tweet's ``lang``; ``"und"`` does not count), else detected
            from the post's cleaned text; ``None`` when the text is too short, only
            emoji or links, or detection is not confident (see :mod:`ingest.lang`).
    """

    id: str
    source: str
    source_id: str
    text: str
    clean_text: str
    lang: str | None = None
    created_at: str | None = None
    author: str | None = None
    hashtags: list[str] = Field(default_factory=list)
    images: list[ImageRef] = Field(default_factory=list)
    label: str | None = None

    @staticmethod
    def make_id(source: str, source_id: str) -> str:
        """The id of the post ``source_id`` from ``source``."""
        return f"{source}:{source_id}"


class Product(Record):
    """A product from Amazon metadata, SNAP or FolkScope files. ``id`` is the ASIN."""

    id: str
    title: str | None = None
    category: str | None = None
    categories: list[str] = Field(default_factory=list)
    brand: str | None = None
    price: float | None = None
    description: str | None = None
    features: list[str] = Field(default_factory=list)
    images: list[ImageRef] = Field(default_factory=list)
    source: str = "amazon"


class CoBuy(Record):
    """An unordered pair of products bought together; ``product_a < product_b``."""

    id: str
    product_a: str
    product_b: str
    source: str = "amazon"
    category: str | None = None

    @classmethod
    def of(cls, a: str, b: str, *, source: str = "amazon", category: str | None = None) -> CoBuy:
        """Build the pair with its canonical order and id."""
        first, second = sorted((a, b))
        return cls(id=pair_id(first, second), product_a=first, product_b=second,
                   source=source, category=category)


class ImageDescription(Record):
    """What a vision-LLM said about an image (MIKO) or a product (MIND)."""

    subject_id: str
    image_id: str | None
    description: str
    model: str
    prompt_version: str


class KeyInfo(Record):
    """MIKO's key information of a post.

    ``subject_id`` is the post id; ``model`` and ``prompt_version`` record provenance.
    """

    subject_id: str = ""
    model: str = ""
    prompt_version: str = ""
    concept: str = ""
    action: str = ""
    object: str = ""
    emotion: str = ""
    keywords: list[str] = Field(default_factory=list)


class IntentionAssertion(Record):
    """One distilled intention: ``subject -[relation]-> text``.

    Attributes:
        id: hash of (subject, relation, normalized text).
        subject_id: a Post id or a CoBuy id.
        relation: canonical relation id from :mod:`kg.relations`.
        text: the short canonical intention phrase (no template, no boilerplate).
        raw_text: exactly what the model wrote for this field.
        rationale: the model's explanation, kept apart from ``text``.
        filter_score: role-aware filter probability of "yes" (MIND), when run.
        keep: the filter's decision (True when no filter was run).
    """

    id: str
    subject_id: str
    subject_kind: SubjectKind
    relation: str
    text: str
    raw_text: str
    rationale: str = ""
    plausibility: float | None = None
    typicality: float | None = None
    filter_score: float | None = None
    filter_reason: str = ""
    keep: bool = True
    model: str
    prompt_version: str
    image_description: str | None = None
    intention_id: str | None = None

    @staticmethod
    def make_id(subject_id: str, relation: str, text: str) -> str:
        """Id of the assertion of ``text`` about ``subject_id`` under ``relation``."""
        return content_id("assertion", subject_id, relation, normalize_text(text))


class Intention(Record):
    """A canonical intention node: one cluster of near-duplicate phrases.

    ``abstract`` marks an abstract intention ("drink beverages"), the target
    of INSTANCE_OF links from the intentions it generalizes; its ``support`` is
    its number of instances when the build made it.
    """

    id: str
    text: str
    aliases: list[str] = Field(default_factory=list)
    support: int = 1
    embedding: list[float] | None = None
    abstract: bool = False

    @staticmethod
    def make_id(text: str) -> str:
        """Id of the canonical intention whose text is ``text``.

        ``text`` goes through the one intention normaliser
        (:func:`kg.ids.normalize_intention`, idempotent), so "To keep
        warm." names the node the build made for "keep warm".
        """
        return content_id("intention", normalize_intention(text))


class MergeRecord(Record):
    """One member merged into a canonical intention (the merge log), with its evidence.

    ``stage`` says what decided the merge (``"rules"``: the parse-and-WordNet
    pair decision of :mod:`kg.canon.decide`; ``"cosine"``: the similarity
    threshold alone), ``rule`` which rule fired (``identical``, ``lemmas``,
    ``synonyms``, ``light``; ``model`` where the rules left the pair unmatched and
    the model's second opinion merged it; ``threshold`` on the cosine stage) and
    ``detail`` the words behind it (the synonym pairs used, the light words ignored,
    the model's P(same)).
    """

    canonical_id: str
    canonical_text: str
    member_text: str
    similarity: float
    threshold: float
    model: str
    stage: str = "cosine"
    rule: str = "threshold"
    detail: str = ""


class Concept(Record):
    """A hypernym concept node (WordNet synset or Probase concept)."""

    id: str
    name: str
    source: Literal["wordnet", "probase"]
    synset: str | None = None
    gloss: str | None = None

    @staticmethod
    def make_id(source: str, key: str) -> str:
        """Id of concept ``key`` (synset name or concept string) from ``source``."""
        return content_id("concept", source, key)


class ConceptLink(Record):
    """Intention -[ABOUT {score}]-> Concept, Concept -[IS_A]-> Concept, or
    Intention -[INSTANCE_OF]-> abstract Intention (kind says which)."""

    kind: Literal["about", "is_a", "instance_of"]
    source_id: str
    target_id: str
    score: float = 1.0
