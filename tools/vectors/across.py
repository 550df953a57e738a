"""manifest.json's cases for the rules across assets (docs/spec.md 10.5, 12.4 step 4;
issue 21): one holding claimed by two assets, and a known token symbol naming another
contract. The manifests are :func:`tools.vectors.manifest._manifest`'s, BTC and ETH with the assets
below added, each with its own tree, and every solvency proof made over the whole manifest,
so that an invalid one fails for its rule only.
"""

from __future__ import annotations

import copy
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tools.vectors.base import MASTER, ROUND_A, RUN_NONCE, Json
from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.pedersen import Opening
from zkpor.formats.amounts import format_units, parse_amount
from zkpor.vectors.common import seeded

# an exchange-deployed contract posing as USDT (EIP-55 form of 0x5e5e...5e)
EVIL = "0x5e5E5e5e5E5e5E5E5e5E5E5e5e5E5E5E5e5E5E5e"

USDT = "0xdAC17F958D2ee523a2206206994597C13D831ec7"


@dataclass(frozen=True)
class Extra:
    """An asset added to the BTC and ETH of a manifest, for the rules across assets (10.5):
    its tree is built here (arity 4, granularity 4, seed "manifest/TAG/SYM-tree")."""

    sym: str
    chain: str
    decimals: int
    addresses: str  # a key of _reserve_addresses
    fields: tuple[tuple[str, object], ...] = ()  # token_contract, chain_id
    customers: tuple[tuple[str, int], ...] = (("alice", 1), ("bob", 2))
    balance: str | None = None  # overrides every listed balance


@functools.cache
def _more_addresses(exchange: str) -> dict[str, list[dict[str, str]]]:
    """Addresses of these cases only: SHA-256("eth1")'s, and the P2WPKH address of
    SHA-256("btc2") (the third BTC address of docs/spec.md 10.1) in upper case, that text
    signed."""
    from zkpor.reserves.message import ownership_message
    from zkpor.reserves.signing import (
        bitcoin_address,
        ethereum_address,
        sign_bitcoin,
        sign_ethereum,
    )

    out: dict[str, list[dict[str, str]]] = {}
    secret1 = hashlib.sha256(b"eth1").digest()
    addr1 = ethereum_address(secret1)
    out["ETH-1"] = [
        {
            "address": addr1,
            "balance": "5",
            "signature": sign_ethereum(secret1, ownership_message(exchange, ROUND_A, addr1)),
        }
    ]
    upper = bitcoin_address(
        hashlib.sha256(b"btc2").digest(), "p2wpkh"
    ).upper()  # the P2WPKH address of "btc2", in upper case
    out["BTC-upper"] = [
        {
            "address": upper,
            "balance": "1.25",
            "signature": sign_bitcoin(
                hashlib.sha256(b"btc2").digest(),
                ownership_message(exchange, ROUND_A, upper),
                "p2wpkh",
            ),
        }
    ]
    return out


def extra_assets(
    gens: GeneratorSet,
    tag: str,
    extra: tuple[Extra, ...],
    addresses: dict[str, list[dict[str, str]]],
    ratio: tuple[int, int],
    exchange: str,
) -> dict[str, tuple[Json, int, Opening]]:
    """Per extra asset: its manifest entry (solvency proof still "00"), reserves in base
    units and the root's opening. ``addresses`` are the manifest's (keys of
    ``_reserve_addresses``), to which this module adds ``ETH-1`` and ``BTC-upper``."""
    from zkpor.vectors.tree import build_tree

    addresses = {**addresses, **_more_addresses(exchange)}
    p, q = ratio
    out: dict[str, tuple[Json, int, Opening]] = {}
    for x in extra:
        tree = build_tree(
            master=MASTER,
            run_nonce=RUN_NONCE,
            round_id=ROUND_A,
            asset=x.sym,
            decimals=x.decimals,
            arity=4,
            granularity=4,
            customers=list(x.customers),
            gens=gens,
            rng=seeded(f"manifest/{tag}/{x.sym}-tree"),
        )
        listed = copy.deepcopy(addresses[x.addresses])
        for a in listed:
            a["balance"] = x.balance or a["balance"]
        units = sum(parse_amount(a["balance"], x.decimals) for a in listed)
        opening = Opening(tree.root.value, tree.root.blinding)
        asset_json: Any = {
            **tree.root_json(),
            "reserves": {
                "chain": x.chain,
                "block_height": 21000000,
                "block_hash": None,
                **dict(x.fields),
                "total": format_units(units, x.decimals),
                "total_units": str(units),
                "addresses": listed,
            },
            "solvency": {"min_ratio": f"{p}/{q}", "proof": "00", "liabilities": None},
        }
        out[x.sym] = (asset_json, units, opening)
    return out


def across_assets(gens: GeneratorSet, add: Callable[..., None], inputs: dict[int, str]) -> None:
    """Issue 21, items 3 and 4 (docs/spec.md 10.5): one holding claimed by two assets, and a
    known token symbol naming another contract. Every manifest is proven as a whole (its
    solvency proofs bind every field), so each invalid one fails for its rule only."""
    from tools.vectors.manifest import _manifest

    usdt = (("token_contract", USDT), ("chain_id", 1))
    cases: tuple[tuple[str, str, list[str], tuple[Extra, ...], tuple[tuple[str, object], ...]], ...]
    cases = (
        (
            "across/ether-and-token",
            "ether (ETH) and USDT (its known contract, chain id 1) at one address",
            ["Valid", "EtherAndToken", "TokenContract", "SignaturesChecked"],
            (Extra("USDT", "ethereum", 6, "ETH", usdt, balance="5"),),
            (),
        ),
        (
            "across/two-chain-ids",
            "ether at one address on chain id 1 (ETH) and chain id 10 (OPETH)",
            ["Valid", "EtherAndToken", "SignaturesChecked"],
            (Extra("OPETH", "ethereum", 9, "ETH", (("chain_id", 10),)),),
            (("chain_id", 1),),
        ),
        (
            "across/native-twice",
            "ETH's signed address listed unchanged by a second native asset STETH",
            ["CrossAssetDuplicate"],
            (Extra("STETH", "ethereum", 9, "ETH"),),
            (),
        ),
        (
            "across/native-any-chain-id",
            "ETH on chain id 1 and OPETH without chain_id at one address (absent matches any)",
            ["CrossAssetDuplicate", "ChainIdAbsent"],
            (Extra("OPETH", "ethereum", 9, "ETH"),),
            (("chain_id", 1),),
        ),
        (
            "across/token-twice",
            "USDT and USDT2 naming one token contract at one address",
            ["CrossAssetDuplicate", "TokenContract"],
            (
                Extra("USDT", "ethereum", 6, "ETH-1", usdt),
                Extra("USDT2", "ethereum", 6, "ETH-1", usdt),
            ),
            (),
        ),
        (
            "across/bitcoin-twice",
            "BTC's P2WPKH address listed again, in upper case, by a second asset XBT",
            ["CrossAssetDuplicate"],
            (Extra("XBT", "bitcoin", 8, "BTC-upper"),),
            (),
        ),
        (
            "across/wrong-contract",
            "USDT naming an exchange-deployed contract on chain id 1",
            ["KnownTokenWrongContract", "TokenContract"],
            (Extra("USDT", "ethereum", 6, "ETH-1", (("token_contract", EVIL), ("chain_id", 1))),),
            (),
        ),
        (
            "across/wrong-contract-no-chain-id",
            "USDT naming an exchange-deployed contract, no chain_id (read as chain id 1)",
            ["KnownTokenWrongContract", "ChainIdAbsent", "TokenContract"],
            (Extra("USDT", "ethereum", 6, "ETH-1", (("token_contract", EVIL),)),),
            (),
        ),
        (
            "across/no-contract",
            "USDT on chain id 1 with no token contract (its balances would be ether)",
            ["KnownTokenWrongContract"],
            (Extra("USDT", "ethereum", 6, "ETH-1", (("chain_id", 1),)),),
            (),
        ),
    )
    for tag, comment, flags, extra, eth_fields in cases:
        m = _manifest(
            gens,
            ratio=(1, 1),
            disclose=False,
            tag=tag,
            extra=extra,
            eth_fields=eth_fields,
        )
        inputs[id(m)] = tag
        add(f"across assets: {comment}", flags, "valid" if "Valid" in flags else "invalid", m)
