"""The public audit file ``audit.sqlite``: its format name, tables and columns, in one place.

Used by the prover (:mod:`zkpor.prover.liabilities.store`, which creates the file, and
:mod:`zkpor.prover.liabilities.margin`), the auditor (:mod:`zkpor.verify.trees`,
:mod:`zkpor.verify.margin`) and :mod:`zkpor.prover.publish` (which checks a folder before it
is published). docs/spec/bundle-and-audit.md 9.3 (trees), 16.4 (margin tables).

Every integer is an SQLite INTEGER, every hash or commitment a BLOB of 32 or 33 bytes, a
node's ``proof`` the concatenation of its child range proofs (NULL at level 0), a leaf's
``tag`` its 8-byte margin tag (NULL above level 0), ``meta`` values TEXT.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "AUDIT_FORMAT",
    "AUDIT_TABLES",
    "MARGIN_COLUMNS",
    "MARGIN_TABLES_SQL",
    "OLD_AUDIT_FORMATS",
    "PROGRESS_TABLE_SQL",
    "TREE_COLUMNS",
    "TREE_TABLES_SQL",
]

AUDIT_FORMAT: Final[str] = "zkpor-audit-v2"
#: Formats of earlier releases, recognised by name but no longer read.
OLD_AUDIT_FORMATS: Final[dict[str, str]] = {
    "zkpor-audit-v1": "it is from before leaf margin tags (audit-v2); the trees cannot be "
    "checked for pledged leaves: ask the exchange to prove the round again with a current zkpor",
}

TREE_TABLES_SQL: Final[str] = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS assets(
    asset TEXT PRIMARY KEY, decimals INTEGER NOT NULL, leaf_count INTEGER NOT NULL,
    depth INTEGER NOT NULL, root_hash BLOB NOT NULL, root_commitment BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS nodes(
    asset TEXT NOT NULL, level INTEGER NOT NULL, idx INTEGER NOT NULL,
    hash BLOB NOT NULL, commitment BLOB NOT NULL, proof BLOB, tag BLOB,
    PRIMARY KEY(asset, level, idx)) WITHOUT ROWID;
"""

#: Present only while a run is unfinished (docs/spec/bundle-and-audit.md 9.4); dropped before publishing.
PROGRESS_TABLE_SQL: Final[str] = """
CREATE TABLE IF NOT EXISTS progress(asset TEXT NOT NULL, chunk INTEGER NOT NULL,
    tag BLOB NOT NULL, PRIMARY KEY(asset, chunk));
"""

#: Present only in rounds with debts (docs/spec/margin.md 16.4).
MARGIN_TABLES_SQL: Final[str] = """
CREATE TABLE IF NOT EXISTS margin_accounts(account INTEGER PRIMARY KEY, proof BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS margin_inputs(account INTEGER NOT NULL, position INTEGER NOT NULL,
    tree TEXT NOT NULL, leaf INTEGER NOT NULL, PRIMARY KEY(account, position)) WITHOUT ROWID;
"""

#: The columns each verifier reads, per table.
TREE_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "meta": ("key", "value"),
    "assets": ("asset", "decimals", "leaf_count", "depth", "root_hash", "root_commitment"),
    "nodes": ("asset", "level", "idx", "hash", "commitment", "proof", "tag"),
}
MARGIN_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "margin_accounts": ("account", "proof"),
    "margin_inputs": ("account", "position", "tree", "leaf"),
}
#: Every table a published audit file may hold.
AUDIT_TABLES: Final[frozenset[str]] = frozenset({*TREE_COLUMNS, *MARGIN_COLUMNS})
