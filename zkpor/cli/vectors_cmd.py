"""Commands: vectors generate, vectors check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from zkpor.cli.app import app, command_group
from zkpor.errors import InputError, VerificationError

vectors_app = command_group("Test vectors for other implementations (vectors/, docs/vectors.md).")
app.add_typer(vectors_app, name="vectors", short_help="Test vectors for other implementations.")
console = Console()


@vectors_app.command("generate", short_help="Write every vector file (deterministic).")
def vectors_generate(
    directory: Annotated[
        Path,
        typer.Argument(metavar="DIR", help="Where to write them (created if missing)."),
    ] = Path("vectors"),
) -> None:
    """Write every vector file, its JSON Schema and README.md (deterministic: the seeded
    prover and fixed inputs reproduce the committed files byte for byte).

    Example:

    \b
      zkpor vectors generate vectors
    """
    from zkpor.vectors import generate_dir

    if directory.exists() and not directory.is_dir():
        raise InputError("not a directory", source=str(directory))
    written = generate_dir(directory)
    console.print(f"wrote {len(written)} files to {directory}")


@vectors_app.command("check", short_help="Check this implementation against the vectors.")
def vectors_check(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="Directory of vector files.")
    ] = Path("vectors"),
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable report.")] = False,
) -> None:
    """Check this implementation against the vector files, on the active backend
    (ZKPOR_BACKEND=reference|fast selects one): every valid vector must be accepted with
    the recorded outputs, every invalid one rejected. Exit 1 if any vector fails.

    Example:

    \b
      zkpor vectors check vectors --json
    """
    from zkpor.crypto.group import active_backend
    from zkpor.vectors import check_dir

    backend = active_backend()
    reports = check_dir(directory, backend)
    failed = sum(len(r.failures) for r in reports)
    total = sum(r.tests for r in reports)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": failed == 0,
                    "backend": backend.name,
                    "directory": str(directory),
                    "tests": total,
                    "failed": failed,
                    "files": [r.to_json() for r in reports],
                },
                indent=2,
            )
        )
    else:
        for r in reports:
            status = "[green]OK[/]  " if r.ok else "[red]FAIL[/]"
            console.print(
                f"{status} {r.name + '.json':24} {r.tests:4} tests "
                f"({r.valid} valid, {r.invalid} invalid), {r.passed} passed"
            )
            for f in r.failures:
                console.print(f"       tcId {f.tc_id} ({f.comment}): {f.reason}", markup=False)
        console.print(f"backend {backend.name}: {total - failed} of {total} vectors passed")
    if failed:
        raise VerificationError(f"{failed} of {total} vectors failed")


__all__ = ["vectors_app"]
