"""Commands: keygen, prove, export, verify user, verify audit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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

if TYPE_CHECKING:
    from ..manifest import Manifest
    from ..models import InclusionProof, Roots
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
    arity: Annotated[int, typer.Option("--arity", help="Tree arity (power of two, 2-64).")] = 16,
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
    reserves: Annotated[
        Path | None, typer.Option("--reserves", help="Reserves snapshot (JSON) with signatures.")
    ] = None,
    exchange: Annotated[
        str | None, typer.Option("--exchange", help="Exchange name, as signed by every address.")
    ] = None,
    min_ratio: Annotated[
        str, typer.Option("--min-ratio", help="Prove reserves >= RATIO x liabilities (e.g. 1.05).")
    ] = "1",
    disclose_totals: Annotated[
        bool, typer.Option("--disclose-totals", help="Publish each asset's total liabilities.")
    ] = False,
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
    from ..liabilities.prover import ProveOptions
    from ..parallel import make_executor
    from ..publish import prove_round
    from ..solvency import parse_ratio

    if (reserves is None) != (exchange is None):
        raise InputError("--reserves and --exchange go together")
    if reserves is None and (min_ratio != "1" or disclose_totals):
        raise InputError("--min-ratio and --disclose-totals need --reserves and --exchange")
    if chunk_height is not None and chunk_height < 1:
        raise InputError("--chunk-height must be at least 1")
    ratio = parse_ratio(min_ratio)
    master = read_master_secret(secret)
    opts = ProveOptions(
        round_id=round_id, arity=arity, pad_granularity=pad_granularity, chunk_height=chunk_height
    )
    started = time.perf_counter()
    with make_executor(workers, scheduler) as executor, _Bars(not quiet and not as_json) as bars:
        summary, manifest_digest = prove_round(
            balances,
            assets,
            master,
            opts,
            out,
            executor,
            reserves=reserves,
            exchange=exchange,
            ratio=ratio,
            disclose_totals=disclose_totals,
            progress=bars,
        )
    digest_box = [manifest_digest] if manifest_digest else []
    elapsed = time.perf_counter() - started
    data = {
        "bundle": str(out),
        "round_id": round_id,
        "rows": summary.rows,
        "seconds": round(elapsed, 2),
        "chunks_built": summary.chunks_built,
        "chunks_resumed": summary.chunks_reused,
        "assets": summary.assets,
        "manifest_digest": digest_box[0] if digest_box else None,
    }
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    console.print(f"[bold]bundle[/] {out}  round {round_id}  {summary.rows} rows  {elapsed:.1f} s")
    for sym, info in summary.assets.items():
        console.print(
            f"  {sym:8} leaves {info['leaf_count']:>9}  root {str(info['root_hash'])[:16]}…"
        )
    if digest_box:
        console.print(f"[bold]manifest digest[/] {digest_box[0]}  (publish this value widely)")
    else:
        console.print("no --reserves given: the bundle proves liabilities only (no manifest)")


@app.command()
def export(
    bundle: Annotated[Path, typer.Option("--bundle", help="Bundle directory.")],
    user: Annotated[str | None, typer.Option("--user", help="Customer id.")] = None,
    all_users: Annotated[bool, typer.Option("--all", help="Export every customer.")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output file (or directory with --all).")
    ] = None,
    fmt: Annotated[
        str,
        typer.Option("--format", help="json (readable) or binary (.zkpi, about 0.4x the size)."),
    ] = "json",
) -> None:
    """Export inclusion proofs (mode 0600: each holds the customer's opening).

    Example: zkpor export --bundle bundle --user alice --out alice.json;
    zkpor export --bundle bundle --all --out proofs/ --format binary
    """
    from ..liabilities.export import FORMATS, export_all, export_user, safe_filename

    if fmt not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}")
    if all_users == (user is not None):
        raise InputError("give exactly one of --user ID or --all")
    if all_users:
        if out is None:
            raise InputError("--all needs --out DIR")
        with _Bars(True) as bars:
            count = export_all(bundle, out, progress=bars, fmt=fmt)
        console.print(f"wrote {count} inclusion proofs to {out}")
        return
    assert user is not None
    target = out or Path(safe_filename(user, fmt))
    export_user(bundle, user, target, fmt)
    console.print(f"wrote {target}")


def _load_inclusion(path: Path) -> InclusionProof:
    """An inclusion proof file, JSON or binary (told apart by the binary magic)."""
    from ..errors import EncodingError
    from ..models import InclusionProof
    from ..proofcodec import MAGIC, decode_inclusion

    if not path.is_file():
        raise InputError("proof not found", source=str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read proof: {exc.strerror}", source=str(path)) from None
    if data.startswith(MAGIC):
        try:
            return decode_inclusion(data)
        except EncodingError as exc:
            raise InputError(str(exc), source=str(path)) from None
    try:
        text = data.decode()
    except UnicodeDecodeError:
        raise InputError(
            "proof is neither JSON nor a binary zkpor proof", source=str(path)
        ) from None
    return InclusionProof.model_validate_json(text)


def _load_manifest(path: Path) -> Manifest:
    from pydantic import ValidationError

    from ..manifest import Manifest

    try:
        return Manifest.model_validate_json(_read_json_file(path, "manifest"))
    except ValidationError as exc:
        raise InputError(_first_error(exc), source=str(path)) from None


def _manifest_roots(manifest: Manifest) -> Roots:
    from ..verify.manifest import manifest_roots

    return manifest_roots(manifest)


@verify_app.command("user")
def verify_user(
    proof: Annotated[
        Path, typer.Argument(help="The customer's inclusion proof (JSON or binary .zkpi).")
    ],
    manifest: Annotated[
        Path | None, typer.Option("--manifest", help="The published manifest.json.")
    ] = None,
    roots: Annotated[
        Path | None, typer.Option("--roots", help="roots.json of a bundle without a manifest.")
    ] = None,
    digest: Annotated[
        str | None, typer.Option("--digest", help="The manifest digest the exchange published.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable result.")] = False,
) -> None:
    """Check that a customer's balances are counted, and that each of those assets is
    covered by reserves (solvency proof). Prints the manifest digest: compare it with the
    value the exchange published everywhere.

    Exit 0 when everything verifies, 1 when any check fails, 2 for unreadable input.
    Example: zkpor verify user alice.json --manifest manifest.json
    """
    from pydantic import ValidationError

    from ..models import Roots
    from ..verify.inclusion import verify_inclusion
    from ..verify.manifest import verify_manifest

    if (manifest is None) == (roots is None):
        raise InputError("give exactly one of --manifest FILE or --roots FILE")
    try:
        incl = _load_inclusion(proof)
    except ValidationError as exc:
        raise InputError(_first_error(exc), source=str(proof)) from None
    solvency: dict[str, dict[str, object]] = {}
    manifest_digest = None
    exchange = None
    if manifest is not None:
        m = _load_manifest(manifest)
        report = verify_manifest(m, assets=[a.asset for a in incl.assets], expected_digest=digest)
        solvency = report.assets
        manifest_digest = report.digest
        exchange = m.exchange
        pub = _manifest_roots(m)
    else:
        assert roots is not None
        try:
            pub = Roots.model_validate_json(_read_json_file(roots, "roots file"))
        except ValidationError as exc:
            raise InputError(_first_error(exc), source=str(roots)) from None
        from ..generators import generator_digest

        if pub.generator_digest != generator_digest().hex():
            raise VerificationError("roots file uses another generator set")
    results = verify_inclusion(incl, pub.assets, round_id=pub.round_id, arity=pub.arity)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": True,
                    "user_id": incl.user_id,
                    "exchange": exchange,
                    "round_id": pub.round_id,
                    "manifest_digest": manifest_digest,
                    "assets": [
                        {
                            "asset": r.asset,
                            "amount": r.amount,
                            "root_hash": r.root_hash,
                            "solvency": solvency.get(r.asset),
                        }
                        for r in results
                    ],
                },
                indent=2,
            )
        )
        return
    who = f" at {exchange}" if exchange else ""
    console.print(f"[green]OK[/] {incl.user_id}{who}: counted in round {pub.round_id}")
    for r in results:
        line = f"  {r.asset:8} {r.amount:>24}"
        if r.asset in solvency:
            info = solvency[r.asset]
            ratio = str(info["min_ratio"])
            cover = "covered" if ratio == "1/1" else f"covered x {ratio}"
            line += f"   reserves {info['reserves']} ({cover})"
        console.print(line)
    if manifest_digest:
        console.print("(reserve ownership signatures are checked by `zkpor verify audit`)")
        console.print(f"manifest digest {manifest_digest}")
        if digest is None:
            console.print("compare it with the digest the exchange published (or pass --digest)")
    else:
        console.print("[yellow]no manifest: solvency not checked[/]")


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
    manifest: Annotated[
        Path | None,
        typer.Option("--manifest", help="Published manifest.json (default: the bundle's)."),
    ] = None,
    roots: Annotated[Path | None, typer.Option("--roots", help="Published roots.json.")] = None,
    digest: Annotated[
        str | None, typer.Option("--digest", help="The manifest digest the exchange published.")
    ] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable result.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bars.")] = False,
) -> None:
    """Check everything: the manifest (parameters, reserves signatures, totals, solvency
    proofs) and every node and range proof of the audit file.

    Example: zkpor verify audit bundle
    """
    from pydantic import ValidationError

    from ..models import Roots
    from ..verify.audit import audit_bundle
    from ..verify.manifest import verify_manifest

    if not bundle.exists():
        raise InputError("not found", source=str(bundle))
    in_bundle = bundle.is_dir()
    manifest_path = manifest or (bundle / "manifest.json" if in_bundle else None)
    roots_path = roots or (bundle / "roots.json" if in_bundle else None)
    pub = None
    report_m = None
    if manifest_path is not None and manifest_path.exists():
        m = _load_manifest(manifest_path)
        report_m = verify_manifest(m, check_signatures=True, expected_digest=digest)
        pub = _manifest_roots(m)
    elif roots_path is not None and roots_path.exists():
        try:
            pub = Roots.model_validate_json(_read_json_file(roots_path, "roots file"))
        except ValidationError as exc:
            raise InputError(_first_error(exc), source=str(roots_path)) from None
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
        "manifest_digest": report_m.digest if report_m else None,
        "solvency": report_m.assets if report_m else None,
    }
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    console.print(
        f"[green]OK[/] audit of round {report.round_id}: {report.nodes} nodes, "
        f"{report.proofs} range proofs, {report.seconds:.1f} s"
    )
    if report_m:
        for sym, info in report_m.assets.items():
            console.print(
                f"  {sym:8} reserves {info['reserves']} from {info['addresses']} signed addresses, "
                f"covered x {info['min_ratio']}"
            )
        console.print(f"manifest digest {report_m.digest}")
    else:
        console.print("[yellow]no manifest: reserves and solvency not checked[/]")


__all__ = ["VerificationError", "verify_app"]


@app.command()
def demo(
    users: Annotated[int, typer.Option("--users", help="Number of synthetic customers.")] = 1000,
    assets: Annotated[
        str, typer.Option("--assets", help="Comma-separated assets among BTC, ETH, USDT.")
    ] = "BTC,ETH,USDT",
    out: Annotated[
        Path, typer.Option("--out", help="Directory for everything the demo makes.")
    ] = Path("zkpor-demo"),
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes.")] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed for the synthetic balances.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable summary.")] = False,
) -> None:
    """Run a synthetic exchange end to end: generate customers and signed reserve wallets,
    prove, export a few customers' proofs, verify them, and audit everything.

    Example: zkpor demo --users 1000 --assets BTC,ETH,USDT --out zkpor-demo
    """
    from rich.table import Table

    from ..demo import run_demo
    from ..parallel import make_executor

    symbols = [a.strip().upper() for a in assets.split(",") if a.strip()]
    with make_executor(workers) as executor, _Bars(not as_json) as bars:
        result = run_demo(
            out, users=users, assets=symbols, executor=executor, seed=seed, progress=bars
        )
    data = {
        "out": str(result.out),
        "round_id": result.round_id,
        "customers": result.customers,
        "entries": result.entries,
        "assets": result.assets,
        "timings_seconds": {k: round(v, 2) for k, v in result.timings.items()},
        "sizes_bytes": result.sizes,
        "manifest_digest": result.manifest_digest,
        "verified_customers": result.verified_customers,
        "audit_range_proofs": result.audit_range_proofs,
    }
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    table = Table(
        title=f"zkpor demo, round {result.round_id}: {result.customers} customers, "
        f"{result.entries} balances"
    )
    for col in ("asset", "holders", "leaves", "liabilities", "reserves", "ratio", "solvent"):
        table.add_column(
            col, justify="left" if col in ("asset", "solvent") else "right", no_wrap=True
        )
    for sym, info in result.assets.items():
        table.add_row(
            sym,
            str(info["holders"]),
            str(info["leaf_count"]),
            _short(str(info["liabilities"])),
            _short(str(info["reserves"])),
            f"{info['ratio']:.3f}" if info["ratio"] else "-",
            "[green]proven[/]" if info["covered"] else "[red]NO[/]",
        )
    console.print(table)
    t = result.timings
    console.print(
        f"timings: generate {t['generate']:.1f} s, prove {t['prove']:.1f} s, export {t['export']:.2f} s, "
        f"verify {len(result.verified_customers)} customers {t['verify_customers']:.2f} s, "
        f"full audit ({result.audit_range_proofs} range proofs, signatures) {t['audit']:.1f} s"
    )
    s = result.sizes
    console.print(
        f"sizes: manifest {s['manifest_json']:,} B, audit file {s['audit_sqlite']:,} B, "
        f"largest customer proof {s['proof_json_max']:,} B"
    )
    console.print(f"[bold]manifest digest[/] {result.manifest_digest}")
    console.print(
        f"files in {result.out}/: balances.csv, assets.json, reserves.json, bundle/ "
        f"(manifest.json, audit.sqlite, private/), proofs/ ({', '.join(result.verified_customers)})"
    )
    console.print(
        f"try: zkpor verify user {result.out}/proofs/{result.verified_customers[0]}.json "
        f"--manifest {result.out}/bundle/manifest.json"
    )


def _short(amount: str) -> str:
    """An exact decimal string shortened for display (4 decimals at most)."""
    whole, _, frac = amount.partition(".")
    return f"{whole}.{frac[:4]}" if frac else whole
