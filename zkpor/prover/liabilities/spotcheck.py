"""The driver's own check of the workers' results, before a bundle is published.

The rest of the self-check (:mod:`.selfcheck`: the full audit and the recomputation of every
leaf) runs on the executor that built the trees and the proofs, so a compromised worker
could approve its own output. This module is the part no worker takes part in: it runs in
the driver process only, never touches the executor, and draws its sample with OS
randomness (:class:`secrets.SystemRandom`) only after every result is in, so no worker can
know which of its results will be looked at (docs/spec/bundle-and-audit.md 9.4; docs/operators.md, "What a
malicious worker can and cannot do").

Checked for every item (cheap: hashes and point additions, measured in docs/operators.md):

- every leaf: its stored blinding and salt are the ones derived from the round keys, and its
  leaf hash (derived salt, user id, the audit file's commitment) is the audit file's; a
  padding leaf holds 0;
- every internal node: its hash, recomputed with :func:`zkpor.protocol.sumtree.node_hash` from its
  children's hashes and commitments (and, at level 1, the leaves' margin tags), and its
  commitment, the sum of its children's.

Checked for a uniform random sample of ``size`` items of each kind (costly: scalar
multiplications and proof verifications), per tree for leaves and nodes:

- leaves: the audit file's commitment is commit(amount, derived blinding);
- internal nodes: the node's child range proofs verify over its children's commitments
  (one node of each level of the tree is added when the uniform draw has none there);
- margin accounts: the account's collateral proof verifies over its input leaves'
  commitments against the published terms.

With a fraction f of one kind's items wrong, a uniform sample of s misses all of them with
probability at most (1 - f)^s; a single wrong item among N is caught with probability s/N.
Failures raise :class:`~zkpor.errors.VerificationError` naming the tree, level and node, the
margin account, or the CSV line of a leaf (never a leaf position, blinding or salt).
"""

from __future__ import annotations

import random
import secrets
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from zkpor.crypto.group import Point, active_backend
from zkpor.crypto.pedersen import commit
from zkpor.crypto.r1cs import Circuit
from zkpor.crypto.r1cs import verify_batch as r1cs_verify_batch
from zkpor.crypto.rangeproof import RangeProof, verify_batch
from zkpor.errors import VerificationError, ZkporError
from zkpor.formats.models import Roots
from zkpor.protocol.margin import account_circuit
from zkpor.protocol.sumtree import RANGE_BITS, leaf_hash, level_sizes, node_hash, split_child_proofs
from zkpor.prover.liabilities.keys import RoundKeys
from zkpor.prover.liabilities.store import open_private, private_path
from zkpor.verify.margin import account_shape, terms_of

__all__ = ["DEFAULT_SAMPLE", "Sample", "SpotReport", "draw_sample", "spot_check"]

#: Items of each kind the driver checks itself: leaf commitments and internal nodes' range
#: proofs per tree, collateral proofs per round (cost measured in docs/operators.md).
DEFAULT_SAMPLE: Final[int] = 16
STAGE: Final[str] = "self-check sample"
_BATCH: Final[int] = 4096

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Sample:
    """What the driver checks itself: leaf indices and internal (level, index) per tree,
    margin accounts."""

    leaves: dict[str, list[int]]
    nodes: dict[str, list[tuple[int, int]]]
    accounts: list[int]

    def count(self) -> int:
        return (
            sum(map(len, self.leaves.values()))
            + sum(map(len, self.nodes.values()))
            + len(self.accounts)
        )


@dataclass
class SpotReport:
    """What the driver checked: every leaf and node (cheap checks), the sample (costly)."""

    leaves: int = 0
    nodes: int = 0
    sampled_leaves: int = 0
    sampled_nodes: int = 0
    range_proofs: int = 0
    accounts: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def draw_sample(
    shapes: Mapping[str, Sequence[int]],
    accounts: int,
    size: int,
    rng: random.Random | None = None,
) -> Sample:
    """Draw, uniformly without replacement, ``size`` leaves and ``size`` internal nodes of
    each tree (``shapes``: tree -> level sizes, level 0 first), then add a random node of
    each level the draw missed; and ``size`` of the ``accounts`` margin accounts. ``size``
    at least an item count takes them all; 0 draws nothing. ``rng`` defaults to OS
    randomness (tests may pass a seeded one)."""
    if size < 0:
        raise ValueError("sample size must be >= 0")
    rng = rng or secrets.SystemRandom()
    leaves: dict[str, list[int]] = {}
    nodes: dict[str, list[tuple[int, int]]] = {}
    for tree, sizes in shapes.items():
        leaves[tree] = sorted(rng.sample(range(sizes[0]), min(size, sizes[0])))
        internal = sum(sizes[1:])
        picked = rng.sample(range(internal), min(size, internal))
        chosen = {_node_at(sizes, i) for i in picked}
        if size:
            for level in range(1, len(sizes)):
                if not any(lv == level for lv, _ in chosen):
                    chosen.add((level, rng.randrange(sizes[level])))
        nodes[tree] = sorted(chosen)
    return Sample(leaves, nodes, sorted(rng.sample(range(accounts), min(size, accounts))))


def _node_at(sizes: Sequence[int], flat: int) -> tuple[int, int]:
    """(level, index) of the ``flat``-th internal node, level 1 first."""
    for level in range(1, len(sizes)):
        if flat < sizes[level]:
            return level, flat
        flat -= sizes[level]
    raise IndexError(flat)


def _fail(what: str) -> VerificationError:
    return VerificationError(f"self-check, on the driver: {what}")


def spot_check(
    partial: Path,
    keys: RoundKeys,
    trees: list[str],
    source: str,
    *,
    size: int = DEFAULT_SAMPLE,
    progress: Progress | None = None,
    rng: random.Random | None = None,
) -> SpotReport:
    """Run the checks of the module doc on the finished bundle in ``partial`` (``trees``:
    every tree name; ``source``: the balances file, for messages). Runs in this process
    only. Raises VerificationError at the first difference."""
    report = SpotReport()
    audit = sqlite3.connect(f"file:{partial / 'audit.sqlite'}?mode=ro", uri=True)
    priv = open_private(private_path(partial))
    try:
        (arity_text,) = audit.execute("SELECT value FROM meta WHERE key = 'arity'").fetchone()
        arity = int(arity_text)
        shapes: dict[str, list[int]] = {}
        for tree in trees:
            row = audit.execute("SELECT leaf_count FROM assets WHERE asset = ?", (tree,)).fetchone()
            if row is None:
                raise _fail(f"asset {tree}: missing from the audit file")
            shapes[tree] = level_sizes(int(row[0]), arity)
        has_margin = audit.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'margin_accounts'"
        ).fetchone()[0]
        accounts = (
            audit.execute("SELECT count(*) FROM margin_accounts").fetchone()[0] if has_margin else 0
        )
        # drawn only now, when every result of the run is in
        sample = draw_sample(shapes, accounts, size, rng)
        state = [0, sum(sum(s) for s in shapes.values()) + sample.count()]

        def tick(n: int) -> None:
            state[0] += n
            if progress:
                progress(STAGE, state[0], state[1])

        tick(0)
        started = time.perf_counter()
        for tree, sizes in shapes.items():
            report.leaves += _all_leaves(audit, priv, keys, tree, source, tick)
            report.nodes += _all_nodes(audit, keys.round_id, tree, sizes, arity, tick)
        report.seconds["all"] = time.perf_counter() - started
        started = time.perf_counter()
        for tree in trees:
            report.sampled_leaves += _sampled_leaves(
                audit, priv, keys, tree, source, sample.leaves[tree], tick
            )
        report.seconds["leaves"] = time.perf_counter() - started
        started = time.perf_counter()
        items: list[tuple[RangeProof | bytes, list[Point], int]] = []
        owners: list[str] = []
        for tree in trees:
            _node_proofs(audit, tree, shapes[tree], arity, sample.nodes[tree], items, owners)
            report.sampled_nodes += len(sample.nodes[tree])
        _verify_proofs(items, owners)  # one batch: one multi-scalar multiplication
        report.range_proofs = len(items)
        tick(report.sampled_nodes)
        report.seconds["nodes"] = time.perf_counter() - started
        started = time.perf_counter()
        if sample.accounts:
            roots = Roots.model_validate_json((partial / "roots.json").read_text())
            report.accounts = _sampled_accounts(audit, roots, sample.accounts, tick)
        report.seconds["accounts"] = time.perf_counter() - started
    finally:
        audit.close()
        priv.close()
    return report


def _where(tree: str, line: int | None, source: str) -> str:
    return f"asset {tree}, padding leaf" if line is None else f"{source}:{line}: asset {tree}"


def _all_leaves(
    audit: sqlite3.Connection,
    priv: sqlite3.Connection,
    keys: RoundKeys,
    tree: str,
    source: str,
    tick: Callable[[int], None],
) -> int:
    """Every leaf's derived blinding and salt, and its leaf hash over the audit file's
    commitment (no scalar multiplication)."""
    stored = priv.execute(
        "SELECT leaf, line, user_id, units, blinding, salt FROM leaves WHERE asset = ? "
        "ORDER BY leaf",
        (tree,),
    )
    public = audit.execute(
        "SELECT idx, hash, commitment FROM nodes WHERE asset = ? AND level = 0 ORDER BY idx",
        (tree,),
    )
    done = 0
    while rows := stored.fetchmany(_BATCH):
        for leaf, line, user_id, units, blinding_hex, salt in rows:
            where = _where(tree, line, source)
            pub = public.fetchone()
            if pub is None or pub[0] != leaf:
                raise _fail(f"asset {tree}: the audit file's leaves are not the private store's")
            if line is None and units != "0":
                raise _fail(f"{where}: holds a non-zero amount")
            expected_salt = keys.salt(tree, user_id)
            if blinding_hex is None or int(blinding_hex, 16) != keys.blinding(tree, user_id):
                raise _fail(f"{where}: the private store's blinding is not the derived one")
            if salt is None or bytes(salt) != expected_salt:
                raise _fail(f"{where}: the private store's salt is not the derived one")
            if leaf_hash(keys.round_id, tree, expected_salt, user_id, bytes(pub[2])) != bytes(
                pub[1]
            ):
                raise _fail(f"{where}: the audit file's leaf hash differs")
        done += len(rows)
        tick(len(rows))
    if public.fetchone() is not None:
        raise _fail(f"asset {tree}: the audit file has more leaves than the private store")
    return done


def _all_nodes(
    audit: sqlite3.Connection,
    round_id: str,
    tree: str,
    sizes: Sequence[int],
    arity: int,
    tick: Callable[[int], None],
) -> int:
    """Every internal node's hash and commitment sum, from its children's rows."""
    pt = active_backend().Point
    done = 0
    for level in range(1, len(sizes)):
        children = audit.execute(
            "SELECT hash, commitment, tag FROM nodes WHERE asset = ? AND level = ? ORDER BY idx",
            (tree, level - 1),
        )
        nodes = audit.execute(
            "SELECT idx, hash, commitment FROM nodes WHERE asset = ? AND level = ? ORDER BY idx",
            (tree, level),
        )
        for expect, (idx, nhash, ncommit) in enumerate(nodes):
            where = f"asset {tree}, level {level}, node {expect}"
            count = min(arity, sizes[level - 1] - expect * arity)
            rows = children.fetchmany(count)
            if idx != expect or len(rows) != count:
                raise _fail(f"{where}: missing or out of order")
            kids = [(bytes(h), bytes(c)) for h, c, _ in rows]
            tags = [bytes(t) for _, _, t in rows] if level == 1 else None
            try:
                if node_hash(round_id, tree, level, kids, tags) != bytes(nhash):
                    raise _fail(f"{where}: hash does not match its children")
                total = pt.sum(pt.from_bytes(c) for _, c in kids)
            except VerificationError:
                raise
            except (ZkporError, ValueError, TypeError) as exc:
                raise _fail(f"{where}: {exc}") from None
            if total.to_bytes() != bytes(ncommit):
                raise _fail(f"{where}: commitment is not the sum of its children's")
            done += 1
            if done % 256 == 0:
                tick(256)
    tick(done % 256)
    return done


def _sampled_leaves(
    audit: sqlite3.Connection,
    priv: sqlite3.Connection,
    keys: RoundKeys,
    tree: str,
    source: str,
    leaves: list[int],
    tick: Callable[[int], None],
) -> int:
    """commit(amount, derived blinding) is the audit file's commitment, for each leaf."""
    for leaf in leaves:
        line, user_id, units = priv.execute(
            "SELECT line, user_id, units FROM leaves WHERE asset = ? AND leaf = ?", (tree, leaf)
        ).fetchone()
        (stored,) = audit.execute(
            "SELECT commitment FROM nodes WHERE asset = ? AND level = 0 AND idx = ?",
            (tree, leaf),
        ).fetchone()
        if commit(int(units), keys.blinding(tree, user_id)).to_bytes() != bytes(stored):
            where = _where(tree, line, source)
            raise _fail(f"{where}: the audit file's leaf commitment is not the amount's")
        tick(1)
    return len(leaves)


def _node_proofs(
    audit: sqlite3.Connection,
    tree: str,
    sizes: Sequence[int],
    arity: int,
    nodes: list[tuple[int, int]],
    items: list[tuple[RangeProof | bytes, list[Point], int]],
    owners: list[str],
) -> None:
    """Append each sampled node's child range proofs, over its children's commitments, to
    ``items`` (and the node's name to ``owners``)."""
    pt = active_backend().Point
    for level, idx in nodes:
        where = f"asset {tree}, level {level}, node {idx}"
        (proof,) = audit.execute(
            "SELECT proof FROM nodes WHERE asset = ? AND level = ? AND idx = ?",
            (tree, level, idx),
        ).fetchone()
        kids = range(idx * arity, min(idx * arity + arity, sizes[level - 1]))
        rows = audit.execute(
            "SELECT commitment FROM nodes WHERE asset = ? AND level = ? AND idx >= ? AND idx < ? "
            "ORDER BY idx",
            (tree, level - 1, kids.start, kids.stop),
        ).fetchall()
        try:
            points = [pt.from_bytes(bytes(c)) for (c,) in rows]
            offset = 0
            for m, blob in split_child_proofs(bytes(proof or b""), len(kids)):
                rp = RangeProof.from_bytes(blob, pt, bits=RANGE_BITS, m=m)
                items.append((rp, points[offset : offset + m], RANGE_BITS))
                owners.append(where)
                offset += m
        except (ZkporError, ValueError) as exc:
            raise _fail(f"{where}: range proof: {exc}") from None


def _verify_proofs(
    items: list[tuple[RangeProof | bytes, list[Point], int]], owners: list[str]
) -> None:
    try:
        verify_batch(items)
    except VerificationError as exc:
        text = str(exc)
        at = int(text.split()[2].rstrip(":")) if text.startswith("batch item ") else None
        who = owners[at] if at is not None else "the sampled nodes"
        raise _fail(f"{who}: range proof does not verify") from None


def _sampled_accounts(
    audit: sqlite3.Connection, roots: Roots, accounts: list[int], tick: Callable[[int], None]
) -> int:
    """The sampled margin accounts' collateral proofs, over their input leaves' commitments,
    for the circuits rebuilt from the published terms, verified in one batch."""
    terms = terms_of(roots)
    if terms is None:
        raise _fail("margin accounts, but the roots have no margin terms")
    order = list(roots.assets)
    circuits: dict[tuple[tuple[str, ...], tuple[str, ...]], Circuit] = {}
    batch: list[tuple[Circuit, bytes, list[Point]]] = []
    pt = active_backend().Point
    for account in accounts:
        inputs = audit.execute(
            "SELECT i.tree, n.commitment FROM margin_inputs AS i JOIN nodes AS n "
            "ON n.asset = i.tree AND n.level = 0 AND n.idx = i.leaf "
            "WHERE i.account = ? ORDER BY i.position",
            (account,),
        ).fetchall()
        row = audit.execute(
            "SELECT proof FROM margin_accounts WHERE account = ?", (account,)
        ).fetchone()
        try:
            if row is None or not inputs:
                raise VerificationError("missing")
            equity, debt = account_shape(terms, order, [t for t, _ in inputs])
            key = (tuple(equity), tuple(debt))
            if key not in circuits:
                circuits[key] = account_circuit(terms, equity, debt)
            points = [pt.from_bytes(bytes(c)) for _, c in inputs]
        except (ZkporError, ValueError) as exc:
            raise _fail(f"margin account {account}: collateral proof: {exc}") from None
        batch.append((circuits[key], bytes(row[0]), points))
    try:
        r1cs_verify_batch(batch)
    except (ZkporError, ValueError) as exc:
        text = str(exc)
        at = int(text.split()[2].rstrip(":")) if text.startswith("batch item ") else None
        who = f"margin account {accounts[at]}" if at is not None else "margin accounts"
        raise _fail(f"{who}: collateral proof does not verify") from None
    tick(len(accounts))
    return len(accounts)
