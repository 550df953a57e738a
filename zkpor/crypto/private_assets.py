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
- the batched verifier (:func:`verify_assets`) and the tag comparison (:func:`compare_tags`).

The prover is :mod:`zkpor.crypto.private_assets_prover`; test hooks are in
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
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from typing import BinaryIO, Final

from zkpor.crypto.generators import GENERATOR_DST, generator_digest, generators
from zkpor.crypto.group import N, Point, hash_to_curve, scalar_from_bytes, scalar_to_bytes
from zkpor.crypto.group.backend import active_backend, get_backend
from zkpor.crypto.group.bucket_msm import MsmBatch, msm_batch
from zkpor.crypto.group.bucket_msm import TermEncodingError as _TermError
from zkpor.crypto.transcript import TRANSCRIPT_DOMAIN, Transcript
from zkpor.errors import EncodingError, ParameterError, VerificationError

__all__ = [
    "COMMITMENT_BYTES",
    "CONTEXT_LABEL",
    "DEFAULT_BATCH_KEYS",
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
    "TagCollision",
    "VerifiedAssets",
    "check_key",
    "compare_tags",
    "iter_tags",
    "key_challenge",
    "read_header",
    "start_transcript",
    "tag_base",
    "tag_message",
    "verify_assets",
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


# --- the verifier (17.6) -----------------------------------------------------------------

DEFAULT_BATCH_KEYS: Final[int] = 4096
_POINTS_PER_KEY: Final[int] = 8  # the record's seven points and the key Y
_EQUATIONS: Final[tuple[str, ...]] = (
    'branch "not owned": z_r0 H = A_P0 + c0 P',
    'branch "not owned": z_u0 J = A_T0 + c0 T',
    'branch "owned": z_r1 H = A_P1 + c1 (P - b G)',
    'branch "owned": z_x1 G = A_Y1 + c1 Y',
    'branch "owned": z_x1 J = A_T1 + c1 T',
)
#: Each term's scalar size in bytes: P, T and Y full scalars, the weights of A_* 128 bits.
_TERM_BYTES: Final[tuple[int, ...]] = (32, 32, 16, 16, 16, 16, 16, 32)
_FIELD_OF_TERM: Final[tuple[str, ...]] = (*POINT_FIELDS, "the set's public key")


@dataclass(frozen=True)
class VerifiedAssets:
    """What a verified proof establishes: the reserves commitment sum(P_i) (it opens to the
    total balance of the keys the prover claimed, each of which it knows the secret of), the
    number of keys, the context digest and the tag base J."""

    commitment: Point
    count: int
    context_digest: bytes
    J: Point


def check_key(
    points: Sequence[Point], balance: int, c0: int, c1: int, z: Sequence[int], J: Point
) -> str | None:
    """The first of the five equations that fails for one key (``points`` = P, T, A_P0,
    A_T0, A_P1, A_Y1, A_T1, Y; ``z`` = z_r0, z_u0, z_r1, z_x1), or None when all hold."""
    p, t, a_p0, a_t0, a_p1, a_y1, a_t1, y = points
    z_r0, z_u0, z_r1, z_x1 = z
    pt = type(p)
    gens = generators(get_backend(pt.backend_name))
    g, h = gens.G, gens.H
    checks: tuple[tuple[tuple[int, ...], tuple[Point, ...]], ...] = (
        ((z_r0, N - 1, (-c0) % N), (h, a_p0, p)),
        ((z_u0, N - 1, (-c0) % N), (J, a_t0, t)),
        ((z_r1, N - 1, (-c1) % N, c1 * balance % N), (h, a_p1, p, g)),
        ((z_x1, N - 1, (-c1) % N), (g, a_y1, y)),
        ((z_x1, N - 1, (-c1) % N), (J, a_t1, t)),
    )
    for name, (scalars, bases) in zip(_EQUATIONS, checks):
        if not pt.msm(scalars, bases).is_identity():
            return name
    return None


def verify_assets(
    members: Iterable[tuple[bytes, int]],
    proof: BinaryIO,
    context: AssetsContext,
    *,
    point_type: type[Point] | None = None,
    batch_keys: int = DEFAULT_BATCH_KEYS,
) -> VerifiedAssets:
    """Verify the proof read from ``proof`` (header, then records) against ``members``
    (each (33-byte key, balance), in the set's order) and ``context``; return the reserves
    commitment. Raises VerificationError on any failure, naming the key index when one key
    is at fault (a key of ``members`` that is not a point included). An exception raised by
    ``members`` itself (a bad set line) passes through.

    The equations of all keys are checked in batches of ``batch_keys`` keys, each one
    multi-scalar multiplication with independent random 128-bit weights from the operating
    system (module doc, 17.6); a failed batch is re-checked key by key to name the first
    bad key."""
    pt = point_type or active_backend().Point
    gens = generators(get_backend(pt.backend_name))
    J = context.tag_base(pt)
    try:
        header = read_header(proof)
    except EncodingError as exc:
        raise VerificationError(f"proof header: {exc}") from None
    if header.count != context.count:
        raise VerificationError(
            f"the proof has {header.count} records and the set {context.count} keys"
        )
    digest = context.digest()
    if header.context_digest != digest:
        raise VerificationError(
            "the proof was made for another context (set file, exchange, round or block)"
        )
    if batch_keys < 1:
        raise ValueError("batch_keys must be at least 1")
    challenge = KeyChallenger(digest)
    batch = msm_batch(pt, _POINTS_PER_KEY * batch_keys)
    add_terms = batch.add_many
    # per pending key: index, balance, c0, c1, z_r0, z_u0, z_r1, z_x1 (handles are 8 * k..)
    pending: list[tuple[int, int, int, int, int, int, int, int]] = []
    total = pt.identity()
    s_g = s_h = s_j = 0
    count = context.count
    n = N
    from_bytes = int.from_bytes
    weights = b""
    woff = 0

    def flush() -> None:
        nonlocal total, s_g, s_h, s_j
        if not pending:
            return
        check = batch.evaluate() + pt.msm(((-s_g) % n, (-s_h) % n, (-s_j) % n), (gens.G, gens.H, J))
        if not check.is_identity():
            _name_bad_key(batch, pending, J)
        total = total + batch.sum_points(range(0, _POINTS_PER_KEY * len(pending), _POINTS_PER_KEY))
        batch.reset()
        pending.clear()
        s_g = s_h = s_j = 0

    index = -1
    for index, (key, balance) in enumerate(members):
        if index >= count:
            raise VerificationError(f"the set holds more than the {count} keys of the proof")
        if not 0 <= balance < U64:
            raise VerificationError(f"key {index}: the set's balance is not in [0, 2^64)")
        rec = proof.read(RECORD_BYTES)
        if len(rec) != RECORD_BYTES:
            raise VerificationError(f"key {index}: the proof ends inside this key's record")
        c0 = from_bytes(rec[231:263], "big")
        z_r0 = from_bytes(rec[263:295], "big")
        z_u0 = from_bytes(rec[295:327], "big")
        z_r1 = from_bytes(rec[327:359], "big")
        z_x1 = from_bytes(rec[359:391], "big")
        if c0 >= n or z_r0 >= n or z_u0 >= n or z_r1 >= n or z_x1 >= n:
            bad = next(
                name for name, s in zip(SCALAR_FIELDS, (c0, z_r0, z_u0, z_r1, z_x1)) if s >= n
            )
            raise VerificationError(f"key {index}: {bad}: non-canonical scalar (>= n)")
        c = challenge(index, key, balance, rec[:231])
        if c == 0:
            raise VerificationError(f"key {index}: zero challenge")
        c1 = (c - c0) % n
        if woff == len(weights):
            weights = secrets.token_bytes(80 * 256)
            woff = 0
        w1 = from_bytes(weights[woff : woff + 16], "big")
        w2 = from_bytes(weights[woff + 16 : woff + 32], "big")
        w3 = from_bytes(weights[woff + 32 : woff + 48], "big")
        w4 = from_bytes(weights[woff + 48 : woff + 64], "big")
        w5 = from_bytes(weights[woff + 64 : woff + 80], "big")
        woff += 80
        try:
            add_terms(
                (
                    rec[0:33],
                    rec[33:66],
                    rec[66:99],
                    rec[99:132],
                    rec[132:165],
                    rec[165:198],
                    rec[198:231],
                    key,
                ),
                (w1 * c0 + w3 * c1, w2 * c0 + w5 * c1, w1, w2, w3, w4, w5, w4 * c1),
                _TERM_BYTES,
            )
        except _TermError as exc:
            raise VerificationError(
                f"key {index}: {_FIELD_OF_TERM[exc.position]}: {exc.reason}"
            ) from None
        s_g += w3 * c1 * balance + w4 * z_x1
        s_h += w1 * z_r0 + w3 * z_r1
        s_j += w2 * z_u0 + w5 * z_x1
        pending.append((index, balance, c0, c1, z_r0, z_u0, z_r1, z_x1))
        if len(pending) >= batch_keys:
            flush()
    flush()
    if index + 1 != count:
        raise VerificationError(f"the set holds {index + 1} keys, not the {count} of the proof")
    if proof.read(1):
        raise VerificationError("extra bytes after the last record of the proof")
    return VerifiedAssets(total, count, digest, J)


def _name_bad_key(
    batch: MsmBatch, pending: list[tuple[int, int, int, int, int, int, int, int]], J: Point
) -> None:
    """Raise VerificationError naming the first key of a failed batch whose equations fail."""
    for k, (index, balance, c0, c1, *z) in enumerate(pending):
        base = _POINTS_PER_KEY * k
        points = [batch.point(base + j) for j in range(_POINTS_PER_KEY)]
        failed = check_key(points, balance, c0, c1, z, J)
        if failed is not None:
            raise VerificationError(f"key {index}: {failed} does not hold")
    raise VerificationError("a batch of keys failed to verify")  # pragma: no cover


# --- comparing two proofs at one block (17.7) --------------------------------------------
#
# A claimed key's tag is x J, with J fixed by the chain and the block, so two proofs at one
# block that both claim a key publish the same tag for it; and no proof can carry a tag whose
# discrete log to base J its prover does not know (both branches prove it), so a tag cannot
# be copied from another exchange's proof to frame it. An unclaimed key's tag u J is random:
# it collides with another proof's tag only by chance (probability about 2^-256).


@dataclass(frozen=True)
class TagCollision:
    """A key both proofs tag alike: claimed by both (or its secret known to both)."""

    key: bytes
    index_a: int
    index_b: int
    tag: bytes


def iter_tags(proof: BinaryIO, context: AssetsContext) -> Iterator[bytes]:
    """The T field of every record of ``proof``, in order, after checking its header
    against ``context`` (VerificationError otherwise, or if the proof is cut short)."""
    try:
        header = ProofHeader.from_bytes(proof.read(HEADER_BYTES))
    except EncodingError as exc:
        raise VerificationError(f"proof header: {exc}") from None
    if header.count != context.count or header.context_digest != context.digest():
        raise VerificationError("the proof was not made for this set, exchange and round")
    start, end = RECORD_FIELDS["T"]
    for index in range(header.count):
        rec = proof.read(RECORD_BYTES)
        if len(rec) != RECORD_BYTES:
            raise VerificationError(f"key {index}: the proof ends inside this key's record")
        yield rec[start:end]


def compare_tags(
    keys_a: Iterable[bytes],
    proof_a: BinaryIO,
    context_a: AssetsContext,
    keys_b: Iterable[bytes],
    proof_b: BinaryIO,
    context_b: AssetsContext,
) -> list[TagCollision]:
    """Every key present in both sets whose two tags are equal. Both key streams must be
    in ascending byte order (as a set file is); two sets of different blocks or chains are
    not comparable (ParameterError): their J differ."""
    if (context_a.chain, context_a.chain_id, context_a.block_height) != (
        context_b.chain,
        context_b.chain_id,
        context_b.block_height,
    ):
        raise ParameterError(
            "the two proofs are not at the same block of the same chain: their tags differ "
            "by construction and cannot be compared"
        )
    it_a = zip(keys_a, iter_tags(proof_a, context_a))
    it_b = zip(keys_b, iter_tags(proof_b, context_b))
    out: list[TagCollision] = []
    ia = ib = 0
    a = next(it_a, None)
    b = next(it_b, None)
    while a is not None and b is not None:
        if a[0] < b[0]:
            a = next(it_a, None)
            ia += 1
        elif b[0] < a[0]:
            b = next(it_b, None)
            ib += 1
        else:
            if a[1] == b[1]:
                out.append(TagCollision(a[0], ia, ib, a[1]))
            a, b = next(it_a, None), next(it_b, None)
            ia += 1
            ib += 1
    return out
