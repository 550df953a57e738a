"""The lightweight verifier: what a customer or an auditor runs.

Imports nothing of the prover, the executors, the CLI, numpy, galois or py_ecc (an allowlist
test runs every path in a fresh interpreter); works on the pure-Python backend when
coincurve is absent (``ZKPOR_BACKEND=reference``).

Two recipes cover what people verify (:mod:`.recipes`); each raises
:class:`~zkpor.errors.VerificationError` when a check fails, or
:class:`~zkpor.errors.InputError` for unreadable input, and returns a report holding every
claim checked and every item not checked::

    from pathlib import Path
    from zkpor.verify import trees, load_inclusion, load_manifest, verify_user

    manifest = load_manifest(Path("manifest.json").read_bytes(), "manifest.json")
    proof = load_inclusion(Path("alice.json").read_bytes(), "alice.json")  # JSON or .zkpi
    report = verify_user(proof, manifest, digest="<the digest the exchange published>")
    for asset in report.equity:
        print(asset.asset, asset.amount, "counted")
    print(report.not_checked)

    round_report = audit(Path("bundle"), manifest, digest="<digest>")
    print(round_report.trees.nodes, "nodes,", round_report.trees.proofs, "range proofs")

The pieces they are made of: :func:`verify_inclusion` (8.2), :func:`verify_manifest`
(12.4), :func:`audit_bundle` (9.5, 16.7).

Spec: docs/spec/bundle-and-audit.md (9.5).
"""

from __future__ import annotations

from zkpor.verify.inclusion import VerifiedAsset, verify_inclusion
from zkpor.verify.manifest import ManifestReport, verify_manifest
from zkpor.verify.recipes import (
    AuditReport,
    UserReport,
    audit,
    load_inclusion,
    load_manifest,
    load_roots,
    verify_user,
)
from zkpor.verify.trees import TreeReport, audit_bundle

__all__ = [
    "AuditReport",
    "ManifestReport",
    "TreeReport",
    "UserReport",
    "VerifiedAsset",
    "audit",
    "audit_bundle",
    "load_inclusion",
    "load_manifest",
    "load_roots",
    "verify_inclusion",
    "verify_manifest",
    "verify_user",
]
