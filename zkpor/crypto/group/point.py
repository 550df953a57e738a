"""The backend-independent point API and the SEC1 point encoding.

Encoding (see docs/spec/group-and-commitments.md, 1.2 "Points"): a point is always 33 bytes.

- A non-identity point (x, y) is SEC1 compressed: ``0x02 | x`` when y is even, ``0x03 | x``
  when y is odd, x as 32 bytes big-endian.
- The identity (point at infinity) is 33 zero bytes. It is accepted on input only where a
  caller passes ``allow_identity=True``; the 1-byte SEC1 form ``0x00`` is never accepted.

Decoding is strict: wrong length, any other prefix, x >= p, and x with no point on the
curve all raise :class:`~zkpor.errors.EncodingError`, each with its own message.

``Point`` is an abstract base class. Each backend subclasses it; the classmethods called on
``Point`` itself (``Point.from_bytes``, ``Point.generator()``...) use the active backend,
and called on a backend's subclass they use that backend. The backend registry
(:mod:`zkpor.crypto.group.backend`, always loaded with the package) tells this module which
class is active through :func:`set_active_point_type`, so this module never imports it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import ClassVar, Final, TypeVar

from zkpor.crypto.group.params import FIELD_BYTES, B, P, fe_sqrt, on_curve
from zkpor.errors import BackendError, EncodingError

__all__ = [
    "IDENTITY_ENCODING",
    "POINT_BYTES",
    "Point",
    "decode_affine",
    "encode_affine",
    "set_active_point_type",
]

POINT_BYTES: Final[int] = 33
IDENTITY_ENCODING: Final[bytes] = bytes(POINT_BYTES)

#: Returns the active backend's Point class; registered by the backend module.
_active_point_type: Callable[[], type[Point]] | None = None


def set_active_point_type(resolver: Callable[[], type[Point]]) -> None:
    """Register how the abstract ``Point``'s classmethods find the active backend's class
    (called once, by :mod:`zkpor.crypto.group.backend`)."""
    global _active_point_type
    _active_point_type = resolver


PointT = TypeVar("PointT", bound="Point")


def encode_affine(xy: tuple[int, int] | None) -> bytes:
    """Encode an affine point (or None for the identity) as 33 bytes."""
    if xy is None:
        return IDENTITY_ENCODING
    x, y = xy
    return bytes((2 | (y & 1),)) + x.to_bytes(FIELD_BYTES, "big")


def check_encoding_shape(data: bytes, allow_identity: bool) -> int | None:
    """Checks shared by every backend before the curve check.

    Returns x as an integer, or None for an accepted identity. Raises EncodingError for the
    wrong type or length, a bad prefix, a forbidden identity, and x >= p.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise EncodingError(f"point must be bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) != POINT_BYTES:
        raise EncodingError(f"point must be {POINT_BYTES} bytes, got {len(data)}")
    prefix = data[0]
    if prefix == 0:
        if data != IDENTITY_ENCODING:
            raise EncodingError("bad point encoding: prefix 0x00 with non-zero x")
        if not allow_identity:
            raise EncodingError("identity point not allowed here")
        return None
    if prefix not in (2, 3):
        raise EncodingError(f"bad point prefix 0x{prefix:02x}: expected 0x02 or 0x03")
    x = int.from_bytes(data[1:], "big")
    if x >= P:
        raise EncodingError("non-canonical point: x >= field prime p")
    return x


def decode_affine(data: bytes, *, allow_identity: bool = False) -> tuple[int, int] | None:
    """Strictly decode 33 bytes to affine coordinates (None for the identity)."""
    x = check_encoding_shape(data, allow_identity)
    if x is None:
        return None
    y = fe_sqrt((x * x * x + B) % P)
    if y is None:
        raise EncodingError("invalid point: x is not the abscissa of a curve point")
    if (y & 1) != (data[0] & 1):
        y = P - y
    return x, y


class Point(ABC):
    """A point of the secp256k1 group, immutable.

    Supports ``P + Q``, ``P - Q``, ``-P``, ``k * P`` (k an int, taken mod n), ``==`` and
    ``hash``. Points of different backends never compare equal and cannot be combined.
    """

    __slots__ = ()

    backend_name: ClassVar[str] = "abstract"

    # --- construction -------------------------------------------------------------------

    @classmethod
    def _concrete(cls) -> type[Point]:
        if cls is Point:
            if _active_point_type is None:
                raise BackendError("no group backend registered (import zkpor.crypto.group)")
            return _active_point_type()
        return cls

    @classmethod
    def from_bytes(cls, data: bytes, *, allow_identity: bool = False) -> Point:
        """Strictly decode a 33-byte encoding; raises EncodingError (see module doc)."""
        return cls._concrete()._decode(data, allow_identity)

    @classmethod
    def from_affine(cls, x: int, y: int) -> Point:
        """The point (x, y); raises EncodingError if it is not on the curve."""
        if not (0 <= x < P and 0 <= y < P) or not on_curve(x, y):
            raise EncodingError("affine coordinates are not a point of secp256k1")
        return cls._concrete()._from_affine(x, y)

    @classmethod
    def identity(cls) -> Point:
        """The identity element (point at infinity)."""
        return cls._concrete()._identity()

    @classmethod
    def generator(cls) -> Point:
        """The standard secp256k1 base point G."""
        return cls._concrete()._generator()

    @classmethod
    def sum(cls, points: Iterable[Point]) -> Point:
        """The sum of ``points`` (the identity for an empty iterable)."""
        return cls._concrete()._sum(list(points))

    @classmethod
    def msm(cls, scalars: Sequence[int], points: Sequence[Point]) -> Point:
        """Multi-scalar multiplication ``sum(s_i * P_i)``; lengths must match."""
        if len(scalars) != len(points):
            raise ValueError(f"msm: {len(scalars)} scalars for {len(points)} points")
        return cls._concrete()._msm(scalars, points)

    # --- backend hooks ------------------------------------------------------------------

    @classmethod
    @abstractmethod
    def _decode(cls, data: bytes, allow_identity: bool) -> Point: ...

    @classmethod
    @abstractmethod
    def _from_affine(cls, x: int, y: int) -> Point: ...

    @classmethod
    @abstractmethod
    def _identity(cls) -> Point: ...

    @classmethod
    @abstractmethod
    def _generator(cls) -> Point: ...

    @classmethod
    @abstractmethod
    def _sum(cls, points: list[Point]) -> Point: ...

    @classmethod
    @abstractmethod
    def _msm(cls, scalars: Sequence[int], points: Sequence[Point]) -> Point: ...

    # --- instance API -------------------------------------------------------------------

    @abstractmethod
    def to_bytes(self) -> bytes:
        """The 33-byte encoding (see module doc)."""

    @abstractmethod
    def to_affine(self) -> tuple[int, int] | None:
        """Affine coordinates (x, y), or None for the identity."""

    @abstractmethod
    def is_identity(self) -> bool:
        """Whether this is the point at infinity."""

    @abstractmethod
    def precomputed(self) -> Point:
        """An equal point that carries a fixed-base table, making ``k * P`` and its use in
        ``msm`` faster. Worth it for points used many times (the Pedersen generators)."""

    @abstractmethod
    def with_powers(self) -> Point:
        """An equal point that carries its 32 byte-powers 256^j * P (about 2 KB).

        In ``msm`` such points cost 32 additions each (their scalars are split into bytes
        and summed by the bucket method) instead of a full scalar multiplication. Worth it
        for fixed points used in many msms (the vector generators G_i, H_i)."""

    @abstractmethod
    def __add__(self, other: Point) -> Point: ...

    @abstractmethod
    def __neg__(self) -> Point: ...

    @abstractmethod
    def __mul__(self, k: int) -> Point: ...

    def __rmul__(self, k: int) -> Point:
        return self.__mul__(k)

    def __sub__(self, other: Point) -> Point:
        return self + (-other)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Point) or other.backend_name != self.backend_name:
            return NotImplemented
        return self.to_bytes() == other.to_bytes()

    def __hash__(self) -> int:
        return hash(self.to_bytes())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_bytes().hex()})"

    def _check_same_backend(self, other: object) -> None:
        if not isinstance(other, Point) or other.backend_name != self.backend_name:
            raise TypeError(
                f"cannot combine a {self.backend_name} point with {type(other).__name__}"
            )
