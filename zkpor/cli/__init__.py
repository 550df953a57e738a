"""The ``zkpor`` command line: a thin layer over the library.

Exit codes: 0 success, 1 a verification failed, 2 bad input or usage. Errors are one line on
stderr without a traceback; ``--debug`` shows the traceback.

Manual: docs/cli.md.
"""

from __future__ import annotations

from zkpor.cli import assets_cmds as _assets_cmds  # noqa: F401  (assets set/compare)
from zkpor.cli import circuits_cmd as _circuits_cmd  # noqa: F401  (registers zkpor circuits)
from zkpor.cli import demo_cmd as _demo_cmd  # noqa: F401  (registers zkpor demo)
from zkpor.cli import operator_cmds as _operator_cmds  # noqa: F401  (keygen, prove, export)
from zkpor.cli import publish_cmd as _publish_cmd  # noqa: F401  (publish)
from zkpor.cli import reserves_cmds as _reserves_cmds  # noqa: F401  (reserves message/check/list)
from zkpor.cli import vectors_cmd as _vectors_cmd  # noqa: F401  (registers zkpor vectors)
from zkpor.cli import verify_cmds as _verify_cmds  # noqa: F401  (verify user, verify audit)
from zkpor.cli import web_cmd as _web_cmd  # noqa: F401  (registers zkpor verifier-page)
from zkpor.cli.app import app, main

__all__ = ["app", "main"]
