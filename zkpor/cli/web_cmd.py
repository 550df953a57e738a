"""zkpor verifier-page: write the browser verifier (one offline HTML page) for hosting.

Manual: docs/cli.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zkpor.cli.app import app
from zkpor.cli.common import console

__all__: list[str] = []


@app.command("verifier-page", short_help="Write the browser verifier page (index.html).")
def verifier_page(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="Directory to write index.html into.")
    ],
) -> None:
    """Write DIR/index.html: the browser verifier, a single self-contained page that checks
    a customer's inclusion proof against the manifest offline (it sends nothing anywhere).

    Example:

    \b
      zkpor verifier-page site/
    """
    from zkpor.web import write_page

    console.print(f"wrote {write_page(directory)}")
