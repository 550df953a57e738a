"""Typer application and the error-to-exit-code policy."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console

from .. import __version__
from ..errors import VerificationError, ZkporError

EXIT_OK = 0
EXIT_VERIFICATION_FAILED = 1
EXIT_BAD_INPUT = 2

app = typer.Typer(
    name="zkpor",
    help="Zero-knowledge proof of solvency: commitments, range proofs, sum trees on secp256k1.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
_state = {"debug": False}
err_console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"zkpor {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    """zkpor command line. Exit codes: 0 ok, 1 verification failed, 2 bad input or usage."""
    _state["debug"] = debug


@app.command()
def info(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Show the version, the active group backend and the generator-set digest.

    Example: zkpor info --json
    """
    from ..generators import GENERATOR_DST, generator_digest, generators
    from ..group import active_backend

    gens = generators()
    data = {
        "version": __version__,
        "backend": active_backend().name,
        "curve": "secp256k1",
        "hash_to_curve_suite": "secp256k1_XMD:SHA-256_SSWU_RO_",
        "generator_dst": GENERATOR_DST.decode(),
        "generator_digest": generator_digest().hex(),
        "H": gens.H.to_bytes().hex(),
    }
    if as_json:
        typer.echo(json.dumps(data, indent=2))
    else:
        for key, value in data.items():
            typer.echo(f"{key:20} {value}")


def _fail(prefix: str, exc: BaseException, code: int) -> None:
    if _state["debug"]:
        raise exc
    from .common import shown_line

    for line in str(exc).splitlines() or [type(exc).__name__]:
        print(shown_line(f"{prefix}{line}"), file=sys.stderr)
        prefix = "  " if prefix else ""
    sys.exit(code)


def main() -> None:
    """Console-script entry point: run the app with zkpor's error policy.

    Usage errors are reported by typer itself (exit 2). A ZkporError raised by a command
    becomes plain lines on stderr (one per problem, no traceback) and exit 1
    (VerificationError) or 2 (anything else). ``--debug`` re-raises instead.
    """
    try:
        app()
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        sys.exit(130)
    except VerificationError as exc:
        _fail("verification failed: ", exc, EXIT_VERIFICATION_FAILED)
    except ZkporError as exc:
        _fail("error: ", exc, EXIT_BAD_INPUT)
    except (OSError, ValueError) as exc:
        _fail("error: ", exc, EXIT_BAD_INPUT)
