"""zkpor: zero-knowledge proof of solvency on secp256k1.

Layers (each its own module): :mod:`zkpor.group` (curve, backends, hash-to-curve),
:mod:`zkpor.generators` (G, H, G_i, H_i), :mod:`zkpor.transcript` (Fiat-Shamir),
:mod:`zkpor.pedersen` (commitments), :mod:`zkpor.errors`.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
