"""Issue 10, items 1-5a: verifiers whose every printed claim is backed.

Attacks by an exchange on the customer's and auditor's verifiers, each shown to fail:
identifiers that forge output, digests silently ignored, manifest parts the customer's
verifier skipped, lenient JSON under the digest, and work that grows with repeated input.
"""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from zkpor.crypto.pedersen import Opening
from zkpor.formats.amounts import format_units, parse_amount
from zkpor.formats.manifest import Manifest, solvency_context, statement_digest
from zkpor.prover.solvency import prove_solvency

from .conftest import call_zkpor
from .liab_helpers import PROVE_BASE, make_reserves, write_inputs, zkpor
from .mutations import changed, leaves

EXCHANGE = "Evil [red]Exchange[/] :smile: \\o/"
ROUND = "r-2026"
ODD_IDS = ["a[/x]", "[bold]b[/bold]", "c\\d", ":smile:", "é-ñ", "x y"]


def run_cli(*args: str, cwd: Path) -> tuple[int, str, str]:
    """``zkpor ARGS`` in this process (fast), with the CLI's own error policy."""
    return call_zkpor(*args, cwd=cwd)


def _rows() -> list[tuple[str, str, str]]:
    rows = [(f"user{i:02d}", "BTC", f"0.{i + 1:08d}") for i in range(12)]
    rows += [(uid, "BTC", "1.5") for uid in ODD_IDS]
    rows += [(f"user{i:02d}", "ETH", f"{i + 1}.25") for i in range(0, 12, 3)]
    return rows


def _csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"') else text


@pytest.fixture(scope="module")
def round_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("claims")
    rows = _rows()
    write_inputs(tmp, [(_csv_field(u), a, m) for u, a, m in rows])
    totals = {"BTC": 0, "ETH": 0}
    for _, asset, amount in rows:
        totals[asset] += parse_amount(amount, 8 if asset == "BTC" else 6)
    make_reserves(
        tmp,
        EXCHANGE,
        ROUND,
        {
            "BTC": [format_units(totals["BTC"], 8), "0.5", "0.25"],
            "ETH": [format_units(totals["ETH"] + 7, 6), "1"],
        },
    )
    assert zkpor("keygen", "--out", "s.key", cwd=tmp).returncode == 0
    r = zkpor(
        *PROVE_BASE,
        "--round",
        ROUND,
        "--out",
        "b",
        "--pad-granularity",
        "16",
        "--workers",
        "2",
        "--quiet",
        "--reserves",
        "reserves.json",
        "--exchange",
        EXCHANGE,
        cwd=tmp,
    )
    assert r.returncode == 0, r.stderr
    for i, uid in enumerate(["user00", "user03", *ODD_IDS]):
        r = zkpor("export", "b", "--user", uid, "--out", f"p{i}.json", cwd=tmp)
        assert r.returncode == 0, r.stderr
    return tmp


def _digest(tmp: Path) -> str:
    return (tmp / "b" / "manifest.sha256").read_text().strip()


def _manifest(tmp: Path) -> dict[str, Any]:
    return json.loads((tmp / "b" / "manifest.json").read_text())


def _one_line_reason(err: str, needle: str) -> bool:
    """``verify user`` refused a file with the unreadable-input screen (tests/
    test_failure_screens.py) whose technical reason, the one line naming ``needle``, adds no
    line of its own (nothing the file says can start a line)."""
    lines = err.strip().splitlines()
    named = [x for x in lines if needle in x]
    return (
        lines[0] == "error: could not check: a file or the digest cannot be read"
        and len(named) == 1
        and named[0].startswith("  technical reason: ")
        and len(lines) == 7
    )


def _no_escape(*texts: str) -> None:
    for text in texts:
        assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text


# --- 1. output the exchange cannot forge ---------------------------------------------------


@pytest.mark.parametrize("index", range(len(ODD_IDS)))
def test_markup_ids_print_literally_and_verify(round_dir: Path, index: int) -> None:
    uid = ODD_IDS[index]
    code, out, err = run_cli(
        "verify", "user", f"p{index + 2}.json", "--manifest", "b/manifest.json", cwd=round_dir
    )
    assert code == 0, err
    first = out.splitlines()[0]
    assert first == f"OK: {uid} at {EXCHANGE}: balances counted in round {ROUND}"
    _no_escape(out, err)


def _evil_tree_proof(tmp: Path, user_id: str) -> tuple[Path, Path]:
    """A test-only prover that skips the identifier rules: a real tree (vectors' builder)
    holding ``user_id``, its roots file and the customer's proof, valid in every other way."""
    from zkpor.crypto.generators import generators
    from zkpor.vectors.common import seeded
    from zkpor.vectors.tree import build_tree, roots_json

    tree = build_tree(
        master=bytes(range(32)),
        run_nonce=bytes(32),
        round_id=ROUND,
        asset="BTC",
        decimals=8,
        arity=4,
        granularity=8,
        customers=[(user_id, 5), ("bob", 7)],
        gens=generators(),
        rng=seeded("claims/evil"),
    )
    roots = tmp / "evil-roots.json"
    roots.write_text(json.dumps(roots_json(ROUND, 4, [tree])))
    proof = tmp / "evil-proof.json"
    proof.write_text(
        json.dumps(
            {
                "format": "zkpor-inclusion-v2",
                "round_id": ROUND,
                "user_id": user_id,
                "arity": 4,
                "assets": [tree.inclusion_entry(user_id)],
            }
        )
    )
    return proof, roots


def test_test_only_prover_makes_verifiable_proofs(tmp_path: Path) -> None:
    proof, roots = _evil_tree_proof(tmp_path, "honest")
    code, out, err = run_cli("verify", "user", str(proof), "--roots", str(roots), cwd=tmp_path)
    assert code == 0 and out.startswith("OK: honest"), err


EVIL_IDS = {
    "ESC sequence": "alice\x1b[2K\x1b[1A",
    "CSI (C1)": "alice\x9b2K",
    "newline": "x\nOK alice ... BTC 10.0 (covered)",
    "carriage return": "x\rOK alice",
    "bidi override": "alice\u202e01.0 CTB",
    "zero-width space": "ali\u200bce",
    "NFD": "e\u0301",
    "line separator": "a\u2028b",
}


@pytest.mark.parametrize("name", list(EVIL_IDS))
def test_forging_user_ids_refused(tmp_path: Path, name: str) -> None:
    proof, roots = _evil_tree_proof(tmp_path, EVIL_IDS[name])
    code, out, err = run_cli("verify", "user", str(proof), "--roots", str(roots), cwd=tmp_path)
    assert code == 2, (out, err)
    assert "user_id" in err and "user id" in err and out == ""
    _no_escape(out, err)
    assert "Traceback" not in err and _one_line_reason(err, "user_id")


@pytest.mark.parametrize("field", ["exchange", "round_id"])
@pytest.mark.parametrize("name", ["ESC sequence", "newline", "bidi override", "NFD"])
def test_forging_manifest_names_refused(round_dir: Path, field: str, name: str) -> None:
    data = _manifest(round_dir)
    data[field] = EVIL_IDS[name]
    (round_dir / "evil.json").write_text(json.dumps(data))
    for args in (
        ("verify", "user", "p0.json", "--manifest", "evil.json"),
        ("verify", "audit", "b", "--manifest", "evil.json", "--quiet"),
    ):
        code, out, err = run_cli(*args, cwd=round_dir)
        assert code == 2 and field in err and out == "", (args, out, err)
        _no_escape(out, err)


def test_prover_refuses_what_verifiers_refuse(tmp_path: Path) -> None:
    from zkpor.prover.liabilities.inputs import InputErrors, check_user_id

    for text in [*EVIL_IDS.values(), "x" * 129, ""]:
        with pytest.raises(ValueError):
            check_user_id(text)
    rows = [(_csv_field(v), "BTC", "1") for v in EVIL_IDS.values() if "\n" not in v]
    write_inputs(tmp_path, rows)
    from concurrent.futures import ThreadPoolExecutor

    from zkpor.prover.liabilities.prover import ProveOptions, prove_liabilities

    with ThreadPoolExecutor(1) as ex, pytest.raises(InputErrors) as info:
        prove_liabilities(
            tmp_path / "balances.csv",
            tmp_path / "assets.json",
            bytes(32),
            ProveOptions(round_id="r"),
            tmp_path / "b",
            ex,
        )
    assert len(info.value.errors) == len(rows)
    _no_escape(str(info.value))


# --- 2. a digest given is a digest compared -----------------------------------------------


def test_digest_without_manifest_is_an_error(round_dir: Path, tmp_path: Path) -> None:
    wrong = "ab" * 32
    code, _, err = run_cli(
        "verify", "user", "p0.json", "--roots", "b/roots.json", "--digest", wrong, cwd=round_dir
    )
    assert code == 2 and "--digest needs --manifest" in err
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "audit.sqlite").write_bytes((round_dir / "b" / "audit.sqlite").read_bytes())
    code, _, err = run_cli("verify", "audit", str(bare), "--digest", wrong, "--quiet", cwd=tmp_path)
    assert code == 2 and "--digest needs a manifest" in err
    code, _, err = run_cli(
        "verify", "audit", str(bare / "audit.sqlite"), "--digest", wrong, "--quiet", cwd=tmp_path
    )
    assert code == 2 and "--digest needs a manifest" in err


def test_manifest_beside_audit_file_is_used(round_dir: Path) -> None:
    code, _, err = run_cli(
        "verify", "audit", "b/audit.sqlite", "--digest", "ab" * 32, "--quiet", cwd=round_dir
    )
    assert code == 1 and "differs from the published" in err
    code, out, err = run_cli(
        "verify",
        "audit",
        "b/audit.sqlite",
        "--digest",
        _digest(round_dir),
        "--quiet",
        cwd=round_dir,
    )
    assert code == 0 and "matches the digest you gave" in out, err


def test_digest_whitespace_case_and_format(round_dir: Path) -> None:
    digest = _digest(round_dir)
    for given in (f"  {digest}  ", f"\t{digest.upper()}\n"):
        code, out, err = run_cli(
            "verify", "user", "p0.json", "--manifest", "b/manifest.json", "--digest", given,
            cwd=round_dir,
        )  # fmt: skip
        assert code == 0 and "matches the digest you gave" in out, err
    for bad in (digest[:-1], digest + "0", "zz" * 32, ""):
        code, _, err = run_cli(
            "verify", "user", "p0.json", "--manifest", "b/manifest.json", "--digest", bad,
            cwd=round_dir,
        )  # fmt: skip
        assert code == 2 and "64 hex digits" in err
    code, out, _ = run_cli(
        "verify", "user", "p0.json", "--manifest", "b/manifest.json", cwd=round_dir
    )
    assert code == 0 and "NOT compared with a published digest" in out
    code, out, _ = run_cli(
        "verify", "user", "p0.json", "--manifest", "b/manifest.json", "--json", cwd=round_dir
    )
    assert code == 0 and json.loads(out)["digest_matched"] is None


# --- 3. the customer's verdict covers the whole manifest ----------------------------------


def _openings(tmp: Path) -> dict[str, Opening]:
    from zkpor.prover.liabilities.store import private_path

    conn = sqlite3.connect(private_path(tmp / "b"))
    try:
        rows = conn.execute("SELECT asset, value, blinding FROM root_openings").fetchall()
    finally:
        conn.close()
    return {asset: Opening(int(v), int(b, 16)) for asset, v, b in rows}


def _reproved(tmp: Path, data: dict[str, Any]) -> dict[str, Any]:
    """What an exchange holding the root openings can do: change the manifest, make the
    totals consistent and prove solvency again for the changed statement."""
    data = copy.deepcopy(data)
    for entry in data["assets"].values():
        res = entry["reserves"]
        units = sum(parse_amount(a["balance"], entry["decimals"]) for a in res["addresses"])
        res["total_units"] = str(units)
        res["total"] = format_units(units, entry["decimals"])
    statement = statement_digest(Manifest.model_validate(data, strict=True))
    openings = _openings(tmp)
    for sym, entry in data["assets"].items():
        p, q = (int(x) for x in entry["solvency"]["min_ratio"].split("/"))
        proof = prove_solvency(
            int(entry["reserves"]["total_units"]),
            openings[sym],
            p,
            q,
            context=solvency_context(statement, sym),
        )
        entry["solvency"]["proof"] = proof.to_bytes().hex()
    return data


def _user_verdict(tmp: Path, data: dict[str, Any]) -> tuple[int, str, str]:
    (tmp / "m.json").write_text(json.dumps(data))
    return run_cli("verify", "user", "p0.json", "--manifest", "m.json", cwd=tmp)


def test_reproved_manifest_still_verifies(round_dir: Path) -> None:
    """The helper itself: an unchanged manifest re-proven verifies (so the attacks below
    fail for the reason they claim)."""
    code, _, err = _user_verdict(round_dir, _reproved(round_dir, _manifest(round_dir)))
    assert code == 0, err


def test_invented_address_refused(round_dir: Path) -> None:
    data = _manifest(round_dir)
    addrs = data["assets"]["ETH"]["reserves"]["addresses"]
    addrs.append({**addrs[0], "address": "0x" + "12" * 20, "balance": "1000000"})
    code, _, err = _user_verdict(round_dir, _reproved(round_dir, data))
    assert code == 1 and "ETH" in err and "addresses[2]" in err, err


def test_forged_signature_on_another_asset_refused(round_dir: Path) -> None:
    data = _manifest(round_dir)
    sig = data["assets"]["ETH"]["reserves"]["addresses"][1]["signature"]
    data["assets"]["ETH"]["reserves"]["addresses"][1]["signature"] = (
        sig[:-4] + ("1b" if not sig.endswith("1b") else "1c") + sig[-2:]
    )
    code, _, err = _user_verdict(round_dir, _reproved(round_dir, data))
    assert code == 1 and "ETH" in err, err


def test_address_listed_twice_refused(round_dir: Path) -> None:
    data = _manifest(round_dir)
    addrs = data["assets"]["BTC"]["reserves"]["addresses"]
    addrs.append(copy.deepcopy(addrs[0]))
    code, _, err = _user_verdict(round_dir, _reproved(round_dir, data))
    assert code == 1 and "duplicate address" in err, err


def test_testnet_address_for_mainnet_asset_refused(round_dir: Path) -> None:
    from zkpor.reserves.message import ownership_message
    from zkpor.reserves.signing import bitcoin_address, sign_bitcoin

    key = bytes(range(1, 33))
    address = bitcoin_address(key, "p2wpkh", "bitcoin-testnet")
    signature = sign_bitcoin(key, ownership_message(EXCHANGE, ROUND, address), "p2wpkh")
    data = _manifest(round_dir)
    data["assets"]["BTC"]["reserves"]["addresses"].append(
        {"address": address, "balance": "100", "signature": signature}
    )
    code, _, err = _user_verdict(round_dir, _reproved(round_dir, data))
    assert code == 1 and "BTC" in err and "chain" in err, err


def test_changed_block_height_and_other_assets_proof(round_dir: Path) -> None:
    data = _manifest(round_dir)
    data["assets"]["ETH"]["reserves"]["block_height"] += 1
    code, _, err = _user_verdict(round_dir, data)
    assert code == 1 and "solvency proof" in err
    data = _manifest(round_dir)
    raw = bytearray(bytes.fromhex(data["assets"]["ETH"]["solvency"]["proof"]))
    raw[100] ^= 1
    data["assets"]["ETH"]["solvency"]["proof"] = raw.hex()
    # p2 holds BTC only: ETH's broken proof is still the customer's concern
    assert [a["asset"] for a in json.loads((round_dir / "p2.json").read_text())["assets"]] == [
        "BTC"
    ]
    (round_dir / "m.json").write_text(json.dumps(data))
    code, _, err = run_cli("verify", "user", "p2.json", "--manifest", "m.json", cwd=round_dir)
    assert code in (1, 2) and "ETH" in err


def test_output_lists_what_was_checked_and_what_not(round_dir: Path) -> None:
    code, out, err = run_cli(
        "verify", "user", "p1.json", "--manifest", "b/manifest.json", cwd=round_dir
    )
    assert code == 0, err
    data = _manifest(round_dir)
    for sym, entry in data["assets"].items():
        res = entry["reserves"]
        assert f"chain {res['chain']}, block {res['block_height']}" in out
        assert f"  {sym}: reserves {res['total']} cover liabilities" in out
        for a in res["addresses"]:
            assert f"{a['address']}  {a['balance']}" in out
    assert "Not checked" in out and "on chain" in out and "left out of the trees" in out
    code, out, _ = run_cli("verify", "audit", "b", "--quiet", cwd=round_dir)
    assert code == 0 and "chain bitcoin, block 870000" in out and "Not checked" in out


def test_every_manifest_field_is_checked_by_verify_user(round_dir: Path) -> None:
    """Walk every leaf of the manifest (nulls included), change it, and run ``verify user``
    without --digest: each change is refused (exit 1 or 2), none accepted."""
    original = _manifest(round_dir)
    fields = list(leaves(original))
    assert len(fields) > 40
    for path, value in fields:
        data = copy.deepcopy(original)
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = changed(value)
        code, out, err = _user_verdict(round_dir, data)
        assert code in (1, 2), (path, out)
        _no_escape(out, err)


# --- 4. strict public files ---------------------------------------------------------------


def _strict_variants(text: str, at: tuple[str, ...]) -> dict[str, str]:
    """Texts that a lenient parser maps to the same object, or coerces into one: the
    object at path ``at`` has an integer and a string field to play with."""
    data = json.loads(text)

    def variant(change: Any) -> Any:
        copy_ = copy.deepcopy(data)
        node = copy_
        for key in at:
            node = node[key]
        change(node)
        return copy_

    node = data
    for key in at:
        node = node[key]
    int_key = next(k for k, v in node.items() if isinstance(v, int) and not isinstance(v, bool))
    str_key = next(k for k, v in node.items() if isinstance(v, str))
    number = node[int_key]

    def raw(literal: str) -> str:
        return json.dumps(variant(lambda n: n.__setitem__(int_key, "@@RAW@@"))).replace(
            '"@@RAW@@"', literal
        )

    duplicate = json.dumps(variant(lambda n: n.__setitem__("@@DUP@@", 0))).replace(
        '"@@DUP@@": 0', f'"{int_key}": {number}'
    )
    return {
        "duplicate key": duplicate,
        "integer as string": json.dumps(variant(lambda n: n.__setitem__(int_key, str(number)))),
        "integer with underscore": raw(f'"{number}_0"'),
        "integer as exponent": raw(f"{number}e0"),
        "integer as float": raw(f"{number}.0"),
        "boolean for integer": raw("true"),
        "NaN": raw("NaN"),
        "Infinity": raw("Infinity"),
        "-0": raw("-0"),
        "integer for string": json.dumps(variant(lambda n: n.__setitem__(str_key, 7))),
        "null for string": json.dumps(variant(lambda n: n.__setitem__(str_key, None))),
        "unknown field": json.dumps(variant(lambda n: n.__setitem__("comment", "x"))),
        "byte-order mark": "\ufeff" + text,
        "trailing data": text + " {}",
        "array at the top": "[" + text + "]",
        "not UTF-8": "",
    }


def _public_files(round_dir: Path) -> dict[str, tuple[Path, tuple[str, ...], list[str]]]:
    """Each public file, the path of an object in it with integer and string fields, and a
    command that reads it (FILE stands for the file)."""
    return {
        "manifest": (
            round_dir / "b" / "manifest.json",
            ("parameters",),
            ["verify", "user", "p0.json", "--manifest", "FILE"],
        ),
        "roots": (
            round_dir / "b" / "roots.json",
            ("assets", "BTC"),
            ["verify", "user", "p0.json", "--roots", "FILE"],
        ),
        "inclusion proof": (
            round_dir / "p0.json",
            ("assets", "0"),
            ["verify", "user", "FILE", "--manifest", "b/manifest.json"],
        ),
    }


@pytest.mark.parametrize("kind", ["manifest", "roots", "inclusion proof"])
def test_strict_json_for_every_public_file(round_dir: Path, kind: str) -> None:
    path, at, args = _public_files(round_dir)[kind]
    text = path.read_text()
    code, _, err = run_cli(*[str(path) if a == "FILE" else a for a in args], cwd=round_dir)
    assert code == 0, err
    if kind == "inclusion proof":  # a list index in the path
        data = json.loads(text)
        data["assets"] = {"0": data["assets"][0]}
        variants = {
            k: v.replace('"assets": {"0": ', '"assets": [').replace("}}}", "}]}", 1)
            for k, v in _strict_variants(json.dumps(data), at).items()
        }
    else:
        variants = _strict_variants(text, at)
    for name, variant in variants.items():
        target = round_dir / "variant.json"
        if name == "not UTF-8":
            target.write_bytes(text.encode()[:-2] + b"\xff}")
        else:
            target.write_text(variant)
        code, out, err = run_cli(*[str(target) if a == "FILE" else a for a in args], cwd=round_dir)
        assert code == 2, (kind, name, out, err)
        assert "variant.json" in err and "Traceback" not in err
        if name not in ("trailing data", "array at the top", "byte-order mark", "not UTF-8"):
            assert "variant.json: not JSON" not in err, (kind, name, err)  # its own reason


def test_strict_reserves_snapshot(tmp_path: Path) -> None:
    from zkpor.errors import InputError
    from zkpor.reserves import load_reserves

    path = make_reserves(tmp_path, "Ex", "r1", {"BTC": ["1"]})
    load_reserves(path)
    text = path.read_text()
    data = json.loads(text)
    variants = {
        "duplicate key": text.replace('"format"', '"round_id": "r1", "format"', 1),
        "height as string": json.dumps(
            {**data, "assets": [{**data["assets"][0], "block_height": "870000"}]}
        ),
        "height as float": json.dumps(
            {**data, "assets": [{**data["assets"][0], "block_height": 870000.0}]}
        ),
        "height as boolean": json.dumps(
            {**data, "assets": [{**data["assets"][0], "block_height": True}]}
        ),
        "unknown field": json.dumps({**data, "x": 1}),
    }
    for name, variant in variants.items():
        path.write_text(variant)
        with pytest.raises(InputError):
            load_reserves(path)
        assert name


# --- 5a. cost before checks ---------------------------------------------------------------


def test_repeated_asset_refused_before_cryptography(
    round_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zkpor.verify.inclusion as inclusion
    import zkpor.verify.manifest as vm

    calls = {"solvency": 0, "batch": 0}
    real_solvency, real_batch = vm.verify_solvency, inclusion.verify_batch

    def counting_solvency(*a: Any, **k: Any) -> None:
        calls["solvency"] += 1
        real_solvency(*a, **k)

    def counting_batch(*a: Any, **k: Any) -> None:
        calls["batch"] += 1
        real_batch(*a, **k)

    monkeypatch.setattr(vm, "verify_solvency", counting_solvency)
    monkeypatch.setattr(inclusion, "verify_batch", counting_batch)
    data = json.loads((round_dir / "p0.json").read_text())
    data["assets"] = data["assets"] * 300  # ~6 MB: under the 8 MiB proof limit
    (round_dir / "repeated.json").write_text(json.dumps(data))
    code, _, err = run_cli(
        "verify", "user", "repeated.json", "--manifest", "b/manifest.json", cwd=round_dir
    )
    assert code == 1 and "appears twice" in err
    assert calls == {"solvency": len(_manifest(round_dir)["assets"]), "batch": 0}


# --- review findings: error paths are output too --------------------------------------------

FAKE_OK = "\x1b[2K\x1b[1GOK: alice: balances counted\x1b[1E\x1b[8m"


@pytest.mark.parametrize("where", ["top", "asset", "asset key", "nested"])
def test_error_messages_never_carry_terminal_controls(round_dir: Path, where: str) -> None:
    """Pydantic repeats unknown keys in its error location: those keys are file content and
    must be shown escaped, on every error path (a fake OK screen painted by an error)."""
    data = _manifest(round_dir)
    if where == "top":
        data[FAKE_OK] = 1
    elif where == "asset":
        data["assets"]["BTC"][FAKE_OK] = 1
    elif where == "asset key":
        data["assets"][FAKE_OK] = data["assets"]["BTC"]
    else:
        data["assets"]["BTC"]["reserves"]["addresses"][0][FAKE_OK] = "x"
    (round_dir / "esc.json").write_text(json.dumps(data))
    for args in (
        ("verify", "user", "p0.json", "--manifest", "esc.json", "--digest", "ab" * 32),
        ("verify", "audit", "b", "--manifest", "esc.json", "--quiet"),
    ):
        r = zkpor(*args, cwd=round_dir)
        assert r.returncode == 2 and "\\x1b" in r.stderr, (args, r.stderr)
        _no_escape(r.stdout, r.stderr)
    proof = json.loads((round_dir / "p0.json").read_text())
    proof["assets"][0]["path"][0]["children"][0][FAKE_OK] = 1
    (round_dir / "esc-proof.json").write_text(json.dumps(proof))
    r = zkpor("verify", "user", "esc-proof.json", "--manifest", "b/manifest.json", cwd=round_dir)
    assert r.returncode == 2
    _no_escape(r.stdout, r.stderr)


def test_binary_proof_with_a_bad_field_is_a_one_line_error(round_dir: Path, tmp_path: Path) -> None:
    from zkpor.formats.models import InclusionProof
    from zkpor.formats.zkpi import encode_inclusion

    good = InclusionProof.model_validate_json((round_dir / "p0.json").read_text())
    bad = good.model_copy(update={"user_id": "x\x1b[31my"})
    path = tmp_path / "bad.zkpi"
    path.write_bytes(encode_inclusion(bad))
    r = zkpor("verify", "user", str(path), "--manifest", "b/manifest.json", cwd=round_dir)
    assert r.returncode == 2 and "bad.zkpi" in r.stderr and "user_id" in r.stderr
    assert _one_line_reason(r.stderr, "user_id") and "pydantic" not in r.stderr
    _no_escape(r.stdout, r.stderr)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 50_000 + "1" + "}" * 50_000,
        '{"a":' + "[" * 40 + "]" * 40 + "}",
    ],
)
def test_deep_nesting_is_a_clean_error(round_dir: Path, text: str) -> None:
    (round_dir / "deep.json").write_text(text)
    for args in (
        ("verify", "user", "deep.json", "--manifest", "b/manifest.json"),
        ("verify", "user", "p0.json", "--manifest", "deep.json"),
    ):
        r = zkpor(*args, cwd=round_dir)
        assert r.returncode == 2 and "nested more than" in r.stderr, (args, r.returncode, r.stderr)


def test_lone_surrogates_refused(round_dir: Path) -> None:
    data = _manifest(round_dir)
    data["assets"]["BTC"]["reserves"]["total"] = "\ud800"
    (round_dir / "sur.json").write_text(json.dumps(data))  # json.dumps writes \ud800
    code, _, err = run_cli("verify", "user", "p0.json", "--manifest", "sur.json", cwd=round_dir)
    assert code == 2 and "surrogate" in err


def test_oversized_proof_refused_before_parsing(round_dir: Path) -> None:
    (round_dir / "big.json").write_text('{"format": [' + "{}," * 3_000_000 + "{}]}")
    code, _, err = run_cli(
        "verify", "user", "big.json", "--manifest", "b/manifest.json", cwd=round_dir
    )
    assert code == 2 and "larger than" in err


def test_lock_file_symlink_not_followed(tmp_path: Path) -> None:
    from zkpor.errors import InputError
    from zkpor.prover.liabilities.lock import lock_path, output_lock

    victim = tmp_path / "victim"
    victim.write_text("precious")
    out = tmp_path / "bundle"
    lock_path(out).symlink_to(victim)
    with pytest.raises(InputError, match="not a link"), output_lock(out):
        pass
    assert victim.read_text() == "precious"
