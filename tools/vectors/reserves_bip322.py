"""reserves.json's BIP-322 cases (docs/spec/reserves.md 10.9): the forms and sighash types
of a key-path P2TR signature, a testnet P2TR address, and the refused forms.

Each case is an ``OwnershipSignatureTest`` of reserves.json: (comment, flags, chain,
address, signature). The key is SHA-256("btc-tr0"), as in manifest.json's Taproot round;
every Schnorr signature uses 32 zero bytes of auxiliary randomness, so each is reproducible.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any, Final

from tools.vectors.base import EXCHANGE, ROUND_A

Case = tuple[str, tuple[str, ...], str, str, str]

_SECRET: Final = hashlib.sha256(b"btc-tr0").digest()


def _signer(chain: str) -> tuple[str, Any]:
    """The P2TR address of the key on ``chain`` and a function (sighash type, append the
    type byte, full form) -> the signature text."""
    from coincurve import PrivateKey

    from zkpor.reserves import bip322
    from zkpor.reserves.message import ownership_message

    core = bip322._core()
    ec, script = bip322._embit("ec"), bip322._embit("script")
    witness_mod = bip322._embit("script")
    address = bip322.p2tr_address(_SECRET, chain)
    message = ownership_message(EXCHANGE, ROUND_A, address).encode("utf-8")
    key = ec.PrivateKey(_SECRET)
    spk = script.p2tr(key.get_public_key())
    to_sign = core.build_to_sign(core.build_to_spend(message, spk.data).txid())
    tweaked = key.taproot_tweak(b"").secret

    def sign(sighash: int, append: bool, full: bool = False) -> str:
        digest = to_sign.sighash_taproot(0, [spk], [0], sighash=sighash)
        sig = PrivateKey(tweaked).sign_schnorr(digest, aux_randomness=bytes(32))
        item = sig + bytes([sighash]) if append else sig
        if not full:
            text: str = core.encode_simple([item])
            return text
        to_sign.vin[0].witness = witness_mod.Witness([item])
        return "ful" + base64.b64encode(to_sign.serialize()).decode()

    return address, sign


def bip322_cases() -> list[Case]:
    """The cases, in file order."""
    from tools.vectors.reserves_signing import btc_sign

    address, sign = _signer("bitcoin")
    testnet, sign_test = _signer("bitcoin-testnet")
    simple = sign(0x01, True)
    raw = base64.b64decode(simple.removeprefix("smp"))
    form = ("Bip322", "Bip322Form")
    refused = ("Bip322", "Bip322Refused")
    legacy = btc_sign(_SECRET, f"zkpor proof of reserves\nexchange: {EXCHANGE}\n", 31)
    return [
        (
            "P2TR key path: simple, 65 bytes, SIGHASH_ALL (0x01)",
            ("Valid", *form),
            "bitcoin",
            address,
            simple,
        ),
        (
            "P2TR key path: simple, 64 bytes (SIGHASH_DEFAULT), no prefix",
            ("Valid", *form),
            "bitcoin",
            address,
            sign(0x00, False).removeprefix("smp"),
        ),
        (
            "P2TR key path: full (the signed to_sign transaction, prefix ful)",
            ("Valid", *form),
            "bitcoin",
            address,
            sign(0x01, True, full=True),
        ),
        (
            "P2TR on bitcoin-testnet (tb1p)",
            ("Valid", *form),
            "bitcoin-testnet",
            testnet,
            sign_test(0x01, True),
        ),
        (
            "a testnet P2TR address on chain bitcoin",
            ("Bip322", "WrongChain"),
            "bitcoin",
            testnet,
            sign_test(0x01, True),
        ),
        (
            "P2TR: 65 bytes with an explicit 0x00 (SIGHASH_DEFAULT must be 64 bytes)",
            refused,
            "bitcoin",
            address,
            sign(0x00, True),
        ),
        ("P2TR: SIGHASH_NONE (0x02)", refused, "bitcoin", address, sign(0x02, True)),
        ("P2TR: SIGHASH_SINGLE (0x03)", refused, "bitcoin", address, sign(0x03, True)),
        ("P2TR: SIGHASH_ALL|ANYONECANPAY (0x81)", refused, "bitcoin", address, sign(0x81, True)),
        (
            "P2TR: the simple signature with the prefix pof (proof of funds)",
            refused,
            "bitcoin",
            address,
            "pof" + base64.b64encode(raw).decode(),
        ),
        ("P2TR: a 65-byte legacy compact signature (10.3)", refused, "bitcoin", address, legacy),
    ]
