"""The arithmetic-circuit prover (Buenz et al. 2018, section 5, single-phase).

Given a circuit (q constraints over n gates and m committed inputs) and a satisfying
witness, with n' = n padded to a power of two (padding gates are all-zero wires):

1. A_I = alpha H + <a_L, G> + <a_R, H>,  A_O = beta H + <a_O, G>,
   S = rho H + <s_L, G> + <s_R, H> (s_L, s_R random). Challenges y, z.
2. w_L, w_R, w_O, w_V, w_c: the constraints combined with z^(k+1) (:func:`.statement.combine`).
3. l(X) = (a_L + y^-n o w_R) X + a_O X^2 + s_L X^3
   r(X) = (w_O - y^n) + (y^n o a_R + w_L) X + (y^n o s_R) X^3
   t(X) = <l(X), r(X)> = t_1 X + ... + t_6 X^6, and for a satisfying witness
   t_2 = delta(y, z) - <w_V, v> - w_c with delta = <y^-n o w_R, w_L>.
4. T_i = t_i G + tau_i H for i in {1, 3, 4, 5, 6}. Challenge x.
5. t_x = t(x), tau_x = sum_{i != 2} tau_i x^i - x^2 <w_V, gamma>, mu = alpha x + beta x^2 + rho x^3.
   Challenge w; Q = w G.
6. The inner-product argument (:mod:`zkpor.crypto.rangeproof.ipa`) for l(x), r(x) over G_i and
   H'_i = y^-i H_i.

Before step 1 the prover checks, over GF(n) with galois (:mod:`.field`), that the witness
satisfies every gate and constraint and that W_V has full column rank; no proof of an
unsatisfied witness leaves :func:`prove`. Randomness from the operating system; ``rng=``
only for test vectors.

Spec: docs/spec/arithmetic-circuits.md (section 15).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from zkpor.crypto.generators import GeneratorSet, generators
from zkpor.crypto.group import N, Point, random_scalar, scalar_to_bytes
from zkpor.crypto.group.scalar import RandomSource
from zkpor.crypto.r1cs.proof import R1CSProof
from zkpor.crypto.r1cs.statement import combine, delta, start_transcript
from zkpor.crypto.r1cs.system import Circuit, ConstraintSystem, Witness
from zkpor.crypto.rangeproof.ipa import prove_inner_product
from zkpor.errors import ParameterError

__all__ = ["prove", "prove_circuit"]

_rank_checked: set[bytes] = set()


def _hex(s: int) -> str:
    return scalar_to_bytes(s).hex()


def _ip(a: Sequence[int], b: Sequence[int]) -> int:
    return sum(x * y for x, y in zip(a, b)) % N


def prove(
    build: Callable[[ConstraintSystem], object],
    values: Sequence[int],
    blindings: Sequence[int],
    *,
    name: str = "",
    rng: RandomSource | None = None,
    gens: GeneratorSet | None = None,
) -> tuple[R1CSProof, list[Point], Circuit]:
    """Build the statement ``build(cs)`` over committed ``values`` and prove it.

    Returns (proof, commitments V_j = values[j] G + blindings[j] H, circuit). Raises
    ParameterError if the witness does not satisfy the circuit (see :func:`prove_circuit`).
    """
    cs = ConstraintSystem(values=values, name=name)
    build(cs)
    circuit = cs.circuit()
    proof, commitments = prove_circuit(circuit, cs.witness(), blindings, rng=rng, gens=gens)
    return proof, commitments, circuit


def prove_circuit(
    circuit: Circuit,
    witness: Witness,
    blindings: Sequence[int],
    *,
    rng: RandomSource | None = None,
    gens: GeneratorSet | None = None,
    trace: dict[str, object] | None = None,
) -> tuple[R1CSProof, list[Point]]:
    """Prove that ``witness`` satisfies ``circuit``; return (proof, commitments).

    Raises ParameterError when the witness does not satisfy a gate or constraint, when W_V
    does not have full column rank, when a blinding count or value is wrong, or when a
    commitment would be the identity. ``trace`` (test vectors only) receives the challenges
    and prover messages as lowercase hex."""
    from zkpor.crypto.r1cs.field import check_input_rank, check_witness

    circuit.check_shape()
    digest = circuit.digest()
    if digest not in _rank_checked:
        check_input_rank(circuit)
        _rank_checked.add(digest)
    check_witness(circuit, witness)
    return _prove(circuit, witness, blindings, rng=rng, gens=gens, trace=trace)


def _prove(
    circuit: Circuit,
    witness: Witness,
    blindings: Sequence[int],
    *,
    rng: RandomSource | None,
    gens: GeneratorSet | None,
    trace: dict[str, object] | None = None,
) -> tuple[R1CSProof, list[Point]]:
    """The protocol without the satisfiability checks. Tests call it directly as the
    cheating prover (an unsatisfied witness), whose proofs the verifier must reject."""
    m = circuit.inputs
    if len(blindings) != m or len(witness.v) != m:
        raise ParameterError(f"{m} committed inputs but {len(blindings)} blindings")
    gammas: list[int] = []
    for j, g in enumerate(blindings):
        if not isinstance(g, int) or isinstance(g, bool):
            raise ParameterError(f"blinding {j} is not an integer")
        g %= N
        if g == 0 and witness.v[j] % N == 0:
            raise ParameterError(f"commitment {j} would be the identity (value and blinding 0)")
        gammas.append(g)
    gens = gens or generators()
    pt = gens.point_type
    g_base, h_base = gens.G, gens.H
    n = circuit.gates
    n2 = circuit.padded_gates
    g_vec, h_vec = gens.vectors(n2)
    pad = [0] * (n2 - n)
    a_l = [x % N for x in witness.a_l] + pad
    a_r = [x % N for x in witness.a_r] + pad
    a_o = [x % N for x in witness.a_o] + pad
    commitments = [pt.msm((v % N, g), (g_base, h_base)) for v, g in zip(witness.v, gammas)]
    transcript = start_transcript(circuit, commitments)

    alpha, beta, rho = random_scalar(rng), random_scalar(rng), random_scalar(rng)
    s_l = [random_scalar(rng) for _ in range(n2)]
    s_r = [random_scalar(rng) for _ in range(n2)]
    a_i_commit = pt.msm([alpha, *a_l, *a_r], [h_base, *g_vec, *h_vec])
    a_o_commit = pt.msm([beta, *a_o], [h_base, *g_vec])
    s_commit = pt.msm([rho, *s_l, *s_r], [h_base, *g_vec, *h_vec])
    transcript.append_point(b"A_I", a_i_commit)
    transcript.append_point(b"A_O", a_o_commit)
    transcript.append_point(b"S", s_commit)
    y = transcript.challenge_scalar(b"y")
    z = transcript.challenge_scalar(b"z")

    wts = combine(circuit, z, n2)
    y_pows = [1] * n2
    for i in range(1, n2):
        y_pows[i] = y_pows[i - 1] * y % N
    y_inv = pow(y, -1, N)
    y_inv_pows = [1] * n2
    for i in range(1, n2):
        y_inv_pows[i] = y_inv_pows[i - 1] * y_inv % N

    l1 = [(a + yi * wr) % N for a, yi, wr in zip(a_l, y_inv_pows, wts.w_r)]
    l2 = a_o
    l3 = s_l
    r0 = [(wo - yp) % N for wo, yp in zip(wts.w_o, y_pows)]
    r1 = [(yp * a + wl) % N for yp, a, wl in zip(y_pows, a_r, wts.w_l)]
    r3 = [yp * s % N for yp, s in zip(y_pows, s_r)]
    t1 = _ip(l1, r0)
    t3 = (_ip(l2, r1) + _ip(l3, r0)) % N
    t4 = (_ip(l1, r3) + _ip(l3, r1)) % N
    t5 = _ip(l2, r3)
    t6 = _ip(l3, r3)
    taus = {i: random_scalar(rng) for i in (1, 3, 4, 5, 6)}
    t_coeffs = {1: t1, 3: t3, 4: t4, 5: t5, 6: t6}
    t_commits = {i: pt.msm((t_coeffs[i], taus[i]), (g_base, h_base)) for i in (1, 3, 4, 5, 6)}
    for i in (1, 3, 4, 5, 6):
        transcript.append_point(b"T%d" % i, t_commits[i])
    x = transcript.challenge_scalar(b"x")

    xp = [1] * 7
    for i in range(1, 7):
        xp[i] = xp[i - 1] * x % N
    l_vec = [(a * xp[1] + b * xp[2] + c * xp[3]) % N for a, b, c in zip(l1, l2, l3)]
    r_vec = [(a + b * xp[1] + c * xp[3]) % N for a, b, c in zip(r0, r1, r3)]
    t_x = _ip(l_vec, r_vec)
    tau_x = (sum(taus[i] * xp[i] for i in taus) - xp[2] * _ip(wts.w_v, gammas)) % N
    mu = (alpha * xp[1] + beta * xp[2] + rho * xp[3]) % N
    transcript.append_scalar(b"t_x", t_x)
    transcript.append_scalar(b"t_x_blinding", tau_x)
    transcript.append_scalar(b"e_blinding", mu)
    w = transcript.challenge_scalar(b"w")
    q = g_base * w
    transcript.append_u64(b"ipa_n", n2)
    if trace is not None:
        t2 = (_ip(l1, r1) + _ip(l2, r0)) % N
        trace.update(
            A_I=a_i_commit.to_bytes().hex(),
            A_O=a_o_commit.to_bytes().hex(),
            S=s_commit.to_bytes().hex(),
            y=_hex(y),
            z=_hex(z),
            delta=_hex(delta(wts, y_inv_pows)),
            t2=_hex(t2),
            **{f"T{i}": t_commits[i].to_bytes().hex() for i in (1, 3, 4, 5, 6)},
            x=_hex(x),
            t_x=_hex(t_x),
            w=_hex(w),
        )
    ls, rs, a_fin, b_fin = prove_inner_product(
        transcript, q, g_vec, h_vec, y_inv, l_vec, r_vec, trace=trace
    )
    proof = R1CSProof(
        a_i_commit,
        a_o_commit,
        s_commit,
        t_commits[1],
        t_commits[3],
        t_commits[4],
        t_commits[5],
        t_commits[6],
        t_x,
        tau_x,
        mu,
        tuple(ls),
        tuple(rs),
        a_fin,
        b_fin,
    )
    return proof, commitments
