"""Typer application and the error-to-exit-code policy.

Manual: docs/cli.md.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any, NoReturn

import typer
import typer.core

try:  # typer >= 0.20 ships its own copy of click
    from typer._click import exceptions as _click_exceptions
except ImportError:  # pragma: no cover - older typer on click
    from click import exceptions as _click_exceptions  # type: ignore[no-redef]

from zkpor import __version__
from zkpor.cli.console import ZkporConsole, stdout_closed
from zkpor.errors import VerificationError, ZkporError

EXIT_OK = 0
EXIT_VERIFICATION_FAILED = 1
EXIT_BAD_INPUT = 2

# Help is click's plain text (no rich boxes): it rewraps each paragraph of a docstring to
# the terminal (at most 80 columns), shows defaults and choices, and pastes as printed.
HELP_SETTINGS = {"max_content_width": 80, "help_option_names": ["--help", "-h"]}


class PlainUsageCommand(typer.core.TyperCommand):
    """A command whose usage line names a required argument as ``PROOF``, not ``{PROOF}``
    (typer's own notation, which reads as a placeholder to paste)."""

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        pieces = super().collect_usage_pieces(ctx)
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in pieces]

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """As click does, but when a required option is missing, every missing one is named
        in one usage error (``zkpor prove`` alone lists --balances, --assets, --secret,
        --round and --out), not only the first; any other usage error comes first."""
        original = list(args)  # click consumes the list it parses
        try:
            return super().parse_args(ctx, args)
        except _click_exceptions.MissingParameter as exc:
            if exc.param is None or exc.param.param_type_name != "option":
                raise
            given, _, _ = self.make_parser(ctx).parse_args(args=original)
            missing = [
                p.opts[0]
                for p in self.params
                if p.param_type_name == "option" and p.required and p.name not in given
            ]
            if len(missing) > 1:
                raise _click_exceptions.UsageError(
                    f"Missing options: {', '.join(missing)}.", ctx
                ) from None
            raise


class ZkporTyper(typer.Typer):
    """Typer with :class:`PlainUsageCommand` as every command's class."""

    def command(self, *args: Any, cls: Any = None, **kwargs: Any) -> Any:
        return super().command(*args, cls=cls or PlainUsageCommand, **kwargs)


def command_group(help_text: str, **kwargs: object) -> typer.Typer:
    """A typer group with zkpor's help settings (plain text, 80 columns)."""
    return ZkporTyper(
        help=help_text,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings=HELP_SETTINGS,
        **kwargs,  # type: ignore[arg-type]
    )


app = command_group(
    "Zero-knowledge proof of solvency: commitments, range proofs, sum trees on secp256k1.",
    name="zkpor",
)
_state = {"debug": False}
err_console = ZkporConsole(stderr=True)


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


@app.command(short_help="Version, group backend and generator-set digest.")
def info(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Show the version, the active group backend and the generator-set digest.

    Example:

    \b
      zkpor info --json
    """
    from zkpor.crypto.generators import GENERATOR_DST, generator_digest, generators
    from zkpor.crypto.group import active_backend

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


def _fail(prefix: str, exc: BaseException | str, code: int, as_json: bool) -> NoReturn:
    """Report an error as plain lines on stderr (and, for a command run with --json, as
    {"ok": false, "error": ..., "errors": [...], "exit_code": ...} on stdout); exit.

    An error that says what failed in a customer's check (``exc.failed``: verify user) is
    printed as the customer reads it (verify_text.failure_lines) and its --json object
    gains the fields of verify_text.failure_json."""
    if _state["debug"] and isinstance(exc, BaseException):
        raise exc
    from zkpor.cli.common import shown_line

    text = exc if isinstance(exc, str) else str(exc)
    lines = text.splitlines() or [type(exc).__name__]
    shown = [f"{prefix}{lines[0]}", *(f"{'  ' if prefix else ''}{line}" for line in lines[1:])]
    extra: dict[str, str] = {}
    if isinstance(exc, ZkporError) and exc.failed is not None:
        from zkpor.cli.verify_text import failure_json, failure_lines

        shown = failure_lines(prefix, exc)
        extra = failure_json(exc)
    if as_json:
        print(
            json.dumps(
                {
                    "ok": False,
                    "error": lines[0],
                    "errors": lines,
                    "exit_code": code,
                    **extra,
                },
                indent=2,
            )
        )
    for line in shown:
        print(shown_line(line), file=sys.stderr)
    sys.exit(code)


def _usage_message(exc: Any) -> str:
    """A usage error as one line: what is wrong and where to read the options."""
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "zkpor"
    message = " ".join(exc.format_message().split()).replace("Value error, ", "")
    return f"{message} (see {where} --help)"


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app with zkpor's error policy.

    Every error is plain lines on stderr, without a traceback or a box: a usage error
    (missing option, bad value, unknown command) is one line and exit 2; a ZkporError
    raised by a command is one line per problem and exit 1 (VerificationError) or 2
    (anything else). A command run with --json also prints {"ok": false, ...} on stdout.
    ``--debug`` re-raises instead.
    """
    args = sys.argv[1:] if argv is None else argv
    as_json = "--json" in args
    try:
        code = app(args=args, prog_name="zkpor", standalone_mode=False)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        sys.exit(130)
    except typer.Abort:
        print("\ninterrupted", file=sys.stderr)
        sys.exit(130)
    except _click_exceptions.NoArgsIsHelpError as exc:
        # a group given no command: its help, and the usage-error exit code
        if exc.ctx is not None:
            print(exc.ctx.get_help())
        sys.exit(EXIT_BAD_INPUT)
    except _click_exceptions.UsageError as exc:
        _fail("error: ", _usage_message(exc), EXIT_BAD_INPUT, as_json)
    except _click_exceptions.ClickException as exc:
        _fail("error: ", exc.format_message(), EXIT_BAD_INPUT, as_json)
    except BrokenPipeError:  # the reader of stdout went away (`| head`): not a failed check
        stdout_closed()
    except VerificationError as exc:
        _fail("verification failed: ", exc, EXIT_VERIFICATION_FAILED, as_json)
    except ZkporError as exc:
        _fail("error: ", exc, EXIT_BAD_INPUT, as_json)
    except (OSError, ValueError) as exc:
        _fail("error: ", exc, EXIT_BAD_INPUT, as_json)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        stdout_closed()
    sys.exit(code if isinstance(code, int) else EXIT_OK)
