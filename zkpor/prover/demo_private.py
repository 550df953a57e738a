"""The demo's private reserves: an anonymity set in which the exchange owns a few keys.

Spec: docs/spec/private-reserves.md (17.1 the set file, 17.11 in a round). ``zkpor demo``
gives ETH, besides its signed wallets, reserves proven among a set of
:data:`SET_SIZE` keys at the asset's block, of which the exchange owns :data:`OWNED` (their
balances add :data:`EXTRA_PERCENT` % of the net liabilities). The set's other members are
random keys with random balances: in a real round they are every externally owned account
with a known public key at the block (``zkpor assets set``). Demo keys only.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Final

from zkpor.crypto.generators import generators
from zkpor.crypto.group import N
from zkpor.prover.private_reserves import PrivateInput
from zkpor.reserves.anonset_build import write_anonset

__all__ = ["EXTRA_PERCENT", "OWNED", "PRIVATE_ASSET", "SET_SIZE", "write_private_reserves"]

PRIVATE_ASSET: Final[str] = "ETH"
SET_SIZE: Final[int] = 64
OWNED: Final[int] = 4
EXTRA_PERCENT: Final[int] = 10


def write_private_reserves(
    out: Path, entry: dict[str, object], net: int, decimals: int, rng: random.Random
) -> tuple[PrivateInput, int]:
    """Write ``out/eth-anonset.txt`` (the set, at the block of the reserves ``entry``) and
    ``out/eth-private-keys.secret`` (mode 0600); return the --private-reserves input and the
    total the owned keys hold."""
    g = generators().G
    extra = max(net * EXTRA_PERCENT // 100, OWNED)
    owned_balances = [extra // OWNED] * OWNED
    owned_balances[-1] += extra - sum(owned_balances)
    secrets_ = [rng.randrange(1, N) for _ in range(SET_SIZE)]
    owned_at = set(rng.sample(range(SET_SIZE), OWNED))
    spread = max(net // 8, 1)
    balances = iter(owned_balances)
    members = [
        ((g * x).to_bytes(), next(balances) if i in owned_at else rng.randrange(0, spread))
        for i, x in enumerate(secrets_)
    ]
    set_path, keys_path = out / "eth-anonset.txt", out / "eth-private-keys.secret"
    header: dict[str, object] = {
        "asset": PRIVATE_ASSET,
        "chain": entry["chain"],
        "block_height": entry["block_height"],
        "decimals": decimals,
    }
    for name in ("chain_id", "token_contract"):
        if name in entry:
            header[name] = entry[name]
    write_anonset(set_path, members, **header)
    fd = os.open(keys_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("# the demo exchange's keys in eth-anonset.txt (demo keys only)\n")
        fh.writelines(f"{secrets_[i]:064x}\n" for i in sorted(owned_at))
    return PrivateInput(PRIVATE_ASSET, set_path, keys_path), extra
