"""Layer 3, protocol rules shared by prover and verifiers: the sum-tree shape and hashes
(with margin tags), solvency statements, margin terms and the exact collateral arithmetic.
Spec: docs/spec/liabilities-tree.md sections 7, 11, 16."""
