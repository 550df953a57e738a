"""Proof of liabilities: inputs, key derivation, tree building, stores, export.

This is the prover side; the verifiers live in :mod:`zkpor.verify`.

Spec: docs/spec/liabilities-tree.md (section 7) and bundle-and-audit.md (section 9).
"""
