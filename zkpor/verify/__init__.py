"""The lightweight verifier: what a customer or auditor runs.

Imports only the group, generators, transcript, range-proof verifier, tree hashing and the
public-file models: nothing of the prover, the CLI, numpy or galois. Works on the
pure-Python backend when coincurve is absent.

- :func:`verify_inclusion` checks a customer's inclusion proof against published roots.
- :func:`audit_bundle` checks every node and node proof of an audit file.
"""

from __future__ import annotations

from .audit import AuditReport, audit_bundle
from .inclusion import VerifiedAsset, verify_inclusion

__all__ = ["AuditReport", "VerifiedAsset", "audit_bundle", "verify_inclusion"]
