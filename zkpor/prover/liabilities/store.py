"""The two SQLite stores of a bundle.

Public audit file ``audit.sqlite`` (everything an auditor needs, nothing secret)::

    meta(key TEXT PRIMARY KEY, value TEXT)            format, round_id, arity, range_bits, ...
    assets(asset TEXT PRIMARY KEY, decimals, leaf_count, depth, root_hash, root_commitment)
    nodes(asset, level, idx, hash BLOB, commitment BLOB, proof BLOB, tag BLOB)
                                                      PK (asset, level, idx)

``proof`` is the concatenation of the node's child range proofs (NULL at level 0); ``tag``
the leaf's 8-byte margin tag (:class:`zkpor.protocol.sumtree.MarginTag`) at level 0, NULL above. While a
run is unfinished, ``progress(asset, chunk, tag)`` lists its finished chunks with their
checkpoint tags (:mod:`.checkpoint`); the table is dropped before the bundle is published.

Private store ``private/private.sqlite`` (mode 0600, in a 0700 directory; only the exchange)::

    meta(key, value)         input_digest, fingerprint, run_nonce, leaves_tag:ASSET, ...
    leaves(asset, leaf, user_id, units, line, placement, blinding, salt, tag)
    chunk_roots(asset, chunk, value, blinding)
    root_openings(asset, value, blinding)

Padding leaves are rows of ``leaves`` whose user id starts with a NUL byte.

Spec: docs/spec/liabilities-tree.md (section 7) and bundle-and-audit.md (section 9).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from zkpor.formats.auditfile import AUDIT_FORMAT, PROGRESS_TABLE_SQL, TREE_TABLES_SQL

__all__ = ["AUDIT_FORMAT", "open_audit", "open_private", "private_path"]

_AUDIT_SCHEMA = TREE_TABLES_SQL + PROGRESS_TABLE_SQL

_PRIVATE_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS leaves(
    asset TEXT NOT NULL, leaf INTEGER, user_id TEXT NOT NULL, units TEXT NOT NULL,
    line INTEGER, placement BLOB NOT NULL, blinding TEXT, salt BLOB,
    tag BLOB NOT NULL DEFAULT x'0000000000000000');
CREATE TABLE IF NOT EXISTS chunk_roots(asset TEXT NOT NULL, chunk INTEGER NOT NULL,
    value TEXT NOT NULL, blinding TEXT NOT NULL, PRIMARY KEY(asset, chunk));
CREATE TABLE IF NOT EXISTS root_openings(asset TEXT PRIMARY KEY, value TEXT NOT NULL,
    blinding TEXT NOT NULL);
"""


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def open_audit(path: Path, *, create: bool = False) -> sqlite3.Connection:
    """Open (or create) an audit file."""
    if not create and not path.exists():
        raise FileNotFoundError(path)
    conn = _connect(path)
    if create:
        conn.executescript(_AUDIT_SCHEMA)
    return conn


def private_path(bundle: Path) -> Path:
    return bundle / "private" / "private.sqlite"


def open_private(path: Path, *, create: bool = False) -> sqlite3.Connection:
    """Open (or create, with mode 0600 in a 0700 directory) the private store."""
    if create:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
    elif not path.exists():
        raise FileNotFoundError(path)
    conn = _connect(path)
    if create:
        conn.executescript(_PRIVATE_SCHEMA)
    return conn


def get_meta(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())


def set_meta(conn: sqlite3.Connection, items: dict[str, str]) -> None:
    conn.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", list(items.items()))
