"""The inclusion proof names its exchange (docs/spec.md 8.1, 8.1a, 8.2 step 1): exported from
the bundle's manifest, encoded in .zkpi (version 4, flags bit 0), and compared with the manifest's exchange
by the customer's verifier; a bundle without manifest exports proofs without it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zkpor.errors import EncodingError, InputError, VerificationError
from zkpor.formats.amounts import format_units, parse_amount
from zkpor.formats.models import InclusionProof
from zkpor.formats.zkpi import decode_inclusion, encode_inclusion
from zkpor.prover.liabilities.export import BundleReader, export_user
from zkpor.verify.inclusion import verify_inclusion

from .liab_helpers import PROVE_BASE, make_reserves, run_prove, sample_rows, write_inputs, zkpor

EXCHANGE = "B\u00f6rse Example"  # non-ASCII: the name travels as UTF-8 in .zkpi


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("exchange")
    rows = sample_rows(12)
    write_inputs(tmp, rows)
    totals = {"BTC": 0, "ETH": 0}
    for _, asset, amount in rows:
        totals[asset] += parse_amount(amount, 8 if asset == "BTC" else 6)
    make_reserves(
        tmp,
        EXCHANGE,
        "r1",
        {"BTC": [format_units(totals["BTC"] + 1, 8)], "ETH": [format_units(totals["ETH"], 6)]},
    )
    assert zkpor("keygen", "--out", "s.key", cwd=tmp).returncode == 0
    args = ["--round", "r1", "--out", "b", "--pad-granularity", "4", "--workers", "1"]
    r = zkpor(
        *PROVE_BASE, *args, "--quiet", "--reserves", "reserves.json", "--exchange", EXCHANGE,
        cwd=tmp,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return tmp / "b"


def test_export_names_the_exchange_right_after_the_round(bundle: Path, tmp_path: Path) -> None:
    export_user(bundle, "user003", tmp_path / "p.json")
    text = (tmp_path / "p.json").read_text()
    keys = list(json.loads(text))
    assert keys[:3] == ["format", "round_id", "exchange"]
    proof = InclusionProof.model_validate_json(text)
    assert proof.exchange == EXCHANGE
    data = encode_inclusion(proof)
    assert data[:6] == b"ZKPI\x04\x01" and data[6] == len(EXCHANGE.encode())
    assert decode_inclusion(data) == proof
    # without the exchange: flags 0 and the same bytes without the exchange's str8
    plain = proof.model_copy(update={"exchange": None})
    old = encode_inclusion(plain)
    assert old == b"ZKPI\x04\x00" + data[7 + data[6] :]
    assert "exchange" not in json.loads(plain.model_dump_json())


def test_verifier_compares_the_exchange(bundle: Path) -> None:
    reader = BundleReader(bundle)
    try:
        proof = reader.inclusion_proof("user003")
        roots = reader.roots
    finally:
        reader.close()
    kw = {"round_id": roots.round_id, "arity": roots.arity}
    verify_inclusion(proof, roots.assets, exchange=EXCHANGE, **kw)
    verify_inclusion(proof, roots.assets, **kw)  # no manifest: nothing to compare
    for other in ("Borse Example", "b\u00f6rse example", EXCHANGE + " "):
        with pytest.raises(VerificationError, match="the proof is for exchange"):
            verify_inclusion(proof, roots.assets, exchange=other, **kw)
    older = proof.model_copy(update={"exchange": None})
    verify_inclusion(older, roots.assets, exchange="Anything", **kw)


def test_cli_refuses_a_proof_of_another_exchange(bundle: Path, tmp_path: Path) -> None:
    export_user(bundle, "user006", tmp_path / "u6.json")
    manifest = str(bundle / "manifest.json")
    r = zkpor("verify", "user", "u6.json", "--manifest", manifest, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    data = json.loads((tmp_path / "u6.json").read_text())
    data["exchange"] = "Another Exchange"
    (tmp_path / "other.json").write_text(json.dumps(data))
    r = zkpor("verify", "user", "other.json", "--manifest", manifest, cwd=tmp_path)
    assert r.returncode == 1 and "the proof is for exchange 'Another Exchange'" in r.stderr
    assert "Traceback" not in r.stderr
    export_user(bundle, "user006", tmp_path / "u6.zkpi", "binary")
    raw = bytearray((tmp_path / "u6.zkpi").read_bytes())
    assert raw[4:6] == b"\x04\x01"
    raw[7] ^= 0x20  # 'B' -> 'b': a valid name, another exchange
    (tmp_path / "x.zkpi").write_bytes(bytes(raw))
    r = zkpor("verify", "user", "x.zkpi", "--manifest", manifest, cwd=tmp_path)
    assert r.returncode == 1 and "the proof is for exchange" in r.stderr


def test_decoder_refuses_bad_exchanges(bundle: Path) -> None:
    reader = BundleReader(bundle)
    try:
        data = encode_inclusion(reader.inclusion_proof("user003"))
    finally:
        reader.close()
    body = data[7 + data[6] :]
    for exchange in (b"", b"a\nb", "o\u0308".encode(), b"\xff", b"E" * 101):
        with pytest.raises((EncodingError, ValueError)):
            decode_inclusion(b"ZKPI\x04\x01" + bytes((len(exchange),)) + exchange + body)
    decode_inclusion(b"ZKPI\x04\x01" + bytes((100,)) + b"E" * 100 + body)


def test_bundle_without_manifest_exports_no_exchange(tmp_path: Path) -> None:
    run_prove(tmp_path, sample_rows(6), arity=4)
    reader = BundleReader(tmp_path / "bundle")
    try:
        proof = reader.inclusion_proof("user001")
    finally:
        reader.close()
    assert proof.exchange is None and encode_inclusion(proof)[4:6] == b"\x04\x00"


def test_manifest_of_another_round_refuses_the_export(bundle: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "b"
    shutil.copytree(bundle, copy)
    data = json.loads((copy / "manifest.json").read_text())
    (copy / "manifest.json").write_text(json.dumps(dict(data, round_id="r2")))
    with pytest.raises(InputError, match=r"manifest\.json is for round 'r2'"):
        BundleReader(copy)


def test_exchange_with_debts_round_trips() -> None:
    """A margin proof that names its exchange: flags 3, the debt section after the assets."""
    vectors = Path(__file__).resolve().parent.parent / "vectors" / "v1" / "margin.json"
    data = json.loads(vectors.read_text())
    incl = next(
        t["inclusion"]
        for g in data["testGroups"]
        for t in g["tests"]
        if g["type"] == "MarginInclusionTest" and t["result"] == "valid"
    )
    proof = InclusionProof.model_validate(dict(incl, exchange=EXCHANGE))
    assert proof.debts
    encoded = encode_inclusion(proof)
    assert encoded[4:6] == b"\x04\x03" and decode_inclusion(encoded) == proof
    unnamed = encode_inclusion(proof.model_copy(update={"exchange": None}))
    assert unnamed[4:6] == b"\x04\x02" and unnamed[6:] == encoded[7 + encoded[6] :]
    with pytest.raises(EncodingError):
        decode_inclusion(encoded[:-1])
