"""The prover's self-check of a finished bundle, before anything is published.

Whatever happened to ``BUNDLE.partial`` between the first run and the last resume (a disk
fault, a hand edit, a bug), the bundle is only renamed into place and its digest only shown
after these checks pass (docs/spec/bundle-and-audit.md, 9.4 "Self-check before publishing"):

1. the full audit of the public audit file against the roots being published
   (:func:`zkpor.verify.trees.audit_bundle`: every node, hash, sum and range proof);
2. every leaf recomputed from the round keys: its stored blinding and salt are the derived
   ones, and commit(amount, blinding) and the leaf hash equal the audit file's leaf at its
   (secret) position; padding leaves hold 0;
3. every row of the input CSV read again: its leaf holds the row's amount (and its debt
   leaf the row's debt; no debt leaf for a row without debt), and each tree has exactly as
   many customer leaves as the CSV has rows (with a debt);
4. each root opening: its value is the CSV total of the tree and it opens the root
   commitment.

Step 1 also verifies every collateral proof of the margin accounts against the published
terms and checks that every debt leaf is an input of exactly one of them.

Steps 1 and 2 run their costly parts on the executor that built the trees and proofs, so a
compromised worker could approve its own results. Hence step

5. the driver's own check (:mod:`.spotcheck`), in this process, never on the executor:
   every leaf's blinding, salt and hash and every internal node's hash and commitment sum,
   then a sample drawn with OS randomness after every result is in (``sample`` leaf
   commitments and internal nodes' range proofs per tree, ``sample`` collateral proofs).

Step 2 is one commitment per leaf, run on the executor in batches. Any difference raises
:class:`~zkpor.errors.VerificationError` naming the asset and the CSV line (never a leaf
position, blinding or salt).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Final

from zkpor.crypto.pedersen import commit
from zkpor.errors import InputError, VerificationError
from zkpor.formats.identifiers import shown
from zkpor.formats.models import Roots
from zkpor.protocol.sumtree import debt_tree, leaf_hash
from zkpor.prover.liabilities.inputs import AssetSpec, read_balances
from zkpor.prover.liabilities.keys import RoundKeys
from zkpor.prover.liabilities.spotcheck import DEFAULT_SAMPLE, spot_check
from zkpor.prover.liabilities.store import open_private, private_path
from zkpor.prover.parallel import wait_first

__all__ = ["check_leaves", "self_check"]

_BATCH: Final[int] = 2048
_WINDOW: Final[int] = 16

# (line, user id, units, stored blinding, stored salt, audit hash, audit commitment)
_LeafRow = tuple[int | None, str, str, str | None, bytes | None, bytes | None, bytes | None]


def _where(asset: str, line: int | None, source: str) -> str:
    return f"asset {asset}, padding leaf" if line is None else f"{source}:{line}: asset {asset}"


def check_leaves(
    round_key: bytes, round_id: str, asset: str, source: str, rows: list[_LeafRow]
) -> str | None:
    """Step 2 for a batch of leaves (picklable, runs on an executor): the first difference,
    described without secrets, or None."""
    keys = RoundKeys(round_key, round_id)
    for line, leaf_id, units, blinding_hex, salt, audit_hash, audit_commitment in rows:
        where = _where(asset, line, source)
        if line is None and units != "0":
            return f"{where}: holds a non-zero amount"
        blinding = keys.blinding(asset, leaf_id)
        expected_salt = keys.salt(asset, leaf_id)
        if blinding_hex is None or int(blinding_hex, 16) != blinding:
            return f"{where}: the private store's blinding is not the derived one"
        if salt is None or bytes(salt) != expected_salt:
            return f"{where}: the private store's salt is not the derived one"
        if audit_hash is None or audit_commitment is None:
            return f"{where}: the leaf is missing from the audit file"
        c = commit(int(units), blinding).to_bytes()
        if c != bytes(audit_commitment):
            return f"{where}: the audit file's leaf commitment is not the amount's"
        if leaf_hash(round_id, asset, expected_salt, leaf_id, c) != bytes(audit_hash):
            return f"{where}: the audit file's leaf hash differs"
    return None


def _leaf_batches(priv: sqlite3.Connection, asset: str) -> Iterator[list[_LeafRow]]:
    cur = priv.execute(
        "SELECT l.line, l.user_id, l.units, l.blinding, l.salt, n.hash, n.commitment "
        "FROM leaves AS l LEFT JOIN audit.nodes AS n "
        "ON n.asset = l.asset AND n.level = 0 AND n.idx = l.leaf "
        "WHERE l.asset = ? ORDER BY l.leaf",
        (asset,),
    )
    while batch := cur.fetchmany(_BATCH):
        yield batch


def self_check(
    partial: Path,
    balances: Path,
    specs: dict[str, AssetSpec],
    keys: RoundKeys,
    executor: Executor,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    trees: list[str] | None = None,
    sample: int = DEFAULT_SAMPLE,
) -> None:
    """Run the checks of the module doc on the finished trees in ``partial`` (``trees``:
    every tree name, debt trees included; default the assets; ``sample``: the driver's
    sample size per kind, :mod:`.spotcheck`). Raises VerificationError at the first
    difference."""
    trees = list(specs) if trees is None else trees
    from zkpor.verify.trees import audit_bundle

    roots = Roots.model_validate_json((partial / "roots.json").read_text())
    try:
        audit_bundle(partial, roots=roots, executor=executor, progress=progress)
    except (VerificationError, InputError) as exc:
        raise VerificationError(f"self-check: audit of the new bundle: {exc}") from None
    source = str(balances)
    priv = open_private(private_path(partial))
    try:
        priv.execute("ATTACH DATABASE ? AS audit", (f"file:{partial / 'audit.sqlite'}?mode=ro",))
        _check_all_leaves(priv, trees, keys, executor, source, progress)
        _check_csv(priv, balances, specs, source, trees)
        for asset in trees:
            _check_root(priv, asset)
    finally:
        priv.close()
    spot_check(partial, keys, trees, source, size=sample, progress=progress)


def _check_all_leaves(
    priv: sqlite3.Connection,
    assets: list[str],
    keys: RoundKeys,
    executor: Executor,
    source: str,
    progress: Callable[[str, int, int], None] | None,
) -> None:
    total = priv.execute("SELECT count(*) FROM leaves").fetchone()[0]
    done = 0
    pending: set[Future[str | None]] = set()

    def collect(futures: set[Future[str | None]]) -> None:
        for fut in futures:
            problem = fut.result()
            if problem is not None:
                for other in pending:
                    other.cancel()
                raise VerificationError(f"self-check: {problem}")

    for asset in assets:
        for batch in _leaf_batches(priv, asset):
            if len(pending) >= _WINDOW:
                completed, pending = wait_first(executor, pending)
                collect(completed)
            pending.add(
                executor.submit(check_leaves, keys.round_key, keys.round_id, asset, source, batch)
            )
            done += len(batch)
            if progress:
                progress("self-check leaves", done, total)
    while pending:
        completed, pending = wait_first(executor, pending)
        collect(completed)


def _check_csv(
    priv: sqlite3.Connection,
    balances: Path,
    specs: dict[str, AssetSpec],
    source: str,
    trees: list[str],
) -> None:
    errors: list[InputError] = []
    holders = dict.fromkeys(trees, 0)
    totals = dict.fromkeys(trees, 0)
    for row in read_balances(balances, specs, errors):
        for tree, units, what in (
            (row.asset, row.units, "amount"),
            (debt_tree(row.asset), row.debt, "debt"),
        ):
            stored = priv.execute(
                "SELECT units FROM leaves WHERE user_id = ? AND asset = ?", (row.user_id, tree)
            ).fetchall()
            want = [str(units)] if what == "amount" or units else []
            if [u for (u,) in stored] != want or (units and tree not in holders):
                raise VerificationError(
                    f"self-check: {source}:{row.line}: the {what} leaf of user "
                    f"{shown(row.user_id)!r}, asset {row.asset} does not hold the row's {what}"
                )
            if want:
                holders[tree] += 1
                totals[tree] += units
    if errors:
        raise VerificationError(
            f"self-check: the balances file changed during the run: {errors[0]}"
        )
    for asset in trees:
        (customers,) = priv.execute(
            "SELECT count(*) FROM leaves WHERE asset = ? AND line IS NOT NULL", (asset,)
        ).fetchone()
        if customers != holders[asset]:
            raise VerificationError(
                f"self-check: asset {asset}: {customers} customer leaves for "
                f"{holders[asset]} rows of {source}"
            )
        row = priv.execute("SELECT value FROM root_openings WHERE asset = ?", (asset,)).fetchone()
        if row is None or int(row[0]) != totals[asset]:
            raise VerificationError(
                f"self-check: asset {asset}: the root opening is not the total of {source}"
            )


def _check_root(priv: sqlite3.Connection, asset: str) -> None:
    value, blinding = priv.execute(
        "SELECT value, blinding FROM root_openings WHERE asset = ?", (asset,)
    ).fetchone()
    (root_commitment,) = priv.execute(
        "SELECT root_commitment FROM audit.assets WHERE asset = ?", (asset,)
    ).fetchone()
    if commit(int(value), int(blinding, 16)).to_bytes() != bytes(root_commitment):
        raise VerificationError(
            f"self-check: asset {asset}: the root opening does not open the root"
        )
