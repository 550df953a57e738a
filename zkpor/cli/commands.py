"""Commands: keygen, prove, export, verify user, verify audit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from ..errors import InputError, VerificationError
from .app import app

verify_app = typer.Typer(
    help="Verify a customer's inclusion proof or audit a whole bundle.", no_args_is_help=True
)
app.add_typer(verify_app, name="verify")
console = Console()


class _Bars:
    """A rich progress display fed by the library's (stage, done, total) callbacks."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            disable=not enabled,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> _Bars:
        self.started = False
        return self

    def __exit__(self, *exc: object) -> None:
        if self.started:
            self.progress.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.started:
            self.progress.start()
            self.started = True
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)


def _read_json_file(path: Path, what: str) -> str:
    if not path.is_file():
        raise InputError(f"{what} not found", source=str(path))
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {what}: {exc}", source=str(path)) from None


@app.command()
def keygen(
    out: Annotated[Path, typer.Option("--out", help="Where to write the master secret.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a fresh 32-byte master secret (mode 0600).

    Every blinding factor, salt and the leaf placement of every round derive from it (HKDF).
    Keep it offline and backed up. Example: zkpor keygen --out exchange.secret
    """
    from ..liabilities.keys import write_master_secret

    write_master_secret(out, force=force)
    console.print(f"wrote master secret to {out} (mode 0600)")


@app.command()
def prove(
    balances: Annotated[Path, typer.Option("--balances", help="CSV: user_id,asset,amount.")],
    assets: Annotated[Path, typer.Option("--assets", help="Assets file (JSON or TOML).")],
    secret: Annotated[Path, typer.Option("--secret", help="Master secret (zkpor keygen).")],
    round_id: Annotated[str, typer.Option("--round", help="Round id, e.g. 2026-11-30.")],
    out: Annotated[Path, typer.Option("--out", help="Bundle directory to create.")],
    arity: Annotated[int, typer.Option("--arity", help="Tree arity (power of two).")] = 4,
    pad_granularity: Annotated[
        int,
        typer.Option(
            "--pad-granularity", help="Pad each asset's leaf count to a multiple of this."
        ),
    ] = 256,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Local worker processes.")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address (tcp://host:8786).")
    ] = None,
    chunk_height: Annotated[
        int | None,
        typer.Option("--chunk-height", help="Height of the subtrees handed to workers (advanced)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable summary.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bars.")] = False,
) -> None:
    """Build the liabilities trees and proofs into a bundle.

    A killed run resumes when started again with the same inputs (from BUNDLE.partial).
    Example: zkpor prove --balances balances.csv --assets assets.toml --secret exchange.secret
    --round 2026-11-30 --out bundle
    """
    import time

    from ..liabilities.keys import read_master_secret
    from ..liabilities.prover import ProveOptions, prove_liabilities
    from ..parallel import make_executor

    master = read_master_secret(secret)
    if chunk_height is not None and chunk_height < 1:
        raise InputError("--chunk-height must be at least 1")
    opts = ProveOptions(
        round_id=round_id, arity=arity, pad_granularity=pad_granularity, chunk_height=chunk_height
    )
    started = time.perf_counter()
    with make_executor(workers, scheduler) as executor, _Bars(not quiet and not as_json) as bars:
        summary = prove_liabilities(balances, assets, master, opts, out, executor, progress=bars)
    elapsed = time.perf_counter() - started
    data = {
        "bundle": str(out),
        "round_id": round_id,
        "rows": summary.rows,
        "seconds": round(elapsed, 2),
        "chunks_built": summary.chunks_built,
        "chunks_resumed": summary.chunks_reused,
        "assets": summary.assets,
    }
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    console.print(f"[bold]bundle[/] {out}  round {round_id}  {summary.rows} rows  {elapsed:.1f} s")
    for sym, info in summary.assets.items():
        console.print(
            f"  {sym:8} leaves {info['leaf_count']:>9}  root {str(info['root_hash'])[:16]}…"
        )


@app.command()
def export(
    bundle: Annotated[Path, typer.Option("--bundle", help="Bundle directory.")],
    user: Annotated[str | None, typer.Option("--user", help="Customer id.")] = None,
    all_users: Annotated[bool, typer.Option("--all", help="Export every customer.")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output file (or directory with --all).")
    ] = None,
) -> None:
    """Export inclusion proofs (mode 0600: each holds the customer's opening).

    Example: zkpor export --bundle bundle --user alice --out alice.json;
    zkpor export --bundle bundle --all --out proofs/
    """
    from ..liabilities.export import export_all, export_user, safe_filename

    if all_users == (user is not None):
        raise InputError("give exactly one of --user ID or --all")
    if all_users:
        if out is None:
            raise InputError("--all needs --out DIR")
        with _Bars(True) as bars:
            count = export_all(bundle, out, progress=bars)
        console.print(f"wrote {count} inclusion proofs to {out}")
        return
    assert user is not None
    target = out or Path(safe_filename(user))
    export_user(bundle, user, target)
    console.print(f"wrote {target}")


@verify_app.command("user")
def verify_user(
    proof: Annotated[Path, typer.Argument(help="The customer's inclusion proof (JSON).")],
    roots: Annotated[Path, typer.Option("--roots", help="The published roots.json.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable result.")] = False,
) -> None:
    """Check that a customer's balances are counted in the published trees.

    Exit 0 when every asset verifies, 1 when any check fails, 2 for unreadable input.
    Example: zkpor verify user alice.json --roots roots.json
    """
    from pydantic import ValidationError

    from ..models import InclusionProof, Roots
    from ..verify.inclusion import verify_inclusion

    try:
        incl = InclusionProof.model_validate_json(_read_json_file(proof, "proof"))
    except ValidationError as exc:
        raise InputError(_first_error(exc), source=str(proof)) from None
    try:
        pub = Roots.model_validate_json(_read_json_file(roots, "roots file"))
    except ValidationError as exc:
        raise InputError(_first_error(exc), source=str(roots)) from None
    results = verify_inclusion(incl, pub.assets, round_id=pub.round_id, arity=pub.arity)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": True,
                    "user_id": incl.user_id,
                    "round_id": pub.round_id,
                    "assets": [
                        {"asset": r.asset, "amount": r.amount, "root_hash": r.root_hash}
                        for r in results
                    ],
                },
                indent=2,
            )
        )
        return
    console.print(f"[green]OK[/] {incl.user_id}: counted in round {pub.round_id}")
    for r in results:
        console.print(f"  {r.asset:8} {r.amount:>24}  root {r.root_hash[:16]}…")


def _first_error(exc: Exception) -> str:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        return f"{loc}: {err['msg']}"
    return str(exc)


@verify_app.command("audit")
def verify_audit(
    bundle: Annotated[Path, typer.Argument(help="Bundle directory or audit.sqlite.")],
    roots: Annotated[Path | None, typer.Option("--roots", help="Published roots.json.")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable result.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bars.")] = False,
) -> None:
    """Check every node and every range proof of an audit file.

    Example: zkpor verify audit bundle --roots roots.json
    """
    from pydantic import ValidationError

    from ..models import Roots
    from ..verify.audit import audit_bundle

    roots_path = roots or (bundle / "roots.json" if bundle.is_dir() else None)
    pub = None
    if roots_path is not None and roots_path.exists():
        try:
            pub = Roots.model_validate_json(_read_json_file(roots_path, "roots file"))
        except ValidationError as exc:
            raise InputError(_first_error(exc), source=str(roots_path)) from None
    if not bundle.exists():
        raise InputError("not found", source=str(bundle))
    with _Bars(not quiet and not as_json) as bars:
        report = audit_bundle(bundle, roots=pub, workers=workers, progress=bars)
    data = {
        "ok": True,
        "round_id": report.round_id,
        "arity": report.arity,
        "nodes": report.nodes,
        "range_proofs": report.proofs,
        "seconds": round(report.seconds, 2),
        "assets": report.assets,
    }
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    console.print(
        f"[green]OK[/] audit of round {report.round_id}: {report.nodes} nodes, "
        f"{report.proofs} range proofs, {report.seconds:.1f} s"
    )


__all__ = ["VerificationError", "verify_app"]
