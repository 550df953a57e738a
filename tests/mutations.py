"""Walking and mutating the leaves of a JSON document (shared by the manifest tests)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def leaves(obj: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every (path, value) of a scalar inside ``obj`` (dict keys and list indices)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from leaves(v, (*path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from leaves(v, (*path, i))
    else:
        yield path, obj


def changed(value: Any) -> Any:
    """A different value of the same kind (a string changed in its last character)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if value is None:
        return "0x" + "ab" * 32
    if not value:
        return "x"
    last = value[-1]
    swap = {"0": "1", "f": "e", "a": "b", "Z": "Y", "=": "A", "/": "_"}.get(last, "0")
    return value[:-1] + swap
