"""Checking audit.json: audit files rebuilt from typed rows, then audited (docs/spec/
bundle-and-audit.md 9.3-9.5; a margin round's tables and rules, docs/spec/margin.md 16.4,
16.7).

``AuditFileTest`` gives the tree tables (meta, assets, nodes); ``MarginAuditFileTest`` adds
margin_accounts and margin_inputs, and there a table whose rows are null does not exist: it
is dropped after the group's ``sql`` made it.

See docs/vectors.md.
"""

from __future__ import annotations

import sqlite3
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Final

from zkpor.vectors.checkbase import CheckContext, Json, MalformedTest, _get, _list, _obj

if TYPE_CHECKING:
    from zkpor.verify.trees import TreeReport

__all__ = ["AUDIT_COLUMNS", "MARGIN_AUDIT_COLUMNS", "check_audit", "check_margin_audit"]

#: The tables of an audit file and their widths (9.3).
AUDIT_COLUMNS: Final[dict[str, int]] = {"meta": 2, "assets": 6, "nodes": 7}

#: The tables of a margin round's audit file and their widths.
MARGIN_AUDIT_COLUMNS: Final[dict[str, int]] = {
    **AUDIT_COLUMNS,
    "margin_accounts": 2,
    "margin_inputs": 4,
}


def _cell(raw: object) -> object:
    if raw is None:
        return None
    cell = _obj(raw, "cell")
    if len(cell) != 1:
        raise MalformedTest("a cell has exactly one of integer, text, blob")
    ((kind, value),) = cell.items()
    if kind == "integer" and isinstance(value, int):
        return value
    if kind == "text" and isinstance(value, str):
        return value
    if kind == "blob" and isinstance(value, str):
        return bytes.fromhex(value)
    raise MalformedTest(f"bad cell {raw!r}")


def _fill(
    conn: sqlite3.Connection,
    sql: list[object],
    tables: Json,
    columns: dict[str, int],
    *,
    droppable: bool,
) -> None:
    """Run ``sql``, insert every table's rows in order; with ``droppable``, drop the tables
    given as null."""
    for statement in sql:
        conn.execute(str(statement))
    for name, width in columns.items():
        if droppable and _get(tables, name) is None:
            conn.execute(f"DROP TABLE {name}")
            continue
        for row in _list(tables, name):
            if not isinstance(row, list) or len(row) != width:
                raise MalformedTest(f"a {name} row has {width} cells")
            marks = ", ".join("?" * width)
            conn.execute(f"INSERT INTO {name} VALUES ({marks})", [_cell(c) for c in row])
    conn.commit()


def _audit_rows(group: Json, test: Json, columns: dict[str, int], *, droppable: bool) -> TreeReport:
    """The audit (with the test's roots, when not null) of the file the rows make."""
    from zkpor.formats.models import Roots
    from zkpor.verify.trees import audit_bundle

    tables = _obj(_get(test, "tables"), "tables")
    raw_roots = _get(test, "roots")
    roots = None if raw_roots is None else Roots.model_validate(raw_roots)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "audit.sqlite"
        conn = sqlite3.connect(path)
        try:
            _fill(conn, _list(group, "sql"), tables, columns, droppable=droppable)
        finally:
            conn.close()
        with ThreadPoolExecutor(max_workers=1) as pool:
            return audit_bundle(path, roots=roots, executor=pool)


def check_audit(group: Json, test: Json, ctx: CheckContext) -> Json:
    """AuditFileTest: nodes checked and range proofs verified."""
    report = _audit_rows(group, test, AUDIT_COLUMNS, droppable=False)
    return {"nodes": report.nodes, "range_proofs": report.proofs}


def check_margin_audit(group: Json, test: Json, ctx: CheckContext) -> Json:
    """MarginAuditFileTest: nodes and range proofs checked, collateral proofs verified."""
    report = _audit_rows(group, test, MARGIN_AUDIT_COLUMNS, droppable=True)
    return {
        "nodes": report.nodes,
        "range_proofs": report.proofs,
        "margin_accounts": report.margin_accounts,
    }
