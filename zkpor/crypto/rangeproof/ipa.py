"""The inner-product argument (Buenz et al. 2018, protocol 2, with the log-size recursion).

Statement: P = <a, G> + <b, H'> + <a, b> Q, where H'_i = y^-i H_i. Each round halves the
vectors. With lo/hi the two halves and u the round's challenge::

    L = <a_lo, G_hi> + <b_hi, H'_lo> + <a_lo, b_hi> Q
    R = <a_hi, G_lo> + <b_lo, H'_hi> + <a_hi, b_lo> Q
    a' = u a_lo + u^-1 a_hi          b' = u^-1 b_lo + u b_hi
    G' = u^-1 G_lo + u G_hi          H' = u H'_lo + u^-1 H'_hi

so that P' = P + u^2 L + u^-2 R holds for (a', b', G', H'). After k = log2(len) rounds the
prover sends the scalars a, b. Unrolled, the final generators are <s, G> and <s^-1, H'> with
s_i = prod_j u_j^(+1 if bit (k-1-j) of i is set else -1) (round j = 0 is the first), which
is what the verifier uses (:func:`verification_scalars`).

Prover cost trick: a folded generator is kept as (scale, point) with one scale for all of G
and one for all of H' (times y^-i), because in every round the ratio between a hi and a lo
scale is the same for all positions (1 for G, y^-half for H'). Folding a point is then one
scalar multiplication and one addition: G'_i = (u^-1 s_G)(G_lo + u^2 G_hi) and
H'_i = (u s_H y^-i)(H_lo + u^-2 y^-half H_hi).

Spec: docs/spec/range-proofs.md (section 6).
"""

from __future__ import annotations

from collections.abc import Sequence

from zkpor.crypto.group import N, Point, batch_invert, scalar_to_bytes
from zkpor.crypto.transcript import Transcript

__all__ = ["prove_inner_product", "verification_scalars"]


def _ip(a: Sequence[int], b: Sequence[int]) -> int:
    return sum(x * y for x, y in zip(a, b)) % N


def prove_inner_product(
    transcript: Transcript,
    q: Point,
    g_vec: Sequence[Point],
    h_vec: Sequence[Point],
    y_inv: int,
    a: Sequence[int],
    b: Sequence[int],
    *,
    trace: dict[str, object] | None = None,
) -> tuple[list[Point], list[Point], int, int]:
    """Run the prover's rounds; return (L_1..L_k, R_1..R_k, a, b).

    ``h_vec`` are the unscaled H_i; the argument is over H'_i = y_inv^i H_i. ``trace``, when
    given (test vectors only), receives ``rounds``: per round a dict of ``size`` (the length
    of a and b before folding), ``L``, ``R`` (points) and ``u`` (scalar) as lowercase hex; and
    the final scalars ``a`` and ``b``.
    """
    pt = type(q)
    gp = list(g_vec)
    hp = list(h_vec)
    a = list(a)
    b = list(b)
    n = len(a)
    g_scale = 1
    h_scale = 1
    ls: list[Point] = []
    rs: list[Point] = []
    rounds: list[dict[str, object]] | None = None
    if trace is not None:
        rounds = []
        trace["rounds"] = rounds
    y_inv_pows = [1] * (n // 2 or 1)
    for i in range(1, len(y_inv_pows)):
        y_inv_pows[i] = y_inv_pows[i - 1] * y_inv % N
    while n > 1:
        half = n // 2
        a_lo, a_hi = a[:half], a[half:]
        b_lo, b_hi = b[:half], b[half:]
        c_l = _ip(a_lo, b_hi)
        c_r = _ip(a_hi, b_lo)
        # H' scale at position i of the current vector: h_scale * y_inv^i
        h_hi_base = h_scale * pow(y_inv, half, N) % N
        l_scalars = [x * g_scale % N for x in a_lo]
        l_scalars += [x * h_scale % N * yp % N for x, yp in zip(b_hi, y_inv_pows)]
        l_scalars.append(c_l)
        r_scalars = [x * g_scale % N for x in a_hi]
        r_scalars += [x * h_hi_base % N * yp % N for x, yp in zip(b_lo, y_inv_pows)]
        r_scalars.append(c_r)
        left = pt.msm(l_scalars, [*gp[half:], *hp[:half], q])
        right = pt.msm(r_scalars, [*gp[:half], *hp[half:], q])
        transcript.append_point(b"L", left)
        transcript.append_point(b"R", right)
        ls.append(left)
        rs.append(right)
        u = transcript.challenge_scalar(b"u")
        if rounds is not None:
            rounds.append(
                {
                    "size": n,
                    "L": left.to_bytes().hex(),
                    "R": right.to_bytes().hex(),
                    "u": scalar_to_bytes(u).hex(),
                }
            )
        u_inv = pow(u, -1, N)
        a = [(x * u + z * u_inv) % N for x, z in zip(a_lo, a_hi)]
        b = [(x * u_inv + z * u) % N for x, z in zip(b_lo, b_hi)]
        if half > 1:
            u2 = u * u % N
            g_fold = u2
            h_fold = u_inv * u_inv % N * pow(y_inv, half, N) % N
            gp = [lo + hi * g_fold for lo, hi in zip(gp[:half], gp[half:])]
            hp = [lo + hi * h_fold for lo, hi in zip(hp[:half], hp[half:])]
            g_scale = g_scale * u_inv % N
            h_scale = h_scale * u % N
        n = half
    if trace is not None:
        trace["a"] = scalar_to_bytes(a[0]).hex()
        trace["b"] = scalar_to_bytes(b[0]).hex()
    return ls, rs, a[0], b[0]


def verification_scalars(challenges: Sequence[int], length: int) -> list[int]:
    """s_0..s_(length-1) of the module doc, from the round challenges u_1..u_k.

    s_0 = prod u_j^-1, and s_i = s_(i - 2^t) * u_(k-1-t)^2 for t the top bit of i.
    """
    k = len(challenges)
    invs = batch_invert(challenges)
    s0 = 1
    for v in invs:
        s0 = s0 * v % N
    squares = [u * u % N for u in challenges]
    s = [0] * length
    s[0] = s0
    for i in range(1, length):
        top = i.bit_length() - 1
        s[i] = s[i - (1 << top)] * squares[k - 1 - top] % N
    return s
