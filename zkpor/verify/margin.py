"""Checking margin accounts: the audit of every collateral proof, and a customer's own.

The published terms (quote, per asset price and tiers) come from the manifest or roots file,
never from the audit file or the proof (:func:`terms_of`). A margin account's inputs are
leaf positions (tree, leaf): its equity leaves in priced assets, in strictly increasing
asset order, then its debt leaves, likewise, at least one debt (:func:`account_shape`).

Spec: docs/spec/margin.md, 16.7 ("Audit") and 16.8 (a customer's check). Audit, after the
trees themselves are audited:

- accounts are numbered 0..A-1, each with one proof and inputs at positions 0..k-1;
- every input names a tree of the round and a leaf inside it; no leaf is an input twice
  (so no equity backs two debts); the debt inputs cover every leaf of every debt tree
  (so every debt leaf is an input of exactly one account);
- the margin tags agree with the inputs both ways: every input leaf carries the tag
  (account, input count) of its account, and no other leaf carries a tag (the number of
  tagged leaves equals the number of inputs). The trees bind the tags (node hashes at level
  1), so every customer sees the tags of their own leaves;
- every proof verifies (in batches, on the executor) over the commitments stored at its
  input positions, for the circuit rebuilt from the published terms.

Hence no debt lowers an asset's net liabilities without a collateral proof of one account
that holds it, checked from public files alone; and no leaf serves as collateral without its
owner seeing the account on their own path (16.7).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import Final

from zkpor.crypto.r1cs import Circuit, verify_batch
from zkpor.errors import InputError, ParameterError, VerificationError, ZkporError
from zkpor.formats.auditfile import MARGIN_COLUMNS
from zkpor.formats.identifiers import shown
from zkpor.formats.models import Roots
from zkpor.protocol.margin import MarginTerms, Tier, account_circuit, asset_order
from zkpor.protocol.sumtree import DEBT_SUFFIX, MarginTag, is_debt_tree
from zkpor.verify.pool import wait_first
from zkpor.verify.sqlschema import plain_table

__all__ = ["account_shape", "audit_margin", "terms_of", "verify_account"]

_UNIT: Final[int] = 16
_IN_FLIGHT: Final[int] = 32
_TABLES: Final[dict[str, tuple[str, ...]]] = MARGIN_COLUMNS


def terms_of(roots: Roots) -> MarginTerms | None:
    """The published margin terms (None without a quote). VerificationError when they are
    inconsistent: a price without tiers, a debt tree of an unpriced asset, a bad table."""
    priced: dict[str, tuple[int, str, list[Tier]]] = {}
    for sym, root in roots.assets.items():
        if (root.price is None) != (root.tiers is None):
            raise VerificationError(f"asset {sym}: price and tiers go together")
        if root.price is not None and root.tiers is not None:
            if roots.quote is None:
                raise VerificationError(f"asset {sym}: a price needs the round's quote")
            priced[sym] = (root.decimals, root.price, [Tier(t.up_to, t.ratio) for t in root.tiers])
        if root.debt is not None and sym not in priced:
            raise VerificationError(f"asset {sym}: a debt tree needs a price")
    if roots.quote is None:
        return None
    try:
        return MarginTerms.build(roots.quote.symbol, roots.quote.decimals, priced)
    except ParameterError as exc:
        raise VerificationError(f"margin terms: {exc}") from None


def account_shape(
    terms: MarginTerms, order: Sequence[str], trees: Sequence[str]
) -> tuple[list[str], list[str]]:
    """(equity assets, debt assets) of an account's input trees; VerificationError unless
    they are equity trees of priced assets in strictly increasing asset order, then at
    least one debt tree likewise. The asset order is :func:`asset_order` of ``order``'s
    symbols (ascending bytes), never their position in the published file."""
    rank = {a: i for i, a in enumerate(asset_order(order))}
    equity: list[str] = []
    debt: list[str] = []
    for tree in trees:
        kind = debt if is_debt_tree(tree) else equity
        asset = tree[: -len(DEBT_SUFFIX)] if kind is debt else tree
        if asset not in rank or asset not in terms.prices:
            raise VerificationError(f"input tree {shown(tree, 30)!r} is not a priced asset's")
        if kind is equity and debt:
            raise VerificationError("equity inputs must come before debt inputs")
        if kind and rank[kind[-1]] >= rank[asset]:
            raise VerificationError("inputs must be in increasing asset order, each asset once")
        kind.append(asset)
    if not debt:
        raise VerificationError("a margin account needs at least one debt input")
    return equity, debt


_Item = tuple[int, tuple[str, ...], tuple[str, ...], list[bytes], bytes]


def _check_unit(terms: MarginTerms, items: list[_Item]) -> int:
    """Verify a batch of accounts' proofs (in a worker); VerificationError naming the first
    bad account."""
    circuits: dict[tuple[tuple[str, ...], tuple[str, ...]], Circuit] = {}
    batch = []
    for _, eq, de, commitments, proof in items:
        key = (eq, de)
        if key not in circuits:
            circuits[key] = account_circuit(terms, eq, de)
        batch.append((circuits[key], proof, commitments))
    try:
        verify_batch(batch)
    except VerificationError as exc:
        text = str(exc)
        if text.startswith("batch item "):
            idx = int(text.split()[2].rstrip(":"))
            raise VerificationError(
                f"margin account {items[idx][0]}: collateral proof: {text.split(': ', 1)[1]}"
            ) from None
        raise VerificationError(f"collateral proofs: {text}") from None
    except (ZkporError, ValueError) as exc:
        raise VerificationError(f"collateral proofs: {exc}") from None
    return len(items)


def _check_schema(conn: sqlite3.Connection, source: str) -> bool:
    """Whether the margin tables exist (both or neither, plain tables with their columns)."""
    present = [plain_table(conn, name, columns, source) for name, columns in _TABLES.items()]
    if present[0] != present[1]:
        raise VerificationError("margin tables: one of margin_accounts, margin_inputs is missing")
    return present[0]


def _accounts(conn: sqlite3.Connection) -> Iterator[tuple[int, list[tuple[str, int]], bytes]]:
    """(account, [(tree, leaf)], proof) in account order; cell types checked in SQL."""
    inputs = conn.execute(
        "SELECT CASE WHEN typeof(account) = 'integer' THEN account END, "
        "CASE WHEN typeof(position) = 'integer' THEN position END, "
        "CASE WHEN typeof(tree) = 'text' AND length(CAST(tree AS BLOB)) <= 21 THEN tree END, "
        "CASE WHEN typeof(leaf) = 'integer' AND leaf >= 0 THEN leaf END "
        "FROM margin_inputs ORDER BY account, position"
    )
    proofs = conn.execute(
        "SELECT CASE WHEN typeof(account) = 'integer' THEN account END, "
        "CASE WHEN typeof(proof) = 'blob' THEN proof END FROM margin_accounts ORDER BY account"
    )
    pending = inputs.fetchone()
    for expect, (account, proof) in enumerate(proofs):
        if account != expect:
            raise VerificationError(f"margin account {expect}: missing or out of order")
        if proof is None:
            raise VerificationError(f"margin account {expect}: proof is not a blob")
        rows: list[tuple[str, int]] = []
        while pending is not None and pending[0] == expect:
            _, pos, tree, leaf = pending
            if pos != len(rows) or tree is None or leaf is None:
                raise VerificationError(
                    f"margin account {expect}, input {len(rows)}: missing or malformed"
                )
            rows.append((tree, leaf))
            pending = inputs.fetchone()
        if not rows:
            raise VerificationError(f"margin account {expect}: no inputs")
        yield expect, rows, bytes(proof)
    if pending is not None:
        raise VerificationError("margin inputs name an account that has no proof")


@dataclass
class _Coverage:
    """What the accounts read so far use: every (tree, leaf) input, the number of inputs, and
    per debt tree the number of its leaves that are inputs."""

    covered: dict[str, int]
    used: set[tuple[str, int]] = field(default_factory=set)
    inputs: int = 0


def _check_no_margin(conn: sqlite3.Connection, has_tables: bool, tagged: int) -> None:
    """A round without debt trees: no margin inputs and no tagged leaf."""
    if has_tables and conn.execute("SELECT count(*) FROM margin_inputs").fetchone()[0]:
        raise VerificationError("margin accounts but no debt tree")
    if tagged:
        raise VerificationError(
            f"{tagged} leaves are tagged as collateral inputs, but the round has no margin accounts"
        )


def _published_terms(roots: Roots | None, source: str) -> tuple[MarginTerms, list[str]]:
    """The published margin terms and asset order the accounts are checked against;
    InputError without published roots, VerificationError when they have no terms."""
    if roots is None:
        raise InputError(
            "the margin accounts are checked against the published prices and tiers: "
            "give the manifest or roots file",
            source=source,
        )
    terms = terms_of(roots)
    if terms is None:
        raise VerificationError("debt trees, but the published roots have no margin terms")
    return terms, list(roots.assets)


def _input_commitment(
    conn: sqlite3.Connection,
    where: str,
    tree: str,
    leaf: int,
    *,
    tag: MarginTag,
    leaf_counts: dict[str, int],
    cover: _Coverage,
) -> bytes:
    """Steps 2, 3 and 5 for one input: the leaf exists in a tree of the round, is an input
    of no other account and carries the account's ``tag``; returns its stored commitment and
    records it in ``cover``."""
    if tree not in leaf_counts:
        raise VerificationError(f"{where}: no tree {shown(tree, 30)!r} in this round")
    if leaf >= leaf_counts[tree]:
        raise VerificationError(f"{where}: leaf {leaf} of tree {tree} does not exist")
    if (tree, leaf) in cover.used:
        raise VerificationError(
            f"{where}: leaf {leaf} of tree {tree} is an input of another account"
        )
    cover.used.add((tree, leaf))
    if is_debt_tree(tree):
        cover.covered[tree] += 1
    commitment, leaf_tag = conn.execute(
        "SELECT commitment, tag FROM nodes WHERE asset = ? AND level = 0 AND idx = ?",
        (tree, leaf),
    ).fetchone()
    if bytes(leaf_tag) != tag.to_bytes():
        raise VerificationError(
            f"{where}: leaf {leaf} of tree {tree} is an input, but its margin tag is "
            f"{MarginTag.from_bytes(bytes(leaf_tag)).describe()}, not {tag.describe()}"
        )
    return bytes(commitment)


def _account_item(
    conn: sqlite3.Connection,
    account: tuple[int, list[tuple[str, int]], bytes],
    *,
    terms: MarginTerms,
    order: list[str],
    leaf_counts: dict[str, int],
    cover: _Coverage,
) -> _Item:
    """Steps 2, 3 and 5 for one account (its shape, then each input in order); returns what
    its proof is verified with (step 6)."""
    number, rows, proof = account
    where = f"margin account {number}"
    try:
        equity, debt = account_shape(terms, order, [t for t, _ in rows])
    except VerificationError as exc:
        raise VerificationError(f"{where}: {exc}") from None
    tag = MarginTag(number, len(rows))
    commitments = [
        _input_commitment(conn, where, tree, leaf, tag=tag, leaf_counts=leaf_counts, cover=cover)
        for tree, leaf in rows
    ]
    cover.inputs += len(rows)
    return (number, tuple(equity), tuple(debt), commitments, proof)


def _verify_proofs(
    pool: Executor,
    terms: MarginTerms,
    items: Iterable[_Item],
    total: int,
    progress: Callable[[str, int, int], None] | None,
) -> int:
    """Step 6: every account's proof, in units of ``_UNIT`` accounts on ``pool`` with at
    most ``_IN_FLIGHT`` units pending; ``items`` is read as units are submitted. Returns the
    number of accounts verified."""
    pending: set[Future[int]] = set()
    unit: list[_Item] = []
    done = 0
    for item in items:
        unit.append(item)
        if len(unit) >= _UNIT:
            if len(pending) >= _IN_FLIGHT:
                completed, pending = wait_first(pool, pending)
                done += sum(f.result() for f in completed)
            pending.add(pool.submit(_check_unit, terms, unit))
            unit = []
            if progress:
                progress("audit margin accounts", done, total)
    if unit:
        pending.add(pool.submit(_check_unit, terms, unit))
    while pending:
        completed, pending = wait_first(pool, pending)
        done += sum(f.result() for f in completed)
    return done


def _check_coverage(tagged: int, cover: _Coverage, leaf_counts: dict[str, int]) -> None:
    """Steps 5 and 4 once every account is read: as many tagged leaves as inputs, and every
    leaf of every debt tree an input."""
    if tagged != cover.inputs:
        raise VerificationError(
            f"{tagged} leaves carry a margin tag but the accounts have {cover.inputs} inputs: "
            f"{tagged - cover.inputs} leaves are tagged for an account that does not use them"
        )
    for tree, count in cover.covered.items():
        if count != leaf_counts[tree]:
            raise VerificationError(
                f"debt tree {tree}: {leaf_counts[tree] - count} debt leaves are "
                "counted without a collateral proof"
            )


def audit_margin(
    conn: sqlite3.Connection,
    source: str,
    leaf_counts: dict[str, int],
    roots: Roots | None,
    pool: Executor,
    progress: Callable[[str, int, int], None] | None = None,
) -> int:
    """The margin part of the audit (module doc); ``leaf_counts`` maps every tree of the
    audit file (already audited) to its leaf count. Returns the number of accounts."""
    has_tables = _check_schema(conn, source)
    debt_trees = [t for t in leaf_counts if is_debt_tree(t)]
    (tagged,) = conn.execute(
        "SELECT count(*) FROM nodes WHERE level = 0 AND tag != zeroblob(8)"
    ).fetchone()
    if not debt_trees:
        _check_no_margin(conn, has_tables, tagged)
        return 0
    if not has_tables:
        raise VerificationError("debt trees without margin accounts (no collateral proofs)")
    terms, order = _published_terms(roots, source)
    cover = _Coverage(covered=dict.fromkeys(debt_trees, 0))
    (total,) = conn.execute("SELECT count(*) FROM margin_accounts").fetchone()
    items = (
        _account_item(conn, account, terms=terms, order=order, leaf_counts=leaf_counts, cover=cover)
        for account in _accounts(conn)
    )
    done = _verify_proofs(pool, terms, items, total, progress)
    _check_coverage(tagged, cover, leaf_counts)
    if progress:
        progress("audit margin accounts", done, total)
    return done


def verify_account(
    terms: MarginTerms,
    order: Sequence[str],
    trees: Sequence[str],
    commitments: list[bytes],
    proof: bytes,
) -> None:
    """One account's collateral proof over the given commitments (a customer's check)."""
    equity, debt = account_shape(terms, order, trees)
    _check_unit(terms, [(0, tuple(equity), tuple(debt), commitments, proof)])
