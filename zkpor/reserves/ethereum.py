"""Ethereum ``personal_sign`` (EIP-191, version 0x45) ownership signatures.

For a message ``m`` (its UTF-8 bytes) the signed digest is::

    Keccak-256(0x19 || "Ethereum Signed Message:\\n" || decimal(len(m)) || m)

The signature is ``0x`` and 130 hex digits: ``r || s || v``, 65 bytes. ``v`` is 27 or 28
(recovery id ``v - 27``), or 0 or 1 (the recovery id itself, as some hardware wallets
write it); any other ``v`` (EIP-155 values included: they are for transactions) is refused.
The key is recovered by :mod:`.ecrecover` (high ``s`` accepted, as the ``ecrecover``
precompile does), and the address is the last 20 bytes of Keccak-256 of its 64-byte
``x || y``. Keccak-256 is pycryptodome's (the original Keccak padding, not SHA3-256).

An address is ``0x`` and 40 hex digits; when its digits mix cases it must carry the EIP-55
checksum (:mod:`zkpor.formats.eip55`). No eth-account or eth-utils here
(the lightweight verifier runs this).

Spec: docs/spec/reserves.md (section 10).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from zkpor.errors import VerificationError
from zkpor.formats.eip55 import keccak256, to_checksum_address
from zkpor.reserves.ecrecover import check_range, recover_public_key

__all__ = [
    "keccak256",
    "message_digest",
    "prepare",
    "to_checksum_address",
    "verify_personal_sign",
]

_ADDRESS: Final = re.compile(r"0x[0-9a-fA-F]{40}")
_SIG: Final = re.compile(r"0x[0-9a-fA-F]{130}")
_V_RECID: Final[dict[int, int]] = {27: 0, 28: 1, 0: 0, 1: 1}


def message_digest(message: str) -> bytes:
    """The EIP-191 version 0x45 digest of ``message``."""
    m = message.encode("utf-8")
    return keccak256(b"\x19Ethereum Signed Message:\n" + str(len(m)).encode() + m)


def address_of_key(x: int, y: int) -> bytes:
    """The 20-byte address of the public key (x, y)."""
    return keccak256(x.to_bytes(32, "big") + y.to_bytes(32, "big"))[12:]


def check_address(address: str) -> bytes:
    """The 20 bytes of ``address``; raises VerificationError (message starts ``address:``)."""
    if not _ADDRESS.fullmatch(address):
        raise VerificationError("address: not a 0x-prefixed 20-byte hex address")
    body = address[2:]
    if body != body.lower() and body != body.upper() and to_checksum_address(address) != address:
        raise VerificationError("address: bad EIP-55 checksum")
    return bytes.fromhex(body)


def prepare(address: str, signature: str) -> Callable[[str], bool]:
    """Check the address and the signature's form; return ``signed(message)``, true when the
    signature recovers ``address``'s key over ``message``. Raises VerificationError for a
    bad address or signature (either call)."""
    want = check_address(address)
    if not _SIG.fullmatch(signature):
        raise VerificationError("signature must be 0x-prefixed hex of 65 bytes")
    raw = bytes.fromhex(signature[2:])
    r = int.from_bytes(raw[:32], "big")
    s = int.from_bytes(raw[32:64], "big")
    check_range(r, s)
    v = raw[64]
    recid = _V_RECID.get(v)
    if recid is None:
        raise VerificationError(f"signature v is {v}: only 27, 28, 0 or 1 are accepted")

    def signed(message: str) -> bool:
        x, y = recover_public_key(message_digest(message), r, s, recid)
        return address_of_key(x, y) == want

    return signed


def verify_personal_sign(address: str, message: str, signature: str) -> None:
    """Raise VerificationError unless ``signature`` is ``address``'s personal_sign of
    ``message``."""
    if not prepare(address, signature)(message):
        raise VerificationError("signature was not made by this address's key over this message")
