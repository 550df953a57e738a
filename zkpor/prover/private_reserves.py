"""The exchange's side of private reserves in a round: keys file, claimed totals, proofs.

Spec: docs/spec/private-reserves.md, 17.11 ("In a round"). ``zkpor prove
--private-reserves ASSET=SET,KEYS``: SET is an anonymity set file (17.1) whose header
describes the asset's reserves in the reserves snapshot (same chain, block, chain id,
token contract, decimals); KEYS the exchange's secret keys (a secret file, mode 0600: one
secret key per line, 64 hex digits; blank lines and lines starting with ``#`` ignored).

Before any tree is built, :func:`claimed_totals` reads each set once and sums the balances
of the keys the exchange owns (its private reserves R_P), which the coverage check adds to
the signed reserves. When the trees are done, :func:`prove_private` copies each set into
the bundle as ``private-reserves/ASSET.set``, proves the keys there into
``private-reserves/ASSET.proof`` and returns what the manifest binds and the opening of
the commitment (secret: it goes into the solvency proof only).

The tag secret (17.3) is derived from the master secret, the same for every round of the
exchange, so that the tag of a key it does not own is the same in all its proofs at one
block: HMAC-SHA256(master secret, "zkpor:private-assets:tag-secret:v1").
"""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from zkpor.crypto.generators import generators
from zkpor.crypto.group import N
from zkpor.crypto.pedersen import Opening
from zkpor.errors import InputError
from zkpor.formats.anonset import AnonSetHeader, AnonSetReader
from zkpor.formats.manifest import PrivateReserves
from zkpor.formats.reserves import AssetReserves

__all__ = [
    "PrivateInput",
    "PrivateProven",
    "claimed_totals",
    "load_keys",
    "parse_private_option",
    "prove_private",
    "tag_secret",
]

TAG_SECRET_LABEL: Final[bytes] = b"zkpor:private-assets:tag-secret:v1"


@dataclass(frozen=True)
class PrivateInput:
    """One asset's private reserves as the operator names them: the set file and the keys."""

    asset: str
    set_path: Path
    keys_path: Path


@dataclass(frozen=True)
class PrivateProven:
    """One asset's proven private reserves: the manifest's entry and the commitment's
    opening (secret)."""

    entry: PrivateReserves
    opening: Opening


def parse_private_option(text: str) -> PrivateInput:
    """``ASSET=SET,KEYS`` (the --private-reserves option); InputError otherwise."""
    asset, eq, files = text.partition("=")
    set_file, comma, keys_file = files.partition(",")
    if not eq or not comma or not asset or not set_file or not keys_file:
        raise InputError(
            f"--private-reserves {text!r}: expected ASSET=SET,KEYS (the anonymity set file "
            "and the file of secret keys)"
        )
    return PrivateInput(asset, Path(set_file), Path(keys_file))


def tag_secret(master_secret: bytes) -> bytes:
    """The exchange's tag secret (module doc)."""
    return hmac.new(master_secret, TAG_SECRET_LABEL, hashlib.sha256).digest()


def load_keys(path: Path) -> dict[bytes, int]:
    """The secret keys of a keys file, by compressed public key; InputError naming the
    line for a bad one, a key twice, or a file others can read."""
    try:
        mode = path.stat().st_mode
        lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the keys file: {exc}", source=str(path)) from None
    if os.name == "posix" and mode & 0o077:
        raise InputError(
            "the keys file is readable by others: chmod 600 it (it holds secret keys)",
            source=str(path),
        )
    g = generators().G
    keys: dict[bytes, int] = {}
    for lineno, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if len(text) != 64 or any(c not in "0123456789abcdefABCDEF" for c in text):
            raise InputError("not a secret key (64 hex digits)", source=f"{path}:{lineno}")
        x = int(text, 16)
        if not 0 < x < N:
            raise InputError("secret key out of range (1 to n - 1)", source=f"{path}:{lineno}")
        key = (g * x).to_bytes()
        if key in keys:
            raise InputError("the same key twice", source=f"{path}:{lineno}")
        keys[key] = x
    if not keys:
        raise InputError("the keys file holds no key", source=str(path))
    return keys


def check_header(header: AnonSetHeader, entry: AssetReserves, decimals: int, source: str) -> None:
    """The set describes the asset's reserves in the snapshot (what the audit checks)."""
    from zkpor.verify.private_reserves import header_mismatch

    wrong = header_mismatch(header, entry.asset, entry, decimals)
    if wrong is not None:
        name, got, want = wrong
        raise InputError(
            f"the set's {name} is {got!r}; the reserves snapshot's {entry.asset} has {want!r}",
            source=source,
        )


def claimed_totals(
    inputs: Mapping[str, PrivateInput],
    keys: Mapping[str, Mapping[bytes, int]],
    entries: Mapping[str, AssetReserves],
    decimals: Mapping[str, int],
) -> dict[str, int]:
    """Per asset, the total balance of the owned keys in its set (module doc). InputError
    for an asset without a snapshot entry, a set that does not match it, or an owned key
    missing from the set."""
    totals: dict[str, int] = {}
    for sym, item in inputs.items():
        if sym not in entries:
            raise InputError(
                f"--private-reserves {sym}: the reserves snapshot has no entry for {sym} "
                "(list it, with its chain and block, even with no signed address)"
            )
        owned = keys[sym]
        found = 0
        total = 0
        from zkpor.verify.private_reserves import public_overlap

        line = public_overlap(entries[sym].chain, entries[sym].addresses, item.set_path)
        if line is not None:
            raise InputError(
                f"the key on line {line} is also a signed address of {sym} in the reserves "
                "snapshot: its balance would count twice",
                source=str(item.set_path),
            )
        with AnonSetReader(item.set_path) as reader:
            check_header(reader.header, entries[sym], decimals[sym], str(item.set_path))
            for m in reader:
                if m.key in owned:
                    found += 1
                    total += m.balance
        if found != len(owned):
            raise InputError(
                f"{len(owned) - found} of the keys are not members of the set",
                source=str(item.keys_path),
            )
        totals[sym] = total
    return totals


def prove_private(
    bundle: Path,
    inputs: Mapping[str, PrivateInput],
    keys: Mapping[str, Mapping[bytes, int]],
    *,
    exchange: str,
    round_id: str,
    master_secret: bytes,
) -> dict[str, PrivateProven]:
    """Copy each set into ``bundle/private-reserves/``, prove it there, and return what the
    manifest binds (module doc)."""
    from zkpor.atomicfile import atomic_writer
    from zkpor.formats.anonset import anonset_digest
    from zkpor.reserves.private_assets import prove_private_assets
    from zkpor.verify.private_reserves import PRIVATE_DIR, private_files

    (bundle / PRIVATE_DIR).mkdir(exist_ok=True)
    out: dict[str, PrivateProven] = {}
    for sym, item in sorted(inputs.items()):
        set_copy, proof_path = private_files(bundle, sym)
        with item.set_path.open("rb") as src, atomic_writer(set_copy) as dst:
            shutil.copyfileobj(src, dst)
        result = prove_private_assets(
            set_copy,
            proof_path,
            keys[sym],
            exchange=exchange,
            round_id=round_id,
            tag_secret=tag_secret(master_secret),
        )
        with proof_path.open("rb") as fh:
            proof_digest = hashlib.file_digest(fh, "sha256").hexdigest()
        entry = PrivateReserves(
            set_digest=anonset_digest(set_copy).hex(),
            proof_digest=proof_digest,
            keys=result.count,
            commitment=result.commitment.to_bytes().hex(),
        )
        out[sym] = PrivateProven(entry, result.opening)
    return out
