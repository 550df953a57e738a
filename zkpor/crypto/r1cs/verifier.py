"""The arithmetic-circuit verifier: one multi-scalar multiplication per proof, or per batch.

With y, z, x, w, u_1..u_k recomputed from the transcript, the z-combined weights
(:func:`.statement.combine`), s_i from :func:`zkpor.crypto.rangeproof.ipa.verification_scalars`
and a random weight c joining the two checks, a proof is valid iff

    x A_I + x^2 A_O + x^3 S + sum_i (u_i^2 L_i + u_i^-2 R_i)
      + (w (t_x - a b) + c (x^2 (delta - w_c) - t_x)) G + (-mu - c tau_x) H
      - c x^2 sum_j w_V[j] V_j + c (x T1 + x^3 T3 + x^4 T4 + x^5 T5 + x^6 T6)
      + sum_i (x y^-i w_R[i] - a s_i) G_i + sum_i (y^-i (x w_L[i] + w_O[i] - b s_(n'-1-i)) - 1) H_i

is the identity. The first line and the G_i, H_i sums are the inner-product relation for
P = x A_I + x^2 A_O + x^3 S - mu H + <x y^-n o w_R, G> + <y^-n o (x w_L + w_O) - 1, H>;
the c terms check t_x G + tau_x H = x^2 (delta - w_c) G - x^2 <w_V, V> + sum_{i != 2} x^i T_i.
Batch verification adds these sums for many proofs, each times an independent random
128-bit weight, merging the G, H, G_i, H_i terms (an invalid proof passes with probability
at most about 2^-128 per batch).

The verifier computes with plain integers: it imports neither galois nor numpy, nor the
prover. Every failure, malformed input included, raises
:class:`~zkpor.errors.VerificationError`: a circuit that is not well formed, a commitment
count other than the circuit's m, an identity or non-canonical point, a proof whose round
count is not log2(n'), a zero challenge, a failed equation.

Spec: docs/spec/arithmetic-circuits.md (section 15).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from zkpor.crypto.group import N, Point, batch_invert
from zkpor.crypto.r1cs.proof import POINT_FIELDS, R1CSProof, rounds_for
from zkpor.crypto.r1cs.statement import combine, delta, start_transcript
from zkpor.crypto.r1cs.system import Circuit
from zkpor.crypto.rangeproof.accumulator import Accumulator, Commitments, decode_commitments
from zkpor.crypto.rangeproof.ipa import verification_scalars
from zkpor.errors import VerificationError, ZkporError

__all__ = ["verify", "verify_batch"]


def _check_fields(proof: R1CSProof, pt: type[Point]) -> None:
    for name, p in zip(POINT_FIELDS, proof.points()):
        if not isinstance(p, pt):
            raise VerificationError(f"proof field {name} is not a {pt.backend_name} point")
        if p.is_identity():
            raise VerificationError(f"proof field {name} is the identity")
    if len(proof.L) != len(proof.R):
        raise VerificationError("proof has unequal numbers of L and R points")
    for p in (*proof.L, *proof.R):
        if not isinstance(p, pt) or p.is_identity():
            raise VerificationError("proof field L/R is not a non-identity point of the backend")
    for name in ("t_x", "t_x_blinding", "e_blinding", "a", "b"):
        s = getattr(proof, name)
        if not isinstance(s, int) or isinstance(s, bool) or not 0 <= s < N:
            raise VerificationError(f"proof field {name} is not a canonical scalar")


def _accumulate(
    acc: Accumulator,
    circuit: Circuit,
    proof: R1CSProof,
    commitments: Commitments,
    weight: int,
) -> None:
    """Add one proof's verification terms, times ``weight``, to the batch."""
    if not isinstance(circuit, Circuit):
        raise VerificationError(f"expected a Circuit, got {type(circuit).__name__}")
    if not isinstance(proof, R1CSProof):
        raise VerificationError(f"expected an R1CSProof, got {type(proof).__name__}")
    try:
        circuit.check_shape()
    except ZkporError as exc:
        raise VerificationError(f"circuit is not well formed: {exc}") from None
    if len(commitments) != circuit.inputs:
        raise VerificationError(
            f"circuit has {circuit.inputs} committed inputs, got {len(commitments)} commitments"
        )
    k = rounds_for(circuit.gates)
    if proof.rounds != k:
        raise VerificationError(
            f"proof has {proof.rounds} inner-product rounds; a {circuit.gates}-gate circuit needs {k}"
        )
    pt = acc.point_type
    _check_fields(proof, pt)
    vs = decode_commitments(commitments, pt)
    n2 = circuit.padded_gates

    t = start_transcript(circuit, vs)
    t.append_point(b"A_I", proof.A_I)
    t.append_point(b"A_O", proof.A_O)
    t.append_point(b"S", proof.S)
    y = t.challenge_scalar(b"y")
    z = t.challenge_scalar(b"z")
    for name, p in zip(("T1", "T3", "T4", "T5", "T6"), proof.points()[3:]):
        t.append_point(name.encode(), p)
    x = t.challenge_scalar(b"x")
    t.append_scalar(b"t_x", proof.t_x)
    t.append_scalar(b"t_x_blinding", proof.t_x_blinding)
    t.append_scalar(b"e_blinding", proof.e_blinding)
    w = t.challenge_scalar(b"w")
    t.append_u64(b"ipa_n", n2)
    us: list[int] = []
    for left, right in zip(proof.L, proof.R):
        t.append_point(b"L", left)
        t.append_point(b"R", right)
        us.append(t.challenge_scalar(b"u"))

    c = secrets.randbits(128) | 1
    wts = combine(circuit, z, n2)
    y_inv = pow(y, -1, N)
    y_inv_pows = [1] * n2
    for i in range(1, n2):
        y_inv_pows[i] = y_inv_pows[i - 1] * y_inv % N
    s_vec = verification_scalars(us, n2)
    a, b = proof.a, proof.b
    x2 = x * x % N

    acc.grow(n2)
    g_vec, h_vec = acc.g_vec, acc.h_vec
    wa = weight * a % N
    wb = weight * b % N
    wx = weight * x % N
    for i in range(n2):
        wy = weight * y_inv_pows[i] % N
        g_vec[i] = (g_vec[i] + wx * y_inv_pows[i] % N * wts.w_r[i] - wa * s_vec[i]) % N
        h_vec[i] = (
            h_vec[i]
            + wy * ((x * wts.w_l[i] + wts.w_o[i]) % N)
            - wb * y_inv_pows[i] % N * s_vec[n2 - 1 - i]
            - weight
        ) % N

    wc = weight * c % N
    d = delta(wts, y_inv_pows)
    acc.g = (
        acc.g + weight * w % N * (proof.t_x - a * b) + wc * ((x2 * (d - wts.w_c) - proof.t_x) % N)
    ) % N
    acc.h = (acc.h - weight * proof.e_blinding - wc * proof.t_x_blinding) % N
    minus = (-wc * x2) % N
    for wv, v in zip(wts.w_v, vs):
        if wv:
            acc.scalars.append(minus * wv % N)
            acc.points.append(v)
    acc.scalars += [wx, wx * x % N, wx * x2 % N]
    acc.points += [proof.A_I, proof.A_O, proof.S]
    xi = wc * x % N
    for idx, p in enumerate(proof.points()[3:]):
        acc.scalars.append(xi)
        acc.points.append(p)
        xi = xi * (x2 if idx == 0 else x) % N
    squares = [u * u % N for u in us]
    inv_squares = batch_invert(squares) if squares else []
    for u2, u2_inv, left, right in zip(squares, inv_squares, proof.L, proof.R):
        acc.scalars += [weight * u2 % N, weight * u2_inv % N]
        acc.points += [left, right]


def _as_proof(proof: object, circuit: Circuit, point_type: type[Point] | None) -> R1CSProof:
    if isinstance(proof, (bytes, bytearray, memoryview)):
        return R1CSProof.from_bytes(bytes(proof), point_type or Point, gates=circuit.gates)
    if not isinstance(proof, R1CSProof):
        raise VerificationError(f"expected an R1CSProof or bytes, got {type(proof).__name__}")
    return proof


def _point_type(proof: R1CSProof) -> type[Point]:
    if not isinstance(proof.A_I, Point):
        raise VerificationError("proof field A_I is not a point")
    return type(proof.A_I)


def _commitment_type(commitments: object) -> type[Point] | None:
    if isinstance(commitments, (list, tuple)) and commitments and isinstance(commitments[0], Point):
        return type(commitments[0])
    return None


_ERRORS = (ZkporError, ValueError, TypeError, AttributeError, IndexError)


def verify(circuit: Circuit, proof: R1CSProof | bytes, commitments: Commitments) -> None:
    """Check that ``proof`` shows the committed values satisfy ``circuit``.

    ``circuit`` is rebuilt by the verifier from public parameters (the statement's
    definition in :mod:`zkpor.circuits`); ``commitments`` are Points or 33-byte encodings,
    in the circuit's input order. Raises VerificationError on any failure; returns None.
    """
    try:
        parsed = _as_proof(proof, circuit, _commitment_type(commitments))
        acc = Accumulator(_point_type(parsed))
        _accumulate(acc, circuit, parsed, commitments, 1)
        result = acc.evaluate()
    except VerificationError:
        raise
    except _ERRORS as exc:
        raise VerificationError(f"R1CS proof rejected: {exc}") from None
    if not result.is_identity():
        raise VerificationError("R1CS proof does not verify")


def verify_batch(items: Sequence[tuple[Circuit, R1CSProof | bytes, Commitments]]) -> None:
    """Verify many (circuit, proof, commitments) with one multi-scalar multiplication.

    Fails (VerificationError) if any proof is invalid; the message names the first invalid
    item (``batch item i``), found by re-checking items one by one after the batch fails.
    All proofs must be on one backend. An empty batch passes.
    """
    if not items:
        return
    parsed: list[tuple[Circuit, R1CSProof, Commitments]] = []
    acc: Accumulator | None = None
    for idx, item in enumerate(items):
        try:
            circuit, raw, commitments = item
            proof = _as_proof(raw, circuit, _commitment_type(commitments))
            if acc is None:
                acc = Accumulator(_point_type(proof))
            _accumulate(acc, circuit, proof, commitments, secrets.randbits(128) | 1)
            parsed.append((circuit, proof, commitments))
        except VerificationError as exc:
            raise VerificationError(f"batch item {idx}: {exc}") from None
        except _ERRORS as exc:
            raise VerificationError(f"batch item {idx}: R1CS proof rejected: {exc}") from None
    assert acc is not None
    try:
        result = acc.evaluate()
    except _ERRORS as exc:
        raise VerificationError(f"R1CS proof batch rejected: {exc}") from None
    if result.is_identity():
        return
    for idx, (circuit, proof, commitments) in enumerate(parsed):
        try:
            verify(circuit, proof, commitments)
        except VerificationError as exc:
            raise VerificationError(f"batch item {idx}: {exc}") from None
    raise VerificationError("R1CS proof batch does not verify")  # pragma: no cover
