"""The anonymity set file (docs/spec/private-reserves.md, 17.1): building it, reading it as a
stream, and refusing every non-canonical form with file:line: field."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zkpor.crypto.group import N, P, Point
from zkpor.errors import InputError
from zkpor.formats.anonset import AnonSetReader, anonset_digest, ethereum_address
from zkpor.reserves.anonset_build import build_anonset, write_anonset

G = Point.generator()
SECRETS = [3, 5, 7, 11, 13]
KEYS = [G * x for x in SECRETS]
BTC = {"asset": "BTC", "chain": "bitcoin", "block_height": 870000, "decimals": 8}
ETH = {
    "asset": "ETH",
    "chain": "ethereum",
    "chain_id": 1,
    "block_height": 21_000_000,
    "decimals": 18,
}


def _write(tmp_path: Path, data: bytes, name: str = "set.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _read_all(path: Path) -> AnonSetReader:
    reader = AnonSetReader(path)
    with reader:
        list(reader)
    return reader


def _refused(tmp_path: Path, data: bytes, line: int, field: str | None, words: str) -> None:
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as info:
        _read_all(path)
    err = info.value
    assert (err.source, err.line, err.field) == (str(path), line, field), str(err)
    assert words in err.reason, err.reason
    prefix = f"{path}:{line}: " + (f"{field}: " if field else "")
    assert str(err).startswith(prefix)


def _btc(balances: list[int] | None = None) -> bytes:
    bals = balances or [100, 0, 2**40, 5, 7]
    return build_anonset(zip(KEYS, bals), **BTC)  # type: ignore[arg-type]


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")[:-1]


def _join(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


def test_round_trip_bitcoin(tmp_path: Path) -> None:
    data = _btc()
    path = _write(tmp_path, data)
    reader = AnonSetReader(path)
    with reader:
        members = list(reader)
    assert [m.index for m in members] == list(range(5))
    assert [m.key for m in members] == sorted(k.to_bytes() for k in KEYS)
    assert reader.total == 100 + 2**40 + 12
    assert reader.digest == hashlib.sha256(data).digest() == anonset_digest(path)
    assert reader.header.count == 5 and reader.header.asset == "BTC"
    first = _lines(data)[0]
    assert first == (
        b'{"asset":"BTC","block_height":870000,"chain":"bitcoin","count":5,'
        b'"decimals":8,"format":"zkpor-anonset-v1"}'
    )


def test_round_trip_ethereum_with_addresses(tmp_path: Path) -> None:
    data = build_anonset([(k, 1) for k in KEYS], **ETH)  # type: ignore[arg-type]
    members = list(AnonSetReader(_write(tmp_path, data)))
    # the key of secret 1 is G: its address is well known
    assert ethereum_address(G) == "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf"
    for m in members:
        assert m.address == ethereum_address(Point.from_bytes(m.key))


def test_digest_only_after_the_whole_set(tmp_path: Path) -> None:
    reader = AnonSetReader(_write(tmp_path, _btc()))
    it = iter(reader)
    next(it)
    with pytest.raises(ValueError, match="only after"):
        _ = reader.digest
    list(it)
    assert len(reader.digest) == 32


@pytest.mark.parametrize(
    "header, field, words",
    [
        ('{"asset": "BTC"}', "format", "Field required"),
        (
            '{"asset": "BTC","block_height":870000,"chain":"bitcoin","count":5,'
            '"decimals":8,"format":"zkpor-anonset-v1"}',
            None,
            "canonical",
        ),
        (
            '{"block_height":870000,"asset":"BTC","chain":"bitcoin","count":5,'
            '"decimals":8,"format":"zkpor-anonset-v1"}',
            None,
            "canonical",
        ),
        (
            '{"asset":"BTC","block_hash":null,"block_height":870000,"chain":"bitcoin",'
            '"count":5,"decimals":8,"format":"zkpor-anonset-v1"}',
            None,
            "canonical",
        ),
        (
            '{"asset":"BTC","block_height":870000,"chain":"bitcoin","count":5,'
            '"decimals":8,"format":"zkpor-anonset-v2"}',
            "format",
            "",
        ),
        (
            '{"asset":"BTC","block_height":870000,"chain":"bitcoin","count":5,'
            '"decimals":8,"extra":1,"format":"zkpor-anonset-v1"}',
            "extra",
            "",
        ),
        (
            '{"asset":"BTC","block_height":870000,"chain":"bitcoin","chain_id":1,"count":5,'
            '"decimals":8,"format":"zkpor-anonset-v1"}',
            None,
            "chain_id is for chain ethereum",
        ),
        (
            '{"asset":"BTC","block_height":870000,"chain":"bitcoin","count":0,'
            '"decimals":8,"format":"zkpor-anonset-v1"}',
            "count",
            "",
        ),
        (
            '{"asset":"BTC","block_hash":"AB","block_height":870000,"chain":"bitcoin",'
            '"count":5,"decimals":8,"format":"zkpor-anonset-v1"}',
            "block_hash",
            "",
        ),
        (
            '{"asset":"BTC","block_height":"870000","chain":"bitcoin","count":5,'
            '"decimals":8,"format":"zkpor-anonset-v1"}',
            "block_height",
            "",
        ),
    ],
)
def test_header_refused(tmp_path: Path, header: str, field: str | None, words: str) -> None:
    lines = _lines(_btc())
    _refused(tmp_path, _join([header.encode(), *lines[1:]]), 1, field, words)


def test_ethereum_needs_chain_id(tmp_path: Path) -> None:
    data = build_anonset([(k, 1) for k in KEYS], **ETH)  # type: ignore[arg-type]
    lines = _lines(data)
    header = json.loads(lines[0])
    del header["chain_id"]
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    _refused(tmp_path, _join([text, *lines[1:]]), 1, None, "chain_id is required")


def test_bom_and_empty_file(tmp_path: Path) -> None:
    _refused(tmp_path, b"\xef\xbb\xbf" + _btc(), 1, None, "byte-order mark")
    _refused(tmp_path, b"", 1, None, "empty file")


def _member_refused(
    tmp_path: Path, index: int, new: bytes, field: str | None, words: str, data: bytes | None = None
) -> None:
    lines = _lines(data or _btc())
    lines[1 + index] = new
    _refused(tmp_path, _join(lines), 2 + index, field, words)


def test_key_forms_refused(tmp_path: Path) -> None:
    lines = _lines(_btc())
    key, bal = lines[3].split(b" ")
    _member_refused(tmp_path, 2, key.upper() + b" " + bal, "key", "lower-case hex")
    _member_refused(tmp_path, 2, b"04" + key[2:] + b" " + bal, "key", "prefix 02 or 03")
    _member_refused(tmp_path, 2, b"00" * 33 + b" " + bal, "key", "prefix 02 or 03")
    _member_refused(tmp_path, 2, key[:-2] + b" " + bal, "key", "66 lower-case")
    # x >= p, and an x that is no point's abscissa (still in ascending order: prefix 03)
    big = b"03" + (P + 1).to_bytes(32, "big").hex().encode()
    lines5 = _lines(_btc())
    lines5[5] = big + b" 1"
    _refused(tmp_path, _join(lines5), 6, "key", "x >= field prime")
    x = P - 1
    while pow((x**3 + 7) % P, (P - 1) // 2, P) == 1:
        x -= 1
    lines5[5] = b"03" + x.to_bytes(32, "big").hex().encode() + b" 1"
    _refused(tmp_path, _join(lines5), 6, "key", "not the abscissa")


def test_duplicate_and_order_refused(tmp_path: Path) -> None:
    lines = _lines(_btc())
    dup = [*lines[:3], lines[2], *lines[4:5]]  # line 4 repeats line 3, count kept at 5
    _refused(tmp_path, _join([*dup, lines[5]]), 4, "key", "appears twice")
    swapped = [lines[0], lines[2], lines[1], *lines[3:]]
    _refused(tmp_path, _join(swapped), 3, "key", "ascending order")


@pytest.mark.parametrize(
    "balance, words",
    [
        (b"007", "leading zeros"),
        (b"-1", "leading zeros"),
        (b"+1", "leading zeros"),
        (b"1.5", "leading zeros"),
        (b"1e3", "leading zeros"),
        (str(2**64).encode(), "below 2^64"),
        (b"1" * 21, "leading zeros"),
    ],
)
def test_balance_forms_refused(tmp_path: Path, balance: bytes, words: str) -> None:
    key = _lines(_btc())[2].split(b" ")[0]
    _member_refused(tmp_path, 1, key + b" " + balance, "balance", words)


def test_total_must_stay_below_2_64(tmp_path: Path) -> None:
    data = _btc([2**63, 1, 2**63 - 2, 0, 0])
    _read_all(_write(tmp_path, data))  # total 2^64 - 1: accepted
    lines = _lines(data)
    key, bal = lines[3].split(b" ")
    lines[3] = key + b" " + str(int(bal) + 1).encode()
    _refused(tmp_path, _join(lines), None or _line_of_total(lines), "balance", "reaches 2^64")


def _line_of_total(lines: list[bytes]) -> int:
    total = 0
    for i, line in enumerate(lines[1:]):
        total += int(line.split(b" ")[1])
        if total >= 2**64:
            return i + 2
    raise AssertionError


def test_white_space_and_line_ends_refused(tmp_path: Path) -> None:
    data = _btc()
    lines = _lines(data)
    _member_refused(tmp_path, 0, lines[1] + b" ", None, "extra space")
    _member_refused(tmp_path, 0, lines[1].replace(b" ", b"  "), None, "extra space")
    _member_refused(tmp_path, 0, b" " + lines[1], None, "extra space")
    _member_refused(tmp_path, 0, lines[1] + b"\r", None, "CR")
    _member_refused(tmp_path, 0, lines[1].replace(b" ", b"\t"), None, "expected 2 fields")
    _member_refused(tmp_path, 0, b"", None, "expected 2 fields")
    _refused(tmp_path, data[:-1], 6, None, "must end with LF")
    _refused(tmp_path, data + b"\n", 7, None, "more lines")
    _refused(tmp_path, _join(lines[:-1]), 6, None, "ends after 4")
    _refused(tmp_path, data + lines[5] + b"\n", 7, None, "more lines")


def test_ethereum_address_refused(tmp_path: Path) -> None:
    data = build_anonset([(k, 1) for k in KEYS], **ETH)  # type: ignore[arg-type]
    lines = _lines(data)
    key, bal, addr = lines[2].split(b" ")
    other = _lines(data)[3].split(b" ")[2]
    _member_refused(tmp_path, 1, b" ".join([key, bal, other]), "address", "not the key's", data)
    _member_refused(tmp_path, 1, b" ".join([key, bal, addr.upper()]), "address", "0x and 40", data)
    _member_refused(tmp_path, 1, b" ".join([key, bal]), None, "expected 3 fields", data)
    mixed = b"0x" + addr[2:].replace(b"a", b"A")
    if mixed != addr:
        _member_refused(tmp_path, 1, b" ".join([key, bal, mixed]), "address", "lower-case", data)


def test_builder_refuses_twice_and_out_of_range() -> None:
    k = KEYS[0]
    xy = k.to_affine()
    assert xy is not None
    uncompressed = b"\x04" + xy[0].to_bytes(32, "big") + xy[1].to_bytes(32, "big")
    with pytest.raises(InputError, match="given twice"):
        build_anonset([(k, 1), (uncompressed, 2)], **BTC)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="given twice"):
        build_anonset([(k.to_bytes(), 1), (uncompressed[1:], 2)], **BTC)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"\[0, 2\^64\)"):
        build_anonset([(k, 2**64)], **BTC)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"\[0, 2\^64\)"):
        build_anonset([(k, -1)], **BTC)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="reaches 2\\^64"):
        build_anonset([(KEYS[0], 2**63), (KEYS[1], 2**63)], **BTC)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="identity"):
        build_anonset([(Point.identity(), 1)], **BTC)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="at least one"):
        build_anonset([], **BTC)  # type: ignore[arg-type]


def test_write_anonset_returns_digest(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    digest = write_anonset(path, list(zip(KEYS, [1, 2, 3, 4, 5])), **BTC)
    assert digest == anonset_digest(path)
    assert [m.balance for m in AnonSetReader(path)] != []


@given(
    st.dictionaries(
        st.integers(min_value=1, max_value=N - 1),
        st.integers(min_value=0, max_value=2**58),
        min_size=1,
        max_size=12,
    )
)
def test_any_set_round_trips(members: dict[int, int]) -> None:
    import tempfile

    data = build_anonset([(G * x, b) for x, b in members.items()], **BTC)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.txt"
        path.write_bytes(data)
        read = {m.key: m.balance for m in AnonSetReader(path)}
    assert read == {(G * x).to_bytes(): b for x, b in members.items()}
    assert list(read) == sorted(read)
