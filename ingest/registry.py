"""The reader registry: versioned format names, lookup and format detection.

Each reader is a generator function ``(path, options) -> Iterator[Item]`` registered
under a versioned name such as ``"amazon2018.v1"``; the bare name (``"amazon2018"``)
means the latest version. ``detect_format`` sniffs the first few KB of a file and
asks each reader's ``sniff`` function, in registration order, whether it is its format.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest.report import Item
from kg.errors import IngestError

__all__ = [
    "ReadOptions",
    "Reader",
    "ReaderSpec",
    "available_formats",
    "detect_format",
    "get_reader",
    "refuse_known",
    "register_reader",
]


@dataclass(frozen=True)
class ReadOptions:
    """Options a reader may use.

    Attributes:
        mapping: for the ``generic`` reader, our field -> the input's column
            (``{"id": "tweet_id", "text": "body", "image": "img_path"}``).
        source: overrides the ``source`` written on records (``generic`` only).
    """

    mapping: dict[str, str] = field(default_factory=dict)
    source: str | None = None


Reader = Callable[[Path, ReadOptions], Iterator[Item]]
Sniffer = Callable[[str, Path], bool]


@dataclass(frozen=True)
class ReaderSpec:
    """A registered reader.

    Attributes:
        name: versioned name, ``"<format>.v<N>"``.
        read: the generator function.
        sniff: ``(head_text, path) -> bool``; ``None`` when the format is never auto-detected.
        description: one line for ``--help`` and error messages.
    """

    name: str
    read: Reader
    sniff: Sniffer | None
    description: str

    @property
    def format(self) -> str:
        """The name without its version."""
        return self.name.rsplit(".v", 1)[0]


_REGISTRY: dict[str, ReaderSpec] = {}


def register_reader(
    name: str, *, description: str, sniff: Sniffer | None = None
) -> Callable[[Reader], Reader]:
    """Decorator registering a reader under the versioned ``name`` (``"mmsd.v1"``)."""
    if ".v" not in name:
        raise ValueError(f"reader name {name!r} needs a version suffix like '.v1'")

    def decorate(fn: Reader) -> Reader:
        _REGISTRY[name] = ReaderSpec(name, fn, sniff, description)
        return fn

    return decorate


def _load() -> None:
    import ingest.readers  # noqa: F401  (registers the built-in readers)


def available_formats() -> dict[str, ReaderSpec]:
    """Every registered reader, by versioned name."""
    _load()
    return dict(_REGISTRY)


def get_reader(name: str) -> ReaderSpec:
    """The reader registered as ``name``; a bare format name gives its latest version.

    Raises:
        IngestError: no such format; the message lists the known ones.
    """
    specs = available_formats()
    if name in specs:
        return specs[name]
    versions = sorted((s for s in specs.values() if s.format == name),
                      key=lambda s: int(s.name.rsplit(".v", 1)[1]))
    if versions:
        return versions[-1]
    known = ", ".join(sorted({s.format for s in specs.values()}))
    raise IngestError(f"unknown input format {name!r}; use one of: auto, {known}")


_REVIEWS = re.compile(r"""["']reviewerID["']\s*:|["']user_id["']\s*:.*["']helpful_vote["']""")
_REVIEW_TEXT = re.compile(r"""["'](overall|reviewText|rating|text)["']\s*:""")


def refuse_known(path: Path) -> None:
    """Refuse files that look like an input but are not one (Amazon reviews files).

    Raises:
        IngestError: what the file is and which file to give instead.
    """
    from ingest.textio import peek_text

    head = peek_text(path, 4096)
    first = head.lstrip("\ufeff \t\r\n[").split("\n", 1)[0]
    if _REVIEWS.search(first) and _REVIEW_TEXT.search(first):
        raise IngestError(
            "this is an Amazon reviews file (reviewerID/user_id, asin, overall/rating, "
            "reviewText/text): it holds customer reviews, not product metadata; ingest the "
            "category's metadata file (meta_<Category>.json(l).gz) instead", path=str(path))


def detect_format(path: Path) -> ReaderSpec:
    """Guess the reader for ``path`` from its first few KB (gzip is looked through).

    Raises:
        IngestError: no reader recognises the file; the message says how to name the format.
    """
    from ingest.textio import peek_text

    head = peek_text(path)
    for spec in available_formats().values():
        if spec.sniff is not None and spec.sniff(head, path):
            return spec
    raise IngestError("could not detect the input format; name it explicitly "
                      "(intentkg ingest <format> ...), see intentkg ingest --help",
                      path=str(path))
