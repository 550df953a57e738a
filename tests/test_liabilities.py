"""Proof of liabilities: inputs, keys, tree building, export, inclusion, audit, attacks."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from zkpor.crypto.group import N, Point
from zkpor.errors import InputError, VerificationError
from zkpor.formats.models import InclusionProof, Roots
from zkpor.prover.liabilities.export import BundleReader
from zkpor.prover.liabilities.inputs import InputErrors, load_assets, parse_amount
from zkpor.prover.liabilities.keys import (
    RoundKeys,
    hkdf_expand,
    hkdf_extract,
    read_master_secret,
    write_master_secret,
)
from zkpor.prover.liabilities.prover import ProverHooks, StopRequested
from zkpor.verify.inclusion import verify_inclusion
from zkpor.verify.trees import audit_bundle

from .liab_helpers import FIXED_NONCE, NONCE, run_prove, sample_rows, synthetic_path, write_inputs

# --- inputs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "decimals", "units"),
    [
        ("0", 8, 0),
        ("1", 8, 100_000_000),
        ("1.5", 8, 150_000_000),
        ("0.00000001", 8, 1),
        ("18446744073709551615", 0, 2**64 - 1),
        ("007", 2, 700),
        ("1.10", 2, 110),
    ],
)
def test_parse_amount_exact(text: str, decimals: int, units: int) -> None:
    assert parse_amount(text, decimals) == units


@pytest.mark.parametrize(
    ("text", "decimals", "reason"),
    [
        ("-1", 8, "negative"),
        ("-0.5", 8, "negative"),
        ("1e5", 8, "malformed"),
        (" 1", 8, "malformed"),
        ("", 8, "malformed"),
        ("1.", 8, "malformed"),
        (".5", 8, "malformed"),
        ("1,5", 8, "malformed"),
        ("0x10", 8, "malformed"),
        ("\uff11", 8, "malformed"),
        ("1.123456789", 8, "decimals"),
        ("1.5", 0, "decimals"),
        ("18446744073709551616", 0, "64 bits"),
        ("184467440738", 8, "64 bits"),
    ],
)
def test_parse_amount_rejects(text: str, decimals: int, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_amount(text, decimals)


def test_every_bad_row_reported_and_nothing_written(tmp_path: Path) -> None:
    rows = [
        ("alice", "BTC", "1.0"),
        ("", "BTC", "1"),  # line 3: empty user id
        ("bob", "DOGE", "1"),  # line 4: unknown asset
        ("carol", "BTC", "-2"),  # line 5: negative
        ("dave", "BTC", "1.123456789"),  # line 6: too many decimals
        ("x" * 129, "BTC", "1"),  # line 7: over-long id
        ("alice", "BTC", "2.0"),  # line 8: duplicate of line 2
        ("erin", "BTC", "abc"),  # line 9: malformed
    ]
    with pytest.raises(InputErrors) as info:
        run_prove(tmp_path, rows)
    text = str(info.value)
    for line, reason in [
        (3, "user id is empty"),
        (4, "unknown asset"),
        (5, "negative"),
        (6, "decimals"),
        (7, "longer than"),
        (9, "malformed"),
    ]:
        assert f"balances.csv:{line}:" in text and reason in text, (line, text)
    assert "duplicate" in text and ":2:" in text and "8" in text
    assert not (tmp_path / "bundle").exists()
    assert not (tmp_path / "bundle.partial").exists()


def test_asset_total_overflow(tmp_path: Path) -> None:
    rows = [(f"u{i}", "BTC", "100000000000") for i in range(2)]  # 2 * 1e19 base units > 2^64
    with pytest.raises(InputErrors, match="total of asset BTC does not fit"):
        run_prove(tmp_path, rows)


def test_bad_header_and_field_count(tmp_path: Path) -> None:
    csv_path, assets = write_inputs(tmp_path, [])
    csv_path.write_text("user,asset,amount\nalice,BTC,1\n")
    from zkpor.prover.liabilities.prover import ProveOptions, prove_liabilities

    with pytest.raises(InputError, match="header"):
        prove_liabilities(csv_path, assets, b"k" * 32, ProveOptions("r"), tmp_path / "o", None)  # type: ignore[arg-type]
    csv_path.write_text("user_id,asset,amount\nalice,BTC\nbob,BTC,1,2\n")
    with pytest.raises(InputErrors, match="expected 3 fields"):
        prove_liabilities(csv_path, assets, b"k" * 32, ProveOptions("r"), tmp_path / "o", None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("content", "suffix", "match"),
    [
        ("{not json", ".json", "not valid JSON"),
        ('{"assets": []}', ".json", "at least 1"),
        (
            '{"assets": [{"symbol": "BTC", "decimals": 8}, {"symbol": "BTC", "decimals": 2}]}',
            ".json",
            "twice",
        ),
        (
            '{"assets": [{"symbol": "btc", "decimals": 8}]}',
            ".json",
            "symbol must be 1 to 16 characters",
        ),
        ('{"assets": [{"symbol": "BTC", "decimals": 31}]}', ".json", "less than or equal"),
        ("[[assets]]\nsymbol = 'BTC'\n", ".toml", "decimals"),
    ],
)
def test_assets_file_errors(tmp_path: Path, content: str, suffix: str, match: str) -> None:
    path = tmp_path / f"assets{suffix}"
    path.write_text(content)
    with pytest.raises(InputError, match=match):
        load_assets(path)


def test_assets_toml(tmp_path: Path) -> None:
    path = tmp_path / "assets.toml"
    path.write_text(
        "[[assets]]\nsymbol = 'BTC'\ndecimals = 8\n[[assets]]\nsymbol = 'ETH'\ndecimals = 18\n"
    )
    assert [a.symbol for a in load_assets(path).assets] == ["BTC", "ETH"]


# --- keys --------------------------------------------------------------------------------


def test_hkdf_rfc5869_case1() -> None:
    ikm = bytes([0x0B] * 22)
    salt = bytes(range(13))
    info = bytes(range(0xF0, 0xFA))
    prk = hkdf_extract(salt, ikm)
    assert prk.hex() == "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"
    okm = hkdf_expand(prk, info, 42)
    assert okm.hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    )


def test_hkdf_rfc5869_case3() -> None:
    prk = hkdf_extract(b"", bytes([0x0B] * 22))
    assert hkdf_expand(prk, b"", 42).hex() == (
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
    )


def test_round_keys_separate_rounds_runs_assets_users() -> None:
    nonce = b"n" * 32
    a = RoundKeys.derive(b"s" * 32, "r1", nonce)
    b = RoundKeys.derive(b"s" * 32, "r2", nonce)
    c = RoundKeys.derive(b"t" * 32, "r1", nonce)
    d = RoundKeys.derive(b"s" * 32, "r1", b"m" * 32)
    assert len({k.blinding("BTC", "u") for k in (a, b, c, d)}) == 4
    assert len({k.salt("BTC", "u") for k in (a, b, c, d)}) == 4
    assert len({k.placement("BTC", "u") for k in (a, b, c, d)}) == 4
    assert a.blinding("BTC", "u") != a.blinding("ETH", "u") != a.blinding("BTC", "v")
    assert a.blinding("BTC", "u") == RoundKeys.derive(b"s" * 32, "r1", nonce).blinding("BTC", "u")
    with pytest.raises(ValueError, match="32 bytes"):
        RoundKeys.derive(b"s" * 32, "r1", b"short")
    assert 0 < a.blinding("BTC", "u") < N
    assert "s" * 5 not in repr(a) and a.round_key.hex() not in repr(a)


def test_keygen_file(tmp_path: Path) -> None:
    path = tmp_path / "exchange.secret"
    write_master_secret(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = read_master_secret(path)
    assert len(secret) == 32
    with pytest.raises(InputError, match="refusing to overwrite"):
        write_master_secret(path)
    write_master_secret(path, force=True)
    assert read_master_secret(path) != secret
    for bad in (
        "",
        "zkpor-master-secret-v1\nzz\n",
        "zkpor-master-secret-v1\nabcd\n",
        "other\n" + "00" * 32,
    ):
        path.write_text(bad)
        with pytest.raises(InputError):
            read_master_secret(path)


# --- end to end ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("liab")
    run_prove(tmp, sample_rows(40), hooks=FIXED_NONCE)
    return tmp / "bundle"


def _load(bundle: Path, user: str) -> tuple[InclusionProof, Roots]:
    reader = BundleReader(bundle)
    try:
        return reader.inclusion_proof(user), reader.roots
    finally:
        reader.close()


def _verify(proof: InclusionProof, roots: Roots) -> None:
    verify_inclusion(proof, roots.assets, round_id=roots.round_id, arity=roots.arity)


def test_bundle_layout_and_permissions(bundle: Path) -> None:
    assert stat.S_IMODE((bundle / "private").stat().st_mode) == 0o700
    assert stat.S_IMODE((bundle / "private" / "private.sqlite").stat().st_mode) == 0o600
    roots = Roots.model_validate_json((bundle / "roots.json").read_text())
    assert roots.assets["BTC"].leaf_count == 48  # 40 customers padded to a multiple of 16
    assert roots.assets["ETH"].leaf_count == 16  # 14 customers


def test_every_customer_verifies(bundle: Path) -> None:
    reader = BundleReader(bundle)
    users = list(reader.users())
    assert len(users) == 40
    for user in users:
        proof = reader.inclusion_proof(user)
        results = verify_inclusion(proof, reader.roots.assets, round_id="2026-11", arity=4)
        assert {r.asset for r in results} == ({"BTC", "ETH"} if int(user[4:]) % 3 == 0 else {"BTC"})
    reader.close()


def test_amounts_in_proofs_match_input(bundle: Path) -> None:
    rows = {(u, a): m for u, a, m in sample_rows(40)}
    proof, _ = _load(bundle, "user003")
    for entry in proof.assets:
        assert float(entry.amount) == float(rows[("user003", entry.asset)])


def test_full_audit_passes(bundle: Path) -> None:
    roots = Roots.model_validate_json((bundle / "roots.json").read_text())
    report = audit_bundle(bundle, roots=roots, workers=2)
    assert report.assets["BTC"]["leaf_count"] == 48
    assert report.proofs >= 16 + 5


def test_no_secrets_in_public_files(bundle: Path) -> None:
    public = (bundle / "audit.sqlite").read_bytes() + (bundle / "roots.json").read_bytes()
    proof, _ = _load(bundle, "user003")
    for entry in proof.assets:
        assert bytes.fromhex(entry.salt) not in public
        assert bytes.fromhex(entry.blinding) not in public
        assert entry.blinding.encode() not in public
    assert b"user003" not in public
    assert b"pad:" not in public


def test_roots_deterministic_proofs_fresh(tmp_path: Path, bundle: Path) -> None:
    run_prove(tmp_path, sample_rows(40), chunk_height=2, hooks=FIXED_NONCE)
    again = Roots.model_validate_json((tmp_path / "bundle" / "roots.json").read_text())
    first = Roots.model_validate_json((bundle / "roots.json").read_text())
    assert again.assets == first.assets  # chunking does not change the tree
    a = (
        sqlite3.connect(bundle / "audit.sqlite")
        .execute("SELECT proof FROM nodes WHERE level=1 AND idx=0")
        .fetchone()
    )
    b = (
        sqlite3.connect(tmp_path / "bundle" / "audit.sqlite")
        .execute("SELECT proof FROM nodes WHERE level=1 AND idx=0")
        .fetchone()
    )
    assert a != b  # range proofs use fresh randomness


def test_other_round_other_roots(tmp_path: Path, bundle: Path) -> None:
    run_prove(tmp_path, sample_rows(40), round_id="2026-12")
    other = Roots.model_validate_json((tmp_path / "bundle" / "roots.json").read_text())
    first = Roots.model_validate_json((bundle / "roots.json").read_text())
    assert other.assets["BTC"].root_commitment != first.assets["BTC"].root_commitment
    proof, _ = _load(bundle, "user003")
    with pytest.raises(VerificationError, match="round"):
        _verify(proof, other)
    # even relabelled as the other round, the old leaf is not in the new tree
    relabelled = proof.model_copy(update={"round_id": "2026-12"})
    with pytest.raises(VerificationError):
        _verify(relabelled, other)


def test_output_exists_refused(tmp_path: Path) -> None:
    (tmp_path / "bundle").mkdir()
    with pytest.raises(InputError, match="output exists"):
        run_prove(tmp_path, sample_rows(3))


# --- attacks on inclusion proofs -----------------------------------------------------------


def _mutate(proof: InclusionProof, asset_index: int = 0, **changes: object) -> InclusionProof:
    entry = proof.assets[asset_index].model_copy(update=changes)
    assets = list(proof.assets)
    assets[asset_index] = entry
    return proof.model_copy(update={"assets": assets})


def _mutate_step(proof: InclusionProof, level: int, **changes: object) -> InclusionProof:
    entry = proof.assets[0]
    steps = list(entry.path)
    steps[level] = steps[level].model_copy(update=changes)
    return _mutate(proof, path=steps)


@pytest.mark.parametrize(
    "change",
    [
        {"units": "1"},
        {"amount": "0.1"},
        {"blinding": "00" * 31 + "01"},
        {"salt": "11" * 32},
        {"leaf_index": 1},
        {"leaf_count": 47},
        {"decimals": 6},
        {"asset": "ETH"},
    ],
)
def test_tampered_opening_or_position(bundle: Path, change: dict[str, object]) -> None:
    proof, roots = _load(bundle, "user004")
    _verify(proof, roots)
    with pytest.raises(VerificationError):
        _verify(_mutate(proof, **change), roots)


def test_other_user_id(bundle: Path) -> None:
    proof, roots = _load(bundle, "user004")
    with pytest.raises(VerificationError):
        _verify(proof.model_copy(update={"user_id": "user005"}), roots)


def test_sum_split(bundle: Path) -> None:
    """Showing a different split of a node's value among siblings changes the node hash."""
    proof, roots = _load(bundle, "user004")
    step = proof.assets[0].path[1]
    kids = list(step.children)
    g = Point.generator()
    a = Point.from_bytes(bytes.fromhex(kids[0].commitment)) + g
    b = Point.from_bytes(bytes.fromhex(kids[1].commitment)) - g
    kids[0] = kids[0].model_copy(update={"commitment": a.to_bytes().hex()})
    kids[1] = kids[1].model_copy(update={"commitment": b.to_bytes().hex()})
    with pytest.raises(VerificationError):
        _verify(_mutate_step(proof, 1, children=kids), roots)


def test_children_swapped(bundle: Path) -> None:
    proof, roots = _load(bundle, "user004")
    for level in range(len(proof.assets[0].path)):
        kids = list(proof.assets[0].path[level].children)
        if len(kids) < 2:
            continue
        kids[0], kids[1] = kids[1], kids[0]
        with pytest.raises(VerificationError):
            _verify(_mutate_step(proof, level, children=kids), roots)
        kids = list(proof.assets[0].path[level].children)
        kids[-1], kids[-2] = kids[-2], kids[-1]
        with pytest.raises(VerificationError):
            _verify(_mutate_step(proof, level, children=kids), roots)


def test_path_truncated_extended_or_reordered(bundle: Path) -> None:
    proof, roots = _load(bundle, "user004")
    path = list(proof.assets[0].path)
    for bad in (path[:-1], [*path, path[-1]], [path[1], path[0], *path[2:]]):
        with pytest.raises(VerificationError):
            _verify(_mutate(proof, path=bad), roots)


def test_range_proof_tampered_or_swapped(bundle: Path) -> None:
    proof, roots = _load(bundle, "user004")
    step = proof.assets[0].path[0]
    blob = bytearray(bytes.fromhex(step.proofs[0]))
    blob[200] ^= 1
    with pytest.raises(VerificationError):
        _verify(_mutate_step(proof, 0, proofs=[blob.hex()]), roots)
    other = proof.assets[0].path[1].proofs
    with pytest.raises(VerificationError):
        _verify(_mutate_step(proof, 0, proofs=other), roots)


def test_leaf_from_other_asset(bundle: Path) -> None:
    proof, roots = _load(bundle, "user003")  # holds BTC and ETH
    btc = next(e for e in proof.assets if e.asset == "BTC")
    as_eth = btc.model_copy(
        update={"asset": "ETH", "decimals": 6, "leaf_count": roots.assets["ETH"].leaf_count}
    )
    with pytest.raises(VerificationError):
        _verify(proof.model_copy(update={"assets": [as_eth]}), roots)


def test_duplicate_asset_entry(bundle: Path) -> None:
    proof, roots = _load(bundle, "user003")
    with pytest.raises(VerificationError, match="twice"):
        _verify(proof.model_copy(update={"assets": [proof.assets[0], proof.assets[0]]}), roots)


def test_asset_entries_out_of_order_refused(bundle: Path) -> None:
    """8.1: entries in ascending symbol order, as the exporter writes them; any other order
    is refused before any cryptography, although each entry verifies on its own."""
    reader = BundleReader(bundle)
    try:
        proofs = [reader.inclusion_proof(u) for u in reader.users()]
        roots = reader.roots
    finally:
        reader.close()
    proof = next(p for p in proofs if len(p.assets) >= 2)
    symbols = [a.asset.encode() for a in proof.assets]
    assert symbols == sorted(symbols)
    _verify(proof, roots)
    swapped = [proof.assets[1], proof.assets[0], *proof.assets[2:]]
    with pytest.raises(VerificationError, match="ascending order of their symbols"):
        _verify(proof.model_copy(update={"assets": swapped}), roots)


def test_synthetic_honest_tree_verifies() -> None:
    proof, roots = synthetic_path([5, 6, 7, 8], leaf_count=64)
    verify_inclusion(proof, roots, round_id="r", arity=4)


@pytest.mark.parametrize("bad", [N - 50, 2**64, 2**64 + 7])
def test_negative_or_out_of_range_sibling(bad: int) -> None:
    """A cheating exchange hides a negative (or >= 2^64) sibling to shrink the total; its
    range proof cannot verify."""
    proof, roots = synthetic_path([100, bad, 7, 8], leaf_count=64, malicious=True)
    with pytest.raises(VerificationError, match="range proofs"):
        verify_inclusion(proof, roots, round_id="r", arity=4)


def test_negative_own_leaf() -> None:
    proof, roots = synthetic_path([5, 6, 7, N - 1], leaf_count=16, malicious=True)
    with pytest.raises(VerificationError, match="range proofs"):
        verify_inclusion(proof, roots, round_id="r", arity=4)


# --- audit attacks -------------------------------------------------------------------------


def _copy_bundle(src: Path, dst: Path) -> Path:
    import shutil

    shutil.copytree(src, dst)
    return dst


def _audit(bundle: Path) -> None:
    roots = Roots.model_validate_json((bundle / "roots.json").read_text())
    audit_bundle(bundle, roots=roots, workers=1)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE nodes SET commitment = (SELECT commitment FROM nodes WHERE asset='BTC' AND level=0 AND idx=1) WHERE asset='BTC' AND level=0 AND idx=0",
        "UPDATE nodes SET hash = zeroblob(32) WHERE asset='BTC' AND level=0 AND idx=5",
        "UPDATE nodes SET proof = substr(proof, 1, length(proof) - 1) WHERE asset='BTC' AND level=1 AND idx=2",
        "UPDATE nodes SET proof = (SELECT proof FROM nodes WHERE asset='BTC' AND level=1 AND idx=3) WHERE asset='BTC' AND level=1 AND idx=2",
        "DELETE FROM nodes WHERE asset='BTC' AND level=0 AND idx=47",
        "UPDATE nodes SET proof = NULL WHERE asset='ETH' AND level=1 AND idx=0",
        "UPDATE assets SET leaf_count = 44 WHERE asset='BTC'",
        "UPDATE meta SET value = '8' WHERE key = 'arity'",
        "UPDATE nodes SET commitment = X'000000000000000000000000000000000000000000000000000000000000000000' WHERE asset='ETH' AND level=0 AND idx=3",
    ],
)
def test_audit_detects_tampering(bundle: Path, tmp_path: Path, sql: str) -> None:
    copy = _copy_bundle(bundle, tmp_path / "copy")
    conn = sqlite3.connect(copy / "audit.sqlite")
    conn.execute(sql)
    conn.commit()
    conn.close()
    with pytest.raises(VerificationError):
        _audit(copy)


def test_audit_detects_changed_published_root(bundle: Path, tmp_path: Path) -> None:
    copy = _copy_bundle(bundle, tmp_path / "copy")
    data = json.loads((copy / "roots.json").read_text())
    data["assets"]["BTC"]["root_hash"] = "00" * 32
    (copy / "roots.json").write_text(json.dumps(data))
    with pytest.raises(VerificationError, match="published"):
        _audit(copy)


# --- resume and executors -----------------------------------------------------------------


def test_resume_after_interruption(tmp_path: Path, bundle: Path) -> None:
    rows = sample_rows(40)
    with pytest.raises(StopRequested):
        run_prove(tmp_path, rows, hooks=ProverHooks(stop_after_chunks=5, run_nonce=NONCE))
    assert (tmp_path / "bundle.partial").exists() and not (tmp_path / "bundle").exists()
    summary = run_prove(tmp_path, rows)  # the resumed run reuses the stored nonce
    assert summary.chunks_reused == 5
    assert summary.chunks_built == 12 + 4 - 5  # BTC 48/4 + ETH 16/4 chunks at height 1
    resumed = Roots.model_validate_json((tmp_path / "bundle" / "roots.json").read_text())
    first = Roots.model_validate_json((bundle / "roots.json").read_text())
    assert resumed.assets == first.assets
    _audit(tmp_path / "bundle")


def test_resume_with_other_inputs_refused(tmp_path: Path) -> None:
    with pytest.raises(StopRequested):
        run_prove(tmp_path, sample_rows(40), hooks=ProverHooks(stop_after_chunks=1))
    with pytest.raises(InputError, match="unfinished run"):
        run_prove(tmp_path, sample_rows(41))


def test_process_pool(tmp_path: Path, bundle: Path) -> None:
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2) as pool:
        run_prove(tmp_path, sample_rows(40), executor=pool, hooks=FIXED_NONCE)
    roots = Roots.model_validate_json((tmp_path / "bundle" / "roots.json").read_text())
    assert roots.assets == Roots.model_validate_json((bundle / "roots.json").read_text()).assets


def test_dask_local_cluster(tmp_path: Path, bundle: Path) -> None:
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        run_prove(tmp_path, sample_rows(40), executor=client.get_executor(), hooks=FIXED_NONCE)
    roots = Roots.model_validate_json((tmp_path / "bundle" / "roots.json").read_text())
    assert roots.assets == Roots.model_validate_json((bundle / "roots.json").read_text()).assets
    _audit(tmp_path / "bundle")


def test_private_files_not_world_readable(bundle: Path) -> None:
    for path in (bundle / "private").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    assert os.access(bundle / "roots.json", os.R_OK)


def test_export_file_names_injective_and_case_safe() -> None:
    from zkpor.prover.liabilities.export import safe_filename

    ids = ["a b", "hex-612062", "Alice", "alice", "../x", ".hidden", "ünï", "a" * 150, "bob@x.io"]
    names = [safe_filename(i) for i in ids]
    assert len({n.lower() for n in names}) == len(ids)
    assert all("/" not in n and not n.startswith(".") for n in names)
    assert safe_filename("bob@x.io") == "bob@x.io.json"


@pytest.mark.parametrize("arity", [0, 1, 3, 128])
def test_bad_arity_in_public_files_rejected(bundle: Path, arity: int) -> None:
    from pydantic import ValidationError

    proof, roots = _load(bundle, "user003")
    data = json.loads(proof.model_dump_json())
    data["arity"] = arity
    with pytest.raises(ValidationError):
        InclusionProof.model_validate(data)
    rdata = json.loads(roots.model_dump_json())
    rdata["arity"] = arity
    with pytest.raises(ValidationError):
        Roots.model_validate(rdata)
