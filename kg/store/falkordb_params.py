"""Fast Cypher-literal parameters for FalkorDB.

FalkorDB takes query parameters as a ``CYPHER name=<literal> ...`` prefix of the
query text, so every parameter is written as a Cypher literal and parsed back by
the server. The official client builds that text with a recursive Python
function (about 1 s of CPU for 2,000 rows of 384 floats); this module writes the
same literals through the C JSON encoder and fixes up the two places where JSON
and FalkorDB's Cypher differ:

* map keys: JSON writes ``"key":``, Cypher wants an identifier (```key`:``);
* string escapes: FalkorDB reads ``\\\\ \\" \\n \\r \\t \\b \\f`` like JSON but
  not ``\\uXXXX`` (JSON's escape for other control characters), so such text
  goes through :func:`cypher_literal`, which writes those characters raw.

Floats are written with ``repr`` (shortest text that reads back to the same
double; FalkorDB parses it exactly). Values FalkorDB cannot hold are refused
with a :class:`~kg.errors.StoreError` instead of being silently changed: NaN and
infinities, integers outside int64, strings with a NUL character (the server
cuts them there) or lone surrogates, and any other type.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from kg.errors import StoreError

__all__ = ["INT64_MAX", "INT64_MIN", "cypher_literal", "params_header"]

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"),
                            check_circular=False)
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r\t]')


def _key(key: object) -> str:
    if not isinstance(key, str) or not _KEY.match(key):
        raise StoreError(f"parameter or map key {key!r} is not a plain identifier "
                         "([A-Za-z_][A-Za-z0-9_]*); rename it before writing")
    return f"`{key}`"


def _string(value: str) -> str:
    if "\x00" in value:
        raise StoreError(f"string {value[:60]!r} contains a NUL character, which FalkorDB "
                         "cuts strings at; remove NULs from the input")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise StoreError(f"string {value[:60]!r} is not valid Unicode (lone surrogate at "
                         f"{exc.start}); fix the input's encoding") from exc
    return '"' + _NEEDS_ESCAPE.sub(lambda m: _ESCAPES[m.group()], value) + '"'


def cypher_literal(value: Any) -> str:
    """Write ``value`` as a Cypher literal FalkorDB reads back unchanged.

    The reference (pure Python) writer; :func:`params_header` uses it only for
    the rare text the JSON fast path cannot write.

    Args:
        value: ``None``, ``bool``, ``int``, ``float``, ``str``, or a list/tuple or
            mapping (string keys) of those, nested to any depth.

    Raises:
        StoreError: a value FalkorDB cannot hold exactly (see the module docs).
    """
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise StoreError(f"integer {value} is outside FalkorDB's 64-bit range; "
                             "store it as a string or a float")
        return str(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise StoreError(f"float {value!r} cannot be stored in FalkorDB; "
                             "replace NaN and infinities with null")
        return float.__repr__(value)
    if isinstance(value, list | tuple):
        return "[" + ",".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{_key(k)}:{cypher_literal(v)}" for k, v in value.items()) + "}"
    raise StoreError(f"cannot send a {type(value).__name__} ({value!r:.60}) to FalkorDB; "
                     "convert it to str, int, float, bool, None, a list or a map first")


def _int_ok(value: Any) -> bool:
    """False when ``value`` holds an int FalkorDB would clamp (or a type min/max cannot order)."""
    kind = type(value)
    if kind is int:
        return bool(INT64_MIN <= value <= INT64_MAX)
    if kind is list or kind is tuple:
        if not value or type(value[0]) is str:
            return all(type(v) is str for v in value)
        try:
            # min/max run in C: a list of 384 floats costs microseconds, not a Python loop.
            return bool(min(value) >= INT64_MIN and max(value) <= INT64_MAX)
        except TypeError:
            return False  # mixed or nested items: the reference writer checks each one
    return kind is not dict


def _fast_literal(value: Any) -> str | None:
    """The JSON-encoder literal of ``value``, or None when the exact path is needed.

    Covers scalars, flat lists and lists of flat maps (``UNWIND $rows`` batches).
    """
    keys: set[str] = set()
    if isinstance(value, list) and value and type(value[0]) is dict:
        for row in value:
            if type(row) is not dict:
                return None
            keys.update(row)
            for item in row.values():
                kind = type(item)
                if kind is str or kind is float or item is None:
                    continue
                if not _int_ok(item):
                    return None
    elif not _int_ok(value):
        return None
    for key in keys:
        _key(key)
    try:
        text = _ENCODER.encode(value)
    except (TypeError, ValueError):
        return None  # an odd type, NaN or inf: the reference writer names the problem
    for key in keys:
        text = text.replace(f'"{key}":', f"`{key}`:")
    # '":' left means a string value holding '":' (JSON writes no other); '\u' means a
    # control character JSON escaped in a way FalkorDB does not read (or a literal
    # backslash-u); a string that does not encode holds a lone surrogate. All are
    # rare: the reference writer handles them exactly.
    if '":' in text or "\\u" in text:
        return None
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return None
    return text


def params_header(params: Mapping[str, Any]) -> str:
    """The ``CYPHER a=<literal> b=<literal> `` prefix FalkorDB reads parameters from.

    Lists of flat maps (``UNWIND $rows`` batches) and scalars take the C JSON
    encoder; anything it cannot write exactly falls back to :func:`cypher_literal`,
    so both paths give the server the same values.

    Args:
        params: parameter name -> value (see :func:`cypher_literal` for the types).

    Returns:
        The prefix, ending with a space, or ``""`` when ``params`` is empty.

    Raises:
        StoreError: a name is not an identifier, or a value cannot be stored exactly.
    """
    if not params:
        return ""
    parts = ["CYPHER"]
    for name, value in params.items():
        literal = _fast_literal(value)
        parts.append(f"{_key(name)}={cypher_literal(value) if literal is None else literal}")
    return " ".join(parts) + " "
