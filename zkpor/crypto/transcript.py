"""The Fiat-Shamir transcript.

A transcript is a running SHA-512 hash over a sequence of records. Every record is framed, so
no two different sequences of messages hash the same bytes:

    record(tag, label, data) = tag (1 byte) || u32be(len(label)) || label
                               || u64be(len(data)) || data

- ``Transcript(protocol)`` absorbs ``record(b"I", b"zkpor-transcript-v1", protocol)``;
  ``protocol`` names the protocol and its version (e.g. ``b"zkpor-rangeproof-v1"``).
- ``append_message(label, data)`` absorbs ``record(b"M", label, data)``. Points (33-byte
  encodings, identity refused unless allowed), scalars (32 bytes) and integers (u64be) are
  messages with fixed-size data.
- ``challenge_scalar(label)`` absorbs ``record(b"C", label, b"")``, takes the 64-byte
  SHA-512 digest of everything absorbed so far (without finalising the running state),
  absorbs those 64 bytes, and returns the digest read big-endian mod n. A zero challenge
  raises :class:`~zkpor.errors.TranscriptError`. The reduction of 512 bits mod n has bias
  below 2^-256.

The protocol using the transcript is responsible for appending the whole statement (the
generator-set digest, sizes, every commitment) and every prover message before the challenge
that depends on it. See docs/spec/arithmetic-circuits.md, "Transcript".
"""

from __future__ import annotations

import hashlib
from typing import Final

from zkpor.crypto.group import N, Point, scalar_to_bytes
from zkpor.errors import EncodingError, TranscriptError

__all__ = ["TRANSCRIPT_DOMAIN", "Transcript"]

TRANSCRIPT_DOMAIN: Final[bytes] = b"zkpor-transcript-v1"


def _record(tag: bytes, label: bytes, data: bytes) -> bytes:
    return tag + len(label).to_bytes(4, "big") + label + len(data).to_bytes(8, "big") + data


class Transcript:
    """A labelled, framed Fiat-Shamir transcript (SHA-512). Not thread-safe."""

    __slots__ = ("_state",)

    def __init__(self, protocol: bytes) -> None:
        self._state = hashlib.sha512()
        self._state.update(_record(b"I", TRANSCRIPT_DOMAIN, protocol))

    def append_message(self, label: bytes, data: bytes) -> None:
        """Absorb ``data`` under ``label``."""
        self._state.update(_record(b"M", label, bytes(data)))

    def append_u64(self, label: bytes, value: int) -> None:
        """Absorb a non-negative integer below 2^64 as 8 bytes big-endian."""
        if not 0 <= value < 2**64:
            raise ValueError(f"{label!r}: {value} does not fit in u64")
        self.append_message(label, value.to_bytes(8, "big"))

    def append_scalar(self, label: bytes, scalar: int) -> None:
        """Absorb a scalar (0 <= s < n) as its 32-byte encoding."""
        self.append_message(label, scalar_to_bytes(scalar))

    def append_point(self, label: bytes, point: Point, *, allow_identity: bool = False) -> None:
        """Absorb a point as its 33-byte encoding; the identity raises EncodingError unless
        ``allow_identity`` (a prover message equal to the identity is never legitimate)."""
        if point.is_identity() and not allow_identity:
            raise EncodingError(
                f"identity point in transcript under {label.decode(errors='replace')}"
            )
        self.append_message(label, point.to_bytes())

    def challenge_scalar(self, label: bytes) -> int:
        """A challenge in [1, n) bound to everything absorbed so far (see module doc)."""
        self._state.update(_record(b"C", label, b""))
        digest = self._state.copy().digest()
        self._state.update(digest)
        c = int.from_bytes(digest, "big") % N
        if c == 0:
            raise TranscriptError(f"zero challenge for {label.decode(errors='replace')}")
        return c

    def clone(self) -> Transcript:
        """An independent copy (for forking a transcript)."""
        t = Transcript.__new__(Transcript)
        t._state = self._state.copy()
        return t
