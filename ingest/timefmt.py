"""Post times, normalized once: every ``created_at`` becomes UTC ISO-8601 or ``None``.

Sources spell times differently: Twitter API v1.1 writes ``Wed Oct 10 20:19:24 +0000
2018``, API v2 ``2018-10-10T20:19:24.000Z``, generic files ISO dates or epoch seconds;
MMSD and TomBERT have no times at all. :func:`utc_iso` turns each into
``YYYY-MM-DDTHH:MM:SSZ`` (UTC), so the graph's month buckets (``created_at[:7]``)
and trends are real.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

__all__ = ["utc_iso"]

log = logging.getLogger(__name__)

_TWITTER_V1 = "%a %b %d %H:%M:%S %z %Y"
_EPOCH_MS = 100_000_000_000  # larger epochs are milliseconds (from 1973 on)


def _parse(value: str | int | float) -> datetime | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if abs(value) >= _EPOCH_MS else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    text = value.strip()
    if not text:
        return None
    for parse in (datetime.fromisoformat, lambda t: datetime.strptime(t, _TWITTER_V1)):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def utc_iso(value: object) -> str | None:
    """``value`` (a time in any supported spelling) as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC.

    Naive times (no offset, or a date alone) are taken as UTC. ``None``, empty and
    unparseable values give ``None`` (logged at DEBUG): a post without a time.

    >>> utc_iso("Wed Oct 10 20:19:24 +0000 2018")
    '2018-10-10T20:19:24Z'
    >>> utc_iso("2018-10-10T22:19:24.000+02:00")
    '2018-10-10T20:19:24Z'
    """
    if value is None or not isinstance(value, str | int | float):
        return None
    found = _parse(value)
    if found is None:
        log.debug("unparseable time %r dropped", str(value)[:60])
        return None
    if found.tzinfo is None:
        found = found.replace(tzinfo=UTC)
    return found.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
