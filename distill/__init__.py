"""Distillation: everything that calls an LLM or a vision-LLM.

MIKO over posts (image description, key information, intentions per ATOMIC
relation) and MIND over co-buy pairs (product descriptions, intentions per
FolkScope relation, role-aware filter), behind one backend protocol, with every
call cached in SQLite.
"""

from __future__ import annotations

from distill.backends import (
    Backend,
    ChatRequest,
    ChatResponse,
    OpenAIBackend,
    RecordingBackend,
    ReplayBackend,
    make_backend,
)
from distill.cache import LLMCache
from distill.report import DistillReport, Failure
from distill.run import arun_distill, run_distill

__all__ = [
    "Backend",
    "ChatRequest",
    "ChatResponse",
    "DistillReport",
    "Failure",
    "LLMCache",
    "OpenAIBackend",
    "RecordingBackend",
    "ReplayBackend",
    "arun_distill",
    "make_backend",
    "run_distill",
]
