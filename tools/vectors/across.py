"""manifest.json's cases for the rules across assets (docs/spec/reserves.md 10.5,
docs/spec/solvency-and-manifest.md 12.4 step 4; issue 21): one holding claimed by two
assets, and a known token symbol naming another contract.

Each case is a manifest of its own (:class:`~tools.vectors.manifest_build.Recipe`): BTC and
ETH with the assets below added, each with its own tree, and every solvency proof made over
the whole manifest, so that an invalid one fails for its rule only.
"""

from __future__ import annotations

from typing import Final

from tools.vectors.manifest_build import Extra, ManifestCase, Recipe

# an exchange-deployed contract posing as USDT (EIP-55 form of 0x5e5e...5e)
EVIL: Final = "0x5e5E5e5e5E5e5E5E5e5E5E5e5e5E5E5E5e5E5E5e"

USDT: Final = "0xdAC17F958D2ee523a2206206994597C13D831ec7"

_USDT_ON_MAINNET: Final = (("token_contract", USDT), ("chain_id", 1))


def _case(
    tag: str,
    comment: str,
    flags: tuple[str, ...],
    extra: tuple[Extra, ...],
    eth_fields: tuple[tuple[str, object], ...] = (),
) -> ManifestCase:
    recipe = Recipe(f"across/{tag}", extra=extra, eth_fields=eth_fields)
    return ManifestCase(f"across assets: {comment}", flags, recipe)


ACROSS_CASES: Final[tuple[ManifestCase, ...]] = (
    _case(
        "ether-and-token",
        "ether (ETH) and USDT (its known contract, chain id 1) at one address",
        ("Valid", "EtherAndToken", "TokenContract", "SignaturesChecked"),
        (Extra("USDT", "ethereum", 6, "ETH", _USDT_ON_MAINNET, balance="5"),),
    ),
    _case(
        "two-chain-ids",
        "ether at one address on chain id 1 (ETH) and chain id 10 (OPETH)",
        ("Valid", "EtherAndToken", "SignaturesChecked"),
        (Extra("OPETH", "ethereum", 9, "ETH", (("chain_id", 10),)),),
        (("chain_id", 1),),
    ),
    _case(
        "native-twice",
        "ETH's signed address listed unchanged by a second native asset STETH",
        ("CrossAssetDuplicate",),
        (Extra("STETH", "ethereum", 9, "ETH"),),
    ),
    _case(
        "native-any-chain-id",
        "ETH on chain id 1 and OPETH without chain_id at one address (absent matches any)",
        ("CrossAssetDuplicate", "ChainIdAbsent"),
        (Extra("OPETH", "ethereum", 9, "ETH"),),
        (("chain_id", 1),),
    ),
    _case(
        "token-twice",
        "USDT and USDT2 naming one token contract at one address",
        ("CrossAssetDuplicate", "TokenContract"),
        (
            Extra("USDT", "ethereum", 6, "ETH-1", _USDT_ON_MAINNET),
            Extra("USDT2", "ethereum", 6, "ETH-1", _USDT_ON_MAINNET),
        ),
    ),
    _case(
        "bitcoin-twice",
        "BTC's P2WPKH address listed again, in upper case, by a second asset XBT",
        ("CrossAssetDuplicate",),
        (Extra("XBT", "bitcoin", 8, "BTC-upper"),),
    ),
    _case(
        "wrong-contract",
        "USDT naming an exchange-deployed contract on chain id 1",
        ("KnownTokenWrongContract", "TokenContract"),
        (Extra("USDT", "ethereum", 6, "ETH-1", (("token_contract", EVIL), ("chain_id", 1))),),
    ),
    _case(
        "wrong-contract-no-chain-id",
        "USDT naming an exchange-deployed contract, no chain_id (read as chain id 1)",
        ("KnownTokenWrongContract", "ChainIdAbsent", "TokenContract"),
        (Extra("USDT", "ethereum", 6, "ETH-1", (("token_contract", EVIL),)),),
    ),
    _case(
        "no-contract",
        "USDT on chain id 1 with no token contract (its balances would be ether)",
        ("KnownTokenWrongContract",),
        (Extra("USDT", "ethereum", 6, "ETH-1", (("chain_id", 1),)),),
    ),
)
