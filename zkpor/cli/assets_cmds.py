"""Private reserves commands: building an anonymity set file, comparing two exchanges' proofs.

Spec: docs/spec/private-reserves.md (17.1 the set file, 17.7 tags, 17.11 in a round).
Manual: docs/cli.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from zkpor.cli.app import app, command_group
from zkpor.cli.common import data_console, shown_line
from zkpor.errors import InputError

if TYPE_CHECKING:
    from zkpor.reserves.anonset_build import KeyInput

assets_app = command_group(
    "Private reserves: build an anonymity set file, compare two exchanges' tags."
)
app.add_typer(
    assets_app, name="assets", short_help="Private reserves: anonymity sets and tag comparison."
)

__all__ = ["assets_app"]


def _read_keys(path: Path, with_balances: bool) -> list[tuple[bytes, int]]:
    """KEY or KEY BALANCE per line (blank and # lines skipped); InputError naming the line."""
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the keys file: {exc}", source=str(path)) from None
    out: list[tuple[bytes, int]] = []
    for lineno, line in enumerate(lines, 1):
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        where = f"{path}:{lineno}"
        if len(parts) != (2 if with_balances else 1):
            want = (
                "KEY BALANCE (base units)"
                if with_balances
                else "KEY (balances come from --eth-rpc)"
            )
            raise InputError(f"expected {want}", source=where)
        try:
            key = bytes.fromhex(parts[0].removeprefix("0x"))
        except ValueError:
            raise InputError("the key is not hex", source=where, field="key") from None
        balance = 0
        if with_balances:
            if not parts[1].isdigit() or not parts[1].isascii():
                raise InputError("not a balance in base units", source=where, field="balance")
            balance = int(parts[1])
        out.append((key, balance))
    if not out:
        raise InputError("the keys file holds no key", source=str(path))
    return out


def _members(
    keys: Path | None,
    scan_from: int | None,
    eth_rpc: str | None,
    block: int,
    decimals: int,
    token_contract: str | None,
) -> list[tuple[KeyInput, int]]:
    """The (key, balance) pairs: keys from the file or the scan, balances from the file or
    the node."""
    from zkpor.reserves.anonset_build import balances_from_node

    if keys is not None:
        pairs: list[tuple[KeyInput, int]] = list(_read_keys(keys, with_balances=eth_rpc is None))
    else:
        pairs = [(k, 0) for k in _scanned_keys(eth_rpc, scan_from, block)]
    if eth_rpc is None:
        return pairs
    return balances_from_node(
        eth_rpc,
        [k for k, _ in pairs],
        block_height=block,
        decimals=decimals,
        token_contract=token_contract,
    )


def _set_header(
    asset: str,
    chain: str,
    block: int,
    decimals: int,
    chain_id: int | None,
    token_contract: str | None,
) -> dict[str, object]:
    """The set file's header fields (17.1): the optional ones only when given."""
    header: dict[str, object] = {
        "asset": asset,
        "chain": chain,
        "block_height": block,
        "decimals": decimals,
    }
    if chain_id is not None:
        header["chain_id"] = chain_id
    if token_contract is not None:
        header["token_contract"] = token_contract
    return header


def _scanned_keys(eth_rpc: str | None, first: int | None, last: int) -> list[bytes]:
    """The senders' keys of blocks ``first`` to ``last`` (zkpor.reserves.keyscan)."""
    from zkpor.reserves.keyscan import keys_from_node

    if eth_rpc is None or first is None:
        raise InputError("--scan-from reads transactions from a node: give --eth-rpc URL")
    if not 0 <= first <= last:
        raise InputError("--scan-from must be between 0 and --block")
    scan = keys_from_node(eth_rpc, first, last)
    data_console.print(
        shown_line(
            f"scanned blocks {first} to {last}: {scan.transactions} transactions, "
            f"{len(scan.keys)} senders' keys recovered"
            + (f", {scan.skipped} of other types skipped" if scan.skipped else "")
        )
    )
    if not scan.keys:
        raise InputError(f"no transaction in blocks {first} to {last}: no key to put in the set")
    return scan.keys


@assets_app.command("set", short_help="Write an anonymity set file (keys and balances).")
def assets_set(
    asset: Annotated[str, typer.Option("--asset", help="The asset symbol, as in the round.")],
    chain: Annotated[str, typer.Option("--chain", help="bitcoin, bitcoin-testnet or ethereum.")],
    block: Annotated[int, typer.Option("--block", help="The block height of the balances.")],
    decimals: Annotated[int, typer.Option("--decimals", help="The asset's decimals.")],
    out: Annotated[Path, typer.Option("--out", help="The set file to write.")],
    keys: Annotated[
        Path | None,
        typer.Option(
            "--keys",
            help="Public keys, one per line (compressed, uncompressed or x||y hex), each "
            "followed by its balance in base units unless --eth-rpc reads them.",
        ),
    ] = None,
    chain_id: Annotated[
        int | None, typer.Option("--chain-id", help="EIP-155 chain id (ethereum).")
    ] = None,
    token_contract: Annotated[
        str | None,
        typer.Option("--token-contract", help="The ERC-20 contract (EIP-55); ether without."),
    ] = None,
    eth_rpc: Annotated[
        str | None,
        typer.Option(
            "--eth-rpc",
            metavar="URL",
            help="An Ethereum node: read every key's balance at --block from it.",
        ),
    ] = None,
    scan_from: Annotated[
        int | None,
        typer.Option(
            "--scan-from",
            metavar="BLOCK",
            help="Instead of --keys: the senders of every transaction in blocks BLOCK to "
            "--block, their keys recovered from the signatures (needs --eth-rpc).",
        ),
    ] = None,
) -> None:
    """Write the canonical anonymity set file of the keys in KEYS (docs/spec 17.1).

    With --scan-from BLOCK instead of --keys, the keys are those of every account that sent
    a transaction in blocks BLOCK to --block, recovered from the signatures.

    The members are sorted by key; a key given twice, a balance of 2^64 or more, or a
    total reaching 2^64 is refused. With --eth-rpc (ethereum only) the balances are the
    node's at --block (ether, or the --token-contract's balanceOf), in the asset's
    --decimals (rounded down); without it, each line gives its balance in base units.

    Example:

    \b
      zkpor assets set --keys eth-keys.txt --asset ETH --chain ethereum \\
        --chain-id 1 --block 21000000 --decimals 9 \\
        --eth-rpc http://127.0.0.1:8545 --out eth.set
    """
    from zkpor.reserves.anonset_build import write_anonset

    if eth_rpc is not None and chain != "ethereum":
        raise InputError("--eth-rpc reads Ethereum balances: --chain must be ethereum")
    if (keys is None) == (scan_from is None):
        raise InputError("give exactly one of --keys FILE and --scan-from BLOCK")
    pairs = _members(keys, scan_from, eth_rpc, block, decimals, token_contract)
    header = _set_header(asset, chain, block, decimals, chain_id, token_contract)
    digest = write_anonset(out, pairs, **header)
    data_console.print(
        shown_line(
            f"wrote {out}: {len(pairs)} keys of {asset} at block {block}, SHA-256 {digest.hex()}"
        )
    )


def _bundle_private(folder: Path) -> tuple[str, str, dict[str, tuple[Path, Path]]]:
    """The exchange, round and per asset (set, proof) of a bundle or published folder."""
    from zkpor.formats.manifest import Manifest
    from zkpor.formats.strictjson import parse_public
    from zkpor.verify.private_reserves import private_files

    path = folder / "manifest.json"
    if not path.is_file():
        raise InputError(
            "no manifest.json: name a bundle or a published folder", source=str(folder)
        )
    m = parse_public(Manifest, path.read_bytes(), str(path))
    files = {
        sym: private_files(folder, sym)
        for sym, a in m.assets.items()
        if a.private_reserves is not None
    }
    return m.exchange, m.round_id, files


@assets_app.command("compare", short_help="Keys two exchanges both claim (same tag).")
def assets_compare(
    a: Annotated[Path, typer.Argument(metavar="A", help="A bundle or published folder.")],
    b: Annotated[Path, typer.Argument(metavar="B", help="Another exchange's folder.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable result.")] = False,
) -> None:
    """Find the keys that two rounds' private reserves both claim (docs/spec 17.7).

    For every asset both folders prove privately, at the same block of the same chain: both
    per-key proofs are verified, then their tags compared; a key tagged alike in both is
    claimed by both exchanges (or its secret is known to both). Exit 1 when one is found,
    0 when none, 2 when nothing could be compared.

    Example:

    \b
      zkpor assets compare exchange-a/ exchange-b/
    """
    from zkpor.reserves.private_assets import compare_private_assets, verify_private_assets

    ex_a, round_a, files_a = _bundle_private(a)
    ex_b, round_b, files_b = _bundle_private(b)
    common = sorted(set(files_a) & set(files_b))
    if not common:
        raise InputError("the two folders prove no asset privately in common: nothing to compare")
    found: list[dict[str, object]] = []
    compared: list[str] = []
    for sym in common:
        (set_a, proof_a), (set_b, proof_b) = files_a[sym], files_b[sym]
        ra = verify_private_assets(set_a, proof_a, exchange=ex_a, round_id=round_a)
        rb = verify_private_assets(set_b, proof_b, exchange=ex_b, round_id=round_b)
        ha, hb = ra.header, rb.header
        if (ha.chain, ha.chain_id, ha.block_height) != (hb.chain, hb.chain_id, hb.block_height):
            continue
        compared.append(sym)
        for c in compare_private_assets(
            set_a, proof_a, set_b, proof_b,
            exchange_a=ex_a, round_a=round_a, exchange_b=ex_b, round_b=round_b,
        ):  # fmt: skip
            found.append(
                {"asset": sym, "key": c.key.hex(), "line_a": c.index_a + 2, "line_b": c.index_b + 2}
            )
    if not compared:
        raise InputError(
            "the private sets are not at the same block of the same chain: their tags "
            "cannot be compared"
        )
    if as_json:
        typer.echo(json.dumps({"compared": compared, "claimed_by_both": found}, indent=2))
    else:
        for f in found:
            data_console.print(
                shown_line(
                    f"{f['asset']}: key {f['key']} is claimed by both {ex_a!r} and {ex_b!r} "
                    f"(line {f['line_a']} of A's set, line {f['line_b']} of B's)"
                )
            )
        if not found:
            data_console.print(shown_line(f"no key claimed by both, in {', '.join(compared)}"))
    if found:
        raise typer.Exit(1)
