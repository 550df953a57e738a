"""Flags of private_assets.json (docs/spec/private-reserves.md, section 17): the anonymity
set file's reader rules, the private proof of assets and the tag comparison.

Merged into :data:`tools.vectors.base.FLAGS` through :mod:`.ruleflags`; docs/vectors.md
section 5 lists every flag.
"""

from __future__ import annotations

from typing import Final

from tools.vectors.base import Flag

_COUNTS_TWICE = "One key's balance would be counted twice in the reserves."

PRIVATE_FLAGS: Final[dict[str, Flag]] = {
    "AnonSet": Flag(
        "BASIC",
        "An anonymity set file (docs/spec/private-reserves.md 17.1) read by every rule of its "
        "reader: the outputs are the set digest (SHA-256 of the bytes), count and total.",
    ),
    "InvalidAnonSetHeader": Flag(
        "MODIFIED_PARAMETER",
        "A set file whose header breaks rule 1 of 17.1: empty file, byte-order mark, not "
        "strict JSON, an unknown, missing or out-of-rule field, chain_id or token_contract "
        "off Ethereum, no chain_id on Ethereum, a header that is not its canonical form.",
        "Two texts of one header would have two digests, or a set would name no block.",
    ),
    "NonCanonicalLine": Flag(
        "MODIFIED_PARAMETER",
        "A member line that breaks rule 2 of 17.1: a CR, no final LF, an empty line, a "
        "leading, trailing or doubled space, a tab, a wrong number of fields, too long.",
        "One set would have several encodings, so several digests.",
    ),
    "DuplicateKey": Flag(
        "MODIFIED_PARAMETER",
        "A key listed twice in an anonymity set (17.1 rule 4).",
        _COUNTS_TWICE,
    ),
    "KeyOrder": Flag(
        "MODIFIED_PARAMETER",
        "Set members not in strictly ascending order of their 33-byte keys (17.1 rule 4).",
        "Without the order a key twice could hide anywhere in the file.",
    ),
    "InvalidBalance": Flag(
        "MODIFIED_PARAMETER",
        "A balance with a leading zero, of 2^64 or more, or a running total reaching 2^64 "
        "(17.1 rule 5).",
        "The reserves total could wrap or have two writings.",
    ),
    "WrongAddress": Flag(
        "MODIFIED_PARAMETER",
        "An Ethereum member whose address is not 0x and 40 lower-case hex digits, or not "
        "Keccak-256(x || y)[12:] of its key (17.1 rule 6).",
        "A node check would read the balance of another account than the key's.",
    ),
    "WrongCount": Flag(
        "MODIFIED_PARAMETER",
        "Fewer or more member lines than the header's count (17.1 rule 7).",
    ),
    "PrivateAssets": Flag(
        "BASIC",
        "A private proof of assets over an anonymity set (17.3-17.6): verified, its outputs "
        "(context digest, J, the reserves commitment, the tags) recomputed and the proof "
        "re-made from the recorded seed and secrets.",
    ),
    "TagSecret": Flag(
        "BASIC",
        "Proven with a tag secret: an unclaimed key's tag is u J with u from HMAC-SHA512 of "
        "the tag secret (17.3), not a fresh random scalar.",
    ),
    "UnownedKey": Flag(
        "MISSING_STEP",
        "A record claiming a key (branch 'owned') made with a scalar that is not the key's "
        "secret, by a prover that skipped its check (17.6 equation (4) fails).",
        "An exchange would count a key it does not control as reserves.",
    ),
    "WrongTag": Flag(
        "MISSING_STEP",
        "A claimed key whose tag T is not x J (another key's tag, or x + 1): the rest of the "
        "record is made honestly (17.6 equation (5) fails).",
        "Two exchanges claiming one key would publish different tags and escape the "
        "comparison (17.7).",
    ),
    "OverClaim": Flag(
        "MISSING_STEP",
        "A record committing more than the key holds: branch 'owned' with b + 1, or branch "
        "'not owned' committing the balance (17.6 equations (1), (3)).",
        "Reserves could be inflated beyond the set's balances.",
    ),
    "ForgedBalance": Flag(
        "MODIFIED_PARAMETER",
        "A set member's balance is raised by 1 after proving, or the proof's records are "
        "made for a balance other than the set's (17.4: the set digest and b_i are bound).",
        "A set with a forged balance would inflate the reserves.",
    ),
    "WrongProofContext": Flag(
        "MODIFIED_PARAMETER",
        "A private proof of assets made for another exchange, round or set (another block), "
        "or whose header names another context digest or count (17.4, 17.6 step 1).",
        "A proof could be moved to another exchange, round or set.",
    ),
    "InvalidProofHeader": Flag(
        "MODIFIED_PARAMETER",
        "A private proof of assets whose header has another magic or is cut short (17.5).",
    ),
    "TagCollision": Flag(
        "BASIC",
        "Two proofs at one block that claim one key publish the same tag at it (17.7): the "
        "comparison names it by its index in each set.",
    ),
    "NotComparable": Flag(
        "MODIFIED_PARAMETER",
        "Two proofs at different blocks: their tag bases J differ, the comparison is refused "
        "(17.7).",
        "A comparison across blocks would report no collision whatever the claims.",
    ),
}
