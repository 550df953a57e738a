"""reserves.json: reserve addresses and their ownership signatures (docs/spec.md 10.2-10.5).

``OwnershipSignatureTest``: one address on one chain with its signature over the ownership
message of (exchange, round, address). A valid test gives the message and what the address
designates (the duplicate-address key of 10.5); an invalid one must be refused.

``MessageDiagnosisTest``: a well-formed signature checked as ``zkpor prove`` checks a
snapshot (10.5 step 3.5): ``diagnosis`` is the first wrong message it verifies over, in the
spec's order, ``"expected"`` when it verifies over the expected message, or null.

Keys are SHA-256 of ASCII strings (``btc0``, ``eth0``, ...); signatures use RFC 6979 nonces,
so the file is reproducible.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from typing import Final

from tools.vectors.base import EXCHANGE, ROUND_A, VectorFile
from tools.vectors.schemaparts import STR, GroupSpec, Schema, _nullable
from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.group import N
from zkpor.vectors.checkbase import Json
from zkpor.vectors.checkers import CHECKERS

_OTHER_ROUND = "2026-10-31"


def _key(name: str) -> bytes:
    return hashlib.sha256(name.encode()).digest()


def _message(address: str, exchange: str = EXCHANGE, round_id: str = ROUND_A) -> str:
    from zkpor.reserves.message import ownership_message

    return ownership_message(exchange, round_id, address)


def _btc_sign(secret: bytes, message: str, base: int) -> str:
    """Legacy compact signature with header ``base + recid`` (27 uncompressed P2PKH, 31
    compressed, 35 P2SH-P2WPKH, 39 P2WPKH)."""
    from coincurve import PrivateKey

    from zkpor.reserves.bitcoin import message_digest

    sig = PrivateKey(secret).sign_recoverable(message_digest(message), hasher=None)
    return base64.b64encode(bytes((base + sig[64],)) + sig[:64]).decode()


def _uncompressed_p2pkh(secret: bytes, version: int = 0x00) -> str:
    import base58
    from coincurve import PrivateKey

    from zkpor.reserves.bitcoin import hash160

    pub = PrivateKey(secret).public_key.format(compressed=False)
    return base58.b58encode_check(bytes((version,)) + hash160(pub)).decode()


def _high_s_btc(sig: str) -> str:
    raw = bytearray(base64.b64decode(sig))
    base = 27 + ((raw[0] - 27) // 4) * 4
    s = int.from_bytes(raw[33:], "big")
    raw[33:] = (N - s).to_bytes(32, "big")
    raw[0] = base + (((raw[0] - 27) % 4) ^ 1)
    return base64.b64encode(bytes(raw)).decode()


def _with_raw(sig: str, change: dict[int, int]) -> str:
    raw = bytearray(base64.b64decode(sig))
    for i, v in change.items():
        raw[i] = v
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


@functools.cache
def _cases() -> list[tuple[str, list[str], str, str, str, str, str, str]]:
    """(comment, flags, result, exchange, round, chain, address, signature)."""
    from zkpor.reserves.signing import bitcoin_address, ethereum_address, sign_ethereum

    out: list[tuple[str, list[str], str, str, str, str, str, str]] = []

    def add(comment: str, flags: list[str], result: str, chain: str, addr: str, sig: str) -> None:
        out.append((comment, flags, result, EXCHANGE, ROUND_A, chain, addr, sig))

    k0, k1, k2, k3 = (_key(f"btc{i}") for i in range(4))
    p2pkh = bitcoin_address(k0, "p2pkh")
    p2sh = bitcoin_address(k1, "p2sh-p2wpkh")
    p2wpkh = bitcoin_address(k2, "p2wpkh")
    sig_p2pkh = _btc_sign(k0, _message(p2pkh), 31)
    sig_p2sh = _btc_sign(k1, _message(p2sh), 35)
    sig_p2wpkh = _btc_sign(k2, _message(p2wpkh), 39)
    ok = ["Valid"]
    edge = ["Valid", "EdgeCase"]
    add("P2PKH, header 31-34 (docs/spec.md 10.1)", ["Valid", "KnownAnswer"], "valid",
        "bitcoin", p2pkh, sig_p2pkh)  # fmt: skip
    add("P2SH-P2WPKH, BIP 137 header 35-38", ok, "valid", "bitcoin", p2sh, sig_p2sh)
    add("P2WPKH, BIP 137 header 39-42", ok, "valid", "bitcoin", p2wpkh, sig_p2wpkh)
    add("P2WPKH signed with header 31-34 (Electrum)", edge, "valid", "bitcoin", p2wpkh,
        _btc_sign(k2, _message(p2wpkh), 31))  # fmt: skip
    add("P2SH-P2WPKH signed with header 31-34", edge, "valid", "bitcoin", p2sh,
        _btc_sign(k1, _message(p2sh), 31))  # fmt: skip
    unc = _uncompressed_p2pkh(k3)
    add("P2PKH of an uncompressed key, header 27-30", edge, "valid", "bitcoin", unc,
        _btc_sign(k3, _message(unc), 27))  # fmt: skip
    add("P2PKH with a high s (n - s, recovery id flipped)", edge, "valid", "bitcoin", p2pkh,
        _high_s_btc(sig_p2pkh))  # fmt: skip
    upper = p2wpkh.upper()
    add("P2WPKH in upper case, the upper-case text signed", edge, "valid", "bitcoin", upper,
        _btc_sign(k2, _message(upper), 39))  # fmt: skip
    for kind, base in (("p2pkh", 31), ("p2sh-p2wpkh", 35), ("p2wpkh", 39)):
        addr = bitcoin_address(k0, kind, "bitcoin-testnet")
        add(f"testnet {kind.upper()} on chain bitcoin-testnet", ok, "valid", "bitcoin-testnet",
            addr, _btc_sign(k0, _message(addr), base))  # fmt: skip
    unc_t = _uncompressed_p2pkh(k3, 0x6F)
    add("testnet P2PKH of an uncompressed key", edge, "valid", "bitcoin-testnet", unc_t,
        _btc_sign(k3, _message(unc_t), 27))  # fmt: skip

    # invalid Bitcoin addresses and chains
    mixed = p2wpkh[:10] + p2wpkh[10:20].upper() + p2wpkh[20:]
    assert mixed not in (p2wpkh, p2wpkh.upper())
    add("mixed-case bech32, the mixed text signed", ["InvalidAddress"], "invalid", "bitcoin",
        mixed, _btc_sign(k2, _message(mixed), 39))  # fmt: skip
    t_wpkh = bitcoin_address(k0, "p2wpkh", "bitcoin-testnet")
    t_pkh = bitcoin_address(k0, "p2pkh", "bitcoin-testnet")
    add("a testnet P2WPKH (tb1) on chain bitcoin", ["WrongChain"], "invalid", "bitcoin",
        t_wpkh, _btc_sign(k0, _message(t_wpkh), 39))  # fmt: skip
    add("a testnet P2PKH (m/n) on chain bitcoin", ["WrongChain"], "invalid", "bitcoin",
        t_pkh, _btc_sign(k0, _message(t_pkh), 31))  # fmt: skip
    add("a mainnet P2WPKH (bc1) on chain bitcoin-testnet", ["WrongChain"], "invalid",
        "bitcoin-testnet", p2wpkh, sig_p2wpkh)  # fmt: skip
    add("a mainnet P2PKH on chain bitcoin-testnet", ["WrongChain"], "invalid",
        "bitcoin-testnet", p2pkh, sig_p2pkh)  # fmt: skip
    eth_key = _key("eth0")
    eth = ethereum_address(eth_key)
    eth_sig = sign_ethereum(eth_key, _message(eth))
    add("an Ethereum address on chain bitcoin", ["WrongChain"], "invalid", "bitcoin", eth,
        eth_sig)  # fmt: skip
    add("a Bitcoin P2PKH address on chain ethereum", ["WrongChain"], "invalid", "ethereum",
        p2pkh, sig_p2pkh)  # fmt: skip
    add("a Bitcoin P2WPKH address on chain ethereum", ["WrongChain"], "invalid", "ethereum",
        p2wpkh, sig_p2wpkh)  # fmt: skip
    bad_sum = p2pkh[:-1] + ("2" if p2pkh[-1] != "2" else "3")
    add("P2PKH with a bad Base58Check checksum", ["InvalidAddress"], "invalid", "bitcoin",
        bad_sum, _btc_sign(k0, _message(bad_sum), 31))  # fmt: skip
    # invalid Bitcoin signatures
    add("an uncompressed key's P2PKH with a compressed header (31-34)", ["BadSignature"],
        "invalid", "bitcoin", unc, _btc_sign(k3, _message(unc), 31))  # fmt: skip
    add("a compressed key's P2PKH with an uncompressed header (27-30)", ["BadSignature"],
        "invalid", "bitcoin", p2pkh, _btc_sign(k0, _message(p2pkh), 27))  # fmt: skip
    add("P2WPKH with an uncompressed header (27-30)", ["InvalidSignatureEncoding"], "invalid",
        "bitcoin", p2wpkh, _btc_sign(k2, _message(p2wpkh), 27))  # fmt: skip
    add("P2PKH with a P2WPKH header (39-42)", ["InvalidSignatureEncoding"], "invalid",
        "bitcoin", p2pkh, _btc_sign(k0, _message(p2pkh), 39))  # fmt: skip
    add("P2WPKH with a P2SH-P2WPKH header (35-38)", ["InvalidSignatureEncoding"], "invalid",
        "bitcoin", p2wpkh, _btc_sign(k2, _message(p2wpkh), 35))  # fmt: skip
    for header in (26, 43, 0, 255):
        add(f"header {header}", ["InvalidSignatureEncoding"], "invalid", "bitcoin", p2pkh,
            _with_raw(sig_p2pkh, {0: header}))  # fmt: skip
    sig_bytes = base64.b64decode(sig_p2pkh)
    add("r = 0", ["InvalidSignatureEncoding"], "invalid", "bitcoin", p2pkh,
        base64.b64encode(sig_bytes[:1] + bytes(32) + sig_bytes[33:]).decode())  # fmt: skip
    add("s = n", ["InvalidSignatureEncoding"], "invalid", "bitcoin", p2pkh,
        base64.b64encode(sig_bytes[:33] + N.to_bytes(32, "big")).decode())  # fmt: skip
    assert "+" in sig_p2pkh or "/" in sig_p2pkh
    variants = (
        ("base64 without its '=' padding", sig_p2pkh.rstrip("=")),
        ("base64 with an extra '='", sig_p2pkh + "="),
        ("base64 with a LF inside", sig_p2pkh[:40] + "\n" + sig_p2pkh[40:]),
        ("base64 with a leading space", " " + sig_p2pkh),
        ("base64 with a trailing LF", sig_p2pkh + "\n"),
        ("the URL-safe base64 alphabet ('-', '_')", sig_p2pkh.replace("+", "-").replace("/", "_")),
        ("64 bytes (the header dropped)", base64.b64encode(sig_bytes[1:]).decode()),
        ("66 bytes (a zero byte appended)", base64.b64encode(sig_bytes + b"\x00").decode()),
    )
    for comment, sig in variants:
        add(comment, ["InvalidSignatureEncoding"], "invalid", "bitcoin", p2pkh, sig)
    add("over the message with a trailing LF", ["BadSignature"], "invalid", "bitcoin", p2pkh,
        _btc_sign(k0, _message(p2pkh) + "\n", 31))  # fmt: skip
    add("another key's signature", ["BadSignature"], "invalid", "bitcoin", p2pkh,
        _btc_sign(_key("btc9"), _message(p2pkh), 31))  # fmt: skip

    # Ethereum
    add("EIP-55 checksummed address, v = 27/28 (docs/spec.md 10.1)", ["Valid", "KnownAnswer"],
        "valid", "ethereum", eth, eth_sig)  # fmt: skip
    lower, upper_e = "0x" + eth[2:].lower(), "0x" + eth[2:].upper()
    add("all lower-case address (no checksum), that text signed", edge, "valid", "ethereum",
        lower, sign_ethereum(eth_key, _message(lower)))  # fmt: skip
    add("all upper-case hex digits (no checksum), that text signed", edge, "valid", "ethereum",
        upper_e, sign_ethereum(eth_key, _message(upper_e)))  # fmt: skip
    v = bytes.fromhex(eth_sig[2:])[64]
    add(f"v = {v - 27} (the recovery id itself)", edge, "valid", "ethereum", eth,
        _eth(eth_sig, v=v - 27))  # fmt: skip
    hs = _eth(eth_sig, high_s=True)
    add("a high s (n - s, v flipped)", edge, "valid", "ethereum", eth, hs)
    hv = bytes.fromhex(hs[2:])[64]
    add(f"a high s with v = {hv - 27}", edge, "valid", "ethereum", eth, _eth(hs, v=hv - 27))
    add("the signature's hex digits in upper case", edge, "valid", "ethereum", eth,
        "0x" + eth_sig[2:].upper())  # fmt: skip
    flip = next(i for i, c in enumerate(eth) if i >= 2 and c.isalpha())
    bad_case = eth[:flip] + eth[flip].swapcase() + eth[flip + 1 :]
    add("one letter's case changed: an invalid EIP-55 checksum", ["InvalidAddress"], "invalid",
        "ethereum", bad_case, sign_ethereum(eth_key, _message(bad_case)))  # fmt: skip
    add("'0X' prefix", ["InvalidAddress"], "invalid", "ethereum", "0X" + eth[2:],
        sign_ethereum(eth_key, _message("0X" + eth[2:])))  # fmt: skip
    add("an address of 39 hex digits", ["InvalidAddress"], "invalid", "ethereum", eth[:-1],
        sign_ethereum(eth_key, _message(eth[:-1])))  # fmt: skip
    other_v = 1 - (v - 27)
    for value, comment in (
        (other_v, "the other recovery id as v"),
        (2, "v = 2"),
        (29, "v = 29"),
        (37, "v = 37 (EIP-155, chain id 1)"),
    ):
        flags = ["BadSignature"] if value == other_v else ["InvalidSignatureEncoding"]
        add(comment, flags, "invalid", "ethereum", eth, _eth(eth_sig, v=value))
    add("signature without '0x'", ["InvalidSignatureEncoding"], "invalid", "ethereum", eth,
        eth_sig[2:])  # fmt: skip
    add("signature of 64 bytes", ["InvalidSignatureEncoding"], "invalid", "ethereum", eth,
        eth_sig[:-2])  # fmt: skip
    add("a signature made for another round", ["BadSignature"], "invalid", "ethereum", eth,
        sign_ethereum(eth_key, _message(eth, round_id=_OTHER_ROUND)))  # fmt: skip
    return out


def generate(gens: GeneratorSet) -> Json:
    from zkpor.reserves.addresses import address_key

    f = VectorFile(
        "reserves",
        "zkpor reserve addresses and ownership signatures (docs/spec.md 10.2-10.5)",
        [
            "OwnershipSignatureTest: inputs exchange, round_id, chain, address, signature. A",
            "valid test's outputs: 'message', the ownership message (10.2), and 'designates',",
            "what the address stands for in the duplicate rule of 10.5 (Bitcoin: TYPE:HASH160",
            "hex, TYPE p2pkh, p2sh or p2wpkh; Ethereum: the address in lower case).",
            "MessageDiagnosisTest: header_exchange, header_round as a snapshot names them;",
            "output 'diagnosis' (10.5 step 3.5).",
        ],
    )
    g = f.group("OwnershipSignatureTest")
    for comment, flags, result, exchange, round_id, chain, address, signature in _cases():
        fields: Json = {
            "exchange": exchange,
            "round_id": round_id,
            "chain": chain,
            "address": address,
            "signature": signature,
        }
        if result == "valid":
            fields["message"] = _message(address, exchange, round_id)
            fields["designates"] = address_key(chain, address)
        g.add(comment, flags, result, **fields)

    from zkpor.reserves.signing import bitcoin_address

    g = f.group("MessageDiagnosisTest")
    k0 = _key("btc0")
    addr = bitcoin_address(k0, "p2pkh")
    good = _message(addr)
    for comment, message, diagnosis in (
        ("the expected message", good, "expected"),
        ("a trailing LF", good + "\n", "a trailing LF"),
        ("a trailing CRLF", good + "\r\n", "a trailing CRLF"),
        ("CRLF line ends", good.replace("\n", "\r\n"), "CRLF line ends"),
        (
            "the snapshot header's round",
            _message(addr, round_id=_OTHER_ROUND),
            f"round '{_OTHER_ROUND}' of the snapshot header",
        ),
        (
            "the snapshot header's round and a trailing LF",
            _message(addr, round_id=_OTHER_ROUND) + "\n",
            f"round '{_OTHER_ROUND}' of the snapshot header and a trailing LF",
        ),
        (
            "the snapshot header's exchange",
            _message(addr, exchange="Other Exchange"),
            "exchange 'Other Exchange' of the snapshot header",
        ),
        (
            "the header's exchange and round",
            _message(addr, "Other Exchange", _OTHER_ROUND),
            f"round '{_OTHER_ROUND}' of the snapshot header and exchange 'Other Exchange' of "
            "the snapshot header",
        ),
        ("a trailing space: not one of the tried variants", good + " ", None),
        ("a LF in front: not tried", "\n" + good, None),
    ):
        g.add(
            comment,
            ["Valid"],
            "valid",
            exchange=EXCHANGE,
            round_id=ROUND_A,
            header_exchange="Other Exchange",
            header_round=_OTHER_ROUND,
            chain="bitcoin",
            address=addr,
            signature=_btc_sign(k0, message, 31),
            diagnosis=diagnosis,
        )
    return f.to_json()


_ADDRESS_FIELDS = {"exchange": STR, "round_id": STR, "chain": STR, "address": STR, "signature": STR}

SPECS: dict[str, tuple[str, dict[str, GroupSpec]]] = {
    "reserves": (
        "reserve ownership signature vectors",
        {
            "OwnershipSignatureTest": ({}, _ADDRESS_FIELDS, {"message": STR, "designates": STR}),
            "MessageDiagnosisTest": (
                {},
                {**_ADDRESS_FIELDS, "header_exchange": STR, "header_round": STR},
                {"diagnosis": _nullable(STR)},
            ),
        },
    )
}

NAME: Final = "reserves"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of reserves.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
