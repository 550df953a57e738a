"""Checking zkpor (or reading what another implementation must do) against the test vectors.

``vectors/`` of a source checkout holds frozen releases (``vectors/v1/``, ...;
vectors/README.md): one JSON file per layer in the layout of C2SP/wycheproof, a JSON Schema
per file and a README each. The wheel ships them too. :func:`check_dir` checks this
implementation against one release folder on a chosen backend (``zkpor vectors check``);
:mod:`.releases` finds them. The generator is not installed: it lives in ``tools/vectors/``
of a source checkout (``python -m tools.vectors generate DIR``). docs/vectors.md describes
every file.
"""

from __future__ import annotations

from zkpor.vectors.check import CheckContext, FileReport, check_data, check_dir
from zkpor.vectors.common import FILE_NAMES, VECTORS_VERSION
from zkpor.vectors.releases import checked_files, default_releases, release_dirs, resolve

__all__ = [
    "FILE_NAMES",
    "VECTORS_VERSION",
    "CheckContext",
    "FileReport",
    "check_data",
    "check_dir",
    "checked_files",
    "default_releases",
    "release_dirs",
    "resolve",
]
