"""zkpor: zero-knowledge proof of solvency on secp256k1.

The package is layered; each folder imports only the ones above it in this list:

- :mod:`zkpor.crypto`: group (twin backends), generators, transcript, Pedersen commitments,
  Bulletproofs range proofs, arithmetic circuits (R1CS);
- :mod:`zkpor.formats`: the public files (roots, inclusion proofs, manifests, ``.zkpi``,
  the audit file's tables), strict JSON, identifiers, amounts;
- :mod:`zkpor.protocol`: tree rules (hashes, margin tags), solvency statements, margin terms;
- :mod:`zkpor.verify` (with :mod:`zkpor.reserves`' checks and :mod:`zkpor.circuits`): the
  lightweight verifier, whose recipes are exported here;
- :mod:`zkpor.prover`: the exchange's pipeline; :mod:`zkpor.cli`: the ``zkpor`` command.

A library user needs these names (imported on first use, so ``import zkpor`` stays cheap)::

    from zkpor import verify_user, audit, load_inclusion, load_manifest, VerificationError

Errors: :mod:`zkpor.errors`. Specification: docs/spec/README.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "verify_user": "zkpor.verify.recipes",
    "audit": "zkpor.verify.recipes",
    "load_inclusion": "zkpor.verify.recipes",
    "load_manifest": "zkpor.verify.recipes",
    "load_roots": "zkpor.verify.recipes",
    "UserReport": "zkpor.verify.recipes",
    "AuditReport": "zkpor.verify.recipes",
    "InclusionProof": "zkpor.formats.models",
    "Roots": "zkpor.formats.models",
    "Manifest": "zkpor.formats.manifest",
    "ZkporError": "zkpor.errors",
    "InputError": "zkpor.errors",
    "VerificationError": "zkpor.errors",
}

__all__ = [
    "AuditReport",
    "InclusionProof",
    "InputError",
    "Manifest",
    "Roots",
    "UserReport",
    "VerificationError",
    "ZkporError",
    "__version__",
    "audit",
    "load_inclusion",
    "load_manifest",
    "load_roots",
    "verify_user",
]

if TYPE_CHECKING:
    from zkpor.errors import InputError, VerificationError, ZkporError
    from zkpor.formats.manifest import Manifest
    from zkpor.formats.models import InclusionProof, Roots
    from zkpor.verify.recipes import (
        AuditReport,
        UserReport,
        audit,
        load_inclusion,
        load_manifest,
        load_roots,
        verify_user,
    )


def __getattr__(name: str) -> Any:
    """The exported names, imported from their modules on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'zkpor' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
