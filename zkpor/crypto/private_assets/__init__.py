"""Private proof of assets over an anonymity set of keys (Provisions-style, with tags).

An exchange proves, among a public set of (public key, balance) at one block, that a hidden
subset is its own, without saying which: per key a Pedersen commitment P_i to the balance or
to 0, a tag T_i, and a CDS OR-proof that either P_i commits 0 or the prover knows the key's
secret x_i, P_i commits exactly the balance and T_i = x_i J. The sum of the P_i is a
commitment to the claimed total in zkpor's usual form, which the solvency range proof takes.
Two exchanges that claim one key at one block publish the same tag (:mod:`.compare`).

Modules: :mod:`.statement` (J, context, transcript), :mod:`.proof` (byte layout),
:mod:`.prover` (lazily imported here), :mod:`.verifier` (batched), :mod:`.compare`,
:mod:`.testing` (hooks for tests and vectors).

Spec: docs/spec/private-reserves.md (section 17).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zkpor.crypto.private_assets.compare import TagCollision, compare_tags, iter_tags
from zkpor.crypto.private_assets.proof import (
    HEADER_BYTES,
    RECORD_BYTES,
    RECORD_FIELDS,
    KeyProof,
    ProofHeader,
)
from zkpor.crypto.private_assets.statement import AssetsContext, tag_base
from zkpor.crypto.private_assets.verifier import VerifiedAssets, verify_assets

if TYPE_CHECKING:
    from zkpor.crypto.private_assets.prover import AssetsProofResult, prove_assets

__all__ = [
    "HEADER_BYTES",
    "RECORD_BYTES",
    "RECORD_FIELDS",
    "AssetsContext",
    "AssetsProofResult",
    "KeyProof",
    "ProofHeader",
    "TagCollision",
    "VerifiedAssets",
    "compare_tags",
    "iter_tags",
    "prove_assets",
    "tag_base",
    "verify_assets",
]


def __getattr__(name: str) -> Any:
    if name in ("prove_assets", "AssetsProofResult"):
        from zkpor.crypto.private_assets import prover

        return getattr(prover, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
