"""The test-vector generator (source checkout only; not part of the installed package).

One module per vector file, named after it (``tools/vectors/pedersen.py`` writes
pedersen.json), each exporting:

- ``generate(gens) -> dict``: the file's content, deterministic (every random value from a
  seeded DRBG, docs/vectors.md);
- ``check``: the installed checker's group checkers for the file (``zkpor.vectors``, what
  ``zkpor vectors check`` runs), by group type;
- ``schema() -> dict``: the file's JSON Schema.

Shared pieces: :mod:`.base` (fixed inputs, flags, the file envelope), :mod:`.schemaparts`
and :mod:`.schema` (schemas), :mod:`.across` (manifest cases across assets),
:mod:`.release` (a release folder and its README). ``python -m tools.vectors generate DIR``
writes a release folder; it reproduces ``vectors/v1`` byte for byte (tests/test_vectors.py).
Released folders are frozen (vectors/README.md): generate into a new folder, never over one.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Final

from zkpor.vectors.common import FILE_NAMES

__all__ = ["FILES", "generate_dir", "generate_file"]

FILES: Final[dict[str, ModuleType]] = {
    name: importlib.import_module(f"tools.vectors.{name}") for name in FILE_NAMES
}

from tools.vectors.release import generate_dir, generate_file  # noqa: E402
