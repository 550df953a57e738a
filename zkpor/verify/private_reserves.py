"""The audit's check of private reserves: the set and proof files a manifest binds.

Spec: docs/spec/private-reserves.md, 17.11 ("In a round"). For every asset whose manifest
entry has ``private_reserves``, :func:`check_private_reserves` requires, in this order:

1. ``private-reserves/ASSET.set`` and ``private-reserves/ASSET.proof`` beside the manifest,
   regular files whose SHA-256 digests are the manifest's ``set_digest`` and
   ``proof_digest``;
2. the set's header describes the asset's reserves: the same symbol, chain, ``chain_id``,
   token contract, block height and decimals as the manifest's ``reserves``, and
   ``count`` equal to ``keys``;
3. the per-key proof verifies for the manifest's exchange and round (17.6), and the
   commitment it yields, sum(P_i), is the manifest's ``commitment`` (which the solvency
   proof added to the public reserves, 11.9);
4. no signed public address of the asset is a member of the set (a key counted twice):
   on Ethereum the member's address; on Bitcoin a P2PKH or P2WPKH address whose hash is
   the member key's HASH160, a P2SH-P2WPKH address of the member key (HASH160 of
   ``0x0014 || HASH160(key)``), or a P2TR address whose output key is the member key's x.

What it leaves to others: that the set's balances are those on chain at the block (with
``--eth-rpc`` the chain check reads them; without it the audit says it was not checked),
and that the set holds real, independent holders (17.8).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol

from zkpor.errors import InputError, ParameterError, VerificationError
from zkpor.formats.anonset import AnonSetHeader, AnonSetReader
from zkpor.formats.manifest import Manifest, ManifestAsset

__all__ = [
    "PRIVATE_DIR",
    "CheckedPrivateReserves",
    "check_private_reserves",
    "header_mismatch",
    "private_files",
    "public_overlap",
]

PRIVATE_DIR: Final[str] = "private-reserves"


class HasAddress(Protocol):
    """A signed reserve address (of a manifest or a snapshot)."""

    @property
    def address(self) -> str: ...


def private_files(folder: Path, asset: str) -> tuple[Path, Path]:
    """The set file and the proof file of ``asset`` in a bundle or published folder."""
    base = folder / PRIVATE_DIR
    return base / f"{asset}.set", base / f"{asset}.proof"


@dataclass(frozen=True)
class CheckedPrivateReserves:
    """One asset's checked private reserves: the set's size, block and total (of every
    member, owned or not), and the set file (for a chain check of its balances)."""

    asset: str
    keys: int
    block_height: int
    set_total: int
    set_path: Path


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _check_files(where: str, folder: Path, sym: str, entry: ManifestAsset) -> tuple[Path, Path]:
    """Step 1: both files present, with the digests the manifest binds."""
    assert entry.private_reserves is not None
    pr = entry.private_reserves
    paths = private_files(folder, sym)
    for path, want, what in zip(paths, (pr.set_digest, pr.proof_digest), ("set", "proof")):
        if path.is_symlink() or not path.is_file():
            raise VerificationError(f"{where}: {path.name}: the {what} file is missing")
        if _sha256(path) != want:
            raise VerificationError(
                f"{where}: {path.name}: the {what} file is not the one the manifest binds "
                f"(its SHA-256 differs from {what}_digest)"
            )
    return paths


class ReservesAt(Protocol):
    """Where an asset's reserves are (a manifest's or a snapshot's entry)."""

    @property
    def chain(self) -> str: ...
    @property
    def chain_id(self) -> int | None: ...
    @property
    def token_contract(self) -> str | None: ...
    @property
    def block_height(self) -> int: ...


def header_mismatch(
    header: AnonSetHeader,
    asset: str,
    reserves: ReservesAt,
    decimals: int,
    keys: int | None = None,
) -> tuple[str, object, object] | None:
    """The first header field of a set that does not describe the asset's reserves, as
    (field, the set's value, the reserves' value), or None (step 2; ``count`` only when
    ``keys`` is given). Shared with the prover, which refuses such a set before proving."""
    pairs = [
        ("asset", header.asset, asset),
        ("chain", header.chain, reserves.chain),
        ("chain_id", header.chain_id, reserves.chain_id),
        ("token_contract", header.token_contract, reserves.token_contract),
        ("block_height", header.block_height, reserves.block_height),
        ("decimals", header.decimals, decimals),
    ]
    if keys is not None:
        pairs.append(("count", header.count, keys))
    return next(((n, got, want) for n, got, want in pairs if got != want), None)


def _check_header(where: str, sym: str, entry: ManifestAsset, header: AnonSetHeader) -> None:
    """Step 2: the set describes this asset's reserves."""
    assert entry.private_reserves is not None
    wrong = header_mismatch(
        header, sym, entry.reserves, entry.decimals, entry.private_reserves.keys
    )
    if wrong is not None:
        name, got, want = wrong
        raise VerificationError(f"{where}: the set's {name} is {got!r}, the manifest's {want!r}")


def _public_ids(
    chain: str, addresses: Sequence[HasAddress]
) -> tuple[set[str], set[bytes], set[bytes], set[bytes]]:
    """The public addresses of an asset as (Ethereum addresses, P2PKH / P2WPKH HASH160s,
    P2TR x keys, P2SH script hashes)."""
    from zkpor.reserves.bip322 import address_kind, needs_bip322
    from zkpor.reserves.bitcoin import decode_address

    eth: set[str] = set()
    h160: set[bytes] = set()
    xonly: set[bytes] = set()
    p2sh: set[bytes] = set()
    for a in addresses:
        if chain == "ethereum":
            eth.add(a.address.lower())
        elif needs_bip322(a.address, chain):
            if address_kind(a.address, chain) == "p2tr":
                xonly.add(_segwit_program(a.address, chain))
        else:
            kind, digest = decode_address(a.address, chain)
            if kind in ("p2pkh", "p2wpkh"):
                h160.add(digest)
            elif kind == "p2sh":
                p2sh.add(digest)
    return eth, h160, xonly, p2sh


def _segwit_program(address: str, chain: str) -> bytes:
    from zkpor.reserves.bip322 import segwit_program

    return segwit_program(address, chain)


def public_overlap(chain: str, addresses: Sequence[HasAddress], set_path: Path) -> int | None:
    """The line of the first set member that is also one of ``addresses`` (step 4), or
    None. Shared with the prover, which refuses such a set before proving."""
    from zkpor.reserves.bitcoin import hash160

    eth, h160, xonly, p2sh = _public_ids(chain, addresses)
    if not (eth or h160 or xonly or p2sh):
        return None
    with AnonSetReader(set_path, check_keys=False) as reader:
        for m in reader:
            key_hash = hash160(m.key) if h160 or p2sh else b""
            if (
                (m.address is not None and m.address in eth)
                or key_hash in h160
                or (xonly and m.key[1:] in xonly)
                or (p2sh and hash160(b"\x00\x14" + key_hash) in p2sh)
            ):
                return m.index + 2
    return None


def _check_overlap(where: str, entry: ManifestAsset, set_path: Path) -> None:
    """Step 4: no public address of the asset is a member of the set."""
    line = public_overlap(entry.reserves.chain, entry.reserves.addresses, set_path)
    if line is not None:
        raise VerificationError(
            f"{where}: the key on line {line} of {set_path.name} is also a signed public "
            "address of the asset: its balance would count twice"
        )


def check_private_reserves(folder: Path, manifest: Manifest) -> list[CheckedPrivateReserves]:
    """Check every asset's private reserves (module doc); VerificationError naming the asset
    and file at the first failure."""
    from zkpor.reserves.private_assets import verify_private_assets

    checked: list[CheckedPrivateReserves] = []
    for sym, entry in manifest.assets.items():
        pr = entry.private_reserves
        if pr is None:
            continue
        where = f"asset {sym}: private reserves"
        set_path, proof_path = _check_files(where, folder, sym, entry)
        try:
            report = verify_private_assets(
                set_path, proof_path, exchange=manifest.exchange, round_id=manifest.round_id
            )
        except (InputError, ParameterError) as exc:
            raise VerificationError(f"{where}: {exc}") from None
        except VerificationError as exc:
            raise VerificationError(f"{where}: {proof_path.name}: {exc}") from None
        _check_header(where, sym, entry, report.header)
        if report.commitment.to_bytes().hex() != pr.commitment:
            raise VerificationError(
                f"{where}: the proof's reserves commitment is not the manifest's commitment"
            )
        _check_overlap(where, entry, set_path)
        checked.append(
            CheckedPrivateReserves(
                sym, report.count, report.header.block_height, report.set_total, set_path
            )
        )
    return checked
