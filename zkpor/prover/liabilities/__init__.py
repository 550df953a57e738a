"""Proof of liabilities: inputs, key derivation, tree building, stores, export.

This is the prover side; the verifiers live in :mod:`zkpor.verify`.
"""
