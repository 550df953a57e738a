"""Layer 2, formats: the public files and their strict readers (pydantic models of roots,
inclusion proofs and manifests, canonical JSON and digests, the ``.zkpi`` codec, strict JSON,
identifiers, amounts, JSON Schemas). Imports only :mod:`zkpor.crypto` and
:mod:`zkpor.errors`. Spec: docs/spec/liabilities-tree.md sections 7.7a, 8.1, 8.1a, 9.2, 12."""
