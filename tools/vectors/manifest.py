"""manifest.json (docs/spec.md section 12): whole manifests with reserves and
solvency proofs, their canonical JSON and digests, and every check a verifier makes.
"""

from __future__ import annotations

import copy
import functools
import hashlib
from collections.abc import Callable
from typing import Any, Final

from tools.vectors.across import Extra, across_assets, extra_assets
from tools.vectors.base import CREATED, EXCHANGE, MASTER, ROUND_A, RUN_NONCE, Json, VectorFile
from tools.vectors.schemaparts import Schema
from tools.vectors.sumtree import _trees
from zkpor.crypto.generators import GeneratorSet, generator_digest
from zkpor.crypto.group import SUITE_ID, N
from zkpor.crypto.pedersen import Opening
from zkpor.formats.amounts import format_units
from zkpor.formats.manifest import MANIFEST_FORMAT
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.common import hexpt, hexsc, seed, seeded


@functools.cache
def _reserve_addresses(exchange: str = EXCHANGE) -> dict[str, list[dict[str, str]]]:
    """The reserves of docs/spec.md 10.1 (keys SHA-256("btc0"), ...), signed for round A
    and ``exchange``."""
    from zkpor.reserves.message import ownership_message
    from zkpor.reserves.signing import (
        bitcoin_address,
        ethereum_address,
        sign_bitcoin,
        sign_ethereum,
    )

    out: dict[str, list[dict[str, str]]] = {"BTC": [], "ETH": []}
    for i, (kind, balance) in enumerate(
        (("p2pkh", "0.5"), ("p2sh-p2wpkh", "0.75"), ("p2wpkh", "1.25"))
    ):
        secret = hashlib.sha256(f"btc{i}".encode()).digest()
        addr = bitcoin_address(secret, kind)
        sig = sign_bitcoin(secret, ownership_message(exchange, ROUND_A, addr), kind)
        out["BTC"].append({"address": addr, "balance": balance, "signature": sig})
    secret = hashlib.sha256(b"eth0").digest()
    addr = ethereum_address(secret)
    out["ETH"].append(
        {
            "address": addr,
            "balance": "20",
            "signature": sign_ethereum(secret, ownership_message(exchange, ROUND_A, addr)),
        }
    )
    from zkpor.reserves.bip322 import p2tr_address, sign_p2tr

    tr_secret = hashlib.sha256(b"btc-tr0").digest()
    tr = p2tr_address(tr_secret)
    out["BTC-p2tr"] = [
        {
            "address": tr,
            "balance": "0.5",
            "signature": sign_p2tr(tr_secret, ownership_message(exchange, ROUND_A, tr)),
        }
    ]
    foreign = hashlib.sha256(b"btc9").digest()
    first = out["BTC"][0]["address"]
    out["BTC-foreign"] = [
        {
            "address": first,
            "balance": "0.5",
            "signature": sign_bitcoin(
                foreign, ownership_message(exchange, ROUND_A, first), "p2pkh"
            ),
        }
    ]
    out["ETH-other-round"] = [
        {
            "address": addr,
            "balance": "20",
            "signature": sign_ethereum(secret, ownership_message(exchange, "2026-10-31", addr)),
        }
    ]
    return out


# the WETH contract on Ethereum mainnet (EIP-55 form), for the token vectors
WETH = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"

# tag -> per asset what its solvency proof was made from (recorded in the valid tests)
_SOLVENCY_INPUTS: dict[str, Json] = {}


def _manifest(
    gens: GeneratorSet,
    *,
    ratio: tuple[int, int],
    disclose: bool,
    tag: str,
    margin: bool = False,
    exchange: str = EXCHANGE,
    p2tr: bool = False,
    token: bool = False,
    extra: tuple[Extra, ...] = (),
    eth_fields: tuple[tuple[str, object], ...] = (),
) -> Json:
    """Built as ``zkpor prove`` builds it: every field, then the solvency proofs bound to the
    statement digest of the rest (docs/spec.md, "Manifest"). What each proof was made from
    (prover seed, reserves, the root's opening) goes to ``_SOLVENCY_INPUTS[tag]``."""
    from zkpor.formats.manifest import Manifest, solvency_context, statement_digest
    from zkpor.prover.solvency import prove_solvency

    trees = _trees(gens.point_type.backend_name)
    addresses = _reserve_addresses(exchange)
    p, q = ratio
    assets: Json = {}
    openings: dict[str, tuple[int, Opening]] = {}
    for sym, chain, height, totals in (
        ("BTC", "bitcoin", 870000, (300000000 if p2tr else 250000000, 8)),
        ("ETH", "ethereum", 21000000, (20000000000, 9)),
    ):
        tree = trees[sym.lower()]
        reserves, decimals = totals
        opening = Opening(tree.root.value, tree.root.blinding)
        openings[sym] = (reserves, opening)
        listed = copy.deepcopy(addresses[sym])
        if p2tr and sym == "BTC":
            listed += copy.deepcopy(addresses["BTC-p2tr"])
        reserves_json: Json = {
            "chain": chain,
            "block_height": height,
            "block_hash": None,
        }
        if token and sym == "ETH":  # ETH held as wrapped ether, an ERC-20 (mainnet WETH)
            reserves_json["token_contract"] = WETH
            reserves_json["chain_id"] = 1
        if sym == "ETH":
            reserves_json.update(eth_fields)
        reserves_json.update(
            total=format_units(reserves, decimals),
            total_units=str(reserves),
            addresses=listed,
        )
        assets[sym] = {
            **tree.root_json(),
            "reserves": reserves_json,
            "solvency": {
                "min_ratio": f"{p}/{q}",
                "proof": "00",
                "liabilities": {
                    "amount": format_units(opening.value, decimals),
                    "units": str(opening.value),
                    "blinding": hexsc(opening.blinding),
                }
                if disclose
                else None,
            },
        }
    for sym, (asset_json, units, opening) in extra_assets(
        gens, tag, extra, addresses, ratio, exchange
    ).items():
        assets[sym] = asset_json
        openings[sym] = (units, opening)
    manifest: Json = {
        "format": MANIFEST_FORMAT,
        "exchange": exchange,
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
        "assets": assets,
    }
    if margin:  # docs/spec.md 16.6: quote, prices, tiers; an ETH debt tree; net solvency
        from tools.vectors.margin import TERMS
        from zkpor.vectors.tree import build_tree

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
    statement = statement_digest(Manifest.model_validate(manifest, strict=True))
    _SOLVENCY_INPUTS[tag] = {
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
        assets[sym]["solvency"]["proof"] = proof.to_bytes().hex()
    return manifest


def generate(gens: GeneratorSet) -> Json:
    from zkpor.formats.manifest import Manifest, canonical_json, manifest_digest, statement_digest

    f = VectorFile(
        "manifest",
        "zkpor manifest v1 (docs/spec.md section 12)",
        [
            "Inputs 'manifest' (a manifest.json object), check_signatures (the auditor's checks)",
            "and expected_digest (the published digest, or null). Outputs of a valid test: the",
            "canonical JSON (12.3), its SHA-256 (the digest) and the statement digest the",
            "solvency proofs bind (12.4). The trees are sumtree.json's",
            "round 2026-11-30 BTC and ETH trees; the reserves those of docs/spec.md 10.1.",
        ],
    )
    g = f.group("ManifestTest")
    plain = _manifest(gens, ratio=(21, 20), disclose=False, tag="ratio")
    disclosed = _manifest(gens, ratio=(1, 1), disclose=True, tag="disclosed")
    margin = _manifest(gens, ratio=(1, 1), disclose=False, tag="margin", margin=True)
    token = _manifest(gens, ratio=(1, 1), disclose=False, tag="token", token=True)
    taproot = _manifest(gens, ratio=(1, 1), disclose=False, tag="p2tr", p2tr=True)
    inputs = {
        id(plain): "ratio",
        id(disclosed): "disclosed",
        id(margin): "margin",
        id(token): "token",
        id(taproot): "p2tr",
    }

    def outputs(m: Json) -> Json:
        model = Manifest.model_validate(m, strict=True)
        return {
            "canonical_json": canonical_json(model).decode(),
            "digest": manifest_digest(model),
            "statement_digest": statement_digest(model).hex(),
        }

    def add(
        comment: str,
        flags: list[str],
        result: str,
        m: Json,
        *,
        signatures: bool = True,
        expected: str | None = None,
    ) -> None:
        fields: Json = {"manifest": m, "check_signatures": signatures, "expected_digest": expected}
        if result == "valid":
            fields.update(outputs(m))
            fields["solvency_inputs"] = _SOLVENCY_INPUTS[inputs[id(m)]]
        g.add(comment, flags, result, **fields)

    add(
        "BTC and ETH, ratio 21/20, signatures checked",
        ["Valid", "SignaturesChecked"],
        "valid",
        plain,
    )
    add(
        "the same without the signature checks (a library option; the verifiers check them)",
        ["Valid"],
        "valid",
        plain,
        signatures=False,
    )
    digest = str(outputs(plain)["digest"])
    add(
        "the same with the published digest in upper case",
        ["Valid", "DigestGiven"],
        "valid",
        plain,
        expected=digest.upper(),
    )
    add(
        "ratio 1 with disclosed liabilities",
        ["Valid", "Disclosed", "SignaturesChecked"],
        "valid",
        disclosed,
    )

    add(
        "margin: prices and tiers, an ETH debt tree, ETH solvency on equity minus debt",
        ["Valid", "Margin", "SignaturesChecked"],
        "valid",
        margin,
    )

    def bad(
        comment: str,
        flags: list[str],
        change: Callable[[Json], object],
        base: Json = plain,
        **kw: Any,
    ) -> None:
        m = copy.deepcopy(base)
        change(m)
        add(comment, flags, "invalid", m, **kw)

    def asset(m: Json, sym: str) -> Any:
        return m["assets"][sym]

    def res(m: Json, sym: str) -> Any:
        return asset(m, sym)["reserves"]

    def solv(m: Json, sym: str) -> Any:
        return asset(m, sym)["solvency"]

    bad("another published digest", ["DigestMismatch"], lambda m: None, expected="00" * 32)
    bad(
        "another generator digest",
        ["WrongGeneratorDigest"],
        lambda m: m["parameters"].__setitem__("generator_digest", "11" * 32),
    )
    bad("BTC depth 3", ["WrongShape"], lambda m: asset(m, "BTC").__setitem__("depth", 3))
    bad(
        "BTC total_units + 1",
        ["WrongTotal"],
        lambda m: res(m, "BTC").__setitem__("total_units", "250000001"),
    )
    bad(
        "BTC total written '2.50'",
        ["WrongTotal"],
        lambda m: res(m, "BTC").__setitem__("total", "2.50"),
    )

    def inflate(m: Json) -> None:
        r = res(m, "BTC")
        r["addresses"][0]["balance"] = "1.5"
        r["total"] = "3.5"
        r["total_units"] = "350000000"

    bad("a BTC balance raised by 1 BTC, totals made consistent", ["TamperedReserves"], inflate)
    bad(
        "ETH's root commitment for BTC",
        ["WrongRootCommitment"],
        lambda m: asset(m, "BTC").__setitem__(
            "root_commitment", asset(m, "ETH")["root_commitment"]
        ),
    )

    def flip(m: Json) -> None:
        s = solv(m, "ETH")
        raw = bytearray(bytes.fromhex(str(s["proof"])))
        raw[200] ^= 0x01
        s["proof"] = raw.hex()

    bad("a byte of ETH's solvency proof flipped", ["TamperedField"], flip)
    bad(
        "min_ratio 11/10 where the proof is for 21/20",
        ["WrongRatio"],
        lambda m: solv(m, "BTC").__setitem__("min_ratio", "11/10"),
    )
    bad(
        "min_ratio 1/1 where the proof is for 21/20",
        ["WrongRatio"],
        lambda m: solv(m, "ETH").__setitem__("min_ratio", "1/1"),
    )
    bad(
        "disclosed blinding + 1",
        ["WrongDisclosure"],
        lambda m: solv(m, "BTC")["liabilities"].__setitem__(
            "blinding", hexsc((int(solv(m, "BTC")["liabilities"]["blinding"], 16) + 1) % N)
        ),
        base=disclosed,
    )
    bad(
        "disclosed units + 1",
        ["WrongDisclosure"],
        lambda m: solv(m, "ETH")["liabilities"].__setitem__(
            "units", str(int(solv(m, "ETH")["liabilities"]["units"]) + 1)
        ),
        base=disclosed,
    )
    bad(
        "disclosed amount written with a trailing zero",
        ["WrongDisclosure"],
        lambda m: solv(m, "BTC")["liabilities"].__setitem__(
            "amount", solv(m, "BTC")["liabilities"]["amount"] + "0"
        ),
        base=disclosed,
    )
    other = _reserve_addresses()["ETH-other-round"]
    bad(
        "ETH signature made for another round",
        ["BadSignature"],
        lambda m: res(m, "ETH").__setitem__("addresses", [copy.deepcopy(other[0])]),
    )

    def foreign_sig(m: Json) -> None:
        res(m, "BTC")["addresses"][0] = copy.deepcopy(_reserve_addresses()["BTC-foreign"][0])

    bad("a BTC P2PKH signature made with another key", ["BadSignature"], foreign_sig)

    def duplicate(m: Json) -> None:
        a = res(m, "ETH")["addresses"]
        extra = copy.deepcopy(a[0])
        extra["address"] = extra["address"].lower()
        extra["balance"] = "0"
        a.append(extra)

    bad(
        "the ETH address listed again in lower case with balance 0", ["DuplicateAddress"], duplicate
    )
    bad(
        "BTC root commitment is the identity",
        ["IdentityPoint"],
        lambda m: asset(m, "BTC").__setitem__("root_commitment", "00" * 33),
    )
    bad(
        "created one second later (bound by every solvency proof)",
        ["StatementChanged"],
        lambda m: m.__setitem__("created", "2026-11-30T00:00:01Z"),
    )
    bad(
        "BTC block height + 1 (bound by every solvency proof)",
        ["StatementChanged"],
        lambda m: res(m, "BTC").__setitem__("block_height", 870001),
    )
    bad(
        "ETH leaf count + 1, same depth (bound by every solvency proof)",
        ["StatementChanged"],
        lambda m: asset(m, "ETH").__setitem__("leaf_count", asset(m, "ETH")["leaf_count"] + 1),
    )
    bad(
        "ETH root hash changed (bound by every solvency proof)",
        ["StatementChanged"],
        lambda m: asset(m, "ETH").__setitem__("root_hash", "11" * 32),
    )
    bad(
        "the exchange name changed (signatures and every solvency proof)",
        ["StatementChanged", "BadSignature"],
        lambda m: m.__setitem__("exchange", "Another Exchange"),
    )
    bad(
        "margin: the ETH debt root dropped (the net proof does not verify on equity alone)",
        ["Margin", "StatementChanged"],
        lambda m: asset(m, "ETH").pop("debt"),
        base=margin,
    )
    bad(
        "margin: the ETH debt root commitment + G",
        ["Margin", "WrongRootCommitment"],
        lambda m: asset(m, "ETH")["debt"].__setitem__(
            "root_commitment",
            hexpt(
                gens.point_type.from_bytes(
                    bytes.fromhex(asset(m, "ETH")["debt"]["root_commitment"])
                )
                + gens.G
            ),
        ),
        base=margin,
    )
    bad(
        "margin: a tier ratio changed (bound by every solvency proof)",
        ["Margin", "StatementChanged"],
        lambda m: asset(m, "BTC")["tiers"][0].__setitem__("ratio", 99),
        base=margin,
    )
    bad("an unknown field", ["MalformedFile"], lambda m: m.__setitem__("comment", "x"))
    bad(
        "format 'zkpor-manifest-v3'",
        ["MalformedFile"],
        lambda m: m.__setitem__("format", "zkpor-manifest-v3"),
    )
    bad(
        "format 'zkpor-manifest-v1' (trees before margin tags)",
        ["OldFormat"],
        lambda m: m.__setitem__("format", "zkpor-manifest-v1"),
    )
    bad(
        "created '2026-11-30 00:00:00'",
        ["MalformedFile"],
        lambda m: m.__setitem__("created", "2026-11-30 00:00:00"),
    )
    bad("arity 3", ["MalformedFile"], lambda m: m["parameters"].__setitem__("arity", 3))
    bad("range_bits 32", ["MalformedFile"], lambda m: m["parameters"].__setitem__("range_bits", 32))
    bad(
        "min_ratio '1.05'",
        ["MalformedFile"],
        lambda m: solv(m, "BTC").__setitem__("min_ratio", "1.05"),
    )
    # Non-ASCII text: canonical JSON keeps it as UTF-8 (docs/spec.md 12.3); identifiers
    # must be in NFC and free of Cc, Cf, Cs, Zl, Zp characters (12.7).
    from tools.vectors.zkpi import NON_ASCII_EXCHANGE

    non_ascii = _manifest(
        gens, ratio=(1, 1), disclose=False, tag="non-ascii", exchange=NON_ASCII_EXCHANGE
    )
    inputs[id(non_ascii)] = "non-ascii"
    add(
        "a non-ASCII exchange name (2-, 3- and 4-byte UTF-8), signatures checked",
        ["Valid", "NonAscii", "SignaturesChecked"],
        "valid",
        non_ascii,
    )
    for value, comment in (
        ("Bo\u0308rse Z\u00fcrich", "not in NFC ('o' and a combining diaeresis)"),
        ("B\u00f6rse\u202e", "a right-to-left override U+202E (Cf)"),
        ("B\u00f6rse\u2028Z\u00fcrich", "a line separator U+2028 (Zl)"),
        ("B\u00f6rse \ud83d", "a lone surrogate U+D83D (Cs)"),
        ("B\u00f6rse\u0085", "a C1 control U+0085 (Cc)"),
    ):
        bad(
            f"exchange name with {comment}",
            ["InvalidIdentifier", "NonAscii"],
            lambda m, v=value: m.__setitem__("exchange", v),  # type: ignore[misc]
            base=non_ascii,
        )
    bad(
        "created with Arabic-Indic digits (patterns mean ASCII digits only)",
        ["MalformedFile", "NonAscii"],
        lambda m: m.__setitem__(
            "created", "\u0662\u0660\u0662\u0666-\u0661\u0661-\u0663\u0660T00:00:00Z"
        ),
    )
    # issue 16: an ERC-20 asset's token contract and chain id; a Taproot address (BIP-322)
    add(
        "ETH reserves held as an ERC-20 token: token_contract (WETH) and chain_id 1",
        ["Valid", "TokenContract", "SignaturesChecked"],
        "valid",
        token,
    )
    add(
        "a Taproot (P2TR) BTC reserve address with a BIP-322 simple signature",
        ["Valid", "Bip322", "SignaturesChecked"],
        "valid",
        taproot,
    )

    usdt = "0xdAC17F958D2ee523a2206206994597C13D831ec7"
    token_changes: tuple[tuple[str, str, str, str, str | int | None], ...] = (
        ("another token contract", "StatementChanged", "ETH", "token_contract", usdt),
        ("the token contract dropped", "StatementChanged", "ETH", "token_contract", None),
        ("chain_id 5", "StatementChanged", "ETH", "chain_id", 5),
        (
            "the contract in lower case (not EIP-55)",
            "MalformedFile",
            "ETH",
            "token_contract",
            WETH.lower(),
        ),
        ("a token contract on chain bitcoin", "MalformedFile", "BTC", "token_contract", WETH),
        ("chain_id 0", "MalformedFile", "ETH", "chain_id", 0),
    )
    for comment, kind, sym, key, change_to in token_changes:
        bound = " (bound by every solvency proof)" if kind == "StatementChanged" else ""
        bad(
            f"token: {comment}{bound}",
            ["TokenContract", kind],
            lambda m, s=sym, k=key, v=change_to: (
                res(m, s).pop(k)  # type: ignore[misc]
                if v is None
                else res(m, s).__setitem__(k, v)
            ),
            base=token,
        )

    def tamper_p2tr(m: Json) -> None:
        import base64

        a = res(m, "BTC")["addresses"][-1]
        raw = bytearray(base64.b64decode(a["signature"].removeprefix("smp")))
        raw[10] ^= 0x01  # a bit of the Schnorr signature's R
        a["signature"] = "smp" + base64.b64encode(bytes(raw)).decode()

    bad(
        "P2TR: a bit of the BIP-322 signature flipped (signature and every solvency proof)",
        ["Bip322", "BadSignature", "StatementChanged"],
        tamper_p2tr,
        base=taproot,
    )

    def p2tr_upper(m: Json) -> None:
        a = res(m, "BTC")["addresses"]
        extra = copy.deepcopy(a[-1])
        extra["address"] = extra["address"].upper()
        extra["balance"] = "0"
        a.append(extra)

    bad(
        "P2TR: the Taproot address listed again in upper case with balance 0",
        ["Bip322", "DuplicateAddress", "StatementChanged"],
        p2tr_upper,
        base=taproot,
    )
    across_assets(gens, add, inputs)
    return f.to_json()


NAME: Final = "manifest"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of manifest.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
