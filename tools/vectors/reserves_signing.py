"""How reserves.json's signatures are made (docs/spec/reserves.md, 10.2 to 10.4): keys that
are SHA-256 of ASCII strings (``btc0``, ``eth0``, ...), the addresses of the cases by name,
Bitcoin legacy signatures with a chosen header and Ethereum personal_sign (RFC 6979 nonces:
the file is reproducible), and the tweaks that make the invalid ones.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from tools.vectors.base import EXCHANGE, ROUND_A
from zkpor.crypto.group import N


def key(name: str) -> bytes:
    """The private key SHA-256(``name``)."""
    return hashlib.sha256(name.encode()).digest()


def ownership(address: str, exchange: str = EXCHANGE, round_id: str = ROUND_A) -> str:
    """The ownership message (10.2) of ``address``."""
    from zkpor.reserves.message import ownership_message

    return ownership_message(exchange, round_id, address)


def btc_sign(secret: bytes, message: str, base: int) -> str:
    """Legacy compact signature with header ``base + recid`` (27 uncompressed P2PKH, 31
    compressed, 35 P2SH-P2WPKH, 39 P2WPKH)."""
    from coincurve import PrivateKey

    from zkpor.reserves.bitcoin import message_digest

    sig = PrivateKey(secret).sign_recoverable(message_digest(message), hasher=None)
    return base64.b64encode(bytes((base + sig[64],)) + sig[:64]).decode()


def uncompressed_p2pkh(secret: bytes, version: int = 0x00) -> str:
    """The P2PKH address of the uncompressed public key (version 0x6f: testnet)."""
    import base58
    from coincurve import PrivateKey

    from zkpor.reserves.bitcoin import hash160

    pub = PrivateKey(secret).public_key.format(compressed=False)
    return base58.b58encode_check(bytes((version,)) + hash160(pub)).decode()


@functools.cache
def addresses() -> dict[str, str]:
    """The addresses of the OwnershipSignatureTest cases, by name: keys btc0 to btc3 (P2PKH,
    P2SH-P2WPKH, P2WPKH, uncompressed P2PKH), their testnet forms, eth0's, and writings of
    them that are not addresses."""
    from zkpor.reserves.signing import bitcoin_address, ethereum_address

    k0, k1, k2, k3 = (key(f"btc{i}") for i in range(4))
    p2pkh = bitcoin_address(k0, "p2pkh")
    p2wpkh = bitcoin_address(k2, "p2wpkh")
    mixed = p2wpkh[:10] + p2wpkh[10:20].upper() + p2wpkh[20:]
    assert mixed not in (p2wpkh, p2wpkh.upper())
    eth = ethereum_address(key("eth0"))
    flip = next(i for i, c in enumerate(eth) if i >= 2 and c.isalpha())
    return {
        "p2pkh": p2pkh,
        "p2sh-p2wpkh": bitcoin_address(k1, "p2sh-p2wpkh"),
        "p2wpkh": p2wpkh,
        "uncompressed": uncompressed_p2pkh(k3),
        "p2wpkh-upper": p2wpkh.upper(),
        **{
            f"testnet-{kind}": bitcoin_address(k0, kind, "bitcoin-testnet")
            for kind in ("p2pkh", "p2sh-p2wpkh", "p2wpkh")
        },
        "testnet-uncompressed": uncompressed_p2pkh(k3, 0x6F),
        "p2wpkh-mixed-case": mixed,
        "p2pkh-bad-checksum": p2pkh[:-1] + ("2" if p2pkh[-1] != "2" else "3"),
        "eth": eth,
        "eth-lower": "0x" + eth[2:].lower(),
        "eth-upper": "0x" + eth[2:].upper(),
        "eth-bad-checksum": eth[:flip] + eth[flip].swapcase() + eth[flip + 1 :],
        "eth-0X": "0X" + eth[2:],
        "eth-39-digits": eth[:-1],
    }


@dataclass(frozen=True)
class Signed:
    """How a case's signature is made: with the key SHA-256(``key``), over the ownership
    message of the case's address for ``round_id`` with ``suffix`` appended; a Bitcoin
    legacy signature with header ``header + recid``, or an Ethereum personal_sign when
    ``header`` is None; then ``tweak`` applied to its text."""

    key: str
    header: int | None = None
    round_id: str = ROUND_A
    suffix: str = ""
    tweak: Callable[[str], str] | None = None

    def sign(self, address: str) -> str:
        from zkpor.reserves.signing import sign_ethereum

        message = ownership(address, round_id=self.round_id) + self.suffix
        secret = key(self.key)
        if self.header is None:
            sig = sign_ethereum(secret, message)
        else:
            sig = btc_sign(secret, message, self.header)
        return sig if self.tweak is None else self.tweak(sig)


# --- tweaks of a signature's text -----------------------------------------------------------


def high_s_btc(sig: str) -> str:
    """The Bitcoin signature with s replaced by n - s and the recovery id flipped (it still
    verifies)."""
    raw = bytearray(base64.b64decode(sig))
    base = 27 + ((raw[0] - 27) // 4) * 4
    s = int.from_bytes(raw[33:], "big")
    raw[33:] = (N - s).to_bytes(32, "big")
    raw[0] = base + (((raw[0] - 27) % 4) ^ 1)
    return base64.b64encode(bytes(raw)).decode()


def _eth(sig: str, *, v: int | None = None, high_s: bool = False) -> str:
    raw = bytearray(bytes.fromhex(sig[2:]))
    if high_s:
        s = int.from_bytes(raw[32:64], "big")
        raw[32:64] = (N - s).to_bytes(32, "big")
        raw[64] = 27 + ((raw[64] - 27) ^ 1)
    if v is not None:
        raw[64] = v
    return "0x" + raw.hex()


def raw_tweak(edit: Callable[[bytes], bytes]) -> Callable[[str], str]:
    """A tweak of a Bitcoin signature's bytes (base64)."""
    return lambda sig: base64.b64encode(edit(base64.b64decode(sig))).decode()


def header_tweak(header: int) -> Callable[[str], str]:
    """A Bitcoin signature with header byte ``header``."""
    return raw_tweak(lambda raw: bytes((header,)) + raw[1:])


def url_safe(sig: str) -> str:
    """The base64 text in the URL-safe alphabet (it has a '+' or '/' to change)."""
    assert "+" in sig or "/" in sig
    return sig.replace("+", "-").replace("/", "_")


def v_is_recid(sig: str) -> str:
    """The Ethereum signature with v the recovery id itself (0 or 1, not 27 or 28)."""
    return _eth(sig, v=bytes.fromhex(sig[2:])[64] - 27)


def v_is_other_recid(sig: str) -> str:
    """The Ethereum signature with v the other recovery id (1 or 0)."""
    return _eth(sig, v=1 - (bytes.fromhex(sig[2:])[64] - 27))


def eth_v(v: int) -> Callable[[str], str]:
    """The Ethereum signature with v set to ``v``."""
    return lambda sig: _eth(sig, v=v)


def high_s_eth(sig: str) -> str:
    """The Ethereum signature with s replaced by n - s and v flipped (it still verifies)."""
    return _eth(sig, high_s=True)
