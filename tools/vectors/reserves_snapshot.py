"""reserves.json, group ReservesSnapshotTest: the snapshot checks of docs/spec/reserves.md
10.1 and 10.5 (issue 24, rule 15), each invalid case failing for its own reason only.

Input: a whole snapshot (JSON), the ``exchange`` and ``round_id`` the round is for and the
round's assets with their ``decimals``. Every address signs the round's own message with a
key of its own (RFC 6979 signatures, so the bytes are reproducible), so a case differs from
the valid one only in the rule it tests: the header's exchange or round, an asset listed
twice, an asset the round does not have, an entry whose total reaches 2^64, an asset of the
round without an entry. Valid: the output ``totals`` (base units per asset, decimal).
"""

from __future__ import annotations

import copy
from typing import Any, Final

from tools.vectors.base import EXCHANGE, ROUND_A, VectorFile
from tools.vectors.reserves_signing import key, ownership
from zkpor.vectors.checkbase import Json

__all__ = ["snapshot_group"]

DECIMALS: Final[dict[str, int]] = {"BTC": 8, "ETH": 9, "XYZ": 0}


def _entries() -> list[Json]:
    from zkpor.reserves.signing import (
        bitcoin_address,
        ethereum_address,
        sign_bitcoin,
        sign_ethereum,
    )

    btc = [bitcoin_address(key(f"snap-btc{i}"), "p2wpkh") for i in range(2)]
    eth = ethereum_address(key("snap-eth0"))
    # XYZ has 0 decimals: two balances of 2^63 each reach 2^64 together (below, invalid)
    xyz = [bitcoin_address(key(f"snap-xyz{i}"), "p2pkh") for i in range(2)]
    return [
        {
            "asset": "BTC",
            "chain": "bitcoin",
            "block_height": 870000,
            "addresses": [
                {
                    "address": a,
                    "balance": b,
                    "signature": sign_bitcoin(key(f"snap-btc{i}"), ownership(a), "p2wpkh"),
                }
                for i, (a, b) in enumerate(zip(btc, ("1.5", "0.25")))
            ],
        },
        {
            "asset": "ETH",
            "chain": "ethereum",
            "chain_id": 1,
            "block_height": 21000000,
            "addresses": [
                {
                    "address": eth,
                    "balance": "12.000000001",
                    "signature": sign_ethereum(key("snap-eth0"), ownership(eth)),
                }
            ],
        },
        {
            "asset": "XYZ",
            "chain": "bitcoin",
            "block_height": 870000,
            "addresses": [
                {
                    "address": a,
                    "balance": str(2**63 - 1) if i == 0 else "0",
                    "signature": sign_bitcoin(key(f"snap-xyz{i}"), ownership(a), "p2pkh"),
                }
                for i, a in enumerate(xyz)
            ],
        },
    ]


def _snapshot() -> Json:
    return {
        "format": "zkpor-reserves-v1",
        "exchange": EXCHANGE,
        "round_id": ROUND_A,
        "assets": _entries(),
    }


def _changed(edit: str) -> Any:
    snap: Any = _snapshot()
    if edit == "exchange":
        snap["exchange"] = "Other Exchange"
    elif edit == "round":
        snap["round_id"] = "2000-01-01"
    elif edit == "twice":
        snap["assets"].append(copy.deepcopy(snap["assets"][1]))
    elif edit == "unknown":
        entry = copy.deepcopy(snap["assets"][2])
        entry["asset"] = "DOGE"
        snap["assets"].append(entry)
    elif edit == "total":
        snap["assets"][2]["addresses"][1]["balance"] = str(2**63 + 1)
    elif edit == "missing":
        del snap["assets"][1]
    return snap


_CASES: Final[tuple[tuple[str, str, str], ...]] = (
    (
        "exchange",
        "the header names another exchange (every signature is over the round's)",
        "exchange",
    ),
    ("round", "the header names another round (every signature is over the round's)", "round"),
    ("twice", "ETH listed twice (the second entry a copy of the first)", "twice"),
    ("unknown", "an entry for DOGE, not an asset of the round", "unknown"),
    ("total", "XYZ's balances sum to 2^64 base units (each below 2^64)", "total"),
    ("missing", "no entry for ETH, an asset of the round", "missing"),
)


def snapshot_group(f: VectorFile) -> None:
    """Add ReservesSnapshotTest to reserves.json (module doc)."""
    g = f.group("ReservesSnapshotTest")
    common = {"exchange": EXCHANGE, "round_id": ROUND_A, "decimals": dict(DECIMALS)}
    g.add(
        "a snapshot of three assets, every signature over the round's message",
        ["Valid"],
        "valid",
        snapshot=_snapshot(),
        **common,
        totals={"BTC": "175000000", "ETH": "12000000001", "XYZ": str(2**63 - 1)},
    )
    for _, comment, edit in _CASES:
        g.add(comment, ["SnapshotRule"], "invalid", snapshot=_changed(edit), **common)
