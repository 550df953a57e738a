"""The manifests of manifest.json (docs/spec/solvency-and-manifest.md, section 12), built as
``zkpor prove`` builds them, and the record of one of its cases.

A :class:`Recipe` says which manifest: its tag (the seeds ``manifest/TAG/...``), ratio,
disclosure, margin terms, exchange, a Taproot reserve, ETH held as a token, assets added for
the rules across assets (:class:`Extra`, docs/spec/reserves.md 10.5). :func:`build_manifest`
makes it: the trees are sumtree.json's round 2026-11-30 BTC and ETH trees, the reserves those
of docs/spec/reserves.md 10.1 (keys SHA-256("btc0"), ..., signed for the manifest's
exchange), and every solvency proof is bound to the statement digest of the rest (12.3a).
What each proof was made from goes to :data:`SOLVENCY_INPUTS`.
"""

from __future__ import annotations

import copy
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from tools.vectors.base import CREATED, EXCHANGE, MASTER, ROUND_A, RUN_NONCE, Json
from tools.vectors.mutations import Mutation
from tools.vectors.sumtree import seeded_trees
from zkpor.crypto.generators import GeneratorSet, generator_digest
from zkpor.crypto.group import SUITE_ID
from zkpor.crypto.pedersen import Opening
from zkpor.formats.amounts import format_units, parse_amount
from zkpor.formats.manifest import MANIFEST_FORMAT
from zkpor.vectors.common import hexsc, seed, seeded

# the WETH contract on Ethereum mainnet (EIP-55 form), for the token vectors
WETH: Final = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"

# tag -> per asset what its solvency proof was made from (recorded in the valid tests)
SOLVENCY_INPUTS: Final[dict[str, Json]] = {}


@dataclass(frozen=True)
class Extra:
    """An asset added to the BTC and ETH of a manifest, for the rules across assets (10.5):
    its tree is built here (arity 4, granularity 4, seed "manifest/TAG/SYM-tree")."""

    sym: str
    chain: str
    decimals: int
    addresses: str  # a key of reserve_addresses or _more_addresses
    fields: tuple[tuple[str, object], ...] = ()  # token_contract, chain_id
    customers: tuple[tuple[str, int], ...] = (("alice", 1), ("bob", 2))
    balance: str | None = None  # overrides every listed balance


@dataclass(frozen=True)
class Recipe:
    """Which manifest: ``tag`` names its seeds; the others change it from BTC and ETH at
    ratio 1/1, liabilities not disclosed, for :data:`EXCHANGE`."""

    tag: str
    ratio: tuple[int, int] = (1, 1)
    disclose: bool = False
    margin: bool = False  # quote, prices, tiers and an ETH debt tree (16.6)
    exchange: str = EXCHANGE
    p2tr: bool = False  # a Taproot BTC reserve address (10.9)
    token: bool = False  # ETH held as WETH, an ERC-20 token
    extra: tuple[Extra, ...] = ()
    eth_fields: tuple[tuple[str, object], ...] = ()  # added to ETH's reserves


@dataclass(frozen=True)
class ManifestCase:
    """A test of manifest.json: the manifest of ``manifest``, edited by ``change``; valid
    when flagged "Valid". ``expected_digest`` makes the published digest given to the
    verifier from the unedited manifest's digest (none given when None)."""

    comment: str
    flags: tuple[str, ...]
    manifest: Recipe
    change: Mutation | None = None
    check_signatures: bool = True
    expected_digest: Callable[[str], str] | None = None
    remade: bool = False  # re-make every solvency proof over the edited manifest


def remake_proofs(gens: GeneratorSet, recipe: Recipe, manifest: Json, label: str) -> None:
    """Every solvency proof of the edited ``manifest`` made again from the recipe's inputs
    (:data:`SOLVENCY_INPUTS`) over its own statement digest (seeds
    "manifest/TAG/remade/LABEL/SYM"), so that only the edited rule fails."""
    import json

    from zkpor.formats.manifest import STATEMENT_LABEL, solvency_context
    from zkpor.prover.solvency import prove_solvency

    # 12.3a over the JSON as it is (a model-refused edit, such as chain_id 2^53, is proven too)
    data = copy.deepcopy(manifest)
    for entry in data["assets"].values():
        entry["solvency"]["proof"] = ""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    statement = hashlib.sha256(STATEMENT_LABEL + text.encode()).digest()
    for sym, inputs in SOLVENCY_INPUTS[recipe.tag].items():
        p, q = (int(t) for t in manifest["assets"][sym]["solvency"]["min_ratio"].split("/"))
        opening = Opening(
            int(inputs["liabilities"]["units"]), int(inputs["liabilities"]["blinding"], 16)
        )
        proof = prove_solvency(
            int(inputs["reserves"]),
            opening,
            p,
            q,
            gens=gens,
            rng=seeded(f"manifest/{recipe.tag}/remade/{label}/{sym}"),
            context=solvency_context(statement, sym),
        )
        manifest["assets"][sym]["solvency"]["proof"] = proof.to_bytes().hex()


@functools.cache
def reserve_addresses(exchange: str = EXCHANGE) -> dict[str, list[dict[str, str]]]:
    """The reserves of docs/spec.md 10.1 (keys SHA-256("btc0"), ...), signed for round A
    and ``exchange``; BTC-p2tr, a Taproot address; BTC-foreign, the first BTC address signed
    with another key; ETH-other-round, ETH's address signed for another round."""
    from zkpor.reserves.bip322 import p2tr_address, sign_p2tr
    from zkpor.reserves.message import ownership_message
    from zkpor.reserves.signing import (
        bitcoin_address,
        ethereum_address,
        sign_bitcoin,
        sign_ethereum,
    )

    def message(address: str, round_id: str = ROUND_A) -> str:
        return ownership_message(exchange, round_id, address)

    out: dict[str, list[dict[str, str]]] = {"BTC": [], "ETH": []}
    for i, (kind, balance) in enumerate(
        (("p2pkh", "0.5"), ("p2sh-p2wpkh", "0.75"), ("p2wpkh", "1.25"))
    ):
        secret = hashlib.sha256(f"btc{i}".encode()).digest()
        addr = bitcoin_address(secret, kind)
        sig = sign_bitcoin(secret, message(addr), kind)
        out["BTC"].append({"address": addr, "balance": balance, "signature": sig})
    eth_secret = hashlib.sha256(b"eth0").digest()
    eth = ethereum_address(eth_secret)
    out["ETH"].append(
        {"address": eth, "balance": "20", "signature": sign_ethereum(eth_secret, message(eth))}
    )
    tr_secret = hashlib.sha256(b"btc-tr0").digest()
    tr = p2tr_address(tr_secret)
    out["BTC-p2tr"] = [
        {"address": tr, "balance": "0.5", "signature": sign_p2tr(tr_secret, message(tr))}
    ]
    foreign = hashlib.sha256(b"btc9").digest()
    first = out["BTC"][0]["address"]
    out["BTC-foreign"] = [
        {
            "address": first,
            "balance": "0.5",
            "signature": sign_bitcoin(foreign, message(first), "p2pkh"),
        }
    ]
    out["ETH-other-round"] = [
        {
            "address": eth,
            "balance": "20",
            "signature": sign_ethereum(eth_secret, message(eth, "2026-10-31")),
        }
    ]
    return out


@functools.cache
def _more_addresses(exchange: str) -> dict[str, list[dict[str, str]]]:
    """Addresses of the cases across assets only: SHA-256("eth1")'s, and the P2WPKH address
    of SHA-256("btc2") (the third BTC address of docs/spec.md 10.1) in upper case, that text
    signed."""
    from zkpor.reserves.message import ownership_message
    from zkpor.reserves.signing import (
        bitcoin_address,
        ethereum_address,
        sign_bitcoin,
        sign_ethereum,
    )

    eth_secret = hashlib.sha256(b"eth1").digest()
    eth = ethereum_address(eth_secret)
    eth_sig = sign_ethereum(eth_secret, ownership_message(exchange, ROUND_A, eth))
    btc_secret = hashlib.sha256(b"btc2").digest()
    upper = bitcoin_address(btc_secret, "p2wpkh").upper()
    upper_sig = sign_bitcoin(btc_secret, ownership_message(exchange, ROUND_A, upper), "p2wpkh")
    return {
        "ETH-1": [{"address": eth, "balance": "5", "signature": eth_sig}],
        "BTC-upper": [{"address": upper, "balance": "1.25", "signature": upper_sig}],
    }


# per asset: (its manifest entry, reserves in base units, the opening of its root)
Assets = dict[str, tuple[Json, int, Opening]]


def _entry(tree_json: Json, reserves: Json, recipe: Recipe, liabilities: Json | None) -> Json:
    """An asset's manifest entry, its solvency proof still "00"."""
    p, q = recipe.ratio
    solvency = {"min_ratio": f"{p}/{q}", "proof": "00", "liabilities": liabilities}
    return {**tree_json, "reserves": reserves, "solvency": solvency}


def _tree_assets(gens: GeneratorSet, recipe: Recipe) -> Assets:
    """BTC and ETH: sumtree.json's trees and the reserves of :func:`reserve_addresses`."""
    trees = seeded_trees(gens.point_type.backend_name)
    addresses = reserve_addresses(recipe.exchange)
    out: Assets = {}
    for sym, chain, height, reserves, decimals in (
        ("BTC", "bitcoin", 870000, 300000000 if recipe.p2tr else 250000000, 8),
        ("ETH", "ethereum", 21000000, 20000000000, 9),
    ):
        tree = trees[sym.lower()]
        opening = Opening(tree.root.value, tree.root.blinding)
        listed = copy.deepcopy(addresses[sym])
        if recipe.p2tr and sym == "BTC":
            listed += copy.deepcopy(addresses["BTC-p2tr"])
        reserves_json: Json = {"chain": chain, "block_height": height, "block_hash": None}
        if recipe.token and sym == "ETH":  # ETH held as wrapped ether (mainnet WETH)
            reserves_json.update(token_contract=WETH, chain_id=1)
        if sym == "ETH":
            reserves_json.update(recipe.eth_fields)
        reserves_json.update(
            total=format_units(reserves, decimals), total_units=str(reserves), addresses=listed
        )
        disclosed = {
            "amount": format_units(opening.value, decimals),
            "units": str(opening.value),
            "blinding": hexsc(opening.blinding),
        }
        entry = _entry(
            tree.root_json(), reserves_json, recipe, disclosed if recipe.disclose else None
        )
        out[sym] = (entry, reserves, opening)
    return out


def extra_assets(gens: GeneratorSet, recipe: Recipe) -> Assets:
    """The recipe's :class:`Extra` assets, each with its own tree; their addresses are keys
    of :func:`reserve_addresses` or ``ETH-1`` and ``BTC-upper``."""
    from zkpor.vectors.tree import build_tree

    addresses = {**reserve_addresses(recipe.exchange), **_more_addresses(recipe.exchange)}
    out: Assets = {}
    for x in recipe.extra:
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
            rng=seeded(f"manifest/{recipe.tag}/{x.sym}-tree"),
        )
        listed = copy.deepcopy(addresses[x.addresses])
        for a in listed:
            a["balance"] = x.balance or a["balance"]
        units = sum(parse_amount(a["balance"], x.decimals) for a in listed)
        reserves: Json = {
            "chain": x.chain,
            "block_height": 21000000,
            "block_hash": None,
            **dict(x.fields),
            "total": format_units(units, x.decimals),
            "total_units": str(units),
            "addresses": listed,
        }
        opening = Opening(tree.root.value, tree.root.blinding)
        out[x.sym] = (_entry(tree.root_json(), reserves, recipe, None), units, opening)
    return out


def _add_margin(
    gens: GeneratorSet,
    tag: str,
    manifest: Json,
    openings: dict[str, tuple[int, Opening]],
    disclose: bool = False,
) -> None:
    """docs/spec.md 16.6: the quote, prices and tiers, an ETH debt tree (alice owes 2 ETH);
    ETH's solvency is proven on equity minus debt."""
    from tools.vectors.margin import TERMS
    from zkpor.vectors.tree import build_tree

    assets = manifest["assets"]
    manifest["quote"] = TERMS["quote"]
    for sym in assets:
        assets[sym]["price"] = TERMS["assets"][sym]["price"]
        assets[sym]["tiers"] = TERMS["assets"][sym]["tiers"]
    debt_tree = build_tree(
        master=MASTER,
        run_nonce=RUN_NONCE,
        round_id=ROUND_A,
        asset="ETH/debt",
        decimals=9,
        arity=4,
        granularity=4,
        customers=[("alice", 2_000_000_000)],
        gens=gens,
        rng=seeded(f"manifest/{tag}/ETH-debt"),
    )
    debt_root = debt_tree.root_json()
    del debt_root["decimals"]
    assets["ETH"]["debt"] = debt_root
    reserves_eth, equity = openings["ETH"]
    debt = Opening(debt_tree.root.value, debt_tree.root.blinding)
    openings["ETH"] = (reserves_eth, equity - debt)
    if disclose:  # 16.5: the debt root's opening beside the equity's
        assets["ETH"]["solvency"]["debt"] = {
            "amount": format_units(debt.value, 9),
            "units": str(debt.value),
            "blinding": hexsc(debt.blinding),
        }


def _prove_solvency(
    gens: GeneratorSet, recipe: Recipe, manifest: Json, openings: dict[str, tuple[int, Opening]]
) -> None:
    """Every asset's solvency proof, bound to the manifest's statement digest (12.3a); what
    each was made from recorded in :data:`SOLVENCY_INPUTS`."""
    from zkpor.formats.manifest import Manifest, solvency_context, statement_digest
    from zkpor.prover.solvency import prove_solvency

    tag = recipe.tag
    p, q = recipe.ratio
    statement = statement_digest(Manifest.model_validate(manifest, strict=True))
    SOLVENCY_INPUTS[tag] = {
        sym: {
            "seed": seed(f"manifest/{tag}/{sym}").hex(),
            "reserves": str(reserves),
            "liabilities": {"units": str(opening.value), "blinding": hexsc(opening.blinding)},
        }
        for sym, (reserves, opening) in openings.items()
    }
    for sym, (reserves, opening) in openings.items():
        proof = prove_solvency(
            reserves,
            opening,
            p,
            q,
            gens=gens,
            rng=seeded(f"manifest/{tag}/{sym}"),
            context=solvency_context(statement, sym),
        )
        manifest["assets"][sym]["solvency"]["proof"] = proof.to_bytes().hex()


def build_manifest(gens: GeneratorSet, recipe: Recipe) -> Json:
    """The manifest of ``recipe``, built as ``zkpor prove`` builds it: every field, then the
    solvency proofs bound to the statement digest of the rest."""
    assets = {**_tree_assets(gens, recipe), **extra_assets(gens, recipe)}
    manifest: Json = {
        "format": MANIFEST_FORMAT,
        "exchange": recipe.exchange,
        "round_id": ROUND_A,
        "created": CREATED,
        "parameters": {
            "curve": "secp256k1",
            "hash": "SHA-256",
            "hash_to_curve": SUITE_ID.decode(),
            "generator_digest": generator_digest().hex(),
            "arity": 4,
            "range_bits": 64,
        },
        "assets": {sym: entry for sym, (entry, _, _) in assets.items()},
    }
    openings = {sym: (units, opening) for sym, (_, units, opening) in assets.items()}
    if recipe.margin:
        _add_margin(gens, recipe.tag, manifest, openings, disclose=recipe.disclose)
    _prove_solvency(gens, recipe, manifest, openings)
    return manifest
