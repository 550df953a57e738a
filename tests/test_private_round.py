"""Private reserves in a round (docs/spec/private-reserves.md 17.11): `zkpor prove
--private-reserves`, the manifest's binding, `verify audit` and `verify user`, publishing,
and what a dishonest prover that skips or falsifies a step gets from each verifier."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from zkpor.crypto.generators import generators
from zkpor.crypto.group import Point
from zkpor.formats.manifest import Manifest
from zkpor.reserves.anonset_build import write_anonset

from .conftest import call_zkpor
from .liab_helpers import make_reserves

EXCHANGE = "Private Exchange"
ROUND = "r1"
ETH = 10**9  # the round counts ether in gwei (9 decimals): totals stay below 2^64
# eight set members; the exchange owns members 1, 4 and 6 (balances 3 + 5 + 2 ETH = 10 ETH)
MEMBER_SECRETS = [int.from_bytes(hashlib.sha256(f"member-{i}".encode()).digest()) for i in range(8)]
MEMBER_BALANCES = [7, 3, 0, 9, 5, 1, 2, 4]
OWNED = (1, 4, 6)
ROWS = [("alice", "ETH", "6"), ("bob", "ETH", "4.5"), ("carol", "BTC", "1"), ("dave", "ETH", "0.5")]
ASSETS = {"assets": [{"symbol": "BTC", "decimals": 8}, {"symbol": "ETH", "decimals": 9}]}


def _write_inputs(tmp: Path) -> None:
    (tmp / "balances.csv").write_text(
        "user_id,asset,amount\n" + "".join(f"{u},{a},{b}\n" for u, a, b in ROWS)
    )
    (tmp / "assets.json").write_text(json.dumps(ASSETS))
    make_reserves(tmp, EXCHANGE, ROUND, {"BTC": ["1.5"], "ETH": ["1"]})
    snap = json.loads((tmp / "reserves.json").read_text())
    for entry in snap["assets"]:
        if entry["asset"] == "ETH":
            entry["chain_id"] = 1
    (tmp / "reserves.json").write_text(json.dumps(snap, indent=1))
    g = generators().G
    members = [((g * x).to_bytes(), b * ETH) for x, b in zip(MEMBER_SECRETS, MEMBER_BALANCES)]
    write_anonset(
        tmp / "eth.set",
        members,
        asset="ETH",
        chain="ethereum",
        chain_id=1,
        block_height=21000000,
        decimals=9,
    )
    keys = tmp / "eth.keys"
    keys.write_text("".join(f"{MEMBER_SECRETS[i]:064x}\n" for i in OWNED))
    os.chmod(keys, 0o600)


def _prove(tmp: Path, *extra: str, out: str = "bundle") -> tuple[int, str, str]:
    return call_zkpor(
        "prove",
        *("--balances", "balances.csv", "--assets", "assets.json", "--secret", "s.key"),
        *("--round", ROUND, "--out", out, "--arity", "4", "--pad-granularity", "4"),
        *("--reserves", "reserves.json", "--exchange", EXCHANGE, "--workers", "1", "--quiet"),
        *extra,
        cwd=tmp,
    )


@pytest.fixture(scope="module")
def private_round(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("private")
    _write_inputs(tmp)
    assert call_zkpor("keygen", "--out", "s.key", cwd=tmp)[0] == 0
    code, _, err = _prove(tmp, "--private-reserves", "ETH=eth.set,eth.keys")
    assert code == 0, err
    code, _, err = call_zkpor("export", "bundle", "--user", "alice", "--out", "alice.json", cwd=tmp)
    assert code == 0, err
    return tmp


def _manifest(bundle: Path) -> dict[str, Any]:
    return json.loads((bundle / "manifest.json").read_text())  # type: ignore[no-any-return]


def _digest(bundle: Path) -> str:
    return (bundle / "manifest.sha256").read_text().strip()


def test_manifest_binds_the_set_and_the_proof(private_round: Path) -> None:
    bundle = private_round / "bundle"
    pr = _manifest(bundle)["assets"]["ETH"]["private_reserves"]
    set_file, proof_file = (
        bundle / "private-reserves/ETH.set",
        bundle / "private-reserves/ETH.proof",
    )
    assert pr["keys"] == 8
    assert pr["set_digest"] == hashlib.sha256(set_file.read_bytes()).hexdigest()
    assert pr["proof_digest"] == hashlib.sha256(proof_file.read_bytes()).hexdigest()
    assert set_file.read_bytes() == (private_round / "eth.set").read_bytes()
    assert proof_file.stat().st_size == 64 + 8 * 391
    assert "private_reserves" not in _manifest(bundle)["assets"]["BTC"]
    # the exchange's secret keys appear nowhere in the bundle's public files
    for path in [bundle / "manifest.json", set_file, proof_file]:
        data = path.read_bytes()
        for i in OWNED:
            assert MEMBER_SECRETS[i].to_bytes(32).hex().encode() not in data
            assert MEMBER_SECRETS[i].to_bytes(32) not in data


def test_audit_checks_the_per_key_proof(private_round: Path) -> None:
    code, out, err = call_zkpor(
        "verify", "audit", "bundle", "--digest", _digest(private_round / "bundle"),
        cwd=private_round,
    )  # fmt: skip
    assert code == 0, err
    assert (
        "reserves of ETH: proven among 8 keys at block 21000000 (private); every key's proof "
        "checked" in " ".join(out.split())
    )
    assert "the balances in the private set of ETH (8 keys)" in " ".join(out.split())


def test_customer_is_told_what_the_audit_checks(private_round: Path) -> None:
    code, out, err = call_zkpor(
        "verify", "user", "alice.json", "--manifest", "bundle/manifest.json",
        "--digest", _digest(private_round / "bundle"), cwd=private_round,
    )  # fmt: skip
    assert code == 0, err
    flat = " ".join(out.split())
    assert (
        "reserves of ETH: proven among 8 keys at block 21000000 (private); the per-key proof "
        "is checked by the full audit" in flat
    )
    assert "ETH: that the private reserves commitment is what the per-key proof" in flat


def test_publish_carries_the_private_files(private_round: Path, tmp_path: Path) -> None:
    code, _, err = call_zkpor(
        "publish", "bundle", "--out", str(tmp_path / "pub"), cwd=private_round
    )
    assert code == 0, err
    pub = tmp_path / "pub"
    assert (pub / "private-reserves/ETH.set").is_file()
    assert (pub / "private-reserves/ETH.proof").is_file()
    assert not (pub / "private").exists()
    code, _, err = call_zkpor("verify", "audit", str(pub), cwd=private_round)
    assert code == 0, err


def _copy(private_round: Path, tmp_path: Path) -> Path:
    bundle = tmp_path / "bundle"
    shutil.copytree(private_round / "bundle", bundle)
    return bundle


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda b: (b / "private-reserves/ETH.set").unlink(), "ETH.set: the set file is missing"),
        (lambda b: (b / "private-reserves/ETH.proof").unlink(), "the proof file is missing"),
        (
            lambda b: (b / "private-reserves/ETH.set").write_bytes(
                (b / "private-reserves/ETH.set").read_bytes().replace(b" 7000000000 ", b" 8000000000 ")
            ),
            "the set file is not the one the manifest binds",
        ),
        (
            lambda b: (b / "private-reserves/ETH.proof").write_bytes(
                (b / "private-reserves/ETH.proof").read_bytes()[:-1] + b"\x00"
            ),
            "the proof file is not the one the manifest binds",
        ),
    ],
    ids=["set-missing", "proof-missing", "balance-raised", "proof-changed"],
)  # fmt: skip
def test_audit_refuses_changed_files(
    private_round: Path, tmp_path: Path, mutate: Any, needle: str
) -> None:
    bundle = _copy(private_round, tmp_path)
    mutate(bundle)
    code, _, err = call_zkpor("verify", "audit", str(bundle), cwd=private_round)
    assert code == 1 and needle in err, err


def test_keys_file_mistakes_named(private_round: Path, tmp_path: Path) -> None:
    _write_inputs(tmp_path)
    shutil.copy(private_round / "s.key", tmp_path / "s.key")
    os.chmod(tmp_path / "eth.keys", 0o644)
    code, _, err = _prove(tmp_path, "--private-reserves", "ETH=eth.set,eth.keys")
    assert code == 2 and "readable by others" in err, err
    os.chmod(tmp_path / "eth.keys", 0o600)
    (tmp_path / "eth.keys").write_text(f"{5:064x}\n")
    code, _, err = _prove(tmp_path, "--private-reserves", "ETH=eth.set,eth.keys")
    assert code == 2 and "1 of the keys are not members of the set" in err, err
    code, _, err = _prove(tmp_path, "--private-reserves", "ETH=eth.set")
    assert code == 2 and "expected ASSET=SET,KEYS" in err, err
    assert not (tmp_path / "bundle").exists()


def test_without_the_private_reserves_eth_is_not_covered(
    private_round: Path, tmp_path: Path
) -> None:
    _write_inputs(tmp_path)
    shutil.copy(private_round / "s.key", tmp_path / "s.key")
    code, _, err = _prove(tmp_path)
    assert code == 2 and "ETH" in err and "cover" in err, err


def test_an_inflated_commitment_passes_the_customer_but_not_the_audit(
    private_round: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dishonest prover that puts in the manifest a commitment to more than its proof
    over the set yields (and proves solvency against it): the customer's verifier cannot
    tell (it does not read the set), the audit refuses it."""
    from zkpor.crypto.pedersen import Opening
    from zkpor.prover import private_reserves as pr

    real = pr.prove_private

    def inflated(*args: Any, **kwargs: Any) -> dict[str, pr.PrivateProven]:
        out = real(*args, **kwargs)
        extra = 100 * ETH
        g = generators().G
        for sym, p in out.items():
            c = Point.from_bytes(bytes.fromhex(p.entry.commitment)) + g * extra
            entry = p.entry.model_copy(update={"commitment": c.to_bytes().hex()})
            out[sym] = pr.PrivateProven(entry, Opening(p.opening.value + extra, p.opening.blinding))
        return out

    real_totals = pr.claimed_totals

    def inflated_totals(*args: Any, **kwargs: Any) -> dict[str, int]:
        return {sym: t + 100 * ETH for sym, t in real_totals(*args, **kwargs).items()}

    monkeypatch.setattr(pr, "prove_private", inflated)
    monkeypatch.setattr(pr, "claimed_totals", inflated_totals)
    _write_inputs(tmp_path)
    shutil.copy(private_round / "s.key", tmp_path / "s.key")
    # liabilities above the true reserves: 1 (signed) + 10 (private) < 11.5 ETH owed
    rows = [*ROWS, ("erin", "ETH", "0.5")]
    (tmp_path / "balances.csv").write_text(
        "user_id,asset,amount\n" + "".join(f"{u},{a},{b}\n" for u, a, b in rows)
    )
    code, _, err = _prove(tmp_path, "--private-reserves", "ETH=eth.set,eth.keys")
    assert code == 0, err
    assert (
        call_zkpor("export", "bundle", "--user", "alice", "--out", "a.json", cwd=tmp_path)[0] == 0
    )
    m = Manifest.model_validate_json((tmp_path / "bundle/manifest.json").read_text())
    assert m.assets["ETH"].private_reserves is not None
    code, _, err = call_zkpor(
        "verify", "user", "a.json", "--manifest", "bundle/manifest.json", cwd=tmp_path
    )
    assert code == 0, err
    code, _, err = call_zkpor("verify", "audit", "bundle", cwd=tmp_path)
    assert code == 1
    assert "the proof's reserves commitment is not the manifest's commitment" in err, err


def _round_of(tmp: Path, exchange: str, owned: tuple[int, ...]) -> Path:
    """Another exchange's round over the same set, claiming the members ``owned``."""
    tmp.mkdir()
    _write_inputs(tmp)
    if exchange != EXCHANGE:
        make_reserves(tmp, exchange, ROUND, {"BTC": ["1.5"], "ETH": ["1"]})
        snap = json.loads((tmp / "reserves.json").read_text())
        snap["assets"][1]["chain_id"] = 1
        (tmp / "reserves.json").write_text(json.dumps(snap))
    (tmp / "eth.keys").write_text("".join(f"{MEMBER_SECRETS[i]:064x}\n" for i in owned))
    # another exchange has its own master secret (and so its own tag secret, 17.11)
    assert call_zkpor("keygen", "--out", "s.key", cwd=tmp)[0] == 0
    code, _, err = call_zkpor(
        "prove",
        *("--balances", "balances.csv", "--assets", "assets.json", "--secret", "s.key"),
        *("--round", ROUND, "--out", "bundle", "--arity", "4", "--pad-granularity", "4"),
        *("--reserves", "reserves.json", "--exchange", exchange, "--workers", "1", "--quiet"),
        *("--private-reserves", "ETH=eth.set,eth.keys"),
        cwd=tmp,
    )
    assert code == 0, err
    return tmp / "bundle"


def test_compare_finds_a_key_claimed_by_two_exchanges(private_round: Path, tmp_path: Path) -> None:
    """Exchange B claims member 4, which A claims too (and member 0, which A does not): the
    tags of member 4 are equal in both proofs, every other tag differs."""
    other = _round_of(tmp_path / "b", "Other Exchange", (0, 4, 6, 1))
    code, out, err = call_zkpor("assets", "compare", str(private_round / "bundle"), str(other))
    assert code == 1, err
    g = generators().G
    claimed = sorted((g * MEMBER_SECRETS[i]).to_bytes().hex() for i in (1, 4, 6))
    flat = " ".join(out.split())  # an in-process console may wrap (COLUMNS at its import)
    found = re.findall(r"ETH: key ([0-9a-f]{66}) is claimed by both", flat)
    assert sorted(found) == claimed
    assert "claimed by both 'Private Exchange' and 'Other Exchange'" in flat
    code, out, _ = call_zkpor(
        "assets", "compare", str(private_round / "bundle"), str(other), "--json"
    )
    data = json.loads(out)
    assert code == 1 and data["compared"] == ["ETH"]
    assert sorted(x["key"] for x in data["claimed_by_both"]) == claimed


def test_compare_disjoint_claims(private_round: Path, tmp_path: Path) -> None:
    other = _round_of(tmp_path / "c", "Third Exchange", (0, 2, 3))
    code, out, err = call_zkpor("assets", "compare", str(private_round / "bundle"), str(other))
    assert (code, err) == (0, ""), err
    assert " ".join(out.split()) == "no key claimed by both, in ETH"


def test_compare_refuses_a_tampered_proof(private_round: Path, tmp_path: Path) -> None:
    other = _round_of(tmp_path / "d", "Fourth Exchange", (0, 3))
    proof = other / "private-reserves/ETH.proof"
    data = bytearray(proof.read_bytes())
    data[64 + 33 + 5] ^= 1  # the first record's tag
    proof.write_bytes(bytes(data))
    code, _, err = call_zkpor("assets", "compare", str(private_round / "bundle"), str(other))
    assert code == 1 and "key 0" in err, err


def test_assets_set_from_a_file(tmp_path: Path) -> None:
    g = generators().G
    lines = [f"{(g * x).to_bytes().hex()} {b}" for x, b in zip(MEMBER_SECRETS, MEMBER_BALANCES)]
    (tmp_path / "keys.txt").write_text("# key balance\n" + "\n".join(reversed(lines)) + "\n")
    code, out, err = call_zkpor(
        *("assets", "set", "--keys", "keys.txt", "--asset", "ETH", "--chain", "ethereum"),
        *("--chain-id", "1", "--block", "21000000", "--decimals", "0", "--out", "s.set"),
        cwd=tmp_path,
    )
    assert code == 0, err
    digest = hashlib.sha256((tmp_path / "s.set").read_bytes()).hexdigest()
    assert " ".join(out.split()) == (
        f"wrote s.set: 8 keys of ETH at block 21000000, SHA-256 {digest}"
    )
    members = (tmp_path / "s.set").read_text().splitlines()[1:]
    assert [m.split()[0] for m in members] == sorted(m.split()[0] for m in members)
    (tmp_path / "bad.txt").write_text(lines[0] + "\n" + lines[0].split()[0] + "\n")
    code, _, err = call_zkpor(
        *("assets", "set", "--keys", "bad.txt", "--asset", "ETH", "--chain", "ethereum"),
        *("--chain-id", "1", "--block", "1", "--decimals", "0", "--out", "t.set"),
        cwd=tmp_path,
    )
    assert code == 2 and "bad.txt:2: expected KEY BALANCE" in err, err
    (tmp_path / "dup.txt").write_text(lines[0] + "\n" + lines[0] + "\n")
    code, _, err = call_zkpor(
        *("assets", "set", "--keys", "dup.txt", "--asset", "ETH", "--chain", "ethereum"),
        *("--chain-id", "1", "--block", "1", "--decimals", "0", "--out", "t.set"),
        cwd=tmp_path,
    )
    assert code == 2 and "given twice" in err, err
    assert not (tmp_path / "t.set").exists()


def _set_with_the_signed_eth_key(tmp: Path) -> None:
    """eth.set with one more member: the key of the snapshot's signed ETH address (make_reserves
    derives it as SHA-256("ETH-2")), owned by the exchange: its balance would count twice."""
    g = generators().G
    signed = int.from_bytes(hashlib.sha256(b"ETH-2").digest())
    members = [((g * x).to_bytes(), b * ETH) for x, b in zip(MEMBER_SECRETS, MEMBER_BALANCES)]
    members.append(((g * signed).to_bytes(), 1 * ETH))
    write_anonset(
        tmp / "eth.set", members, asset="ETH", chain="ethereum", chain_id=1,
        block_height=21000000, decimals=9,
    )  # fmt: skip
    owned = [signed, *(MEMBER_SECRETS[i] for i in OWNED)]
    (tmp / "eth.keys").write_text("".join(f"{x:064x}\n" for x in owned))


def test_a_signed_address_in_the_set_is_refused(
    private_round: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mixed reserves: an address may not be both signed and a member of the set. The prover
    refuses it; a prover with that check patched out gets a manifest every customer accepts
    and the audit refuses."""
    from zkpor.verify import private_reserves as vpr

    _write_inputs(tmp_path)
    _set_with_the_signed_eth_key(tmp_path)
    shutil.copy(private_round / "s.key", tmp_path / "s.key")
    code, _, err = _prove(tmp_path, "--private-reserves", "ETH=eth.set,eth.keys")
    assert code == 2 and "also a signed address of ETH" in err, err
    assert not (tmp_path / "bundle").exists()
    monkeypatch.setattr(vpr, "public_overlap", lambda *args: None)
    code, _, err = _prove(tmp_path, "--private-reserves", "ETH=eth.set,eth.keys")
    assert code == 0, err
    monkeypatch.undo()
    assert call_zkpor("export", "bundle", "--user", "bob", "--out", "b.json", cwd=tmp_path)[0] == 0
    code, _, err = call_zkpor(
        "verify", "user", "b.json", "--manifest", "bundle/manifest.json", cwd=tmp_path
    )
    assert code == 0, err
    code, _, err = call_zkpor("verify", "audit", "bundle", cwd=tmp_path)
    assert code == 1 and "is also a signed public address of the asset" in err, err


def test_a_set_of_another_block_is_refused(
    private_round: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The set's header must describe the asset's reserves: the prover refuses a set at
    another block; a prover with that check patched out is refused by the audit."""
    from zkpor.prover import private_reserves as pr

    _write_inputs(tmp_path)
    g = generators().G
    members = [((g * x).to_bytes(), b * ETH) for x, b in zip(MEMBER_SECRETS, MEMBER_BALANCES)]
    write_anonset(
        tmp_path / "eth.set", members, asset="ETH", chain="ethereum", chain_id=1,
        block_height=21000001, decimals=9,
    )  # fmt: skip
    shutil.copy(private_round / "s.key", tmp_path / "s.key")
    code, _, err = _prove(tmp_path, "--private-reserves", "ETH=eth.set,eth.keys")
    assert code == 2, err
    assert "the set's block_height is 21000001; the reserves snapshot's ETH has 21000000" in err
    monkeypatch.setattr(pr, "check_header", lambda *args: None)
    code, _, err = _prove(tmp_path, "--private-reserves", "ETH=eth.set,eth.keys")
    assert code == 0, err
    monkeypatch.undo()
    code, _, err = call_zkpor("verify", "audit", "bundle", cwd=tmp_path)
    assert code == 1
    assert "the set's block_height is 21000001, the manifest's 21000000" in err, err
