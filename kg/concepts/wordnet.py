"""WordNet 3.0 from Debian's ``wordnet-base`` files, read with nltk.

Debian ships the dictionary files under ``/usr/share/wordnet`` but not the
``lexnames`` file nltk's reader insists on, nltk only opens files under its
data path, and nltk's reader maps synsets to
WordNet 3.0 for the Open Multilingual WordNet (``map_wn``), which needs nltk
data downloads. :func:`open_wordnet` copies the dictionary files into a
cache directory (added to ``nltk.data.path``), writes the standard
``lexnames`` there and opens a reader that never calls ``map_wn`` (no OMW,
English only).
"""

from __future__ import annotations

import logging
import os
import shutil
import warnings
from pathlib import Path
from typing import Any

from kg.errors import ConfigError

__all__ = ["DEFAULT_WORDNET_DIR", "LEXNAMES", "min_depth", "open_wordnet", "prepare_wordnet_dir"]

log = logging.getLogger(__name__)

DEFAULT_WORDNET_DIR = Path("/usr/share/wordnet")

LEXNAMES: tuple[tuple[str, int], ...] = (
    ("adj.all", 3), ("adj.pert", 3), ("adv.all", 4), ("noun.Tops", 1), ("noun.act", 1),
    ("noun.animal", 1), ("noun.artifact", 1), ("noun.attribute", 1), ("noun.body", 1),
    ("noun.cognition", 1), ("noun.communication", 1), ("noun.event", 1), ("noun.feeling", 1),
    ("noun.food", 1), ("noun.group", 1), ("noun.location", 1), ("noun.motive", 1),
    ("noun.object", 1), ("noun.person", 1), ("noun.phenomenon", 1), ("noun.plant", 1),
    ("noun.possession", 1), ("noun.process", 1), ("noun.quantity", 1), ("noun.relation", 1),
    ("noun.shape", 1), ("noun.state", 1), ("noun.substance", 1), ("noun.time", 1),
    ("verb.body", 2), ("verb.change", 2), ("verb.cognition", 2), ("verb.communication", 2),
    ("verb.competition", 2), ("verb.consumption", 2), ("verb.contact", 2),
    ("verb.creation", 2), ("verb.emotion", 2), ("verb.motion", 2), ("verb.perception", 2),
    ("verb.possession", 2), ("verb.social", 2), ("verb.stative", 2), ("verb.weather", 2),
    ("adj.ppl", 3),
)
"""The 45 WordNet lexicographer files in file-number order, with their syntactic category."""

_REQUIRED = ("data.noun", "index.noun", "data.verb", "index.verb")


def prepare_wordnet_dir(source: Path, cache_dir: Path) -> Path:
    """Make ``cache_dir`` a complete WordNet directory for nltk.

    Every file of ``source`` is copied (about 30 MB, once) and a ``lexnames``
    file is generated unless ``source`` has one.

    Raises:
        ConfigError: ``source`` lacks the WordNet data files.
    """
    missing = [name for name in _REQUIRED if not (source / name).is_file()]
    if missing:
        raise ConfigError(
            f"{source} is not a WordNet dictionary directory (missing {', '.join(missing)}); "
            "install Debian's wordnet-base or set concepts.wordnet_dir"
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    for item in sorted(source.iterdir()):
        if not item.is_file():
            continue
        dest = cache_dir / item.name
        if dest.is_file() and dest.stat().st_size == item.stat().st_size:
            continue
        # Copies: nltk refuses symlinks and hard links that lead outside its root.
        tmp = dest.with_name(dest.name + ".tmp")
        shutil.copyfile(item, tmp)
        os.replace(tmp, dest)
    lexnames = cache_dir / "lexnames"
    if not lexnames.exists():
        lines = "".join(f"{i:02d}\t{name}\t{cat}\n" for i, (name, cat) in enumerate(LEXNAMES))
        tmp = lexnames.with_suffix(".tmp")
        tmp.write_text(lines, encoding="ascii")
        os.replace(tmp, lexnames)
    return cache_dir


_OPEN: dict[str, Any] = {}

_MIN_DEPTH: dict[tuple[int, str], int] = {}


def min_depth(synset: Any) -> int:
    """``synset.min_depth()``, remembered: NLTK 3.10 means to cache it but its slotted
    synsets lose the value, so every call walks the hypernyms again (about 50 µs)."""
    key = (id(getattr(synset, "_wordnet_corpus_reader", None)), str(synset.name()))
    got = _MIN_DEPTH.get(key)
    if got is None:
        got = _MIN_DEPTH[key] = int(synset.min_depth())
    return got



def open_wordnet(source: Path | None, cache_dir: Path) -> Any:
    """Open WordNet with nltk's reader on a prepared copy of ``source``.

    Readers are kept per source directory for the life of the process (loading
    the indexes takes seconds); a later call with another ``cache_dir`` reuses it.

    Args:
        source: the dictionary directory (default ``/usr/share/wordnet``).
        cache_dir: a directory this project controls (links + ``lexnames``).

    Returns:
        an ``nltk.corpus.reader.wordnet.WordNetCorpusReader``.
    """
    from nltk.corpus.reader.wordnet import WordNetCorpusReader
    from nltk.data import FileSystemPathPointer

    class _EnglishOnlyReader(WordNetCorpusReader):  # type: ignore[misc]
        """nltk's reader without the OMW version mapping (which needs downloads)."""

        def map_wn(self, version: str = "wordnet") -> None:
            return None

    import nltk.data

    src = source or DEFAULT_WORDNET_DIR
    key = str(src.resolve())
    if key in _OPEN:
        return _OPEN[key]
    root = prepare_wordnet_dir(src, cache_dir)
    # nltk only opens files under a directory on its data path.
    allowed = str(root.resolve())
    if allowed not in nltk.data.path:
        nltk.data.path.append(allowed)
    with warnings.catch_warnings():
        # "multilingual functions are not available": expected, we pass no OMW reader.
        warnings.simplefilter("ignore", UserWarning)
        reader = _EnglishOnlyReader(FileSystemPathPointer(str(root)), None)
    log.debug("opened WordNet %s from %s", reader.get_version(), root)
    _OPEN[key] = reader
    return reader
