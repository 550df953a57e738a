"""Checking r1cs.json and margin.json: rebuild each circuit (from its name, or from the
published margin terms and the account's assets), compare its digest and matrices, verify
the proof, and for a valid test recompute the commitments and re-make the seeded proof.
The generator (tools/vectors/r1cs.py, margin.py) records what these functions recompute.

See docs/vectors.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zkpor.crypto.drbg import SeededRandom
from zkpor.crypto.group import N, Point, scalar_from_bytes
from zkpor.crypto.r1cs import Circuit, ConstraintSystem, R1CSProof, verify
from zkpor.crypto.r1cs.lc import COMMITTED, LEFT, ONE_KIND, OUTPUT, RIGHT
from zkpor.errors import VerificationError
from zkpor.protocol.margin import MarginTerms, Tier, account_build, account_circuit
from zkpor.vectors.common import hexpt

Json = dict[str, Any]


def sparse_matrices(circuit: Circuit) -> Json:
    """The circuit's matrices as sparse triples (see module doc)."""
    names = {LEFT: "W_L", RIGHT: "W_R", OUTPUT: "W_O", COMMITTED: "W_V"}
    out: Json = {"W_L": [], "W_R": [], "W_O": [], "W_V": [], "c": []}
    for row, terms in enumerate(circuit.constraints):
        for kind, idx, coeff in terms:
            if kind == ONE_KIND:
                out["c"].append([row, str(coeff)])
            else:
                out[names[kind]].append([row, idx, str(coeff)])
    return out


def named_circuit(name: str) -> Circuit:
    from zkpor.circuits import build_circuit

    circuit: Circuit = build_circuit(name)
    return circuit


def trace_challenges(trace: Json) -> Json:
    if not trace:
        return {}
    return {
        **{k: trace[k] for k in ("y", "z", "x", "w")},
        "u": [r["u"] for r in trace.get("rounds", [])],
    }


def check_r1cs(group: Json, test: Json, ctx: Any) -> Json:
    """Check one test (the checker protocol of :mod:`.check`): rebuild the circuit from its
    name, compare its digest and matrices with the group's, verify the proof; for a valid
    test recompute the commitments and re-make the seeded proof and its challenges."""
    name = str(group["circuit"])
    circuit = named_circuit(name)
    if circuit.digest().hex() != group["digest"]:
        raise VerificationError(f"circuit {name}: digest differs from the rebuilt circuit")
    if sparse_matrices(circuit) != group["matrices"]:
        raise VerificationError(f"circuit {name}: matrices differ from the rebuilt circuit")

    def build(cs: ConstraintSystem) -> None:
        from zkpor.circuits import get_statement

        get_statement(name).build(cs)

    return check_circuit_proof(circuit, build, test, ctx, challenges=True)


def check_circuit_proof(
    circuit: Circuit,
    build: Callable[[ConstraintSystem], object],
    test: Json,
    ctx: Any,
    *,
    challenges: bool = False,
) -> Json:
    """The part of a circuit-proof check shared by r1cs.json and margin.json: verify the
    proof over the test's commitments; for a valid test check it re-encodes to the same
    bytes, recompute the commitments from the openings and, when the checker re-proves,
    re-make the seeded proof with ``build`` (and record its challenges)."""
    pt: type[Point] = ctx.point
    commitments = [pt.from_bytes(bytes.fromhex(str(c))) for c in test["commitments"]]
    data = bytes.fromhex(str(test["proof"]))
    verify(circuit, data, commitments)
    if test["result"] != "valid":
        return {}
    if R1CSProof.from_bytes(data, pt, gates=circuit.gates).to_bytes() != data:
        raise VerificationError("proof does not re-encode to the same bytes")
    values = [int(str(v)) for v in test["values"]]
    blindings = [scalar_from_bytes(bytes.fromhex(str(b))) for b in test["blindings"]]
    out: Json = {
        "commitments": [
            hexpt(pt.msm((v % N, r), (ctx.gens.G, ctx.gens.H))) for v, r in zip(values, blindings)
        ]
    }
    if ctx.reprove(circuit.padded_gates, 1):
        from zkpor.crypto.r1cs.prover import prove_circuit

        cs = ConstraintSystem(values=values)
        build(cs)
        trace: Json = {}
        proof, _ = prove_circuit(
            cs.circuit(),
            cs.witness(),
            blindings,
            rng=SeededRandom(bytes.fromhex(str(test["seed"]))),
            gens=ctx.gens,
            trace=trace if challenges else None,
        )
        out["proof"] = proof.to_bytes().hex()
        if challenges:
            out["challenges"] = trace_challenges(trace)
    return out


def terms_from_json(data: Json) -> MarginTerms:
    """The :class:`MarginTerms` of a group's ``terms`` (assets without a price left out)."""
    assets = {
        sym: (
            int(a["decimals"]),
            str(a["price"]),
            [Tier(t.get("up_to"), int(t["ratio"])) for t in a["tiers"]],
        )
        for sym, a in data["assets"].items()
        if "price" in a
    }
    return MarginTerms.build(str(data["quote"]["symbol"]), int(data["quote"]["decimals"]), assets)


def check_margin_inclusion(group: Json, test: Json, ctx: Any) -> Json:
    """Verify the inclusion proof against the roots (with their margin terms) as ``zkpor
    verify user --roots`` does; output the verified equity and debt entries."""
    from zkpor.crypto.generators import generator_digest
    from zkpor.formats.models import InclusionProof, Roots
    from zkpor.verify.inclusion import verify_inclusion
    from zkpor.verify.margin import terms_of

    roots = Roots.model_validate(test["roots"])
    proof = InclusionProof.model_validate(test["inclusion"])
    if roots.generator_digest != generator_digest().hex():
        raise VerificationError("roots file uses another generator set")
    results = verify_inclusion(
        proof, roots.assets, round_id=roots.round_id, arity=roots.arity, terms=terms_of(roots)
    )
    return {
        "verified": [
            {"asset": r.asset, "kind": r.kind, "amount": r.amount, "units": str(r.units)}
            for r in results
        ]
    }


def check_margin(group: Json, test: Json, ctx: Any) -> Json:
    """Check one test: rebuild the circuit from the terms and the account's assets, compare
    gates and digest, verify the proof; for a valid test recompute the commitments and
    re-make the seeded proof."""
    terms = terms_from_json(group["terms"])
    equity = [str(a) for a in group["equity_assets"]]
    debt = [str(a) for a in group["debt_assets"]]
    circuit = account_circuit(terms, equity, debt)
    if circuit.digest().hex() != group["digest"] or circuit.gates != group["gates"]:
        raise VerificationError("circuit differs from the one rebuilt from the terms")
    return check_circuit_proof(circuit, account_build(terms, equity, debt), test, ctx)


def check_margin_terms(group: Json, test: Json, ctx: Any) -> Json:
    """Read the roots' margin terms as a verifier does (16.2, 16.6); output D and per priced
    asset its price and bounds in margin units and its percents."""
    from zkpor.formats.models import Roots
    from zkpor.verify.margin import terms_of

    terms = terms_of(Roots.model_validate(test["roots"]))
    if terms is None:
        raise VerificationError("the roots have no quote")
    return {"terms": terms_json(terms)}


def terms_json(terms: Any) -> Json:
    """Margin terms as margin.json records them: D and per priced asset its price and
    bounds in margin units (decimal text) and its percents."""
    return {
        "scale": terms.scale,
        "assets": {
            sym: {
                "price": str(terms.prices[sym]),
                "bounds": [str(b) for b in terms.tables[sym].bounds],
                "percents": list(terms.tables[sym].percents),
            }
            for sym in terms.prices
        },
    }
