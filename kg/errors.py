"""One error hierarchy for the whole project.

Every error names the input it is about (file, line, record id) and, where there
is one, the fix. The CLI turns any :class:`IntentKGError` into one clear line
and a non-zero exit code.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DistillError",
    "IngestError",
    "IntentKGError",
    "MissingExtraError",
    "QueryError",
    "StoreError",
]


class IntentKGError(Exception):
    """Root of every error raised on purpose by intention-kg."""


class ConfigError(IntentKGError):
    """Settings are missing, contradictory or point at something unusable."""


class MissingExtraError(ConfigError):
    """A dependency is not installed; the message says how to install it.

    Args:
        module: the missing import or distribution name.
        extra: the optional extra of ``intention-kg`` that installs it (``vllm``, ``ray``),
            or ``None`` for a core dependency, which a plain reinstall brings back.
        purpose: what needs it ("the vLLM offline backend").
    """

    def __init__(self, module: str, extra: str | None, purpose: str) -> None:
        how = (f"pip install 'intention-kg[{extra}]'" if extra else
               "reinstall the project (`make setup`, or pip install intention-kg); "
               "it is a core dependency")
        super().__init__(
            f"{purpose} needs the Python package '{module}', which is not installed; {how}")
        self.module = module
        self.extra = extra


class IngestError(IntentKGError):
    """A raw input file or record could not be read.

    Args:
        message: what is wrong and, where possible, how to fix it.
        path: the input file.
        line: 1-based line number inside ``path``, when known.
        record: the record id, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        record: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.record = record
        self.reason = message
        where = ""
        if path is not None:
            where = path if line is None else f"{path}:{line}"
        if record is not None:
            where = f"{where} [{record}]" if where else f"[{record}]"
        super().__init__(f"{where}: {message}" if where else message)


class DistillError(IntentKGError):
    """A model call or the parsing of its answer failed."""


class StoreError(IntentKGError):
    """The graph store could not be started, reached or written."""


class QueryError(IntentKGError):
    """A query helper was called with bad arguments or its query failed."""
