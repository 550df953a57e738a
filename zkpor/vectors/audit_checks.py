"""Checking audit.json's MarginAuditFileTest: a margin round's audit file rebuilt from typed
rows (the tree tables of 9.3 and the margin tables of docs/spec/margin.md 16.4), then
audited with its published roots (9.5, then 16.7).

A table whose rows are null does not exist: it is dropped after the group's ``sql`` made it.

See docs/vectors.md.
"""

from __future__ import annotations

import sqlite3
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Final

from zkpor.vectors.checkbase import CheckContext, Json, MalformedTest, _get, _list, _obj
from zkpor.vectors.format_checks import AUDIT_COLUMNS, _cell

__all__ = ["MARGIN_AUDIT_COLUMNS", "check_margin_audit"]

#: The tables of a margin round's audit file and their widths.
MARGIN_AUDIT_COLUMNS: Final[dict[str, int]] = {
    **AUDIT_COLUMNS,
    "margin_accounts": 2,
    "margin_inputs": 4,
}


def _fill(conn: sqlite3.Connection, sql: list[object], tables: Json) -> None:
    """Run ``sql``, insert every table's rows in order, drop the tables given as null."""
    for statement in sql:
        conn.execute(str(statement))
    for name, width in MARGIN_AUDIT_COLUMNS.items():
        rows = _get(tables, name)
        if rows is None:
            conn.execute(f"DROP TABLE {name}")
            continue
        for row in _list(tables, name):
            if not isinstance(row, list) or len(row) != width:
                raise MalformedTest(f"a {name} row has {width} cells")
            marks = ", ".join("?" * width)
            conn.execute(f"INSERT INTO {name} VALUES ({marks})", [_cell(c) for c in row])
    conn.commit()


def check_margin_audit(group: Json, test: Json, ctx: CheckContext) -> Json:
    """The audit of the file the rows make, with the roots: nodes and range proofs checked,
    collateral proofs verified."""
    from zkpor.formats.models import Roots
    from zkpor.verify.trees import audit_bundle

    tables = _obj(_get(test, "tables"), "tables")
    raw_roots = _get(test, "roots")
    roots = None if raw_roots is None else Roots.model_validate(raw_roots)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "audit.sqlite"
        conn = sqlite3.connect(path)
        try:
            _fill(conn, _list(group, "sql"), tables)
        finally:
            conn.close()
        with ThreadPoolExecutor(max_workers=1) as pool:
            report = audit_bundle(path, roots=roots, executor=pool)
    return {
        "nodes": report.nodes,
        "range_proofs": report.proofs,
        "margin_accounts": report.margin_accounts,
    }
