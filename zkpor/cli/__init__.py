"""The ``zkpor`` command line: a thin layer over the library.

Exit codes: 0 success, 1 a verification failed, 2 bad input or usage. Errors are one line on
stderr without a traceback; ``--debug`` shows the traceback.
"""

from __future__ import annotations

from . import commands as _commands  # noqa: F401  (registers the commands)
from . import vectors_cmd as _vectors_cmd  # noqa: F401  (registers zkpor vectors)
from .app import app, main

__all__ = ["app", "main"]
