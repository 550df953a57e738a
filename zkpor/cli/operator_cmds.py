"""Operator commands: keygen, prove, export.

Manual: docs/cli.md. Spec: what prove writes, docs/spec/bundle-and-audit.md (9) and
docs/spec/solvency-and-manifest.md (11, 12); what export writes,
docs/spec/inclusion-proofs.md (8.1, 8.1a, 8.4).
"""

from __future__ import annotations

import json
import os
import sys
from concurrent.futures import Executor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from zkpor.cli.app import app
from zkpor.cli.common import Bars, console, data_console, shown_line
from zkpor.errors import InputError
from zkpor.prover.liabilities.progress import ProgressDisplay, ProgressMonitor
from zkpor.prover.private_reserves import PrivateInput, parse_private_option

if TYPE_CHECKING:
    from zkpor.prover.liabilities.prover import ProveOptions, ProveSummary

__all__: list[str] = []

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


class ProofFormat(StrEnum):
    """The encodings ``zkpor export --format`` writes (spec 8.1, 8.1a)."""

    json = "json"
    binary = "binary"


@app.command(short_help="Write a fresh master secret (mode 0600).")
def keygen(
    out: Annotated[Path, typer.Option("--out", help="Where to write the master secret.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a fresh 32-byte master secret (mode 0600).

    Every blinding factor, salt and the leaf placement of every round derive from it
    (HKDF). Keep it offline and backed up. An existing file is never replaced without
    --force.

    Example:

    \b
      zkpor keygen --out exchange.secret
    """
    from zkpor.prover.liabilities.keys import write_master_secret

    if out.exists() and not force:
        raise InputError(
            "file exists; refusing to overwrite a master secret (the rounds proved with it "
            "need it to export proofs). Pass --force to replace it",
            source=str(out),
        )
    write_master_secret(out, force=force)
    typer.echo(f"wrote master secret to {out} (mode 0600)")


# zkpor prove's options, one alias each (the command's signature names them, one per line)
_Balances = Annotated[Path, typer.Option("--balances", help="CSV: user_id,asset,amount[,debt].")]
_Assets = Annotated[Path, typer.Option("--assets", help="Assets file (JSON or TOML).")]
_Secret = Annotated[Path, typer.Option("--secret", help="Master secret (zkpor keygen).")]
_Round = Annotated[str, typer.Option("--round", help="Round id, e.g. 2026-11-30.")]
_Out = Annotated[Path, typer.Option("--out", help="Bundle directory to create.")]
_Arity = Annotated[int, typer.Option("--arity", help="Arity: 2, 4, 8, 16, 32 or 64.")]
_PadGranularity = Annotated[
    int,
    typer.Option("--pad-granularity", help="Pad each asset's leaf count to a multiple of this."),
]
_DebtPadGranularity = Annotated[
    int | None,
    typer.Option(
        "--debt-pad-granularity",
        help="Pad each debt tree to a multiple of this [default: 16].",
    ),
]
_Workers = Annotated[
    int | None,
    typer.Option("--workers", help="Local worker processes [default: one per available core]."),
]
_Scheduler = Annotated[
    str | None, typer.Option("--scheduler", help="Dask scheduler address (tcp://host:8786).")
]
_Reserves = Annotated[
    Path | None, typer.Option("--reserves", help="Reserves snapshot (JSON) with signatures.")
]
_Exchange = Annotated[
    str | None, typer.Option("--exchange", help="Exchange name, as signed by every address.")
]
_PrivateReserves = Annotated[
    list[str] | None,
    typer.Option(
        "--private-reserves",
        metavar="ASSET=SET,KEYS",
        help=(
            "Reserves of ASSET proven among the keys of the anonymity set file SET without "
            "naming them; KEYS is the file of the exchange's secret keys (mode 0600). "
            "Repeat per asset."
        ),
    ),
]
_MinRatio = Annotated[
    str, typer.Option("--min-ratio", help="Prove reserves >= RATIO x liabilities (e.g. 1.05).")
]
_DiscloseTotals = Annotated[
    bool, typer.Option("--disclose-totals", help="Publish each asset's total liabilities.")
]
_ChunkHeight = Annotated[
    int | None,
    typer.Option("--chunk-height", help="Height of the subtrees handed to workers (advanced)."),
]
_Json = Annotated[bool, typer.Option("--json", help="Machine-readable summary.")]
_Quiet = Annotated[bool, typer.Option("--quiet", help="No progress bars.")]
_ProgressJson = Annotated[
    str | None,
    typer.Option(
        "--progress-json",
        metavar="<path>",
        help="Append progress events (one JSON object per line) to PATH, or - for stderr.",
    ),
]


@dataclass(frozen=True)
class _ProveInputs:
    """A prove run's checked inputs: the master secret, the prover's options, and the
    reserves part (snapshot, exchange, ratio (p, q), whether totals are disclosed)."""

    master: bytes
    opts: ProveOptions
    reserves: Path | None
    exchange: str | None
    ratio: tuple[int, int]
    disclose_totals: bool
    private: tuple[PrivateInput, ...] = ()


@dataclass(frozen=True)
class _ProveRun:
    """What a finished prove run reports: its bundle and round, the prover's summary, the
    manifest digest (None without --reserves), the time it took and whether it resumed an
    unfinished run."""

    out: Path
    round_id: str
    summary: ProveSummary
    manifest_digest: str | None
    elapsed: float
    resuming: bool


@app.command(short_help="Build a round's trees, proofs and manifest into a bundle.")
def prove(
    balances: _Balances,
    assets: _Assets,
    secret: _Secret,
    round_id: _Round,
    out: _Out,
    arity: _Arity = 16,
    pad_granularity: _PadGranularity = 256,
    debt_pad_granularity: _DebtPadGranularity = None,
    workers: _Workers = None,
    scheduler: _Scheduler = None,
    reserves: _Reserves = None,
    exchange: _Exchange = None,
    min_ratio: _MinRatio = "1",
    disclose_totals: _DiscloseTotals = False,
    private_reserves: _PrivateReserves = None,
    chunk_height: _ChunkHeight = None,
    as_json: _Json = False,
    quiet: _Quiet = False,
    progress_json: _ProgressJson = None,
) -> None:
    """Build the liabilities trees and proofs into a bundle.

    The CSV is read first: bad rows, repeated rows and (with --reserves) a shortfall are
    refused in seconds, before any tree is built. A run stopped by Ctrl-C or killed
    resumes when started again with the same inputs (from BUNDLE.partial, checked before
    it is trusted); the finished bundle is audited and checked against the CSV before it
    is renamed into place. One run per --out at a time (BUNDLE.lock).

    Example:

    \b
      zkpor prove --balances balances.csv --assets assets.toml \\
        --secret exchange.secret --round 2026-11-30 \\
        --reserves reserves.json --exchange "Demo Exchange" --out bundle
    """
    inputs = _prove_inputs(
        secret=secret,
        round_id=round_id,
        arity=arity,
        pad_granularity=pad_granularity,
        debt_pad_granularity=debt_pad_granularity,
        workers=workers,
        reserves=reserves,
        exchange=exchange,
        min_ratio=min_ratio,
        disclose_totals=disclose_totals,
        chunk_height=chunk_height,
        private_reserves=private_reserves or [],
    )
    run = _run_round(
        balances,
        assets,
        out,
        inputs,
        workers=workers,
        scheduler=scheduler,
        progress_off=quiet or as_json,
        progress_json=progress_json,
        as_json=as_json,
    )
    if as_json:
        typer.echo(json.dumps(_prove_json(run), indent=2))
        return
    _print_prove_summary(run)


def _prove_inputs(
    *,
    secret: Path,
    round_id: str,
    arity: int,
    pad_granularity: int,
    debt_pad_granularity: int | None,
    workers: int | None,
    reserves: Path | None,
    exchange: str | None,
    min_ratio: str,
    disclose_totals: bool,
    chunk_height: int | None,
    private_reserves: list[str],
) -> _ProveInputs:
    """Check prove's options before any work, in this order: --reserves and --exchange go
    together, --min-ratio and --disclose-totals need them, --chunk-height and --workers are
    at least 1, the ratio parses, the master secret is read, --debt-pad-granularity is at
    least 1. InputError at the first problem."""
    from zkpor.protocol.solvency import parse_ratio
    from zkpor.prover.liabilities.keys import read_master_secret
    from zkpor.prover.liabilities.prover import ProveOptions

    if (reserves is None) != (exchange is None):
        raise InputError("--reserves and --exchange go together")
    if reserves is None and (min_ratio != "1" or disclose_totals or private_reserves):
        raise InputError(
            "--min-ratio, --disclose-totals and --private-reserves need --reserves and --exchange"
        )
    private = tuple(parse_private_option(text) for text in private_reserves)
    if chunk_height is not None and chunk_height < 1:
        raise InputError("--chunk-height must be at least 1")
    if workers is not None and workers < 1:
        raise InputError("--workers must be at least 1")
    ratio = parse_ratio(min_ratio)
    master = read_master_secret(secret)
    if debt_pad_granularity is not None and debt_pad_granularity < 1:
        raise InputError("--debt-pad-granularity must be at least 1")
    opts = ProveOptions(
        round_id=round_id,
        arity=arity,
        pad_granularity=pad_granularity,
        chunk_height=chunk_height,
        debt_pad_granularity=debt_pad_granularity,
    )
    return _ProveInputs(master, opts, reserves, exchange, ratio, disclose_totals, private)


class _ResumeNotice:
    """Told by the prover when it resumes an unfinished run, after checking it is of the
    same inputs and secret (never before: a refused resume prints only its error); says so,
    unless --json."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.resumed = False

    def __call__(self, partial: Path) -> None:
        self.resumed = True
        if not self.as_json:
            data_console.print(
                shown_line(f"resuming the unfinished run in {partial} (same inputs and secret)")
            )


def _run_round(
    balances: Path,
    assets: Path,
    out: Path,
    inputs: _ProveInputs,
    *,
    workers: int | None,
    scheduler: str | None,
    progress_off: bool,
    progress_json: str | None,
    as_json: bool,
) -> _ProveRun:
    """Prove the round on the executor (local workers or a Dask scheduler) with the
    progress output (:func:`_progress`), timed; Ctrl-C leaves through :func:`interrupted`."""
    import time

    from zkpor.prover.parallel import make_executor
    from zkpor.prover.publish import prove_round

    started = time.perf_counter()
    notice = _ResumeNotice(as_json)
    with (
        make_executor(workers, scheduler) as executor,
        _progress(progress_off, progress_json) as progress,
    ):
        try:
            summary, manifest_digest = prove_round(
                balances,
                assets,
                inputs.master,
                inputs.opts,
                out,
                executor,
                reserves=inputs.reserves,
                exchange=inputs.exchange,
                ratio=inputs.ratio,
                disclose_totals=inputs.disclose_totals,
                progress=progress,
                on_resume=notice,
                private=inputs.private,
            )
        except KeyboardInterrupt:
            interrupted(executor, progress, as_json)
    elapsed = time.perf_counter() - started
    return _ProveRun(out, inputs.opts.round_id, summary, manifest_digest, elapsed, notice.resumed)


def _prove_json(run: _ProveRun) -> dict[str, object]:
    """The --json summary of a prove run."""
    summary = run.summary
    data: dict[str, object] = {
        "bundle": str(run.out),
        "round_id": run.round_id,
        "rows": summary.rows,
        "seconds": round(run.elapsed, 2),
        "chunks_built": summary.chunks_built,
        "resumed": run.resuming,
        "chunks_resumed": summary.chunks_reused,
        "chunks_rebuilt": summary.chunks_rebuilt,
        "assets": summary.assets,
        "manifest_digest": run.manifest_digest or None,
    }
    if summary.debts:
        data["debts"] = summary.debts
        data["margin_accounts"] = summary.margin_accounts
        data["collateral_resumed"] = summary.collateral_reused
    return data


def _print_prove_summary(run: _ProveRun) -> None:
    """The text summary of a prove run: the bundle line, what was resumed or rebuilt, each
    asset's and debt tree's root, and the manifest digest to publish."""
    from zkpor.formats.identifiers import shown

    summary = run.summary
    # data (paths, the round id, symbols) is printed as data: never as rich markup
    console.print(
        f"bundle {shown(str(run.out))}  round {shown(run.round_id)}  {summary.rows} rows  "
        f"{run.elapsed:.1f} s",
        markup=False,
        highlight=False,
    )
    if run.resuming:
        total = summary.chunks_reused + summary.chunks_built
        typer.echo(
            f"  resumed: {summary.chunks_reused} of {total} chunks reused from the unfinished run"
        )
        if summary.collateral_reused:
            typer.echo(
                f"  resumed: {summary.collateral_reused} of {summary.margin_accounts} collateral "
                "proofs reused from the unfinished run"
            )
    if summary.audit_rebuilt:
        typer.echo("  resumed: the unfinished audit file was unreadable; every chunk was rebuilt")
    elif summary.chunks_rebuilt:
        typer.echo(
            f"  resumed: {summary.chunks_rebuilt} finished chunk(s) failed their checkpoint "
            "check and were rebuilt"
        )
    for sym, info in summary.assets.items():
        console.print(
            f"  {shown(sym):8} leaves {info['leaf_count']:>9}  root {str(info['root_hash'])[:16]}…",
            markup=False,
            highlight=False,
        )
    for sym, info in summary.debts.items():
        console.print(
            f"  {shown(sym):8} debt leaves {info['leaf_count']:>4}  "
            f"root {str(info['root_hash'])[:16]}…",
            markup=False,
            highlight=False,
        )
    if summary.debts:
        typer.echo(f"  {summary.margin_accounts} collateral proofs (margin and dummy accounts)")
    if run.manifest_digest:
        console.print(f"manifest digest {run.manifest_digest}", markup=False, highlight=False)
        typer.echo("  (in manifest.sha256: publish this value as widely as you can)")
    else:
        console.print("no --reserves given: the bundle proves liabilities only (no manifest)")


def _progress(off: bool, events: str | None) -> ProgressMonitor:
    """The prove command's progress: the library's (stage, done, total) callback, feeding
    the live display (chunks, entries/s, time left) unless ``off``, and with ``--progress-json
    DEST`` the JSON events (zkpor/prover/liabilities/progress.py). Every progress output of
    ``zkpor prove`` is wired here."""
    display = ProgressDisplay(not off and events != "-")
    return ProgressMonitor.to(display, events)


def interrupted(executor: Executor, progress: ProgressMonitor, as_json: bool = False) -> NoReturn:
    """Ctrl-C: drop the queued tasks, leave without waiting for running ones, exit 130.

    What the run finished is committed chunk by chunk in BUNDLE.partial and is checked
    before a rerun trusts it, so leaving at once loses at most the chunks in flight. The
    local pool's workers end within a second of their driver (:func:`zkpor.prover.parallel.
    watch_parent`) and ignore SIGINT themselves (no traceback from each of them)."""
    # restores the cursor the live display hid; the events end with "failed"
    progress.__exit__(KeyboardInterrupt, KeyboardInterrupt("interrupted"), None)
    executor.shutdown(wait=False, cancel_futures=True)
    sys.stdout.flush()
    message = "interrupted; run the same command again to resume"
    if as_json:
        failure = {
            "ok": False,
            "error": message,
            "errors": [message],
            "exit_code": EXIT_INTERRUPTED,
        }
        print(json.dumps(failure, indent=2), flush=True)
    print(f"\n{message}", file=sys.stderr, flush=True)
    os._exit(EXIT_INTERRUPTED)


@app.command(short_help="Write customers' inclusion proofs (private, mode 0600).")
def export(
    bundle: Annotated[
        Path, typer.Argument(metavar="BUNDLE", help="The bundle (zkpor prove --out).")
    ],
    user: Annotated[str | None, typer.Option("--user", help="Customer id.")] = None,
    all_users: Annotated[bool, typer.Option("--all", help="Export every customer.")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output file (or directory with --all).")
    ] = None,
    fmt: Annotated[
        ProofFormat,
        typer.Option("--format", help="json (readable) or binary (.zkpi, about 0.4x the size)."),
    ] = ProofFormat.json,
) -> None:
    """Export inclusion proofs (mode 0600: each holds the customer's opening).

    With --all, files are named by user id (plain lower-case ids as they are, others as a
    readable prefix, "~" and a SHA-256 of the id) and DIR/index.csv maps each id to its
    file; the browser verifier (index.html) is written beside them.

    Examples:

    \b
      zkpor export bundle --user alice --out alice.json
      zkpor export bundle --all --out proofs/ --format binary
    """
    from zkpor.prover.liabilities.export import (
        FORMATS,
        INDEX_NAME,
        export_all,
        export_user,
        safe_filename,
    )

    assert fmt.value in FORMATS
    if all_users == (user is not None):
        raise InputError("give exactly one of --user ID or --all")
    if all_users:
        if out is None:
            raise InputError("--all needs --out DIR")
        with Bars(True) as bars:
            count = export_all(bundle, out, progress=bars, fmt=fmt.value)
        from zkpor.web import write_page

        page = write_page(out)
        data_console.print(
            shown_line(f"wrote {count} inclusion proofs to {out} (index: {out / INDEX_NAME})")
        )
        data_console.print(shown_line(f"wrote {page} (the browser verifier, for hosting)"))
        return
    assert user is not None
    target = out or Path(safe_filename(user, fmt.value))
    export_user(bundle, user, target, fmt.value)
    data_console.print(shown_line(f"wrote {target}"))
