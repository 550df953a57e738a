"""The consoles the command prints with, and what happens when the reader goes away.

Manual: docs/cli.md ("Exit codes and errors", "Output").

- Output to a file or a pipe is never hard-wrapped: a line is printed whole (rich would cut
  it at 80 columns), unless ``COLUMNS`` is set. On a terminal, text wraps at 80 columns.
- When the reader of stdout closes it early (``zkpor verify user ... | head -4``), the
  command stops and exits 141 (128 + SIGPIPE, as other tools do), printing nothing more:
  a closed pipe never looks like a failed check (exit 1) or bad input (exit 2).
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn

from rich.console import Console

__all__ = ["EXIT_STDOUT_CLOSED", "ZkporConsole", "stdout_closed"]

#: 128 + SIGPIPE (13): the exit code of a command whose stdout was closed by its reader.
EXIT_STDOUT_CLOSED = 141


def stdout_closed() -> NoReturn:
    """Stop after the reader closed stdout: later writes (and the flush at exit) go nowhere;
    exit :data:`EXIT_STDOUT_CLOSED`."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (tests' StringIO)
        pass
    sys.exit(EXIT_STDOUT_CLOSED)


class ZkporConsole(Console):
    """A rich console that does not hard-wrap output going to a file or pipe, and exits
    141 (not rich's 1) when its reader closed the pipe."""

    def __init__(self, **kwargs: Any) -> None:
        stream = sys.stderr if kwargs.get("stderr") else sys.stdout
        try:
            to_terminal = stream.isatty()
        except (AttributeError, ValueError):
            to_terminal = False
        asked = os.environ.get("COLUMNS", "").isdigit()  # a width asked for: wrap to it
        kwargs.setdefault("soft_wrap", not (to_terminal or asked))
        super().__init__(**kwargs)

    def on_broken_pipe(self) -> None:
        stdout_closed()
