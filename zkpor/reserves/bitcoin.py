"""Bitcoin signed messages, the legacy format of Bitcoin Core's ``signmessage``.

The signed digest is SHA-256d("\\x18Bitcoin Signed Message:\\n" || compact_size(len(m)) || m).
The signature is base64 of 65 bytes: a header byte, then r and s (32 bytes each). The header
carries the recovery id (``(h - 27) % 4``) and the key type:

| header | key and address type |
|---|---|
| 27-30 | uncompressed key, P2PKH |
| 31-34 | compressed key: P2PKH (Bitcoin Core); also used for segwit addresses by Electrum and others |
| 35-38 | compressed key, P2SH-P2WPKH (BIP 137) |
| 39-42 | compressed key, P2WPKH (BIP 137) |

Any other header is refused. ``r`` and ``s`` must be in ``[1, n)``; a high ``s`` is accepted
(Bitcoin Core's ``verifymessage`` accepts it too). The public key is recovered by
:mod:`.ecrecover` (libsecp256k1 through coincurve when it imports, else zkpor's group API);
the address is decoded with the ``base58`` (Base58Check) and ``bech32`` (BIP 173 reference
implementation) packages, for the asset's chain only, and its hash compared with HASH160 of
the recovered key (P2PKH, P2WPKH) or of the P2WPKH redeem script ``0x0014 || HASH160(key)``
(P2SH-P2WPKH).

Spec: docs/spec/reserves.md (section 10).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from typing import Final

import base58
import bech32

from zkpor.errors import VerificationError
from zkpor.reserves.ecrecover import check_range, recover_public_key

__all__ = [
    "NETWORKS",
    "check_network",
    "decode_address",
    "decode_signature",
    "hash160",
    "message_digest",
    "network_of",
    "prepare",
    "recover_key",
    "verify_message",
]

_MAGIC: Final[bytes] = b"\x18Bitcoin Signed Message:\n"
NETWORKS: Final[dict[str, tuple[int, int, str]]] = {
    # chain: (P2PKH version, P2SH version, bech32 hrp)
    "bitcoin": (0x00, 0x05, "bc"),
    "bitcoin-testnet": (0x6F, 0xC4, "tb"),
}


def hash160(data: bytes) -> bytes:
    """RIPEMD-160(SHA-256(data)); pycryptodome's RIPEMD-160 where OpenSSL lacks it."""
    sha = hashlib.sha256(data).digest()
    try:
        return hashlib.new("ripemd160", sha).digest()
    except ValueError:  # OpenSSL 3 without the legacy provider
        from Crypto.Hash import RIPEMD160

        return RIPEMD160.new(sha).digest()


def _compact_size(n: int) -> bytes:
    if n < 0xFD:
        return bytes((n,))
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    if n <= 0xFFFFFFFF:
        return b"\xfe" + n.to_bytes(4, "little")
    return b"\xff" + n.to_bytes(8, "little")


def message_digest(message: str) -> bytes:
    """The 32-byte digest Bitcoin Core signs for ``message``."""
    data = message.encode()
    payload = _MAGIC + _compact_size(len(data)) + data
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()


def network_of(address: str) -> str | None:
    """The chain whose address form ``address`` has (ignoring checksums), or None."""
    low = address.lower()
    for chain, (p2pkh, p2sh, hrp) in NETWORKS.items():
        if low.startswith(hrp + "1"):
            return chain
        try:
            raw = base58.b58decode_check(address)
        except ValueError:
            continue
        if len(raw) == 21 and raw[0] in (p2pkh, p2sh):
            return chain
    return None


def check_network(address: str, chain: str) -> None:
    """Refuse (ValueError) text that is not printable ASCII, an Ethereum address, and an
    address of the other Bitcoin network (10.3)."""
    if not address or not all(0x21 <= ord(c) <= 0x7E for c in address):
        raise ValueError("address must be printable ASCII without spaces")
    if re.fullmatch(r"0x[0-9a-fA-F]{40}", address):
        raise ValueError(f"an Ethereum address cannot hold reserves on chain {chain}")
    other = network_of(address)
    if other is not None and other != chain:
        raise ValueError(f"a {other} address cannot hold reserves on chain {chain}")


def decode_address(address: str, chain: str) -> tuple[str, bytes]:
    """(kind, hash) of a P2PKH, P2SH or P2WPKH address of ``chain``; raises ValueError.

    Only ``chain``'s version bytes and bech32 HRP are accepted: another network's address,
    an Ethereum address, text other than printable ASCII (``base58`` would strip trailing
    white space) and mixed-case bech32 are refused."""
    p2pkh, p2sh, hrp = NETWORKS[chain]
    check_network(address, chain)
    if address.lower().startswith(hrp + "1"):
        if address != address.lower() and address != address.upper():
            raise ValueError("mixed-case bech32 address (BIP 173 allows all lower or all upper)")
        version, program = bech32.decode(hrp, address)
        if version is None or program is None:
            raise ValueError("invalid bech32 address")
        if version != 0 or len(program) != 20:
            raise ValueError("only P2WPKH (version 0, 20-byte) segwit addresses are supported")
        return "p2wpkh", bytes(program)
    try:
        raw = base58.b58decode_check(address)
    except ValueError:
        raise ValueError("invalid Base58Check address") from None
    if len(raw) != 21:
        raise ValueError("invalid address length")
    if raw[0] == p2pkh:
        return "p2pkh", raw[1:]
    if raw[0] == p2sh:
        return "p2sh", raw[1:]
    raise ValueError(f"address version 0x{raw[0]:02x} is not a {chain} P2PKH or P2SH version")


def decode_signature(signature: str) -> tuple[int, int, int]:
    """(header, r, s) of a legacy signature (10.3 steps 2, 3): strict base64 of 65 bytes,
    header 27..42; VerificationError otherwise. The caller checks r and s (step 5,
    :func:`.ecrecover.check_range`) after its header rules (step 4)."""
    try:
        sig = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raise VerificationError("signature is not base64") from None
    if len(sig) != 65:
        raise VerificationError(f"signature must be 65 bytes, got {len(sig)}")
    header = sig[0]
    if not 27 <= header <= 42:
        raise VerificationError(f"signature header {header} out of range 27..42")
    r = int.from_bytes(sig[1:33], "big")
    s = int.from_bytes(sig[33:], "big")
    return header, r, s


def recover_key(message: str, header: int, r: int, s: int) -> bytes:
    """The public key a legacy signature recovers over ``message``: 33 bytes compressed for
    headers 31-42, 65 bytes uncompressed for 27-30 (VerificationError if none)."""
    x, y = recover_public_key(message_digest(message), r, s, (header - 27) % 4)
    if header >= 31:
        return bytes((2 | (y & 1),)) + x.to_bytes(32, "big")
    return b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")


def prepare(address: str, signature: str, chain: str = "bitcoin") -> Callable[[str], bool]:
    """Check the address (for ``chain``) and the signature's form; return
    ``signed(message)``, true when the signature recovers a key of ``address`` over
    ``message``. Raises VerificationError for a bad address or signature (either call)."""
    try:
        kind, want = decode_address(address, chain)
    except ValueError as exc:
        raise VerificationError(f"address: {exc}") from None
    header, r, s = decode_signature(signature)
    compressed = header >= 31
    if (35 <= header <= 38 and kind != "p2sh") or (39 <= header <= 42 and kind != "p2wpkh"):
        raise VerificationError("signature header does not match the address type")
    if not compressed and kind != "p2pkh":
        raise VerificationError("segwit addresses need a compressed key")
    check_range(r, s)

    def signed(message: str) -> bool:
        pub = recover_key(message, header, r, s)
        # P2SH-P2WPKH: the script hash is of the redeem script OP_0 <20-byte key hash>
        got = hash160(pub) if kind != "p2sh" else hash160(b"\x00\x14" + hash160(pub))
        return got == want

    return signed


def verify_message(address: str, message: str, signature: str, chain: str = "bitcoin") -> None:
    """Raise VerificationError unless ``signature`` by ``address``'s key signs ``message``."""
    if not prepare(address, signature, chain)(message):
        raise VerificationError("signature was not made by this address's key over this message")
