"""Bulletproofs range proofs on secp256k1 (aggregated, batch-verifiable).

Public names: ``prove`` (lazily imported, so that verifier-only code never loads the
prover), ``verify``, ``verify_batch``, ``RangeProof``, ``proof_size``, ``SUPPORTED_BITS``,
``MAX_AGGREGATION``. Protocol and byte layout: docs/spec/range-proofs.md, "Range proofs".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zkpor.crypto.rangeproof.proof import RangeProof, proof_size
from zkpor.crypto.rangeproof.statement import MAX_AGGREGATION, SUPPORTED_BITS
from zkpor.crypto.rangeproof.verifier import verify, verify_batch

if TYPE_CHECKING:
    from zkpor.crypto.rangeproof.prover import prove

__all__ = [
    "MAX_AGGREGATION",
    "SUPPORTED_BITS",
    "RangeProof",
    "proof_size",
    "prove",
    "verify",
    "verify_batch",
]


def __getattr__(name: str) -> Any:
    if name == "prove":
        from zkpor.crypto.rangeproof.prover import prove

        return prove
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
