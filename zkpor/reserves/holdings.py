"""Rules across the assets of one round (docs/spec/reserves.md 10.5, "Across assets").

- **One holding backs one asset.** A holding is what an address holds of one coin: on one
  chain (and, on chain ``ethereum``, one chain id), the chain's native coin or one token
  contract. Two assets of one snapshot or manifest must not both claim one holding: two
  native assets listing one address, or two assets naming one token contract and listing
  one address, would count the same coins twice (:func:`cross_asset_problems`). Ether and
  a token at one address are two holdings, and so are the ether of one address on two chain
  ids. Addresses are compared by what they designate (:func:`.verify.address_key`: Ethereum
  case-insensitively, Bitcoin by decoded type and hash). An absent ``chain_id`` may be any
  Ethereum network, so it matches every chain id.
- **A known symbol names its known contract.** ``known_tokens.json`` (package data) lists
  canonical ERC-20 contracts per EIP-155 chain id. An Ethereum asset whose symbol is listed
  for its chain id must name exactly that contract (:func:`token_problems`); without a
  ``chain_id`` the asset is read as on Ethereum mainnet (chain id 1) for this rule, the
  reading that refuses the most. A contract the table cannot vouch for (symbol not listed,
  chain id not in the table, no chain id) is not refused but reported as not checked
  (:func:`unknown_token_notes`).

Neither rule needs a node or a signature: both are refused before either is looked at.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from zkpor.reserves.addresses import AddressEntry, AddressLabel, address_key

if TYPE_CHECKING:
    from zkpor.formats.manifest import Manifest
    from zkpor.formats.reserves import AssetReserves

__all__ = [
    "MAINNET",
    "Claim",
    "KnownToken",
    "cross_asset_problems",
    "is_known_contract",
    "known_token",
    "known_tokens",
    "manifest_claims",
    "snapshot_claim",
    "token_problems",
    "unknown_token_notes",
]

#: The chain id an Ethereum asset without ``chain_id`` is read as by :func:`token_problems`.
MAINNET = 1
KNOWN_TOKENS_FILE = "known_tokens.json"


@dataclass(frozen=True)
class KnownToken:
    """A canonical token contract: its symbol, EIP-55 address and where it was taken from."""

    symbol: str
    contract: str
    source: str


@cache
def known_tokens() -> dict[int, tuple[str, dict[str, KnownToken]]]:
    """chain id -> (network name, symbol -> known token), from ``known_tokens.json``."""
    text = resources.files(__package__).joinpath(KNOWN_TOKENS_FILE).read_text(encoding="utf-8")
    raw = json.loads(text)
    if raw.get("format") != "zkpor-known-tokens-v1":
        raise ValueError(f"{KNOWN_TOKENS_FILE}: unknown format")
    out: dict[int, tuple[str, dict[str, KnownToken]]] = {}
    for chain_id, chain in raw["chains"].items():
        tokens = {
            sym: KnownToken(sym, str(t["contract"]), str(t["source"]))
            for sym, t in chain["tokens"].items()
        }
        out[int(chain_id)] = (str(chain["name"]), tokens)
    return out


def known_token(symbol: str, chain_id: int) -> KnownToken | None:
    """The known contract of ``symbol`` on ``chain_id``, or None."""
    chain = known_tokens().get(chain_id)
    return None if chain is None else chain[1].get(symbol)


def is_known_contract(
    symbol: str, chain: str, chain_id: int | None, token_contract: str | None
) -> bool:
    """True when ``token_contract`` is the known contract of ``symbol`` on the stated
    ``chain_id`` (never without a chain id: the network would not be stated)."""
    if chain != "ethereum" or chain_id is None or token_contract is None:
        return False
    known = known_token(symbol, chain_id)
    return known is not None and known.contract.lower() == token_contract.lower()


@dataclass(frozen=True)
class Claim:
    """One asset's reserves as the cross-asset rules see them. ``where`` prefixes this
    asset's problems (``reserves.json: assets[1] (STETH)``, ``manifest: asset STETH
    reserves``); ``label`` names it inside another asset's problem (the same without the
    source)."""

    asset: str
    where: str
    label: str
    chain: str
    token_contract: str | None
    chain_id: int | None
    addresses: Sequence[AddressEntry]


def snapshot_claim(entry: AssetReserves, index: int, source: str) -> Claim:
    """The claim of a snapshot's entry ``assets[index]``."""
    label = f"assets[{index}] ({entry.asset})"
    return Claim(
        asset=entry.asset,
        where=f"{source}: {label}",
        label=label,
        chain=entry.chain,
        token_contract=entry.token_contract,
        chain_id=entry.chain_id,
        addresses=entry.addresses,
    )


def manifest_claims(manifest: Manifest, source: str = "manifest") -> list[Claim]:
    """The claims of every asset of a manifest, in manifest order."""
    out = []
    for sym, entry in manifest.assets.items():
        res = entry.reserves
        label = f"asset {sym} reserves"
        out.append(
            Claim(
                asset=sym,
                where=f"{source}: {label}",
                label=label,
                chain=res.chain,
                token_contract=res.token_contract,
                chain_id=res.chain_id,
                addresses=res.addresses,
            )
        )
    return out


def _holding(claim: Claim) -> str:
    """What the claim's addresses hold, as the duplicate key: native or the contract."""
    return "native" if claim.token_contract is None else claim.token_contract.lower()


def _holding_text(claim: Claim) -> str:
    if claim.token_contract is not None:
        return f"token {claim.token_contract}"
    if claim.chain == "ethereum":
        return "ether"
    return f"coins on chain {claim.chain}"


def _same_network(a: int | None, b: int | None) -> bool:
    """Whether two chain ids may name one network: equal, or either absent (any network)."""
    return a is None or b is None or a == b


def cross_asset_problems(claims: Iterable[Claim]) -> list[str]:
    """One line per address whose holding an earlier asset already claims (module doc).
    Duplicates within one asset are the per-asset check's (``duplicate address``)."""
    problems: list[str] = []
    seen: dict[tuple[str, str, str], list[tuple[Claim, int, str]]] = {}
    for claim in claims:
        mine: set[tuple[str, str, str]] = set()
        for i, entry in enumerate(claim.addresses):
            key = (claim.chain, _holding(claim), address_key(claim.chain, entry.address))
            if key in mine:
                continue
            mine.add(key)
            for other, j, other_address in seen.get(key, ()):
                if _same_network(claim.chain_id, other.chain_id):
                    problems.append(
                        f"{AddressLabel(claim.where, i, entry.address)}: already claimed by "
                        f"{AddressLabel(other.label, j, other_address)}: one address's "
                        f"{_holding_text(claim)} can back one asset only"
                    )
                    break
            seen.setdefault(key, []).append((claim, i, entry.address))
    return problems


def _network(chain_id: int) -> str:
    chain = known_tokens().get(chain_id)
    return f"chain id {chain_id}" if chain is None else f"{chain[0]} (chain id {chain_id})"


def token_problems(claims: Iterable[Claim]) -> list[str]:
    """One line per Ethereum asset whose symbol is a known token of its chain id (chain id 1
    when absent) but which names another contract, or none (its balances would be ether)."""
    problems: list[str] = []
    for claim in claims:
        if claim.chain != "ethereum":
            continue
        chain_id = MAINNET if claim.chain_id is None else claim.chain_id
        known = known_token(claim.asset, chain_id)
        if known is None:
            continue
        given = claim.token_contract
        if given is not None and given.lower() == known.contract.lower():
            continue
        read_as = "" if claim.chain_id is not None else " (no chain_id: read as chain id 1)"
        sym = claim.asset
        if given is None:
            problems.append(
                f"{claim.where}: no token contract, so its balances are ether, but {sym} on "
                f"{_network(chain_id)} is the token {known.contract}{read_as}"
            )
        else:
            problems.append(
                f"{claim.where}: token contract {given} is not {sym}: {sym} on "
                f"{_network(chain_id)} is {known.contract}{read_as}"
            )
    return problems


def unknown_token_notes(claims: Iterable[Claim]) -> list[str]:
    """The "not checked" line of each token contract the table cannot vouch for."""
    notes: list[str] = []
    for claim in claims:
        contract = claim.token_contract
        if claim.chain != "ethereum" or contract is None:
            continue
        if is_known_contract(claim.asset, claim.chain, claim.chain_id, contract):
            continue
        if claim.chain_id is None:
            reason = "no chain_id, so the network is not stated"
        elif claim.chain_id not in known_tokens():
            reason = f"no table of known contracts for chain id {claim.chain_id}"
        else:
            reason = f"{claim.asset} is not in the table of known contracts"
        sym = claim.asset
        notes.append(
            f"{sym}: token contract {contract} is not a known contract for {sym}: "
            f"check it yourself ({reason})"
        )
    return notes
