"""The range-proof prover (aggregated Bulletproofs, Buenz et al. 2018, section 4.3).

For values v_0..v_(m-1) < 2^n with blindings gamma_j and commitments V_j = v_j G + gamma_j H:

1. a_L = the n bits of each v_j, concatenated; a_R = a_L - 1. A = alpha H + <a_L, G> + <a_R, H>.
2. s_L, s_R random; S = rho H + <s_L, G> + <s_R, H>. Challenges y, z.
3. l(X) = (a_L - z 1) + s_L X;  r(X) = y^(nm) o (a_R + z 1 + s_R X) + sum_j z^(2+j) 2^n_j
   (2^n_j: the powers of two in block j, zero elsewhere); t(X) = <l(X), r(X)> = t0 + t1 X + t2 X^2.
4. T_i = t_i G + tau_i H (i = 1, 2). Challenge x.
5. t_x = t(x), tau_x = tau_2 x^2 + tau_1 x + sum_j z^(2+j) gamma_j, mu = alpha + rho x.
   Challenge w; Q = w G.
6. Inner-product argument for l(x), r(x) over G and H' = y^-i H_i (:mod:`.ipa`).

Randomness comes from the operating system. ``rng=`` exists only to reproduce test vectors.

Spec: docs/spec/range-proofs.md (section 6).
"""

from __future__ import annotations

from collections.abc import Sequence

from zkpor.crypto.generators import GeneratorSet, generators
from zkpor.crypto.group import N, Point, random_scalar, scalar_to_bytes
from zkpor.crypto.group.scalar import RandomSource
from zkpor.crypto.rangeproof.ipa import prove_inner_product
from zkpor.crypto.rangeproof.proof import RangeProof
from zkpor.crypto.rangeproof.statement import check_parameters, delta, powers, start_transcript
from zkpor.errors import ParameterError

__all__ = ["prove"]


def _hex(s: int) -> str:
    return scalar_to_bytes(s).hex()


def prove(
    values: Sequence[int],
    blindings: Sequence[int],
    bits: int = 64,
    *,
    rng: RandomSource | None = None,
    gens: GeneratorSet | None = None,
    trace: dict[str, object] | None = None,
    context: bytes = b"",
) -> RangeProof:
    """Prove that every ``values[j]`` lies in [0, 2^bits), for V_j = v_j G + blindings[j] H.

    ``len(values)`` must be a power of two (at most 256) and ``bits`` one of 8, 16, 32, 64.
    Raises ParameterError for a value out of range, a blinding count that does not match,
    non-integer inputs, or a commitment that would be the identity (value and blinding 0).
    ``rng`` is for test vectors only (see :mod:`zkpor.crypto.drbg`); so is ``trace`` (see
    :func:`_prove`). ``context`` is bound into the transcript (the verifier must give the
    same; tree node proofs have none).
    """
    return _prove(
        values, blindings, bits, rng=rng, gens=gens, check_range=True, trace=trace, context=context
    )


def _prove(
    values: Sequence[int],
    blindings: Sequence[int],
    bits: int,
    *,
    rng: RandomSource | None,
    gens: GeneratorSet | None,
    check_range: bool,
    trace: dict[str, object] | None = None,
    context: bytes = b"",
) -> RangeProof:
    """The prover. ``check_range=False`` is for soundness tests only: it lets a test build a
    "proof" for an out-of-range value, which the verifier must reject.

    ``trace``, when given (test vectors only), is filled with the intermediate values as
    lowercase hex (scalars 32 bytes, points 33 bytes): the random draws ``alpha``, ``s_l``,
    ``s_r``, ``rho``, ``tau1``, ``tau2``; ``A``, ``S``, ``y``, ``z``, ``t1``, ``t2``, ``T1``,
    ``T2``, ``x``, ``t_x``, ``tau_x``, ``mu``, ``w``, the inner-product inputs ``l`` and ``r``
    (l(x), r(x)), and ``rounds`` (see :func:`.ipa.prove_inner_product`). Without it the
    prover does no extra work."""
    m = len(values)
    if len(blindings) != m:
        raise ParameterError(f"{m} values but {len(blindings)} blindings")
    check_parameters(bits, m)
    vals: list[int] = []
    gammas: list[int] = []
    for j, (v, g) in enumerate(zip(values, blindings)):
        if not isinstance(v, int) or isinstance(v, bool):
            raise ParameterError(f"value {j} is not an integer")
        if not isinstance(g, int) or isinstance(g, bool):
            raise ParameterError(f"blinding {j} is not an integer")
        if check_range and not 0 <= v < (1 << bits):
            raise ParameterError(f"value {j} is outside [0, 2^{bits})")
        g %= N
        if v % N == 0 and g == 0:
            raise ParameterError(f"value {j} and its blinding are both zero (identity commitment)")
        vals.append(v)
        gammas.append(g)

    gens = gens or generators()
    pt = gens.point_type
    g_base, h_base = gens.G, gens.H
    nm = bits * m
    g_vec, h_vec = gens.vectors(nm)
    commitments = [pt.msm((v % N, g), (g_base, h_base)) for v, g in zip(vals, gammas)]
    transcript = start_transcript(bits, commitments, context)

    mask = (1 << bits) - 1
    a_l = [((v & mask) >> i) & 1 for v in vals for i in range(bits)]
    alpha = random_scalar(rng)
    a_terms: list[Point] = [h_base * alpha]
    a_terms += [gi if bit else -hi for bit, gi, hi in zip(a_l, g_vec, h_vec)]
    a_commit = pt.sum(a_terms)

    s_l = [random_scalar(rng) for _ in range(nm)]
    s_r = [random_scalar(rng) for _ in range(nm)]
    rho = random_scalar(rng)
    s_commit = pt.msm([rho, *s_l, *s_r], [h_base, *g_vec, *h_vec])

    transcript.append_point(b"A", a_commit)
    transcript.append_point(b"S", s_commit)
    y = transcript.challenge_scalar(b"y")
    z = transcript.challenge_scalar(b"z")

    y_pows = powers(y, nm)
    zz = z * z % N
    two_pows = [1 << i for i in range(bits)]
    z_two = []  # sum_j z^(2+j) 2^n_j, entry by entry
    zj = zz
    for _ in range(m):
        z_two += [zj * t % N for t in two_pows]
        zj = zj * z % N
    l0 = [(bit - z) % N for bit in a_l]
    l1 = s_l
    r0 = [(yp * (bit - 1 + z) + zt) % N for yp, bit, zt in zip(y_pows, a_l, z_two)]
    r1 = [yp * s % N for yp, s in zip(y_pows, s_r)]
    t1 = (sum(a * b for a, b in zip(l0, r1)) + sum(a * b for a, b in zip(l1, r0))) % N
    t2 = sum(a * b for a, b in zip(l1, r1)) % N
    if check_range:
        # Self-check: t0 = z^2 <z^m, v> + delta(y, z) holds exactly when every value is in
        # range; a mismatch means a bug, and no proof leaves the prover.
        t0 = sum(a * b for a, b in zip(l0, r0)) % N
        expected = sum(zz * pow(z, j, N) * v for j, v in enumerate(vals)) + delta(bits, m, y, z)
        if t0 != expected % N:  # pragma: no cover
            raise AssertionError("range-proof prover self-check failed")

    tau1 = random_scalar(rng)
    tau2 = random_scalar(rng)
    t1_commit = pt.msm((t1, tau1), (g_base, h_base))
    t2_commit = pt.msm((t2, tau2), (g_base, h_base))
    transcript.append_point(b"T1", t1_commit)
    transcript.append_point(b"T2", t2_commit)
    x = transcript.challenge_scalar(b"x")

    tau_x = (tau2 * x % N * x + tau1 * x) % N
    zj = zz
    for g in gammas:
        tau_x = (tau_x + zj * g) % N
        zj = zj * z % N
    mu = (alpha + rho * x) % N
    l_vec = [(a + b * x) % N for a, b in zip(l0, l1)]
    r_vec = [(a + b * x) % N for a, b in zip(r0, r1)]
    t_x = sum(a * b for a, b in zip(l_vec, r_vec)) % N

    transcript.append_scalar(b"t_x", t_x)
    transcript.append_scalar(b"t_x_blinding", tau_x)
    transcript.append_scalar(b"e_blinding", mu)
    w = transcript.challenge_scalar(b"w")
    q = g_base * w
    transcript.append_u64(b"ipa_n", nm)
    if trace is not None:
        trace.update(
            alpha=_hex(alpha),
            s_l=[_hex(s) for s in s_l],
            s_r=[_hex(s) for s in s_r],
            rho=_hex(rho),
            tau1=_hex(tau1),
            tau2=_hex(tau2),
            A=a_commit.to_bytes().hex(),
            S=s_commit.to_bytes().hex(),
            y=_hex(y),
            z=_hex(z),
            t1=_hex(t1),
            t2=_hex(t2),
            T1=t1_commit.to_bytes().hex(),
            T2=t2_commit.to_bytes().hex(),
            x=_hex(x),
            t_x=_hex(t_x),
            tau_x=_hex(tau_x),
            mu=_hex(mu),
            w=_hex(w),
            l=[_hex(s) for s in l_vec],
            r=[_hex(s) for s in r_vec],
        )
    ls, rs, a_fin, b_fin = prove_inner_product(
        transcript, q, g_vec, h_vec, pow(y, -1, N), l_vec, r_vec, trace=trace
    )
    return RangeProof(
        A=a_commit,
        S=s_commit,
        T1=t1_commit,
        T2=t2_commit,
        t_x=t_x,
        t_x_blinding=tau_x,
        e_blinding=mu,
        L=tuple(ls),
        R=tuple(rs),
        a=a_fin,
        b=b_fin,
    )
