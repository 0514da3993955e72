"""Record ``replay.jsonl`` (the offline demo's model) from ``answers.jsonl`` and check it.

Steps, all in a temporary work dir:

1. ingest ``raw/*`` (images: ``images/`` for MMSD's relative names, and
   ``images/index.json`` to map the raw files' URLs to the bundled files, the way
   the demo's ``--image-map`` does);
2. ``distill.replay_tools.build_replay`` answers every model request from
   ``answers.jsonl`` and records it into ``replay.jsonl``;
3. a normal distill run with ``llm.backend = "replay"`` must then make zero
   misses, and every post and co-buy pair must get assertions.

The replay file is tied to the model name and relations in the settings used here
(the defaults): run the demo with the same ones.

Run: ``.venv/bin/python examples/demo/make_replay.py``
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from distill.replay_tools import build_replay
from distill.run import run_distill
from ingest.run import run_ingest
from kg.io import read_records
from kg.records import IntentionAssertion
from kg.settings import Settings

HERE = Path(__file__).resolve().parent
RAW_FILES = ("tweets_v1.jsonl", "tweets_v2.jsonl", "mmsd.txt", "meta_Demo.json")


def ingest_example(workdir: Path) -> None:
    """Ingest the example's raw files into ``workdir`` with every image resolved locally."""
    run_ingest("auto", [HERE / "raw" / f for f in RAW_FILES], workdir,
               image_map=HERE / "images" / "index.json")


def main() -> int:
    """Build and check the replay file; non-zero exit on any miss."""
    settings = Settings()
    out = HERE / "replay.jsonl"
    with tempfile.TemporaryDirectory(prefix="intentkg-demo-") as tmp:
        workdir = Path(tmp)
        ingest_example(workdir)
        build = build_replay(workdir, settings, HERE / "answers.jsonl", out)
        print(f"recorded {out} ({out.stat().st_size // 1024} KB): "
              f"{ {k: v.calls for k, v in build.stages.items()} }")
        replay = settings.model_copy(update={"llm": settings.llm.model_copy(
            update={"backend": "replay", "replay_file": out})})
        report = run_distill(workdir, replay)
        assertions = read_records(workdir / "distill" / "assertions.parquet",
                                  IntentionAssertion)
    subjects = {a.subject_id for a in assertions}
    kept = sum(a.keep for a in assertions)
    print(f"replayed: {report.calls} calls, {len(report.failures)} failures, "
          f"{len(assertions)} assertions ({kept} kept) on {len(subjects)} subjects")
    for failure in report.failures:
        print(f"  FAIL {failure.stage} {failure.subject}: {failure.reason}", file=sys.stderr)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
