"""What every vector checker shares: the context (backend, generators, re-proving limit),
what counts as a rejection, and strict accessors for a test's fields.

A checker takes ``(group, test, ctx)`` and returns the outputs it recomputed; an accessor
raises :class:`MalformedTest` for a field that is missing or of the wrong type, which the
harness (:mod:`.check`) reports as a failure of that test, never as a rejection.

See docs/vectors.md.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from zkpor.crypto.generators import GeneratorSet, generators
from zkpor.crypto.group import Backend, Point
from zkpor.errors import ParameterError, ZkporError
from zkpor.verify.inclusion import VerifiedAsset

__all__ = [
    "Checker",
    "CheckContext",
    "Json",
    "MalformedTest",
    "REJECTIONS",
    "using_backend",
    "verified_json",
]

# What counts as a rejection of an invalid test (ValueError covers pydantic's errors).
REJECTIONS = (ZkporError, ValueError)

Json = dict[str, object]
Checker = Callable[[Json, Json, "CheckContext"], Json]


class MalformedTest(Exception):
    """A test that does not have the fields its file format requires."""


@dataclass
class CheckContext:
    """The backend checked, its generator set, and how many proofs to re-make."""

    backend: Backend
    reprove_limit: int | None = None
    gens: GeneratorSet = field(init=False)

    def __post_init__(self) -> None:
        self.gens = generators(self.backend)

    @property
    def point(self) -> type[Point]:
        return self.backend.Point

    def reprove(self, bits: int, m: int) -> bool:
        return self.reprove_limit is None or bits * m <= self.reprove_limit


@contextlib.contextmanager
def using_backend(backend: Backend) -> Iterator[None]:
    """Make ``backend`` the active one for the duration (not thread-safe).

    The inclusion and manifest verifiers work on the active backend, like the CLI; this lets
    a check of the reference backend run in the same process as the fast one.
    """
    from zkpor.crypto.group import backend as backend_mod

    saved = backend_mod._active
    backend_mod._active = backend
    try:
        yield
    finally:
        backend_mod._active = saved


# --- small helpers -----------------------------------------------------------------------


def _get(obj: Json, key: str) -> object:
    if key not in obj:
        raise MalformedTest(f"missing field {key!r}")
    return obj[key]


def _str(obj: Json, key: str) -> str:
    v = _get(obj, key)
    if not isinstance(v, str):
        raise MalformedTest(f"field {key!r} must be a string")
    return v


def _int(obj: Json, key: str) -> int:
    v = _get(obj, key)
    if not isinstance(v, int) or isinstance(v, bool):
        raise MalformedTest(f"field {key!r} must be an integer")
    return v


def _hex(obj: Json, key: str) -> bytes:
    text = _str(obj, key)
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise MalformedTest(f"field {key!r} is not hex") from None


def _list(obj: Json, key: str) -> list[object]:
    v = _get(obj, key)
    if not isinstance(v, list):
        raise MalformedTest(f"field {key!r} must be an array")
    return v


def _obj(v: object, what: str) -> Json:
    if not isinstance(v, dict):
        raise MalformedTest(f"{what} must be an object")
    return v


def _decimal(text: object, what: str) -> int:
    """A non-negative integer written in decimal without leading zeros."""
    if not isinstance(text, str) or not text.isdigit() or not text.isascii():
        raise MalformedTest(f"{what} must be a decimal string")
    if len(text) > 1 and text[0] == "0":
        raise ParameterError(f"{what}: leading zero")
    return int(text)


def verified_json(results: Iterable[VerifiedAsset]) -> list[Json]:
    """The ``verified`` output of an inclusion check: per asset what ``verify_inclusion``
    returned (asset, amount, units, leaf count, root hash)."""
    return [
        {
            "asset": r.asset,
            "amount": r.amount,
            "units": str(r.units),
            "leaf_count": r.leaf_count,
            "root_hash": r.root_hash,
        }
        for r in results
    ]
