"""The load stage: the balances CSV into the private store's leaves, padded and ordered.

Spec: docs/spec/liabilities-tree.md (7.2 leaves, padding and placement; 7.7 totals),
docs/spec/margin.md (16.1 inputs, 16.3 debt trees, 16.4 margin tags),
docs/spec/bundle-and-audit.md (9.4 the private store).

One transaction, :func:`load_leaves`: every row goes in with its secret placement key, a
debt as a leaf of the asset's debt tree (:func:`zkpor.protocol.sumtree.debt_tree`). Every
bad row, repeated (user, asset) row and total over 64 bits, and every undercollateralized
margin account, is reported (up to MAX_REPORTED_ERRORS) and nothing is kept. Otherwise
each tree is padded with zero-value leaves to :func:`padded_count` leaves and numbered in
placement-key order (a secret permutation), every collateral input leaf gets its margin
tag, and each tree's leaves get their checkpoint tag for resumes.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from zkpor.errors import InputError
from zkpor.protocol.margin import MarginTerms
from zkpor.protocol.sumtree import DEBT_SUFFIX, debt_tree
from zkpor.prover.liabilities.checkpoint import leaves_tag
from zkpor.prover.liabilities.inputs import (
    MAX_REPORTED_ERRORS,
    U64_MAX,
    AssetSpec,
    InputErrors,
    read_balances,
)
from zkpor.prover.liabilities.keys import RoundKeys, pad_leaf_id
from zkpor.prover.liabilities.margin import check_collateral, plan_accounts, tag_leaves
from zkpor.prover.liabilities.options import ProveOptions
from zkpor.prover.liabilities.store import set_meta

__all__ = ["LeafCounts", "load_leaves", "padded_count"]

_BATCH: Final[int] = 10_000
_INSERT: Final[str] = (
    "INSERT INTO leaves(asset, user_id, units, line, placement) VALUES (?,?,?,?,?)"
)


def padded_count(holders: int, granularity: int) -> int:
    """The leaf count of an asset with ``holders`` customers: the next multiple of the
    padding granularity, and at least one granularity."""
    return max(granularity, -(-holders // granularity) * granularity)


@dataclass
class LeafCounts:
    """Per tree (every asset, then every asset's debt tree): the sum of its leaves and its
    number of customers; and the number of CSV rows read."""

    totals: dict[str, int]
    holders: dict[str, int]
    rows: int = 0

    @classmethod
    def empty(cls, assets: list[str]) -> LeafCounts:
        trees = [*assets, *(debt_tree(a) for a in assets)]
        return cls(dict.fromkeys(trees, 0), dict.fromkeys(trees, 0))


def load_leaves(
    priv: sqlite3.Connection,
    balances: Path,
    specs: dict[str, AssetSpec],
    keys: RoundKeys,
    opts: ProveOptions,
    terms: MarginTerms | None,
) -> int:
    """The load stage (module doc), in one transaction of ``priv``; returns the CSV's row
    count. Raises InputErrors, with the transaction rolled back, for bad input."""
    assets = list(specs)
    errors: list[InputError] = []
    priv.execute("BEGIN")
    counts = _insert_rows(priv, balances, specs, keys, errors)
    priv.execute("CREATE INDEX IF NOT EXISTS leaves_user ON leaves(user_id, asset)")
    if len(errors) < MAX_REPORTED_ERRORS:
        errors += _repeated_rows(priv, str(balances), MAX_REPORTED_ERRORS - len(errors))
    errors += _overflows(assets, counts.totals, str(balances))
    if not errors and terms is not None and any(counts.holders[debt_tree(a)] for a in assets):
        try:
            check_collateral(priv, assets, terms, str(balances))
        except InputErrors as exc:
            errors += exc.errors
    if errors:
        priv.execute("ROLLBACK")
        raise InputErrors(
            errors[:MAX_REPORTED_ERRORS], truncated=len(errors) >= MAX_REPORTED_ERRORS
        )
    debt_trees = [debt_tree(a) for a in assets if counts.holders[debt_tree(a)]]
    _pad_and_order(priv, keys, counts.holders, assets, debt_trees, opts)
    if terms is not None and debt_trees:
        tag_leaves(priv, plan_accounts(priv, assets, terms, keys))
    tag_key = keys.checkpoint_key()
    set_meta(
        priv, {f"leaves_tag:{a}": leaves_tag(tag_key, priv, a) for a in [*assets, *debt_trees]}
    )
    set_meta(priv, {"loaded": "1", "rows": str(counts.rows), "debt_trees": json.dumps(debt_trees)})
    priv.execute("COMMIT")
    return counts.rows


def _insert_rows(
    priv: sqlite3.Connection,
    balances: Path,
    specs: dict[str, AssetSpec],
    keys: RoundKeys,
    errors: list[InputError],
) -> LeafCounts:
    """Every valid CSV row into ``leaves`` (its debt, if any, as a debt-tree leaf), until
    MAX_REPORTED_ERRORS errors; bad rows go to ``errors``."""
    counts = LeafCounts.empty(list(specs))
    batch: list[tuple[str, str, str, int, bytes]] = []
    for row in read_balances(balances, specs, errors):
        if len(errors) >= MAX_REPORTED_ERRORS:
            break
        counts.totals[row.asset] += row.units
        counts.holders[row.asset] += 1
        counts.rows += 1
        placement = keys.placement(row.asset, row.user_id)
        batch.append((row.asset, row.user_id, str(row.units), row.line, placement))
        if row.debt:
            tree = debt_tree(row.asset)
            counts.totals[tree] += row.debt
            counts.holders[tree] += 1
            batch.append(
                (tree, row.user_id, str(row.debt), row.line, keys.placement(tree, row.user_id))
            )
        if len(batch) >= _BATCH:
            priv.executemany(_INSERT, batch)
            batch.clear()
    if batch:
        priv.executemany(_INSERT, batch)
    return counts


def _repeated_rows(priv: sqlite3.Connection, source: str, limit: int) -> list[InputError]:
    """One error per (user, asset) given on more than one row, at most ``limit``."""
    dupes = priv.execute(
        "SELECT asset, group_concat(line, ', ') FROM leaves WHERE asset NOT LIKE ? "
        "GROUP BY user_id, asset HAVING count(*) > 1 LIMIT ?",
        ("%" + DEBT_SUFFIX, limit),
    ).fetchall()
    errors = []
    for asset, lines in dupes:
        first, *others = str(lines).split(", ")
        errors.append(
            InputError(
                f"duplicate (user, {asset}) row; repeated on line(s) {', '.join(others)}",
                source=source,
                line=int(first),
                field="user_id",
            )
        )
    return errors


def _overflows(assets: list[str], totals: dict[str, int], source: str) -> list[InputError]:
    """One error per tree whose total does not fit in 64 bits: equity trees, then debt."""
    over = [f"total of asset {a}" for a in assets if totals[a] > U64_MAX]
    over += [f"debt total of asset {a}" for a in assets if totals[debt_tree(a)] > U64_MAX]
    return [
        InputError(
            f"{what} does not fit in 64 bits of base units; use a coarser unit (fewer decimals)",
            source=source,
        )
        for what in over
    ]


def _pad_and_order(
    priv: sqlite3.Connection,
    keys: RoundKeys,
    holders: dict[str, int],
    assets: list[str],
    debt_trees: list[str],
    opts: ProveOptions,
) -> None:
    """Pad every tree to :func:`padded_count` leaves (debt trees at the debt granularity),
    then number each tree's leaves in placement-key order."""
    for tree in [*assets, *debt_trees]:
        granularity = opts.debt_granularity() if tree in debt_trees else opts.pad_granularity
        count = padded_count(holders[tree], granularity)
        pads = [
            (tree, pad_leaf_id(i), "0", None, keys.placement(tree, pad_leaf_id(i)))
            for i in range(count - holders[tree])
        ]
        priv.executemany(_INSERT, pads)
    priv.execute(
        "CREATE TEMP TABLE ordered AS SELECT rowid AS rid, "
        "ROW_NUMBER() OVER (PARTITION BY asset ORDER BY placement) - 1 AS leaf FROM leaves"
    )
    priv.execute("UPDATE leaves SET leaf = o.leaf FROM ordered AS o WHERE o.rid = leaves.rowid")
    priv.execute("DROP TABLE ordered")
    priv.execute("CREATE UNIQUE INDEX IF NOT EXISTS leaves_pos ON leaves(asset, leaf)")
