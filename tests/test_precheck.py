"""Before the trees: the CSV pass that refuses bad and repeated rows and a shortfall in
seconds (zkpor.prover.liabilities.precheck), and the plainer input messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.demo_round import cli
from tests.liab_helpers import PROVE_BASE, make_reserves, write_inputs
from zkpor.errors import InputError, InsolventError
from zkpor.prover import publish
from zkpor.prover.liabilities import precheck
from zkpor.prover.liabilities.inputs import InputErrors, load_assets
from zkpor.prover.liabilities.precheck import Totals, check_covered, scan_balances, uncovered

SPECS = (
    load_assets.__globals__["AssetsFile"]
    .model_validate(
        {"assets": [{"symbol": "BTC", "decimals": 8}, {"symbol": "ETH", "decimals": 6}]}
    )
    .by_symbol()
)


def test_the_manifest_and_the_precheck_share_one_rule() -> None:
    assert publish.uncovered is precheck.uncovered


@pytest.mark.parametrize(
    ("reserves", "owed", "ratio", "short"),
    [
        (100, 100, (1, 1), False),  # equality is covered
        (99, 100, (1, 1), True),
        (105, 100, (21, 20), False),  # q R >= p L exactly
        (104, 100, (21, 20), True),
        (0, -5, (1, 1), False),  # more lent than held: any reserves cover it
        (0, 0, (2, 1), False),
    ],
)
def test_uncovered_is_q_r_below_p_l(
    reserves: int, owed: int, ratio: tuple[int, int], short: bool
) -> None:
    assert bool(uncovered({"A": reserves}, {"A": owed}, ratio)) is short


def test_net_rule_with_debts_names_each_asset() -> None:
    totals = Totals(equity={"BTC": 10**8, "ETH": 5 * 10**6}, debt={"BTC": 4 * 10**7, "ETH": 0})
    # BTC: E - D = 0.6 BTC, covered by 0.6 although E is 1.0
    check_covered(totals, {"BTC": 6 * 10**7, "ETH": 5 * 10**6}, (1, 1), {"BTC": 8, "ETH": 6})
    with pytest.raises(InsolventError) as err:
        check_covered(totals, {"BTC": 6 * 10**7 - 1, "ETH": 10**6}, (1, 1), {"BTC": 8, "ETH": 6})
    lines = str(err.value).splitlines()
    assert lines[0] == "reserves do not cover liabilities for asset(s) BTC, ETH:"
    assert lines[1] == (
        "asset BTC: reserves 0.59999999, liabilities (equity minus debt) 0.6: "
        "ratio reached 0.9999, needed 1"
    )
    assert lines[2] == "asset ETH: reserves 1, liabilities 5: ratio reached 0.2000, needed 1"


def test_scan_totals_and_duplicates_name_the_user(tmp_path: Path) -> None:
    rows = [
        ("alice", "BTC", "1"),
        ("bob", "BTC", "2"),
        ("alice", "ETH", "3"),
        ("alice", "BTC", "4"),
    ]
    csv_path, _ = write_inputs(tmp_path, rows)
    with pytest.raises(InputErrors) as err:
        scan_balances(csv_path, SPECS)
    (only,) = err.value.errors
    assert (
        only.line == 5
        and "duplicate row for user 'alice' and asset BTC (first on line 2)" in str(only)
    )
    write_inputs(tmp_path, rows[:3])
    totals = scan_balances(csv_path, SPECS)
    assert totals.equity == {"BTC": 3 * 10**8, "ETH": 3 * 10**6} and totals.rows == 3


def test_a_digest_collision_is_never_a_false_duplicate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(precheck, "_key", lambda salt, user, asset: 7)  # every row collides
    csv_path, _ = write_inputs(tmp_path, [(f"u{i}", "BTC", "1") for i in range(20)])
    assert scan_balances(csv_path, SPECS).rows == 20
    write_inputs(tmp_path, [("u1", "BTC", "1"), ("u2", "BTC", "1"), ("u1", "BTC", "2")])
    with pytest.raises(InputErrors, match="user 'u1'"):
        scan_balances(csv_path, SPECS)


def test_plain_messages_for_blank_lines_empty_amounts_and_case(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("user_id,asset,amount\nalice,BTC,1\n\nbob,BTC,\ncarol,btc,1\ndave,Eth,1\n")
    with pytest.raises(InputErrors) as err:
        scan_balances(path, SPECS)
    got = [(e.line, str(e)) for e in err.value.errors]
    assert got[0][0] == 3 and "blank line" in got[0][1]
    assert got[1][0] == 4 and "empty amount: write 0 for a zero balance" in got[1][1]
    assert got[2][0] == 5 and "did you mean BTC?" in got[2][1]
    assert got[3][0] == 6 and "did you mean ETH?" in got[3][1]
    assert len(got) == 4


def test_assets_file_lower_case_symbol_hint(tmp_path: Path) -> None:
    p = tmp_path / "a.json"
    p.write_text('{"assets": [{"symbol": "btc", "decimals": 8}]}')
    with pytest.raises(InputError, match="write 'BTC'"):
        load_assets(p)
    p.write_text('{"assets": [{"symbol": "B TC", "decimals": 8}]}')
    with pytest.raises(InputError) as err:
        load_assets(p)
    assert "write" not in str(err.value)


def _prove(tmp: Path, reserves: dict[str, list[str]], *extra: str) -> tuple[int, str, str]:
    make_reserves(tmp, "Ex", "r1", reserves)
    return cli(
        *PROVE_BASE, "--round", "r1", "--out", "b", "--quiet", "--workers", "1",
        "--reserves", "reserves.json", "--exchange", "Ex", *extra, cwd=tmp,
    )  # fmt: skip


def test_prove_refuses_a_shortfall_before_any_tree(tmp_path: Path) -> None:
    write_inputs(tmp_path, [("a", "BTC", "1.5"), ("b", "BTC", "0.5"), ("a", "ETH", "2")])
    assert cli("keygen", "--out", "s.key", cwd=tmp_path)[0] == 0
    code, out, err = _prove(tmp_path, {"BTC": ["1", "0.5"], "ETH": ["2"]})
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0] == "error: reserves do not cover liabilities for asset(s) BTC:"
    assert lines[1] == "  asset BTC: reserves 1.5, liabilities 2: ratio reached 0.7500, needed 1"
    assert "nothing was built" in lines[2]
    assert not (tmp_path / "b").exists() and not (tmp_path / "b.partial").exists()
    code, _, err = _prove(tmp_path, {"BTC": ["2"], "ETH": ["2.1"]}, "--min-ratio", "1.05", "--json")
    assert code == 2 and "x 21/20 for asset(s) BTC:" in err and "needed 21/20" in err
    assert "ETH" not in err  # 2.1 >= 1.05 x 2


def test_keygen_refusal_mentions_force(tmp_path: Path) -> None:
    assert cli("keygen", "--out", "s.key", cwd=tmp_path)[0] == 0
    before = (tmp_path / "s.key").read_bytes()
    code, _, err = cli("keygen", "--out", "s.key", cwd=tmp_path)
    assert code == 2 and "--force" in err and (tmp_path / "s.key").read_bytes() == before
    code, _, _ = cli("keygen", "--out", "s.key", "--force", cwd=tmp_path)
    assert code == 0 and (tmp_path / "s.key").read_bytes() != before


def test_json_failure_of_prove(tmp_path: Path) -> None:
    write_inputs(tmp_path, [("a", "BTC", "1")])
    code, out, _ = cli(*PROVE_BASE, "--round", "r1", "--out", "b", "--json", cwd=tmp_path)
    data = json.loads(out)
    assert code == 2 and data["ok"] is False and "s.key" in data["error"]
