"""The local model's files: build flags, GGUF checks, pins, state directories (no server)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from distill.local_model import (
    SMOLLM2_135M,
    check_gguf,
    cmake_flags,
    ensure_binary,
    file_sha256,
    gguf_metadata,
)
from distill.local_server import server_state, state_dir_for, stop_local_server
from kg.errors import ConfigError


def _gguf(path: Path, kv: dict[str, str]) -> None:
    def s(text: str) -> bytes:
        data = text.encode()
        return struct.pack("<Q", len(data)) + data

    body = struct.pack("<IQQ", 3, 0, len(kv) + 1)
    body += s("general.alignment") + struct.pack("<II", 4, 32)  # a uint32 to skip
    for key, value in kv.items():
        body += s(key) + struct.pack("<I", 8) + s(value)
    path.write_bytes(b"GGUF" + body)


def test_build_flags_are_portable_and_download_nothing() -> None:
    flags = cmake_flags()
    for flag in ("-DGGML_NATIVE=OFF", "-DGGML_AVX512=OFF", "-DGGML_AMX_TILE=OFF",
                 "-DGGML_AMX_INT8=OFF", "-DLLAMA_USE_PREBUILT_UI=OFF", "-DLLAMA_OPENSSL=OFF"):
        assert flag in flags
    assert not any("NATIVE=ON" in f or ("AMX" in f and f.endswith("=ON")) for f in flags)


def test_missing_binary_without_build_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="make llama-server"):
        ensure_binary(tmp_path, build=False)


def test_gguf_header_checks(tmp_path: Path) -> None:
    good = tmp_path / "m.gguf"
    _gguf(good, {"general.architecture": "llama", "general.name": "Tiny"})
    check_gguf(good)
    assert gguf_metadata(good) == {"general.architecture": "llama", "general.name": "Tiny"}
    bad = tmp_path / "m.bin"
    bad.write_bytes(b"PK\x03\x04 not weights")
    with pytest.raises(ConfigError, match="not a GGUF file"):
        check_gguf(bad)
    with pytest.raises(ConfigError, match="not readable"):
        check_gguf(tmp_path / "absent.gguf")


def test_one_state_dir_per_model_file_and_none_running(tmp_path: Path) -> None:
    a, b = tmp_path / "a.gguf", tmp_path / "b.gguf"
    assert state_dir_for(a, "m", tmp_path) == state_dir_for(a, "m", tmp_path)
    assert state_dir_for(a, "m", tmp_path) != state_dir_for(b, "m", tmp_path)
    state = state_dir_for(a, "m", tmp_path)
    assert server_state(state) is None and stop_local_server(state) is False


def test_pinned_weights_are_what_their_package_says() -> None:
    path = Path.home() / ".cache" / "intentkg" / "models" / SMOLLM2_135M.filename
    if not path.is_file():
        pytest.skip(f"{path} not fetched: run `make setup`")
    assert file_sha256(path) == SMOLLM2_135M.sha256
    meta = gguf_metadata(path, ("general.architecture", "general.organization",
                                "general.basename", "general.size_label"))
    assert meta == {"general.architecture": "llama", "general.organization": "HuggingFaceTB",
                    "general.basename": "smollm2", "general.size_label": "135M"}
