"""zkpor: zero-knowledge proof of solvency on secp256k1.

Layers (each its own module): :mod:`zkpor.crypto.group` (curve, backends, hash-to-curve),
:mod:`zkpor.crypto.generators` (G, H, G_i, H_i), :mod:`zkpor.crypto.transcript` (Fiat-Shamir),
:mod:`zkpor.crypto.pedersen` (commitments), :mod:`zkpor.errors`.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
