"""The batched verifier of a private proof of assets, and the comparison of two proofs' tags.

Spec: docs/spec/private-reserves.md (sections 17.6 and 17.7). The shared definitions (J,
the context, the transcript, the record layout) are :mod:`zkpor.crypto.private_assets`.

Per key i with statement (Y_i, b_i) and record (P, T, A_P0, A_T0, A_P1, A_Y1, A_T1, c0,
z_r0, z_u0, z_r1, z_x1), c1 = c_i - c0 mod n, the five equations are::

    z_r0 H = A_P0 + c0 P            z_u0 J = A_T0 + c0 T          (branch "not owned")
    z_r1 H = A_P1 + c1 (P - b_i G)  z_x1 G = A_Y1 + c1 Y_i
    z_x1 J = A_T1 + c1 T                                          (branch "owned")

Weighted by five independent random 128-bit weights w1..w5 per key, all keys of a batch sum
to one multi-scalar multiplication whose result must be the identity; the G, H and J terms
of every key are gathered into one scalar each. A batch that fails is re-checked key by key
to name the first bad key. A false record passes a batch with probability at most 2^-128.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Final

from zkpor.crypto.generators import generators
from zkpor.crypto.group import N, Point
from zkpor.crypto.group.backend import active_backend, get_backend
from zkpor.crypto.group.bucket_msm import MsmBatch, msm_batch
from zkpor.crypto.group.bucket_msm import TermEncodingError as _TermError
from zkpor.crypto.private_assets import (
    HEADER_BYTES,
    POINT_FIELDS,
    RECORD_BYTES,
    RECORD_FIELDS,
    SCALAR_FIELDS,
    U64,
    AssetsContext,
    KeyChallenger,
    ProofHeader,
    read_header,
)
from zkpor.errors import EncodingError, ParameterError, VerificationError

__all__ = [
    "DEFAULT_BATCH_KEYS",
    "TagCollision",
    "VerifiedAssets",
    "check_key",
    "compare_tags",
    "iter_tags",
    "verify_assets",
]

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
_WEIGHT_BYTES: Final[int] = 80  # five 128-bit weights per key


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


def _scalars(index: int, rec: bytes) -> tuple[int, int, int, int, int]:
    """c0, z_r0, z_u0, z_r1, z_x1 of one record; VerificationError if one is >= n."""
    values = tuple(
        int.from_bytes(rec[start : start + 32], "big") for start in (231, 263, 295, 327, 359)
    )
    for name, s in zip(SCALAR_FIELDS, values):
        if s >= N:
            raise VerificationError(f"key {index}: {name}: non-canonical scalar (>= n)")
    return values  # type: ignore[return-value]


class _Batch:
    """The weighted equations of up to ``size`` keys, gathered into one MSM."""

    def __init__(self, pt: type[Point], J: Point, size: int) -> None:
        gens = generators(get_backend(pt.backend_name))
        self.pt, self.J, self.size = pt, J, size
        self.bases = (gens.G, gens.H, J)
        self.msm: MsmBatch = msm_batch(pt, _POINTS_PER_KEY * size)
        # per pending key: index, balance, c0, c1, z_r0, z_u0, z_r1, z_x1
        self.pending: list[tuple[int, int, int, int, int, int, int, int]] = []
        self.s_g = self.s_h = self.s_j = 0
        self.total = pt.identity()
        self._weights = b""
        self._woff = 0

    def _next_weights(self) -> tuple[int, ...]:
        if self._woff == len(self._weights):
            self._weights = secrets.token_bytes(_WEIGHT_BYTES * 256)
            self._woff = 0
        w = self._weights[self._woff : self._woff + _WEIGHT_BYTES]
        self._woff += _WEIGHT_BYTES
        return tuple(int.from_bytes(w[k : k + 16], "big") for k in range(0, _WEIGHT_BYTES, 16))

    def add(self, index: int, key: bytes, balance: int, rec: bytes, c: int) -> None:
        """Add key ``index``'s five equations, weighted; flush when the batch is full."""
        c0, z_r0, z_u0, z_r1, z_x1 = _scalars(index, rec)
        c1 = (c - c0) % N
        w1, w2, w3, w4, w5 = self._next_weights()
        points = (*(rec[k : k + 33] for k in range(0, 231, 33)), key)
        scalars = (w1 * c0 + w3 * c1, w2 * c0 + w5 * c1, w1, w2, w3, w4, w5, w4 * c1)
        try:
            self.msm.add_many(points, scalars, _TERM_BYTES)
        except _TermError as exc:
            raise VerificationError(
                f"key {index}: {_FIELD_OF_TERM[exc.position]}: {exc.reason}"
            ) from None
        self.s_g += w3 * c1 * balance + w4 * z_x1
        self.s_h += w1 * z_r0 + w3 * z_r1
        self.s_j += w2 * z_u0 + w5 * z_x1
        self.pending.append((index, balance, c0, c1, z_r0, z_u0, z_r1, z_x1))
        if len(self.pending) >= self.size:
            self.flush()

    def flush(self) -> None:
        """Check the pending keys (naming the first bad one) and add their P to the total."""
        if not self.pending:
            return
        gathered = ((-self.s_g) % N, (-self.s_h) % N, (-self.s_j) % N)
        if not (self.msm.evaluate() + self.pt.msm(gathered, self.bases)).is_identity():
            self._name_bad_key()
        count = _POINTS_PER_KEY * len(self.pending)
        self.total = self.total + self.msm.sum_points(range(0, count, _POINTS_PER_KEY))
        self.msm.reset()
        self.pending.clear()
        self.s_g = self.s_h = self.s_j = 0

    def _name_bad_key(self) -> None:
        for k, (index, balance, c0, c1, *z) in enumerate(self.pending):
            base = _POINTS_PER_KEY * k
            points = [self.msm.point(base + j) for j in range(_POINTS_PER_KEY)]
            failed = check_key(points, balance, c0, c1, z, self.J)
            if failed is not None:
                raise VerificationError(f"key {index}: {failed} does not hold")
        raise VerificationError("a batch of keys failed to verify")  # pragma: no cover


def _open(proof: BinaryIO, context: AssetsContext) -> bytes:
    """Read the header; check it against ``context``; return the context digest."""
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
    return digest


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
    system (module doc); a failed batch is re-checked key by key to name the first bad key."""
    if batch_keys < 1:
        raise ValueError("batch_keys must be at least 1")
    pt = point_type or active_backend().Point
    J = context.tag_base(pt)
    digest = _open(proof, context)
    challenge = KeyChallenger(digest)
    batch = _Batch(pt, J, batch_keys)
    count = context.count
    index = -1
    for index, (key, balance) in enumerate(members):
        if index >= count:
            raise VerificationError(f"the set holds more than the {count} keys of the proof")
        if not 0 <= balance < U64:
            raise VerificationError(f"key {index}: the set's balance is not in [0, 2^64)")
        rec = proof.read(RECORD_BYTES)
        if len(rec) != RECORD_BYTES:
            raise VerificationError(f"key {index}: the proof ends inside this key's record")
        c = challenge(index, key, balance, rec[:231])
        if c == 0:
            raise VerificationError(f"key {index}: zero challenge")
        batch.add(index, key, balance, rec, c)
    batch.flush()
    if index + 1 != count:
        raise VerificationError(f"the set holds {index + 1} keys, not the {count} of the proof")
    if proof.read(1):
        raise VerificationError("extra bytes after the last record of the proof")
    return VerifiedAssets(batch.total, count, digest, J)


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
