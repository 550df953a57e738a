"""zkpor reserves message / check / list: the exact text, every problem with its address
and field, the "different message" diagnoses (each a real check), the whole-file round or
exchange said once, and the list an auditor looks up on chain."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.demo_round import cli, demo_round
from zkpor.reserves import ownership_message
from zkpor.reserves.signing import bitcoin_address, ethereum_address, sign_bitcoin, sign_ethereum

EX, RD = "Example Exchange", "2026-11-30"


def key(i: int) -> bytes:
    return hashlib.sha256(f"reserves-cli-{i}".encode()).digest()


def eth(i: int, message: str | None = None, *, signer: int | None = None) -> dict[str, str]:
    addr = ethereum_address(key(i))
    msg = ownership_message(EX, RD, addr) if message is None else message
    sig = sign_ethereum(key(i if signer is None else signer), msg)
    return {"address": addr, "balance": "1.5", "signature": sig}


def btc(i: int, message: str | None = None) -> dict[str, str]:
    addr = bitcoin_address(key(i), "p2wpkh")
    msg = ownership_message(EX, RD, addr) if message is None else message
    return {"address": addr, "balance": "0.25", "signature": sign_bitcoin(key(i), msg, "p2wpkh")}


def snapshot(tmp: Path, btcs: list[dict[str, str]], eths: list[dict[str, str]], **hdr: str) -> Path:
    data: dict[str, Any] = {
        "format": "zkpor-reserves-v1",
        "exchange": hdr.get("exchange", EX),
        "round_id": hdr.get("round_id", RD),
        "assets": [
            {"asset": "BTC", "chain": "bitcoin", "block_height": 870000, "addresses": btcs},
            {"asset": "ETH", "chain": "ethereum", "block_height": 21000000, "addresses": eths},
        ],
    }
    path = tmp / "reserves.json"
    path.write_text(json.dumps(data))
    (tmp / "assets.json").write_text(
        json.dumps(
            {"assets": [{"symbol": "BTC", "decimals": 8}, {"symbol": "ETH", "decimals": 18}]}
        )
    )
    return path


def check(tmp: Path, *extra: str, rd: str = RD, ex: str = EX) -> tuple[int, str, str]:
    return cli(
        "reserves", "check", "reserves.json", "--exchange", ex, "--round", rd, *extra, cwd=tmp
    )


def test_message_is_the_exact_text() -> None:
    addr = bitcoin_address(key(1))
    code, out, err = cli("reserves", "message", "--exchange", EX, "--round", RD, "--address", addr)
    assert code == 0 and not err
    assert out == ownership_message(EX, RD, addr) and not out.endswith("\n")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--exchange", EX, "--round", RD, "--address", "bc1q x"], "U+0020"),
        (["--exchange", "a\x1bb", "--round", RD, "--address", "x"], "exchange name"),
        (["--exchange", EX, "--round", "", "--address", "x"], "round id"),
    ],
)
def test_message_refuses_bad_text(args: list[str], needle: str) -> None:
    code, out, err = cli("reserves", "message", *args)
    assert code == 2 and out == "" and needle in err and "Traceback" not in err


def test_check_passes_and_says_what_it_did_not_check(tmp_path: Path) -> None:
    snapshot(tmp_path, [btc(0), btc(1)], [eth(2)])
    code, out, err = check(tmp_path, "--assets", "assets.json")
    assert code == 0, err
    assert out.startswith(f"OK: every signature is over the message for '{EX}', round '{RD}'")
    assert "BTC      0.5  (2 addresses, chain bitcoin, block 870000)" in out
    assert "ETH      1.5  (1 address, chain ethereum, block 21000000)" in out
    assert "on chain" in out
    code, out, _ = check(tmp_path)  # without --assets: says what that leaves out
    assert code == 0 and "--assets)" in out and "decimals" in out
    code, out, _ = check(tmp_path, "--json")
    data = json.loads(out)
    assert (
        code == 0 and data["ok"] is True and [a["total"] for a in data["assets"]] == ["0.5", "1.5"]
    )


def test_each_slightly_different_message_is_named(tmp_path: Path) -> None:
    a1 = ethereum_address(key(11))
    msg = ownership_message
    eths = [
        eth(10, msg(EX, RD, ethereum_address(key(10))) + "\n"),  # trailing LF
        eth(11, msg(EX, RD, ethereum_address(key(12)))),  # names another listed address
        eth(12, msg(EX.lower(), RD, ethereum_address(key(12)))),  # exchange in lower case
        eth(13, msg(EX, RD, ethereum_address(key(13)).lower())),  # address in lower case
        eth(14, signer=99),  # another key altogether
        {**eth(15), "signature": eth(11)["signature"]},  # a copy of another address's
    ]
    eths[5]["signature"] = sign_ethereum(key(11), msg(EX, RD, a1))  # a1's own valid signature
    snapshot(tmp_path, [btc(1, msg(EX, RD, bitcoin_address(key(1))).replace("\n", "\r\n"))], eths)
    code, out, err = check(tmp_path, "--assets", "assets.json")
    lines = err.splitlines()
    assert code == 1 and out == ""
    assert len(lines) == 7, err
    expected = msg(EX, RD, bitcoin_address(key(1))).replace("\n", "\\n")
    assert "(BTC).addresses[0]" in lines[0] and "with CRLF line ends" in lines[0]
    assert f"expected '{expected}'" in lines[0]
    assert "(ETH).addresses[0]" in lines[1] and "with a trailing LF" in lines[1]
    assert f"with address '{ethereum_address(key(12))}' (another listed address)" in lines[2]
    assert "with the exchange name as 'example exchange'" in lines[3]
    assert f"with the address as '{ethereum_address(key(13)).lower()}'" in lines[4]
    assert "not made by this address's key over the expected message" in lines[5]
    assert f"the one of another listed address, {a1}" in lines[6]
    assert all(
        line.lstrip().startswith(("verification failed: reserves.json", "reserves.json"))
        for line in lines
    )


def test_every_problem_is_listed_not_the_first_fifty(tmp_path: Path) -> None:
    eths = [eth(100 + i, signer=500 + i) for i in range(60)]
    snapshot(tmp_path, [btc(0)], eths)
    code, out, err = check(tmp_path, "--json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False and len(data["errors"]) == 60
    assert all(f"addresses[{i}]" in data["errors"][i] for i in range(60))
    assert len(err.splitlines()) == 60


@pytest.mark.parametrize("which", ["round", "exchange"])
def test_a_wrong_round_or_exchange_is_said_once(tmp_path: Path, which: str) -> None:
    snapshot(tmp_path, [btc(0), btc(1)], [eth(2), eth(3)])
    if which == "round":
        code, _, err = check(tmp_path, rd="2026-12-31")
        first = f"snapshot is for round '{RD}', not '2026-12-31'"
    else:
        code, _, err = check(tmp_path, ex="Other Exchange")
        first = f"snapshot is for exchange '{EX}', not 'Other Exchange'"
    lines = err.splitlines()
    assert code == 1 and len(lines) == 2, err
    assert first in lines[0]
    assert f"4 signatures are over the message with {which}" in lines[1]
    assert "addresses[" not in err


def test_list_is_every_manifest_address(tmp_path: Path) -> None:
    bundle = demo_round() / "bundle"
    manifest = json.loads((bundle / "manifest.json").read_text())
    code, out, err = cli("reserves", "list", str(bundle / "manifest.json"), "--csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    want = [
        (
            sym,
            a["reserves"]["chain"],
            str(a["reserves"]["block_height"]),
            x["address"],
            x["balance"],
        )
        for sym, a in manifest["assets"].items()
        for x in a["reserves"]["addresses"]
    ]
    got = [(r["asset"], r["chain"], r["block_height"], r["address"], r["balance"]) for r in rows]
    assert got == want and len(got) >= 5
    code, text, _ = cli("reserves", "list", str(bundle / "manifest.json"))
    assert code == 0
    for sym, chain, height, address, balance in want:
        assert f"{sym}: " in text and f"on {chain} at block {height}" in text
        shown = balance[:-2] if balance.endswith(".0") else balance
        assert any(line.split() == [address, shown] for line in text.splitlines())
    assert all(len(line) <= 80 for line in text.splitlines())


def test_list_refuses_a_changed_manifest_format(tmp_path: Path) -> None:
    bad = tmp_path / "m.json"
    bad.write_text('{"format": "zkpor-manifest-v2", "format": "x"}')
    code, out, err = cli("reserves", "list", str(bad))
    assert code == 2 and out == "" and "m.json" in err


def test_list_json() -> None:
    """Issue 23 item 8: `reserves list --json` prints the manifest's reserves as JSON (the
    amounts as the manifest's exact strings); with --csv as well, one usage error (JSON)."""
    bundle = demo_round() / "bundle"
    manifest = json.loads((bundle / "manifest.json").read_text())
    code, out, err = cli("reserves", "list", str(bundle / "manifest.json"), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["ok"], data["exchange"], data["round_id"]) == (
        True,
        manifest["exchange"],
        manifest["round_id"],
    )
    for sym, asset in manifest["assets"].items():
        res = asset["reserves"]
        got = data["assets"][sym]
        assert [{k: a[k] for k in ("address", "balance")} for a in got["addresses"]] == [
            {"address": a["address"], "balance": a["balance"]} for a in res["addresses"]
        ]
        assert all(a["form"] or res["chain"] == "ethereum" for a in got["addresses"])
        assert (got["chain"], got["block_height"], got["total"]) == (
            res["chain"],
            res["block_height"],
            res["total"],
        )
    code, out, err = cli("reserves", "list", str(bundle / "manifest.json"), "--json", "--csv")
    assert code == 2 and json.loads(out)["error"] == "give at most one of --csv and --json"
    assert err == "error: give at most one of --csv and --json\n"
