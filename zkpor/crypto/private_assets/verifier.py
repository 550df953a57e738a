"""The verifier of a private proof of assets (docs/spec/private-reserves.md, 17.6).

Per key i, with c_i recomputed from the transcript and c1 = c_i - c0 mod n, the record is
valid iff the five equations hold:

    (1) z_r0 H = A_P0 + c0 P            (2) z_u0 J = A_T0 + c0 T
    (3) z_r1 H = A_P1 + c1 (P - b G)    (4) z_x1 G = A_Y1 + c1 Y    (5) z_x1 J = A_T1 + c1 T

They are checked in batches of ``batch_keys`` keys (4096 by default) as ONE multi-scalar
multiplication per batch: each equation, written as ``A + c X - z Base = O``, is multiplied
by its own random 128-bit weight w_1..w_5 (from the operating system, drawn after the
records are read: the prover cannot know them) and everything is summed, the coefficients of
the fixed bases G, H and J merged:

    sum_i [ w1 A_P0 + w2 A_T0 + w3 A_P1 + w4 A_Y1 + w5 A_T1
            + (w1 c0 + w3 c1) P + (w2 c0 + w5 c1) T + w4 c1 Y ]
      - (sum_i w3 c1 b + w4 z_x1) G - (sum_i w1 z_r0 + w3 z_r1) H - (sum_i w2 z_u0 + w5 z_x1) J

must be the identity. A batch holding a false equation passes with probability at most
2^-128. When a batch fails, its keys are checked one by one to name the first bad key.

The set and the proof are read as streams: at most one batch of points is held at once, so
memory does not grow with the set. The returned reserves commitment is sum(P_i).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO, Final

from zkpor.crypto.generators import generators
from zkpor.crypto.group import N, Point
from zkpor.crypto.group.backend import active_backend, get_backend
from zkpor.crypto.group.bucket_msm import msm_batch
from zkpor.crypto.private_assets.proof import (
    POINT_FIELDS,
    RECORD_BYTES,
    SCALAR_FIELDS,
    read_header,
)
from zkpor.crypto.private_assets.statement import AssetsContext, key_challenge, start_transcript
from zkpor.errors import EncodingError, TranscriptError, VerificationError

__all__ = ["DEFAULT_BATCH_KEYS", "VerifiedAssets", "check_key", "verify_assets"]

DEFAULT_BATCH_KEYS: Final[int] = 4096
_POINTS_PER_KEY: Final[int] = 8  # the record's seven points and the key Y
_EQUATIONS: Final[tuple[str, ...]] = (
    'branch "not owned": z_r0 H = A_P0 + c0 P',
    'branch "not owned": z_u0 J = A_T0 + c0 T',
    'branch "owned": z_r1 H = A_P1 + c1 (P - b G)',
    'branch "owned": z_x1 G = A_Y1 + c1 Y',
    'branch "owned": z_x1 J = A_T1 + c1 T',
)


@dataclass(frozen=True)
class VerifiedAssets:
    """What a verified proof establishes: the reserves commitment sum(P_i) (it opens to the
    total balance of the keys the prover claimed, each of which it knows the secret of), the
    number of keys, the context digest and the tag base J."""

    commitment: Point
    count: int
    context_digest: bytes
    J: Point


@dataclass(frozen=True, slots=True)
class _Pending:
    index: int
    balance: int
    handle: int  # handles handle..handle+7: P, T, A_P0, A_T0, A_P1, A_Y1, A_T1, Y
    c0: int
    c1: int
    z: tuple[int, int, int, int]


def check_key(
    points: tuple[Point, ...], balance: int, c0: int, c1: int, z: tuple[int, ...], J: Point
) -> str | None:
    """The first of the five equations that fails for one key (``points`` = P, T, A_P0,
    A_T0, A_P1, A_Y1, A_T1, Y), or None when all hold."""
    p, t, a_p0, a_t0, a_p1, a_y1, a_t1, y = points
    z_r0, z_u0, z_r1, z_x1 = z
    pt = type(p)
    gens = generators(get_backend(pt.backend_name))
    g, h = gens.G, gens.H
    checks = (
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
    is at fault. An exception raised by ``members`` (a bad set line) passes through."""
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
    base = start_transcript(digest)
    batch = msm_batch(pt, _POINTS_PER_KEY * batch_keys)
    add = batch.add_encoded
    pending: list[_Pending] = []
    total = pt.identity()
    s_g = s_h = s_j = 0
    count = context.count
    n = N
    token = secrets.token_bytes
    from_bytes = int.from_bytes

    def flush() -> None:
        nonlocal total, s_g, s_h, s_j
        if not pending:
            return
        check = batch.evaluate() + pt.msm(((-s_g) % n, (-s_h) % n, (-s_j) % n), (gens.G, gens.H, J))
        if not check.is_identity():
            _name_bad_key(batch, pending, J)
        total = total + batch.sum_points([k.handle for k in pending])
        batch.reset()
        pending.clear()
        s_g = s_h = s_j = 0

    index = -1
    for index, (key, balance) in enumerate(members):
        if index >= count:
            raise VerificationError(f"the set holds more than the {count} keys of the proof")
        rec = proof.read(RECORD_BYTES)
        if len(rec) != RECORD_BYTES:
            raise VerificationError(f"key {index}: the proof ends inside this key's record")
        c0, z_r0, z_u0, z_r1, z_x1 = (
            from_bytes(rec[o : o + 32], "big") for o in range(231, 391, 32)
        )
        if c0 >= n or z_r0 >= n or z_u0 >= n or z_r1 >= n or z_x1 >= n:
            bad = next(
                name
                for name, o in zip(SCALAR_FIELDS, range(231, 391, 32))
                if from_bytes(rec[o : o + 32], "big") >= n
            )
            raise VerificationError(f"key {index}: {bad}: non-canonical scalar (>= n)")
        try:
            c = key_challenge(base, index, key, balance, rec[:231])
        except TranscriptError as exc:
            raise VerificationError(f"key {index}: {exc}") from None
        c1 = (c - c0) % n
        wb = token(80)
        w1 = from_bytes(wb[0:16], "big")
        w2 = from_bytes(wb[16:32], "big")
        w3 = from_bytes(wb[32:48], "big")
        w4 = from_bytes(wb[48:64], "big")
        w5 = from_bytes(wb[64:80], "big")
        field = "P"
        try:
            h = add(rec[0:33], w1 * c0 + w3 * c1)
            field = "T"
            add(rec[33:66], w2 * c0 + w5 * c1)
            field = "A_P0"
            add(rec[66:99], w1)
            field = "A_T0"
            add(rec[99:132], w2)
            field = "A_P1"
            add(rec[132:165], w3)
            field = "A_Y1"
            add(rec[165:198], w4)
            field = "A_T1"
            add(rec[198:231], w5)
            field = "the set's public key"
            add(key, w4 * c1)
        except EncodingError as exc:
            raise VerificationError(f"key {index}: {field}: {exc}") from None
        s_g += w3 * c1 * balance + w4 * z_x1
        s_h += w1 * z_r0 + w3 * z_r1
        s_j += w2 * z_u0 + w5 * z_x1
        pending.append(_Pending(index, balance, h, c0, c1, (z_r0, z_u0, z_r1, z_x1)))
        if len(pending) >= batch_keys:
            flush()
    flush()
    if index + 1 != count:
        raise VerificationError(f"the set holds {index + 1} keys, not the {count} of the proof")
    if proof.read(1):
        raise VerificationError("extra bytes after the last record of the proof")
    return VerifiedAssets(total, count, digest, J)


def _name_bad_key(batch: object, pending: list[_Pending], J: Point) -> None:
    """Raise VerificationError naming the first key of a failed batch whose equations fail."""
    from zkpor.crypto.group.bucket_msm import MsmBatch

    assert isinstance(batch, MsmBatch)
    for k in pending:
        points = tuple(batch.point(k.handle + j) for j in range(_POINTS_PER_KEY))
        failed = check_key(points, k.balance, k.c0, k.c1, k.z, J)
        if failed is not None:
            raise VerificationError(f"key {k.index}: {failed} does not hold")
    raise VerificationError("a batch of keys failed to verify")  # pragma: no cover


assert len(POINT_FIELDS) + 1 == _POINTS_PER_KEY
