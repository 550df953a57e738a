"""The anonymity sets of private_assets.json and the AnonSetTest cases
(docs/spec/private-reserves.md 17.1): valid sets, and one file per reader rule, each checked
at generation time to fail for its own reason (the reader's message).

Keys: secret ``SHA-256(label)`` (ASCII label ``"anonset key I"``), as a scalar; balances
fixed per key.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from typing import Final

from tools.vectors.base import Group, _not_on_curve_x
from zkpor.crypto.group import N, Point
from zkpor.crypto.group.params import P
from zkpor.errors import InputError
from zkpor.formats.anonset import AnonSetReader
from zkpor.reserves.anonset_build import build_anonset

BALANCES: Final[tuple[int, ...]] = (150000000, 0, 2500000, 7, 99999999, 1234, 5000, 42)
BTC_HEIGHT: Final[int] = 870000
ETH_HEIGHT: Final[int] = 21000000
USDT: Final[str] = "0xdAC17F958D2ee523a2206206994597C13D831ec7"
BLOCK_HASH: Final[str] = "00000000000000000001" + "ab" * 22


def secret(i: int) -> int:
    """Key i's secret: SHA-256 of the ASCII label ``anonset key I``, as a scalar."""
    s = int.from_bytes(hashlib.sha256(f"anonset key {i}".encode()).digest(), "big")
    assert 0 < s < N
    return s


def key(i: int, pt: type[Point]) -> bytes:
    return (pt.generator() * secret(i)).to_bytes()


@dataclass(frozen=True)
class AnonSet:
    """A set file's bytes and its members in file order (key, balance), with the label
    index of each key."""

    data: bytes
    members: list[tuple[bytes, int]]
    labels: list[int]

    def index(self, label: int) -> int:
        return self.labels.index(label)


def make_set(
    pt: type[Point],
    labels: list[int],
    *,
    chain: str = "bitcoin",
    height: int = BTC_HEIGHT,
    balances: dict[int, int] | None = None,
    **header: object,
) -> AnonSet:
    """A canonical set of keys ``labels`` (BTC on bitcoin unless told otherwise)."""
    bal = {i: BALANCES[i] for i in labels} | (balances or {})
    defaults: dict[str, object] = {"asset": "BTC", "decimals": 8}
    if chain == "ethereum":
        defaults = {"asset": "ETH", "decimals": 18, "chain_id": 1}
    data = build_anonset(
        [(key(i, pt), bal[i]) for i in labels],
        chain=chain,
        block_height=height,
        **(defaults | header),  # type: ignore[arg-type]
    )
    order = sorted(labels, key=lambda i: key(i, pt))
    return AnonSet(data, [(key(i, pt), bal[i]) for i in order], order)


def _header(data: bytes) -> dict[str, object]:
    obj: dict[str, object] = json.loads(data.split(b"\n", 1)[0])
    return obj


def _with_header(data: bytes, header: bytes) -> bytes:
    return header + b"\n" + data.split(b"\n", 1)[1]


def _canon(obj: dict[str, object]) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def _edit(data: bytes, **changes: object) -> bytes:
    """``data`` with header fields changed (a value of None removes the field)."""
    obj = _header(data) | changes
    return _with_header(data, _canon({k: v for k, v in obj.items() if v is not None}))


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")[:-1]


def _join(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


def _member(data: bytes, i: int, line: bytes) -> bytes:
    lines = _lines(data)
    lines[1 + i] = line
    return _join(lines)


def _bad_x_key(x: int) -> bytes:
    return b"02" + x.to_bytes(32, "big").hex().encode()


def read_set(data: bytes, pt: type[Point]) -> tuple[bytes, int, int]:
    """(digest, count, total) as the reader gives them."""
    with AnonSetReader("anonset", stream=io.BytesIO(data), point_type=pt) as reader:
        count = sum(1 for _ in reader)
        return reader.digest, count, reader.total


def header_cases(btc: bytes, eth: bytes) -> list[tuple[str, str, bytes, str]]:
    """(comment, flag, bytes, the reader's words) of rule 1."""
    h = _header(btc)
    raw = _canon(h)
    flag = "InvalidAnonSetHeader"
    return [
        ("the empty file", flag, b"", "empty file"),
        ("a UTF-8 byte-order mark", flag, b"\xef\xbb\xbf" + btc, "byte-order mark"),
        ("header not strict JSON: a key twice", flag,
         _with_header(btc, raw[:-1] + b',"asset":"BTC"}'), "duplicate key"),
        ("header with an unknown field", flag, _edit(btc, network="main"), "network"),
        ("header without count", flag, _edit(btc, count=None), "count"),
        ("header format zkpor-anonset-v2", flag, _edit(btc, format="zkpor-anonset-v2"),
         "format"),
        ("header chain litecoin", flag, _edit(btc, chain="litecoin"), "chain"),
        ("chain_id on chain bitcoin", flag, _edit(btc, chain_id=1), "chain_id"),
        ("token_contract on chain bitcoin", flag, _edit(btc, token_contract=USDT),
         "token_contract"),
        ("chain ethereum without chain_id", flag, _edit(eth, chain_id=None), "chain_id"),
        ("token_contract not in EIP-55 form", flag, _edit(eth, token_contract=USDT.lower()),
         "token_contract"),
        ("block_height 2^63", flag, _edit(btc, block_height=2**63), "block_height"),
        ("decimals 37", flag, _edit(btc, decimals=37), "decimals"),
        ("count 0", flag, _edit(btc, count=0), "count"),
        ("block_hash with 0x", flag, _edit(btc, block_hash="0x" + BLOCK_HASH[2:]),
         "block_hash"),
        ("header keys not sorted", flag,
         _with_header(btc, json.dumps(dict(reversed(h.items())), separators=(",", ":")).encode()),
         "not canonical"),
        ("header with a space after each colon", flag,
         _with_header(btc, json.dumps(h, sort_keys=True, separators=(",", ": ")).encode()),
         "not canonical"),
        ("header block_hash null (optional fields are absent, never null)", flag,
         _with_header(btc, _canon(h | {"block_hash": None})), "not canonical"),
    ]  # fmt: skip


def line_cases(
    btc: bytes, eth: bytes, more: bytes, pt: type[Point]
) -> list[tuple[str, str, bytes, str]]:
    """(comment, flag, bytes, the reader's words) of rules 2 to 7; ``more`` is ``btc`` with
    a member added."""
    lines = _lines(btc)
    first, second = lines[1], lines[2]
    k, b = first.split(b" ")
    nl = "NonCanonicalLine"
    eth_lines = _lines(eth)
    ek, eb, ea = eth_lines[1].split(b" ")
    other_addr = eth_lines[2].split(b" ")[2]
    edge = make_set(pt, [0, 1], balances={0: 2**63, 1: 2**63 - 1}).data
    total_set = edge.replace(b" %d\n" % (2**63 - 1), b" %d\n" % 2**63)
    return [
        ("a member line ending CR LF", nl, _member(btc, 0, first + b"\r"), "CR"),
        ("no LF after the last line", nl, btc[:-1], "end with LF"),
        ("an empty line among the members", nl, _join([*lines[:2], b"", *lines[2:]]),
         "fields"),
        ("a trailing space", nl, _member(btc, 0, first + b" "), "extra space"),
        ("a leading space", nl, _member(btc, 0, b" " + first), "extra space"),
        ("two spaces between the fields", nl, _member(btc, 0, k + b"  " + b), "extra space"),
        ("a tab between the fields", nl, _member(btc, 0, k + b"\t" + b), "fields"),
        ("an address on a bitcoin set", nl, _member(btc, 0, first + b" " + ea), "fields"),
        ("a line longer than the longest valid one", nl,
         _member(btc, 0, k + b" " + b"1" * 80), "longer"),
        ("key in upper-case hex", "InvalidPointEncoding", _member(btc, 0, k.upper() + b" " + b),
         "compressed public key"),
        ("key with prefix 04", "InvalidPointEncoding", _member(btc, 0, b"04" + k[2:] + b" " + b),
         "compressed public key"),
        ("key whose x has no point on the curve", "InvalidPointEncoding",
         _member(btc, 0, _bad_x_key(int.from_bytes(_not_on_curve_x(), "big")) + b" " + b),
         "curve"),
        ("key with x = p", "InvalidPointEncoding",
         _member(btc, len(lines) - 2, _bad_x_key(P).replace(b"02", b"03", 1) + b" 1"), "field prime"),
        ("a key twice (on consecutive lines)", "DuplicateKey",
         _edit(_join([lines[0], first, *lines[1:]]), count=len(lines)), "appears twice"),
        ("keys out of order (first two swapped)", "KeyOrder",
         _join([lines[0], second, first, *lines[3:]]), "ascending"),
        ("balance with a leading zero", "InvalidBalance", _member(btc, 0, k + b" 07"),
         "leading zeros"),
        ("balance 2^64", "InvalidBalance", _member(btc, 0, k + b" " + str(2**64).encode()),
         "below 2^64"),
        ("balances 2^63 and 2^63: the total reaches 2^64", "InvalidBalance", total_set,
         "total"),
        ("address of another key", "WrongAddress",
         _member(eth, 0, ek + b" " + eb + b" " + other_addr), "not the key's"),
        ("address in EIP-55 mixed case", "WrongAddress",
         _member(eth, 0, ek + b" " + eb + b" 0x" + ea[2:].upper()), "not an address"),
        ("an Ethereum member without its address", nl, _member(eth, 0, ek + b" " + eb),
         "fields"),
        ("fewer member lines than count", "WrongCount", _join(lines[:-1]), "ends after"),
        ("a member line more than count", "WrongCount", _edit(more, count=len(lines) - 1),
         "more lines"),
    ]  # fmt: skip


def _refusal(data: bytes, pt: type[Point]) -> str:
    try:
        read_set(data, pt)
    except InputError as exc:
        return str(exc)
    raise AssertionError("an invalid set was read")


def add_set_tests(
    g: Group, sets: list[tuple[str, list[str], bytes]], more: bytes, pt: type[Point]
) -> None:
    """The AnonSetTest cases: ``sets`` valid (a bitcoin set, an Ethereum one, ...), then one
    per reader rule; ``more`` is the first set with a member added."""
    for comment, flags, data in sets:
        digest, count, total = read_set(data, pt)
        g.add(comment, ["Valid", "AnonSet", *flags], "valid", data=data.hex(),
              digest=digest.hex(), count=count, total=str(total))  # fmt: skip
    btc, eth = sets[0][2], sets[1][2]
    for comment, flag, data, words in header_cases(btc, eth) + line_cases(btc, eth, more, pt):
        reason = _refusal(data, pt)
        if words not in reason:
            raise AssertionError(f"{comment}: refused for another reason: {reason}")
        g.add(comment, [flag], "invalid", data=data.hex())
