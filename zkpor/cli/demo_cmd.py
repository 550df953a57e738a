"""zkpor demo: a synthetic exchange end to end.

Manual: docs/cli.md. The round it runs follows the spec notes of docs/spec/ (README.md maps
them): proving as in liabilities-tree.md and solvency-and-manifest.md, the customers' checks
as in inclusion-proofs.md (8.2), the audit as in bundle-and-audit.md (9.5) and margin.md.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from zkpor.cli.app import app
from zkpor.cli.common import Bars, console, data_console
from zkpor.prover.liabilities.options import DEFAULT_DEBT_PAD_GRANULARITY, DEFAULT_PAD_GRANULARITY

if TYPE_CHECKING:
    from rich.table import Table

    from zkpor.prover.demo import DemoResult

__all__: list[str] = []


@app.command(short_help="A synthetic exchange end to end, on generated data.")
def demo(
    users: Annotated[int, typer.Option("--users", help="Number of synthetic customers.")] = 1000,
    assets: Annotated[
        str, typer.Option("--assets", help="Assets, among BTC,ETH,USDT.")
    ] = "BTC,ETH,USDT",
    out: Annotated[Path, typer.Option("--out", help="Directory for the demo's files.")] = Path(
        "zkpor-demo"
    ),
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Worker processes [default: one per available core]."),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Seed: the same balances, wallets and signatures."),
    ] = None,
    round_id: Annotated[
        str | None, typer.Option("--round", help="Round id (default: demo-YYYY-MM-DD, today).")
    ] = None,
    no_margin: Annotated[
        bool,
        typer.Option("--no-margin", help="A spot exchange: no prices, tiers or margin customers."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable summary.")] = False,
) -> None:
    """Run a synthetic exchange end to end: generate customers and signed reserve wallets,
    prove, export a few customers' proofs, verify them, and audit everything.

    Example:

    \b
      zkpor demo --users 1000 --assets BTC,ETH,USDT --out zkpor-demo
    """
    from zkpor.prover.demo import run_demo
    from zkpor.prover.parallel import make_executor

    symbols = [a.strip().upper() for a in assets.split(",") if a.strip()]
    with make_executor(workers) as executor, Bars(not as_json) as bars:
        result = run_demo(
            out,
            users=users,
            assets=symbols,
            executor=executor,
            seed=seed,
            progress=bars,
            margin=not no_margin,
            round_id=round_id,
        )
    if as_json:
        typer.echo(json.dumps(_demo_json(result), indent=2))
        return
    console.print(_demo_table(result))
    _print_demo_summary(result)


def _demo_json(result: DemoResult) -> dict[str, object]:
    """The --json summary of a demo run."""
    return {
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
        "margin_customers": result.margin_customers,
        "audit_margin_accounts": result.audit_margin_accounts,
        "debtors_verified": result.debtors_verified,
        "padding": {
            "trees": result.pad_granularity,
            "debt_trees": result.debt_pad_granularity,
        },
        "private_reserves": {
            sym: a["private_keys"] for sym, a in result.assets.items() if a["private_keys"]
        },
    }


def _demo_table(result: DemoResult) -> Table:
    """The demo's per asset table: holders, equity, debt, net, reserves, ratio and whether
    the solvency proof covers the asset (80 columns wide)."""
    from rich import box
    from rich.table import Table

    table = Table(
        title=f"zkpor demo, round {result.round_id}: {result.customers} customers, "
        f"{result.entries} balances",
        box=box.MINIMAL_HEAVY_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
    )
    # at 80 columns: widest values 9 characters (amounts), 8 columns, 3 between each
    for col in ("asset", "holders", "equity", "debt", "net", "reserves", "ratio", "proof"):
        table.add_column(
            col, justify="left" if col in ("asset", "proof") else "right", no_wrap=True
        )
    for sym, info in result.assets.items():
        table.add_row(
            sym,
            str(info["holders"]),
            _short(str(info["liabilities"]), 2),
            _short(str(info["debt"]), 2),
            _short(str(info["net"]), 2),
            _short(str(info["reserves"]), 2),
            f"{info['ratio']:.3f}" if info["ratio"] else "-",
            "[green]ok[/]" if info["covered"] else "[red]NO[/]",
        )
    return table


def _print_demo_summary(result: DemoResult) -> None:
    """The lines below the table: timings, margin customers, sizes, the manifest digest,
    the files written and a command to verify a customer's proof."""
    t = result.timings
    console.print(
        f"timings: generate {t['generate']:.1f} s, prove {t['prove']:.1f} s, export {t['export']:.2f} s, "
        f"verify {len(result.verified_customers)} customers {t['verify_customers']:.2f} s, "
        f"full audit ({result.audit_range_proofs} range proofs, "
        f"{result.audit_margin_accounts} collateral proofs, signatures) {t['audit']:.1f} s"
    )
    console.print(
        f"margin: {result.margin_customers} customers owe debts (reserves cover equity minus "
        f"debt, net); customers with a debt among the verified: "
        f"{', '.join(result.debtors_verified) or 'none'}"
    )
    console.print(
        f"padding: trees to a multiple of {result.pad_granularity} leaves, debt trees to "
        f"{result.debt_pad_granularity} (zkpor prove's defaults: {DEFAULT_PAD_GRANULARITY} "
        f"and {DEFAULT_DEBT_PAD_GRANULARITY}; the demo's round is small)"
    )
    for sym, info in result.assets.items():
        if info["private_keys"]:
            console.print(
                f"private reserves: {sym} holds {info['private_reserves']} among "
                f"{info['private_keys']} keys, proven without naming them "
                "(bundle/private-reserves/; the reserves column counts them)"
            )
    s = result.sizes
    console.print(
        f"sizes: manifest {s['manifest_json']:,} B, audit file {s['audit_sqlite']:,} B, "
        f"largest proof {s['proof_json_max']:,} B"
    )
    console.print(f"[bold]manifest digest[/] {result.manifest_digest}")
    console.print(
        f"files in {result.out}/: balances.csv, assets.json, reserves.json, bundle/ "
        f"(manifest.json, audit.sqlite, private-reserves/, private/), proofs/ ({', '.join(result.verified_customers)})"
    )
    console.print("verify a customer's proof yourself (paste it as it is):")
    hint = verify_hint(result.out, result.verified_customers[0], result.manifest_digest)
    data_console.print("\n".join(hint), soft_wrap=True)


def verify_hint(out: Path, customer: str, digest: str) -> list[str]:
    """The demo's closing hint: a ``zkpor verify user`` command that runs as printed (in
    the shell the demo was started from), as lines joined by backslash continuations."""
    parts = [
        [*_zkpor_command(), "verify", "user", str(out / "proofs" / f"{customer}.json")],
        ["--manifest", str(out / "bundle" / "manifest.json")],
        ["--digest", digest],
    ]
    lines = [shlex.join(part) for part in parts]
    return ["  " + lines[0] + " \\", "    " + lines[1] + " \\", "    " + lines[2]]


def _zkpor_command() -> list[str]:
    """How this process was started, as a command that runs as printed (the venv's
    ``zkpor`` script when it is one, else ``python -m zkpor``)."""
    argv0 = Path(sys.argv[0])
    if argv0.name == "zkpor":
        return [str(argv0)]
    return [sys.executable, "-m", "zkpor"]


def _short(amount: str, decimals: int = 4) -> str:
    """An exact decimal string cut for display (``decimals`` digits at most, not rounded)."""
    whole, _, frac = amount.partition(".")
    return f"{whole}.{frac[:decimals]}" if frac else whole
