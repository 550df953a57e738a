"""The manifest: reserves + solvency per asset, digest, customer and auditor verification."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import pytest
from pydantic import ValidationError

from zkpor.errors import VerificationError
from zkpor.formats.amounts import format_units, parse_amount
from zkpor.formats.manifest import Manifest, manifest_digest
from zkpor.verify.manifest import verify_manifest

from .liab_helpers import PROVE_BASE, make_reserves, sample_rows, write_inputs, zkpor
from .mutations import changed, leaves

EXCHANGE = "Example Exchange"


def _totals(rows: list[tuple[str, str, str]]) -> dict[str, int]:
    decimals = {"BTC": 8, "ETH": 6}
    out = dict.fromkeys(decimals, 0)
    for _, asset, amount in rows:
        out[asset] += parse_amount(amount, decimals[asset])
    return out


def _prove(
    tmp: Path, reserves: dict[str, list[str]], *extra: str, out: str = "b"
) -> subprocess.CompletedProcess[str]:
    make_reserves(tmp, EXCHANGE, "r1", reserves)
    return zkpor(
        *PROVE_BASE,
        "--round",
        "r1",
        "--out",
        out,
        "--pad-granularity",
        "16",
        "--workers",
        "2",
        "--quiet",
        "--reserves",
        "reserves.json",
        "--exchange",
        EXCHANGE,
        "--json",
        *extra,
        cwd=tmp,
    )


@pytest.fixture(scope="module")
def solvent(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("manifest")
    rows = sample_rows(20)
    write_inputs(tmp, rows)
    assert zkpor("keygen", "--out", "s.key", cwd=tmp).returncode == 0
    t = _totals(rows)
    reserves = {
        "BTC": [
            format_units(t["BTC"] // 2, 8),
            format_units(t["BTC"] - t["BTC"] // 2 + 5, 8),
            "0.1",
        ],
        "ETH": [format_units(t["ETH"] + 1, 6)],
    }
    r = _prove(tmp, reserves, "--disclose-totals")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["manifest_digest"] == (tmp / "b" / "manifest.sha256").read_text().strip()
    return tmp


def test_manifest_content(solvent: Path) -> None:
    m = Manifest.model_validate_json((solvent / "b" / "manifest.json").read_text())
    assert m.exchange == EXCHANGE and m.round_id == "r1"
    assert set(m.assets) == {"BTC", "ETH"}
    t = _totals(sample_rows(20))
    assert m.assets["ETH"].solvency.liabilities is not None
    assert int(m.assets["ETH"].solvency.liabilities.units) == t["ETH"]
    report = verify_manifest(m, check_signatures=True)
    assert report.digest == manifest_digest(m)


def test_customer_verifies_with_manifest(solvent: Path) -> None:
    assert (
        zkpor("export", "b", "--user", "user003", "--out", "u3.json", cwd=solvent).returncode == 0
    )
    r = zkpor("verify", "user", "u3.json", "--manifest", "b/manifest.json", cwd=solvent)
    assert r.returncode == 0, r.stderr
    digest = (solvent / "b" / "manifest.sha256").read_text().strip()
    assert digest in r.stdout and "cover liabilities" in r.stdout
    assert "NOT compared with a published digest" in r.stdout
    r = zkpor(
        "verify",
        "user",
        "u3.json",
        "--manifest",
        "b/manifest.json",
        "--json",
        "--digest",
        digest,
        cwd=solvent,
    )
    assert r.returncode == 0 and json.loads(r.stdout)["manifest_digest"] == digest
    assert json.loads(r.stdout)["digest_matched"] is True
    r = zkpor(
        "verify",
        "user",
        "u3.json",
        "--manifest",
        "b/manifest.json",
        "--digest",
        f" {digest.upper()}\n",
        cwd=solvent,
    )
    assert r.returncode == 0 and "matches the digest you gave" in r.stdout, r.stderr
    r = zkpor(
        "verify",
        "user",
        "u3.json",
        "--manifest",
        "b/manifest.json",
        "--digest",
        "00" * 32,
        cwd=solvent,
    )
    assert r.returncode == 1 and "digest" in r.stderr


def test_auditor_checks_everything(solvent: Path) -> None:
    r = zkpor("verify", "audit", "b", "--json", "--quiet", cwd=solvent)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert len(data["reserves"]["BTC"]["signed_addresses"]) == 3
    assert data["digest_matched"] is None


def test_any_field_changed_fails(solvent: Path) -> None:
    """Every single-field change is rejected, without the published digest: by the schema,
    by a content check, or by the solvency proofs (they bind the statement digest)."""
    original = json.loads((solvent / "b" / "manifest.json").read_text())
    digest = manifest_digest(Manifest.model_validate(original))
    content_checked = 0
    for path, value in leaves(original):
        if value is None:
            continue
        data = copy.deepcopy(original)
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = changed(value)
        try:
            m = Manifest.model_validate(data)
        except ValidationError:
            continue
        with pytest.raises(VerificationError):
            verify_manifest(m, check_signatures=True, expected_digest=digest)
        with pytest.raises(VerificationError):
            verify_manifest(m, check_signatures=True)
        content_checked += 1
    assert content_checked > 20


def test_insolvent_asset_stops_prove_then_resumes(tmp_path: Path) -> None:
    rows = sample_rows(20)
    write_inputs(tmp_path, rows)
    zkpor("keygen", "--out", "s.key", cwd=tmp_path)
    t = _totals(rows)
    short = {"BTC": [format_units(t["BTC"] - 1, 8)], "ETH": [format_units(t["ETH"], 6)]}
    r = _prove(tmp_path, short)
    assert r.returncode == 2
    assert "asset(s) BTC" in r.stderr and "do not cover" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "b").exists()
    # refused from the CSV before any tree (issue 13): nothing to resume
    assert not (tmp_path / "b.partial").exists()
    enough = {"BTC": [format_units(t["BTC"], 8)], "ETH": [format_units(t["ETH"], 6)]}
    r = _prove(tmp_path, enough)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["chunks_resumed"] == 0
    r = _prove(tmp_path, enough, "--min-ratio", "1.01", out="b2")
    assert r.returncode == 2 and "x 101/100" in r.stderr


def test_bad_reserves_file_listed(tmp_path: Path) -> None:
    write_inputs(tmp_path, sample_rows(5))
    zkpor("keygen", "--out", "s.key", cwd=tmp_path)
    path = make_reserves(tmp_path, EXCHANGE, "r1", {"BTC": ["100"], "ETH": ["100"]})
    data = json.loads(path.read_text())
    data["assets"][0]["addresses"][0]["signature"] = (
        data["assets"][0]["addresses"][0]["signature"][:-4] + "AAA="
    )
    data["assets"][1]["addresses"].append(dict(data["assets"][1]["addresses"][0]))
    path.write_text(json.dumps(data))
    r = zkpor(
        *PROVE_BASE,
        "--round",
        "r1",
        "--out",
        "b",
        "--reserves",
        "reserves.json",
        "--exchange",
        EXCHANGE,
        cwd=tmp_path,
    )
    assert r.returncode == 2
    assert "assets[0] (BTC).addresses[0]" in r.stderr and "duplicate address" in r.stderr
    r = zkpor(
        *PROVE_BASE,
        "--round",
        "r1",
        "--out",
        "b",
        "--reserves",
        "reserves.json",
        "--exchange",
        "Someone Else",
        cwd=tmp_path,
    )
    assert r.returncode == 2 and "exchange" in r.stderr


@pytest.mark.parametrize("name", ["manifest", "inclusion-proof", "reserves", "roots"])
def test_committed_json_schemas_are_current(name: str) -> None:
    from zkpor.formats.schemas import schema_text

    committed = Path(__file__).resolve().parent.parent / "docs" / f"{name}.schema.json"
    assert committed.read_text() == schema_text(name), "run: python -m zkpor.formats.schemas docs"


def test_manifest_validates_against_its_schema(solvent: Path) -> None:
    import jsonschema

    schema = json.loads(
        (Path(__file__).resolve().parent.parent / "docs" / "manifest.schema.json").read_text()
    )
    jsonschema.validate(json.loads((solvent / "b" / "manifest.json").read_text()), schema)


def test_proof_against_another_manifest(solvent: Path) -> None:
    """A customer given a manifest of another round (or exchange) gets a failure, exit 1."""
    zkpor("export", "b", "--user", "user006", "--out", "u6.json", cwd=solvent)
    data = json.loads((solvent / "b" / "manifest.json").read_text())
    for field, value in (("round_id", "r2"), ("exchange", "Another Exchange")):
        other = dict(data, **{field: value})
        (solvent / "other.json").write_text(json.dumps(other))
        r = zkpor("verify", "user", "u6.json", "--manifest", "other.json", cwd=solvent)
        # the solvency proofs bind the statement digest: no digest needed to see the change
        assert r.returncode == 1 and "solvency proof" in r.stderr, r.stderr
        if field == "exchange":
            digest = (solvent / "b" / "manifest.sha256").read_text().strip()
            r = zkpor(
                "verify",
                "user",
                "u6.json",
                "--manifest",
                "other.json",
                "--digest",
                digest,
                cwd=solvent,
            )
            assert r.returncode == 1 and "digest" in r.stderr
            r = zkpor(
                "verify",
                "audit",
                "b/audit.sqlite",
                "--manifest",
                "other.json",
                "--quiet",
                cwd=solvent,
            )
            assert r.returncode == 1 and "solvency proof" in r.stderr
    (solvent / "corrupt.json").write_text(data and "{not json")
    r = zkpor("verify", "user", "u6.json", "--manifest", "corrupt.json", cwd=solvent)
    assert r.returncode == 2 and "Traceback" not in r.stderr
