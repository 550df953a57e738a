"""Full audit of a bundle's public audit file: every node and every node proof.

Checks (docs/spec/bundle-and-audit.md, 9.5 "Audit"):

- the file's parameters (format, arity, range bits, generator digest) are the ones this
  verifier implements, and its roots are the published ones when they are given;
- per asset, every level has exactly the node count the padded leaf count implies, with
  indices 0..size-1; leaves carry no proof, every internal node does;
- every internal node's commitment is the sum of its children's, its hash is recomputed from
  its level and children, and its range proofs over the children's commitments verify (in
  batches, in parallel);
- every leaf commitment is a valid, non-identity point (checked as a child);
- debt trees (``SYMBOL/debt``) are audited like the others; then every margin account's
  collateral proof, and that every debt leaf is an input of exactly one account
  (:mod:`.margin`).

The file is hostile until proven otherwise (docs/spec/bundle-and-audit.md, 9.6): it is opened read-only and
immutable; meta, assets and nodes must be plain tables; every cell's SQLite type and length
is checked in SQL before its value is fetched (hashes 32-byte blobs, commitments 33-byte
blobs, a node's proof a blob of exactly ``child_proofs_length(children)`` bytes, integers in
range), and row counts are compared with the tree shape before any row is read; no value
longer than ``MAX_VALUE_BYTES`` is ever materialised. Memory is bounded by the batches in
flight, whatever the file says. Any failure raises VerificationError (the content is wrong)
or InputError (unreadable, damaged or not an audit file), naming the file; errors in worker
processes come back as VerificationError.

Leaf hashes cannot be recomputed here (their preimages are secret); each customer checks
their own.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import (
    BrokenExecutor,
    Executor,
    Future,
    ProcessPoolExecutor,
)
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from zkpor.crypto.generators import generator_digest
from zkpor.crypto.group import Point, active_backend
from zkpor.crypto.rangeproof import RangeProof, verify_batch
from zkpor.errors import InputError, VerificationError, ZkporError
from zkpor.formats.auditfile import AUDIT_FORMAT, OLD_AUDIT_FORMATS, TREE_COLUMNS
from zkpor.formats.identifiers import identifier_problem, shown
from zkpor.formats.models import Roots
from zkpor.protocol.sumtree import (
    MARGIN_TAG_BYTES,
    RANGE_BITS,
    SUPPORTED_ARITIES,
    asset_of_tree,
    child_proofs_length,
    debt_tree,
    is_debt_tree,
    level_sizes,
    node_hash,
    split_child_proofs,
)
from zkpor.verify.margin import audit_margin
from zkpor.verify.pool import wait_first
from zkpor.verify.sqlschema import plain_table

__all__ = [
    "MAX_VALUE_BYTES",
    "TreeReport",
    "audit_bundle",
    "check_schema",
    "connect_readonly",
    "published_trees",
]

#: SQLITE_LIMIT_LENGTH on the auditor's connection: no honest cell is longer (the longest
#: node proof, 63 children at k = 64, is 5,118 bytes).
MAX_VALUE_BYTES: Final[int] = 1 << 16
_UNIT_NODES = 32
_IN_FLIGHT = 64
_META_VALUE_BYTES = 256
_SYMBOL = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,15}(/debt)?")
_TABLES: Final[dict[str, tuple[str, ...]]] = TREE_COLUMNS

# (idx, hash, commitment, proof, [(child hash, child commitment), ...], the children's
# margin tags at level 1, else None)
_NodeRow = tuple[int, bytes, bytes, bytes, list[tuple[bytes, bytes]], list[bytes] | None]
_Unit = tuple[str, str, int, list[_NodeRow]]


@dataclass
class TreeReport:
    """What the audit checked."""

    round_id: str
    arity: int
    assets: dict[str, dict[str, object]] = field(default_factory=dict)
    nodes: int = 0
    proofs: int = 0
    margin_accounts: int = 0  # collateral proofs verified
    seconds: float = 0.0


@dataclass(frozen=True)
class _Asset:
    asset: str
    decimals: int
    leaf_count: int
    depth: int
    root_hash: bytes
    root_commitment: bytes
    sizes: list[int]


def _check_unit(unit: _Unit) -> int:
    """Verify a batch of internal nodes of one level (in a worker); returns the number of
    range proofs. Every failure, malformed input included, is a VerificationError."""
    round_id, asset, level, rows = unit
    where = f"asset {asset}, level {level}"
    try:
        pt = active_backend().Point
        items: list[tuple[RangeProof | bytes, list[Point], int]] = []
        for idx, nhash, ncommit, proof, children, tags in rows:
            where = f"asset {asset}, level {level}, node {idx}"
            try:
                points = [pt.from_bytes(c) for _, c in children]
            except ZkporError as exc:
                raise VerificationError(f"child commitment: {exc}") from None
            if pt.sum(points).to_bytes() != ncommit:
                raise VerificationError("commitment is not the sum of its children's")
            if node_hash(round_id, asset, level, children, tags) != nhash:
                raise VerificationError("hash does not match its children")
            offset = 0
            for size, blob in split_child_proofs(proof, len(children)):
                try:
                    rp = RangeProof.from_bytes(blob, pt, bits=RANGE_BITS, m=size)
                except ZkporError as exc:
                    raise VerificationError(f"range proof: {exc}") from None
                items.append((rp, points[offset : offset + size], RANGE_BITS))
                offset += size
        where = f"asset {asset}, level {level}"
        verify_batch(items)
    except (ZkporError, ValueError) as exc:
        raise VerificationError(f"{where}: {exc}") from None
    return len(items)


def connect_readonly(path: Path) -> sqlite3.Connection:
    """Read-only, immutable (no journal, WAL or lock files are read or written), values
    capped at MAX_VALUE_BYTES, and schema SQL (views, triggers) not trusted."""
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA cell_size_check = ON")
    return conn


def check_schema(conn: sqlite3.Connection, source: str) -> None:
    """meta, assets and nodes are ordinary tables with the columns the audit reads (not
    views, virtual tables or generated columns, whose values the file would compute)."""
    for name, columns in _TABLES.items():
        if not plain_table(conn, name, columns, source):
            raise InputError(f"not a zkpor audit file (no table {name})", source=source)


def _meta(conn: sqlite3.Connection, key: str, source: str) -> str:
    rows = conn.execute(
        "SELECT CASE WHEN typeof(value) = 'text' AND length(CAST(value AS BLOB)) <= ? "
        "THEN value END FROM meta WHERE key = ? LIMIT 2",
        (_META_VALUE_BYTES, key),
    ).fetchall()
    if len(rows) != 1 or rows[0][0] is None:
        problem = "missing" if not rows else "repeated" if len(rows) > 1 else "not short text"
        if key == "format":
            raise InputError(f"not a zkpor audit file (meta format {problem})", source=source)
        raise VerificationError(f"meta {key} is {problem}")
    return str(rows[0][0])


def _read_assets(conn: sqlite3.Connection, arity: int) -> list[_Asset]:
    """Every assets row, each cell type- and range-checked in SQL before it is fetched."""
    out: list[_Asset] = []
    seen: set[str] = set()
    cursor = conn.execute(
        "SELECT CASE WHEN typeof(asset) = 'text' AND length(CAST(asset AS BLOB)) <= 21 "
        "THEN asset END, "
        "CASE WHEN typeof(decimals) = 'integer' AND decimals BETWEEN 0 AND 30 THEN decimals END, "
        "CASE WHEN typeof(leaf_count) = 'integer' AND leaf_count >= 1 THEN leaf_count END, "
        "CASE WHEN typeof(depth) = 'integer' AND depth BETWEEN 1 AND 64 THEN depth END, "
        "CASE WHEN typeof(root_hash) = 'blob' AND length(root_hash) = 32 THEN root_hash END, "
        "CASE WHEN typeof(root_commitment) = 'blob' AND length(root_commitment) = 33 "
        "THEN root_commitment END FROM assets ORDER BY asset"
    )
    names = ("asset", "decimals", "leaf_count", "depth", "root_hash", "root_commitment")
    wants = (
        "a symbol of 1-16 characters (with /debt for a debt tree)",
        "an integer 0-30",
        "an integer >= 1",
        "an integer 1-64",
        "a 32-byte blob",
        "a 33-byte blob",
    )
    for number, row in enumerate(cursor, 1):
        for name, want, value in zip(names, wants, row):
            if value is None:
                raise VerificationError(f"assets row {number}: {name} must be {want}")
        asset, decimals, leaf_count, depth, root_hash, root_commitment = row
        if not _SYMBOL.fullmatch(asset):
            raise VerificationError(f"assets row {number}: {shown(asset, 20)!r} is not a symbol")
        if asset in seen:
            raise VerificationError(f"asset {asset} is listed twice")
        seen.add(asset)
        sizes = level_sizes(leaf_count, arity)
        if depth != len(sizes) - 1:
            raise VerificationError(f"asset {asset}: depth does not match the leaf count")
        out.append(_Asset(asset, decimals, leaf_count, depth, root_hash, root_commitment, sizes))
    for info in out:
        if is_debt_tree(info.asset) and asset_of_tree(info.asset) not in seen:
            raise VerificationError(f"debt tree {info.asset} has no equity tree")
    return out


def _published(roots: Roots, tree: str) -> tuple[str, str, int, int] | None:
    """(root hash, root commitment, leaf count, decimals) published for a tree."""
    if is_debt_tree(tree):
        entry = roots.assets.get(asset_of_tree(tree))
        if entry is None or entry.debt is None:
            return None
        d = entry.debt
        return d.root_hash, d.root_commitment, d.leaf_count, entry.decimals
    pub = roots.assets.get(tree)
    if pub is None:
        return None
    return pub.root_hash, pub.root_commitment, pub.leaf_count, pub.decimals


def published_trees(roots: Roots) -> set[str]:
    """Every tree name the roots publish: each asset, and its debt tree when it has one."""
    return set(roots.assets) | {debt_tree(a) for a, r in roots.assets.items() if r.debt}


# Each cell is fetched only when its type and length are right (else NULL, with its type and
# length beside it for the message): a hostile cell is never materialised.
_NODE_COLUMNS = (
    "CASE WHEN typeof(idx) = 'integer' THEN idx END, typeof(idx), "
    "CASE WHEN typeof(hash) = 'blob' AND length(hash) = 32 THEN hash END, "
    "typeof(hash), length(hash), "
    "CASE WHEN typeof(commitment) = 'blob' AND length(commitment) = 33 THEN commitment END, "
    "typeof(commitment), length(commitment)"
)


# A leaf's margin tag (docs/spec/liabilities-tree.md 7.4): an 8-byte blob, canonical (no account without
# inputs); checked in SQL, with its type and length for the message.
_TAG_COLUMN = (
    "CASE WHEN typeof(tag) = 'blob' AND length(tag) = 8 AND (substr(tag, 5, 4) != "
    "x'00000000' OR substr(tag, 1, 4) = x'00000000') THEN tag END, typeof(tag), length(tag)"
)


def _leaf_tag(where: str, row: tuple[Any, ...]) -> bytes:
    tag, ttype, tlen = row[8:11]
    if not isinstance(tag, bytes):
        if ttype == "blob" and tlen == MARGIN_TAG_BYTES:
            raise VerificationError(
                f"{where}: margin tag is not canonical (account without inputs)"
            )
        raise _cell(where, "margin tag", ttype, tlen, "an 8-byte blob")
    return tag


def _cell(where: str, name: str, kind: str, length: int | None, want: str) -> VerificationError:
    got = "NULL" if kind == "null" else f"{kind} of length {length}"
    return VerificationError(f"{where}: {name} is {got}, expected {want}")


def _node_cells(where: str, row: tuple[Any, ...], expect_idx: int) -> tuple[bytes, bytes]:
    idx, idx_type, nhash, htype, hlen, ncommit, ctype, clen = row[:8]
    if idx is None:
        raise VerificationError(f"{where}: index is {idx_type}, expected an integer")
    if idx != expect_idx:
        what = "missing" if isinstance(idx, int) and idx > expect_idx else "out of order"
        raise VerificationError(f"{where.rsplit(', node', 1)[0]}, node {expect_idx}: {what}")
    if not isinstance(nhash, bytes):
        raise _cell(where, "hash", htype, hlen, "a 32-byte blob")
    if not isinstance(ncommit, bytes):
        raise _cell(where, "commitment", ctype, clen, "a 33-byte blob")
    return nhash, ncommit


def _units(conn: sqlite3.Connection, round_id: str, info: _Asset, arity: int) -> Iterator[_Unit]:
    """The internal nodes of one asset, level by level, in batches of _UNIT_NODES, each node
    with its children; every cell checked (type, length, index sequence) before use."""
    asset, sizes = info.asset, info.sizes
    for level in range(1, len(sizes)):
        last = sizes[level] - 1
        full_len = child_proofs_length(min(arity, sizes[level - 1]))
        last_len = child_proofs_length(sizes[level - 1] - last * arity)
        children = conn.execute(
            f"SELECT {_NODE_COLUMNS}, {_TAG_COLUMN} FROM nodes WHERE asset = ? AND level = ? "
            "ORDER BY idx",
            (asset, level - 1),
        )
        nodes = conn.execute(
            f"SELECT {_NODE_COLUMNS}, CASE WHEN typeof(proof) = 'blob' AND length(proof) = "
            "(CASE WHEN idx = ? THEN ? ELSE ? END) THEN proof END, typeof(proof), length(proof) "
            "FROM nodes WHERE asset = ? AND level = ? ORDER BY idx",
            (last, last_len, full_len, asset, level),
        )
        batch: list[_NodeRow] = []
        expect_child = 0
        for expect_idx, row in enumerate(nodes):
            where = f"asset {asset}, level {level}, node {expect_idx}"
            nhash, ncommit = _node_cells(where, row, expect_idx)
            proof, ptype, plen = row[8:11]
            if proof is None:
                want = f"a blob of {last_len if expect_idx == last else full_len} bytes"
                raise _cell(where, "range proof", ptype, plen, want)
            count = min(arity, sizes[level - 1] - expect_idx * arity)
            kids = []
            tags: list[bytes] = []
            for crow in children.fetchmany(count):
                at = f"asset {asset}, level {level - 1}, node {expect_child}"
                kids.append(_node_cells(at, crow, expect_child))
                if level == 1:
                    tags.append(_leaf_tag(at, crow))
                expect_child += 1
            if len(kids) != count:
                raise VerificationError(f"{where}: children missing")
            batch.append((expect_idx, nhash, ncommit, proof, kids, tags if level == 1 else None))
            if len(batch) >= _UNIT_NODES:
                yield (round_id, asset, level, batch)
                batch = []
        if batch:
            yield (round_id, asset, level, batch)


def _check_shape(conn: sqlite3.Connection, info: _Asset, roots: Roots | None) -> None:
    """Row counts per level, no proof on a leaf, the root row, the published root."""
    asset, sizes = info.asset, info.sizes
    counts = dict(
        conn.execute(
            "SELECT level, count(*) FROM nodes WHERE asset = ? GROUP BY level LIMIT 66", (asset,)
        ).fetchall()
    )
    if counts != dict(enumerate(sizes)):
        raise VerificationError(f"asset {asset}: node counts per level do not match the leaf count")
    (leaf_proofs,) = conn.execute(
        "SELECT count(*) FROM nodes WHERE asset = ? AND level = 0 AND proof IS NOT NULL",
        (asset,),
    ).fetchone()
    if leaf_proofs:
        raise VerificationError(f"asset {asset}: leaves must not carry proofs")
    (node_tags,) = conn.execute(
        "SELECT count(*) FROM nodes WHERE asset = ? AND level > 0 AND tag IS NOT NULL", (asset,)
    ).fetchone()
    if node_tags:
        raise VerificationError(f"asset {asset}: only leaves carry margin tags")
    top = conn.execute(
        f"SELECT {_NODE_COLUMNS} FROM nodes WHERE asset = ? AND level = ? AND idx = 0",
        (asset, info.depth),
    ).fetchone()
    if top is None or (top[2], top[5]) != (info.root_hash, info.root_commitment):
        raise VerificationError(f"asset {asset}: root node differs from the assets table")
    if roots is not None and _published(roots, asset) != (
        info.root_hash.hex(),
        info.root_commitment.hex(),
        info.leaf_count,
        info.decimals,
    ):
        raise VerificationError(f"asset {asset}: root differs from the published one")


def _check_tree(
    conn: sqlite3.Connection,
    round_id: str,
    info: _Asset,
    arity: int,
    pool: Executor,
    progress: Callable[[str, int, int], None] | None,
) -> int:
    """Check every internal node of one tree on ``pool`` (a sliding window of batches) and
    return the number of range proofs. Progress counts nodes whose batch has been checked,
    not submitted, so the bar and its clock follow the work."""
    internal = sum(info.sizes[1:])
    stage = f"audit {info.asset}"
    pending: dict[Future[int], int] = {}
    checked = proofs = 0
    if progress:
        progress(stage, 0, internal)

    def collect(done: set[Future[int]]) -> None:
        nonlocal checked, proofs
        for future in done:
            proofs += future.result()
            checked += pending.pop(future)
        if progress:
            progress(stage, checked, internal)

    for unit in _units(conn, round_id, info, arity):
        if len(pending) >= _IN_FLIGHT:  # sliding window: keep the workers fed
            done, _ = wait_first(pool, set(pending))
            collect(done)
        pending[pool.submit(_check_unit, unit)] = len(unit[3])
    while pending:
        done, _ = wait_first(pool, set(pending))
        collect(done)
    return proofs


def _audit(
    conn: sqlite3.Connection,
    source: str,
    roots: Roots | None,
    pool: Executor,
    progress: Callable[[str, int, int], None] | None,
) -> TreeReport:
    check_schema(conn, source)
    fmt = _meta(conn, "format", source)
    if fmt in OLD_AUDIT_FORMATS:
        raise InputError(f"audit file format {fmt}: {OLD_AUDIT_FORMATS[fmt]}", source=source)
    if fmt != AUDIT_FORMAT:
        raise InputError(f"not a zkpor audit file (format {shown(fmt, 40)!r})", source=source)
    if (
        _meta(conn, "range_bits", source) != str(RANGE_BITS)
        or _meta(conn, "generator_digest", source) != generator_digest().hex()
    ):
        raise VerificationError("parameters (range bits, generators) are not zkpor's")
    arity_text = _meta(conn, "arity", source)
    arity = int(arity_text) if arity_text in {str(a) for a in SUPPORTED_ARITIES} else 0
    if not arity:
        raise VerificationError(f"unsupported arity {shown(arity_text, 20)!r}")
    round_id = _meta(conn, "round_id", source)
    problem = identifier_problem(round_id, 64)  # 64 bytes of UTF-8, as everywhere (7.1)
    if problem is not None:
        raise VerificationError(f"round id {problem}")
    report = TreeReport(round_id=round_id, arity=arity)
    assets = _read_assets(conn, arity)
    if not assets:
        raise VerificationError("no assets")
    if roots is not None:
        if roots.round_id != round_id or roots.arity != arity:
            raise VerificationError(
                "audit file is for another round or arity than the published roots"
            )
        if published_trees(roots) != {a.asset for a in assets}:
            raise VerificationError("audit file and published roots list different assets")
    (rows,) = conn.execute("SELECT count(*) FROM nodes").fetchone()
    expected = sum(sum(a.sizes) for a in assets)
    if rows != expected:
        raise VerificationError(f"nodes has {rows} rows; the trees' shapes need {expected}")
    for info in assets:
        _check_shape(conn, info, roots)
    for info in assets:
        internal = sum(info.sizes[1:])
        report.proofs += _check_tree(conn, round_id, info, arity, pool, progress)
        report.nodes += sum(info.sizes)
        report.assets[info.asset] = {
            "leaf_count": info.leaf_count,
            "depth": info.depth,
            "internal_nodes": internal,
        }
    report.margin_accounts = audit_margin(
        conn, source, {a.asset: a.leaf_count for a in assets}, roots, pool, progress
    )
    return report


def audit_bundle(
    bundle: Path,
    *,
    roots: Roots | None = None,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> TreeReport:
    """Audit ``bundle`` (a bundle directory or an audit.sqlite file); returns what was
    checked. Raises VerificationError when the content is wrong, InputError when the file is
    missing, unreadable, damaged or not an audit file; both name the file."""
    started = time.perf_counter()
    path = bundle / "audit.sqlite" if bundle.is_dir() else bundle
    source = str(path)
    if not path.is_file():
        raise InputError("audit file not found", source=source)
    own = executor is None
    pool = executor or ProcessPoolExecutor(max_workers=workers)
    conn: sqlite3.Connection | None = None
    try:
        conn = connect_readonly(path)
        report = _audit(conn, source, roots, pool, progress)
    except sqlite3.Error as exc:
        reason = " ".join(str(exc).split())  # SQLite quotes the schema: one line
        raise InputError(f"unreadable audit file ({reason})", source=source) from None
    except UnicodeDecodeError:  # text cells are decoded by the sqlite3 module itself
        raise InputError("unreadable audit file (text that is not UTF-8)", source=source) from None
    except VerificationError as exc:
        raise VerificationError(f"{source}: {exc}") from None
    except BrokenExecutor:
        raise VerificationError(
            f"{source}: audit not completed: a worker process stopped"
        ) from None
    finally:
        if conn is not None:
            conn.close()
        if own:
            pool.shutdown(cancel_futures=True)
    report.seconds = time.perf_counter() - started
    return report
