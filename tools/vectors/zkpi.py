"""zkpi.json: the binary inclusion proof (docs/spec/ section 8.1a, inclusion-proofs.md).

Each test is one byte string. A valid one decodes to the recorded JSON proof and re-encodes
to exactly the same bytes (each proof has one encoding); an invalid one breaks one decoder
rule and must be refused, whatever comes after.

Cases as tables: :data:`VALID` (a JSON proof, encoded) and :data:`BAD_BINARIES` (bytes made
from the valid encodings, most by patching one field at its offset).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, NamedTuple

from tools.vectors.base import EXCHANGE, ROUND_A, Json, VectorFile
from tools.vectors.inclusion import inclusion_proof, verified_assets
from tools.vectors.schemaparts import HEX, OBJ, STR, GroupSpec, Schema, _arr
from tools.vectors.sumtree import seeded_trees
from zkpor.crypto.generators import GeneratorSet
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.tree import roots_json

HEADER: Final[list[str]] = [
    "Input 'binary': a .zkpi file. A valid one decodes to 'inclusion' (the JSON proof",
    "of 8.1, as the exporter writes it) and encodes back to exactly 'binary'. An",
    "invalid one breaks one decoder rule (the comment says which) and must be refused",
    "by the decoder or, for a field value the JSON proof also refuses, by its model.",
    "The trees are sumtree.json's, and margin.json's for the proofs with debts.",
]

# An exchange name with Latin-1, CJK and a character outside the BMP (4 UTF-8 bytes).
NON_ASCII_EXCHANGE = "B\u00f6rse Z\u00fcrich \u53d6\u5f15\u6240 \U0001f680"


def _str8(text: str | bytes) -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    return bytes((len(raw),)) + raw


def encode_zkpi(incl: Json) -> bytes:
    """The .zkpi bytes of a JSON inclusion proof."""
    from zkpor.formats.models import InclusionProof
    from zkpor.formats.zkpi import encode_inclusion

    return encode_inclusion(InclusionProof.model_validate(incl))


# the name inclusion_exchange imports


def _decoded(data: bytes) -> Json:
    from zkpor.formats.zkpi import decode_inclusion

    out: Json = json.loads(decode_inclusion(data).model_dump_json())
    return out


@dataclass(frozen=True)
class Proofs:
    """The JSON proofs the tests encode."""

    spec: Json  # docs/spec.md 7.8: alice under a root with one child
    both: Json  # alice, BTC and ETH
    debtor: Json  # alice in margin.json, with a USDT debt
    roots: Json  # roots.json of the BTC and ETH trees (round A, arity 4)

    @property
    def named(self) -> Json:
        return {**self.spec, "exchange": EXCHANGE}


class ValidProof(NamedTuple):
    """A valid test: the encoding of ``proof``."""

    comment: str
    flags: tuple[str, ...]
    proof: Callable[[Proofs], Json]


VALID: Final[tuple[ValidProof, ...]] = (
    ValidProof(
        "flags 0: docs/spec.md 7.8, alice under a root with one child", ("Valid",), lambda p: p.spec
    ),
    ValidProof("flags 0: alice, BTC and ETH, arity 4, depth 2", ("Valid",), lambda p: p.both),
    ValidProof(
        "flags 1: the first proof naming exchange 'Example Exchange'", ("Valid",), lambda p: p.named
    ),
    ValidProof(
        "flags 1: a non-ASCII exchange name (2-, 3- and 4-byte UTF-8)",
        ("Valid", "NonAscii"),
        lambda p: {**p.spec, "exchange": NON_ASCII_EXCHANGE},
    ),
    ValidProof(
        "flags 1: an exchange name of exactly 100 bytes",
        ("Valid", "EdgeCase"),
        lambda p: {**p.spec, "exchange": "E" * 100},
    ),
    ValidProof(
        "flags 2: alice (margin.json) with a USDT debt, tagged leaves and her collateral proof",
        ("Valid", "MarginTag"),
        lambda p: p.debtor,
    ),
    ValidProof(
        "flags 3: the same, naming exchange 'Example Exchange'",
        ("Valid", "MarginTag"),
        lambda p: {**p.debtor, "exchange": EXCHANGE},
    ),
    ValidProof(
        "a sibling commitment with prefix 04: decodes (rule 8 reads lengths only); "
        "ZkpiVerifyTest refuses it",
        ("Valid", "DecodedByVerifier"),
        lambda p: _sibling_commitment_04(p.both),
    ),
    ValidProof(
        "a range proof whose A has prefix 04: decodes (rule 8 reads lengths only); "
        "ZkpiVerifyTest refuses it",
        ("Valid", "DecodedByVerifier"),
        lambda p: _range_proof_a_04(p.both),
    ),
)


def _sibling_commitment_04(proof: Json) -> Json:
    """``proof`` with a sibling of its first entry's leaf given the commitment prefix 04."""
    out = copy.deepcopy(proof)
    entry = out["assets"][0]
    children = entry["path"][0]["children"]
    other = (entry["leaf_index"] % 4 + 1) % len(children)
    children[other]["commitment"] = "04" + children[other]["commitment"][2:]
    return out


def _range_proof_a_04(proof: Json) -> Json:
    """``proof`` with the first range proof of its first step's A given the prefix 04."""
    out = copy.deepcopy(proof)
    proofs = out["assets"][0]["path"][0]["proofs"]
    proofs[0] = "04" + proofs[0][2:]
    return out


def _entries_swapped(proof: Json) -> Json:
    out = copy.deepcopy(proof)
    out["assets"].reverse()
    return out


# (comment, flags, proof) of ZkpiVerifyTest: decode, then verify against Proofs.roots (8.2)
VERIFY_CASES: Final[tuple[tuple[str, tuple[str, ...], Callable[[Proofs], Json]], ...]] = (
    ("alice, BTC and ETH: decodes and verifies", ("Valid",), lambda p: p.both),
    (
        "a sibling commitment with prefix 04 (decodes; the verifier refuses the point)",
        ("DecodedByVerifier", "InvalidPointEncoding"),
        lambda p: _sibling_commitment_04(p.both),
    ),
    (
        "a range proof whose A has prefix 04 (decodes; the verifier refuses the proof)",
        ("DecodedByVerifier", "TamperedRangeProof"),
        lambda p: _range_proof_a_04(p.both),
    ),
    (
        "ETH before BTC (decodes; the verifier refuses the order, 8.1)",
        ("AssetOrder",),
        lambda p: _entries_swapped(p.both),
    ),
)


@dataclass(frozen=True)
class Encodings:
    """The valid encodings the invalid tests are made from."""

    plain: bytes  # flags 0: Proofs.spec
    both: bytes  # flags 0: Proofs.both
    named: bytes  # flags 1: Proofs.named
    debts: bytes  # flags 2: Proofs.debtor


# offsets in the flags-0 encoding of `spec` / `both`
HEAD: Final = 4 + 1 + 1 + 1 + len(ROUND_A) + 1 + len("alice")  # magic, version, flags, round, user
ARITY_AT: Final = HEAD
COUNT_AT: Final = HEAD + 1
DEPTH_AT: Final = COUNT_AT + 1 + 1 + 3 + 1 + 8 + 32 + 32 + 8 + 8  # asset "BTC", ..., leaf_count
CHILD_AT: Final = DEPTH_AT + 1
TAG_AT: Final = CHILD_AT + 1 + 65  # the first child's margin tag (level 1)
USER_AT: Final = 7 + len(ROUND_A)  # the str8 user id
NAMED_BODY_AT: Final = 6 + 1 + len(EXCHANGE)  # in the flags-1 encoding: from str8 round_id on

Binary = Callable[[Encodings], bytes]


def _at(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new) :]


def _plain(e: Encodings) -> bytes:
    return e.plain


def _both(e: Encodings) -> bytes:
    return e.both


def _debts(e: Encodings) -> bytes:
    return e.debts


def _patch(offset: int, new: bytes, source: Binary = _plain) -> Binary:
    """An encoding (by default the flags-0 one) with ``new`` written at ``offset``."""
    return lambda e: _at(source(e), offset, new)


def _user_id(raw: bytes) -> Binary:
    """The flags-0 encoding with the user id's bytes replaced."""
    return lambda e: e.plain[:USER_AT] + _str8(raw) + e.plain[HEAD:]


def _named_with(exchange: bytes) -> Binary:
    """The flags-1 encoding naming ``exchange`` (any bytes)."""
    return lambda e: b"ZKPI\x04\x01" + _str8(exchange) + e.named[NAMED_BODY_AT:]


def _tree_byte(e: Encodings, new: bytes) -> bytes:
    tree_byte = e.debts.rindex(b"\x04USDT\x01")  # the debt input: str8 "USDT", tree 1
    return _at(e.debts, tree_byte + 5, new)


def _debt_input_tree_2(e: Encodings) -> bytes:
    return _tree_byte(e, b"\x02")


class BadBinary(NamedTuple):
    """An invalid test: ``binary`` made from the valid encodings."""

    comment: str
    flags: tuple[str, ...]
    binary: Binary


_ENC = ("InvalidEncoding",)
_UTF8 = ("InvalidUtf8",)
_IDENT = ("InvalidIdentifier",)

BAD_BINARIES: Final[tuple[BadBinary, ...]] = (
    BadBinary("the empty file", _ENC, lambda e: b""),
    BadBinary("magic only", _ENC, lambda e: e.plain[:4]),
    BadBinary("magic 'ZKPX'", _ENC, lambda e: b"ZKPX" + e.plain[4:]),
    BadBinary("magic in lower case 'zkpi'", _ENC, lambda e: b"zkpi" + e.plain[4:]),
    BadBinary("version 0", _ENC, _patch(4, b"\x00")),
    BadBinary("version 5", _ENC, _patch(4, b"\x05")),
    BadBinary("version 255", _ENC, _patch(4, b"\xff")),
    *(
        BadBinary(
            f"version {old} (before margin tags) on a version-4 body",
            ("OldFormat",),
            _patch(4, bytes((old,))),
        )
        for old in (1, 2, 3)
    ),
    BadBinary(
        "version 2 (before margin tags) on a body naming its exchange (flags 1)",
        ("OldFormat",),
        _patch(4, b"\x02", lambda e: e.named),
    ),
    BadBinary(
        "version 3 (before margin tags) on a body with debts (flags 2)",
        ("OldFormat",),
        _patch(4, b"\x03", _debts),
    ),
    BadBinary("flags 4 (an undefined bit)", _ENC, _patch(5, b"\x04")),
    BadBinary("flags 0x80 (an undefined bit)", _ENC, _patch(5, b"\x80")),
    BadBinary(
        "flags 2 on a body without debts: the debt count is missing", _ENC, _patch(5, b"\x02")
    ),
    BadBinary("flags 2 with a debt count of 0", _ENC, lambda e: _at(e.plain, 5, b"\x02") + b"\x00"),
    BadBinary("flags 0 on a body with debts (trailing bytes)", _ENC, _patch(5, b"\x00", _debts)),
    BadBinary("flags 1 on a body without an exchange", _ENC, _patch(5, b"\x01")),
    BadBinary(
        "a debt count byte of 0 appended to a flags-0 proof (trailing byte)",
        _ENC,
        lambda e: e.plain + b"\x00",
    ),
    BadBinary("one trailing byte", _ENC, lambda e: e.plain + b"\x01"),
    BadBinary("truncated: the last byte missing", _ENC, lambda e: e.plain[:-1]),
    BadBinary("truncated inside the header", _ENC, lambda e: e.plain[: HEAD - 2]),
    BadBinary("truncated inside a child", _ENC, lambda e: e.plain[: CHILD_AT + 40]),
    BadBinary("truncated inside a margin tag", _ENC, lambda e: e.plain[: TAG_AT + 4]),
    BadBinary("round id is not UTF-8 (0xff)", _UTF8, _patch(7, b"\xff")),
    BadBinary(
        "user id with an overlong UTF-8 encoding (0xc0 0xa1)", _UTF8, _user_id(b"\xc0\xa1ice")
    ),
    BadBinary(
        "user id with a UTF-8-encoded surrogate (0xed 0xa0 0x80)",
        _UTF8,
        _user_id(b"\xed\xa0\x80ce"),
    ),
    BadBinary(
        "round id with a LF inside (refused by the identifier rules)",
        _IDENT,
        lambda e: e.plain[:6] + _str8("2026-11\n30") + e.plain[6 + 1 + len(ROUND_A) :],
    ),
    BadBinary("arity 0", _ENC, _patch(ARITY_AT, b"\x00")),
    BadBinary("arity 3", _ENC, _patch(ARITY_AT, b"\x03")),
    BadBinary("arity 128", _ENC, _patch(ARITY_AT, b"\x80")),
    BadBinary("asset count 0", _ENC, _patch(COUNT_AT, b"\x00")),
    BadBinary("decimals 31", ("MalformedFile",), _patch(COUNT_AT + 5, b"\x1f")),
    BadBinary("depth 0", _ENC, _patch(DEPTH_AT, b"\x00")),
    BadBinary("depth 65", _ENC, _patch(DEPTH_AT, b"\x41")),
    BadBinary("child count 0", _ENC, _patch(CHILD_AT, b"\x00")),
    BadBinary("child count 5 at arity 4 (over the arity)", _ENC, _patch(CHILD_AT, b"\x05", _both)),
    BadBinary("child count 255 at arity 4", _ENC, _patch(CHILD_AT, b"\xff", _both)),
    BadBinary(
        "a margin tag with account 1 and 0 inputs (not canonical)",
        ("InvalidMarginTag",),
        _patch(TAG_AT, bytes.fromhex("0000000100000000")),
    ),
    BadBinary("an input tree byte of 2", _ENC, _debt_input_tree_2),
    BadBinary("an input tree byte of 255", _ENC, lambda e: _tree_byte(e, b"\xff")),
    BadBinary("flags 1: an empty exchange", _IDENT, _named_with(b"")),
    BadBinary("flags 1: exchange with a LF", _IDENT, _named_with(b"Example\nExchange")),
    BadBinary(
        "flags 1: exchange with a right-to-left override U+202E",
        _IDENT,
        _named_with("Example \u202eegnahcxE".encode()),
    ),
    BadBinary(
        "flags 1: exchange not in NFC ('o' and a combining diaeresis)",
        _IDENT,
        _named_with("Bo\u0308rse".encode()),
    ),
    BadBinary("flags 1: exchange of 101 bytes", _IDENT, _named_with(b"E" * 101)),
    BadBinary("flags 1: exchange is not UTF-8", _UTF8, _named_with(b"Exchange \xff")),
    BadBinary("flags 1 with a trailing byte", _ENC, lambda e: e.named + b"\x00"),
)


def _proofs(gens: GeneratorSet) -> Proofs:
    from tools.vectors.margin import margin_inclusion

    t = seeded_trees(gens.point_type.backend_name)
    spec = inclusion_proof(ROUND_A, 4, "alice", [t["spec"]])
    both = inclusion_proof(ROUND_A, 4, "alice", [t["btc"], t["eth"]])
    _, debtor = margin_inclusion(gens)
    return Proofs(spec, both, debtor, roots_json(ROUND_A, 4, [t["btc"], t["eth"]]))


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile(
        "zkpi", "zkpor binary inclusion proof .zkpi, version 4 (docs/spec.md 8.1a)", HEADER
    )
    proofs = _proofs(gens)
    g = f.group("ZkpiDecodeTest")
    for v in VALID:
        data = encode_zkpi(v.proof(proofs))
        g.add(v.comment, list(v.flags), "valid", binary=data.hex(), inclusion=_decoded(data))
    encodings = Encodings(
        plain=encode_zkpi(proofs.spec),
        both=encode_zkpi(proofs.both),
        named=encode_zkpi(proofs.named),
        debts=encode_zkpi(proofs.debtor),
    )
    for bad in BAD_BINARIES:
        g.add(bad.comment, list(bad.flags), "invalid", binary=bad.binary(encodings).hex())
    g = f.group("ZkpiVerifyTest")
    for comment, flags, make in VERIFY_CASES:
        proof = make(proofs)
        fields: Json = {"roots": proofs.roots, "binary": encode_zkpi(proof).hex()}
        if "Valid" in flags:
            fields["verified"] = verified_assets(
                [seeded_trees(gens.point_type.backend_name)[s] for s in ("btc", "eth")], "alice"
            )
            g.add(comment, list(flags), "valid", **fields)
        else:
            g.add(comment, list(flags), "invalid", **fields)
    return f.to_json()


_VERIFIED = _arr(OBJ)

SPECS: dict[str, tuple[str, dict[str, GroupSpec]]] = {
    "zkpi": (
        "binary inclusion proof vectors",
        {
            "ZkpiDecodeTest": ({}, {"binary": HEX}, {"inclusion": OBJ}),
            "ZkpiVerifyTest": ({}, {"roots": OBJ, "binary": HEX}, {"verified": _VERIFIED}),
        },
    ),
    "inclusion_exchange": (
        "inclusion proof exchange vectors",
        {
            "InclusionExchangeTest": (
                {},
                {"roots": OBJ, "exchange": STR, "inclusion": OBJ},
                {"binary": HEX, "verified": _VERIFIED},
            )
        },
    ),
}

NAME: Final = "zkpi"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of zkpi.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
