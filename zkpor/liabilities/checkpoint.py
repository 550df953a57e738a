"""Authenticating the resumable state of an unfinished run (``BUNDLE.partial``).

A killed run leaves the loaded leaves in the private store and the finished chunks in both
stores. Before a rerun trusts any of it, it recomputes two kinds of tags with the run's
checkpoint key K (:meth:`RoundKeys.checkpoint_key`, so nobody without the master secret
and the run nonce can forge one):

- per asset, ``HMAC-SHA256(K, "zkpor-leaves-v1" f(asset) || rows)`` over every loaded leaf
  row (position, leaf id, amount, CSV line, placement key) in position order, stored in the
  private store's meta when loading commits;
- per finished chunk, ``HMAC-SHA256(K, "zkpor-chunk-v1" f(asset) f(chunk) || nodes || leaves
  || root)`` over the chunk's audit rows (level, index, hash, commitment, proof, level by
  level in index order), its leaves' (blinding, salt) and its root opening, stored in the
  ``progress`` row that marks the chunk finished (one transaction with its audit rows).

``f(x) = u32be(len(x)) || x``; integers are decimal text, NULL is the empty string. A leaf
tag that differs refuses the resume (the amounts are no longer the CSV's); a chunk tag that
differs, or a missing row, makes the chunk be rebuilt. The tags cover rows, not files:
a file SQLite cannot read is handled by the prover (docs/spec.md, "Resuming a run").
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from collections.abc import Iterable

from .build import ChunkResult

__all__ = ["leaves_tag", "result_tag", "stored_chunk_tag"]

_Node = tuple[int, int, bytes, bytes, bytes | None]  # level, idx, hash, commitment, proof
_Leaf = tuple[int, str, bytes]  # leaf position, blinding (hex text), salt


def _f(data: bytes | str | int | None) -> bytes:
    if data is None:
        raw = b""
    elif isinstance(data, int):
        raw = str(data).encode()
    elif isinstance(data, str):
        raw = data.encode()
    else:
        raw = bytes(data)
    return len(raw).to_bytes(4, "big") + raw


def leaves_tag(key: bytes, priv: sqlite3.Connection, asset: str) -> str:
    """The tag of every loaded leaf row of ``asset`` (module doc)."""
    mac = hmac.new(key, b"zkpor-leaves-v1" + _f(asset), hashlib.sha256)
    rows = priv.execute(
        "SELECT leaf, user_id, units, line, placement FROM leaves WHERE asset = ? ORDER BY leaf",
        (asset,),
    )
    for row in rows:
        mac.update(b"".join(_f(x) for x in row))
    return mac.hexdigest()


def _chunk_tag(
    key: bytes,
    asset: str,
    chunk: int,
    nodes: Iterable[_Node],
    leaves: Iterable[_Leaf],
    root: tuple[str, str] | None,
) -> bytes:
    mac = hmac.new(key, b"zkpor-chunk-v1" + _f(asset) + _f(chunk), hashlib.sha256)
    for node in nodes:
        mac.update(b"N" + b"".join(_f(x) for x in node))
    for leaf in leaves:
        mac.update(b"L" + b"".join(_f(x) for x in leaf))
    mac.update(b"R" + (b"".join(_f(x) for x in root) if root else b"-"))
    return mac.digest()


def result_tag(key: bytes, res: ChunkResult, arity: int) -> bytes:
    """The tag of a chunk as :func:`zkpor.liabilities.prover` stores it."""
    h = res.height
    nodes: list[_Node] = []
    for level, level_nodes in enumerate(res.levels):
        base = res.chunk * arity ** (h - level)
        proofs = res.proofs[level]
        nodes.extend(
            (level, base + i, nh, nc, proofs[i] if proofs else None)
            for i, (nh, nc) in enumerate(level_nodes)
        )
    first = res.chunk * arity**h
    leaves = [(first + i, hex(b), s) for i, (b, s) in enumerate(res.openings)]
    value, blinding = res.root_opening
    return _chunk_tag(key, res.asset, res.chunk, nodes, leaves, (str(value), hex(blinding)))


def stored_chunk_tag(
    key: bytes,
    audit: sqlite3.Connection,
    priv: sqlite3.Connection,
    asset: str,
    chunk: int,
    arity: int,
    height: int,
) -> bytes:
    """The tag of chunk ``chunk`` of ``asset`` recomputed from the stores' rows."""
    nodes: list[_Node] = []
    for level in range(height + 1):
        span = arity ** (height - level)
        nodes.extend(
            (level, idx, bytes(nh), bytes(nc), None if proof is None else bytes(proof))
            for idx, nh, nc, proof in audit.execute(
                "SELECT idx, hash, commitment, proof FROM nodes "
                "WHERE asset = ? AND level = ? AND idx >= ? AND idx < ? ORDER BY idx",
                (asset, level, chunk * span, (chunk + 1) * span),
            )
        )
    span = arity**height
    leaves = [
        (leaf, blinding, bytes(salt) if salt is not None else b"")
        for leaf, blinding, salt in priv.execute(
            "SELECT leaf, blinding, salt FROM leaves WHERE asset = ? AND leaf >= ? AND leaf < ? "
            "ORDER BY leaf",
            (asset, chunk * span, (chunk + 1) * span),
        )
    ]
    root = priv.execute(
        "SELECT value, blinding FROM chunk_roots WHERE asset = ? AND chunk = ?", (asset, chunk)
    ).fetchone()
    return _chunk_tag(
        key, asset, chunk, nodes, leaves, (str(root[0]), str(root[1])) if root else None
    )
