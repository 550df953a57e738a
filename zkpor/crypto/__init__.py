"""Layer 1, primitives: the secp256k1 group with its twin backends, generators (RFC 9380),
the Fiat-Shamir transcript, Pedersen commitments, Bulletproofs range proofs and arithmetic
circuits (R1CS). Imports nothing of zkpor but :mod:`zkpor.errors`.
Spec: docs/spec/group-and-commitments.md sections 1-6 and 15."""
