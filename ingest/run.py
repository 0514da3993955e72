"""``run_ingest``: readers -> de-duplicated, resolved records -> Parquet in the work dir.

Output: ``<workdir>/ingest/{posts,products,cobuys}.parquet`` and ``report.json``.

Idempotence and merging (the contract): records are keyed by ``id``. Within one
run the first record with an id wins and later ones are counted as
``duplicate``. The run's records then *replace* the records with the same id in
the existing files; existing records with other ids are kept. So re-ingesting the
same input gives the same files, and ingesting several inputs one after another
into one work dir accumulates them.

Co-buys: self-pairs are dropped (``self_pair``), symmetric duplicates collapse
(the id is the sorted pair's hash), pairs naming a product with no metadata (in
this run or in the existing ``products.parquet``) are counted and kept unless
``keep_unknown_pairs=False``; ``sample_per_category=k`` keeps the k pairs per
category with the smallest ``blake2b(seed, id)``, so the sample does not depend
on input order.

Records are streamed: each type is spooled to a JSON-lines file under
``ingest/.spool`` while reading; only the id sets stay in memory. The spool is
removed however the run ends (error, Ctrl-C).

Broken input never stops a run: a bad record is a ``file:line: reason`` problem,
skipped and counted; a file that cannot be read at all (missing, a directory, an
unknown format, a reviews file) is listed in ``unreadable_files`` and the other
files are read; a file that breaks part way (truncated or corrupt compression) keeps
the records before the break and is listed in ``incomplete_files``. Only when no
record at all could be read does the run raise.
"""

from __future__ import annotations

import hashlib
import heapq
import logging
import shutil
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TypeVar

from ingest.images import DownloadPolicy, ImageResolver, load_image_map
from ingest.registry import ReaderSpec, ReadOptions, detect_format, get_reader, refuse_known
from ingest.report import IngestProblem, IngestReport, Item, Reason, collecting_notes, printable
from kg.errors import IngestError
from kg.io import iter_records, write_records
from kg.records import CoBuy, ImageRef, Post, Product, Record
from kg.reports import NoProgress, Progress
from kg.workdir import WorkDir

__all__ = ["OUTPUTS", "output_paths", "run_ingest"]

log = logging.getLogger(__name__)

OUTPUTS: dict[str, type[Record]] = {"posts": Post, "products": Product, "cobuys": CoBuy}
"""Output name -> record type."""

R = TypeVar("R", bound=Record)
_NAMES: dict[type[Record], str] = {cls: name for name, cls in OUTPUTS.items()}
_PROGRESS_EVERY = 1000
"""Items read between two progress reports (a report per item would cost more than the item)."""


def output_paths(workdir: Path) -> dict[str, Path]:
    """``{"posts": <workdir>/ingest/posts.parquet, ...}`` (from :class:`kg.workdir.WorkDir`)."""
    wd = WorkDir(workdir)
    return {name: wd.ingest(name) for name in OUTPUTS}


def _resolve_images(rec: Post | Product, resolver: ImageResolver, base: Path,
                    report: IngestReport) -> Post | Product:
    if not rec.images:
        return rec
    images: list[ImageRef] = []
    for ref in rec.images:
        done = resolver.resolve(ref, base)
        report.images[done.status] = report.images.get(done.status, 0) + 1
        images.append(done)
    return rec.model_copy(update={"images": images})


def _sample_key(seed: int, rec_id: str) -> bytes:
    return hashlib.blake2b(f"{seed}\x1f{rec_id}".encode(), digest_size=8).digest()


def run_ingest(
    fmt: str,
    paths: list[Path],
    workdir: Path,
    *,
    mapping: dict[str, str] | None = None,
    source: str | None = None,
    image_dir: Path | None = None,
    image_map: Path | None = None,
    download_images: bool = False,
    download_policy: DownloadPolicy | None = None,
    keep_unknown_pairs: bool = True,
    sample_per_category: int | None = None,
    seed: int = 0,
    max_problem_lines: int = 20,
    progress: Progress | None = None,
) -> IngestReport:
    """Read ``paths`` with the reader ``fmt`` (or ``"auto"``) into ``<workdir>/ingest/``.

    Args:
        fmt: a format name (``"amazon2018"``, ``"mmsd.v1"``...) or ``"auto"`` to detect
            each file's format.
        paths: input files (plain or ``.gz``).
        workdir: the work directory; outputs go to ``<workdir>/ingest/``.
        mapping: column mapping for the ``generic`` reader.
        source: ``source`` written on ``generic`` posts.
        image_dir: folder for relative image paths; default: each input's folder.
        image_map: JSON object mapping image uris to local files (relative to the map's
            folder), consulted first; lets a dump's images be used offline.
        download_images: fetch http(s) images into ``<workdir>/images`` (bounded).
        download_policy: bounds for downloads.
        keep_unknown_pairs: keep co-buys naming a product without metadata.
        sample_per_category: keep at most this many co-buys per category.
        seed: seed of the co-buy sample.
        max_problem_lines: how many ``file:line: reason`` lines the report keeps.
        progress: told the items read (the CLI draws a bar); ``None`` shows nothing.

    Returns:
        The run's :class:`IngestReport` (also written to ``ingest/report.json``).

    Raises:
        IngestError: ``fmt`` is unknown, or no record at all could be read from the
            inputs (the message lists the files that could not be read).
    """
    wd = WorkDir(workdir)
    named = None if fmt == "auto" else get_reader(fmt)
    resolver = ImageResolver(wd.images, image_dir=image_dir, download=download_images,
                             policy=download_policy,
                             image_map=load_image_map(image_map) if image_map else None)
    bar = progress if progress is not None else NoProgress()
    report = IngestReport()
    started = report.start_clock()
    try:
        wd.stage("ingest").mkdir(mode=0o700, parents=True, exist_ok=True)  # private, any umask
        wd.spool.mkdir(mode=0o700, exist_ok=True)
        bar.stage("ingest")
        spool = _Spool(wd.spool, report, resolver, keep=max_problem_lines, progress=bar)
        with collecting_notes(report):
            spool.read_all(paths, named, ReadOptions(mapping=dict(mapping or {}), source=source))
        if not any(report.read.values()):
            _finish(report, started, workdir)
            raise IngestError(_nothing_read(paths, fmt, report))
        _write_outputs(wd, spool.seen, report, keep_unknown_pairs=keep_unknown_pairs,
                       sample_per_category=sample_per_category, seed=seed)
    finally:
        shutil.rmtree(wd.spool, ignore_errors=True)
        bar.close()
    _finish(report, started, workdir)
    return report


def _finish(report: IngestReport, started: float, workdir: Path) -> None:
    report.stop_clock(started)
    report.write(workdir)


def _nothing_read(paths: list[Path], fmt: str, report: IngestReport) -> str:
    where = ", ".join(printable(str(p), 200) for p in paths[:5]) + (
        f" and {len(paths) - 5} more" if len(paths) > 5 else "")
    why = [*report.unreadable_files, *report.incomplete_files, *report.problems][:3]
    detail = "; ".join(why)
    hint = "" if report.unreadable_files else (
        "; check the format name (intentkg ingest --help lists them)")
    return f"no record could be read from {where} as {fmt}" + (
        f": {detail}" if detail else "") + hint


def _spec_for(path: Path, named: ReaderSpec | None) -> ReaderSpec:
    """The reader of ``path``, or IngestError saying why the file cannot be read."""
    if path.is_dir():
        raise IngestError("is a directory, not a file; give the files inside it "
                          "(for example dir/*.jsonl)", path=str(path))
    if not path.exists():
        raise IngestError("input file not found; check the path", path=str(path))
    refuse_known(path)
    return named if named is not None else detect_format(path)


class _Spool:
    """Reads inputs into one JSON-lines spool file per output; keeps only the ids seen."""

    def __init__(self, directory: Path, report: IngestReport, resolver: ImageResolver, *,
                 keep: int, progress: Progress) -> None:
        self.directory = directory
        self.report = report
        self.resolver = resolver
        self.keep = keep
        self.progress = progress
        self.seen: dict[str, set[str]] = {name: set() for name in OUTPUTS}
        self.counts = dict.fromkeys(OUTPUTS, 0)
        self._pending = 0

    def read_all(self, paths: list[Path], named: ReaderSpec | None,
                 options: ReadOptions) -> None:
        """Read every input; a file that cannot be read is listed and the rest is read."""
        with ExitStack() as stack:
            stack.enter_context(self.resolver)
            files: dict[str, IO[str]] = {
                name: stack.enter_context(_spool_file(self.directory, name).open(
                    "w", encoding="utf-8"))
                for name in OUTPUTS}
            for path in paths:
                try:
                    spec = _spec_for(path, named)
                except IngestError as exc:
                    self.report.unreadable_files.append(printable(str(exc), 600))
                    continue
                self.report.format[str(path)] = spec.name
                log.info("reading %s as %s", path, spec.name)
                self._read_file(path, spec.read(path, options), files)
            if self._pending:
                self.progress.advance(self._pending)
        self.report.read = self.counts
        room = max(0, self.keep - len(self.report.problems))
        self.report.problems.extend(printable(f, 600) for f in self.resolver.failures[:room])

    def _read_file(self, path: Path, items: Iterator[Item], files: dict[str, IO[str]]) -> None:
        """Spool ``path``'s items; a reader that breaks keeps what it read before."""
        before = sum(self.counts.values())
        while True:
            try:
                item = next(items)
            except StopIteration:
                return
            except Exception as exc:  # any input: a line in the report, never a traceback
                self._broken(path, exc, sum(self.counts.values()) - before)
                return
            self._tick()
            line = self._accept(item, path)
            if line is not None:
                files[line[0]].write(line[1] + "\n")

    def _broken(self, path: Path, exc: Exception, got: int) -> None:
        why = exc.reason if isinstance(exc, IngestError) else (
            f"the reader stopped ({type(exc).__name__}: {exc})")
        log.debug("reading %s stopped", path, exc_info=True)
        entry = f"{path}: {why}; kept the {got} records read before the break"
        (self.report.incomplete_files if got else self.report.unreadable_files).append(
            printable(entry, 600))

    def _tick(self) -> None:
        self._pending += 1
        if self._pending >= _PROGRESS_EVERY:
            self.progress.advance(self._pending)
            self._pending = 0

    def _accept(self, item: Item, path: Path) -> tuple[str, str] | None:
        """``(output name, JSON line)`` of a record to keep, ``None`` when it is skipped."""
        report = self.report
        if isinstance(item, IngestProblem):
            report.add_problem(item, keep=self.keep)
            return None
        name = _NAMES[type(item)]
        self.counts[name] += 1
        if isinstance(item, CoBuy) and item.product_a == item.product_b:
            report.skip(Reason.SELF_PAIR)
            return None
        if item.id in self.seen[name]:
            report.skip(f"{Reason.DUPLICATE}_{name}")
            return None
        if isinstance(item, Post | Product):
            item = _resolve_images(item, self.resolver, path.parent, report)
        try:
            line = item.model_dump_json()
        except ValueError:  # a reader that skipped check_text: still one record only
            self.counts[name] -= 1
            report.add_problem(IngestProblem(str(path), 0, Reason.LONE_SURROGATE,
                                             f"{name[:-1]} with text that is not valid UTF-8"),
                               keep=self.keep)
            return None
        self.seen[name].add(item.id)
        return name, line


def _write_outputs(wd: WorkDir, seen: dict[str, set[str]], report: IngestReport, *,
                   keep_unknown_pairs: bool, sample_per_category: int | None,
                   seed: int) -> None:
    """Merge the spooled records into the output files (new ones replace same ids)."""
    outputs = output_paths(wd.root)
    known_products = seen["products"] | {p.id for p in iter_records(outputs["products"], Product)}
    streams: dict[str, Iterable[Record]] = {
        "posts": _spooled(_spool_file(wd.spool, "posts"), Post),
        "products": _spooled(_spool_file(wd.spool, "products"), Product),
        "cobuys": _filter_cobuys(
            _spooled(_spool_file(wd.spool, "cobuys"), CoBuy), known_products, report,
            keep_unknown=keep_unknown_pairs, sample=sample_per_category, seed=seed),
    }
    for name, cls in OUTPUTS.items():
        written = [0]
        if seen[name]:
            merged = _merge(streams[name], outputs[name], cls, written)
            report.total[name] = write_records(outputs[name], merged)
        else:
            report.total[name] = sum(1 for _ in iter_records(outputs[name], cls))
        report.written[name] = written[0]
        if outputs[name].exists():
            report.outputs[name] = str(outputs[name])


def _spool_file(directory: Path, name: str) -> Path:
    return directory / f"{name}.jsonl"


def _spooled(path: Path, cls: type[R]) -> Iterator[R]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            yield cls.model_validate_json(line)


def _merge(new: Iterable[Record], existing: Path, cls: type[Record],
           written: list[int]) -> Iterator[Record]:
    """New records, then the existing ones whose id the new ones do not replace."""
    ids: set[str] = set()
    for rec in new:
        ids.add(getattr(rec, "id"))  # noqa: B009 - every output record has an id
        written[0] += 1
        yield rec
    for old in iter_records(existing, cls):
        if getattr(old, "id") not in ids:  # noqa: B009
            yield old


def _filter_cobuys(
    cobuys: Iterator[CoBuy], known: set[str], report: IngestReport, *,
    keep_unknown: bool, sample: int | None, seed: int,
) -> Iterator[CoBuy]:
    heaps: dict[str, list[tuple[bytes, str, CoBuy]]] = {}
    for pair in cobuys:
        if pair.product_a not in known or pair.product_b not in known:
            report.unknown_product_pairs += 1
            if not keep_unknown:
                report.skip(Reason.UNKNOWN_PRODUCT)
                continue
        if sample is None:
            yield pair
            continue
        heap = heaps.setdefault(pair.category or "", [])
        # max-heap on the key via negated bytes: keep the `sample` smallest keys
        entry = (bytes(255 - b for b in _sample_key(seed, pair.id)), pair.id, pair)
        if len(heap) < sample:
            heapq.heappush(heap, entry)
        else:
            dropped = heapq.heappushpop(heap, entry)
            del dropped
            report.skip(Reason.SAMPLED_OUT)
    for category in sorted(heaps):
        yield from (e[2] for e in sorted(heaps[category], key=lambda e: e[1]))
