"""Writing a file atomically, through an exclusive temporary file and a rename.

Invariants (docs/spec/inclusion-proofs.md, 8.4 "Export names, index.csv and atomic writes"):

- a reader of ``path`` sees either the old file or the complete new one, never part of it;
- the temporary file is created by :func:`tempfile.mkstemp` in the target's own folder: a
  fresh random name opened with ``O_CREAT | O_EXCL`` (and ``O_NOFOLLOW`` where the platform
  has it), mode 0600 from its creation, so nothing planted beforehand (a symlink at a
  predictable temporary name, another process's file) can receive the data;
- the final mode is set on the open descriptor (``fchmod``) before any byte is written, and
  the rename replaces a symlink at ``path`` itself instead of following it;
- on any failure the temporary file is removed and ``path`` is left as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_writer", "write_atomic"]

_PREFIX_BYTES = 64  # of the target's name in the temporary name (keeps it under 255 bytes)


def _temp_prefix(name: str) -> str:
    short = name.encode("utf-8", "surrogateescape")[:_PREFIX_BYTES]
    return "." + short.decode("utf-8", "ignore") + "."


@contextmanager
def atomic_writer(path: Path, mode: int = 0o644) -> Iterator[BinaryIO]:
    """A binary file that becomes ``path`` (with permission bits ``mode``) when the block
    ends without an exception; on an exception it is deleted and ``path`` is untouched."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=_temp_prefix(path.name), suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fd = -1
            yield fh
        os.replace(tmp, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` atomically with permission bits ``mode`` (see module doc)."""
    with atomic_writer(path, mode) as fh:
        fh.write(data)
