"""Bulletproofs arithmetic-circuit proofs (R1CS) over Pedersen-committed values.

Public names: ``ConstraintSystem`` (the interface gadgets are written against, on both
sides), ``Variable``, ``LinearCombination``, ``ONE``, ``Circuit``, ``Witness``,
``R1CSProof``, ``proof_size``, ``verify``, ``verify_batch``, and ``prove`` / ``prove_circuit``
(imported lazily, so that verifier-only code never loads the prover or galois). Protocol,
layout and digest: docs/spec/arithmetic-circuits.md, "Arithmetic circuits (R1CS)"; writing a circuit:
docs/circuits.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zkpor.crypto.r1cs.lc import ONE, LinearCombination, Variable
from zkpor.crypto.r1cs.proof import R1CSProof, proof_size, rounds_for
from zkpor.crypto.r1cs.system import Circuit, ConstraintSystem, Witness
from zkpor.crypto.r1cs.verifier import verify, verify_batch

if TYPE_CHECKING:
    from zkpor.crypto.r1cs.prover import prove, prove_circuit

__all__ = [
    "ONE",
    "Circuit",
    "ConstraintSystem",
    "LinearCombination",
    "R1CSProof",
    "Variable",
    "Witness",
    "proof_size",
    "prove",
    "prove_circuit",
    "rounds_for",
    "verify",
    "verify_batch",
]


def __getattr__(name: str) -> Any:
    if name in ("prove", "prove_circuit"):
        from zkpor.crypto.r1cs import prover

        return getattr(prover, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
