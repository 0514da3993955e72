"""Files in, typed records out: raw dumps -> :class:`~kg.records.Post`,
:class:`~kg.records.Product` and :class:`~kg.records.CoBuy` records, streamed.

Entry points: :func:`run_ingest` (the whole stage, writes the work dir),
:func:`detect_format` / :func:`get_reader` (the reader registry; each reader is a
generator ``(path, options) -> Iterator[Post | Product | CoBuy | IngestProblem]``),
the per-format ``read_*`` functions, and ``iter_posts``/``iter_products``/
``iter_cobuys`` to read the outputs back.
"""

from ingest.clean import clean_html, clean_post_text, emoji_to_names, parse_price
from ingest.images import DownloadPolicy, ImageResolver, check_image_bytes, is_public_address
from ingest.lang import detect_lang, normalize_lang, post_lang
from ingest.readback import iter_cobuys, iter_posts, iter_products, read_report
from ingest.readers.amazon import read_amazon_2014, read_amazon_2018, read_amazon_2023
from ingest.readers.folkscope import (
    read_folkscope_csv,
    read_folkscope_pairs,
    read_folkscope_products,
)
from ingest.readers.generic import read_generic, read_miko
from ingest.readers.intentionqa import read_intentionqa
from ingest.readers.snap import read_snap
from ingest.readers.social import (
    read_mmsd,
    read_mmsd2,
    read_twitter_mner,
    read_twitter_tombert_tsv,
    read_twitter_tombert_txt,
)
from ingest.readers.twitter import read_twitter_v1, read_twitter_v2
from ingest.registry import (
    ReaderSpec,
    ReadOptions,
    available_formats,
    detect_format,
    get_reader,
    register_reader,
)
from ingest.report import IngestProblem, IngestReport, Item, Reason
from ingest.run import OUTPUTS, output_paths, run_ingest
from ingest.segment import segment_hashtag

__all__ = [
    "OUTPUTS",
    "DownloadPolicy",
    "ImageResolver",
    "IngestProblem",
    "IngestReport",
    "Item",
    "ReadOptions",
    "ReaderSpec",
    "Reason",
    "available_formats",
    "check_image_bytes",
    "clean_html",
    "clean_post_text",
    "detect_format",
    "detect_lang",
    "emoji_to_names",
    "get_reader",
    "is_public_address",
    "iter_cobuys",
    "iter_posts",
    "iter_products",
    "normalize_lang",
    "output_paths",
    "parse_price",
    "post_lang",
    "read_amazon_2014",
    "read_amazon_2018",
    "read_amazon_2023",
    "read_folkscope_csv",
    "read_folkscope_pairs",
    "read_folkscope_products",
    "read_generic",
    "read_intentionqa",
    "read_miko",
    "read_mmsd",
    "read_mmsd2",
    "read_report",
    "read_snap",
    "read_twitter_mner",
    "read_twitter_tombert_tsv",
    "read_twitter_tombert_txt",
    "read_twitter_v1",
    "read_twitter_v2",
    "register_reader",
    "run_ingest",
    "segment_hashtag",
]
