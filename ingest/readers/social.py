"""Research datasets of posts: MMSD, MMSD2.0, Twitter-2015/2017 (NER and TomBERT), MIKO-style.

Image ids become relative image uris (``<id>.jpg``), resolved later against
``--image-dir`` (or the input file's folder); the datasets ship no images.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.readers._common import image_refs, make_post, problem
from ingest.registry import ReadOptions, register_reader
from ingest.report import Item, Reason
from ingest.textio import iter_json_array, iter_lines, loads_json_or_literal, open_text

__all__ = [
    "read_mmsd",
    "read_mmsd2",
    "read_twitter_mner",
    "read_twitter_tombert_tsv",
    "read_twitter_tombert_txt",
]


@register_reader("mmsd.v1", description="MMSD sarcasm lines ['id', 'text', label(, label)]",
                 sniff=lambda head, path: bool(re.match(r"\s*\[\s*'\d+',\s*[\"']", head)))
def read_mmsd(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """Posts from MMSD ``train.txt`` / ``test2.txt`` / ``valid2.txt`` (Python-literal lines).

    ``label`` is the sarcasm label (third field). ``extract_all`` lines (image
    attribute words) are skipped as ``not_a_record``.
    """
    for number, line in iter_lines(path):
        try:
            fields = loads_json_or_literal(line)
        except ValueError as exc:
            yield problem(path, number, Reason.MALFORMED, str(exc))
            continue
        if not isinstance(fields, list | tuple) or len(fields) not in (3, 4) or not all(
                isinstance(f, int) for f in fields[2:]):
            yield problem(path, number, Reason.NOT_A_RECORD,
                          "expected ['id', 'text', label] or ['id', 'text', label, label]")
            continue
        sid = str(fields[0])
        yield make_post(path, number, source="mmsd", source_id=sid, text=fields[1],
                        label=str(fields[2]), images=image_refs([f"{sid}.jpg"]))


@register_reader("mmsd2.v1", description="MMSD2.0 JSON array of {image_id, text, label}",
                 sniff=lambda head, path: bool(re.match(r'\s*\[\s*\{\s*"image_id"', head)))
def read_mmsd2(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """Posts from an MMSD2.0 array; ``image_id`` (> 2**53) is kept as its exact digits."""
    for number, obj in iter_json_array(path, big_ints_as_str=True):
        if isinstance(obj, ValueError):
            yield problem(path, number, Reason.MALFORMED, str(obj))
        elif not isinstance(obj, dict):
            yield problem(path, number, Reason.NOT_A_RECORD, "expected an object")
        else:
            sid = obj.get("image_id")
            label = obj.get("label")
            yield make_post(path, number, source="mmsd2", source_id=sid, text=obj.get("text"),
                            label=None if label is None else str(label),
                            images=image_refs([f"{sid}.jpg"] if sid is not None else []))


def _detokenize(tokens: list[str]) -> str:
    text = " ".join(t for t in tokens if t not in ("\ufe0f", "\u200d"))
    text = re.sub(r" ([,.!?:;)'’]|n't|'s|'re|'m|'ll|'ve|'d)(?=\s|$)", r"\1", text)
    return re.sub(r"(^|\s)([#@]) (?=\w)", r"\1\2", text)


def _entities(tokens: list[str], tags: list[str]) -> str | None:
    spans: list[tuple[str, list[str]]] = []
    for token, tag in zip(tokens, tags, strict=True):
        if tag.startswith("B-") or (tag.startswith("I-") and not spans):
            spans.append((tag[2:], [token]))
        elif tag.startswith("I-"):
            spans[-1][1].append(token)
    return "; ".join(f"{kind}={' '.join(words)}" for kind, words in spans) or None


@register_reader("twitter_mner.v1",
                 description="Twitter-2015/2017 multimodal NER (IMGID blocks, token<TAB>tag)",
                 sniff=lambda head, path: head.lstrip("\ufeff").startswith("IMGID:"))
def read_twitter_mner(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """Posts from a CoNLL-style multimodal NER file; tokens are joined back into text.

    ``label`` lists the entities, ``"PER=Chuck Bass; LOC=New York"``.
    """
    image: str | None = None
    tokens: list[str] = []
    tags: list[str] = []
    start = 0

    def flush() -> Item:
        return make_post(path, start, source="twitter_mner", source_id=image,
                         text=_detokenize(tokens), label=_entities(tokens, tags),
                         images=image_refs([f"{image}.jpg"]))

    for number, line in iter_lines(path):
        if line.startswith("IMGID:"):
            if image is not None:
                yield flush()
            image, tokens, tags, start = line[6:].strip(), [], [], number
        elif image is None:
            yield problem(path, number, Reason.MALFORMED, "token line before any IMGID line")
        else:
            token, _, tag = line.rpartition("\t")
            tokens.append(token if token else tag)
            tags.append(tag if token else "O")
    if image is not None:
        yield flush()


_POLARITY_TSV = {"0": "negative", "1": "neutral", "2": "positive"}
_POLARITY_TXT = {"-1": "negative", "0": "neutral", "1": "positive"}


def _tombert_posts(
    path: Path, rows: Iterator[tuple[int, str, str, str, str]], polarity: dict[str, str]
) -> Iterator[Item]:
    """Group consecutive rows of one tweet (same image and text) into one post."""
    current: tuple[str, str] | None = None
    targets: list[str] = []
    start = 0

    def flush() -> Item:
        assert current is not None
        image, text = current
        return make_post(path, start, source="twitter_tmsc", source_id=Path(image).stem,
                         text=text, label="; ".join(targets), images=image_refs([image]))

    for number, label, image, sentence, target in rows:
        key = (image, sentence.replace("$T$", target).strip())
        if key != current:
            if current is not None:
                yield flush()
            current, targets, start = key, [], number
        targets.append(f"{target}={polarity.get(label.strip(), label.strip())}")
    if current is not None:
        yield flush()


@register_reader("twitter_tombert_tsv.v1",
                 description="TomBERT target-sentiment TSV (index, label, image, $T$ text, target)",
                 sniff=lambda head, path: head.lstrip("\ufeff").startswith(
                     ("index\t#1 Label", "index\t#1 ImageID")))
def read_twitter_tombert_tsv(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """One post per tweet from a TomBERT TSV (rows repeat a tweet once per target).

    Columns are read by position (the header repeats ``#3 String``; the test split's
    header is ``index  #1 ImageID  #2 String  #2 String`` over the same five columns);
    ``label`` lists ``target=polarity`` pairs.
    """
    bad: list[Item] = []

    def rows() -> Iterator[tuple[int, str, str, str, str]]:
        with open_text(path) as fh:
            for number, cells in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE),
                                           start=1):
                if number == 1 or not cells:
                    continue
                if len(cells) < 5:
                    bad.append(problem(path, number, Reason.MALFORMED, "expected 5 columns"))
                    continue
                yield number, cells[1], cells[2], cells[3], cells[4]

    yield from _tombert_posts(path, rows(), _POLARITY_TSV)
    yield from bad


@register_reader("twitter_tombert_txt.v1",
                 description="TomBERT 4-line records (sentence, target, polarity, image)",
                 sniff=lambda head, path: bool(re.match(
                     r"[^\n]*\$T\$[^\n]*\n[^\n]+\n-?[01]\n[^\n]+\.jpg\n", head)))
def read_twitter_tombert_txt(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """One post per tweet from TomBERT's 4-line ``.txt`` records (polarity -1/0/1)."""
    def rows() -> Iterator[tuple[int, str, str, str, str]]:
        with open_text(path) as fh:
            lines = [ln.rstrip("\r\n") for ln in fh]
        for i in range(0, len(lines) - 3, 4):
            yield i + 1, lines[i + 2], lines[i + 3], lines[i], lines[i + 1]

    yield from _tombert_posts(path, rows(), _POLARITY_TXT)


def post_from_mapping(path: Path, line: int, row: dict[str, Any], source: str,
                      mapping: dict[str, str]) -> Item:
    """A post from one input row, our field names mapped to the row's columns."""
    def get(field: str) -> Any:
        value = row.get(mapping.get(field, field))
        return value if value not in ("", None) else None

    images = get("image")
    uris = images if isinstance(images, list) else [images] if images else []
    label = get("label")
    return make_post(path, line, source=source, source_id=get("id"), text=get("text"),
                     lang=get("lang"), created_at=_str(get("created_at")),
                     author=_str(get("author")), label=None if label is None else str(label),
                     images=image_refs(str(u) for u in uris))


def _str(value: Any) -> str | None:
    return None if value is None else str(value)
