"""Making ownership signatures: for the demo, tests and exchanges' own tooling.

Bitcoin: ECDSA with libsecp256k1 (coincurve, RFC 6979 nonces) over the Bitcoin Core message
digest, encoded in the legacy compact format (header 31-34 for compressed P2PKH keys; BIP 137
headers 35-38 for P2SH-P2WPKH and 39-42 for P2WPKH). Addresses are encoded with the
``base58`` and ``bech32`` packages. Ethereum: eth-account's ``sign_message`` (EIP-191).

Spec: docs/spec/reserves.md (section 10).
"""

from __future__ import annotations

import base64

import base58
import bech32
from coincurve import PrivateKey

from zkpor.reserves.bitcoin import hash160, message_digest

__all__ = ["bitcoin_address", "ethereum_address", "sign_bitcoin", "sign_ethereum"]

_VERSIONS = {"bitcoin": (0x00, 0x05, "bc"), "bitcoin-testnet": (0x6F, 0xC4, "tb")}
_HEADER_BASE = {"p2pkh": 31, "p2sh-p2wpkh": 35, "p2wpkh": 39}


def bitcoin_address(secret: bytes, kind: str = "p2wpkh", chain: str = "bitcoin") -> str:
    """The ``kind`` (p2pkh, p2sh-p2wpkh, p2wpkh) address of a private key's compressed key."""
    p2pkh, p2sh, hrp = _VERSIONS[chain]
    pub = PrivateKey(secret).public_key.format(compressed=True)
    h = hash160(pub)
    if kind == "p2pkh":
        return base58.b58encode_check(bytes((p2pkh,)) + h).decode()
    if kind == "p2sh-p2wpkh":
        return base58.b58encode_check(bytes((p2sh,)) + hash160(b"\x00\x14" + h)).decode()
    if kind == "p2wpkh":
        addr = bech32.encode(hrp, 0, h)
        assert addr is not None
        return addr
    raise ValueError(f"unknown address kind {kind!r}")


def sign_bitcoin(secret: bytes, message: str, kind: str = "p2wpkh") -> str:
    """Base64 compact signature of ``message`` in the legacy signmessage format."""
    sig = PrivateKey(secret).sign_recoverable(message_digest(message), hasher=None)
    r_s, recid = sig[:64], sig[64]
    return base64.b64encode(bytes((_HEADER_BASE[kind] + recid,)) + r_s).decode()


def ethereum_address(secret: bytes) -> str:
    """The EIP-55 checksummed address of a private key."""
    from eth_account import Account

    return str(Account.from_key(secret).address)


def sign_ethereum(secret: bytes, message: str) -> str:
    """0x-hex of the 65-byte personal_sign signature of ``message``."""
    from eth_account import Account
    from eth_account.messages import encode_defunct

    signed = Account.sign_message(encode_defunct(text=message), private_key=secret)
    return "0x" + bytes(signed.signature).hex()
