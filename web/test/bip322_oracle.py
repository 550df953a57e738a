"""Writes web/test/bip322-oracle.json: BIP-322 cases with zkpor's verdict on each.

The verdict is zkpor.reserves.bip322.verify (bip322-core: embit framing, btclib's script
interpreter): "valid", "invalid", or "error: MESSAGE" (a VerificationError). The browser's
TypeScript verifier must give the same verdict on every case (web/test/bip322.test.ts), or
name the case as not checked. Cases: the vectors of tests/test_bip322.py with byte flips at
every position, truncations and other messages; full (ful) signatures by Bitcoin Core's test
key with each field of to_sign changed; P2WSH 2-of-3 and 1-of-1 scripts signed here (keys
SHA-256("web-bip322-k0"), ...), with the signatures reordered, high S, another hash type, a
non-empty dummy, a missing or an extra element. Deterministic (RFC 6979 nonces, zero
BIP-340 auxiliary randomness), so re-running gives the same file.

    ../.venv/bin/python test/bip322_oracle.py      # from web/
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from pathlib import Path

from bip322core import core
from coincurve import PrivateKey as CPriv
from embit import ec, script

from zkpor.errors import VerificationError
from zkpor.reserves import bip322

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
import test_bip322 as T

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def verdict(address: str, message: str, signature: str, chain: str = "bitcoin") -> str:
    try:
        return "valid" if bip322.verify(address, message, signature, chain=chain) else "invalid"
    except VerificationError as exc:
        return f"error: {exc}"


def b64(prefix: str, raw: bytes) -> str:
    return prefix + base64.b64encode(raw).decode()


def split(sig: str) -> tuple[str, bytes]:
    prefix = sig[:3] if sig[:3] in ("smp", "ful") else ""
    return prefix, base64.b64decode(sig[len(prefix) :])


cases: list[dict[str, str]] = []


def add(what: str, address: str, message: str, signature: str, chain: str = "bitcoin") -> None:
    cases.append(
        {
            "what": what,
            "address": address,
            "chain": chain,
            "message": message,
            "signature": signature,
            "verdict": verdict(address, message, signature, chain),
        }
    )


# ---- the vectors of tests/test_bip322.py, and their mutations ----
for source, address, message, sig in T.VALID:
    add(f"[{source}] vector", address, message, sig)
    add(f"[{source}] vector, another message", address, message + ".", sig)
    add(f"[{source}] vector, a trailing LF", address, message + "\n", sig)
    prefix, raw = split(sig)
    step = 1 if len(raw) < 100 else 5
    for i in range(0, len(raw), step):
        flipped = bytearray(raw)
        flipped[i] ^= 0x01
        add(f"[{source}] vector, byte {i} flipped", address, message, b64(prefix, bytes(flipped)))
    add(f"[{source}] vector, truncated", address, message, b64(prefix, raw[:-1]))
    add(f"[{source}] vector, a byte appended", address, message, b64(prefix, raw + b"\x00"))
for address, message, sig in T.INVALID:
    add("[BIP-basic] error vector", address, message, sig)
add("[Core] P2TR upper case", T.P2TR_CORE.upper(), "Hello World", T.P2TR_CORE_HELLO)
add("[Core] P2TR on testnet", T.P2TR_CORE, "Hello World", T.P2TR_CORE_HELLO, "bitcoin-testnet")
add("[BIP-generated] full P2TR, time-locked", *T.P2TR_FULL)
add(
    "[BIP-generated] full P2TR, another message",
    T.P2TR_FULL[0],
    T.P2TR_FULL[1] + "x",
    T.P2TR_FULL[2],
)
add("[Core] pof", T.P2TR_CORE, "Hello World", "pof" + T.P2TR_CORE_HELLO)
add("[Core] empty smp", T.P2TR_CORE, "Hello World", "smp")
legacy = base64.b64encode(b"\x1f" + b"\x01" * 64).decode()
add("65-byte legacy payload", T.P2TR_CORE, "Hello World", legacy)
add("65-byte payload, smp", T.P2TR_CORE, "Hello World", "smp" + legacy)
body = T.P2TR_CORE_HELLO.rstrip("=")
alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
add(
    "non-canonical base64",
    T.P2TR_CORE,
    "Hello World",
    body[:-1] + alphabet[alphabet.index(body[-1]) ^ 1] + "==",
)
add("base64 without padding", T.P2TR_CORE, "Hello World", body)

# ---- full signatures by [Core]'s key, each field of to_sign changed ----
KEY = ec.PrivateKey.from_wif("L3VFeEujGtevx9w18HD1fhRbCH67Az2dpCymeRE1SoPK6XQtaN2k")
SPK = script.p2tr(KEY.get_public_key())
TWEAKED = CPriv(KEY.taproot_tweak(b"").secret)
MSG = (
    "zkpor proof of reserves\nexchange: Example Exchange\nround: 2026-11-30\naddress: "
    + T.P2TR_CORE
)


def full(
    *,
    version=0,
    locktime=0,
    sequence=0,
    script_sig=b"",
    vout=0,
    outputs=None,
    hash_type=0,
    message=MSG,
):
    to_spend = core.build_to_spend(message.encode(), SPK.data)
    tx = core.build_to_sign(
        to_spend.txid(),
        version=version,
        locktime=locktime,
        sequence=sequence,
        script_sig=script_sig,
    )
    tx.vin[0].vout = vout
    if outputs is not None:
        tx.vout = outputs
    digest = tx.sighash_taproot(0, [SPK], [0], sighash=hash_type)
    sig = TWEAKED.sign_schnorr(digest, aux_randomness=bytes(32))
    tx.vin[0].witness = script.Witness([sig if hash_type == 0 else sig + bytes([hash_type])])
    return tx


def ful(tx) -> str:
    return "ful" + base64.b64encode(tx.serialize()).decode()


from embit.transaction import TransactionOutput  # noqa: E402

add("full P2TR, all defaults", T.P2TR_CORE, MSG, ful(full()))
add("full P2TR, SIGHASH_ALL", T.P2TR_CORE, MSG, ful(full(hash_type=1)))
add("full P2TR, SIGHASH_NONE", T.P2TR_CORE, MSG, ful(full(hash_type=2)))
add("full P2TR, SIGHASH_ALL|ANYONECANPAY", T.P2TR_CORE, MSG, ful(full(hash_type=0x81)))
add("full P2TR, version 2", T.P2TR_CORE, MSG, ful(full(version=2)))
add("full P2TR, version 1", T.P2TR_CORE, MSG, ful(full(version=1)))
add("full P2TR, version 3", T.P2TR_CORE, MSG, ful(full(version=3)))
add("full P2TR, lock time 1", T.P2TR_CORE, MSG, ful(full(locktime=1)))
add("full P2TR, sequence 5", T.P2TR_CORE, MSG, ful(full(sequence=5)))
add("full P2TR, a scriptSig", T.P2TR_CORE, MSG, ful(full(script_sig=b"\x51")))
add("full P2TR, spends output 1", T.P2TR_CORE, MSG, ful(full(vout=1)))
op_return = TransactionOutput(0, script.Script(b"\x6a"))
add("full P2TR, two outputs", T.P2TR_CORE, MSG, ful(full(outputs=[op_return, op_return])))
add("full P2TR, no output", T.P2TR_CORE, MSG, ful(full(outputs=[])))
add(
    "full P2TR, output of 1 sat",
    T.P2TR_CORE,
    MSG,
    ful(full(outputs=[TransactionOutput(1, script.Script(b"\x6a"))])),
)
add(
    "full P2TR, OP_RETURN with data",
    T.P2TR_CORE,
    MSG,
    ful(full(outputs=[TransactionOutput(0, script.Script(b"\x6a\x01\x00"))])),
)
add("full P2TR, another message", T.P2TR_CORE, MSG + "\n", ful(full()))
add("full P2TR, signed for another message", T.P2TR_CORE, MSG, ful(full(message="x")))
nowit = full()
nowit.vin[0].witness = script.Witness([])
add("full P2TR, no witness", T.P2TR_CORE, MSG, ful(nowit))
raw = full().serialize()
add("full P2TR, trailing byte", T.P2TR_CORE, MSG, b64("ful", raw + b"\x00"))
add("full P2TR, truncated", T.P2TR_CORE, MSG, b64("ful", raw[:-1]))
add(
    "full P2TR, non-minimal input count",
    T.P2TR_CORE,
    MSG,
    b64("ful", raw[:6] + b"\xfd\x01\x00" + raw[7:]),
)
add("full P2TR as smp", T.P2TR_CORE, MSG, b64("smp", raw))
add(
    "smp P2TR, SIGHASH_ALL",
    T.P2TR_CORE,
    MSG,
    core.encode_simple(full(hash_type=1).vin[0].witness.items),
)
add(
    "smp P2TR, 65 bytes with hash type 0",
    T.P2TR_CORE,
    MSG,
    core.encode_simple([full().vin[0].witness.items[0] + b"\x00"]),
)
add(
    "smp P2TR, signature and an annex",
    T.P2TR_CORE,
    MSG,
    core.encode_simple([full().vin[0].witness.items[0], b"\x50"]),
)
add(
    "smp P2TR, script path shape",
    T.P2TR_CORE,
    MSG,
    core.encode_simple([b"\x01", b"\x51", b"\xc0" + bytes(32)]),
)

# ---- P2WSH scripts signed here ----
KEYS = [ec.PrivateKey(hashlib.sha256(f"web-bip322-k{i}".encode()).digest()) for i in range(3)]
PUBS = [k.get_public_key() for k in KEYS]


def wsh_address(ws: script.Script) -> str:
    return script.p2wsh(ws).address()


def wsh_sign(ws: script.Script, message: str, signers: list[int], hash_type: int = 1):
    spk = script.p2wsh(ws)
    to_spend = core.build_to_spend(message.encode(), spk.data)
    tx = core.build_to_sign(to_spend.txid())
    digest = tx.sighash_segwit(0, ws, 0, sighash=hash_type)
    return [KEYS[i].sign(digest).serialize() + bytes([hash_type]) for i in signers]


def der(r: int, s: int) -> bytes:
    def enc(x: int) -> bytes:
        b = x.to_bytes((x.bit_length() + 7) // 8 or 1, "big")
        if b[0] & 0x80:
            b = b"\x00" + b
        return b"\x02" + bytes([len(b)]) + b

    body = enc(r) + enc(s)
    return b"\x30" + bytes([len(body)]) + body


def parse_der(sig: bytes) -> tuple[int, int]:
    lr = sig[3]
    r = int.from_bytes(sig[4 : 4 + lr], "big")
    ls = sig[5 + lr]
    s = int.from_bytes(sig[6 + lr : 6 + lr + ls], "big")
    return r, s


multi = script.multisig(2, PUBS)
one = script.Script(bytes([33]) + PUBS[0].sec() + b"\xac")
MULTI = wsh_address(multi)
ONE = wsh_address(one)
m2 = MSG.replace(T.P2TR_CORE, MULTI)
m1 = MSG.replace(T.P2TR_CORE, ONE)
s01, s02, s12 = (
    wsh_sign(multi, m2, [0, 1]),
    wsh_sign(multi, m2, [0, 2]),
    wsh_sign(multi, m2, [1, 2]),
)
W = multi.data
add("P2WSH 2-of-3, keys 0 and 1", MULTI, m2, core.encode_simple([b"", *s01, W]))
add("P2WSH 2-of-3, keys 0 and 2", MULTI, m2, core.encode_simple([b"", *s02, W]))
add("P2WSH 2-of-3, keys 1 and 2", MULTI, m2, core.encode_simple([b"", *s12, W]))
add(
    "P2WSH 2-of-3, full",
    MULTI,
    m2,
    "ful"
    + base64.b64encode(
        core.build_to_sign(
            core.build_to_spend(m2.encode(), script.p2wsh(multi).data).txid(),
            witness=[b"", *s01, W],
        ).serialize()
    ).decode(),
)
add("P2WSH 2-of-3, another message", MULTI, m2 + ".", core.encode_simple([b"", *s01, W]))
add("P2WSH 2-of-3, signatures swapped", MULTI, m2, core.encode_simple([b"", s01[1], s01[0], W]))
add("P2WSH 2-of-3, one signature twice", MULTI, m2, core.encode_simple([b"", s01[0], s01[0], W]))
add("P2WSH 2-of-3, one signature", MULTI, m2, core.encode_simple([b"", s01[0], W]))
add("P2WSH 2-of-3, no dummy", MULTI, m2, core.encode_simple([*s01, W]))
add("P2WSH 2-of-3, dummy 0x00", MULTI, m2, core.encode_simple([b"\x00", *s01, W]))
add("P2WSH 2-of-3, an extra element", MULTI, m2, core.encode_simple([b"", b"", *s01, W]))
add("P2WSH 2-of-3, an empty signature", MULTI, m2, core.encode_simple([b"", s01[0], b"", W]))
add("P2WSH 2-of-3, no script", MULTI, m2, core.encode_simple([b"", *s01]))
add("P2WSH 2-of-3, another script", MULTI, m2, core.encode_simple([b"", *s01, one.data]))
r, s = parse_der(s01[1][:-1])
add(
    "P2WSH 2-of-3, high S", MULTI, m2, core.encode_simple([b"", s01[0], der(r, N - s) + b"\x01", W])
)
add(
    "P2WSH 2-of-3, hash type 0x00",
    MULTI,
    m2,
    core.encode_simple([b"", s01[0], s01[1][:-1] + b"\x00", W]),
)
add(
    "P2WSH 2-of-3, hash type 0x81",
    MULTI,
    m2,
    core.encode_simple([b"", s01[0], s01[1][:-1] + b"\x81", W]),
)
sn = wsh_sign(multi, m2, [0, 1], hash_type=2)
add("P2WSH 2-of-3, signed with SIGHASH_NONE", MULTI, m2, core.encode_simple([b"", *sn, W]))
lr = s01[1][3]
nonstrict = (
    b"\x30" + bytes([s01[1][1] + 1]) + b"\x02" + bytes([lr + 1]) + b"\x00" + s01[1][4:-1] + b"\x01"
)
add(
    "P2WSH 2-of-3, R with a needless zero byte",
    MULTI,
    m2,
    core.encode_simple([b"", s01[0], nonstrict, W]),
)
add("P2WSH 1-of-1 CHECKSIG", ONE, m1, core.encode_simple([*wsh_sign(one, m1, [0]), one.data]))
add(
    "P2WSH 1-of-1 CHECKSIG, another key",
    ONE,
    m1,
    core.encode_simple([*wsh_sign(one, m1, [1]), one.data]),
)
add(
    "P2WSH 1-of-1 CHECKSIG, an extra element",
    ONE,
    m1,
    core.encode_simple([b"", *wsh_sign(one, m1, [0]), one.data]),
)
unc = script.Script(
    bytes([65]) + bytes.fromhex("04" + PUBS[0].sec()[1:].hex() + "00" * 32) + b"\xac"
)
add(
    "P2WSH, a script this page does not evaluate (OP_TRUE)",
    wsh_address(script.Script(b"\x51")),
    "x",
    core.encode_simple([b"\x51"]),
)
add(
    "P2WSH, an uncompressed-key script",
    wsh_address(unc),
    "x",
    core.encode_simple([b"\x01", unc.data]),
)

out = {
    "source": "web/test/bip322_oracle.py: verdicts of zkpor.reserves.bip322.verify (bip322-core 0.12)",
    "cases": cases,
}
Path(__file__).with_name("bip322-oracle.json").write_text(
    json.dumps(out, indent=1, ensure_ascii=False) + "\n"
)
print(
    len(cases),
    "cases;",
    {
        v: sum(1 for c in cases if c["verdict"].split(":")[0] == v)
        for v in ("valid", "invalid", "error")
    },
)
