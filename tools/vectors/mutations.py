"""Edits that turn a valid vector's JSON into an invalid one, for the case tables of
inclusion.py, inclusion_exchange.py and manifest.py.

A :data:`Mutation` edits a document in place; it is given the generator set too, for the
edits that add G to a point. Paths are dotted (``"assets.BTC.reserves.total"``); a segment
of digits indexes a list (``"assets.0.path.1.proofs"``, ``-1`` the last item).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from tools.vectors.base import Json
from zkpor.crypto.generators import GeneratorSet
from zkpor.vectors.common import hexpt

Mutation = Callable[[Json, GeneratorSet], None]


def _key(segment: str) -> str | int:
    return int(segment) if segment.lstrip("-").isdigit() else segment


def locate(doc: Json, path: str) -> tuple[Any, str | int]:
    """The container holding ``path``'s last segment, and that segment."""
    *parents, last = (_key(s) for s in path.split("."))
    node: Any = doc
    for key in parents:
        node = node[key]
    return node, last


def value_at(doc: Json, path: str) -> Any:
    node, key = locate(doc, path)
    return node[key]


def put(path: str, value: object) -> Mutation:
    """Set ``path`` to (a copy of) ``value``."""

    def change(doc: Json, gens: GeneratorSet) -> None:
        node, key = locate(doc, path)
        node[key] = copy.deepcopy(value)

    return change


def update(path: str, new: Callable[[Any], object]) -> Mutation:
    """Replace the value at ``path`` by ``new(value)``."""

    def change(doc: Json, gens: GeneratorSet) -> None:
        node, key = locate(doc, path)
        node[key] = new(node[key])

    return change


def drop(path: str) -> Mutation:
    """Remove ``path`` (a key of an object)."""

    def change(doc: Json, gens: GeneratorSet) -> None:
        node, key = locate(doc, path)
        node.pop(key)

    return change


def copy_value(source: str, target: str) -> Mutation:
    """Set ``target`` to the value at ``source`` of the same document."""

    def change(doc: Json, gens: GeneratorSet) -> None:
        node, key = locate(doc, target)
        node[key] = copy.deepcopy(value_at(doc, source))

    return change


def append_copy(path: str, index: int) -> Mutation:
    """Append to the list at ``path`` a copy of its item ``index``."""
    return update(path, lambda items: [*items, copy.deepcopy(items[index])])


def point_plus_g(path: str) -> Mutation:
    """Replace the point (hex) at ``path`` by that point plus G."""

    def change(doc: Json, gens: GeneratorSet) -> None:
        node, key = locate(doc, path)
        node[key] = hexpt(gens.point_type.from_bytes(bytes.fromhex(node[key])) + gens.G)

    return change


def all_of(*mutations: Mutation) -> Mutation:
    """The mutations one after the other."""

    def change(doc: Json, gens: GeneratorSet) -> None:
        for mutation in mutations:
            mutation(doc, gens)

    return change


def flip_byte(position: int) -> Callable[[str], str]:
    """For :func:`update`: the hex string with the lowest bit of byte ``position`` flipped."""

    def flipped(text: str) -> str:
        raw = bytearray(bytes.fromhex(text))
        raw[position] ^= 0x01
        return raw.hex()

    return flipped


def mutated(doc: Json, mutation: Mutation, gens: GeneratorSet) -> Json:
    """A deep copy of ``doc`` with ``mutation`` applied."""
    out = copy.deepcopy(doc)
    mutation(out, gens)
    return out
