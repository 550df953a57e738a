"""Where the vector releases are, and which of their files the current code checks.

``vectors/`` of a source checkout holds frozen releases, one folder each (``v1/``, ...;
vectors/README.md): never edited, a format change makes a new folder. The wheel ships the
same folders as package data (``zkpor/vectors/releases/vN/``), so ``zkpor vectors check``
without an argument works from an installed package too.

See docs/vectors.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

from zkpor.errors import InputError
from zkpor.vectors.common import FILE_NAMES

__all__ = ["RETIRED", "checked_files", "default_releases", "release_dirs", "resolve", "shipped"]

_RELEASE = re.compile(r"^v([1-9][0-9]*)$")

# Files of FILE_NAMES that a release folder is NOT checked for: their format changed in a
# later release (the current code reads the new one), or the release predates the file.
# Every other file of every release keeps being checked. v1 predates strict_json.json
# (issue 24), multisig.json (issue 26) and private_assets.json (issue 25): v1 has no such
# files.
RETIRED: Final[dict[str, frozenset[str]]] = {
    "v1": frozenset({"strict_json", "multisig", "private_assets"})
}

NO_RELEASES: Final[str] = (
    "no test-vector releases found: ./vectors/ holds no release folder (v1/, ...) and this "
    "installation ships none; pass DIR, a release folder such as vectors/v1 of a zkpor "
    "source checkout (zkpor vectors check path/to/vectors/v1)"
)


def release_dirs(root: Path) -> list[Path]:
    """The release folders ``vN/`` directly under ``root``, oldest first."""
    if not root.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in root.iterdir() if (m := _RELEASE.match(p.name))]
    return [p for _, p in sorted(found) if p.is_dir()]


def shipped() -> Path | None:
    """The folder of releases installed with the package: ``zkpor/vectors/releases_data/``
    in a wheel, or ``vectors/`` of the source checkout zkpor is imported from (an editable
    install, PYTHONPATH). None if neither holds a release."""
    package = Path(__file__).resolve().parent
    for root in (package / "releases_data", package.parent.parent / "vectors"):
        if release_dirs(root):
            return root
    return None


def default_releases() -> list[Path]:
    """What ``zkpor vectors check`` checks without DIR: the release folders of
    ``./vectors/`` (a source checkout), else those shipped with the package."""
    local = release_dirs(Path("vectors"))
    if local:
        return local
    root = shipped()
    if root is not None:
        return release_dirs(root)
    raise InputError(NO_RELEASES)


def _is_release(directory: Path) -> bool:
    return any((directory / f"{name}.json").is_file() for name in FILE_NAMES)


def resolve(directory: Path | None) -> list[Path]:
    """The release folders to check for a DIR argument: none given, the defaults; a folder
    of vector files, itself; a folder of release folders (``vectors``), each of them."""
    if directory is None:
        return default_releases()
    if not directory.is_dir():
        raise InputError(
            "not a directory: name a folder of vector files (a release such as vectors/v1 of a "
            "zkpor checkout, or your own), or give no DIR to check the releases shipped in "
            "this package (zkpor vectors check)",
            source=str(directory),
        )
    if _is_release(directory):
        return [directory]
    found = release_dirs(directory)
    if not found:
        raise InputError(
            "neither vector files (*.json) nor release folders (v1/, ...) here",
            source=str(directory),
        )
    return found


def checked_files(directory: Path) -> list[str]:
    """The files of FILE_NAMES checked in ``directory`` (all but the retired ones when it
    is a release folder named ``vN``)."""
    retired = RETIRED.get(directory.name, frozenset())
    return [name for name in FILE_NAMES if name not in retired]
