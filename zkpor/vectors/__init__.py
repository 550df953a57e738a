"""Test vectors: the reference other implementations check themselves against.

``vectors/`` holds one JSON file per layer in the layout of C2SP/wycheproof, a JSON Schema
for each (``vectors/schemas/``) and a README. :func:`generate_dir` reproduces them byte for
byte (``zkpor vectors generate``); :func:`check_dir` checks this implementation against them
on a chosen backend (``zkpor vectors check``). docs/vectors.md describes every file.
"""

from __future__ import annotations

from zkpor.vectors.check import CheckContext, FileReport, check_data, check_dir
from zkpor.vectors.common import FILE_NAMES, VECTORS_VERSION
from zkpor.vectors.generate import generate_dir, generate_file

__all__ = [
    "FILE_NAMES",
    "VECTORS_VERSION",
    "CheckContext",
    "FileReport",
    "check_data",
    "check_dir",
    "generate_dir",
    "generate_file",
]
