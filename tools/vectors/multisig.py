"""multisig.json: multisig cold wallets and their ownership proofs
(docs/spec/reserves.md 10.11).

``MultisigAddressTest``: a script and a form on a chain; a valid test gives the script's
m, n and address (P2SH, P2SH-P2WSH, P2WSH), an invalid script must be refused as not a
standard m-of-n.

``MultisigKeysTest``: an address signed the second way, its ``form``, ``script`` and
``signatures`` (legacy signed messages, 10.3) over the ownership message of (exchange,
round, address). A valid test gives the message and ``signers``, the 1-based places in the
script of the keys whose signatures count (each once, in script order); an invalid one must
be refused (too few distinct signers, a key outside the script, a non-standard script, the
script of another address or form, another network's address, a malformed signature).

``MultisigBip322Test``: an address and a BIP-322 signature (full for P2SH and P2SH-P2WSH,
simple or full for P2WSH and Taproot script paths). A valid test gives ``spend``, the form
and m-of-n the spend reveals; an invalid one must be refused.

Every signature is deterministic: RFC 6979 ECDSA and BIP-340 Schnorr with zero auxiliary
randomness (:mod:`zkpor.reserves.multisig_signing`), keys ``SHA-256("cold" || i)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Final

from tools.vectors.base import EXCHANGE, ROUND_A, VectorFile
from tools.vectors.schemaparts import HEX, NAT, STR, GroupSpec, Schema, _arr
from zkpor.crypto.generators import GeneratorSet
from zkpor.vectors.checkbase import Json
from zkpor.vectors.checkers import CHECKERS

HEADER: Final = [
    "MultisigAddressTest: inputs chain, form, script (hex). Valid outputs: m, n and the",
    "script's address in that form (10.11). MultisigKeysTest: inputs exchange, round_id,",
    "chain, address, form, script, signatures (legacy signed messages, 10.3). Valid",
    "outputs: 'message' (10.2) and 'signers', the 1-based places of the keys that signed.",
    "MultisigBip322Test: inputs exchange, round_id, chain, address, signature (BIP-322).",
    "Valid output: 'spend', the form and m-of-n the signature's spend reveals.",
]

FORMS: Final = ("p2sh", "p2sh-p2wsh", "p2wsh")


def _secret(i: int) -> bytes:
    return hashlib.sha256(f"cold{i}".encode()).digest()


def _keys(n: int) -> list[bytes]:
    from zkpor.reserves.multisig_signing import public_key

    return [public_key(_secret(i)) for i in range(n)]


def _script(m: int = 2, n: int = 3) -> bytes:
    from zkpor.reserves.multisig_signing import multisig_script

    return multisig_script(_keys(n), m)


def _address(script: bytes, form: str, chain: str = "bitcoin") -> str:
    from zkpor.reserves.multisig import script_address

    return script_address(script, form, chain)


def _message(address: str) -> str:
    from zkpor.reserves.message import ownership_message

    return ownership_message(EXCHANGE, ROUND_A, address)


def _sigs(signers: list[int], address: str, message: str | None = None) -> list[str]:
    from zkpor.reserves.multisig_signing import sign_keys

    return sign_keys([_secret(i) for i in signers], message or _message(address))


def _nonstandard() -> list[tuple[str, bytes]]:
    k = [b"\x21" + key for key in _keys(3)]
    return [
        ("m = 3 is more than n = 2", b"\x53" + k[0] + k[1] + b"\x52\xae"),
        ("an uncompressed key", b"\x51\x41\x04" + bytes(64) + b"\x51\xae"),
        ("an extra opcode after OP_CHECKMULTISIG", b"\x52" + b"".join(k) + b"\x53\xae\x75"),
        ("an extra opcode before OP_n", b"\x52" + b"".join(k) + b"\x75\x53\xae"),
        ("OP_CHECKMULTISIGVERIFY", b"\x52" + b"".join(k) + b"\x53\xaf"),
        ("OP_n is not the key count", b"\x52" + b"".join(k) + b"\x52\xae"),
        ("m = 0", b"\x00" + b"".join(k) + b"\x53\xae"),
        ("a key twice", b"\x52" + k[0] + k[1] + k[0] + b"\x53\xae"),
        ("a key not on the curve", b"\x51\x21\x02" + (7).to_bytes(32, "big") + b"\x51\xae"),
        ("16 pushed as a number, not OP_16", b"\x01\x10" + b"".join(k) + b"\x53\xae"),
        ("no keys (OP_1 only)", b"\x51"),
    ]


def _address_tests(f: VectorFile) -> None:
    from zkpor.reserves.multisig_signing import multisig_script

    g = f.group("MultisigAddressTest")
    for m, n in ((2, 3), (1, 1), (11, 15), (3, 16), (17, 20), (20, 20)):
        script = multisig_script(_keys(n), m)
        for chain in ("bitcoin", "bitcoin-testnet"):
            for form in FORMS:
                if form == "p2sh" and n > 15:
                    g.add(
                        f"{m}-of-{n} as legacy P2SH: more than 15 keys",
                        ["NonStandardScript", "EdgeCase"],
                        "invalid",
                        chain=chain,
                        form=form,
                        script=script.hex(),
                    )
                    continue
                flags = ["Valid", "EdgeCase"] if n in (1, 15, 20) else ["Valid"]
                g.add(
                    f"{m}-of-{n} {form} on {chain}",
                    flags,
                    "valid",
                    chain=chain,
                    form=form,
                    script=script.hex(),
                    m=m,
                    n=n,
                    address=_address(script, form, chain),
                )
    for comment, script in _nonstandard():
        g.add(
            comment,
            ["NonStandardScript"],
            "invalid",
            chain="bitcoin",
            form="p2wsh",
            script=script.hex(),
        )


def _keys_cases(form: str) -> list[tuple[str, list[str], str, Callable[[], Json]]]:
    """(comment, flags, result, fields) of MultisigKeysTest for one form."""
    script = _script()
    addr = _address(script, form)

    def entry(signers: list[int], **over: object) -> Callable[[], Json]:
        def make() -> Json:
            fields: Json = {
                "chain": "bitcoin",
                "address": addr,
                "form": form,
                "script": script.hex(),
                "signatures": _sigs(signers, addr),
            }
            fields.update({k: v() if callable(v) else v for k, v in over.items()})
            return fields

        return make

    other_form = {"p2sh": "p2sh-p2wsh", "p2sh-p2wsh": "p2sh", "p2wsh": "p2sh-p2wsh"}[form]
    testnet = _address(script, form, "bitcoin-testnet")
    other_script = _script(2, 2)
    other_addr = _address(other_script, form)
    outsider = [*_sigs([0], addr), *_sigs_by(hashlib.sha256(b"not a cold key").digest(), addr)]
    bad_header = _sigs([0, 1], addr)
    return [
        ("keys 1 and 2 of 2-of-3", ["Valid", "Multisig"], "valid", entry([0, 1])),
        ("keys 3 and 1 (any order)", ["Valid", "Multisig"], "valid", entry([2, 0])),
        ("all three keys", ["Valid", "Multisig"], "valid", entry([0, 1, 2])),
        ("one signature for m = 2", ["TooFewSigners"], "invalid", entry([0])),
        ("key 2 signs twice", ["TooFewSigners"], "invalid", entry([1, 1])),
        ("a key outside the script", ["TooFewSigners"], "invalid", entry([], signatures=outsider)),
        (
            "signatures over the message with a trailing LF",
            ["BadSignature"],
            "invalid",
            entry([], signatures=lambda: _sigs([0, 1], addr, _message(addr) + "\n")),
        ),
        (
            "the script of another 2-of-2 address",
            ["WrongScript"],
            "invalid",
            entry([], address=other_addr, signatures=lambda: _sigs([0, 1], other_addr)),
        ),
        (
            f"the script under form {other_form}",
            ["WrongScript"],
            "invalid",
            entry([0, 1], form=other_form),
        ),
        (
            "the testnet address on chain bitcoin",
            ["WrongChain"],
            "invalid",
            entry([], address=testnet, signatures=lambda: _sigs([0, 1], testnet)),
        ),
        (
            "a signature with an uncompressed-key header",
            ["InvalidSignatureEncoding"],
            "invalid",
            entry([], signatures=[_header_minus_4(bad_header[0]), bad_header[1]]),
        ),
        (
            "m > n",
            ["NonStandardScript"],
            "invalid",
            entry([0, 1], script=_nonstandard()[0][1].hex()),
        ),
    ]


def _sigs_by(secret: bytes, address: str) -> list[str]:
    from zkpor.reserves.multisig_signing import sign_keys

    return sign_keys([secret], _message(address))


def _header_minus_4(signature: str) -> str:
    import base64

    raw = bytearray(base64.b64decode(signature))
    raw[0] -= 4
    return base64.b64encode(bytes(raw)).decode()


def _bip322_tests(f: VectorFile) -> None:
    from zkpor.reserves.bip322 import encode_simple
    from zkpor.reserves.multisig_signing import (
        sign_bip322,
        sign_tapscript,
        tapscript_address,
        tapscript_multisig,
    )

    g = f.group("MultisigBip322Test")
    secrets = [_secret(i) for i in range(3)]
    script = _script()

    def add(
        comment: str, flags: list[str], address: str, signature: str, spend: str | None
    ) -> None:
        fields: Json = {"exchange": EXCHANGE, "round_id": ROUND_A, "chain": "bitcoin"}
        fields.update(address=address, signature=signature)
        if spend is None:
            g.add(comment, flags, "invalid", **fields)
        else:
            g.add(comment, flags, "valid", **fields, message=_message(address), spend=spend)

    for form in FORMS:
        addr = _address(script, form)
        sig = sign_bip322(secrets[1:], script, form, _message(addr))
        add(
            f"{form} 2-of-3, keys 2 and 3", ["Valid", "Bip322Multisig"], addr, sig, f"{form} 2-of-3"
        )
        wrong = sign_bip322(secrets[1:], script, form, _message(addr) + "\n")
        add(f"{form}: over another message", ["BadSignature"], addr, wrong, None)
        one = sign_bip322(secrets[:1], _script(1, 3), form, _message(addr))
        add(f"{form}: a 1-of-3 script's spend", ["BadSignature"], addr, one, None)
    p2sh = _address(script, "p2sh")
    simple = sign_bip322(secrets[1:], script, "p2wsh", _message(p2sh))
    add("a simple signature for a P2SH address", ["InvalidSignatureEncoding"], p2sh, simple, None)
    anyone = _address(b"\x51", "p2wsh")
    add(
        "OP_1 as P2WSH witness script: valid BIP-322, but no key at all",
        ["NonStandardScript"],
        anyone,
        encode_simple([b"\x51"]),
        None,
    )
    keys = _keys(3)
    tap = tapscript_multisig(keys, 2)
    tap_addr = tapscript_address(tap)
    for full in (False, True):
        sig = sign_tapscript(secrets[1:], keys, 2, _message(tap_addr), full=full)
        kind = "full" if full else "simple"
        add(
            f"Taproot script path 2-of-3, {kind}",
            ["Valid", "Bip322Multisig"],
            tap_addr,
            sig,
            "p2tr script path 2-of-3",
        )
    short = sign_tapscript(secrets[:1], keys, 2, _message(tap_addr))
    add(
        "Taproot script path with one signature for m = 2", ["TooFewSigners"], tap_addr, short, None
    )


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile(
        "multisig",
        "zkpor multisig reserve addresses and their ownership proofs (docs/spec/reserves.md 10.11)",
        HEADER,
    )
    _address_tests(f)
    g = f.group("MultisigKeysTest")
    for form in FORMS:
        for comment, flags, result, make in _keys_cases(form):
            fields = make()
            if result == "valid":
                from zkpor.reserves.multisig import prepare

                check = prepare(
                    str(fields["address"]),
                    "bitcoin",
                    form,
                    str(fields["script"]),
                    fields["signatures"],  # type: ignore[arg-type]
                )
                tally = check.tally(_message(str(fields["address"])))
                fields["message"] = _message(str(fields["address"]))
                fields["signers"] = sorted(k + 1 for k in tally.signers)
            g.add(
                f"{form}: {comment}", flags, result, exchange=EXCHANGE, round_id=ROUND_A, **fields
            )
    _bip322_tests(f)
    return f.to_json()


_KEYS_FIELDS: Final[dict[str, Schema]] = {
    "exchange": STR,
    "round_id": STR,
    "chain": STR,
    "address": STR,
    "form": STR,
    "script": HEX,
    "signatures": _arr(STR),
}

SPECS: dict[str, tuple[str, dict[str, GroupSpec]]] = {
    "multisig": (
        "multisig reserve address vectors",
        {
            "MultisigAddressTest": (
                {},
                {"chain": STR, "form": STR, "script": HEX},
                {"m": NAT, "n": NAT, "address": STR},
            ),
            "MultisigKeysTest": ({}, _KEYS_FIELDS, {"message": STR, "signers": _arr(NAT)}),
            "MultisigBip322Test": (
                {},
                {"exchange": STR, "round_id": STR, "chain": STR, "address": STR, "signature": STR},
                {"message": STR, "spend": STR},
            ),
        },
    )
}

NAME: Final = "multisig"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of multisig.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
