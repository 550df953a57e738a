"""Private proof of assets over an anonymity set of keys (Provisions-style, with tags).

An exchange proves, among a public set of (public key, balance) at one block, that a hidden
subset of the keys is its own, without saying which: per key a Pedersen commitment P_i to the
balance or to 0, a tag T_i, and a CDS OR-proof that either P_i commits 0 (and the prover
knows log_J T_i), or the prover knows the key's secret x_i, P_i commits exactly the balance
and T_i = x_i J. The sum of the P_i is a commitment to the claimed total in zkpor's usual
form, which the solvency range proof takes. Two exchanges that claim one key at one block
publish the same tag (:func:`compare_tags`).

This module is what prover and verifier share, and the verifier:

- the tag base J and the context (:func:`tag_base`, :class:`AssetsContext`), the transcript
  and each key's challenge (:func:`key_challenge`);
- the byte layout of the proof file (:class:`ProofHeader`, :class:`KeyProof`,
  :data:`RECORD_FIELDS`);
The batched verifier and the tag comparison are
:mod:`zkpor.crypto.private_assets_verifier`; the prover is
:mod:`zkpor.crypto.private_assets_prover`; test hooks are in
:mod:`zkpor.crypto.private_assets_testing`.

Spec: docs/spec/private-reserves.md (section 17).

J (17.2) depends only on the chain and the block height, so every exchange proving at one
block uses the same J::

    J = hash_to_curve("zkpor:private-assets:J:v1" || f(chain) || u64be(chain_id or 0)
                      || u64be(block_height), GENERATOR_DST)          f(x) = u32be(len(x)) || x

The context digest binds the set file, the exchange, the round, J and the set size::

    context = SHA-256( f("zkpor:private-assets:context:v1") || f(generator digest)
                       || f(set digest) || f(exchange) || f(round id) || f(J) || u64be(count) )

Transcript (17.4), protocol name ``zkpor-private-assets-v1``: ``append_message("context",
context)`` once; then for key i a copy of that transcript (each key's challenge depends on
the context and on that key only) absorbs::

    append_message("key", u64be(i) || Y_i || u64be(b_i))                            49 bytes
    append_message("commitments", P || T || A_P0 || A_T0 || A_P1 || A_Y1 || A_T1)    231 bytes
    c_i = challenge_scalar("c")

Proof file (17.5): a 64-byte header, then one 391-byte record per key in the set's order::

    header  0  magic "zkpor-private-assets-v1\\n"    24 bytes (ASCII, LF-terminated)
           24  u64be(count)                          8
           32  context digest                        32

    record  0  P      33      commitment: s_i b_i G + r_i H
           33  T      33      tag: x_i J (claimed key) or u_i J
           66  A_P0   33      branch "not owned": announcement for P = r H
           99  A_T0   33      branch "not owned": announcement for T = u J
          132  A_P1   33      branch "owned": announcement for P - b G = r H
          165  A_Y1   33      branch "owned": announcement for Y = x G
          198  A_T1   33      branch "owned": announcement for T = x J
          231  c0     32      the "not owned" branch's challenge (c1 = c - c0 mod n)
          263  z_r0   32      responses: r (branch "not owned")
          295  z_u0   32                 u (branch "not owned")
          327  z_r1   32                 r (branch "owned")
          359  z_x1   32                 x (branch "owned")
                      391

Points are 33-byte compressed encodings, none the identity; scalars 32 bytes big-endian
below n. Decoding is strict (the group's decoders).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from typing import BinaryIO, Final

from zkpor.crypto.generators import GENERATOR_DST, generator_digest
from zkpor.crypto.group import N, Point, hash_to_curve, scalar_from_bytes, scalar_to_bytes
from zkpor.crypto.group.backend import active_backend
from zkpor.crypto.transcript import TRANSCRIPT_DOMAIN, Transcript
from zkpor.errors import EncodingError, ParameterError

__all__ = [
    "COMMITMENT_BYTES",
    "CONTEXT_LABEL",
    "HEADER_BYTES",
    "J_DOMAIN",
    "MAGIC",
    "POINT_FIELDS",
    "PROTOCOL",
    "RECORD_BYTES",
    "RECORD_FIELDS",
    "SCALAR_FIELDS",
    "AssetsContext",
    "KeyChallenger",
    "KeyProof",
    "ProofHeader",
    "key_challenge",
    "read_header",
    "start_transcript",
    "tag_base",
    "tag_message",
]

# --- the tag base, the context, the transcript (17.2 to 17.4) ---------------------------


PROTOCOL: Final[bytes] = b"zkpor-private-assets-v1"
J_DOMAIN: Final[bytes] = b"zkpor:private-assets:J:v1"
CONTEXT_LABEL: Final[bytes] = b"zkpor:private-assets:context:v1"
U64: Final[int] = 2**64


def _frame(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def tag_message(chain: str, chain_id: int | None, block_height: int) -> bytes:
    """The hash_to_curve message of J for one block of one chain (module doc)."""
    if not chain:
        raise ParameterError("chain must not be empty")
    if chain_id is not None and not 1 <= chain_id < U64:
        raise ParameterError("chain_id must be in [1, 2^64)")
    if not 0 <= block_height < U64:
        raise ParameterError("block_height must be in [0, 2^64)")
    return (
        J_DOMAIN
        + _frame(chain.encode("utf-8"))
        + (chain_id or 0).to_bytes(8, "big")
        + block_height.to_bytes(8, "big")
    )


_tag_bases: dict[tuple[str, bytes], Point] = {}


def tag_base(
    chain: str, chain_id: int | None, block_height: int, point_type: type[Point] = Point
) -> Point:
    """J for one block of one chain, on ``point_type``'s backend (cached)."""
    msg = tag_message(chain, chain_id, block_height)
    if point_type is Point:
        point_type = active_backend().Point
    key = (point_type.backend_name, msg)
    j = _tag_bases.get(key)
    if j is None:
        if len(_tag_bases) > 64:
            _tag_bases.clear()
        j = _tag_bases[key] = hash_to_curve(msg, GENERATOR_DST, point_type)
    return j


@dataclass(frozen=True)
class AssetsContext:
    """Everything a private proof of assets is bound to besides the keys themselves.

    ``set_digest`` is the SHA-256 of the anonymity set file's bytes; ``chain``,
    ``chain_id`` (None off Ethereum) and ``block_height`` come from the set's header and
    fix J; ``count`` is the number of keys in the set."""

    set_digest: bytes
    exchange: str
    round_id: str
    chain: str
    chain_id: int | None
    block_height: int
    count: int

    def __post_init__(self) -> None:
        if len(self.set_digest) != 32:
            raise ParameterError("set digest must be 32 bytes (SHA-256)")
        if not self.exchange or not self.round_id:
            raise ParameterError("exchange and round id must not be empty")
        if not 1 <= self.count < U64:
            raise ParameterError("the set must hold between 1 and 2^64 - 1 keys")
        tag_message(self.chain, self.chain_id, self.block_height)  # range checks

    def tag_base(self, point_type: type[Point] = Point) -> Point:
        """J for this context's chain and block."""
        return tag_base(self.chain, self.chain_id, self.block_height, point_type)

    def digest(self) -> bytes:
        """The context digest (module doc), the same on every backend."""
        j = self.tag_base(active_backend().Point)
        return hashlib.sha256(
            _frame(CONTEXT_LABEL)
            + _frame(generator_digest())
            + _frame(self.set_digest)
            + _frame(self.exchange.encode("utf-8"))
            + _frame(self.round_id.encode("utf-8"))
            + _frame(j.to_bytes())
            + self.count.to_bytes(8, "big")
        ).digest()


def start_transcript(context_digest: bytes) -> Transcript:
    """The transcript every key's challenge is forked from."""
    t = Transcript(PROTOCOL)
    t.append_message(b"context", context_digest)
    return t


def key_challenge(
    base: Transcript, index: int, key: bytes, balance: int, commitments: bytes
) -> int:
    """c_i: ``base`` forked, then key i's statement and its 231 bytes of points (module
    doc). Raises TranscriptError for a zero challenge."""
    t = base.clone()
    t.append_message(b"key", index.to_bytes(8, "big") + key + balance.to_bytes(8, "big"))
    t.append_message(b"commitments", commitments)
    return t.challenge_scalar(b"c")


def _record(tag: bytes, label: bytes, data: bytes) -> bytes:
    """A transcript record (docs/spec/transcript.md, 5)."""
    return tag + len(label).to_bytes(4, "big") + label + len(data).to_bytes(8, "big") + data


class KeyChallenger:
    """c_i exactly as :func:`key_challenge` computes it (the transcript's framing written
    out, so that a verifier of many keys copies one hash state per key instead of building
    a Transcript): ``KeyChallenger(context)(i, Y, b, commitments)``. Returns 0 for a zero
    challenge, which the caller refuses."""

    __slots__ = ("_state",)

    def __init__(self, context_digest: bytes) -> None:
        self._state = hashlib.sha512(
            _record(b"I", TRANSCRIPT_DOMAIN, PROTOCOL) + _record(b"M", b"context", context_digest)
        )

    def __call__(self, index: int, key: bytes, balance: int, commitments: bytes) -> int:
        h = self._state.copy()
        h.update(
            b"M\x00\x00\x00\x03key\x00\x00\x00\x00\x00\x00\x00\x31"
            + index.to_bytes(8, "big")
            + key
            + balance.to_bytes(8, "big")
            + b"M\x00\x00\x00\x0bcommitments"
            + len(commitments).to_bytes(8, "big")
            + commitments
            + b"C\x00\x00\x00\x01c\x00\x00\x00\x00\x00\x00\x00\x00"
        )
        return int.from_bytes(h.digest(), "big") % N


# --- the proof file (17.5) ---------------------------------------------------------------


MAGIC: Final[bytes] = b"zkpor-private-assets-v1\n"
HEADER_BYTES: Final[int] = 64
POINT_FIELDS: Final[tuple[str, ...]] = ("P", "T", "A_P0", "A_T0", "A_P1", "A_Y1", "A_T1")
SCALAR_FIELDS: Final[tuple[str, ...]] = ("c0", "z_r0", "z_u0", "z_r1", "z_x1")
COMMITMENT_BYTES: Final[int] = 33 * len(POINT_FIELDS)
RECORD_BYTES: Final[int] = COMMITMENT_BYTES + 32 * len(SCALAR_FIELDS)


def _offsets() -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    off = 0
    for name in POINT_FIELDS:
        out[name] = (off, off + 33)
        off += 33
    for name in SCALAR_FIELDS:
        out[name] = (off, off + 32)
        off += 32
    return out


#: Each record field's (start, end) byte offsets.
RECORD_FIELDS: Final[dict[str, tuple[int, int]]] = _offsets()

assert len(MAGIC) == 24 and RECORD_BYTES == 391


@dataclass(frozen=True)
class ProofHeader:
    """The proof file's header: the number of records and the context digest."""

    count: int
    context_digest: bytes

    def to_bytes(self) -> bytes:
        if not 0 <= self.count < 2**64 or len(self.context_digest) != 32:
            raise EncodingError("bad proof header fields")
        return MAGIC + self.count.to_bytes(8, "big") + self.context_digest

    @classmethod
    def from_bytes(cls, data: bytes) -> ProofHeader:
        if len(data) != HEADER_BYTES:
            raise EncodingError(f"proof header must be {HEADER_BYTES} bytes, got {len(data)}")
        if data[:24] != MAGIC:
            raise EncodingError("not a zkpor-private-assets-v1 proof (bad magic)")
        return cls(int.from_bytes(data[24:32], "big"), bytes(data[32:64]))


def read_header(stream: BinaryIO) -> ProofHeader:
    """Read and decode the header at the start of ``stream`` (EncodingError if short)."""
    return ProofHeader.from_bytes(stream.read(HEADER_BYTES))


@dataclass(frozen=True)
class KeyProof:
    """One key's record (module doc for the symbols and layout)."""

    P: Point
    T: Point
    A_P0: Point
    A_T0: Point
    A_P1: Point
    A_Y1: Point
    A_T1: Point
    c0: int
    z_r0: int
    z_u0: int
    z_r1: int
    z_x1: int

    def to_bytes(self) -> bytes:
        out = b"".join(getattr(self, n).to_bytes() for n in POINT_FIELDS)
        return out + b"".join(scalar_to_bytes(getattr(self, n)) for n in SCALAR_FIELDS)

    @classmethod
    def from_bytes(cls, data: bytes, point_type: type[Point] = Point) -> KeyProof:
        """Strict decoding; EncodingError names the field."""
        if len(data) != RECORD_BYTES:
            raise EncodingError(f"key record must be {RECORD_BYTES} bytes, got {len(data)}")
        values: dict[str, object] = {}
        for f in fields(cls):
            start, end = RECORD_FIELDS[f.name]
            try:
                if f.name in POINT_FIELDS:
                    values[f.name] = point_type.from_bytes(data[start:end])
                else:
                    values[f.name] = scalar_from_bytes(data[start:end])
            except EncodingError as exc:
                raise EncodingError(f"{f.name}: {exc}") from None
        return cls(**values)  # type: ignore[arg-type]
