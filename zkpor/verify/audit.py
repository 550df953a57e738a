"""Full audit of a bundle's public audit file: every node and every node proof.

Checks (docs/spec.md, "Audit"):

- the file's parameters (format, arity, range bits, generator digest) are the ones this
  verifier implements, and its roots are the published ones when they are given;
- per asset, every level has exactly the node count the padded leaf count implies, with
  indices 0..size-1; leaves carry no proof, every internal node does;
- every internal node's commitment is the sum of its children's, its hash is recomputed from
  its level and children, and its range proofs over the children's commitments verify (in
  batches, in parallel);
- every leaf commitment is a valid, non-identity point (checked as a child).

Leaf hashes cannot be recomputed here (their preimages are secret); each customer checks
their own. Any failure raises VerificationError naming the asset, level and node.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EncodingError, InputError, ParameterError, VerificationError
from ..generators import generator_digest
from ..group import Point, active_backend
from ..models import Roots
from ..rangeproof import RangeProof, verify_batch
from ..sumtree import RANGE_BITS, SUPPORTED_ARITIES, level_sizes, node_hash, split_child_proofs

__all__ = ["AuditReport", "audit_bundle"]

_UNIT_NODES = 32

# (idx, hash, commitment, proof, [(child hash, child commitment), ...])
_NodeRow = tuple[int, bytes, bytes, bytes, list[tuple[bytes, bytes]]]
_Unit = tuple[str, str, int, list[_NodeRow]]


@dataclass
class AuditReport:
    """What the audit checked."""

    round_id: str
    arity: int
    assets: dict[str, dict[str, object]] = field(default_factory=dict)
    nodes: int = 0
    proofs: int = 0
    seconds: float = 0.0


def _check_unit(unit: _Unit) -> int:
    """Verify a batch of internal nodes of one level; returns the number of range proofs."""
    round_id, asset, level, rows = unit
    pt = active_backend().Point
    items: list[tuple[RangeProof | bytes, list[Point], int]] = []
    for idx, nhash, ncommit, proof, children in rows:
        where = f"asset {asset}, level {level}, node {idx}"
        if len(nhash) != 32 or any(len(h) != 32 for h, _ in children):
            raise VerificationError(f"{where}: node hashes must be 32 bytes")
        try:
            points = [pt.from_bytes(c) for _, c in children]
        except EncodingError as exc:
            raise VerificationError(f"{where}: child commitment: {exc}") from None
        if pt.sum(points).to_bytes() != ncommit:
            raise VerificationError(f"{where}: commitment is not the sum of its children's")
        if node_hash(round_id, asset, level, children) != nhash:
            raise VerificationError(f"{where}: hash does not match its children")
        try:
            parts = split_child_proofs(proof, len(children))
        except ParameterError as exc:
            raise VerificationError(f"{where}: {exc}") from None
        offset = 0
        for size, blob in parts:
            try:
                rp = RangeProof.from_bytes(blob, pt, bits=RANGE_BITS, m=size)
            except EncodingError as exc:
                raise VerificationError(f"{where}: range proof: {exc}") from None
            items.append((rp, points[offset : offset + size], RANGE_BITS))
            offset += size
    try:
        verify_batch(items)
    except VerificationError as exc:
        raise VerificationError(f"asset {asset}, level {level}: {exc}") from None
    return len(items)


def _units(
    conn: sqlite3.Connection, round_id: str, asset: str, sizes: list[int], arity: int
) -> Iterator[_Unit]:
    for level in range(1, len(sizes)):
        children = conn.execute(
            "SELECT idx, hash, commitment FROM nodes WHERE asset = ? AND level = ? ORDER BY idx",
            (asset, level - 1),
        )
        nodes = conn.execute(
            "SELECT idx, hash, commitment, proof FROM nodes WHERE asset = ? AND level = ? ORDER BY idx",
            (asset, level),
        )
        batch: list[_NodeRow] = []
        expect_child = 0
        for idx, nhash, ncommit, proof in nodes:
            count = min(arity, sizes[level - 1] - idx * arity)
            kids = children.fetchmany(count)
            for cidx, _, _ in kids:
                if cidx != expect_child:
                    raise VerificationError(
                        f"asset {asset}, level {level - 1}: node {expect_child} missing"
                    )
                expect_child += 1
            if len(kids) != count:
                raise VerificationError(
                    f"asset {asset}, level {level}, node {idx}: children missing"
                )
            if proof is None:
                raise VerificationError(f"asset {asset}, level {level}, node {idx}: no range proof")
            batch.append(
                (
                    idx,
                    bytes(nhash),
                    bytes(ncommit),
                    bytes(proof),
                    [(bytes(h), bytes(c)) for _, h, c in kids],
                )
            )
            if len(batch) >= _UNIT_NODES:
                yield (round_id, asset, level, batch)
                batch = []
        if batch:
            yield (round_id, asset, level, batch)


def audit_bundle(
    bundle: Path,
    *,
    roots: Roots | None = None,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> AuditReport:
    """Audit ``bundle`` (a bundle directory or an audit.sqlite file). Raises
    VerificationError on any failure; returns what was checked."""
    started = time.perf_counter()
    path = bundle / "audit.sqlite" if bundle.is_dir() else bundle
    if not path.is_file():
        raise InputError("audit file not found", source=str(path))
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        assets = conn.execute(
            "SELECT asset, decimals, leaf_count, depth, root_hash, root_commitment FROM assets ORDER BY asset"
        ).fetchall()
    except sqlite3.Error as exc:
        raise InputError(f"not a zkpor audit file ({exc})", source=str(path)) from None
    if meta.get("format") != "zkpor-audit-v1":
        raise InputError(
            f"not a zkpor audit file (format {meta.get('format')!r})", source=str(path)
        )
    if (
        meta.get("range_bits") != str(RANGE_BITS)
        or meta.get("generator_digest") != generator_digest().hex()
    ):
        raise VerificationError(f"{path}: parameters (range bits, generators) are not zkpor's")
    try:
        arity = int(meta.get("arity", ""))
    except ValueError:
        arity = 0
    if arity not in SUPPORTED_ARITIES:
        raise VerificationError(f"{path}: unsupported arity {meta.get('arity')!r}")
    round_id = meta.get("round_id", "")
    report = AuditReport(round_id=round_id, arity=arity)
    if roots is not None:
        if roots.round_id != round_id or roots.arity != arity:
            raise VerificationError(
                "audit file is for another round or arity than the published roots"
            )
        if set(roots.assets) != {a[0] for a in assets}:
            raise VerificationError("audit file and published roots list different assets")
    own = executor is None
    pool = executor or ProcessPoolExecutor(max_workers=workers)
    try:
        for asset, decimals, leaf_count, depth, root_hash, root_commitment in assets:
            if not isinstance(leaf_count, int) or leaf_count < 1:
                raise VerificationError(f"asset {asset}: invalid leaf count")
            sizes = level_sizes(leaf_count, arity)
            if depth != len(sizes) - 1:
                raise VerificationError(f"asset {asset}: depth does not match the leaf count")
            counts = dict(
                conn.execute(
                    "SELECT level, count(*) FROM nodes WHERE asset = ? GROUP BY level", (asset,)
                ).fetchall()
            )
            if counts != dict(enumerate(sizes)):
                raise VerificationError(
                    f"asset {asset}: node counts per level do not match the leaf count"
                )
            (leaf_proofs,) = conn.execute(
                "SELECT count(*) FROM nodes WHERE asset = ? AND level = 0 AND proof IS NOT NULL",
                (asset,),
            ).fetchone()
            if leaf_proofs:
                raise VerificationError(f"asset {asset}: leaves must not carry proofs")
            top = conn.execute(
                "SELECT hash, commitment FROM nodes WHERE asset = ? AND level = ? AND idx = 0",
                (asset, depth),
            ).fetchone()
            if top is None or (bytes(top[0]), bytes(top[1])) != (
                bytes(root_hash),
                bytes(root_commitment),
            ):
                raise VerificationError(f"asset {asset}: root node differs from the assets table")
            if roots is not None:
                pub = roots.assets[asset]
                if (pub.root_hash, pub.root_commitment, pub.leaf_count, pub.decimals) != (
                    bytes(root_hash).hex(),
                    bytes(root_commitment).hex(),
                    leaf_count,
                    decimals,
                ):
                    raise VerificationError(f"asset {asset}: root differs from the published one")
            internal = sum(sizes[1:])
            pending: set[Future[int]] = set()
            nodes_done = 0
            for unit in _units(conn, round_id, asset, sizes, arity):
                if len(pending) >= 64:  # sliding window: keep the workers fed
                    completed, pending = wait(pending, return_when=FIRST_COMPLETED)
                    report.proofs += sum(f.result() for f in completed)
                pending.add(pool.submit(_check_unit, unit))
                nodes_done += len(unit[3])
                if progress:
                    progress(f"audit {asset}", min(internal, nodes_done), internal)
            for fut in pending:
                report.proofs += fut.result()
            report.nodes += sum(sizes)
            report.assets[asset] = {
                "leaf_count": leaf_count,
                "depth": depth,
                "internal_nodes": internal,
            }
            if progress:
                progress(f"audit {asset}", internal, internal)
    finally:
        conn.close()
        if own:
            pool.shutdown(cancel_futures=True)
    report.seconds = time.perf_counter() - started
    return report
