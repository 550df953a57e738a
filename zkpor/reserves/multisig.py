"""Multisig cold wallets: standard m-of-n scripts, their addresses, and signer counting.

A multisig address is proved in one of two ways (docs/spec/reserves.md 10.11):

1. a BIP-322 signature (:mod:`.bip322`; *full* for P2SH and P2SH-P2WSH, simple or full for
   P2WSH and Taproot), after which :func:`bip322_spend` reads the script the spend reveals
   and refuses one that is not a standard m-of-n (an anyone-can-spend script "signs" with
   no key at all);
2. the script itself plus at least ``m`` legacy signed messages (10.3), each by a distinct
   key of the script over the address's ownership message (10.2): :func:`prepare`.

The script ``OP_m <k_1> ... <k_n> OP_n OP_CHECKMULTISIG`` (:func:`parse_multisig`) has
1 <= m <= n, n <= 15 for legacy P2SH (the 520-byte push limit) and n <= 20 for P2SH-P2WSH
and P2WSH, compressed keys (33 bytes, prefix 02 or 03, on the curve) each once, and numbers
in minimal form (``OP_1``..``OP_16``, then a one-byte push for 17..20). Its address
(:func:`script_address`) is, with ``HASH160 = RIPEMD-160(SHA-256(.))``:

- P2SH: Base58Check(P2SH version || HASH160(script));
- P2SH-P2WSH: Base58Check(P2SH version || HASH160(0x00 0x20 || SHA-256(script)));
- P2WSH: bech32 (BIP 173), HRP of the chain, witness version 0, program SHA-256(script).

Spec: docs/spec/reserves.md (section 10.11).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

import base58
import bech32

from zkpor.crypto.group.params import B, P, fe_sqrt
from zkpor.errors import VerificationError
from zkpor.reserves.bitcoin import (
    NETWORKS,
    check_network,
    decode_address,
    decode_signature,
    hash160,
    recover_key,
)
from zkpor.reserves.ecrecover import check_range

__all__ = [
    "FORMS",
    "address_form",
    "MAX_KEYS",
    "MAX_SCRIPT_BYTES",
    "Form",
    "Multisig",
    "MultisigCheck",
    "Tally",
    "bip322_spend",
    "parse_multisig",
    "parse_tapscript",
    "prepare",
    "script_address",
]

Form = Literal["p2sh", "p2sh-p2wsh", "p2wsh"]
FORMS: Final[tuple[str, ...]] = ("p2sh", "p2sh-p2wsh", "p2wsh")
#: The most keys per form: legacy P2SH is bound by the 520-byte redeem-script push.
MAX_KEYS: Final[dict[str, int]] = {"p2sh": 15, "p2sh-p2wsh": 20, "p2wsh": 20}
#: The longest standard script: m and n as 2-byte pushes (17..20), 20 keys of 34 bytes, the
#: opcode: 685 bytes.
MAX_SCRIPT_BYTES: Final = 2 + 20 * 34 + 2 + 1
_LABEL: Final[dict[str, str]] = {"p2sh": "P2SH", "p2sh-p2wsh": "P2SH-P2WSH", "p2wsh": "P2WSH"}
OP_CHECKMULTISIG: Final = 0xAE
OP_CHECKSIG: Final = 0xAC
OP_CHECKSIGADD: Final = 0xBA
OP_NUMEQUAL: Final = 0x9C


@dataclass(frozen=True)
class Multisig:
    """A standard m-of-n script: ``m``, the keys in script order, the script's bytes."""

    m: int
    keys: tuple[bytes, ...]
    script: bytes

    @property
    def n(self) -> int:
        return len(self.keys)


def _number(script: bytes, i: int) -> tuple[int, int] | None:
    """(value, next index) of a minimally encoded small number at ``i`` (OP_1..OP_16, or a
    one-byte push of 17..20), or None."""
    if i >= len(script):
        return None
    op = script[i]
    if 0x51 <= op <= 0x60:
        return op - 0x50, i + 1
    if op == 0x01 and i + 1 < len(script) and 17 <= script[i + 1] <= 20:
        return script[i + 1], i + 2
    return None


def _on_curve(x: int) -> bool:
    return x < P and fe_sqrt((x * x * x + B) % P) is not None


def _key(script: bytes, i: int, k: int, keys: Sequence[bytes]) -> bytes:
    """The compressed key pushed at ``i`` (key number ``k``, 1-based); ValueError naming
    what is wrong with it."""
    op = script[i]
    if op == 0x41:
        raise ValueError(
            f"key {k} is a 65-byte uncompressed key: only 33-byte compressed keys are accepted"
        )
    if op != 0x21:
        raise ValueError(f"key {k} is not a 33-byte compressed key (push of {op} bytes)")
    key = script[i + 1 : i + 34]
    if len(key) != 33:
        raise ValueError(f"key {k} is truncated")
    if key[0] not in (2, 3):
        raise ValueError(f"key {k} is not a compressed key (prefix 0x{key[0]:02x})")
    if not _on_curve(int.from_bytes(key[1:], "big")):
        raise ValueError(f"key {k} is not a point of secp256k1")
    if key in keys:
        raise ValueError(f"key {k} repeats key {list(keys).index(key) + 1}")
    return key


def parse_multisig(script: bytes, max_keys: int = 20) -> Multisig:
    """The standard ``OP_m <keys> OP_n OP_CHECKMULTISIG`` script; ValueError with the reason
    it is not one (m = 0, m > n, a key that is not compressed, on the curve and unique, OP_n
    not the key count, anything before, between or after, more than ``max_keys`` keys)."""
    if not script:
        raise ValueError("the script is empty")
    if script[0] == 0x00:
        raise ValueError("m = 0 (OP_0): such a script needs no signature")
    first = _number(script, 0)
    if first is None:
        raise ValueError(f"the script does not start with OP_m (byte 0x{script[0]:02x})")
    m, i = first
    keys: list[bytes] = []
    while (i < len(script) and script[i] in (0x21, 0x41)) or (i < len(script) and not keys):
        keys.append(_key(script, i, len(keys) + 1, keys))
        i += 34
    if not keys:
        raise ValueError("no keys after OP_m")
    last = _number(script, i)
    if last is None:
        found = f"byte 0x{script[i]:02x}" if i < len(script) else "the end"
        raise ValueError(f"after key {len(keys)}, expected OP_n, found {found}")
    n, i = last
    if n != len(keys):
        raise ValueError(f"OP_n says {n} keys, the script has {len(keys)}")
    if i >= len(script) or script[i] != OP_CHECKMULTISIG:
        found = f"byte 0x{script[i]:02x}" if i < len(script) else "the end"
        raise ValueError(f"expected OP_CHECKMULTISIG after OP_n, found {found}")
    if i + 1 != len(script):
        raise ValueError(f"{len(script) - i - 1} extra bytes after OP_CHECKMULTISIG")
    if m > n:
        raise ValueError(f"m = {m} is more than n = {n}")
    if n > max_keys:
        raise ValueError(f"n = {n} keys, more than {max_keys}")
    return Multisig(m, tuple(keys), bytes(script))


def parse_tapscript(script: bytes) -> Multisig:
    """A Taproot leaf ``<x_1> OP_CHECKSIG <x_2> OP_CHECKSIGADD ... <x_n> OP_CHECKSIGADD
    OP_m OP_NUMEQUAL`` (1 <= m <= n <= 20, 32-byte x-only keys, each once; what a
    ``multi_a`` descriptor writes), or the one-key ``<x> OP_CHECKSIG``; ValueError else."""
    keys: list[bytes] = []
    i = 0
    while i + 34 <= len(script) and script[i] == 0x20:
        op = script[i + 33]
        if op != (OP_CHECKSIG if not keys else OP_CHECKSIGADD):
            want = "OP_CHECKSIG" if not keys else "OP_CHECKSIGADD"
            raise ValueError(f"key {len(keys) + 1} is not followed by {want}")
        x = script[i + 1 : i + 33]
        if not _on_curve(int.from_bytes(x, "big")):
            raise ValueError(f"key {len(keys) + 1} is not an x coordinate of secp256k1")
        if x in keys:
            raise ValueError(f"key {len(keys) + 1} repeats key {keys.index(x) + 1}")
        keys.append(x)
        i += 34
    if not keys:
        raise ValueError("the tapscript does not start with a 32-byte key and OP_CHECKSIG")
    if i == len(script) and len(keys) == 1:
        return Multisig(1, tuple(keys), bytes(script))
    number = _number(script, i)
    if number is None or number[1] + 1 != len(script) or script[number[1]] != OP_NUMEQUAL:
        raise ValueError("the tapscript does not end with OP_m OP_NUMEQUAL")
    m = number[0]
    if m > len(keys):
        raise ValueError(f"m = {m} is more than n = {len(keys)}")
    if len(keys) > 20:
        raise ValueError(f"n = {len(keys)} keys, more than 20")
    return Multisig(m, tuple(keys), bytes(script))


def script_address(script: bytes, form: str, chain: str) -> str:
    """The address of ``script`` in ``form`` on ``chain`` (module doc)."""
    _, p2sh, hrp = NETWORKS[chain]
    sha = hashlib.sha256(script).digest()
    if form == "p2wsh":
        address = bech32.encode(hrp, 0, sha)
        assert address is not None
        return address
    if form == "p2sh":
        payload = hash160(script)
    elif form == "p2sh-p2wsh":
        payload = hash160(b"\x00\x20" + sha)
    else:
        raise ValueError(f"unknown multisig form {form!r}")
    return base58.b58encode_check(bytes((p2sh,)) + payload).decode()


def _listed(address: str, chain: str) -> tuple[str, bytes]:
    """("p2sh", script hash) or ("p2wsh", program) of a listed address; VerificationError
    (``address: ...``) for another network's, an Ethereum or a single-key address."""
    try:
        check_network(address, chain)
        hrp = NETWORKS[chain][2]
        if not address.lower().startswith(hrp + "1"):
            kind, digest = decode_address(address, chain)
            if kind != "p2sh":
                raise ValueError("a P2PKH address has one key; a multisig address is P2SH or P2WSH")
            return kind, digest
        if address != address.lower() and address != address.upper():
            raise ValueError("mixed-case bech32 address (BIP 173 allows all lower or all upper)")
        version, program = bech32.decode(hrp, address.lower())
        if version is None or program is None:
            raise ValueError("invalid bech32 address")
        if version != 0 or len(program) != 32:
            raise ValueError(
                f"witness version {version} with a {len(program)}-byte program is not a "
                "P2WSH address"
            )
        return "p2wsh", bytes(program)
    except ValueError as exc:
        raise VerificationError(f"address: {exc}") from None


def _match_address(ms: Multisig, form: str, address: str, chain: str) -> None:
    """Refuse (VerificationError) unless ``address`` is the ``form`` address of the script,
    naming the form it is the address of when it is another one."""
    kind, payload = _listed(address, chain)
    if kind == "p2wsh" and form != "p2wsh":
        raise VerificationError(
            f"multisig: form {form} needs a P2SH address (Base58Check); this is a P2WSH address"
        )
    if kind == "p2sh" and form == "p2wsh":
        raise VerificationError(
            "multisig: form p2wsh needs a bech32 P2WSH address; this is a P2SH address"
        )
    sha = hashlib.sha256(ms.script).digest()
    derived = {"p2sh": hash160(ms.script), "p2sh-p2wsh": hash160(b"\x00\x20" + sha)}
    derived["p2wsh"] = sha
    if payload == derived[form]:
        return
    for other in ("p2sh", "p2sh-p2wsh"):
        if other != form and kind == "p2sh" and payload == derived[other]:
            raise VerificationError(
                f"multisig: this address is the script's {_LABEL[other]} address, not its "
                f"{_LABEL[form]} address: the form must be {other}"
            )
    raise VerificationError(
        f"multisig: the script's {_LABEL[form]} address is "
        f"{script_address(ms.script, form, chain)}, not this address"
    )


@dataclass
class Tally:
    """Who signed one message: per key index (0-based) the first signature index by it,
    signatures by a key already counted, and keys recovered that are not the script's."""

    multisig: Multisig
    signers: dict[int, int] = field(default_factory=dict)
    repeats: list[tuple[int, int, int]] = field(default_factory=list)  # (sig, key, first sig)
    outsiders: list[tuple[int, bytes]] = field(default_factory=list)  # (sig, recovered key)

    @property
    def ok(self) -> bool:
        return len(self.signers) >= self.multisig.m

    def shortfall(self) -> str:
        """One line: how many keys signed, which did and which did not, and why the other
        signatures did not count."""
        ms = self.multisig
        signed = [k for k in range(ms.n) if k in self.signers]
        missing = [k for k in range(ms.n) if k not in self.signers]
        parts = [
            f"multisig {ms.m}-of-{ms.n}: {len(signed)} key{'s' if len(signed) != 1 else ''} "
            f"of the script signed the expected message, {ms.m} needed",
            "signed: " + (", ".join(key_name(ms, k) for k in signed) or "none"),
            "not signed: " + (", ".join(key_name(ms, k) for k in missing) or "none"),
        ]
        parts += [
            f"signatures[{s}] is by key {k + 1} again (signatures[{first}]): each key counts once"
            for s, k, first in self.repeats
        ]
        parts += [
            f"signatures[{s}] recovers {pub.hex()[:16]}..., not a key of the script"
            for s, pub in self.outsiders
        ]
        return "; ".join(parts)


def key_name(ms: Multisig, index: int) -> str:
    """``key K (HEX)``: a key by its 1-based place in the script and its first bytes."""
    return f"key {index + 1} ({ms.keys[index].hex()[:16]}...)"


class MultisigCheck:
    """A multisig entry checked up to its message (:func:`prepare`): ``tally(message)``
    counts the distinct keys of the script whose signature recovers over ``message``."""

    def __init__(self, ms: Multisig, form: str, sigs: list[tuple[int, int, int]]) -> None:
        self.multisig = ms
        self.form = form
        self._sigs = sigs

    def tally(self, message: str) -> Tally:
        out = Tally(self.multisig)
        for i, (header, r, s) in enumerate(self._sigs):
            try:
                pub = recover_key(message, header, r, s)
            except VerificationError:
                out.outsiders.append((i, b""))
                continue
            if pub not in self.multisig.keys:
                out.outsiders.append((i, pub))
                continue
            k = self.multisig.keys.index(pub)
            if k in out.signers:
                out.repeats.append((i, k, out.signers[k]))
            else:
                out.signers[k] = i
        return out

    def signed(self, message: str) -> bool:
        return self.tally(message).ok


def _script_bytes(script: str) -> bytes:
    if not re.fullmatch(r"(?:[0-9a-f]{2})+", script):
        raise VerificationError("multisig: script is not lowercase hex of whole bytes")
    if len(script) > 2 * MAX_SCRIPT_BYTES:
        raise VerificationError(
            f"multisig: script is {len(script) // 2} bytes, more than {MAX_SCRIPT_BYTES}"
        )
    return bytes.fromhex(script)


def _signatures(ms: Multisig, signatures: Sequence[str]) -> list[tuple[int, int, int]]:
    if len(signatures) < ms.m:
        raise VerificationError(
            f"multisig: {len(signatures)} signature{'s' if len(signatures) != 1 else ''} for a "
            f"{ms.m}-of-{ms.n} script: at least {ms.m} needed, one per signing key"
        )
    if len(signatures) > ms.n:
        raise VerificationError(
            f"multisig: {len(signatures)} signatures for {ms.n} keys: at most one per key"
        )
    out = []
    for i, text in enumerate(signatures):
        try:
            header, r, s = decode_signature(text)
            if header < 31:
                raise VerificationError(
                    f"signature header {header} is for an uncompressed key; "
                    "the script's keys are compressed"
                )
            check_range(r, s)
        except VerificationError as exc:
            raise VerificationError(f"multisig: signatures[{i}]: {exc}") from None
        out.append((header, r, s))
    return out


def prepare(
    address: str, chain: str, form: str, script: str, signatures: Sequence[str]
) -> MultisigCheck:
    """Check everything that does not depend on the message, in this order: the address
    (of ``chain``, P2SH or P2WSH), the form, the script (standard m-of-n, at most
    :data:`MAX_KEYS` of the form), that the script's ``form`` address is ``address``,
    and the signatures' count (m to n) and form (10.3 steps 2-5, compressed headers only).
    Raises VerificationError (``address: ...`` or ``multisig: ...``)."""
    if chain not in NETWORKS:
        raise VerificationError(f"multisig: multisig addresses are Bitcoin's, not chain {chain}")
    _listed(address, chain)
    if form not in FORMS:
        raise VerificationError(f"multisig: form {form!r} is not p2sh, p2sh-p2wsh or p2wsh")
    try:
        ms = parse_multisig(_script_bytes(script), MAX_KEYS[form])
    except ValueError as exc:
        limit = f" ({_LABEL[form]} allows {MAX_KEYS[form]})" if str(exc).startswith("n = ") else ""
        raise VerificationError(
            f"multisig: the script is not a standard m-of-n multisig: {exc}{limit}"
        ) from None
    _match_address(ms, form, address, chain)
    return MultisigCheck(ms, form, _signatures(ms, signatures))


@dataclass(frozen=True)
class Spend:
    """What a BIP-322 signature's spend reveals: the form and, for a script, its m-of-n."""

    form: str
    multisig: Multisig | None = None

    def describe(self) -> str:
        if self.multisig is None:
            return self.form
        return f"{self.form} {self.multisig.m}-of-{self.multisig.n}"


def bip322_spend(kind: str, signature: str) -> Spend | None:
    """The script a BIP-322 signature for an address of ``kind`` (p2wpkh, p2wsh, p2tr,
    p2sh) spends with, checked to be standard (ValueError naming why not); None when the
    signature does not decode (BIP-322 then calls it invalid)."""
    from zkpor.reserves.bip322 import script_pushes, spend_items

    items = spend_items(signature)
    if items is None:
        return None
    script_sig, witness = items
    if kind == "p2wpkh":
        return Spend("p2wpkh")
    if kind == "p2tr":
        if len(witness) >= 2 and witness[-1][:1] == b"\x50":
            witness = witness[:-1]  # the annex
        if len(witness) <= 1:
            return Spend("p2tr key path")
        return Spend("p2tr script path", parse_tapscript(witness[-2]))
    if kind == "p2wsh":
        return Spend("p2wsh", _witness_script(witness))
    pushes = script_pushes(script_sig)
    if not pushes:
        return None  # not push-only, or empty: BIP-322 (BIP 16) calls it invalid
    redeem = pushes[-1]
    if len(redeem) == 22 and redeem[:2] == b"\x00\x14":
        return Spend("p2sh-p2wpkh")
    if len(redeem) == 34 and redeem[:2] == b"\x00\x20":
        return Spend("p2sh-p2wsh", _witness_script(witness))
    return Spend("p2sh", parse_multisig(redeem, MAX_KEYS["p2sh"]))


def _witness_script(witness: Sequence[bytes]) -> Multisig:
    if not witness:
        raise ValueError("the witness is empty")
    script = witness[-1]
    if len(script) == 35 and script[0] == 0x21 and script[34] == OP_CHECKSIG:
        key = _key(script, 0, 1, [])
        return Multisig(1, (key,), script)
    return parse_multisig(script, MAX_KEYS["p2wsh"])


def address_form(chain: str, address: str, signature: str | None, entry: object | None) -> str:
    """What ``zkpor reserves list`` prints for a Bitcoin address: its form and, for a
    script, m-of-n and how it is signed (``p2sh-p2wsh 2-of-3, script and 2 signed
    messages``, ``p2wsh 2-of-3, BIP-322``, ``p2wpkh``); empty on other chains. It reads
    what the entry states without verifying it (``zkpor verify audit`` does)."""
    from zkpor.reserves import bip322

    if chain not in NETWORKS:
        return ""
    try:
        if entry is not None:
            form, script = str(getattr(entry, "form", "")), str(getattr(entry, "script", ""))
            parsed = parse_multisig(bytes.fromhex(script))
            count = len(getattr(entry, "signatures", []))
            return f"{form} {parsed.m}-of-{parsed.n}, script and {count} signed messages"
        if signature is not None and bip322.uses_bip322(address, signature, chain):
            spend = bip322_spend(bip322.address_kind(address, chain), signature)
            return f"{spend.describe() if spend else 'unreadable'}, BIP-322"
        kind, _ = decode_address(address, chain)
    except (ValueError, VerificationError):
        return "unreadable"
    return {"p2sh": "p2sh-p2wpkh"}.get(kind, kind)
