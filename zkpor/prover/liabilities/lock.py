"""One prover per output: an exclusive lock beside the bundle.

``BUNDLE.lock`` is held with ``flock(LOCK_EX | LOCK_NB)`` for the whole run and names its
holder ("pid P on host H"). A second run on the same ``--out`` fails at once with that
name instead of racing the first over ``BUNDLE.partial``. The kernel drops the lock when
the holder dies, however it dies, so a killed run never leaves a stale lock: the next run
takes it and resumes. The file is removed by its holder on the way out; a run that opened
it just before it was removed notices (the path no longer names the file it locked) and
tries again.

Spec: docs/spec/liabilities-tree.md (section 7) and bundle-and-audit.md (section 9).
"""

from __future__ import annotations

import fcntl
import os
import socket
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from zkpor.errors import InputError
from zkpor.formats.identifiers import shown

__all__ = ["lock_path", "output_lock"]


def lock_path(out: Path) -> Path:
    return out.with_name(out.name + ".lock")


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold the lock of output ``out`` (module doc); raises InputError naming the holder."""
    path = lock_path(out)
    while True:
        try:
            fd = os.open(
                path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, 0o600
            )
        except OSError as exc:
            raise InputError(
                f"cannot open the lock file ({exc.strerror}): it must be a regular file, "
                "not a link",
                source=str(path),
            ) from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
            os.close(fd)
            raise InputError(
                "the lock file is not a regular file of this user: remove it", source=str(path)
            )
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
            os.close(fd)
            raise InputError(
                f"another zkpor prove ({shown(holder) or 'pid unknown'}) is writing this "
                "output; wait for it to finish or stop it",
                source=str(out),
            ) from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on host {socket.gethostname()}\n".encode(), 0)
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(fd)
