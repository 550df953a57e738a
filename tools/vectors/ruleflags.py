"""Flags of the cases that decide one rule each (issue 24, part B; the rules across assets
of issue 21; the snapshot and margin-terms grammar cases): the inclusion entry
order, re-made manifest proofs, the .zkpi decoder's scope, BIP-322 forms, strict JSON at
the text level and the empty range-proof context.

Kept apart from :data:`tools.vectors.base.FLAGS` (which merges them) so that base.py stays
small; docs/vectors.md section 5 lists every flag.
"""

from __future__ import annotations

from typing import Final

from tools.vectors.base import Flag
from tools.vectors.privateflags import PRIVATE_FLAGS

RULE_FLAGS: Final[dict[str, Flag]] = {
    # the rules across assets of 10.5 (manifest.json, issue 21)
    "CrossAssetDuplicate": Flag(
        "MODIFIED_PARAMETER",
        "Two assets claim one holding: the same address (compared as 10.5's duplicate key) "
        "with the chain's native coin in both, or with the same token contract in both, on "
        "one chain and chain id (an absent chain_id matches any) (docs/spec.md 10.5).",
        "One pile of coins would be shown as covering two assets.",
    ),
    "EtherAndToken": Flag(
        "BASIC",
        "One address holds reserves of two assets that are different holdings: ether and an "
        "ERC-20 token, or ether on two different chain ids (docs/spec.md 10.5).",
    ),
    "KnownTokenWrongContract": Flag(
        "MODIFIED_PARAMETER",
        "An Ethereum asset whose symbol is in the table of known token contracts for its "
        "chain id (chain id 1 when absent) names another contract, or none "
        "(zkpor/reserves/known_tokens.json, docs/spec.md 10.5).",
        "An exchange-deployed contract whose balanceOf says anything would pass for the token.",
    ),
    "ChainIdAbsent": Flag(
        "EDGE_CASE",
        "An Ethereum asset without chain_id: it may be any network, so it matches every chain "
        "id in the duplicate rule and is read as chain id 1 by the known-token rule.",
    ),
    "AssetOrder": Flag(
        "MODIFIED_PARAMETER",
        "The entries of an inclusion proof's assets are not in ascending order of their "
        "symbols' bytes (docs/spec.md 8.1, 8.2 step 2.1).",
        "Two encodings of one proof: a verifier that accepts both lets a proof's digest or "
        "binary form differ for the same content.",
    ),
    "NonCanonicalText": Flag(
        "MODIFIED_PARAMETER",
        "A published price or up_to not in the published grammar: a leading zero, or a point "
        "without fraction digits (docs/spec/margin.md 16.1).",
        "Two writings of one value: a verifier that accepts both lets the manifest's digest "
        "differ for the same terms.",
    ),
    "SnapshotRule": Flag(
        "MODIFIED_PARAMETER",
        "A reserves snapshot that breaks one rule of docs/spec/reserves.md 10.1 or 10.5 "
        "(header exchange or round, an asset twice, an unknown asset, a total of 2^64 or "
        "more, a missing entry); every signature is valid, so nothing else fails.",
    ),
    "ProofsRemade": Flag(
        "BASIC",
        "Every solvency proof of this invalid manifest was re-made over its own statement "
        "digest, so only the rule under test fails (the flag beside it names the rule).",
    ),
    "DebtDisclosed": Flag(
        "BASIC",
        "A margin manifest disclosing the equity (solvency.liabilities) and the debt "
        "(solvency.debt) of an asset with a debt tree (docs/spec.md 16.5).",
    ),
    "DecodedByVerifier": Flag(
        "EDGE_CASE",
        "A .zkpi whose commitment or range proof bytes are not a valid point or proof: the "
        "decoder reads lengths only (docs/spec.md 8.1a rule 8) and accepts it; the verifier "
        "refuses it (8.2).",
    ),
    "EmptyContext": Flag(
        "EDGE_CASE",
        "A proof with an empty context: step 1a of docs/spec.md 6.3 is skipped (nothing is "
        "absorbed, as for tree node proofs), so it verifies with the empty context only.",
    ),
    "Bip322Form": Flag(
        "BASIC",
        "A BIP-322 signature form or address type of docs/spec.md 10.9: simple or full "
        "(a to_sign transaction), P2TR key path, P2WPKH, P2WSH, P2SH-P2WSH.",
    ),
    "Bip322Refused": Flag(
        "MODIFIED_PARAMETER",
        "A BIP-322 signature zkpor refuses (docs/spec.md 10.9): proof of funds (inputs beyond "
        "the challenge), a sighash type other than the default, a 65-byte Schnorr signature.",
        "A signature whose validity depends on other transactions or on which parts are "
        "signed would not prove control of the address alone.",
    ),
    "IntegerTooLarge": Flag(
        "MODIFIED_PARAMETER",
        "An integer field above its bound (chain_id above 2^53 - 1).",
        "Implementations reading it as a double would disagree on the value.",
    ),
    "StrictJson": Flag(
        "BASIC",
        "A file's exact bytes, parsed by the strict JSON rules of docs/spec.md 12.8.",
    ),
    "NonStrictJson": Flag(
        "MODIFIED_PARAMETER",
        "A text a lenient JSON parser reads but the strict rules (docs/spec.md 12.8) refuse: "
        "a key twice, nesting over 32, a byte-order mark, a fraction or exponent, -0, over 20 "
        "digits, a lone surrogate, a second value, not UTF-8.",
        "Two texts would parse to one manifest (or one text to two), so a digest would not "
        "say what was checked.",
    ),
    "ExactInteger": Flag(
        "EDGE_CASE",
        "An integer above 2^53 that must be parsed exactly (never as a double).",
    ),
    "SizeLimit": Flag(
        "EDGE_CASE",
        "The largest file a verifier reads of a kind (docs/spec.md 12.8); one byte more is "
        "refused before parsing.",
    ),
    # a margin round's audit (audit.json MarginAuditFileTest, docs/spec/margin.md 16.7)
    "SharedInput": Flag(
        "MODIFIED_PARAMETER",
        "One leaf an input of two margin accounts (docs/spec/margin.md 16.7 rule 3). Its "
        "margin tag names one of them, so the tag rule (16.7 rule 5) refuses it too: the "
        "case is flagged InputTagMismatch as well.",
        "One customer's equity would back two accounts' debts.",
    ),
    "InputTagMismatch": Flag(
        "MODIFIED_PARAMETER",
        "An input leaf of a margin account whose margin tag names another account or input "
        "count (docs/spec/margin.md 16.7 rule 5).",
        "A leaf's owner would see another account on their path than the one that uses it.",
    ),
}
RULE_FLAGS.update(PRIVATE_FLAGS)  # private_assets.json (section 17)
