"""BIP-322 ownership signatures for native segwit Bitcoin addresses: P2TR, P2WSH, P2WPKH.

The legacy signed-message format (docs/spec/reserves.md 10.3) recovers one ECDSA key, so it cannot
sign for a Taproot output key or a multisig script. BIP-322 ("generic signed message
format") signs a virtual transaction instead: ``to_spend`` pays 0 to the address's
scriptPubKey from an input that commits to ``message_hash = SHA-256(tag || tag || m)``
with ``tag = SHA-256("BIP0322-signed-message")`` (a BIP-340 tagged hash of the message's
UTF-8 bytes); ``to_sign`` spends it to a single ``OP_RETURN`` output. The signature is the
witness of ``to_sign`` (the *simple* variant, ``smp`` prefix or none) or the whole signed
``to_sign`` (the *full* variant, ``ful``), base64; it is valid when the script
interpreter accepts the spend under the BIP's rules (SIGHASH_ALL only, strict DER and low
S, minimal pushes, clean stack, ...). Whoever can spend from the address can sign.

Verification is the library ``bip322-core`` (``bip322core.verify_message``: BIP-322
framing on embit, script evaluation by btclib's interpreter), imported only when a
BIP-322 signature is checked: the lightweight verifier runs without it as long as no
P2TR or P2WSH address appears (:func:`needs_bip322` says which ones do, from the text
alone). Here, around it:

- the address must be a native segwit address of ``chain`` (HRP ``bc`` or ``tb``: another
  network's address is refused, as in 10.3) with a BIP-173/350 checksum: witness v0 with
  a 20-byte (P2WPKH) or 32-byte (P2WSH) program, or v1 with 32 bytes (P2TR);
- the signature is printable ASCII, at most ``MAX_SIGNATURE_CHARS`` characters, canonical
  base64 after an optional ``smp``/``ful`` prefix; ``pof`` (proof of funds) is refused:
  it needs the UTXO set;
- the BIP's verdicts: *valid* -> True, *invalid* -> False, *inconclusive* (the interpreter
  cannot judge, e.g. an unknown witness version in the script) -> VerificationError; a
  *valid at time T and age S* with T or S non-zero (a time-locked spend, full variant
  only) is refused unless ``allow_timelock``: such a key cannot move the coins now.

:func:`sign_p2tr` makes a simple signature for the key-path P2TR address of a private key
(for the demo and tests; exchanges sign with their wallets): BIP-341 output key
``Q = P + SHA-256_tagged("TapTweak", x(P)) * G`` (embit), the BIP-341 signature hash of
``to_sign`` with SIGHASH_ALL, a BIP-340 signature by the tweaked key with 32 zero bytes
of auxiliary randomness (libsecp256k1 through coincurve), the witness ``[sig || 0x01]``.
With Bitcoin Core's test key it gives Core's own test vector, byte for byte.
"""

from __future__ import annotations

import base64
import binascii
import importlib
from typing import Any, Final, Literal

from zkpor.errors import VerificationError
from zkpor.formats.reserves import MAX_SIGNATURE_CHARS

__all__ = [
    "MAX_SIGNATURE_CHARS",
    "AddressKind",
    "address_kind",
    "message_hash",
    "encode_simple",
    "needs_bip322",
    "script_pushes",
    "spend_items",
    "uses_bip322",
    "p2tr_address",
    "segwit_program",
    "sign_p2tr",
    "verify",
    "verify_form",
]

AddressKind = Literal["p2wpkh", "p2wsh", "p2tr", "p2sh"]
_HRP: Final[dict[str, str]] = {"bitcoin": "bc", "bitcoin-testnet": "tb"}
_INSTALL: Final = "pip install 'bip322-core>=0.12,<0.13' (a dependency of zkpor)"


def needs_bip322(address: str, chain: str) -> bool:
    """Whether ``address`` on ``chain`` looks like a P2TR or P2WSH address (which only
    BIP-322 can sign for), judged from the text alone: no checksum, no library. An address
    it says False for goes to the legacy verifier (10.3), which checks it fully."""
    hrp = _HRP.get(chain)
    if hrp is None:
        return False
    text = address.lower()
    # HRP, "1", the witness version character ("q" = 0, "p" = 1), 32 bytes = 52 characters
    # of data and 6 of checksum: 62 characters in all for "bc"/"tb"
    return len(text) == len(hrp) + 60 and text.startswith((hrp + "1q", hrp + "1p"))


def address_kind(address: str, chain: str) -> AddressKind:
    """The kind of a native segwit ``address`` of ``chain``; VerificationError (message
    starts ``address:``) for anything else. Uses embit's BIP-173/350 decoder."""
    hrp = _HRP.get(chain)
    if hrp is None:
        raise VerificationError(f"address: BIP-322 signatures are for Bitcoin, not chain {chain}")
    text = address.lower()
    other = {"bc": "tb", "tb": "bc"}[hrp]
    if text.startswith(other + "1"):
        net = "bitcoin-testnet" if other == "tb" else "bitcoin"
        raise VerificationError(f"address: a {net} address cannot hold reserves on chain {chain}")
    if not text.startswith(hrp + "1"):
        return _base58_kind(address, chain)
    if address != text and address != address.upper():
        raise VerificationError(
            "address: mixed-case bech32 address (BIP 173 allows all lower or all upper)"
        )
    bech32 = _embit("bech32")
    version, program = bech32.decode(hrp, text)
    if version is None or program is None:
        raise VerificationError("address: invalid bech32/bech32m address (bad checksum or length)")
    size = len(program)
    if version == 0 and size == 20:
        return "p2wpkh"
    if version == 0 and size == 32:
        return "p2wsh"
    if version == 1 and size == 32:
        return "p2tr"
    raise VerificationError(
        f"address: witness version {version} with a {size}-byte program is not supported "
        "(P2WPKH, P2WSH, P2TR)"
    )


def segwit_program(address: str, chain: str) -> bytes:
    """The witness program of a native segwit ``address`` (checked as :func:`address_kind`
    checks it): 20 bytes for P2WPKH, 32 for P2WSH and P2TR (the output key's x)."""
    address_kind(address, chain)
    _, program = _embit("bech32").decode(_HRP[chain], address.lower())
    return bytes(program)


def _base58_kind(address: str, chain: str) -> AddressKind:
    """A P2SH address of ``chain`` (BIP-322 full signatures only: P2SH multisig, 10.11);
    anything else is refused as not an address BIP-322 is used for here."""
    from zkpor.reserves.bitcoin import decode_address

    try:
        kind, _ = decode_address(address, chain)
    except ValueError:
        kind = ""
    if kind != "p2sh":
        raise VerificationError(
            "address: not a native segwit address or a P2SH address (BIP-322 here: P2WPKH, "
            "P2WSH, P2TR; P2SH with a full signature)"
        )
    return "p2sh"


def uses_bip322(address: str, signature: str, chain: str) -> bool:
    """Whether an ownership signature is checked as BIP-322 (10.9, 10.11): a P2TR or P2WSH
    address (:func:`needs_bip322`), or a Bitcoin address whose signature has a BIP-322
    prefix (``ful``, ``smp``, ``pof``: a legacy signature's base64 starts with G to K)."""
    if needs_bip322(address, chain):
        return True
    return chain in _HRP and signature[:3] in ("ful", "smp", "pof")


def message_hash(message: str) -> bytes:
    """BIP-322's ``message_hash``: the BIP-340 tagged hash of the UTF-8 message (the
    library's, so that its framing is what the BIP's test vectors check)."""
    core = _core()
    digest: bytes = core.message_hash(message.encode("utf-8"))
    return digest


def verify(
    address: str,
    message: str,
    signature: str,
    *,
    chain: str = "bitcoin",
    allow_timelock: bool = False,
) -> bool:
    """True when ``signature`` is a valid BIP-322 signature of ``message`` by ``address``
    (P2WPKH, P2WSH or P2TR of ``chain``), False when it is well formed but invalid.
    Raises VerificationError for a bad address, a malformed or unsupported signature, an
    inconclusive verdict, a time-locked signature (unless ``allow_timelock``) or a missing
    library."""
    core = _core()  # first: without the library, say so whatever the input
    address_kind(address, chain)
    verify_form(signature)
    result = core.verify_message(address, signature, message.encode("utf-8"), allow_legacy=False)
    state = str(result.state)
    if state == "inconclusive":
        raise VerificationError(f"BIP-322 verdict inconclusive: {result.reason}")
    if state != "valid":
        return False
    if result.extra_inputs:
        raise VerificationError("signature: extra inputs (proof of funds) are not supported")
    lock, seq = result.locktime or 0, result.sequence or 0
    if (lock or seq) and not allow_timelock:
        raise VerificationError(
            f"signature is valid only at time {lock} and age {seq}: a time-locked spend does "
            "not show the coins can move now"
        )
    return True


def verify_form(signature: str) -> None:
    """Check that ``signature`` is a BIP-322 simple or full signature, by its text and
    framing alone (VerificationError, message starting ``signature:``); a proof of funds
    (``pof``) and a 65-byte legacy signature are refused."""
    core = _core()
    _check_signature_text(signature)
    try:
        decoded = core.decode_signature(signature)
    except core.SignatureFormatError as exc:
        raise VerificationError(f"signature: {exc}") from None
    if decoded.variant == "pof":
        raise VerificationError(
            "signature: proof-of-funds (pof) BIP-322 signatures need the UTXO set: not supported"
        )
    if decoded.variant not in ("smp", "ful"):
        raise VerificationError(
            "signature: a 65-byte legacy signature is for P2PKH; this is a segwit address"
        )


def p2tr_address(secret: bytes, chain: str = "bitcoin") -> str:
    """The key-path-only P2TR address (BIP-86 style, no script tree) of a private key."""
    ec, script, networks = _embit("ec"), _embit("script"), _embit("networks")
    net = {"bitcoin": "main", "bitcoin-testnet": "test"}[chain]
    spk = script.p2tr(ec.PrivateKey(secret).get_public_key())
    address: str = spk.address(networks.NETWORKS[net])
    return address


def sign_p2tr(secret: bytes, message: str, chain: str = "bitcoin") -> str:
    """The BIP-322 simple signature (``smp`` prefix) of ``message`` by the key-path P2TR
    address of ``secret`` (:func:`p2tr_address`); deterministic."""
    from coincurve import PrivateKey

    core = _core()
    ec, script = _embit("ec"), _embit("script")
    SIGHASH = _embit("transaction").SIGHASH
    key = ec.PrivateKey(secret)
    spk = script.p2tr(key.get_public_key())
    to_spend = core.build_to_spend(message.encode("utf-8"), spk.data)
    to_sign = core.build_to_sign(to_spend.txid())
    sighash = to_sign.sighash_taproot(0, [spk], [0], sighash=SIGHASH.ALL)
    tweaked = key.taproot_tweak(b"").secret
    sig = PrivateKey(tweaked).sign_schnorr(sighash, aux_randomness=bytes(32))
    encoded: str = core.encode_simple([sig + bytes([SIGHASH.ALL])])
    return encoded


def _check_signature_text(signature: str) -> None:
    if not signature:
        raise VerificationError("signature: empty")
    if len(signature) > MAX_SIGNATURE_CHARS:
        raise VerificationError(
            f"signature: {len(signature)} characters, more than {MAX_SIGNATURE_CHARS}"
        )
    for ch in signature:
        if not 0x21 <= ord(ch) <= 0x7E:
            raise VerificationError(
                f"signature: contains U+{ord(ch):04X}: only base64 with an optional smp/ful prefix"
            )
    body = signature[3:] if signature[:3] in ("smp", "ful", "pof") else signature
    try:
        base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise VerificationError("signature: not base64 (standard alphabet, with padding)") from None


def _core() -> _Core:
    """bip322core, or VerificationError saying how to install it."""
    try:
        import bip322core  # type: ignore[import-untyped]
        from bip322core import core
    except ImportError:
        raise VerificationError(
            f"BIP-322 signatures (P2TR, P2WSH addresses) need the bip322-core package: {_INSTALL}"
        ) from None
    return _Core(bip322core, core)


def _embit(module: str) -> Any:
    """A module of embit (installed with bip322-core), or VerificationError."""
    try:
        return importlib.import_module(f"embit.{module}")
    except ImportError:
        raise VerificationError(
            f"BIP-322 addresses are decoded by embit (with bip322-core): {_INSTALL}"
        ) from None


class _Core:
    """The few names of bip322core used here, in one place."""

    def __init__(self, pkg: Any, core: Any) -> None:
        self.verify_message = pkg.verify_message
        self.decode_signature = core.decode_signature
        self.message_hash = core.message_hash
        self.SignatureFormatError = core.SignatureFormatError
        self.build_to_spend = core.build_to_spend
        self.build_to_sign = core.build_to_sign
        self.encode_simple = core.encode_simple
        self.encode_full = core.encode_full
        self.parse_transaction = core.parse_transaction
        self.parse_witness = core.parse_witness


def encode_simple(witness: list[bytes]) -> str:
    """A simple BIP-322 signature (``smp`` and base64) of a witness stack."""
    encoded: str = _core().encode_simple(witness)
    return encoded


def spend_items(signature: str) -> tuple[bytes, list[bytes]] | None:
    """(scriptSig, witness stack) of ``to_sign``'s input as a simple (witness only) or full
    signature gives them, or None when the signature does not decode."""
    core = _core()
    try:
        decoded = core.decode_signature(signature)
        if decoded.variant == "ful":
            tx = core.parse_transaction(decoded.payload)
            if len(tx.vin) != 1:
                return None
            vin = tx.vin[0]
            return bytes(vin.script_sig.data), [bytes(x) for x in vin.witness.items]
        if decoded.variant == "smp":
            return b"", [bytes(x) for x in core.parse_witness(decoded.payload)]
    except Exception:
        return None
    return None


def script_pushes(script: bytes) -> list[bytes] | None:
    """The data a push-only script pushes (direct pushes, OP_PUSHDATA1/2, OP_0, OP_1..16),
    or None when it holds another opcode or a push runs past its end."""
    out: list[bytes] = []
    i = 0
    while i < len(script):
        op = script[i]
        i += 1
        if op == 0:
            out.append(b"")
            continue
        if 0x51 <= op <= 0x60:
            out.append(bytes((op - 0x50,)))
            continue
        if op <= 0x4B:
            size = op
        elif op in (0x4C, 0x4D):
            width = 1 if op == 0x4C else 2
            size = int.from_bytes(script[i : i + width], "little")
            i += width
        else:
            return None
        if i + size > len(script):
            return None
        out.append(script[i : i + size])
        i += size
    return out
