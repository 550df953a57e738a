"""Commands: vectors check (and vectors generate, which only says where generation went).

Manual: docs/cli.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from zkpor.cli.app import app, command_group
from zkpor.cli.console import ZkporConsole
from zkpor.errors import InputError, VerificationError

vectors_app = command_group("Test vectors for other implementations (vectors/, docs/vectors.md).")
app.add_typer(vectors_app, name="vectors", short_help="Test vectors for other implementations.")
console = ZkporConsole()


@vectors_app.command("generate", hidden=True)
def vectors_generate(
    directory: Annotated[Path | None, typer.Argument(metavar="DIR", help="Ignored.")] = None,
) -> None:
    """Generation is not part of the installed package. The released vectors are frozen
    (vectors/README.md); a new release is generated from a source checkout with
    `python -m tools.vectors generate vectors/vN` (docs/vectors.md)."""
    raise InputError(
        "zkpor vectors generate is gone: released vectors are frozen (vectors/README.md); "
        "a new release is generated in a source checkout with "
        "`python -m tools.vectors generate DIR` (docs/vectors.md)"
    )


@vectors_app.command("check", short_help="Check this implementation against the vectors.")
def vectors_check(
    directory: Annotated[
        Path | None,
        typer.Argument(
            metavar="DIR",
            help="A release folder (vectors/v1), or a folder of them (vectors). Default: the "
            "releases of ./vectors, else those shipped with the package.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable report.")] = False,
) -> None:
    """Check this implementation against the vector files, on the active backend
    (ZKPOR_BACKEND=reference|fast selects one): every valid vector must be accepted with
    the recorded outputs, every invalid one rejected. Without DIR, every frozen release
    (vectors/README.md) is checked: ./vectors/v*/ in a source checkout, else the copy
    installed with the package. Exit 1 if any vector fails.

    Example:

    \b
      zkpor vectors check
      zkpor vectors check vectors/v1 --json
    """
    from zkpor.crypto.group import active_backend
    from zkpor.vectors import check_dir, checked_files, resolve

    backend = active_backend()
    releases = [(d, check_dir(d, backend, names=checked_files(d))) for d in resolve(directory)]
    reports = [r for _, rs in releases for r in rs]
    failed = sum(len(r.failures) for r in reports)
    total = sum(r.tests for r in reports)
    if as_json:
        out: dict[str, object] = {
            "ok": failed == 0,
            "backend": backend.name,
            "directory": str(releases[0][0]) if len(releases) == 1 else None,
            "tests": total,
            "failed": failed,
            "files": [r.to_json() for r in releases[0][1]] if len(releases) == 1 else None,
            "releases": [
                {
                    "directory": str(d),
                    "tests": sum(r.tests for r in rs),
                    "failed": sum(len(r.failures) for r in rs),
                    "files": [r.to_json() for r in rs],
                }
                for d, rs in releases
            ],
        }
        typer.echo(json.dumps(out, indent=2))
    else:
        for d, rs in releases:
            console.print(f"{d}:", markup=False)
            for r in rs:
                status = "[green]OK[/]  " if r.ok else "[red]FAIL[/]"
                console.print(
                    f"{status} {r.name + '.json':24} {r.tests:4} tests "
                    f"({r.valid} valid, {r.invalid} invalid), {r.passed} passed"
                )
                for f in r.failures:
                    console.print(f"       tcId {f.tc_id} ({f.comment}): {f.reason}", markup=False)
        where = ", ".join(str(d) for d, _ in releases)
        console.print(
            f"backend {backend.name}: {total - failed} of {total} vectors passed ({where})"
        )
    if failed:
        raise VerificationError(f"{failed} of {total} vectors failed")


__all__ = ["vectors_app"]
