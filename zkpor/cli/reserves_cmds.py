"""Reserves commands: the text each address signs, checking a snapshot, listing a
manifest's addresses for a look-up on chain.

Manual: docs/cli.md.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from zkpor.cli.app import app, command_group
from zkpor.cli.common import data_console, shown_line
from zkpor.cli.verify_text import decimal, wrapped
from zkpor.errors import InputError

if TYPE_CHECKING:
    from zkpor.formats.manifest import Manifest
    from zkpor.reserves import ReservesReport, ReservesSnapshot
    from zkpor.reserves.chaincheck import ChainCheck

reserves_app = command_group(
    "Reserves: the message each address signs, checking a snapshot, listing addresses."
)
app.add_typer(
    reserves_app, name="reserves", short_help="Reserve addresses: the text to sign, checks, lists."
)

__all__ = ["reserves_app"]

# Every problem of a snapshot is listed (a snapshot holds at most 100,000 addresses per asset).
NO_LIMIT = 10**9


@reserves_app.command("message", short_help="The exact text an address signs.")
def reserves_message(
    exchange: Annotated[str, typer.Option("--exchange", help="Exchange name, exactly.")],
    round_id: Annotated[str, typer.Option("--round", help="Round id, exactly.")],
    address: Annotated[str, typer.Option("--address", help="The reserve address.")],
    script: Annotated[
        str | None,
        typer.Option(
            "--script",
            metavar="HEX",
            help="A multisig address's script (OP_m <keys> OP_n OP_CHECKMULTISIG, hex): "
            "checks it makes ADDRESS and lists, on stderr, the keys that each sign the text.",
        ),
    ] = None,
) -> None:
    """Print the exact text ADDRESS signs for this exchange and round.

    Four lines joined by LF, with no newline at the end: redirect it to a file (as in the
    example) and sign the file's bytes as they are. For a multisig address signed key by
    key, every key signs this same text; with --script the keys are listed on stderr.

    Example:

    \b
      zkpor reserves message --exchange "Demo Exchange" --round 2026-11-30 \\
        --address bc1qfszr7tgtt79mcvtdnt9x4cr2wm4j6qwk7x70ua > msg.txt
    """
    from zkpor.formats.identifiers import check_text
    from zkpor.formats.reserves import address_problem
    from zkpor.reserves import ownership_message

    for value, what in ((exchange, "exchange name"), (round_id, "round id"), (address, "address")):
        try:
            check_text(value, what, 100)
        except ValueError as exc:
            raise InputError(str(exc)) from None
    problem = address_problem(address)
    if problem is not None:
        raise InputError(problem, field="address")
    if script is not None:
        _multisig_keys(address, script)
    sys.stdout.write(ownership_message(exchange, round_id, address))
    sys.stdout.flush()
    if sys.stdout.isatty():
        # the text ends without a newline; keep the shell prompt off its last line
        sys.stderr.write("\n")


def _multisig_keys(address: str, script: str) -> None:
    """Check that ``script`` is a standard m-of-n whose address (of some form and network)
    is ``address``; print its keys to stderr (InputError otherwise)."""
    from zkpor.reserves import multisig

    try:
        parsed = multisig.parse_multisig(bytes.fromhex(script.lower()))
    except ValueError as exc:
        raise InputError(f"not a standard m-of-n multisig script: {exc}", field="script") from None
    forms = [
        (form, chain)
        for chain in ("bitcoin", "bitcoin-testnet")
        for form in multisig.FORMS
        if multisig.script_address(parsed.script, form, chain) in (address, address.lower())
    ]
    if not forms:
        found = ", ".join(
            f"{form} {multisig.script_address(parsed.script, form, 'bitcoin')}"
            for form in multisig.FORMS
        )
        raise InputError(f"this script's addresses are {found}; not {address}", field="script")
    form, chain = forms[0]
    lines = [
        f"{form} {parsed.m}-of-{parsed.n} on {chain}: at least {parsed.m} of these keys each "
        "sign the text below (a legacy signed message), or the wallet makes one BIP-322 "
        "signature"
    ]
    lines += [f"  key {i + 1}: {k.hex()}" for i, k in enumerate(parsed.keys)]
    sys.stderr.write("\n".join(lines) + "\n")


def _inferred_decimals(snapshot: ReservesSnapshot) -> dict[str, int]:
    """Per asset, the most fractional digits among its balances (at most 30)."""
    out: dict[str, int] = {}
    for entry in snapshot.assets:
        digits = [len(a.balance.partition(".")[2]) for a in entry.addresses]
        out.setdefault(entry.asset, min(30, max(digits, default=0)))
    return out


@reserves_app.command("check", short_help="Check a reserves snapshot: every problem listed.")
def reserves_check(
    snapshot_file: Annotated[
        Path, typer.Argument(metavar="SNAPSHOT", help="The reserves snapshot (JSON).")
    ],
    exchange: Annotated[str, typer.Option("--exchange", help="Exchange name, exactly.")],
    round_id: Annotated[str, typer.Option("--round", help="Round id, exactly.")],
    assets: Annotated[
        Path | None,
        typer.Option(
            "--assets",
            help="The round's assets file: also checks each balance's decimals, that "
            "every asset has reserves, and the 64-bit totals.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable result.")] = False,
    eth_rpc: Annotated[
        str | None,
        typer.Option(
            "--eth-rpc",
            metavar="URL",
            help="An Ethereum node (an archive node for old blocks): also check every "
            "Ethereum balance, the block hash and token contracts at the snapshot's block "
            "(needs --assets).",
        ),
    ] = None,
) -> None:
    """Check a reserves snapshot before proving: every address, balance and signature.

    Lists every problem, each with its asset, address and field; a signature over a
    slightly different text (a trailing newline, another round, exchange, address or
    letter case) is reported as "signed a different message" with the expected text.
    With --eth-rpc URL, every Ethereum balance is compared with the node's at the
    snapshot's block (exit 1 when a claim exceeds the chain's, 2 when the node cannot
    answer).
    Exit 0 when all is well, 1 when a check fails, 2 for an unreadable file.

    Example:

    \b
      zkpor reserves check reserves.json --exchange "Demo Exchange" \\
        --round 2026-11-30 --assets assets.json
    """
    from zkpor.prover.liabilities.inputs import load_assets
    from zkpor.reserves import load_reserves, verify_reserves

    if eth_rpc is not None and assets is None:
        raise InputError("--eth-rpc needs --assets: token decimals are checked against the asset's")
    snapshot = load_reserves(snapshot_file)
    if assets is not None:
        decimals = {a.symbol: a.decimals for a in load_assets(assets).assets}
    else:
        decimals = _inferred_decimals(snapshot)
    report = verify_reserves(
        snapshot,
        exchange=exchange,
        round_id=round_id,
        decimals=decimals,
        source=str(snapshot_file),
        limit=NO_LIMIT,
        check_totals=assets is not None,
    )
    chain = _snapshot_on_chain(snapshot, decimals, snapshot_file, eth_rpc) if eth_rpc else None
    if chain is not None:
        chain.raise_if_failed()
    _print_check(snapshot, report, decimals, exchange, round_id, assets is not None, as_json, chain)


def _snapshot_on_chain(
    snapshot: ReservesSnapshot, decimals: dict[str, int], path: Path, url: str
) -> ChainCheck:
    """The --eth-rpc check of a (verified) snapshot's entries."""
    from zkpor.reserves.chaincheck import ChainAsset, check_on_chain

    return check_on_chain(
        url,
        [
            ChainAsset(
                asset=e.asset,
                chain=e.chain,
                decimals=decimals[e.asset],
                block_height=e.block_height,
                block_hash=e.block_hash,
                token_contract=e.token_contract,
                chain_id=e.chain_id,
                addresses=e.addresses,
                where=f"{path}: assets[{i}] ({e.asset})",
            )
            for i, e in enumerate(snapshot.assets)
        ],
    )


def _print_check(
    snapshot: ReservesSnapshot,
    report: ReservesReport,
    decimals: dict[str, int],
    exchange: str,
    round_id: str,
    with_assets: bool,
    as_json: bool,
    chain: ChainCheck | None = None,
) -> None:
    from zkpor.formats.amounts import format_units

    if chain is None:
        not_checked = [
            "that the balances are on chain at the stated blocks (a node or explorer; "
            "--eth-rpc URL checks the Ethereum ones)"
        ]
    elif chain.unchecked:
        not_checked = [
            f"the balances of {', '.join(chain.unchecked)} on chain (no Bitcoin node: look "
            "each address up at its block in a node or explorer)"
        ]
    else:
        not_checked = []
    not_checked[:0] = report.not_known_tokens
    if not with_assets:
        not_checked.insert(
            0, "decimals against the assets file, missing assets, 64-bit totals (no --assets)"
        )
    rows = [
        {
            "asset": e.asset,
            "chain": e.chain,
            "block_height": e.block_height,
            "addresses": report.addresses[e.asset],
            "total": decimal(format_units(report.totals[e.asset], decimals[e.asset])),
        }
        for e in snapshot.assets
    ]
    if as_json:
        data = {
            "ok": True,
            "exchange": exchange,
            "round_id": round_id,
            "assets": rows,
            **({"chain": chain.to_json()} if chain is not None else {}),
            "multisig": _multisig_signers(snapshot, exchange, round_id),
            "not_checked": not_checked,
        }
        typer.echo(json.dumps(data, indent=2))
        return
    lines = [f"OK: every signature is over the message for {exchange!r}, round {round_id!r}"]
    for r in rows:
        n = r["addresses"]
        lines.append(
            f"  {r['asset']:8} {r['total']}  ({n} address{'es' if n != 1 else ''}, "
            f"chain {r['chain']}, block {r['block_height']})"
        )
    signers = _multisig_signers(snapshot, exchange, round_id)
    if signers:
        lines.append("Multisig addresses signed key by key:")
    for item in signers:
        lines.append(f"  {item['asset']} {item['address']}: {item['form']} {item['m_of_n']}")
        lines.append("    signed: " + (", ".join(item["signed"]) or "none"))
        lines.append("    not signed: " + (", ".join(item["not_signed"]) or "none"))
    if chain is not None:
        lines.append(f"Reserves on chain (Ethereum node {chain.node}):")
        lines += [f"  {line}" for line in chain.lines()]
    if not_checked:
        lines.append("Not checked:")
    for text in not_checked:
        lines += wrapped(text, "  ", first="  - ")
    for line in lines:
        data_console.print(shown_line(line), soft_wrap=True)


def _multisig_signers(
    snapshot: ReservesSnapshot, exchange: str, round_id: str
) -> list[dict[str, Any]]:
    """Per multisig address signed key by key (of a verified snapshot): which keys of its
    script signed the ownership message and which did not (full key hex)."""
    from zkpor.reserves import multisig, ownership_message

    out: list[dict[str, Any]] = []
    for entry in snapshot.assets:
        for a in entry.addresses:
            if a.multisig is None:
                continue
            check = multisig.prepare(
                a.address, entry.chain, a.multisig.form, a.multisig.script, a.multisig.signatures
            )
            tally = check.tally(ownership_message(exchange, round_id, a.address))
            keys = check.multisig.keys
            out.append(
                {
                    "asset": entry.asset,
                    "address": a.address,
                    "form": a.multisig.form,
                    "m_of_n": f"{check.multisig.m}-of-{check.multisig.n}",
                    "signed": [f"key {k + 1} {keys[k].hex()}" for k in sorted(tally.signers)],
                    "not_signed": [
                        f"key {k + 1} {keys[k].hex()}"
                        for k in range(len(keys))
                        if k not in tally.signers
                    ],
                }
            )
    return out


@reserves_app.command("list", short_help="Every reserve address of a manifest, to look up.")
def reserves_list(
    manifest: Annotated[
        Path, typer.Argument(metavar="MANIFEST", help="A published manifest.json.")
    ],
    as_csv: Annotated[
        bool,
        typer.Option("--csv", help="CSV: asset,chain,block_height,block_hash,address,balance."),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON: per asset its chain, block and addresses.")
    ] = False,
) -> None:
    """List every reserve address of a manifest with its balance, chain and block height,
    to look each one up on chain (a node or block explorer).

    Lists what the manifest states: zkpor verify audit checks its signatures and proofs.

    Example:

    \b
      zkpor reserves list bundle/manifest.json --csv > addresses.csv
    """
    from zkpor.cli.verify_cmds import load_manifest
    from zkpor.reserves.multisig import address_form

    if as_csv and as_json:
        raise InputError("give at most one of --csv and --json")
    m = load_manifest(manifest)
    if as_json:
        print(json.dumps(_reserves_json(m), indent=2))
        return
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(
            ["asset", "chain", "block_height", "block_hash", "address", "balance", "form"]
        )
        for sym, asset in m.assets.items():
            res = asset.reserves
            for a in res.addresses:
                form = address_form(res.chain, a.address, a.signature, a.multisig)
                row = [sym, res.chain, res.block_height, res.block_hash or "", a.address]
                writer.writerow([*row, a.balance, form])
        return
    lines = [f"reserves of {m.exchange}, round {m.round_id} (as the manifest states them)"]
    for sym, asset in m.assets.items():
        res = asset.reserves
        lines.append(f"{sym}: {decimal(res.total)} on {res.chain} at block {res.block_height}")
        if res.block_hash:
            lines.append(f"  block hash {res.block_hash}")
        if res.token_contract or res.chain_id:
            token = f"token contract {res.token_contract}" if res.token_contract else "ether"
            net = f" on chain id {res.chain_id}" if res.chain_id else ""
            lines.append(f"  {token}{net}")
        width = max((len(a.address) for a in res.addresses), default=0)
        for a in res.addresses:
            lines.append(f"  {a.address:{width}}  {decimal(a.balance)}")
            form = address_form(res.chain, a.address, a.signature, a.multisig)
            if form:
                lines.append(f"    {form}")
    for line in lines:
        data_console.print(shown_line(line), soft_wrap=True)


def _reserves_json(m: Manifest) -> dict[str, object]:
    """``reserves list --json``: what the manifest states, per asset (amounts as exact
    decimal strings, as in the manifest; each address's form, 10.11)."""
    from zkpor.reserves.multisig import address_form

    return {
        "ok": True,
        "exchange": m.exchange,
        "round_id": m.round_id,
        "assets": {
            sym: {
                "chain": a.reserves.chain,
                "block_height": a.reserves.block_height,
                "block_hash": a.reserves.block_hash,
                "token_contract": a.reserves.token_contract,
                "chain_id": a.reserves.chain_id,
                "total": a.reserves.total,
                "addresses": [
                    {
                        "address": x.address,
                        "balance": x.balance,
                        "form": address_form(a.reserves.chain, x.address, x.signature, x.multisig),
                    }
                    for x in a.reserves.addresses
                ],
            }
            for sym, a in m.assets.items()
        },
    }
