"""Making multisig ownership proofs (docs/spec/reserves.md 10.11): for the demo, the tests
and the vectors; exchanges sign with their custody tools.

- :func:`multisig_script`: the standard ``OP_m <keys> OP_n OP_CHECKMULTISIG`` of compressed
  keys (minimal number pushes); :func:`.multisig.script_address` gives its address.
- :func:`sign_keys`: the second way, one legacy signed message per key (10.3, header 31-34,
  RFC 6979 nonces through libsecp256k1).
- :func:`sign_bip322`: the first way, a BIP-322 signature of a P2SH (full), P2SH-P2WSH
  (full) or P2WSH (simple) multisig address: the legacy (P2SH) or BIP-143 signature hash of
  ``to_sign`` with SIGHASH_ALL, strict-DER low-S ECDSA by the first ``m`` keys in script
  order, ``OP_0`` dummy first.
- :func:`tapscript_multisig`, :func:`tapscript_address`, :func:`sign_tapscript`: a Taproot
  address whose one leaf is an ``OP_CHECKSIGADD`` m-of-n script under the BIP-341 NUMS
  internal key (no key path), and its BIP-322 script-path signature (BIP-342 signature
  hash, BIP-340 Schnorr with zero auxiliary randomness; deterministic).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Final

from coincurve import PrivateKey, PublicKey

from zkpor.reserves.bitcoin import NETWORKS
from zkpor.reserves.signing import sign_bitcoin

__all__ = [
    "NUMS_KEY",
    "multisig_script",
    "sign_bip322",
    "sign_keys",
    "sign_tapscript",
    "tapscript_address",
    "tapscript_multisig",
]

#: BIP-341's suggested internal key with no known discrete log (lift_x of SHA-256 of G).
NUMS_KEY: Final = bytes.fromhex("50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0")


def _number(value: int) -> bytes:
    return bytes((0x50 + value,)) if 1 <= value <= 16 else bytes((1, value))


def _push(data: bytes) -> bytes:
    if len(data) <= 0x4B:
        return bytes((len(data),)) + data
    if len(data) <= 0xFF:
        return b"\x4c" + bytes((len(data),)) + data
    return b"\x4d" + len(data).to_bytes(2, "little") + data


def public_key(secret: bytes) -> bytes:
    """The 33-byte compressed key of a private key."""
    return PrivateKey(secret).public_key.format(compressed=True)


def multisig_script(keys: Sequence[bytes], m: int) -> bytes:
    """``OP_m <k_1> ... <k_n> OP_n OP_CHECKMULTISIG`` for 33-byte keys (in the given order)."""
    return _number(m) + b"".join(b"\x21" + k for k in keys) + _number(len(keys)) + b"\xae"


def sign_keys(secrets: Sequence[bytes], message: str) -> list[str]:
    """One legacy signed message (base64, header 31-34) of ``message`` per private key."""
    return [sign_bitcoin(secret, message, "p2pkh") for secret in secrets]


def _script_pubkey(script: bytes, form: str) -> bytes:
    sha = hashlib.sha256(script).digest()
    if form == "p2wsh":
        return b"\x00\x20" + sha
    from zkpor.reserves.bitcoin import hash160

    inner = script if form == "p2sh" else b"\x00\x20" + sha
    return b"\xa9\x14" + hash160(inner) + b"\x87"


def sign_bip322(secrets: Sequence[bytes], script: bytes, form: str, message: str) -> str:
    """A BIP-322 signature of ``message`` for the ``form`` address of ``script`` by the keys
    of ``secrets`` (given in script order, at least m of them; the first m are used)."""
    from zkpor.reserves.bip322 import _core, _embit
    from zkpor.reserves.multisig import parse_multisig

    core = _core()
    Script, Witness = _embit("script").Script, _embit("script").Witness
    SIGHASH = _embit("transaction").SIGHASH
    ms = parse_multisig(script)
    spk = _script_pubkey(script, form)
    to_spend = core.build_to_spend(message.encode("utf-8"), spk)
    nested = _push(b"\x00\x20" + hashlib.sha256(script).digest()) if form == "p2sh-p2wsh" else b""
    to_sign = core.build_to_sign(to_spend.txid(), script_sig=nested)
    if form == "p2sh":
        digest = to_sign.sighash_legacy(0, Script(script), SIGHASH.ALL)
    else:
        digest = to_sign.sighash_segwit(0, Script(script), 0, SIGHASH.ALL)
    sigs = [PrivateKey(s).sign(digest, hasher=None) + b"\x01" for s in secrets[: ms.m]]
    if form == "p2sh":
        to_sign.vin[0].script_sig = Script(
            b"\x00" + b"".join(_push(x) for x in sigs) + _push(script)
        )
        encoded: str = core.encode_full(to_sign)
        return encoded
    if form == "p2wsh":
        simple: str = core.encode_simple([b"", *sigs, script])
        return simple
    to_sign.vin[0].witness = Witness([b"", *sigs, script])
    full: str = core.encode_full(to_sign)
    return full


def tapscript_multisig(keys: Sequence[bytes], m: int) -> bytes:
    """``<x_1> OP_CHECKSIG <x_2> OP_CHECKSIGADD ... <x_n> OP_CHECKSIGADD OP_m OP_NUMEQUAL``
    of the x-only (32-byte) keys of 33-byte ``keys``."""
    body = b"".join(b"\x20" + k[1:] + (b"\xac" if i == 0 else b"\xba") for i, k in enumerate(keys))
    return body + _number(m) + b"\x9c"


def _tagged(tag: str, data: bytes) -> bytes:
    t = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(t + t + data).digest()


def _leaf_hash(script: bytes) -> bytes:
    return _tagged("TapLeaf", b"\xc0" + _compact(len(script)) + script)


def _compact(n: int) -> bytes:
    return bytes((n,)) if n < 0xFD else b"\xfd" + n.to_bytes(2, "little")


def _output_key(script: bytes) -> tuple[bytes, int]:
    """(x-only output key, its parity) of the one-leaf tree under :data:`NUMS_KEY`."""
    tweak = _tagged("TapTweak", NUMS_KEY + _leaf_hash(script))
    q = PublicKey(b"\x02" + NUMS_KEY).add(tweak).format(compressed=True)
    return q[1:], q[0] & 1


def tapscript_address(script: bytes, chain: str = "bitcoin") -> str:
    """The P2TR address (bech32m) whose only spending path is ``script``."""
    from zkpor.reserves.bip322 import _embit

    x, _ = _output_key(script)
    hrp = NETWORKS[chain][2]
    address: str = _embit("bech32").encode(hrp, 1, x)
    return address


def sign_tapscript(
    secrets: Sequence[bytes], keys: Sequence[bytes], m: int, message: str, *, full: bool = False
) -> str:
    """The BIP-322 script-path signature (simple, or ``full``) of ``message`` for
    :func:`tapscript_address` of ``tapscript_multisig(keys, m)``, by those of ``keys``
    whose private keys ``secrets`` holds (the first m of them sign; the others push an
    empty signature)."""
    from zkpor.reserves.bip322 import _core, _embit

    core = _core()
    Script, Witness = _embit("script").Script, _embit("script").Witness
    SIGHASH = _embit("transaction").SIGHASH
    script = tapscript_multisig(keys, m)
    x, parity = _output_key(script)
    spk = b"\x51\x20" + x
    to_spend = core.build_to_spend(message.encode("utf-8"), spk)
    to_sign = core.build_to_sign(to_spend.txid())
    digest = to_sign.sighash_taproot(
        0, [Script(spk)], [0], sighash=SIGHASH.DEFAULT, ext_flag=1, script=Script(script)
    )
    by_key = {public_key(s): s for s in secrets}
    signing = [k for k in keys if k in by_key][:m]
    sigs = [
        PrivateKey(by_key[k]).sign_schnorr(digest, aux_randomness=bytes(32))
        if k in signing
        else b""
        for k in keys
    ]
    control = bytes((0xC0 | parity,)) + NUMS_KEY
    # the script consumes the stack from the top: the first key's signature is pushed last
    stack = [*reversed(sigs), script, control]
    if not full:
        simple: str = core.encode_simple(stack)
        return simple
    to_sign.vin[0].witness = Witness(stack)
    encoded: str = core.encode_full(to_sign)
    return encoded
