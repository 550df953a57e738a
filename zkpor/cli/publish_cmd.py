"""zkpor publish: the folder of a round's public files, without the private store.

Manual: docs/cli.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zkpor.cli.app import app
from zkpor.cli.common import data_console, shown_line

__all__: list[str] = []


@app.command(short_help="Copy a bundle's public files into a folder to publish.")
def publish(
    bundle: Annotated[
        Path, typer.Argument(metavar="BUNDLE", help="The finished bundle (zkpor prove --out).")
    ],
    out: Annotated[Path, typer.Option("--out", help="New or empty folder to fill.")],
) -> None:
    """Copy what a round publishes into a new folder: manifest.json, manifest.sha256,
    roots.json, audit.sqlite and the browser verifier (index.html).

    Never copies private/ (every balance and opening in clear). Refuses a folder inside
    the bundle and one that is not empty; the folder appears complete or not at all.
    Publish the folder's files as they are, and the digest as widely as you can.

    Example:

    \b
      zkpor publish bundle --out site
    """
    from zkpor.prover.published import publish_folder

    written = publish_folder(bundle, out)
    for path in written:
        data_console.print(shown_line(f"wrote {path}"))
    digest = out / "manifest.sha256"
    if digest.is_file():
        data_console.print(shown_line(f"manifest digest {digest.read_text().strip()}"))
        data_console.print("  (publish this value as widely as you can)")
    else:
        data_console.print("no manifest (a round without reserves): publish roots.json's SHA-256")
