"""The shape of a table in a hostile SQLite file, checked before any row is read.

Spec: docs/spec/bundle-and-audit.md (9.5).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from zkpor.errors import InputError

__all__ = ["plain_table"]


def plain_table(conn: sqlite3.Connection, name: str, columns: Iterable[str], source: str) -> bool:
    """Whether table ``name`` exists; InputError unless it is an ordinary table (not a view,
    a virtual table or one with generated columns, whose values the file would compute)
    with every one of ``columns``."""
    row = conn.execute(
        "SELECT type, typeof(sql) = 'text' AND upper(substr(ltrim(sql), 1, 12)) = "
        "'CREATE TABLE' FROM sqlite_master WHERE lower(name) = ?",
        (name,),
    ).fetchone()
    if row is None:
        return False
    if row[0] != "table" or not row[1]:
        raise InputError(f"not a zkpor audit file ({name} is not a plain table)", source=source)
    have = {
        str(n).lower(): hidden
        for n, hidden in conn.execute("SELECT name, hidden FROM pragma_table_xinfo(?)", (name,))
    }
    for col in columns:
        if have.get(col) != 0:
            raise InputError(
                f"not a zkpor audit file (table {name} has no column {col})", source=source
            )
    return True
