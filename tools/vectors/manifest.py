"""manifest.json (docs/spec/solvency-and-manifest.md, section 12): whole manifests with
reserves and solvency proofs, their canonical JSON and digests, and every check a verifier
makes.

The cases are the table :data:`CASES` (then :data:`~tools.vectors.across.ACROSS_CASES`): a
manifest of :mod:`.manifest_build` by its recipe, and an edit of it for an invalid one.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
from collections.abc import Callable
from typing import Final

from tools.vectors.across import ACROSS_CASES, USDT
from tools.vectors.base import Json, VectorFile
from tools.vectors.manifest_build import (
    SOLVENCY_INPUTS,
    WETH,
    ManifestCase,
    Recipe,
    build_manifest,
    remake_proofs,
    reserve_addresses,
)
from tools.vectors.mutations import (
    Mutation,
    all_of,
    copy_value,
    drop,
    flip_byte,
    mutated,
    point_plus_g,
    put,
    update,
    value_at,
)
from tools.vectors.schemaparts import Schema
from tools.vectors.zkpi import NON_ASCII_EXCHANGE
from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.group import N
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.common import hexsc

HEADER: Final = [
    "Inputs 'manifest' (a manifest.json object), check_signatures (the auditor's checks)",
    "and expected_digest (the published digest, or null). Outputs of a valid test: the",
    "canonical JSON (12.3), its SHA-256 (the digest) and the statement digest the",
    "solvency proofs bind (12.4). The trees are sumtree.json's",
    "round 2026-11-30 BTC and ETH trees; the reserves those of docs/spec.md 10.1.",
]

PLAIN: Final = Recipe("ratio", ratio=(21, 20))
DISCLOSED: Final = Recipe("disclosed", disclose=True)
MARGIN: Final = Recipe("margin", margin=True)
TOKEN: Final = Recipe("token", token=True)
TAPROOT: Final = Recipe("p2tr", p2tr=True)
NON_ASCII: Final = Recipe("non-ascii", exchange=NON_ASCII_EXCHANGE)
DEBT_DISCLOSED: Final = Recipe("margin-disclosed", margin=True, disclose=True)


# --- edits of a manifest -----------------------------------------------------------------


def _relisted(sym: str, index: int, writing: Callable[[str], str]) -> Mutation:
    """A copy of ``sym``'s reserve address ``index`` appended, the address rewritten by
    ``writing`` (str.lower, str.upper), balance 0."""

    def change(m: Json, gens: GeneratorSet) -> None:
        listed = value_at(m, f"assets.{sym}.reserves.addresses")
        again = copy.deepcopy(listed[index])
        again["address"] = writing(again["address"])
        again["balance"] = "0"
        listed.append(again)

    return change


def _eth_signed_for_other_round(m: Json, gens: GeneratorSet) -> None:
    """ETH's reserve address with its signature for another round."""
    m["assets"]["ETH"]["reserves"]["addresses"] = [
        copy.deepcopy(reserve_addresses()["ETH-other-round"][0])
    ]


def _btc_signed_with_other_key(m: Json, gens: GeneratorSet) -> None:
    """The first BTC reserve address (P2PKH) with a signature made with another key."""
    m["assets"]["BTC"]["reserves"]["addresses"][0] = copy.deepcopy(
        reserve_addresses()["BTC-foreign"][0]
    )


def _flip_taproot_signature(m: Json, gens: GeneratorSet) -> None:
    """A bit of the Schnorr signature's R in the Taproot address's BIP-322 signature."""
    address = m["assets"]["BTC"]["reserves"]["addresses"][-1]
    raw = bytearray(base64.b64decode(address["signature"].removeprefix("smp")))
    raw[10] ^= 0x01
    address["signature"] = "smp" + base64.b64encode(bytes(raw)).decode()


def _blinding_plus_one(blinding: str) -> str:
    return hexsc((int(blinding, 16) + 1) % N)


def _disclosed_units_plus_one(sym: str, field: str, decimals: int) -> Mutation:
    """``sym``'s disclosed ``field`` (liabilities or debt) one base unit more, its amount
    written to match (so only the opening is wrong)."""
    from zkpor.formats.amounts import format_units

    def change(m: Json, gens: GeneratorSet) -> None:
        disclosed = value_at(m, f"assets.{sym}.solvency.{field}")
        units = int(disclosed["units"]) + 1
        disclosed.update(units=str(units), amount=format_units(units, decimals))

    return change


_BTC_BALANCE_RAISED: Final = all_of(
    put("assets.BTC.reserves.addresses.0.balance", "1.5"),
    put("assets.BTC.reserves.total", "3.5"),
    put("assets.BTC.reserves.total_units", "350000000"),
)

# (comment, flag, asset, reserves field, new value or None to drop it) of the token manifest
_TOKEN_CHANGES: Final[tuple[tuple[str, str, str, str, str | int | None], ...]] = (
    ("another token contract", "StatementChanged", "ETH", "token_contract", USDT),
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


def _token_case(
    comment: str, kind: str, sym: str, key: str, value: str | int | None
) -> ManifestCase:
    """A change of the token manifest's reserves field ``key`` of ``sym`` (dropped if None)."""
    path = f"assets.{sym}.reserves.{key}"
    bound = " (bound by every solvency proof)" if kind == "StatementChanged" else ""
    return ManifestCase(
        f"token: {comment}{bound}",
        ("TokenContract", kind),
        TOKEN,
        drop(path) if value is None else put(path, value),
    )


# Non-ASCII exchange names that are not identifiers (docs/spec.md 12.7: NFC, no Cc, Cf, Cs,
# Zl or Zp); canonical JSON keeps non-ASCII text as UTF-8 (12.3)
_NOT_IDENTIFIERS: Final = (
    ("Bo\u0308rse Z\u00fcrich", "not in NFC ('o' and a combining diaeresis)"),
    ("B\u00f6rse\u202e", "a right-to-left override U+202E (Cf)"),
    ("B\u00f6rse\u2028Z\u00fcrich", "a line separator U+2028 (Zl)"),
    ("B\u00f6rse \ud83d", "a lone surrogate U+D83D (Cs)"),
    ("B\u00f6rse\u0085", "a C1 control U+0085 (Cc)"),
)


def _remade(comment: str, flag: str, recipe: Recipe, change: Mutation) -> ManifestCase:
    """An invalid case whose solvency proofs are re-made over the edited manifest."""
    return ManifestCase(
        f"proofs re-made: {comment}", (flag, "ProofsRemade"), recipe, change, remade=True
    )


def _debt_case(comment: str, change: Mutation) -> ManifestCase:
    case = _remade(comment, "WrongDisclosure", DEBT_DISCLOSED, change)
    return dataclasses.replace(case, flags=(*case.flags, "Margin", "DebtDisclosed"))


# Rules a verifier might skip unnoticed if a field bound by the statement digest changed
# too: here every solvency proof holds for the edited manifest (issue 24).
REMADE_CASES: Final[tuple[ManifestCase, ...]] = (
    _remade(
        "ETH signature made for another round", "BadSignature", PLAIN, _eth_signed_for_other_round
    ),
    _remade(
        "a BTC P2PKH signature made with another key",
        "BadSignature",
        PLAIN,
        _btc_signed_with_other_key,
    ),
    _remade(
        "the ETH address listed again in lower case, balance 0",
        "DuplicateAddress",
        PLAIN,
        _relisted("ETH", 0, str.lower),
    ),
    _remade(
        "the BTC P2WPKH address listed again in upper case, balance 0",
        "DuplicateAddress",
        PLAIN,
        _relisted("BTC", 2, str.upper),
    ),
    _remade(
        "P2TR: a bit of the BIP-322 signature flipped",
        "BadSignature",
        TAPROOT,
        _flip_taproot_signature,
    ),
    _remade(
        "P2TR: the Taproot address listed again in upper case, balance 0",
        "DuplicateAddress",
        TAPROOT,
        _relisted("BTC", -1, str.upper),
    ),
    _remade(
        "disclosed blinding + 1",
        "WrongDisclosure",
        DISCLOSED,
        update("assets.BTC.solvency.liabilities.blinding", _blinding_plus_one),
    ),
    _remade(
        "disclosed units + 1 (amount to match)",
        "WrongDisclosure",
        DISCLOSED,
        _disclosed_units_plus_one("ETH", "liabilities", 9),
    ),
    _remade(
        "disclosed amount written with a trailing zero",
        "WrongDisclosure",
        DISCLOSED,
        update("assets.BTC.solvency.liabilities.amount", lambda amount: amount + "0"),
    ),
    _remade(
        "ETH chain_id 2^53 (above 2^53 - 1)",
        "IntegerTooLarge",
        TOKEN,
        put("assets.ETH.reserves.chain_id", 2**53),
    ),
    _remade(
        "ETH token_contract in all upper case (not EIP-55)",
        "MalformedFile",
        TOKEN,
        update("assets.ETH.reserves.token_contract", lambda c: "0x" + c[2:].upper()),
    ),
    ManifestCase(
        "margin: equity and debt disclosed (solvency.liabilities and solvency.debt, 16.5)",
        ("Valid", "Margin", "Disclosed", "DebtDisclosed", "SignaturesChecked"),
        DEBT_DISCLOSED,
    ),
    _debt_case(
        "disclosed debt units + 1 (amount to match)", _disclosed_units_plus_one("ETH", "debt", 9)
    ),
    _debt_case(
        "disclosed debt blinding + 1",
        update("assets.ETH.solvency.debt.blinding", _blinding_plus_one),
    ),
    _debt_case(
        "solvency.debt dropped while the equity is disclosed", drop("assets.ETH.solvency.debt")
    ),
    _debt_case(
        "solvency.liabilities dropped while the debt is disclosed",
        put("assets.ETH.solvency.liabilities", None),
    ),
    _debt_case(
        "solvency.debt on BTC, which has no debt tree",
        copy_value("assets.ETH.solvency.debt", "assets.BTC.solvency.debt"),
    ),
)

# --- the cases, in the order of the file -------------------------------------------------

CASES: Final[tuple[ManifestCase, ...]] = (
    ManifestCase(
        "BTC and ETH, ratio 21/20, signatures checked", ("Valid", "SignaturesChecked"), PLAIN
    ),
    ManifestCase(
        "the same without the signature checks (a library option; the verifiers check them)",
        ("Valid",),
        PLAIN,
        check_signatures=False,
    ),
    ManifestCase(
        "the same with the published digest in upper case",
        ("Valid", "DigestGiven"),
        PLAIN,
        expected_digest=str.upper,
    ),
    ManifestCase(
        "ratio 1 with disclosed liabilities",
        ("Valid", "Disclosed", "SignaturesChecked"),
        DISCLOSED,
    ),
    ManifestCase(
        "margin: prices and tiers, an ETH debt tree, ETH solvency on equity minus debt",
        ("Valid", "Margin", "SignaturesChecked"),
        MARGIN,
    ),
    ManifestCase(
        "another published digest",
        ("DigestMismatch",),
        PLAIN,
        expected_digest=lambda digest: "00" * 32,
    ),
    ManifestCase(
        "another generator digest",
        ("WrongGeneratorDigest",),
        PLAIN,
        put("parameters.generator_digest", "11" * 32),
    ),
    ManifestCase("BTC depth 3", ("WrongShape",), PLAIN, put("assets.BTC.depth", 3)),
    ManifestCase(
        "BTC total_units + 1",
        ("WrongTotal",),
        PLAIN,
        put("assets.BTC.reserves.total_units", "250000001"),
    ),
    ManifestCase(
        "BTC total written '2.50'", ("WrongTotal",), PLAIN, put("assets.BTC.reserves.total", "2.50")
    ),
    ManifestCase(
        "a BTC balance raised by 1 BTC, totals made consistent",
        ("TamperedReserves",),
        PLAIN,
        _BTC_BALANCE_RAISED,
    ),
    ManifestCase(
        "ETH's root commitment for BTC",
        ("WrongRootCommitment",),
        PLAIN,
        copy_value("assets.ETH.root_commitment", "assets.BTC.root_commitment"),
    ),
    ManifestCase(
        "a byte of ETH's solvency proof flipped",
        ("TamperedField",),
        PLAIN,
        update("assets.ETH.solvency.proof", flip_byte(200)),
    ),
    ManifestCase(
        "min_ratio 11/10 where the proof is for 21/20",
        ("WrongRatio",),
        PLAIN,
        put("assets.BTC.solvency.min_ratio", "11/10"),
    ),
    ManifestCase(
        "min_ratio 1/1 where the proof is for 21/20",
        ("WrongRatio",),
        PLAIN,
        put("assets.ETH.solvency.min_ratio", "1/1"),
    ),
    ManifestCase(
        "disclosed blinding + 1",
        ("WrongDisclosure",),
        DISCLOSED,
        update("assets.BTC.solvency.liabilities.blinding", _blinding_plus_one),
    ),
    ManifestCase(
        "disclosed units + 1",
        ("WrongDisclosure",),
        DISCLOSED,
        update("assets.ETH.solvency.liabilities.units", lambda units: str(int(units) + 1)),
    ),
    ManifestCase(
        "disclosed amount written with a trailing zero",
        ("WrongDisclosure",),
        DISCLOSED,
        update("assets.BTC.solvency.liabilities.amount", lambda amount: amount + "0"),
    ),
    ManifestCase(
        "ETH signature made for another round",
        ("BadSignature",),
        PLAIN,
        _eth_signed_for_other_round,
    ),
    ManifestCase(
        "a BTC P2PKH signature made with another key",
        ("BadSignature",),
        PLAIN,
        _btc_signed_with_other_key,
    ),
    ManifestCase(
        "the ETH address listed again in lower case with balance 0",
        ("DuplicateAddress",),
        PLAIN,
        _relisted("ETH", 0, str.lower),
    ),
    ManifestCase(
        "BTC root commitment is the identity",
        ("IdentityPoint",),
        PLAIN,
        put("assets.BTC.root_commitment", "00" * 33),
    ),
    ManifestCase(
        "created one second later (bound by every solvency proof)",
        ("StatementChanged",),
        PLAIN,
        put("created", "2026-11-30T00:00:01Z"),
    ),
    ManifestCase(
        "BTC block height + 1 (bound by every solvency proof)",
        ("StatementChanged",),
        PLAIN,
        put("assets.BTC.reserves.block_height", 870001),
    ),
    ManifestCase(
        "ETH leaf count + 1, same depth (bound by every solvency proof)",
        ("StatementChanged",),
        PLAIN,
        update("assets.ETH.leaf_count", lambda count: count + 1),
    ),
    ManifestCase(
        "ETH root hash changed (bound by every solvency proof)",
        ("StatementChanged",),
        PLAIN,
        put("assets.ETH.root_hash", "11" * 32),
    ),
    ManifestCase(
        "the exchange name changed (signatures and every solvency proof)",
        ("StatementChanged", "BadSignature"),
        PLAIN,
        put("exchange", "Another Exchange"),
    ),
    ManifestCase(
        "margin: the ETH debt root dropped (the net proof does not verify on equity alone)",
        ("Margin", "StatementChanged"),
        MARGIN,
        drop("assets.ETH.debt"),
    ),
    ManifestCase(
        "margin: the ETH debt root commitment + G",
        ("Margin", "WrongRootCommitment"),
        MARGIN,
        point_plus_g("assets.ETH.debt.root_commitment"),
    ),
    ManifestCase(
        "margin: a tier ratio changed (bound by every solvency proof)",
        ("Margin", "StatementChanged"),
        MARGIN,
        put("assets.BTC.tiers.0.ratio", 99),
    ),
    ManifestCase("an unknown field", ("MalformedFile",), PLAIN, put("comment", "x")),
    ManifestCase(
        "format 'zkpor-manifest-v3'", ("MalformedFile",), PLAIN, put("format", "zkpor-manifest-v3")
    ),
    ManifestCase(
        "format 'zkpor-manifest-v1' (trees before margin tags)",
        ("OldFormat",),
        PLAIN,
        put("format", "zkpor-manifest-v1"),
    ),
    ManifestCase(
        "created '2026-11-30 00:00:00'",
        ("MalformedFile",),
        PLAIN,
        put("created", "2026-11-30 00:00:00"),
    ),
    ManifestCase("arity 3", ("MalformedFile",), PLAIN, put("parameters.arity", 3)),
    ManifestCase("range_bits 32", ("MalformedFile",), PLAIN, put("parameters.range_bits", 32)),
    ManifestCase(
        "min_ratio '1.05'", ("MalformedFile",), PLAIN, put("assets.BTC.solvency.min_ratio", "1.05")
    ),
    ManifestCase(
        "a non-ASCII exchange name (2-, 3- and 4-byte UTF-8), signatures checked",
        ("Valid", "NonAscii", "SignaturesChecked"),
        NON_ASCII,
    ),
    *(
        ManifestCase(
            f"exchange name with {what}",
            ("InvalidIdentifier", "NonAscii"),
            NON_ASCII,
            put("exchange", name),
        )
        for name, what in _NOT_IDENTIFIERS
    ),
    ManifestCase(
        "created with Arabic-Indic digits (patterns mean ASCII digits only)",
        ("MalformedFile", "NonAscii"),
        PLAIN,
        put("created", "\u0662\u0660\u0662\u0666-\u0661\u0661-\u0663\u0660T00:00:00Z"),
    ),
    # issue 16: an ERC-20 asset's token contract and chain id; a Taproot address (BIP-322)
    ManifestCase(
        "ETH reserves held as an ERC-20 token: token_contract (WETH) and chain_id 1",
        ("Valid", "TokenContract", "SignaturesChecked"),
        TOKEN,
    ),
    ManifestCase(
        "a Taproot (P2TR) BTC reserve address with a BIP-322 simple signature",
        ("Valid", "Bip322", "SignaturesChecked"),
        TAPROOT,
    ),
    *(_token_case(*change) for change in _TOKEN_CHANGES),
    ManifestCase(
        "P2TR: a bit of the BIP-322 signature flipped (signature and every solvency proof)",
        ("Bip322", "BadSignature", "StatementChanged"),
        TAPROOT,
        _flip_taproot_signature,
    ),
    ManifestCase(
        "P2TR: the Taproot address listed again in upper case with balance 0",
        ("Bip322", "DuplicateAddress", "StatementChanged"),
        TAPROOT,
        _relisted("BTC", -1, str.upper),
    ),
    *ACROSS_CASES,
    *REMADE_CASES,
)


def generate(gens: GeneratorSet) -> Json:
    from zkpor.formats.manifest import Manifest, canonical_json, manifest_digest, statement_digest

    f = VectorFile("manifest", "zkpor manifest v1 (docs/spec.md section 12)", HEADER)
    g = f.group("ManifestTest")
    manifests: dict[Recipe, Json] = {}
    for case in CASES:
        if case.manifest not in manifests:
            manifests[case.manifest] = build_manifest(gens, case.manifest)
        base = manifests[case.manifest]
        m = base if case.change is None else mutated(base, case.change, gens)
        if case.remade:
            remake_proofs(gens, case.manifest, m, case.comment)
        expected = None
        if case.expected_digest is not None:
            digest = manifest_digest(Manifest.model_validate(base, strict=True))
            expected = case.expected_digest(digest)
        fields: Json = {
            "manifest": m,
            "check_signatures": case.check_signatures,
            "expected_digest": expected,
        }
        valid = "Valid" in case.flags
        if valid:
            model = Manifest.model_validate(m, strict=True)
            fields["canonical_json"] = canonical_json(model).decode()
            fields["digest"] = manifest_digest(model)
            fields["statement_digest"] = statement_digest(model).hex()
            fields["solvency_inputs"] = SOLVENCY_INPUTS[case.manifest.tag]
        g.add(case.comment, list(case.flags), "valid" if valid else "invalid", **fields)
    return f.to_json()


NAME: Final = "manifest"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of manifest.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
