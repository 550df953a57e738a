"""The prover's margin stages: the collateral check of the inputs, and the collateral proofs.

- check (after load, before any tree is built): every customer with a debt must have
  ``100 * sum_a price_a debt_a <= sum_a S_a(price_a equity_a)`` (:mod:`zkpor.protocol.margin`);
  every account that fails is named, with its debt and collateral values, in one
  InputErrors (exit 2).
- plan (after load, once the leaves are placed): one margin account per customer with a debt
  (inputs: their equity leaves in every priced asset, in asset order, then their debt
  leaves) and one dummy account per padding leaf of a debt tree (its one input: that leaf,
  value 0), numbered in the order of a secret key (``placement("\\x00margin", key)``), so
  the index reveals nothing of the user; every input leaf is tagged with its account and
  the account's input count (:class:`zkpor.protocol.sumtree.MarginTag`), which the trees then bind.
- prove (after the trees are built): each account's collateral proof, made on the executor
  over the leaves' own openings, so its committed inputs are the leaf commitments; each is
  committed with its checkpoint tag as it arrives, so a resumed run makes only the missing
  ones (docs/spec/bundle-and-audit.md 9.4).

Public audit tables (created only when the round has debts)::

    margin_accounts(account INTEGER PRIMARY KEY, proof BLOB)
    margin_inputs(account, position, tree TEXT, leaf INTEGER)   PK (account, position)

``tree`` is the asset symbol for an equity leaf and ``SYMBOL/debt`` for a debt leaf.

Spec: docs/spec/margin.md (section 16).
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Final

from zkpor.errors import InputError
from zkpor.formats.auditfile import MARGIN_TABLES_SQL, PROGRESS_TABLE_SQL
from zkpor.formats.identifiers import shown
from zkpor.protocol.margin import (
    MarginTerms,
    account_build,
    asset_order,
    collateral_hundredths,
    debt_hundredths,
    format_margin_value,
)
from zkpor.protocol.sumtree import (
    DEBT_SUFFIX,
    MAX_TAG_FIELD,
    MarginTag,
    asset_of_tree,
    debt_tree,
    is_debt_tree,
)
from zkpor.prover.liabilities.inputs import MAX_REPORTED_ERRORS, InputErrors
from zkpor.prover.liabilities.keys import RoundKeys
from zkpor.prover.parallel import run_windowed

__all__ = [
    "COLLATERAL_PROGRESS",
    "MARGIN_SCHEMA",
    "AccountPlan",
    "MarginResult",
    "AccountTask",
    "check_collateral",
    "collateral_tag",
    "plan_accounts",
    "prove_account",
    "prove_margin",
    "tag_leaves",
]

MARGIN_SCHEMA: Final[str] = MARGIN_TABLES_SQL
_WINDOW: Final[int] = 32


def _accounts(
    priv: sqlite3.Connection, order: list[str], terms: MarginTerms
) -> dict[str, tuple[dict[str, int], dict[str, int], int]]:
    """user -> (equity by priced asset, debt by asset, first CSV line) for every customer
    with a debt. Equity and debt each in the margin asset order (16.4), whatever ``order``
    the assets file gave."""
    rank = {a: i for i, a in enumerate(asset_order(order))}
    out: dict[str, tuple[dict[str, int], dict[str, int], int]] = {}
    rows = priv.execute(
        "SELECT user_id, asset, units, line FROM leaves WHERE line IS NOT NULL AND user_id IN "
        "(SELECT user_id FROM leaves WHERE asset LIKE ? AND line IS NOT NULL) "
        "ORDER BY user_id",
        ("%" + DEBT_SUFFIX,),
    )
    for user, tree, units, line in rows:
        equity, debt, first = out.setdefault(user, ({}, {}, int(line)))
        if is_debt_tree(tree):
            debt[asset_of_tree(tree)] = int(units)
        elif tree in terms.prices:
            equity[tree] = int(units)
        out[user] = (equity, debt, min(first, int(line)))
    for user, (equity, debt, first) in out.items():
        out[user] = (
            dict(sorted(equity.items(), key=lambda kv: rank[kv[0]])),
            dict(sorted(debt.items(), key=lambda kv: rank[kv[0]])),
            first,
        )
    return out


def check_collateral(
    priv: sqlite3.Connection, order: list[str], terms: MarginTerms, source: str
) -> None:
    """Refuse (InputErrors) every account whose debt value exceeds its collateral value."""
    errors: list[InputError] = []
    for user, (equity, debt, line) in _accounts(priv, order, terms).items():
        owed = debt_hundredths(terms, debt)
        cover = collateral_hundredths(terms, equity)
        if owed > cover:
            errors.append(
                InputError(
                    f"account {shown(user)!r} is undercollateralized: debt value "
                    f"{format_margin_value(terms, owed)} {terms.quote_symbol} exceeds "
                    f"collateral value {format_margin_value(terms, cover)} "
                    f"{terms.quote_symbol} (after haircuts)",
                    source=source,
                    line=line,
                    field="debt",
                )
            )
    if errors:
        truncated = len(errors) > MAX_REPORTED_ERRORS
        raise InputErrors(errors[:MAX_REPORTED_ERRORS], truncated=truncated)


@dataclass(frozen=True, slots=True)
class AccountPlan:
    """One margin account as numbered for the round: its index, its input trees (equity
    assets, then debt assets) and its inputs' (tree, leaf index) in that order. Public:
    these are the audit file's ``margin_inputs`` rows and the leaves' margin tags."""

    account: int
    equity_assets: tuple[str, ...]
    debt_assets: tuple[str, ...]
    inputs: tuple[tuple[str, int], ...]

    def tag(self) -> bytes:
        """The margin tag of each of this account's input leaves."""
        return MarginTag(self.account, len(self.inputs)).to_bytes()


@dataclass(frozen=True, slots=True)
class AccountTask:
    """One collateral proof: the account index, its input trees (equity assets, then debt
    assets), their leaf indices, values and blindings (secret: the executor must be
    trusted with this round's secrets)."""

    account: int
    terms: MarginTerms
    equity_assets: tuple[str, ...]
    debt_assets: tuple[str, ...]
    leaves: tuple[int, ...]
    values: tuple[int, ...]
    blindings: tuple[int, ...]


def prove_account(task: AccountTask) -> tuple[int, bytes]:
    """The map step of the margin stage (picklable): (account, encoded proof)."""
    from zkpor.crypto.r1cs import prove

    build = account_build(task.terms, task.equity_assets, task.debt_assets)
    proof, _, _ = prove(build, list(task.values), list(task.blindings), name="collateral")
    return task.account, proof.to_bytes()


def plan_accounts(
    priv: sqlite3.Connection, order: list[str], terms: MarginTerms, keys: RoundKeys
) -> list[AccountPlan]:
    """Every margin account (one per customer with a debt, one dummy per padding leaf of a
    debt tree), numbered in the order of its secret key ``placement("\\x00margin", key)``.
    Needs the leaves placed (their ``leaf`` indices set); deterministic in the private
    store's leaves and the round keys."""
    leaf_of: dict[tuple[str, str], int] = {}
    for user, tree, leaf in priv.execute(
        "SELECT user_id, asset, leaf FROM leaves WHERE user_id IN "
        "(SELECT user_id FROM leaves WHERE asset LIKE ?)",
        ("%" + DEBT_SUFFIX,),
    ):
        leaf_of[(user, tree)] = int(leaf)
    specs: list[tuple[bytes, tuple[str, ...], tuple[str, ...], list[tuple[str, int]]]] = []
    for user, (equity, debt, _) in _accounts(priv, order, terms).items():
        trees = [*equity, *(debt_tree(a) for a in debt)]
        inputs = [(t, leaf_of[(user, t)]) for t in trees]
        specs.append((keys.placement("\x00margin", user), tuple(equity), tuple(debt), inputs))
    for (user, tree), leaf in leaf_of.items():
        if user.startswith("\x00") and is_debt_tree(tree):
            key = keys.placement("\x00margin", f"{tree}\x00{user}")
            specs.append((key, (), (asset_of_tree(tree),), [(tree, leaf)]))
    if len(specs) > MAX_TAG_FIELD:
        raise InputError(f"{len(specs)} margin accounts: at most {MAX_TAG_FIELD} fit a margin tag")
    specs.sort(key=lambda s: s[0])
    return [AccountPlan(i, eq, de, tuple(inputs)) for i, (_, eq, de, inputs) in enumerate(specs)]


def tag_leaves(priv: sqlite3.Connection, plans: list[AccountPlan]) -> None:
    """Write each input leaf's margin tag (its account and input count) into the private
    store; every other leaf keeps the tag none."""
    priv.executemany(
        "UPDATE leaves SET tag = ? WHERE asset = ? AND leaf = ?",
        [(plan.tag(), tree, leaf) for plan in plans for tree, leaf in plan.inputs],
    )


def _tasks(
    priv: sqlite3.Connection, plans: list[AccountPlan], terms: MarginTerms
) -> list[AccountTask]:
    """The proving task of every planned account, with its leaves' openings."""
    tasks = []
    for plan in plans:
        values: list[int] = []
        blindings: list[int] = []
        for tree, leaf in plan.inputs:
            units, blinding = priv.execute(
                "SELECT units, blinding FROM leaves WHERE asset = ? AND leaf = ?", (tree, leaf)
            ).fetchone()
            values.append(int(units))
            blindings.append(int(blinding, 16))
        tasks.append(
            AccountTask(
                account=plan.account,
                terms=terms,
                equity_assets=plan.equity_assets,
                debt_assets=plan.debt_assets,
                leaves=tuple(leaf for _, leaf in plan.inputs),
                values=tuple(values),
                blindings=tuple(blindings),
            )
        )
    return tasks


@dataclass(frozen=True)
class MarginResult:
    """What the collateral stage did: proofs in all (dummy accounts included), how many were
    reused from an unfinished run (their checkpoint tags verified), how many made now."""

    accounts: int
    reused: int

    @property
    def made(self) -> int:
        return self.accounts - self.reused


#: The ``progress`` rows of collateral proofs (``asset`` is never an asset symbol: upper case).
COLLATERAL_PROGRESS: Final[str] = "collateral"


def collateral_tag(key: bytes, plan: AccountPlan, proof: bytes) -> bytes:
    """The checkpoint tag of one finished collateral proof: HMAC-SHA256 under the run's
    checkpoint key over the account, its inputs (tree, leaf) in order and the proof bytes, so
    a rerun reuses a stored proof only if this run made it for this very account."""
    mac = hmac.new(key, b"zkpor-collateral-v1" + plan.account.to_bytes(4, "big"), hashlib.sha256)
    for tree, leaf in plan.inputs:
        name = tree.encode()
        mac.update(len(name).to_bytes(4, "big") + name + leaf.to_bytes(8, "big"))
    mac.update(len(proof).to_bytes(4, "big") + proof)
    return mac.digest()


def _write_inputs(audit: sqlite3.Connection, plans: list[AccountPlan]) -> None:
    """The public ``margin_inputs`` rows (the same on every attempt: the plan is
    deterministic in the loaded leaves and the round keys)."""
    audit.execute("DELETE FROM margin_inputs")
    audit.executemany(
        "INSERT INTO margin_inputs(account, position, tree, leaf) VALUES (?,?,?,?)",
        [
            (plan.account, pos, tree, leaf)
            for plan in plans
            for pos, (tree, leaf) in enumerate(plan.inputs)
        ],
    )


def _reusable(audit: sqlite3.Connection, plans: list[AccountPlan], key: bytes) -> set[int]:
    """The accounts whose stored proof carries a valid checkpoint tag; every other stored
    proof (no tag, a wrong one, an account not in the plan) is deleted, to be made again."""
    by_account = {plan.account: plan for plan in plans}
    tags = dict(
        audit.execute(
            "SELECT chunk, tag FROM progress WHERE asset = ?", (COLLATERAL_PROGRESS,)
        ).fetchall()
    )
    keep: set[int] = set()
    stale: list[tuple[int]] = []
    for account, proof in audit.execute("SELECT account, proof FROM margin_accounts").fetchall():
        plan = by_account.get(account)
        tag = tags.get(account)
        if (
            plan is not None
            and isinstance(proof, bytes)
            and isinstance(tag, bytes)
            and hmac.compare_digest(tag, collateral_tag(key, plan, proof))
        ):
            keep.add(account)
        else:
            stale.append((account,))
    audit.executemany("DELETE FROM margin_accounts WHERE account = ?", stale)
    audit.execute("DELETE FROM progress WHERE asset = ?", (COLLATERAL_PROGRESS,))
    return keep


def prove_margin(
    audit: sqlite3.Connection,
    priv: sqlite3.Connection,
    order: list[str],
    terms: MarginTerms,
    keys: RoundKeys,
    executor: Executor,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    window: int = _WINDOW,
    stop_after: int | None = None,
) -> MarginResult:
    """Prove every margin account (module doc) into the audit file. Each proof is committed
    with its checkpoint tag (the ``progress`` table, dropped before publishing) as it
    arrives, so a killed run resumes without redoing finished proofs; ``stop_after`` (a
    test hook) raises StopRequested after that many new proofs are committed."""
    from zkpor.prover.liabilities.options import StopRequested

    plans = plan_accounts(priv, order, terms, keys)
    key = keys.checkpoint_key()
    audit.executescript(MARGIN_SCHEMA + PROGRESS_TABLE_SQL)
    with audit:
        _write_inputs(audit, plans)
        reused = _reusable(audit, plans, key)
    by_account = {plan.account: plan for plan in plans}
    tasks = _tasks(priv, [p for p in plans if p.account not in reused], terms)
    done = len(reused)
    if progress:
        progress("collateral proofs", done, len(plans))
    for made, (account, blob) in enumerate(run_windowed(executor, prove_account, tasks, window), 1):
        with audit:
            audit.execute(
                "INSERT INTO margin_accounts(account, proof) VALUES (?, ?)", (account, blob)
            )
            audit.execute(
                "INSERT OR REPLACE INTO progress(asset, chunk, tag) VALUES (?, ?, ?)",
                (COLLATERAL_PROGRESS, account, collateral_tag(key, by_account[account], blob)),
            )
        done += 1
        if progress:
            progress("collateral proofs", done, len(plans))
        if stop_after is not None and made >= stop_after:
            raise StopRequested(f"stopped after {made} collateral proofs")
    return MarginResult(len(plans), len(reused))
