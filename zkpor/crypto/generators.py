"""The generator set: G, H and the vector generators G_i, H_i.

- ``G`` is the standard secp256k1 base point (the value generator of commitments).
- ``H`` (the blinding generator) and ``G_i``, ``H_i`` (i = 0, 1, ...; the Bulletproofs
  vector generators) come from RFC 9380 ``hash_to_curve`` (suite
  secp256k1_XMD:SHA-256_SSWU_RO_) under the project tag :data:`GENERATOR_DST`::

      H   = hash_to_curve(b"zkpor:pedersen:H", DST)
      G_i = hash_to_curve(b"zkpor:vector:G:" || u32be(i), DST)
      H_i = hash_to_curve(b"zkpor:vector:H:" || u32be(i), DST)

  hash_to_curve is a random oracle onto the group, so nobody knows a discrete logarithm
  between any two of these points, or between any of them and G.

The set is derived lazily (each G_i/H_i on first request) and cached per backend. Its digest
(:func:`generator_digest`) names the derivation and is bound into every transcript; see
docs/spec/group-and-commitments.md, "Generators", for its exact bytes.

Two costs are kept off one-shot verifications (a customer's ``verify user``):

- the first :data:`SHIPPED_VECTOR_GENERATORS` pairs are read from package data
  (``zkpor/data/vector_generators.bin``: G_0 || H_0 || G_1 || H_1 || ..., 33-byte
  encodings) whose SHA-256 is pinned here, instead of 2 hash_to_curve calls per pair; a test
  checks the file against the derivation, and beyond it the derivation is used;
- the tables that make repeated use cheap are built only once the use is repeated: the
  fixed-base tables of G and H (``Point.precomputed``) from their
  :data:`TABLE_AFTER_USES`-th use, the byte-power tables of G_i, H_i (``Point.with_powers``)
  once :data:`POWERS_AFTER_USES` vector generators have been handed out in all, or when
  asked for (``powers=True``). Results are identical with or without tables.
"""

from __future__ import annotations

import hashlib
import threading
from importlib import resources
from typing import Final

from zkpor.crypto.group import SUITE_ID, Point, hash_to_curve
from zkpor.crypto.group.backend import Backend, active_backend

__all__ = [
    "DIGEST_LABEL",
    "GENERATOR_DST",
    "GeneratorSet",
    "MAX_VECTOR_GENERATORS",
    "generator_digest",
    "generators",
]

GENERATOR_DST: Final[bytes] = b"ZKPOR-V01-CS01-with-secp256k1_XMD:SHA-256_SSWU_RO_"
H_MESSAGE: Final[bytes] = b"zkpor:pedersen:H"
G_VECTOR_PREFIX: Final[bytes] = b"zkpor:vector:G:"
H_VECTOR_PREFIX: Final[bytes] = b"zkpor:vector:H:"
MAX_VECTOR_GENERATORS: Final[int] = 2**32
DIGEST_LABEL: Final[bytes] = b"zkpor:generators:v1"
SHIPPED_VECTOR_GENERATORS: Final[int] = 1024
TABLE_AFTER_USES: Final[int] = 64
POWERS_AFTER_USES: Final[int] = 16 * 1024
SHIPPED_FILE: Final[str] = "vector_generators.bin"
SHIPPED_SHA256: Final[str] = "ea8c375d10caeda0bd3c93ccebcb47bbdbed35a0baa29bc1265a6a1df3257cff"


def derive_vector_pair(i: int, point_type: type[Point]) -> tuple[Point, Point]:
    """(G_i, H_i) from their definition (module doc)."""
    idx = i.to_bytes(4, "big")
    return (
        hash_to_curve(G_VECTOR_PREFIX + idx, GENERATOR_DST, point_type),
        hash_to_curve(H_VECTOR_PREFIX + idx, GENERATOR_DST, point_type),
    )


def _shipped_pairs(point_type: type[Point]) -> list[tuple[Point, Point]]:
    """The shipped (G_i, H_i), i < SHIPPED_VECTOR_GENERATORS; [] if the file is missing or
    its SHA-256 is not the pinned one (then everything is derived)."""
    try:
        data = resources.files("zkpor.data").joinpath(SHIPPED_FILE).read_bytes()
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        return []
    if hashlib.sha256(data).hexdigest() != SHIPPED_SHA256:
        return []
    return [
        (point_type.from_bytes(data[o : o + 33]), point_type.from_bytes(data[o + 33 : o + 66]))
        for o in range(0, len(data), 66)
    ]


def _frame(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


class GeneratorSet:
    """G, H and G_i, H_i on one backend. Thread-safe; vector generators are cached."""

    def __init__(self, point_type: type[Point]) -> None:
        self.point_type = point_type
        self._lock = threading.Lock()
        self._g: Point | None = None
        self._h: Point | None = None
        self._g_uses = 0
        self._h_uses = 0
        self._gs: list[Point] = []
        self._hs: list[Point] = []
        self._gs_powered: list[Point] = []
        self._hs_powered: list[Point] = []
        self._handed_out = 0

    @property
    def G(self) -> Point:
        """The secp256k1 base point (with a fixed-base table once used repeatedly)."""
        self._g_uses += 1
        if self._g is None:
            self._g = self.point_type.generator()
        if self._g_uses == TABLE_AFTER_USES:
            self._g = self._g.precomputed()
        return self._g

    @property
    def H(self) -> Point:
        """The blinding generator H (with a fixed-base table once used repeatedly)."""
        self._h_uses += 1
        if self._h is None:
            self._h = hash_to_curve(H_MESSAGE, GENERATOR_DST, self.point_type)
        if self._h_uses == TABLE_AFTER_USES:
            self._h = self._h.precomputed()
        return self._h

    def vector_g(self, i: int) -> Point:
        """G_i."""
        return self.vectors(i + 1)[0][i]

    def vector_h(self, i: int) -> Point:
        """H_i."""
        return self.vectors(i + 1)[1][i]

    def vectors(self, count: int, *, powers: bool | None = None) -> tuple[list[Point], list[Point]]:
        """The first ``count`` vector generators (G_0..G_{count-1}, H_0..H_{count-1}).

        With byte-powers (``Point.with_powers``), msms over them cost 32 additions per
        generator instead of a scalar multiplication: worth it for repeated msms, not for a
        single one. ``powers=None`` (the default) gives them once POWERS_AFTER_USES
        generators have been handed out; ``True`` always, ``False`` never. The points are
        equal either way."""
        if not 0 <= count <= MAX_VECTOR_GENERATORS:
            raise ValueError(f"vector generator count {count} out of range")
        with self._lock:
            self._handed_out += count
            want_powers = powers if powers is not None else self._handed_out > POWERS_AFTER_USES
            if len(self._gs) < count:
                if not self._gs and count > 0:
                    for g, h in _shipped_pairs(self.point_type):
                        self._gs.append(g)
                        self._hs.append(h)
                for i in range(len(self._gs), count):
                    g, h = derive_vector_pair(i, self.point_type)
                    self._gs.append(g)
                    self._hs.append(h)
            if not want_powers:
                return self._gs[:count], self._hs[:count]
            for i in range(len(self._gs_powered), count):
                self._gs_powered.append(self._gs[i].with_powers())
                self._hs_powered.append(self._hs[i].with_powers())
        return self._gs_powered[:count], self._hs_powered[:count]


_sets: dict[str, GeneratorSet] = {}
_sets_lock = threading.Lock()


def generators(backend: Backend | None = None) -> GeneratorSet:
    """The (cached) generator set of ``backend``, the active backend by default."""
    be = backend or active_backend()
    with _sets_lock:
        gs = _sets.get(be.name)
        if gs is None:
            gs = _sets[be.name] = GeneratorSet(be.Point)
    return gs


_digest: bytes | None = None


def generator_digest() -> bytes:
    """SHA-256 naming the generator set (identical on every backend).

    ``SHA-256(f(label) || f(suite) || f(DST) || f(H msg) || f(G_i prefix) || f(H_i prefix)
    || G || H || G_0 || H_0)`` where ``f(x) = u32be(len(x)) || x`` and points are their
    33-byte encodings: the derivation rule plus spot values, so that an implementation whose
    hash_to_curve differs gets a different digest.
    """
    global _digest
    if _digest is None:
        gs = generators()
        parts = [
            DIGEST_LABEL,
            SUITE_ID,
            GENERATOR_DST,
            H_MESSAGE,
            G_VECTOR_PREFIX,
            H_VECTOR_PREFIX,
        ]
        h = hashlib.sha256(b"".join(_frame(p) for p in parts))
        for pt in (gs.G, gs.H, gs.vector_g(0), gs.vector_h(0)):
            h.update(pt.to_bytes())
        _digest = h.digest()
    return _digest
