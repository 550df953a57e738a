"""Layer 5, the exchange's side: the liabilities pipeline (load, plan, map, reduce,
collateral proofs, self-check), a whole round with reserves and manifest (:mod:`.publish`),
executors (:mod:`.parallel`) and the demo. May import every layer below; nothing below
imports it. Spec: docs/spec/liabilities-tree.md sections 7, 9, 11.3, 16; docs/operators.md."""
