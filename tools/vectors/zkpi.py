"""zkpi.json: the binary inclusion proof.

zkpi.json (docs/spec.md 8.1a): each test is one byte string. A valid one decodes to the
recorded JSON proof and re-encodes to exactly the same bytes (each proof has one encoding);
an invalid one breaks one decoder rule and must be refused, whatever comes after.
"""

from __future__ import annotations

import json
from typing import Final

from tools.vectors.base import EXCHANGE, ROUND_A, Json, VectorFile
from tools.vectors.inclusion import _inclusion
from tools.vectors.schemaparts import HEX, OBJ, STR, GroupSpec, Schema, _arr
from tools.vectors.sumtree import _trees
from zkpor.crypto.generators import GeneratorSet
from zkpor.vectors.checkers import CHECKERS

# An exchange name with Latin-1, CJK and a character outside the BMP (4 UTF-8 bytes).
NON_ASCII_EXCHANGE = "B\u00f6rse Z\u00fcrich \u53d6\u5f15\u6240 \U0001f680"


def _str8(text: str | bytes) -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    return bytes((len(raw),)) + raw


def _encode(incl: Json) -> bytes:
    from zkpor.formats.models import InclusionProof
    from zkpor.formats.zkpi import encode_inclusion

    return encode_inclusion(InclusionProof.model_validate(incl))


def _decoded(data: bytes) -> Json:
    from zkpor.formats.zkpi import decode_inclusion

    out: Json = json.loads(decode_inclusion(data).model_dump_json())
    return out


def generate(gens: GeneratorSet) -> Json:
    from tools.vectors.margin import margin_inclusion

    f = VectorFile(
        "zkpi",
        "zkpor binary inclusion proof .zkpi, version 4 (docs/spec.md 8.1a)",
        [
            "Input 'binary': a .zkpi file. A valid one decodes to 'inclusion' (the JSON proof",
            "of 8.1, as the exporter writes it) and encodes back to exactly 'binary'. An",
            "invalid one breaks one decoder rule (the comment says which) and must be refused",
            "by the decoder or, for a field value the JSON proof also refuses, by its model.",
            "The trees are sumtree.json's, and margin.json's for the proofs with debts.",
        ],
    )
    t = _trees(gens.point_type.backend_name)
    spec = _inclusion(ROUND_A, 4, "alice", [t["spec"]])
    both = _inclusion(ROUND_A, 4, "alice", [t["btc"], t["eth"]])
    named = {**spec, "exchange": EXCHANGE}
    _, debtor = margin_inclusion(gens)
    plain, plain_both, v_named, v_debts = (
        _encode(spec),
        _encode(both),
        _encode(named),
        _encode(debtor),
    )
    g = f.group("ZkpiDecodeTest")

    def valid(comment: str, flags: list[str], incl: Json) -> None:
        data = _encode(incl)
        g.add(comment, flags, "valid", binary=data.hex(), inclusion=_decoded(data))

    valid("flags 0: docs/spec.md 7.8, alice under a root with one child", ["Valid"], spec)
    valid("flags 0: alice, BTC and ETH, arity 4, depth 2", ["Valid"], both)
    valid("flags 1: the first proof naming exchange 'Example Exchange'", ["Valid"], named)
    valid(
        "flags 1: a non-ASCII exchange name (2-, 3- and 4-byte UTF-8)",
        ["Valid", "NonAscii"],
        {**spec, "exchange": NON_ASCII_EXCHANGE},
    )
    valid(
        "flags 1: an exchange name of exactly 100 bytes",
        ["Valid", "EdgeCase"],
        {**spec, "exchange": "E" * 100},
    )
    valid(
        "flags 2: alice (margin.json) with a USDT debt, tagged leaves and her collateral proof",
        ["Valid", "MarginTag"],
        debtor,
    )
    valid(
        "flags 3: the same, naming exchange 'Example Exchange'",
        ["Valid", "MarginTag"],
        {**debtor, "exchange": EXCHANGE},
    )

    # offsets in the flags-0 encoding of `spec` / `both`
    head = 4 + 1 + 1 + 1 + len(ROUND_A) + 1 + len("alice")  # magic, version, flags, round, user
    arity_at = head
    count_at = head + 1
    depth_at = count_at + 1 + 1 + 3 + 1 + 8 + 32 + 32 + 8 + 8  # asset "BTC", ..., leaf_count
    child_at = depth_at + 1
    tag_at = child_at + 1 + 65  # the first child's margin tag (level 1)

    def bad(comment: str, flags: list[str], data: bytes) -> None:
        g.add(comment, flags, "invalid", binary=data.hex())

    def at(data: bytes, offset: int, new: bytes) -> bytes:
        return data[:offset] + new + data[offset + len(new) :]

    enc = ["InvalidEncoding"]
    bad("the empty file", enc, b"")
    bad("magic only", enc, plain[:4])
    bad("magic 'ZKPX'", enc, b"ZKPX" + plain[4:])
    bad("magic in lower case 'zkpi'", enc, b"zkpi" + plain[4:])
    bad("version 0", enc, at(plain, 4, b"\x00"))
    bad("version 5", enc, at(plain, 4, b"\x05"))
    bad("version 255", enc, at(plain, 4, b"\xff"))
    for old in (1, 2, 3):
        bad(
            f"version {old} (before margin tags) on a version-4 body",
            ["OldFormat"],
            at(plain, 4, bytes((old,))),
        )
    bad("flags 4 (an undefined bit)", enc, at(plain, 5, b"\x04"))
    bad("flags 0x80 (an undefined bit)", enc, at(plain, 5, b"\x80"))
    bad("flags 2 on a body without debts: the debt count is missing", enc, at(plain, 5, b"\x02"))
    bad("flags 2 with a debt count of 0", enc, at(plain, 5, b"\x02") + b"\x00")
    bad("flags 0 on a body with debts (trailing bytes)", enc, at(v_debts, 5, b"\x00"))
    bad("flags 1 on a body without an exchange", enc, at(plain, 5, b"\x01"))
    bad("a debt count byte of 0 appended to a flags-0 proof (trailing byte)", enc, plain + b"\x00")
    bad("one trailing byte", enc, plain + b"\x01")
    bad("truncated: the last byte missing", enc, plain[:-1])
    bad("truncated inside the header", enc, plain[: head - 2])
    bad("truncated inside a child", enc, plain[: child_at + 40])
    bad("truncated inside a margin tag", enc, plain[: tag_at + 4])
    bad("round id is not UTF-8 (0xff)", ["InvalidUtf8"], at(plain, 7, b"\xff"))
    bad(
        "user id with an overlong UTF-8 encoding (0xc0 0xa1)",
        ["InvalidUtf8"],
        plain[: 7 + len(ROUND_A)] + _str8(b"\xc0\xa1ice") + plain[head:],
    )
    bad(
        "user id with a UTF-8-encoded surrogate (0xed 0xa0 0x80)",
        ["InvalidUtf8"],
        plain[: 7 + len(ROUND_A)] + _str8(b"\xed\xa0\x80ce") + plain[head:],
    )
    bad(
        "round id with a LF inside (refused by the identifier rules)",
        ["InvalidIdentifier"],
        plain[:6] + _str8("2026-11\n30") + plain[6 + 1 + len(ROUND_A) :],
    )
    bad("arity 0", enc, at(plain, arity_at, b"\x00"))
    bad("arity 3", enc, at(plain, arity_at, b"\x03"))
    bad("arity 128", enc, at(plain, arity_at, b"\x80"))
    bad("asset count 0", enc, at(plain, count_at, b"\x00"))
    bad("decimals 31", ["MalformedFile"], at(plain, count_at + 5, b"\x1f"))
    bad("depth 0", enc, at(plain, depth_at, b"\x00"))
    bad("depth 65", enc, at(plain, depth_at, b"\x41"))
    bad("child count 0", enc, at(plain, child_at, b"\x00"))
    bad("child count 5 at arity 4 (over the arity)", enc, at(plain_both, child_at, b"\x05"))
    bad("child count 255 at arity 4", enc, at(plain_both, child_at, b"\xff"))
    bad(
        "a margin tag with account 1 and 0 inputs (not canonical)",
        ["InvalidMarginTag"],
        at(plain, tag_at, bytes.fromhex("0000000100000000")),
    )
    tree_byte = v_debts.rindex(b"\x04USDT\x01")  # the debt input: str8 "USDT", tree 1
    bad(
        "an input tree byte of 2",
        enc,
        at(v_debts, tree_byte + 5, b"\x02"),
    )

    body = v_named[6 + 1 + len(EXCHANGE) :]  # from str8 round_id on

    def named_with(exchange: bytes) -> bytes:
        return b"ZKPI\x04\x01" + _str8(exchange) + body

    bad("flags 1: an empty exchange", ["InvalidIdentifier"], named_with(b""))
    bad("flags 1: exchange with a LF", ["InvalidIdentifier"], named_with(b"Example\nExchange"))
    bad(
        "flags 1: exchange with a right-to-left override U+202E",
        ["InvalidIdentifier"],
        named_with("Example \u202eegnahcxE".encode()),
    )
    bad(
        "flags 1: exchange not in NFC ('o' and a combining diaeresis)",
        ["InvalidIdentifier"],
        named_with("Bo\u0308rse".encode()),
    )
    bad("flags 1: exchange of 101 bytes", ["InvalidIdentifier"], named_with(b"E" * 101))
    bad("flags 1: exchange is not UTF-8", ["InvalidUtf8"], named_with(b"Exchange \xff"))
    bad("flags 1 with a trailing byte", enc, v_named + b"\x00")
    return f.to_json()


_VERIFIED = _arr(OBJ)

SPECS: dict[str, tuple[str, dict[str, GroupSpec]]] = {
    "zkpi": (
        "binary inclusion proof vectors",
        {"ZkpiDecodeTest": ({}, {"binary": HEX}, {"inclusion": OBJ})},
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
