"""What the vector generators share: the fixed inputs of every file and byte surgery.

The master secret, run nonce, rounds, exchange name and creation time are fixed so that the
files are reproducible; the customers' balances are those of docs/vectors.md. The helpers
splice and tamper with encodings (a point plus G, a scalar plus 1) at docs/spec.md 6.4's
offsets.

Also the file envelope under construction (:class:`VectorFile`, :class:`Group`), the
documented flags (:data:`FLAGS`; a test may only carry one of these) and :func:`render`,
the exact text of a vector or schema file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final

from zkpor.crypto.group import N, Point
from zkpor.crypto.group.params import P
from zkpor.vectors.common import VECTORS_VERSION

Json = dict[str, Any]

MASTER: Final[bytes] = bytes(range(32))

RUN_NONCE: Final[bytes] = bytes(range(0x20, 0x40))  # a real run draws it from the OS

ROUND_A: Final[str] = "2026-11-30"

ROUND_B: Final[str] = "2026-12-31"

EXCHANGE: Final[str] = "Example Exchange"

CREATED: Final[str] = "2026-11-30T00:00:00Z"

BTC_CUSTOMERS: Final[list[tuple[str, int]]] = [
    ("alice", 150000000),
    ("bob", 25000000),
    ("carol", 0),
    ("dave", 3000000),
    ("erin", 12345678),
    ("frank", 1),
    ("grace", 9999999),
]

ETH_CUSTOMERS: Final[list[tuple[str, int]]] = [("alice", 12500000000), ("bob", 3250000000)]

USDT_CUSTOMERS: Final[list[tuple[str, int]]] = [("alice", 1000000), ("bob", 5), ("carol", 7)]


def _u32(i: int) -> bytes:
    return i.to_bytes(4, "big")


def _offsets(k: int) -> dict[str, int]:
    """Byte offsets of a range proof's fields (docs/spec.md 6.4), k rounds."""
    size = 292 + 66 * k
    out = {"A": 0, "S": 33, "T1": 66, "T2": 99, "t_x": 132, "tau_x": 164, "mu": 196}
    for i in range(k):
        out[f"L[{i}]"] = 228 + 66 * i
        out[f"R[{i}]"] = 261 + 66 * i
    out["a"] = size - 64
    out["b"] = size - 32
    return out


def _splice(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new) :]


def _point_plus_g(data: bytes, offset: int, pt: type[Point]) -> bytes:
    p = pt.from_bytes(data[offset : offset + 33])
    return _splice(data, offset, (p + pt.generator()).to_bytes())


def _scalar_plus_one(data: bytes, offset: int) -> bytes:
    s = int.from_bytes(data[offset : offset + 32], "big")
    return _splice(data, offset, ((s + 1) % N).to_bytes(32, "big"))


def _not_on_curve_x() -> bytes:
    """The smallest x >= 1 with no point on secp256k1 (x^3 + 7 a non-square)."""
    x = 1
    while pow((x**3 + 7) % P, (P - 1) // 2, P) == 1:
        x += 1
    return x.to_bytes(32, "big")


def render(data: object) -> str:
    """The exact text of a vector or schema file."""
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


@dataclass(frozen=True)
class Flag:
    """One entry of a file's ``notes``: wycheproof's bug type and a description."""

    bug_type: str
    description: str
    effect: str = ""

    def to_json(self) -> dict[str, str]:
        out = {"bugType": self.bug_type, "description": self.description}
        if self.effect:
            out["effect"] = self.effect
        return out


_ACCEPTS_FORGERY = "Accepting it would let a prover convince a verifier of a false statement."

FLAGS: Final[dict[str, Flag]] = {
    # valid inputs
    "Valid": Flag("BASIC", "A correct input: it must be accepted and every output reproduced."),
    "KnownAnswer": Flag("BASIC", "The same value is given in docs/spec.md."),
    "EdgeCase": Flag("EDGE_CASE", "A boundary value (zero, a maximum, a single element, ...)."),
    "GeneratorMessage": Flag(
        "BASIC", "A message the generator set hashes (H, G_i or H_i of docs/spec.md section 3)."
    ),
    "OversizeDst": Flag(
        "EDGE_CASE",
        "A DST longer than 255 bytes, which expand_message_xmd first replaces by "
        'SHA-256("H2C-OVERSIZE-DST-" || DST) (RFC 9380 section 5.3.3).',
    ),
    "LargeIndex": Flag(
        "EDGE_CASE",
        "A vector generator index beyond what range proofs of these files use, up to 2^32 - 1.",
    ),
    "Chaining": Flag(
        "BASIC",
        "Several challenges in a row: each absorbs the previous digest, so equal labels give "
        "different challenges.",
    ),
    "Framing": Flag(
        "EDGE_CASE",
        "Operations whose labels and data concatenate to the same bytes but are framed "
        "differently: the challenges must differ.",
    ),
    "RangeProofStatement": Flag(
        "BASIC", "The statement part of a real range-proof transcript (docs/spec.md 6.3)."
    ),
    "Trace": Flag("BASIC", "A seeded proof with every intermediate value of the prover."),
    "SeededProof": Flag(
        "BASIC",
        "Made by the seeded prover: an implementation of the same DRBG and draw order "
        "reproduces the proof byte for byte (docs/vectors.md).",
    ),
    "AlternativeAmountWriting": Flag(
        "EDGE_CASE",
        "The amount is written with trailing zeros; any exact writing of the units is accepted.",
    ),
    "Disclosed": Flag("BASIC", "The manifest discloses the liabilities (the root's opening)."),
    "TokenContract": Flag(
        "BASIC",
        "An Ethereum asset held as an ERC-20 token: its reserves name the token contract "
        "(EIP-55) and the chain id (docs/spec.md 10.1, 12.2), bound by every solvency proof.",
    ),
    "Multisig": Flag(
        "BASIC",
        "A multisig address signed key by key: its script and one legacy signed message per key (docs/spec/reserves.md 10.11).",
    ),
    "Bip322Multisig": Flag(
        "BASIC",
        "A BIP-322 signature of a multisig script: P2SH or P2SH-P2WSH (full), P2WSH, or a Taproot OP_CHECKSIGADD script path (10.11).",
    ),
    "TooFewSigners": Flag(
        "MODIFIED_PARAMETER",
        "Fewer than m distinct keys of the script signed: m - 1 signatures, one key twice, a key outside the script.",
        "One key would move a wallet that needs m.",
    ),
    "NonStandardScript": Flag(
        "MODIFIED_PARAMETER",
        "Not a standard m-of-n script: m > n, m = 0, an uncompressed, repeated or off-curve key, extra opcodes, a non-minimal number, too many keys for the form, a script needing no key.",
        "An address anyone can spend, or one zkpor cannot count signers for, would count as reserves.",
    ),
    "WrongScript": Flag(
        "MODIFIED_PARAMETER",
        "The script does not make the address: another address's script, or the script under another form (P2SH, P2SH-P2WSH, P2WSH).",
        "Keys that do not control the address would prove it.",
    ),
    "Bip322": Flag(
        "BASIC",
        "A Taproot (P2TR) reserve address whose ownership signature is a BIP-322 simple "
        "signature (docs/spec.md 10.9).",
    ),
    "Margin": Flag(
        "BASIC",
        "A margin round (docs/spec.md section 16): quote, prices and tiers, a debt tree, and "
        "the solvency proof on equity minus debt.",
    ),
    "DigestGiven": Flag(
        "BASIC", "The verifier is given the published digest (compared case-insensitively)."
    ),
    "SignaturesChecked": Flag(
        "BASIC", "The auditor's checks: every reserve ownership signature is verified too."
    ),
    # invalid inputs
    "InvalidLength": Flag(
        "MODIFIED_PARAMETER",
        "An expand_message_xmd output length of 0 or above 255 * 32 = 8160 bytes.",
        "The RFC forbids it; accepting it means computing something undefined.",
    ),
    "EmptyDst": Flag(
        "MODIFIED_PARAMETER",
        "An empty domain separation tag.",
        "RFC 9380 requires a non-empty DST.",
    ),
    "IdentityPoint": Flag(
        "MODIFIED_PARAMETER",
        "A point that must not be the identity is the identity (33 zero bytes), or makes a "
        "derived commitment the identity.",
        "The identity carries no binding; accepting it would let a prover convince a verifier "
        "of a false statement.",
    ),
    "U64Overflow": Flag(
        "MODIFIED_PARAMETER",
        "A transcript u64 of 2^64 or more.",
        "It has no 8-byte encoding; truncating it would make two statements collide.",
    ),
    "NonCanonicalScalar": Flag(
        "MALLEABILITY",
        "A 32-byte scalar field holds a value >= n (the group order).",
        "Accepting non-canonical encodings makes proofs malleable.",
    ),
    "InvalidPointEncoding": Flag(
        "MALLEABILITY",
        "A 33-byte point field is not a canonical encoding: a prefix other than 02/03, "
        "x >= p, or an x with no point on the curve.",
        "Accepting it makes encodings malleable or lets an off-curve point in.",
    ),
    "WrongValue": Flag(
        "MODIFIED_PARAMETER", "The commitment is to another value.", _ACCEPTS_FORGERY
    ),
    "WrongBlinding": Flag(
        "MODIFIED_PARAMETER", "The opening's blinding is not the committed one.", _ACCEPTS_FORGERY
    ),
    "SwappedGenerators": Flag(
        "MODIFIED_PARAMETER", "The commitment is r*G + v*H instead of v*G + r*H.", _ACCEPTS_FORGERY
    ),
    "TamperedField": Flag(
        "MODIFIED_PARAMETER",
        "One field of a valid proof is replaced by another well-formed value (a point plus G, "
        "a scalar plus 1, a flipped byte).",
        _ACCEPTS_FORGERY,
    ),
    "WrongN": Flag(
        "MODIFIED_PARAMETER",
        "The proof was made for another bit length n than the verifier's.",
        "The verifier must take n from its context, never from the proof.",
    ),
    "WrongM": Flag(
        "MODIFIED_PARAMETER",
        "The proof was made for another number of values m than the commitments given.",
        "The verifier must take m from the commitments it was given, never from the proof.",
    ),
    "ValueOutOfRange": Flag(
        "MISSING_STEP",
        "A proof made by a prover that skipped its range check, for a value outside "
        "[0, 2^n) (2^n, a 'negative' n - x, ...).",
        "The soundness failure range proofs exist to prevent: negative balances.",
    ),
    "WrongLength": Flag(
        "MODIFIED_PARAMETER",
        "The proof's length is not the exact length for the verifier's parameters.",
        "Trailing or missing bytes must not be ignored.",
    ),
    "ModifiedCommitment": Flag(
        "MODIFIED_PARAMETER",
        "The commitments are not the ones the proof was made for (changed, swapped, reordered).",
        _ACCEPTS_FORGERY,
    ),
    "InvalidSaltLength": Flag("MODIFIED_PARAMETER", "A leaf salt that is not 32 bytes."),
    "InvalidTreeShape": Flag(
        "MODIFIED_PARAMETER",
        "An unsupported arity (not 2, 4, ..., 64) or a tree of no leaves.",
    ),
    "TamperedRangeProof": Flag(
        "MODIFIED_PARAMETER",
        "A byte of a range proof on the path is changed.",
        _ACCEPTS_FORGERY,
    ),
    "WrongRangeProof": Flag(
        "MODIFIED_PARAMETER",
        "A valid range proof for other commitments (another node's) is shown.",
        _ACCEPTS_FORGERY,
    ),
    "ModifiedSibling": Flag(
        "MODIFIED_PARAMETER",
        "A sibling's hash or commitment is changed, so the path no longer leads to the root.",
    ),
    "WrongBalance": Flag(
        "MODIFIED_PARAMETER",
        "The customer's amount, user id, salt or blinding differs from the one in the leaf.",
        "A customer would be shown a balance the tree does not contain.",
    ),
    "AmountMismatch": Flag(
        "MODIFIED_PARAMETER", "The display amount is not exactly the units at the decimals."
    ),
    "AmountTooLarge": Flag("MODIFIED_PARAMETER", "The customer's units are 2^64 or more."),
    "WrongPosition": Flag(
        "MODIFIED_PARAMETER",
        "The leaf index, node index or level does not match the path, or is out of range.",
    ),
    "WrongRoundOrArity": Flag(
        "MODIFIED_PARAMETER",
        "The proof's round id or arity differs from the published ones.",
    ),
    "WrongShape": Flag(
        "MODIFIED_PARAMETER",
        "A step has the wrong number of children or range proofs, the path the wrong number "
        "of steps, or a depth that does not follow from the leaf count and arity.",
    ),
    "WrongRoot": Flag(
        "MODIFIED_PARAMETER",
        "The published root (hash, commitment, leaf count, decimals, or the asset itself) does "
        "not match the proof.",
    ),
    "DuplicateAsset": Flag("MODIFIED_PARAMETER", "An asset appears twice in one proof."),
    "WrongGeneratorDigest": Flag(
        "MODIFIED_PARAMETER",
        "The file names another generator set.",
        "Proofs over other generators prove nothing about these commitments.",
    ),
    "MalformedFile": Flag(
        "MODIFIED_PARAMETER",
        "The JSON does not follow its format (unknown field, wrong format string, a value of "
        "the wrong type or pattern): a strict parser rejects it.",
    ),
    "WrongReserves": Flag(
        "MODIFIED_PARAMETER",
        "The reserves total differs from the one the proof was made for.",
        _ACCEPTS_FORGERY,
    ),
    "WrongRatio": Flag(
        "MODIFIED_PARAMETER",
        "The ratio p/q differs from the one the proof was made for.",
        _ACCEPTS_FORGERY,
    ),
    "WrongContext": Flag(
        "MODIFIED_PARAMETER",
        "The context bound into the proof's transcript (the manifest's statement digest and "
        "the asset symbol) differs from the one the proof was made for.",
        "A solvency proof could be moved to another manifest or asset.",
    ),
    "StatementChanged": Flag(
        "MODIFIED_PARAMETER",
        "A manifest field other than a solvency proof changed (creation time, block height, "
        "another asset's root or leaf count, the exchange name): the statement digest every "
        "solvency proof binds differs.",
        "A manifest could be altered after its solvency proofs were made.",
    ),
    "InvalidParameters": Flag(
        "MODIFIED_PARAMETER",
        "Reserves of 2^64 or more, or a ratio outside 1 <= q <= p < 2^32.",
    ),
    "WrongRootCommitment": Flag(
        "MODIFIED_PARAMETER",
        "The root commitment differs from the one the proof was made for.",
        _ACCEPTS_FORGERY,
    ),
    "Insolvent": Flag(
        "MISSING_STEP",
        "Liabilities exceed reserves (times the ratio); the 'proof' comes from a prover that "
        "skipped its checks.",
        "An insolvent exchange would pass as solvent.",
    ),
    "DigestMismatch": Flag(
        "MODIFIED_PARAMETER", "The expected (published) digest is not the manifest's digest."
    ),
    "WrongTotal": Flag(
        "MODIFIED_PARAMETER",
        "The reserves total is not the sum of the listed balances, or not written exactly.",
    ),
    "TamperedReserves": Flag(
        "MODIFIED_PARAMETER",
        "A balance is raised and the totals made consistent: the solvency proof is for the "
        "original total.",
        "Reserves could be inflated after proving.",
    ),
    "WrongDisclosure": Flag(
        "MODIFIED_PARAMETER", "The disclosed liabilities do not open the root commitment."
    ),
    "BadSignature": Flag(
        "MODIFIED_PARAMETER",
        "A reserve ownership signature is not valid for its address and message.",
        "Funds the exchange does not control would count as reserves.",
    ),
    "UnsatisfiedWitness": Flag(
        "MISSING_STEP",
        "A proof made by a prover that skipped its satisfiability check, for inputs that do "
        "not satisfy the circuit (out of range, a > b, a wrong haircut, too much debt).",
        _ACCEPTS_FORGERY,
    ),
    "MissingCollateral": Flag(
        "MISSING_STEP",
        "A debt without its collateral proof, a collateral proof without debts, or a debt "
        "tree without the published prices and tiers that its proofs are checked under.",
        "A debt could lower an asset's net liabilities without being collateralized.",
    ),
    "OtherCircuit": Flag(
        "MODIFIED_PARAMETER",
        "A valid proof of another circuit (another circuit digest) with the same sizes.",
        "The verifier must rebuild the circuit itself and bind its digest.",
    ),
    "MalformedTerms": Flag(
        "MODIFIED_PARAMETER",
        "Published margin terms that break a rule of docs/spec/margin.md 16.1-16.2: a price "
        "without tiers or quote, tiers without a price, up_to missing or on the last tier, "
        "bounds not increasing or 0, a ratio above 100, a price of 0, more than 64 tiers, a "
        "price of 2^128 margin units or more.",
        "A verifier would check collateral proofs under terms the prover could not have used.",
    ),
    "TwoDebts": Flag(
        "BASIC",
        "A borrower with debts in two assets: both debt leaves are inputs, after the equity.",
    ),
    "UnpricedCollateral": Flag(
        "MODIFIED_PARAMETER",
        "A collateral input naming an equity leaf of an asset without a price (16.8).",
        "Equity that has no published price would back a debt.",
    ),
    "WrongInputOrder": Flag(
        "MODIFIED_PARAMETER",
        "Collateral inputs, with a proof valid for them, in an order other than ascending "
        "byte order of the symbols (16.4).",
        "Two verifiers sorting differently would rebuild different circuits.",
    ),
    "RowOrder": Flag(
        "EDGE_CASE",
        "Audit rows inserted in another physical order: the verifier reads them by idx "
        "(docs/spec/bundle-and-audit.md 9.5).",
    ),
    "RatioSyntax": Flag(
        "MODIFIED_PARAMETER",
        "A ratio text outside the grammar of docs/spec.md 11.7: a sign, an exponent, a space "
        "inside, a missing digit ('1.', '.5'), more than 10 digits in a part, a non-ASCII digit "
        "or blank, a zero denominator.",
    ),
    "RatioBelowOne": Flag(
        "MODIFIED_PARAMETER",
        "A ratio below 1 (fractional reserves).",
        "Reserves smaller than liabilities would pass as covering them.",
    ),
    "RatioTooLarge": Flag(
        "MODIFIED_PARAMETER",
        "A ratio whose numerator or denominator in lowest terms is 2^32 or more.",
    ),
    "InvalidEncoding": Flag(
        "MODIFIED_PARAMETER",
        "A binary .zkpi inclusion proof that breaks a decoder rule of docs/spec.md 8.1a (magic, "
        "version, arity, asset count, depth, child count, truncation, trailing bytes).",
        "Lenient decoding gives one proof several encodings, or reads past its end.",
    ),
    "InvalidUtf8": Flag("MODIFIED_PARAMETER", "A string field that is not valid UTF-8."),
    "InvalidIdentifier": Flag(
        "MODIFIED_PARAMETER",
        "An identifier (exchange, round id, user id) that is empty, too long, not in NFC, or "
        "holds a character of category Cc, Cf, Cs, Zl or Zp (docs/spec.md 12.7).",
        "A verifier would print text that can hide or reorder what it shows.",
    ),
    "WrongExchange": Flag(
        "MODIFIED_PARAMETER",
        "The inclusion proof names another exchange than the manifest.",
        "A customer could be shown a proof of another exchange's round.",
    ),
    "WrongChain": Flag(
        "MODIFIED_PARAMETER",
        "An address of another chain or network: a testnet address for chain bitcoin, a "
        "mainnet one for bitcoin-testnet, a Bitcoin address on ethereum or the reverse.",
        "Funds on another network would count as reserves.",
    ),
    "InvalidAddress": Flag(
        "MODIFIED_PARAMETER",
        "An address that does not decode: mixed-case bech32, a bad checksum (Base58Check, "
        "bech32 or EIP-55), an unsupported type.",
    ),
    "InvalidSignatureEncoding": Flag(
        "MODIFIED_PARAMETER",
        "A signature that is not in its strict form: base64 without padding, with white "
        "space or the URL-safe alphabet, a header or v outside the accepted values, a header "
        "that does not fit the address type.",
        "Lenient decoding lets one signature take many texts.",
    ),
    "NonAscii": Flag(
        "EDGE_CASE",
        "Non-ASCII text (accents, CJK, a character outside the BMP): canonical JSON writes it "
        "as UTF-8, not as escapes (docs/spec.md 12.3).",
    ),
    "TamperedAuditFile": Flag(
        "MODIFIED_PARAMETER",
        "A row or cell of the audit file is changed, added, removed or of the wrong SQLite "
        "type (docs/spec.md 9.5, 9.6).",
        "An auditor would pass a tree whose nodes do not add up or are not range-proven.",
    ),
    "MarginTag": Flag(
        "BASIC",
        "Leaves with margin tags (docs/spec.md 7.4): the level-1 node hash binds each leaf's "
        "8-byte tag (account, inputs); none is 8 zero bytes.",
    ),
    "InvalidMarginTag": Flag(
        "MODIFIED_PARAMETER",
        "A margin tag that is not canonical (an account with 0 inputs), not 8 bytes, missing "
        "at level 1, or present above level 1.",
        "One tree could be read with two sets of tags.",
    ),
    "PledgedLeaf": Flag(
        "MODIFIED_PARAMETER",
        "A customer without debt whose leaf is tagged as a collateral input of a margin "
        "account (docs/spec.md 8.2 step 4, 16.7).",
        "An invented borrower's debt would be backed by a real customer's equity, already "
        "counted in the liabilities: a false solvency verdict (borrowed collateral).",
    ),
    "WrongAccount": Flag(
        "MODIFIED_PARAMETER",
        "A borrower's leaf tagged with another account or input count than their collateral "
        "proof's `account` and inputs (docs/spec.md 8.2 step 4).",
        "A borrower could be shown a collateral proof of an account the audit never checked "
        "while the published account holding their debt uses someone else's equity.",
    ),
    "OldFormat": Flag(
        "MODIFIED_PARAMETER",
        "A file in a format of an earlier release (before margin tags), refused by name.",
        "Misread as the current format, its trees would verify without tags.",
    ),
    "DuplicateAddress": Flag(
        "MODIFIED_PARAMETER",
        "A reserve address is listed twice for one asset.",
        "The same funds could be counted twice.",
    ),
}


@dataclass
class Group:
    """A test group under construction."""

    type: str
    params: dict[str, object]
    tests: list[dict[str, object]] = field(default_factory=list)

    def add(self, comment: str, flags: list[str], result: str, **fields: object) -> None:
        """Append a test (``tcId`` is assigned when the file is rendered)."""
        if result not in ("valid", "invalid"):
            raise ValueError(f"bad result {result!r}")
        for f in flags:
            if f not in FLAGS:
                raise KeyError(f"undocumented flag {f!r}")
        self.tests.append({"comment": comment, "flags": list(flags), "result": result, **fields})


@dataclass
class VectorFile:
    """A vector file under construction (see module doc)."""

    name: str
    algorithm: str
    header: list[str]
    groups: list[Group] = field(default_factory=list)

    def group(self, type_: str, **params: object) -> Group:
        g = Group(type_, params)
        self.groups.append(g)
        return g

    def to_json(self) -> dict[str, object]:
        tc_id = 0
        used: set[str] = set()
        groups: list[dict[str, object]] = []
        for g in self.groups:
            tests = []
            for t in g.tests:
                tc_id += 1
                used.update(t["flags"])  # type: ignore[arg-type]
                tests.append({"tcId": tc_id, **t})
            groups.append({"type": g.type, **g.params, "tests": tests})
        return {
            "algorithm": self.algorithm,
            "schema": f"{self.name}.schema.json",
            "numberOfTests": tc_id,
            "header": [
                *self.header,
                f"Generated by `python -m tools.vectors generate` ({VECTORS_VERSION}); "
                "docs/vectors.md describes the format.",
            ],
            "notes": {f: FLAGS[f].to_json() for f in sorted(used)},
            "testGroups": groups,
        }


from tools.vectors.ruleflags import RULE_FLAGS  # noqa: E402  (it imports Flag from here)

FLAGS.update(RULE_FLAGS)
