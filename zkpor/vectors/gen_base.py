"""What the vector generators share: the fixed inputs of every file and byte surgery.

The master secret, run nonce, rounds, exchange name and creation time are fixed so that the
files are reproducible; the customers' balances are those of docs/vectors.md. The helpers
splice and tamper with encodings (a point plus G, a scalar plus 1) at docs/spec.md 6.4's
offsets.
"""

from __future__ import annotations

from typing import Any, Final

from zkpor.crypto.group import N, Point
from zkpor.crypto.group.params import P

__all__ = [
    "BTC_CUSTOMERS",
    "CREATED",
    "ETH_CUSTOMERS",
    "EXCHANGE",
    "MASTER",
    "ROUND_A",
    "ROUND_B",
    "RUN_NONCE",
    "USDT_CUSTOMERS",
    "Json",
]

Json = dict[str, Any]

MASTER: Final[bytes] = bytes(range(32))
RUN_NONCE: Final[bytes] = bytes(range(0x20, 0x40))  # a real run draws it from the OS
ROUND_A: Final[str] = "2026-11-30"
ROUND_B: Final[str] = "2026-12-31"
EXCHANGE: Final[str] = "Example Exchange"
CREATED: Final[str] = "2026-11-30T00:00:00Z"
BTC_CUSTOMERS: Final[list[tuple[str, int]]] = [
    ("alice", 150000000),
    ("bob", 25000000),
    ("carol", 0),
    ("dave", 3000000),
    ("erin", 12345678),
    ("frank", 1),
    ("grace", 9999999),
]
ETH_CUSTOMERS: Final[list[tuple[str, int]]] = [("alice", 12500000000), ("bob", 3250000000)]
USDT_CUSTOMERS: Final[list[tuple[str, int]]] = [("alice", 1000000), ("bob", 5), ("carol", 7)]


def _u32(i: int) -> bytes:
    return i.to_bytes(4, "big")


def _offsets(k: int) -> dict[str, int]:
    """Byte offsets of a range proof's fields (docs/spec.md 6.4), k rounds."""
    size = 292 + 66 * k
    out = {"A": 0, "S": 33, "T1": 66, "T2": 99, "t_x": 132, "tau_x": 164, "mu": 196}
    for i in range(k):
        out[f"L[{i}]"] = 228 + 66 * i
        out[f"R[{i}]"] = 261 + 66 * i
    out["a"] = size - 64
    out["b"] = size - 32
    return out


def _splice(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new) :]


def _point_plus_g(data: bytes, offset: int, pt: type[Point]) -> bytes:
    p = pt.from_bytes(data[offset : offset + 33])
    return _splice(data, offset, (p + pt.generator()).to_bytes())


def _scalar_plus_one(data: bytes, offset: int) -> bytes:
    s = int.from_bytes(data[offset : offset + 32], "big")
    return _splice(data, offset, ((s + 1) % N).to_bytes(32, "big"))


def _not_on_curve_x() -> bytes:
    """The smallest x >= 1 with no point on secp256k1 (x^3 + 7 a non-square)."""
    x = 1
    while pow((x**3 + 7) % P, (P - 1) // 2, P) == 1:
        x += 1
    return x.to_bytes(32, "big")
