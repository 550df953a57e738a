"""Package data: the first vector generators, precomputed (see :mod:`zkpor.crypto.generators`).

Spec: docs/spec/README.md.
"""
