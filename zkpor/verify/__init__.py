"""The lightweight verifier: what a customer or auditor runs.

Imports only the group, generators, transcript, range-proof verifier, tree hashing and the
public-file models: nothing of the prover, the CLI, numpy or galois (a test checks
``sys.modules``). Works on the pure-Python backend when coincurve is absent
(``ZKPOR_BACKEND=reference``). Public files are read with
:func:`zkpor.formats.strictjson.parse_public` (strict JSON). Every check raises :class:`~zkpor.errors.VerificationError`
on failure and returns a report on success.

A customer, with their proof and the published manifest::

    from pathlib import Path
    from zkpor.formats.manifest import Manifest
    from zkpor.formats.models import InclusionProof
    from zkpor.formats.strictjson import parse_public
    from zkpor.verify import verify_inclusion, verify_manifest
    from zkpor.verify.manifest import roots_of

    manifest = parse_public(Manifest, Path("manifest.json").read_bytes(), "manifest.json")
    proof = parse_public(InclusionProof, Path("alice.json").read_bytes(), "alice.json")
    report = verify_manifest(manifest, expected_digest="<the digest the exchange published>")
    for asset in verify_inclusion(proof, roots_of(manifest), round_id=manifest.round_id,
                                  arity=manifest.parameters.arity):
        print(asset.asset, asset.amount, "counted; reserves", report.assets[asset.asset].reserves)

An auditor, with the public audit file::

    from zkpor.verify import audit_bundle, verify_manifest
    from zkpor.verify.manifest import manifest_roots

    verify_manifest(manifest, expected_digest="<digest>")
    report = audit_bundle(Path("bundle"), roots=manifest_roots(manifest), workers=4)
    print(report.nodes, "nodes,", report.proofs, "range proofs verified")

(A binary ``.zkpi`` proof is read with :func:`zkpor.formats.zkpi.decode_inclusion`.)
"""

from __future__ import annotations

from zkpor.verify.audit import AuditReport, audit_bundle
from zkpor.verify.inclusion import VerifiedAsset, verify_inclusion
from zkpor.verify.manifest import ManifestReport, verify_manifest

__all__ = [
    "AuditReport",
    "ManifestReport",
    "VerifiedAsset",
    "audit_bundle",
    "verify_inclusion",
    "verify_manifest",
]
