"""Issue 21: false-solvency rounds published by the exchange as the adversary.

The exchange holds every secret and runs the project's own prover with one refusing step
patched out; the verifiers (``zkpor verify audit`` and ``zkpor verify user``, run as a user
runs them, in a fresh process with the unpatched code) must refuse what it publishes.

- Borrowed collateral (item 1): an invented borrower ("ghost") owes BTC; its account pledges
  the ETH equity leaf of carol, who never borrowed. Whatever the adversary does with the
  margin tags, one verifier refuses: tags kept consistent with the inputs, carol's own check
  sees her leaf pledged; carol's tag left none, the audit sees an input without its tag.
- A borrower's proof not tied to the published account (item 2): alice's published account
  holds her debt against carol's equity; alice is shown a proof over her own leaves under
  account 9999. Her leaves' tags are not that account.
- Net solvency without the audit (item 5): a manifest whose BTC debt root opens to all of
  the BTC equity (so equity minus debt is 0) with its solvency proofs made again: the audit
  refuses it; a customer without a BTC debt cannot see it, and is told that only the audit
  checks the debt total.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from zkpor.errors import InputError, InsolventError
from zkpor.formats.models import InclusionProof
from zkpor.protocol.margin import MarginTerms
from zkpor.prover import publish
from zkpor.prover.liabilities import load as liab_load
from zkpor.prover.liabilities import margin as liab_margin
from zkpor.prover.liabilities import stages as liab_stages
from zkpor.prover.liabilities.margin import AccountPlan, AccountTask, prove_account
from zkpor.prover.liabilities.prover import ProveOptions
from zkpor.prover.liabilities.store import open_private, private_path

from .liab_helpers import make_reserves, zkpor

EXCHANGE = "Adversary Exchange"
ROUND = "r21"
ASSETS = {
    "quote": {"symbol": "USD", "decimals": 2},
    "assets": [
        {
            "symbol": "BTC",
            "decimals": 8,
            "price": "60000.00",
            "tiers": [{"up_to": "100000", "ratio": 100}, {"ratio": 50}],
        },
        {"symbol": "ETH", "decimals": 6, "price": "3000", "tiers": [{"ratio": 95}]},
    ],
}
# alice: 1.5 BTC back 10 ETH; carol holds 2 ETH and owes nothing; dave holds BTC.
HONEST = [
    ("alice", "BTC", "1.5", ""),
    ("alice", "ETH", "0", "10"),
    ("carol", "ETH", "2", ""),
    ("dave", "BTC", "0.01", ""),
]
# the invented borrower: 0.09 BTC of debt (5,400 USD), no collateral of its own; carol's
# 2 ETH are worth 5,700 USD after the 95% haircut
GHOST = [("ghost", "BTC", "0", "0.09")]
# BTC equity 1.51; the ghost's debt makes the net 1.42: reserves of 1.42 BTC are 0.09 short
RESERVES = {"BTC": "1.42", "ETH": "0"}
SECRET = bytes(range(32))


def _write(tmp: Path, rows: list[tuple[str, str, str, str]]) -> tuple[Path, Path]:
    (tmp / "assets.json").write_text(json.dumps(ASSETS))
    (tmp / "balances.csv").write_text(
        "user_id,asset,amount,debt\n" + "".join(",".join(r) + "\n" for r in rows)
    )
    (tmp / "s.key").write_text("zkpor-master-secret-v1\n" + SECRET.hex() + "\n")
    (tmp / "s.key").chmod(0o600)
    make_reserves(tmp, EXCHANGE, ROUND, {a: [v] for a, v in RESERVES.items()})
    return tmp / "balances.csv", tmp / "assets.json"


def _prove(tmp: Path, rows: list[tuple[str, str, str, str]]) -> str:
    """``prove_round`` in this process (so the patches apply); returns the digest."""
    balances, assets = _write(tmp, rows)
    opts = ProveOptions(round_id=ROUND, arity=4, pad_granularity=4)
    with ThreadPoolExecutor(2) as ex:
        _, digest = publish.prove_round(
            balances,
            assets,
            SECRET,
            opts,
            tmp / "b",
            ex,
            reserves=tmp / "reserves.json",
            exchange=EXCHANGE,
        )
    assert digest is not None
    return digest


def _leaf(priv: sqlite3.Connection, user: str, tree: str) -> int:
    (leaf,) = priv.execute(
        "SELECT leaf FROM leaves WHERE user_id = ? AND asset = ?", (user, tree)
    ).fetchone()
    return int(leaf)


def _pledge(monkeypatch: pytest.MonkeyPatch, borrower: str, *, replace_own: bool = False) -> None:
    """The adversary's prover: no collateral refusal, no shortfall refusal, and the account
    of ``borrower`` takes carol's ETH equity leaf as collateral (in place of the borrower's
    own priced equity with ``replace_own``)."""
    real_plan = liab_margin.plan_accounts

    debt_tree = "BTC/debt" if borrower == "ghost" else "ETH/debt"

    def plan(
        priv: sqlite3.Connection, order: list[str], terms: MarginTerms, keys: object
    ) -> list[AccountPlan]:
        plans = real_plan(priv, order, terms, keys)  # type: ignore[arg-type]
        carol = ("ETH", _leaf(priv, "carol", "ETH"))
        target = (debt_tree, _leaf(priv, borrower, debt_tree))
        out = []
        for p in plans:
            if target in p.inputs:
                equity = [i for i in p.inputs if "/" not in i[0]]
                debts = [i for i in p.inputs if "/" in i[0]]
                if replace_own:
                    equity = []
                equity = sorted([*equity, carol], key=lambda i: ["BTC", "ETH"].index(i[0]))
                p = AccountPlan(
                    p.account,
                    tuple(t for t, _ in equity),
                    p.debt_assets,
                    (*equity, *debts),
                )
            out.append(p)
        return out

    monkeypatch.setattr(liab_load, "check_collateral", lambda *a, **k: None)
    monkeypatch.setattr("zkpor.prover.liabilities.precheck.check_covered", lambda *a, **k: None)
    monkeypatch.setattr(liab_load, "plan_accounts", plan)
    monkeypatch.setattr(liab_margin, "plan_accounts", plan)


def _leave_carol_untagged(monkeypatch: pytest.MonkeyPatch) -> None:
    """The adversary's tagging: as planned, except carol's pledged ETH leaf keeps none."""
    real_tag = liab_margin.tag_leaves

    def tag(priv: sqlite3.Connection, plans: list[AccountPlan]) -> None:
        real_tag(priv, plans)
        priv.execute(
            "UPDATE leaves SET tag = zeroblob(8) WHERE user_id = 'carol' AND asset = 'ETH'"
        )

    monkeypatch.setattr(liab_load, "tag_leaves", tag)


def _export(tmp: Path, user: str) -> Path:
    r = zkpor("export", "b", "--user", user, "--out", f"{user}.json", cwd=tmp)
    assert r.returncode == 0, r.stderr
    return tmp / f"{user}.json"


def _verify_user(tmp: Path, user: str, digest: str) -> tuple[int, str]:
    r = zkpor(
        "verify",
        "user",
        f"{user}.json",
        "--manifest",
        "b/manifest.json",
        "--digest",
        digest,
        cwd=tmp,
    )
    assert "Traceback" not in r.stderr
    return r.returncode, r.stdout + r.stderr


def _verify_audit(tmp: Path, digest: str) -> tuple[int, str]:
    r = zkpor("verify", "audit", "b", "--digest", digest, "--workers", "2", cwd=tmp)
    assert "Traceback" not in r.stderr
    return r.returncode, r.stdout + r.stderr


def test_honest_prover_refuses_both_rounds(tmp_path: Path) -> None:
    """The reference point: the honest prover refuses the ghost (no collateral) and, without
    it, the BTC shortfall."""
    (tmp_path / "a").mkdir()
    with pytest.raises(InputError, match="'ghost' is undercollateralized"):
        _prove(tmp_path / "a", HONEST + GHOST)
    (tmp_path / "c").mkdir()
    with pytest.raises((InputError, InsolventError), match="BTC"):
        _prove(tmp_path / "c", HONEST)


def test_borrowed_collateral_tagged_refused_by_the_owner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 1, tags kept consistent: the audit cannot tell whose leaf account 'ghost' uses
    (leaf hashes are salted) and passes; carol sees her own leaf pledged."""
    _pledge(monkeypatch, "ghost")
    digest = _prove(tmp_path, HONEST + GHOST)
    code, out = _verify_audit(tmp_path, digest)
    assert code == 0, out  # the adversary's tags agree with its inputs
    _export(tmp_path, "carol")
    code, out = _verify_user(tmp_path, "carol", digest)
    assert code == 1
    assert "asset ETH: your leaf is pledged as collateral of margin account " in out, out
    assert "but you have no debt: the exchange counts your balance as backing someone " in out
    _export(tmp_path, "alice")
    assert _verify_user(tmp_path, "alice", digest)[0] == 0  # alice's account is her own


def test_borrowed_collateral_untagged_refused_by_the_audit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 1, carol's leaf left untagged (so her check passes): the audit finds an input
    whose tag is not its account's. The adversary also skips its own self-check, which
    would refuse the same."""
    _pledge(monkeypatch, "ghost")
    _leave_carol_untagged(monkeypatch)
    monkeypatch.setattr(liab_stages, "self_check", lambda *a, **k: None)
    digest = _prove(tmp_path, HONEST + GHOST)
    code, out = _verify_audit(tmp_path, digest)
    assert code == 1, out
    assert "is an input, but its margin tag is none, not account" in out, out
    _export(tmp_path, "carol")
    assert _verify_user(tmp_path, "carol", digest)[0] == 0  # she alone cannot see it


def test_self_check_refuses_an_untagged_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same round with the prover's self-check left in: it refuses to publish."""
    from zkpor.errors import VerificationError

    _pledge(monkeypatch, "ghost")
    _leave_carol_untagged(monkeypatch)
    with pytest.raises(VerificationError, match="its margin tag is none"):
        _prove(tmp_path, HONEST + GHOST)
    assert not (tmp_path / "b").exists()


def test_borrower_shown_another_account_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 2: alice's published account holds her ETH debt against carol's ETH (not her
    BTC); alice is handed a valid collateral proof over her own leaves under account 9999,
    which is in no audit file."""
    _pledge(monkeypatch, "alice", replace_own=True)
    # a debt carol's 2 ETH can cover (3,000 USD of 5,700); ETH reserves cover its net
    rows = [("alice", "ETH", "0", "1") if r[:2] == ("alice", "ETH") else r for r in HONEST]
    monkeypatch.setitem(RESERVES, "ETH", "1")
    monkeypatch.setitem(RESERVES, "BTC", "1.51")
    digest = _prove(tmp_path, rows)
    path = _export(tmp_path, "alice")
    honest = InclusionProof.model_validate_json(path.read_text())
    assert honest.collateral is not None
    # the proof the adversary hands alice: her own BTC leaf and her debt leaf, account 9999
    priv = open_private(private_path(tmp_path / "b"))
    try:
        rows = [
            priv.execute(
                "SELECT leaf, units, blinding FROM leaves WHERE user_id = 'alice' AND asset = ?",
                (tree,),
            ).fetchone()
            for tree in ("BTC", "ETH", "ETH/debt")
        ]
    finally:
        priv.close()
    terms = _terms(tmp_path)
    _, blob = prove_account(
        AccountTask(
            9999,
            terms,
            ("BTC", "ETH"),
            ("ETH",),
            tuple(int(r[0]) for r in rows),
            tuple(int(r[1]) for r in rows),
            tuple(int(r[2], 16) for r in rows),
        )
    )
    data = json.loads(path.read_text())
    data["collateral"] = {
        "account": 9999,
        "inputs": [
            {"asset": "BTC", "tree": "equity", "leaf": int(rows[0][0])},
            {"asset": "ETH", "tree": "equity", "leaf": int(rows[1][0])},
            {"asset": "ETH", "tree": "debt", "leaf": int(rows[2][0])},
        ],
        "proof": blob.hex(),
    }
    path.write_text(json.dumps(data))
    code, out = _verify_user(tmp_path, "alice", digest)
    assert code == 1, out
    assert (
        "asset BTC: your leaf is tagged none, but your collateral proof is for account 9999 "
        "(3 inputs): the published account is not the one you were shown" in " ".join(out.split())
    ), out
    # and with the published account number but her own inputs, still refused: her BTC
    # leaf is not an input of the published account
    data["collateral"]["account"] = honest.collateral.account
    path.write_text(json.dumps(data))
    code, out = _verify_user(tmp_path, "alice", digest)
    assert code == 1 and "asset BTC: your leaf is tagged none" in out, out
    # carol, whose ETH the published account pledges, sees it too
    _export(tmp_path, "carol")
    code, out = _verify_user(tmp_path, "carol", digest)
    assert code == 1 and "your leaf is pledged as collateral of margin account" in out


def _terms(tmp: Path) -> MarginTerms:
    from zkpor.formats.manifest import Manifest
    from zkpor.verify.manifest import manifest_roots
    from zkpor.verify.margin import terms_of

    m = Manifest.model_validate_json((tmp / "b" / "manifest.json").read_text())
    terms = terms_of(manifest_roots(m))
    assert terms is not None
    return terms


@pytest.fixture
def republished(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str]]:
    """Item 5: the BTC debt root replaced by the BTC equity root (so E - D = 0) before the
    manifest is made; the solvency proofs are made over it; no BTC reserves at all."""
    rows = [*HONEST, ("bob", "BTC", "0.2", "0.1")]
    real_openings = publish._root_openings
    real_build = publish.build_manifest

    def openings(bundle: Path) -> dict[str, object]:
        out = dict(real_openings(bundle))
        out["BTC/debt"] = out["BTC"]
        return out  # type: ignore[return-value]

    def build(bundle: Path, summary: object, **kw: object) -> object:
        eq = summary.assets["BTC"]  # type: ignore[attr-defined]
        debt = summary.debts["BTC"]  # type: ignore[attr-defined]
        summary.debts["BTC"] = {**debt, "root_commitment": eq["root_commitment"]}  # type: ignore[attr-defined]
        return real_build(bundle, summary, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(publish, "_root_openings", openings)
    monkeypatch.setattr(publish, "build_manifest", build)
    monkeypatch.setattr("zkpor.prover.liabilities.precheck.check_covered", lambda *a, **k: None)
    monkeypatch.setitem(RESERVES, "BTC", "0")
    digest = _prove(tmp_path, rows)
    yield tmp_path, digest


def test_debt_root_of_all_equity_refused_by_the_audit(republished: tuple[Path, str]) -> None:
    tmp, digest = republished
    code, out = _verify_audit(tmp, digest)
    assert code == 1, out
    assert "asset BTC/debt: root differs from the published one" in out, out
    # bob's own debt path leads to the real debt root: his check refuses too
    _export(tmp, "bob")
    code, out = _verify_user(tmp, "bob", digest)
    assert code == 1 and "asset BTC (debt): path does not lead to the published root" in out


def test_customer_told_the_debt_total_rests_on_the_audit(republished: tuple[Path, str]) -> None:
    """dave (BTC, no debt) cannot see the forged debt root; his verify passes and says, for
    each asset with a debt tree, that only the full audit checks the debt total."""
    tmp, digest = republished
    _export(tmp, "dave")
    code, out = _verify_user(tmp, "dave", digest)
    assert code == 0, out
    text = " ".join(out.split())
    assert "Not checked here (a full audit of the bundle checks it):" in out
    assert (
        "BTC: the debt total (reserves cover equity minus debt) is checked only by a full "
        f"audit: zkpor verify audit BUNDLE --digest {digest}" in text
    ), out
    assert "ETH: the debt total" in text
    r = zkpor(
        "verify", "user", "dave.json", "--manifest", "b/manifest.json", "--digest", digest,
        "--json", cwd=tmp,
    )  # fmt: skip
    report = json.loads(r.stdout)
    assert [line.split(":")[0] for line in report["audit_only"]] == ["BTC", "ETH"]


def test_customer_without_debt_in_a_spot_round_has_no_audit_note(tmp_path: Path) -> None:
    """Without debt trees there is nothing the customer's check leaves to the audit."""
    rows = [("carol", "ETH", "2", ""), ("dave", "BTC", "0.01", "")]
    saved = dict(RESERVES)
    RESERVES.update({"BTC": "0.01", "ETH": "2"})
    try:
        digest = _prove(tmp_path, rows)
    finally:
        RESERVES.update(saved)
    _export(tmp_path, "dave")
    code, out = _verify_user(tmp_path, "dave", digest)
    assert code == 0, out
    assert "a full audit of the bundle checks it" not in out
    assert "none of your balances is pledged as collateral" in " ".join(out.split())
