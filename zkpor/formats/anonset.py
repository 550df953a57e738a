"""The anonymity set file: public keys and their balances at one block, for one asset
(docs/spec/private-reserves.md, 17.1).

A text file of LF-terminated lines, read as a stream. Line 1 is the header, canonical JSON
(keys sorted, no white space, absent rather than null optional fields)::

    {"asset":"ETH","block_height":21000000,"chain":"ethereum","chain_id":1,"count":3,
     "decimals":18,"format":"zkpor-anonset-v1"}

then ``count`` member lines in ascending order of the key's 33 bytes, no key twice::

    KEY BALANCE                  (bitcoin, bitcoin-testnet)
    KEY BALANCE ADDRESS          (ethereum)

``KEY`` is the compressed public key, 66 lower-case hex digits (prefix 02 or 03, a point of
secp256k1); ``BALANCE`` the balance in base units, decimal digits without leading zeros,
below 2^64, with the total of all balances also below 2^64; ``ADDRESS`` (Ethereum only) is
``0x`` and the 40 lower-case hex digits of Keccak-256(x || y)[12:], which the reader
recomputes from the key. Fields are separated by one space; no other white space, no CR, no
blank line, and the file ends with the last member's LF.

Header fields: ``format`` ("zkpor-anonset-v1"), ``asset`` (a symbol as in the reserves
file), ``chain`` (bitcoin, bitcoin-testnet, ethereum), ``block_height``, ``block_hash``
(optional: 64 lower-case hex digits, no 0x), ``decimals`` (0 to 36), ``chain_id``
(required for ethereum, absent otherwise), ``token_contract`` (ethereum only, EIP-55; absent
for ether), ``count`` (1 to 2^32 - 1).

:class:`AnonSetReader` checks all of it line by line and raises
:class:`~zkpor.errors.InputError` naming file, line and field; it holds one line at a time.
The file's digest (SHA-256 of its bytes) is what a proof binds: :func:`anonset_digest`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Final, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from zkpor.crypto.group import Point
from zkpor.errors import EncodingError, InputError
from zkpor.formats.base import StrictModel
from zkpor.formats.eip55 import keccak256
from zkpor.formats.identifiers import check_text
from zkpor.formats.reserves import MAX_CHAIN_ID, Symbol, TokenContract, check_token_fields
from zkpor.formats.strictjson import load_strict_json, validation_message

__all__ = [
    "FORMAT",
    "MAX_COUNT",
    "AnonSetHeader",
    "AnonSetReader",
    "Member",
    "anonset_digest",
    "encode_header",
    "encode_member",
    "ethereum_address",
]

FORMAT: Final[str] = "zkpor-anonset-v1"
MAX_COUNT: Final[int] = 2**32 - 1
MAX_HEADER_BYTES: Final[int] = 4096
U64: Final[int] = 2**64
#: The longest member line: key, balance (20 digits), address, separators and LF.
MAX_MEMBER_LINE: Final[int] = 66 + 1 + 20 + 1 + 42 + 1
_KEY: Final = re.compile(rb"0[23][0-9a-f]{64}")
_BALANCE: Final = re.compile(rb"0|[1-9][0-9]{0,19}")
_ADDRESS: Final = re.compile(rb"0x[0-9a-f]{40}")


class AnonSetHeader(StrictModel):
    """The header line of an anonymity set file (module doc)."""

    format: Literal["zkpor-anonset-v1"]
    asset: Symbol
    chain: Literal["bitcoin", "bitcoin-testnet", "ethereum"]
    block_height: int = Field(ge=0, lt=2**63)
    block_hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    decimals: int = Field(ge=0, le=36)
    chain_id: int | None = Field(default=None, ge=1, le=MAX_CHAIN_ID)
    token_contract: TokenContract | None = None
    count: int = Field(ge=1, le=MAX_COUNT)

    @field_validator("asset")
    @classmethod
    def _identifier(cls, v: str) -> str:
        return check_text(v, "asset")

    @model_validator(mode="after")
    def _chain_fields(self) -> AnonSetHeader:
        check_token_fields(self.chain, self.token_contract, self.chain_id)
        if self.chain == "ethereum" and self.chain_id is None:
            raise ValueError("chain_id is required for chain ethereum (1 for mainnet)")
        return self

    @property
    def has_addresses(self) -> bool:
        """Whether member lines carry an Ethereum address."""
        return self.chain == "ethereum"


def encode_header(header: AnonSetHeader) -> bytes:
    """The canonical header line, LF included."""
    obj: dict[str, Any] = header.model_dump(exclude_none=True)
    return (
        json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")
        + b"\n"
    )


def ethereum_address(point: Point) -> str:
    """``0x`` and the 40 lower-case hex digits of Keccak-256(x || y)[12:]."""
    xy = point.to_affine()
    if xy is None:
        raise EncodingError("the identity has no address")
    return "0x" + keccak256(xy[0].to_bytes(32, "big") + xy[1].to_bytes(32, "big"))[12:].hex()


def encode_member(key: bytes, balance: int, address: str | None = None) -> bytes:
    """One member line, LF included (``address`` for Ethereum sets)."""
    line = key.hex() + " " + str(balance)
    if address is not None:
        line += " " + address
    return line.encode("ascii") + b"\n"


@dataclass(frozen=True, slots=True)
class Member:
    """One member: its 0-based index, 33-byte compressed key, balance in base units, and
    (Ethereum) address."""

    index: int
    key: bytes
    balance: int
    address: str | None = None


def anonset_digest(path: Path) -> bytes:
    """SHA-256 of the file's bytes (read in chunks)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.digest()


class AnonSetReader:
    """Streams an anonymity set file, checking every rule of the module doc.

    ``header`` is read on construction. Iterating yields :class:`Member` objects; once the
    iteration has ended, ``digest`` is the SHA-256 of every byte read and ``total`` the sum
    of the balances. ``check_keys`` (default) decodes every key as a point; a caller that
    decodes them itself (the proof verifier) may skip that. Use as a context manager or call
    ``close``."""

    def __init__(
        self,
        path: Path | str,
        *,
        check_keys: bool = True,
        point_type: type[Point] = Point,
        stream: BinaryIO | None = None,
    ) -> None:
        self.path = Path(path)
        self.source = str(path)
        self._fh: BinaryIO = stream if stream is not None else self.path.open("rb")
        self._hash = hashlib.sha256()
        self._done = False
        self.check_keys = check_keys
        self.point_type = point_type
        self.total = 0
        self.header = self._read_header()

    def __enter__(self) -> AnonSetReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._fh.close()

    def _error(self, reason: str, line: int | None, field: str | None = None) -> InputError:
        return InputError(reason, source=self.source, line=line, field=field)

    def _line(self, limit: int, lineno: int) -> bytes:
        raw = self._fh.readline(limit + 1)
        self._hash.update(raw)
        if len(raw) > limit:
            raise self._error(f"line longer than {limit} bytes", lineno)
        if raw and not raw.endswith(b"\n"):
            raise self._error("the file must end with LF (the last line has none)", lineno)
        if b"\r" in raw:
            raise self._error("CR in line: lines end with LF only", lineno)
        return raw

    def _read_header(self) -> AnonSetHeader:
        raw = self._line(MAX_HEADER_BYTES, 1)
        if not raw:
            raise self._error("empty file: expected a header line", 1)
        if raw.startswith(b"\xef\xbb\xbf"):
            raise self._error("file starts with a byte-order mark", 1)
        obj = load_strict_json(raw, self.source, MAX_HEADER_BYTES)
        try:
            header = AnonSetHeader.model_validate(obj, strict=True)
        except ValidationError as exc:
            reason, loc = validation_message(exc)
            raise self._error(reason, 1, loc) from None
        if encode_header(header) != raw:
            raise self._error(
                "header is not canonical JSON (keys sorted, no spaces, ASCII, no null "
                "fields): expected " + encode_header(header).decode("ascii").rstrip("\n"),
                1,
            )
        return header

    def __iter__(self) -> Iterator[Member]:
        return self._members()

    def _members(self) -> Iterator[Member]:
        if self._done:
            raise ValueError("an AnonSetReader is read once")
        header = self.header
        want_fields = 3 if header.has_addresses else 2
        check_keys = self.check_keys or header.has_addresses
        last = b""
        total = 0
        count = header.count
        for index in range(count):
            lineno = index + 2
            raw = self._line(MAX_MEMBER_LINE, lineno)
            if not raw:
                raise self._error(
                    f"the header announces {count} members; the file ends after {index}",
                    lineno,
                )
            parts = self._fields(raw, want_fields, lineno)
            key, point = self._key(parts[0], last, check_keys, lineno)
            last = key
            balance = self._balance(parts[1], lineno)
            total += balance
            if total >= U64:
                raise self._error("the total of the balances reaches 2^64", lineno, "balance")
            address = None
            if header.has_addresses:
                assert point is not None
                address = self._address(parts[2], point, lineno)
            yield Member(index, key, balance, address)
        if self._fh.read(1):
            raise self._error(
                f"more lines than the {count} members the header announces", count + 2
            )
        self.total = total
        self._done = True

    def _fields(self, raw: bytes, want: int, lineno: int) -> list[bytes]:
        """The line's fields, separated by exactly one space."""
        parts = raw[:-1].split(b" ")
        if len(parts) != want or not all(parts):
            if raw[:-1].endswith(b" ") or raw.startswith(b" ") or b"  " in raw:
                raise self._error("extra space (fields are separated by one space)", lineno)
            names = "key balance address" if want == 3 else "key balance"
            raise self._error(f"expected {want} fields ({names})", lineno)
        return parts

    def _key(
        self, key_hex: bytes, last: bytes, check: bool, lineno: int
    ) -> tuple[bytes, Point | None]:
        """The key's 33 bytes (strictly above ``last``) and, when ``check``, its point."""
        if _KEY.fullmatch(key_hex) is None:
            raise self._error(
                "not a compressed public key (66 lower-case hex digits, prefix 02 or 03)",
                lineno,
                "key",
            )
        key = bytes.fromhex(key_hex.decode("ascii"))
        if key <= last:
            reason = (
                "key appears twice (also on the line before)"
                if key == last
                else "keys are not in ascending order"
            )
            raise self._error(reason, lineno, "key")
        if not check:
            return key, None
        try:
            return key, self.point_type.from_bytes(key)
        except EncodingError as exc:
            raise self._error(str(exc), lineno, "key") from None

    def _balance(self, text: bytes, lineno: int) -> int:
        if _BALANCE.fullmatch(text) is None:
            raise self._error(
                "not a balance in base units (decimal digits, no leading zeros)",
                lineno,
                "balance",
            )
        balance = int(text)
        if balance >= U64:
            raise self._error("balance must be below 2^64", lineno, "balance")
        return balance

    def _address(self, addr: bytes, point: Point, lineno: int) -> str:
        if _ADDRESS.fullmatch(addr) is None:
            raise self._error("not an address (0x and 40 lower-case hex digits)", lineno, "address")
        address = addr.decode("ascii")
        if ethereum_address(point) != address:
            raise self._error(
                "address is not the key's (Keccak-256 of x || y, last 20 bytes)",
                lineno,
                "address",
            )
        return address

    @property
    def digest(self) -> bytes:
        """SHA-256 of the file; available once every member has been read."""
        if not self._done:
            raise ValueError("the digest is known only after the whole set has been read")
        return self._hash.digest()
