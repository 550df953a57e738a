"""A margin demo round in which a customer WITHOUT debt has a pledged leaf (test/e2e.mjs).

The attack of issue 21 ("borrowed collateral"): the exchange tags a non-borrower's equity
leaf as a collateral input of a margin account. The prover is the real one (``zkpor demo``'s
``run_demo``); only ``tag_leaves`` is wrapped so that, after the honest tagging, one
non-borrower's leaf in a priced asset also gets the first account's tag, and the demo's own
checks (the customers' verification and the audit, which would refuse the round) are
skipped. The trees, roots and manifest are built over the tampered tags, so everything is
consistent except that tag: only the victim's own check can see it.

    python test/pledged_round.py OUT

prints JSON: {"manifest", "digest", "proof" (the victim's JSON proof), "user_id", "asset",
"account"}.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

from zkpor.protocol.sumtree import DEBT_SUFFIX
from zkpor.prover.liabilities import load
from zkpor.prover.liabilities.margin import AccountPlan


def main(out: Path) -> None:
    import zkpor.verify.inclusion as inclusion_mod
    import zkpor.verify.trees as audit_mod
    from zkpor.prover.demo import run_demo
    from zkpor.prover.liabilities.export import BundleReader, safe_filename, write_proof
    from zkpor.prover.parallel import make_executor

    victim: dict[str, object] = {}
    honest = load.tag_leaves

    def tag_leaves(priv: sqlite3.Connection, plans: list[AccountPlan]) -> None:
        honest(priv, plans)
        plan = plans[0]
        priced = plan.equity_assets[0] if plan.equity_assets else "BTC"
        row = priv.execute(
            "SELECT user_id, leaf FROM leaves WHERE asset = ? AND user_id NOT LIKE ? "
            "AND user_id NOT IN (SELECT user_id FROM leaves WHERE asset LIKE ?) "
            "ORDER BY user_id LIMIT 1",
            (priced, "\x00%", "%" + DEBT_SUFFIX),
        ).fetchone()
        user, leaf = row
        priv.execute(
            "UPDATE leaves SET tag = ? WHERE asset = ? AND leaf = ?", (plan.tag(), priced, leaf)
        )
        victim.update(user_id=user, asset=priced, account=plan.account)

    load.tag_leaves = tag_leaves  # type: ignore[assignment]
    # The demo verifies a few customers and audits the bundle: the audit refuses this round
    # (a tagged leaf that is no input), and the victim's check would too. Skip both here.
    inclusion_mod.verify_inclusion = lambda *a, **k: []  # type: ignore[assignment]
    audit_mod.audit_bundle = lambda *a, **k: type(  # type: ignore[assignment]
        "Report", (), {"proofs": 0, "margin_accounts": 0}
    )()
    with make_executor(1) as executor:
        result = run_demo(out, users=60, executor=executor, seed=11, show=1)
    bundle = out / "bundle"
    reader = BundleReader(bundle)
    try:
        uid = str(victim["user_id"])
        path = out / ("victim-" + safe_filename(uid))
        write_proof(path, reader.inclusion_proof(uid))
    finally:
        reader.close()
    json.dump(
        {
            "manifest": str(bundle / "manifest.json"),
            "digest": result.manifest_digest,
            "proof": str(path),
            **victim,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
