"""Multisig cold wallets (docs/spec/reserves.md 10.11, issue 26): P2SH, P2SH-P2WSH and P2WSH
m-of-n scripts signed key by key or by BIP-322, Taproot OP_CHECKSIGADD script paths.

Addresses are compared with an independent implementation, bitcoin-utils (the dev extra's
``bitcoin-utils``, python-bitcoin-utils: ``P2shAddress.from_script``,
``P2wshAddress.from_script``), and the BIP-322 signatures made here are judged by
bip322-core (btclib's script interpreter), not by zkpor's own code.
"""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from zkpor.errors import VerificationError
from zkpor.formats.manifest import ManifestReserveAddress
from zkpor.formats.reserves import MAX_SIGNATURE_CHARS, ReserveAddress
from zkpor.reserves import multisig as ms
from zkpor.reserves.message import ownership_message
from zkpor.reserves.multisig_signing import (
    multisig_script,
    public_key,
    sign_bip322,
    sign_keys,
    sign_tapscript,
    tapscript_address,
    tapscript_multisig,
)
from zkpor.reserves.signing import sign_bitcoin
from zkpor.reserves.verify import verify_asset_reserves

EX, RD = "Example Exchange", "2026-11-30"
SECRETS = [hashlib.sha256(f"cold{i}".encode()).digest() for i in range(3)]
KEYS = [public_key(s) for s in SECRETS]
SCRIPT = multisig_script(KEYS, 2)
OUTSIDER = hashlib.sha256(b"not a cold key").digest()
FORMS = ["p2sh", "p2sh-p2wsh", "p2wsh"]


def _entry(address: str, form: str, script: bytes, sigs: list[str]) -> SimpleNamespace:
    multisig = SimpleNamespace(form=form, script=script.hex(), signatures=sigs)
    return SimpleNamespace(address=address, balance="1", signature=None, multisig=multisig)


def _check(entry: SimpleNamespace, chain: str = "bitcoin") -> int:
    return verify_asset_reserves(
        "BTC", chain, [entry], exchange=EX, round_id=RD, decimals=8, source="t"
    )


def _refused(entry: SimpleNamespace, text: str, chain: str = "bitcoin") -> str:
    with pytest.raises(VerificationError) as info:
        _check(entry, chain)
    assert text in str(info.value), str(info.value)
    return str(info.value)


def _msg(address: str) -> str:
    return ownership_message(EX, RD, address)


def _signed(form: str, secrets: list[bytes], script: bytes = SCRIPT) -> SimpleNamespace:
    address = ms.script_address(script, form, "bitcoin")
    return _entry(address, form, script, sign_keys(secrets, _msg(address)))


# --- the second way: the script and one signed message per key ---------------------------


@pytest.mark.parametrize("form", FORMS)
def test_valid_entry_each_form(form: str) -> None:
    assert _check(_signed(form, SECRETS[:2])) == 100_000_000
    assert _check(_signed(form, SECRETS)) == 100_000_000  # all three: more than m is fine
    assert _check(_signed(form, [SECRETS[2], SECRETS[0]])) == 100_000_000  # any order


@pytest.mark.parametrize("form", FORMS)
def test_m_minus_one_signatures(form: str) -> None:
    _refused(_signed(form, SECRETS[:1]), "1 signature for a 2-of-3 script: at least 2 needed")


@pytest.mark.parametrize("form", FORMS)
def test_same_key_twice(form: str) -> None:
    text = _refused(
        _signed(form, [SECRETS[1], SECRETS[1]]),
        "multisig 2-of-3: 1 key of the script signed the expected message, 2 needed",
    )
    assert "signatures[1] is by key 2 again (signatures[0]): each key counts once" in text
    assert "signed: key 2 (" in text and "not signed: key 1 (" in text


@pytest.mark.parametrize("form", FORMS)
def test_key_outside_the_script(form: str) -> None:
    text = _refused(_signed(form, [SECRETS[0], OUTSIDER]), "1 key of the script signed")
    outsider = public_key(OUTSIDER).hex()[:16]
    assert f"signatures[1] recovers {outsider}..., not a key of the script" in text


@pytest.mark.parametrize("form", FORMS)
def test_signatures_over_another_message(form: str) -> None:
    address = ms.script_address(SCRIPT, form, "bitcoin")
    entry = _entry(address, form, SCRIPT, sign_keys(SECRETS[:2], _msg(address) + "\n"))
    _refused(entry, "signed a different message: the expected text with a trailing LF")


def _nonstandard() -> list[tuple[bytes, str]]:
    k = [b"\x21" + key for key in KEYS]
    uncompressed = b"\x41\x04" + bytes(64)
    return [
        (b"\x53" + b"".join(k[:2]) + b"\x52\xae", "m = 3 is more than n = 2"),
        (b"\x51" + uncompressed + b"\x51\xae", "key 1 is a 65-byte uncompressed key"),
        (b"\x52" + b"".join(k) + b"\x53\xae\x75", "1 extra bytes after OP_CHECKMULTISIG"),
        (b"\x52" + b"".join(k) + b"\x75\x53\xae", "after key 3, expected OP_n, found byte 0x75"),
        (b"\x52" + b"".join(k) + b"\x53\xaf", "expected OP_CHECKMULTISIG after OP_n"),
        (b"\x52" + b"".join(k) + b"\x52\xae", "OP_n says 2 keys, the script has 3"),
        (b"\x00" + b"".join(k) + b"\x53\xae", "m = 0 (OP_0)"),
        (b"\x52" + k[0] + k[1] + k[0] + b"\x53\xae", "key 3 repeats key 1"),
        (b"\x51\x21\x04" + bytes(32) + b"\x51\xae", "key 1 is not a compressed key (prefix 0x04)"),
        (b"\x51\x21\x02" + (7).to_bytes(32, "big") + b"\x51\xae", "key 1 is not a point"),
        (b"\x01\x02" + b"".join(k) + b"\x53\xae", "the script does not start with OP_m"),
    ]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(("script", "reason"), _nonstandard())
def test_non_standard_script(form: str, script: bytes, reason: str) -> None:
    address = ms.script_address(script, form, "bitcoin")
    entry = _entry(address, form, script, sign_keys(SECRETS[:2], _msg(address)))
    _refused(entry, f"multisig: the script is not a standard m-of-n multisig: {reason}")


@pytest.mark.parametrize("form", FORMS)
def test_the_script_of_another_address(form: str) -> None:
    other = multisig_script(KEYS[:2], 2)
    address = ms.script_address(other, form, "bitcoin")
    entry = _entry(address, form, SCRIPT, sign_keys(SECRETS[:2], _msg(address)))
    label = {"p2sh": "P2SH", "p2sh-p2wsh": "P2SH-P2WSH", "p2wsh": "P2WSH"}[form]
    mine = ms.script_address(SCRIPT, form, "bitcoin")
    _refused(entry, f"multisig: the script's {label} address is {mine}, not this address")


def test_p2sh_address_claimed_as_p2sh_p2wsh() -> None:
    address = ms.script_address(SCRIPT, "p2sh", "bitcoin")
    entry = _entry(address, "p2sh-p2wsh", SCRIPT, sign_keys(SECRETS[:2], _msg(address)))
    _refused(
        entry,
        "this address is the script's P2SH address, not its P2SH-P2WSH address: "
        "the form must be p2sh",
    )
    address = ms.script_address(SCRIPT, "p2sh-p2wsh", "bitcoin")
    entry = _entry(address, "p2sh", SCRIPT, sign_keys(SECRETS[:2], _msg(address)))
    _refused(entry, "this address is the script's P2SH-P2WSH address, not its P2SH address")


def test_p2sh_address_claimed_as_p2wsh_and_the_reverse() -> None:
    p2sh = ms.script_address(SCRIPT, "p2sh", "bitcoin")
    _refused(_entry(p2sh, "p2wsh", SCRIPT, sign_keys(SECRETS[:2], _msg(p2sh))), "form p2wsh")
    p2wsh = ms.script_address(SCRIPT, "p2wsh", "bitcoin")
    entry = _entry(p2wsh, "p2sh-p2wsh", SCRIPT, sign_keys(SECRETS[:2], _msg(p2wsh)))
    _refused(entry, "form p2sh-p2wsh needs a P2SH address (Base58Check); this is a P2WSH address")


@pytest.mark.parametrize("form", FORMS)
def test_another_networks_address(form: str) -> None:
    testnet = ms.script_address(SCRIPT, form, "bitcoin-testnet")
    entry = _entry(testnet, form, SCRIPT, sign_keys(SECRETS[:2], _msg(testnet)))
    _refused(entry, "address: a bitcoin-testnet address cannot hold reserves on chain bitcoin")
    assert _check(entry, "bitcoin-testnet") == 100_000_000
    mainnet = ms.script_address(SCRIPT, form, "bitcoin")
    entry = _entry(mainnet, form, SCRIPT, sign_keys(SECRETS[:2], _msg(mainnet)))
    _refused(
        entry, "a bitcoin address cannot hold reserves on chain bitcoin-testnet", "bitcoin-testnet"
    )


def test_single_key_addresses_are_not_multisig() -> None:
    from zkpor.reserves.signing import bitcoin_address

    p2pkh = bitcoin_address(SECRETS[0], "p2pkh")
    entry = _entry(p2pkh, "p2sh", SCRIPT, sign_keys(SECRETS[:2], _msg(p2pkh)))
    _refused(entry, "address: a P2PKH address has one key")
    p2wpkh = bitcoin_address(SECRETS[0], "p2wpkh")
    entry = _entry(p2wpkh, "p2wsh", SCRIPT, sign_keys(SECRETS[:2], _msg(p2wpkh)))
    _refused(entry, "address: witness version 0 with a 20-byte program is not a P2WSH address")
    eth = "0x259e4E85e16f1FbfdE84A8E08bE55bB28ABeF8ed"
    _refused(_entry(eth, "p2sh", SCRIPT, ["x"]), "an Ethereum address cannot hold reserves")


def test_key_limits_per_form() -> None:
    secrets = [hashlib.sha256(f"k{i}".encode()).digest() for i in range(20)]
    keys = [public_key(s) for s in secrets]
    s16 = multisig_script(keys[:16], 2)
    _refused(_signed("p2sh", secrets[:2], s16), "n = 16 keys, more than 15 (P2SH allows 15)")
    assert _check(_signed("p2sh", secrets[:2], multisig_script(keys[:15], 2)))
    s20 = multisig_script(keys, 17)
    assert s20[:2] == b"\x01\x11" and s20[-3:] == b"\x01\x14\xae"  # 17 and 20 as pushes
    for form in ("p2sh-p2wsh", "p2wsh"):
        assert _check(_signed(form, secrets[:17], s20))
    _refused(_signed("p2wsh", secrets[:16], s20), "16 signatures for a 17-of-20 script")
    # 16 as a push is not minimal: only OP_16 writes 16
    bad = b"\x01\x10" + s20[2 : 2 + 16 * 34] + b"\x01\x10\xae"
    _refused(_signed("p2wsh", secrets[:2], bad), "does not start with OP_m (byte 0x01)")


def test_signature_forms() -> None:
    entry = _signed("p2wsh", SECRETS[:2])
    entry.multisig.signatures[1] = "not base64!"
    _refused(entry, "multisig: signatures[1]: signature is not base64")
    entry = _signed("p2wsh", SECRETS[:2])
    raw = bytearray(__import__("base64").b64decode(entry.multisig.signatures[0]))
    raw[0] -= 4  # header 31-34 -> 27-30: an uncompressed key
    entry.multisig.signatures[0] = __import__("base64").b64encode(bytes(raw)).decode()
    _refused(entry, "signatures[0]: signature header 27 is for an uncompressed key")
    entry = _signed("p2wsh", SECRETS)
    entry.multisig.signatures.append(entry.multisig.signatures[0])
    _refused(entry, "multisig: 4 signatures for 3 keys: at most one per key")
    entry = _signed("p2wsh", SECRETS[:2])
    entry.multisig.script = SCRIPT.hex().upper()
    _refused(entry, "multisig: script is not lowercase hex of whole bytes")
    entry.multisig.script, entry.multisig.form = SCRIPT.hex(), "p2tr"
    _refused(entry, "multisig: form 'p2tr' is not p2sh, p2sh-p2wsh or p2wsh")


def test_headers_of_segwit_kinds_are_accepted() -> None:
    """A key's signature counts whatever address type its BIP 137 header names (31-42)."""
    address = ms.script_address(SCRIPT, "p2wsh", "bitcoin")
    sigs = [sign_bitcoin(SECRETS[0], _msg(address), "p2wpkh")]
    sigs.append(sign_bitcoin(SECRETS[1], _msg(address), "p2sh-p2wpkh"))
    assert _check(_entry(address, "p2wsh", SCRIPT, sigs))


# --- addresses against an independent implementation ---------------------------------------


@pytest.fixture(scope="module")
def bitcoin_utils():  # type: ignore[no-untyped-def]
    import warnings

    warnings.filterwarnings("ignore", category=RuntimeWarning)
    from bitcoinutils import keys, script, setup

    return SimpleNamespace(keys=keys, script=script, setup=setup.setup)


@pytest.mark.parametrize(("n", "m"), [(1, 1), (3, 2), (15, 11), (16, 3), (20, 17)])
@pytest.mark.parametrize(("chain", "net"), [("bitcoin", "mainnet"), ("bitcoin-testnet", "testnet")])
def test_addresses_agree_with_bitcoin_utils(
    bitcoin_utils, n: int, m: int, chain: str, net: str
) -> None:  # type: ignore[no-untyped-def]
    keys = [public_key(hashlib.sha256(f"k{i}".encode()).digest()) for i in range(n)]
    script = multisig_script(keys, m)
    bitcoin_utils.setup(net)
    ops: list[object] = [m if m > 16 else f"OP_{m}", *[k.hex() for k in keys]]
    ops += [n if n > 16 else f"OP_{n}", "OP_CHECKMULTISIG"]
    theirs = bitcoin_utils.script.Script(ops)
    assert theirs.to_hex() == script.hex()
    p2wsh = bitcoin_utils.keys.P2wshAddress.from_script(theirs)
    assert ms.script_address(script, "p2wsh", chain) == p2wsh.to_string()
    nested = bitcoin_utils.keys.P2shAddress.from_script(p2wsh.to_script_pub_key())
    assert ms.script_address(script, "p2sh-p2wsh", chain) == nested.to_string()
    if n <= 15:
        p2sh = bitcoin_utils.keys.P2shAddress.from_script(theirs)
        assert ms.script_address(script, "p2sh", chain) == p2sh.to_string()
    assert ms.parse_multisig(script).keys == tuple(keys)


# --- the first way: BIP-322 ------------------------------------------------------------------


def _bip322_entry(address: str, signature: str) -> SimpleNamespace:
    return SimpleNamespace(address=address, balance="1", signature=signature, multisig=None)


@pytest.mark.parametrize("form", FORMS)
def test_bip322_each_form(form: str) -> None:
    address = ms.script_address(SCRIPT, form, "bitcoin")
    signature = sign_bip322(SECRETS[1:], SCRIPT, form, _msg(address))
    assert signature.startswith("ful" if form != "p2wsh" else "smp")
    assert _check(_bip322_entry(address, signature)) == 100_000_000
    # over another message, or for another address: not this address's spend
    wrong = sign_bip322(SECRETS[1:], SCRIPT, form, _msg(address) + "x")
    _refused(_bip322_entry(address, wrong), "signature was not made by this address's key")
    one = sign_bip322([SECRETS[0]], multisig_script(KEYS, 1), form, _msg(address))
    _refused(_bip322_entry(address, one), "not made by this address's key")


def test_bip322_p2sh_needs_a_full_signature() -> None:
    address = ms.script_address(SCRIPT, "p2sh", "bitcoin")
    simple = sign_bip322(SECRETS[1:], SCRIPT, "p2wsh", _msg(address))
    _refused(_bip322_entry(address, simple), "a P2SH address needs a full (ful) BIP-322 signature")


def test_bip322_anyone_can_spend_script_is_refused() -> None:
    """OP_TRUE as a P2WSH witness script is a valid BIP-322 spend with no key at all: it
    shows nothing about the exchange, so the script must be a standard m-of-n."""
    from zkpor.reserves.bip322 import _core

    script = b"\x51"
    address = ms.script_address(script, "p2wsh", "bitcoin")
    signature = _core().encode_simple([script])
    import bip322core  # type: ignore[import-untyped]

    verdict = bip322core.verify_message(address, signature, _msg(address).encode())
    assert str(verdict.state) == "valid"  # BIP-322 alone accepts it
    _refused(
        _bip322_entry(address, signature),
        "signature: the script this signature spends with is not a standard m-of-n: "
        "no keys after OP_m",
    )


@pytest.mark.parametrize("full", [False, True])
def test_bip322_taproot_script_path(full: bool) -> None:
    script = tapscript_multisig(KEYS, 2)
    address = tapscript_address(script)
    signature = sign_tapscript(SECRETS[1:], KEYS, 2, _msg(address), full=full)
    assert _check(_bip322_entry(address, signature)) == 100_000_000
    spend = ms.bip322_spend("p2tr", signature)
    assert spend is not None and spend.describe() == "p2tr script path 2-of-3"
    short = sign_tapscript(SECRETS[:1], KEYS, 2, _msg(address), full=full)
    _refused(_bip322_entry(address, short), "not made by this address's key")
    outsider = sign_tapscript(
        [SECRETS[0], OUTSIDER], [*KEYS[:2], public_key(OUTSIDER)], 2, _msg(address), full=full
    )
    _refused(_bip322_entry(address, outsider), "signature")


def test_tapscript_parsing() -> None:
    script = tapscript_multisig(KEYS, 2)
    parsed = ms.parse_tapscript(script)
    assert (parsed.m, parsed.n) == (2, 3)
    with pytest.raises(ValueError, match="m = 4 is more than n = 3"):
        ms.parse_tapscript(tapscript_multisig(KEYS, 4))
    with pytest.raises(ValueError, match="does not end with OP_m OP_NUMEQUAL"):
        ms.parse_tapscript(script[:-1] + b"\x87")
    with pytest.raises(ValueError, match="key 2 is not followed by OP_CHECKSIGADD"):
        ms.parse_tapscript(script.replace(b"\xba", b"\xac", 1))
    with pytest.raises(ValueError, match="repeats key 1"):
        ms.parse_tapscript(tapscript_multisig([KEYS[0], KEYS[0]], 1))


def test_largest_signatures_fit_the_cap() -> None:
    """MAX_SIGNATURE_CHARS is sized for n = 20: a 20-of-20 BIP-322 signature of each form
    (15-of-15 for legacy P2SH) fits, and verifies."""
    secrets = [hashlib.sha256(f"k{i}".encode()).digest() for i in range(20)]
    keys = [public_key(s) for s in secrets]
    sizes = {}
    for form, n in (("p2sh", 15), ("p2sh-p2wsh", 20), ("p2wsh", 20)):
        script = multisig_script(keys[:n], n)
        address = ms.script_address(script, form, "bitcoin")
        sig = sign_bip322(secrets[:n], script, form, _msg(address))
        sizes[form] = len(sig)
        assert _check(_bip322_entry(address, sig))
    tscript = tapscript_multisig(keys, 20)
    taddress = tapscript_address(tscript)
    sizes["p2tr"] = len(sign_tapscript(secrets, keys, 20, _msg(taddress), full=True))
    assert max(sizes.values()) < 3_200 < MAX_SIGNATURE_CHARS, sizes
    # the second way's largest entry is accepted by both models
    s20 = multisig_script(keys, 20)
    address = ms.script_address(s20, "p2wsh", "bitcoin")
    data = {"form": "p2wsh", "script": s20.hex(), "signatures": sign_keys(secrets, _msg(address))}
    ReserveAddress(address=address, balance="1", multisig=data)  # type: ignore[arg-type]
    ManifestReserveAddress(address=address, balance="1", multisig=data)  # type: ignore[arg-type]


def test_models_take_exactly_one_of_signature_and_multisig() -> None:
    entry = _signed("p2wsh", SECRETS[:2])
    data = vars(entry.multisig)
    for model in (ReserveAddress, ManifestReserveAddress):
        with pytest.raises(ValidationError, match="give exactly one of signature"):
            model(address=entry.address, balance="1")
        with pytest.raises(ValidationError, match="give exactly one of signature"):
            model(address=entry.address, balance="1", signature="x", multisig=data)  # type: ignore[arg-type]
        with pytest.raises(ValidationError):
            model(address=entry.address, balance="1", multisig={**data, "extra": 1})  # type: ignore[arg-type]
    signed = ManifestReserveAddress(address=entry.address, balance="1", signature="abc")
    assert "multisig" not in signed.model_dump(mode="json")  # absent: old digests unchanged
    with_ms = ManifestReserveAddress(address=entry.address, balance="1", multisig=data)  # type: ignore[arg-type]
    assert "signature" not in with_ms.model_dump(mode="json")


# --- the command line ------------------------------------------------------------------------


def test_cli_message_lists_the_keys() -> None:
    from .conftest import call_zkpor

    address = ms.script_address(SCRIPT, "p2sh-p2wsh", "bitcoin")
    args = ["reserves", "message", "--exchange", EX, "--round", RD, "--address", address]
    code, out, err = call_zkpor(*args, "--script", SCRIPT.hex())
    assert code == 0 and out == _msg(address), err
    assert "p2sh-p2wsh 2-of-3 on bitcoin: at least 2 of these keys" in err
    assert all(f"key {i + 1}: {k.hex()}" in err for i, k in enumerate(KEYS))
    other = ms.script_address(multisig_script(KEYS[:2], 1), "p2sh", "bitcoin")
    code, out, err = call_zkpor(*args[:-1], other, "--script", SCRIPT.hex())
    assert code == 2 and out == "" and "this script's addresses are" in err
    code, out, err = call_zkpor(*args, "--script", "5100ae")
    assert code == 2 and "not a standard m-of-n multisig script" in err


def test_cli_check_names_signers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from .conftest import call_zkpor

    address = ms.script_address(SCRIPT, "p2wsh", "bitcoin")
    sigs = sign_keys([SECRETS[0], SECRETS[2]], _msg(address))
    good = {
        "address": address,
        "balance": "2",
        "multisig": {"form": "p2wsh", "script": SCRIPT.hex(), "signatures": sigs},
    }
    snap: dict[str, object] = {"format": "zkpor-reserves-v1", "exchange": EX, "round_id": RD}
    snap["assets"] = [{"asset": "BTC", "chain": "bitcoin", "block_height": 1, "addresses": [good]}]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(snap))
    args = ["reserves", "check", str(path), "--exchange", EX, "--round", RD]
    code, out, err = call_zkpor(*args)
    assert code == 0, err
    assert f"signed: key 1 {KEYS[0].hex()}, key 3 {KEYS[2].hex()}" in out
    assert f"not signed: key 2 {KEYS[1].hex()}" in out
    code, out, err = call_zkpor(*args, "--json")
    assert json.loads(out)["multisig"][0]["m_of_n"] == "2-of-3"
    sigs[1] = sign_keys([SECRETS[0]], _msg(address))[0]
    path.write_text(json.dumps(snap))
    code, out, err = call_zkpor(*args)
    assert code == 1 and "not signed: key 2 (" in err and "is by key 1 again" in err
