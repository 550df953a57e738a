"""Strict parsing of zkpor's public JSON files (manifest, roots, inclusion proofs, reserves).

A digest is only as good as the parse it is computed over: a lenient parser would let two
different texts (say, with a duplicate key, or ``"8"`` where ``8`` belongs) stand for one
manifest. Every public file is therefore read by :func:`parse_public`, which accepts exactly
the JSON texts described in docs/spec/solvency-and-manifest.md, 12.8 "Strict JSON files":

- UTF-8 without a byte-order mark, at most the caller's size limit (``max_bytes``);
- arrays and objects nested at most ``MAX_DEPTH`` deep;
- no lone surrogate (``\\ud800``) in any string or key;
- one JSON object at the top level (RFC 8259 grammar), nothing but white space after it;
- no key twice in one object;
- numbers only as integers: no fraction, no exponent, no ``-0``, no leading zeros (the
  JSON grammar already forbids those), at most 20 digits; ``NaN``, ``Infinity`` refused;
- then the pydantic model in strict mode: integers only where integers belong (a string or
  ``true`` is not an integer), strings only where strings belong, unknown fields refused.

Failures raise :class:`~zkpor.errors.InputError` naming the file and, where it can, the
line and field.
"""

from __future__ import annotations

import json
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ValidationError

from zkpor.errors import InputError
from zkpor.formats.identifiers import shown

__all__ = ["MAX_PUBLIC_FILE_BYTES", "load_strict_json", "parse_public", "validation_message"]

MAX_PUBLIC_FILE_BYTES: Final[int] = 256 * 1024 * 1024
MAX_DEPTH: Final[int] = 32
_MAX_INT_DIGITS: Final[int] = 20
_OPEN: Final[frozenset[int]] = frozenset(b"[{")
_CLOSE: Final[frozenset[int]] = frozenset(b"]}")

M = TypeVar("M", bound=BaseModel)


class _Refused(ValueError):
    """A JSON construct the strict grammar refuses."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _Refused(f"duplicate key {shown(key, 40)!r}")
        obj[key] = value
    return obj


def _depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in ``data`` (strings skipped), counted
    without recursion so that no input can exhaust a stack."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif byte in _CLOSE:
            depth -= 1
    return deepest


def _has_surrogate(obj: Any) -> bool:
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any(0xD800 <= ord(c) <= 0xDFFF for c in item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _float(text: str) -> float:
    raise _Refused(f"number {text[:30]} is not an integer (fractions and exponents are refused)")


def _int(text: str) -> int:
    digits = text.lstrip("-")
    if len(digits) > _MAX_INT_DIGITS:
        raise _Refused(f"integer with more than {_MAX_INT_DIGITS} digits")
    if text == "-0":
        raise _Refused("-0 is not a canonical integer")
    return int(text)


def _constant(name: str) -> float:
    raise _Refused(f"{name} is not JSON")


def load_strict_json(
    data: bytes, source: str, max_bytes: int = MAX_PUBLIC_FILE_BYTES
) -> dict[str, Any]:
    """Parse ``data`` as one strict JSON object (module doc); InputError otherwise."""
    if len(data) > max_bytes:
        raise InputError(f"file larger than {max_bytes:,} bytes", source=source)
    if _depth(data) > MAX_DEPTH:
        raise InputError(f"JSON nested more than {MAX_DEPTH} deep", source=source)
    if data.startswith(b"\xef\xbb\xbf"):
        raise InputError("file starts with a byte-order mark", source=source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 (byte {exc.start})", source=source) from None
    try:
        obj = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_float=_float,
            parse_int=_int,
            parse_constant=_constant,
        )
    except _Refused as exc:
        raise InputError(f"strict JSON: {exc}", source=source) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not JSON: {exc.msg} (column {exc.colno})", source=source, line=exc.lineno
        ) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"not JSON: {exc}", source=source) from None
    if not isinstance(obj, dict):
        raise InputError("the top level must be a JSON object", source=source)
    if _has_surrogate(obj):
        raise InputError("a string holds a lone surrogate (not Unicode text)", source=source)
    return obj


def validation_message(exc: ValidationError) -> tuple[str, str | None]:
    """The first error of a pydantic ValidationError as (reason, dotted field path)."""
    err = exc.errors()[0]
    # keys come from the file: shown escaped, so that no key can carry terminal controls
    loc = ".".join(shown(str(p), 40) for p in err["loc"]) or None
    return shown(err["msg"], 200), loc


def parse_public(
    model: type[M], data: bytes, source: str, max_bytes: int = MAX_PUBLIC_FILE_BYTES
) -> M:
    """``data`` as an instance of ``model``: strict JSON, then strict validation."""
    obj = load_strict_json(data, source, max_bytes)
    try:
        return model.model_validate(obj, strict=True)
    except ValidationError as exc:
        reason, loc = validation_message(exc)
        raise InputError(reason, source=source, field=loc) from None
