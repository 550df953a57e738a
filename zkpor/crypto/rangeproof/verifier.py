"""The range-proof verifier: one multi-scalar multiplication per proof, or per batch.

With the challenges y, z, x, w, u_1..u_k recomputed from the transcript, s_i from
:func:`.ipa.verification_scalars`, and a random weight c combining the two checks
(t_x G + tau_x H = z^2 <z^m, V> + delta G + x T1 + x^2 T2, and the inner-product
relation), a proof is valid iff

    A + x S + sum_j c z^(2+j) V_j + c x T1 + c x^2 T2 + sum_i (u_i^2 L_i + u_i^-2 R_i)
      + (w (t_x - a b) + c (delta(y, z) - t_x)) G + (-mu - c tau_x) H
      + sum_i (-z - a s_i) G_i + sum_i (z + y^-i (z^(2+j(i)) 2^(i mod n) - b s_(nm-1-i))) H_i

is the identity (j(i) = floor(i / n)). Batch verification adds these sums for many proofs,
each multiplied by an independent random 128-bit weight, merging the G, H, G_i and H_i
terms; a batch with an invalid proof passes with probability at most 2^-128 per batch.
The weights come from the operating system and are unknown to the prover.

Every failure, malformed input included, raises :class:`~zkpor.errors.VerificationError`:
wrong parameters (bits not in {8, 16, 32, 64}, m not a power of two, commitment count, k
not log2(n m)), identity or non-canonical points, a zero challenge, a failed equation.

Spec: docs/spec/range-proofs.md (section 6).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from zkpor.crypto.group import N, Point
from zkpor.crypto.rangeproof.accumulator import Accumulator, Commitments, decode_commitments
from zkpor.crypto.rangeproof.ipa import verification_scalars
from zkpor.crypto.rangeproof.proof import RangeProof
from zkpor.crypto.rangeproof.statement import check_parameters, delta, start_transcript
from zkpor.errors import VerificationError, ZkporError

__all__ = ["verify", "verify_batch"]


def _accumulate(
    acc: Accumulator,
    proof: RangeProof,
    commitments: Commitments,
    bits: int,
    weight: int,
    context: bytes = b"",
) -> None:
    """Add one proof's verification terms, times ``weight``, to the batch."""
    if not isinstance(proof, RangeProof):
        raise VerificationError(f"expected a RangeProof, got {type(proof).__name__}")
    m = len(commitments)
    k = check_parameters(bits, m)
    if proof.rounds != k or len(proof.R) != k:
        raise VerificationError(
            f"proof has {proof.rounds} inner-product rounds; n={bits}, m={m} needs {k}"
        )
    pt = acc.point_type
    for name, p in (("A", proof.A), ("S", proof.S), ("T1", proof.T1), ("T2", proof.T2)):
        if not isinstance(p, pt):
            raise VerificationError(f"proof field {name} is not a {pt.backend_name} point")
    for p in (*proof.L, *proof.R):
        if not isinstance(p, pt):
            raise VerificationError("proof field L/R is not a point of the expected backend")
    for name, s in (
        ("t_x", proof.t_x),
        ("t_x_blinding", proof.t_x_blinding),
        ("e_blinding", proof.e_blinding),
        ("a", proof.a),
        ("b", proof.b),
    ):
        if not isinstance(s, int) or not 0 <= s < N:
            raise VerificationError(f"proof field {name} is not a canonical scalar")
    vs = decode_commitments(commitments, pt)

    t = start_transcript(bits, vs, context)
    t.append_point(b"A", proof.A)
    t.append_point(b"S", proof.S)
    y = t.challenge_scalar(b"y")
    z = t.challenge_scalar(b"z")
    t.append_point(b"T1", proof.T1)
    t.append_point(b"T2", proof.T2)
    x = t.challenge_scalar(b"x")
    t.append_scalar(b"t_x", proof.t_x)
    t.append_scalar(b"t_x_blinding", proof.t_x_blinding)
    t.append_scalar(b"e_blinding", proof.e_blinding)
    w = t.challenge_scalar(b"w")
    nm = bits * m
    t.append_u64(b"ipa_n", nm)
    us: list[int] = []
    for left, right in zip(proof.L, proof.R):
        t.append_point(b"L", left)
        t.append_point(b"R", right)
        us.append(t.challenge_scalar(b"u"))

    c = secrets.randbits(128) | 1  # combines the two checks of this proof
    s_vec = verification_scalars(us, nm)
    a, b = proof.a, proof.b
    zz = z * z % N
    y_inv = pow(y, -1, N)
    wz = weight * z % N

    acc.grow(nm)
    g_vec, h_vec = acc.g_vec, acc.h_vec
    minus_wz = -wz
    wa = weight * a % N
    for i in range(nm):
        g_vec[i] = (g_vec[i] + minus_wz - wa * s_vec[i]) % N
    two_pows = [1 << i for i in range(bits)]
    y_inv_i = weight  # weight * y^-i
    i = 0
    zj = zz
    for _ in range(m):
        for tp in two_pows:
            h_vec[i] = (h_vec[i] + wz + y_inv_i * (zj * tp - b * s_vec[nm - 1 - i])) % N
            y_inv_i = y_inv_i * y_inv % N
            i += 1
        zj = zj * z % N

    wc = weight * c % N
    acc.g = (
        acc.g + weight * w % N * (proof.t_x - a * b) + wc * (delta(bits, m, y, z) - proof.t_x)
    ) % N
    acc.h = (acc.h - weight * proof.e_blinding - wc * proof.t_x_blinding) % N
    zj = zz
    for v in vs:
        acc.scalars.append(wc * zj % N)
        acc.points.append(v)
        zj = zj * z % N
    acc.scalars += [weight, weight * x % N, wc * x % N, wc * x % N * x % N]
    acc.points += [proof.A, proof.S, proof.T1, proof.T2]
    for u, left, right in zip(us, proof.L, proof.R):
        u2 = u * u % N
        acc.scalars += [weight * u2 % N, weight * pow(u2, -1, N) % N]
        acc.points += [left, right]


def _as_proof(proof: object, point_type: type[Point] | None = None) -> RangeProof:
    """A RangeProof as given, or parsed from bytes (on ``point_type``, default: active)."""
    if isinstance(proof, (bytes, bytearray, memoryview)):
        return RangeProof.from_bytes(bytes(proof), point_type or Point)
    if not isinstance(proof, RangeProof):
        raise VerificationError(f"expected a RangeProof or bytes, got {type(proof).__name__}")
    return proof


def _point_type(proof: object) -> type[Point]:
    if not isinstance(proof, RangeProof):
        raise VerificationError(f"expected a RangeProof, got {type(proof).__name__}")
    if not isinstance(proof.A, Point):
        raise VerificationError("proof field A is not a point")
    return type(proof.A)


def _commitment_type(commitments: object) -> type[Point] | None:
    if isinstance(commitments, (list, tuple)) and commitments and isinstance(commitments[0], Point):
        return type(commitments[0])
    return None


def verify(
    proof: RangeProof | bytes, commitments: Commitments, bits: int = 64, *, context: bytes = b""
) -> None:
    """Check that ``proof`` shows every commitment opens to a value in [0, 2^bits).

    ``proof`` is a RangeProof or its encoding; ``commitments`` are Points or their 33-byte
    encodings, in the order they were proven. The verifier fixes n = ``bits`` and
    m = len(commitments) itself and never takes them from the proof; ``context`` must be the
    one the prover bound (empty for tree node proofs). Raises
    VerificationError on any failure (see module doc); returns None on success.
    """
    try:
        proof = _as_proof(proof, _commitment_type(commitments))
        acc = Accumulator(_point_type(proof))
        _accumulate(acc, proof, commitments, bits, 1, context)
        result = acc.evaluate()
    except VerificationError:
        raise
    except (ZkporError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise VerificationError(f"range proof rejected: {exc}") from None
    if not result.is_identity():
        raise VerificationError("range proof does not verify")


def verify_batch(items: Sequence[tuple[RangeProof | bytes, Commitments, int]]) -> None:
    """Verify many (proof, commitments, bits) at once with one multi-scalar multiplication.

    Fails (VerificationError) if any proof is invalid; the message names the first invalid
    item, found by re-checking items one by one only after the batch fails. All proofs must
    be on the same backend. An empty batch passes.
    """
    if not items:
        return
    parsed: list[tuple[RangeProof, Commitments, int]] = []
    try:
        for idx, item in enumerate(items):
            try:
                raw, commitments, bits = item
                parsed.append((_as_proof(raw, _commitment_type(commitments)), commitments, bits))
            except (ZkporError, ValueError, TypeError) as exc:
                raise VerificationError(f"batch item {idx}: range proof rejected: {exc}") from None
        acc = Accumulator(_point_type(parsed[0][0]))
        for idx, (proof, commitments, bits) in enumerate(parsed):
            try:
                weight = secrets.randbits(128) | 1
                _accumulate(acc, proof, commitments, bits, weight)
            except VerificationError as exc:
                raise VerificationError(f"batch item {idx}: {exc}") from None
            except (ZkporError, ValueError, TypeError, AttributeError, IndexError) as exc:
                raise VerificationError(f"batch item {idx}: range proof rejected: {exc}") from None
        result = acc.evaluate()
    except VerificationError:
        raise
    except (ZkporError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise VerificationError(f"range proof batch rejected: {exc}") from None
    if result.is_identity():
        return
    for idx, (proof, commitments, bits) in enumerate(parsed):
        try:
            verify(proof, commitments, bits)
        except VerificationError as exc:
            raise VerificationError(f"batch item {idx}: {exc}") from None
    raise VerificationError("range proof batch does not verify")  # pragma: no cover
