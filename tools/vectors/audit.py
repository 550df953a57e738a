"""audit.json: small audit files, valid and tampered, as portable rows (docs/spec/ sections
9.3-9.6, bundle-and-audit.md).

A test does not ship an SQLite file: it lists the rows of ``meta``, ``assets`` and
``nodes``, each cell typed (``{"integer": 5}``, ``{"text": "x"}``, ``{"blob": "hex"}`` or
null for SQL NULL). A consumer creates an empty database with the group's ``sql`` (the
CREATE TABLE statements of 9.3), inserts the rows in order, and audits the file (9.5),
with the published ``roots`` when they are not null. A valid test gives the number of nodes
checked and range proofs verified. Rows as JSON rather than binary files: every
implementation can read them, diff them and see what a tampered case changed, and the same
rows also serve a verifier that checks the table contents without SQLite.

The invalid tests are a table, :data:`TAMPERINGS`: each a change of the valid file's rows
(or of its published roots), made by a short named function.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

from tools.vectors.base import MASTER, ROUND_B, RUN_NONCE, VectorFile
from tools.vectors.schemaparts import NAT, OBJ, STR, GroupSpec, Schema, _arr, _nullable
from tools.vectors.sumtree import TREE_INPUTS, seeded_trees
from zkpor.crypto.generators import GeneratorSet, generator_digest
from zkpor.protocol.sumtree import MarginTag
from zkpor.vectors.audit_checks import AUDIT_COLUMNS, MARGIN_AUDIT_COLUMNS
from zkpor.vectors.checkbase import Json
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.common import hexpt, seeded
from zkpor.vectors.tree import Tree, build_tree, roots_json

AUDIT_SQL: list[str] = [
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE assets(asset TEXT PRIMARY KEY, decimals INTEGER NOT NULL, "
    "leaf_count INTEGER NOT NULL, depth INTEGER NOT NULL, root_hash BLOB NOT NULL, "
    "root_commitment BLOB NOT NULL)",
    "CREATE TABLE nodes(asset TEXT NOT NULL, level INTEGER NOT NULL, idx INTEGER NOT NULL, "
    "hash BLOB NOT NULL, commitment BLOB NOT NULL, proof BLOB, tag BLOB, "
    "PRIMARY KEY(asset, level, idx)) WITHOUT ROWID",
]

HEADER: Final[list[str]] = [
    "Group parameter 'sql': the CREATE TABLE statements of 9.3. Inputs 'tables' (meta,",
    "assets, nodes: rows of typed cells, inserted in order) and 'roots' (a roots.json",
    "object, or null for an audit without published roots). Outputs of a valid test:",
    "'nodes' (rows checked) and 'range_proofs' (proofs verified). The tree is",
    "sumtree.json's USDT tree (round 2026-12-31, arity 2, 5 leaves, depth 3).",
]

# the columns of a nodes row (9.3), and of the assets row
IDX, HASH, COMMITMENT, PROOF, TAG = 2, 3, 4, 5, 6
DECIMALS, DEPTH, ROOT_HASH, ROOT_COMMITMENT = 1, 3, 4, 5


def _i(v: int) -> Json:
    return {"integer": v}


def _t(v: str) -> Json:
    return {"text": v}


def _b(v: bytes) -> Json:
    return {"blob": v.hex()}


def _node_rows(tree: Tree) -> list[list[Json | None]]:
    """The audit file's ``nodes`` rows of one tree (9.3): leaves with their margin tags."""
    rows: list[list[Json | None]] = []
    for level, row in enumerate(tree.levels):
        for idx, tnode in enumerate(row):
            rows.append(
                [
                    _t(tree.asset),
                    _i(level),
                    _i(idx),
                    _b(tnode.hash),
                    _b(tnode.commitment.to_bytes()),
                    _b(b"".join(tnode.proofs)) if level else None,
                    None if level else _b(tnode.tag),
                ]
            )
    return rows


def _meta_rows() -> list[list[Json]]:
    return [
        [_t("format"), _t("zkpor-audit-v2")],
        [_t("round_id"), _t(ROUND_B)],
        [_t("arity"), _t("2")],
        [_t("range_bits"), _t("64")],
        [_t("generator_digest"), _t(generator_digest().hex())],
        [_t("curve"), _t("secp256k1")],
        [_t("hash"), _t("SHA-256")],
    ]


def _asset_row(tree: Tree) -> list[Json]:
    return [
        _t(tree.asset),
        _i(tree.decimals),
        _i(len(tree.leaf_ids)),
        _i(tree.depth),
        _b(tree.root.hash),
        _b(tree.root.commitment.to_bytes()),
    ]


@dataclass
class AuditInputs:
    """One test's inputs: the tables' rows and the published roots (changed in place by a
    tampering), with the tree and generators they were made from."""

    tables: Any
    roots: Any
    tree: Tree
    gens: GeneratorSet


Change = Callable[[AuditInputs], None]


def _node(tables: Any, level: int, idx: int) -> Any:
    return next(r for r in tables["nodes"] if r[1]["integer"] == level and r[2]["integer"] == idx)


def _flip(cell: Any, pos: int) -> None:
    raw = bytearray(bytes.fromhex(cell["blob"]))
    raw[pos] ^= 1
    cell["blob"] = raw.hex()


def _set_node(level: int, idx: int, column: int, value: Json | None) -> Change:
    def change(a: AuditInputs) -> None:
        _node(a.tables, level, idx)[column] = value

    return change


def _flip_node(level: int, idx: int, column: int, pos: int) -> Change:
    return lambda a: _flip(_node(a.tables, level, idx)[column], pos)


def _set_asset(column: int, value: Json) -> Change:
    def change(a: AuditInputs) -> None:
        a.tables["assets"][0][column] = value

    return change


def _set_meta(key: str, value: Json | None) -> Change:
    """The meta row ``key`` set to ``value``, or removed (None)."""

    def change(a: AuditInputs) -> None:
        row = next(m for m in a.tables["meta"] if m[0]["text"] == key)
        if value is None:
            a.tables["meta"].remove(row)
        else:
            row[1] = value

    return change


def _set_root(key: str, value: object) -> Change:
    """A field of the published roots' USDT entry."""
    return lambda a: a.roots["assets"]["USDT"].__setitem__(key, value)


def _leaf_commitment_plus_g(a: AuditInputs) -> None:
    cell = _node(a.tables, 0, 0)[COMMITMENT]
    point = a.gens.point_type.from_bytes(bytes.fromhex(cell["blob"]))
    cell["blob"] = hexpt(point + a.gens.G)


def _proof_one_byte_short(a: AuditInputs) -> None:
    cell = _node(a.tables, 1, 0)[PROOF]
    cell["blob"] = cell["blob"][:-2]


def _leaf_with_a_proof(a: AuditInputs) -> None:
    _node(a.tables, 0, 1)[PROOF] = _node(a.tables, 1, 0)[PROOF]


def _remove_leaf(a: AuditInputs) -> None:
    a.tables["nodes"].remove(_node(a.tables, 0, 4))


def _extra_row(a: AuditInputs) -> None:
    """A copy of the root's cells stored as node 0 of level 4."""
    root_cells = copy.deepcopy(_node(a.tables, 3, 0)[HASH:])
    a.tables["nodes"].append([_t("USDT"), _i(4), _i(0), *root_cells])


def _swap_level_one(a: AuditInputs) -> None:
    first, second = _node(a.tables, 1, 0), _node(a.tables, 1, 1)
    first[IDX], second[IDX] = _i(1), _i(0)


def _pledge_leaf(a: AuditInputs) -> None:
    """The same tree built with leaf 2 tagged as an input of margin account 0: every hash
    consistent, but no margin account uses it."""
    inputs = TREE_INPUTS["usdt"]
    tagged = build_tree(
        master=MASTER,
        run_nonce=RUN_NONCE,
        round_id=ROUND_B,
        asset="USDT",
        decimals=a.tree.decimals,
        arity=inputs.arity,
        granularity=inputs.granularity,
        customers=list(inputs.customers),
        gens=a.gens,
        rng=seeded("tree/usdt-tagged"),
        tags={a.tree.leaf_ids[2]: MarginTag(0, 1)},
    )
    a.tables["nodes"] = _node_rows(tagged)
    a.tables["assets"][0][ROOT_HASH] = _b(tagged.root.hash)
    a.tables["assets"][0][ROOT_COMMITMENT] = _b(tagged.root.commitment.to_bytes())
    a.roots = roots_json(ROUND_B, inputs.arity, [tagged])


class Tampering(NamedTuple):
    """An invalid test: the valid file (with its published roots) after ``change``."""

    comment: str
    change: Change
    flags: tuple[str, ...] = ("TamperedAuditFile",)


_TAG = ("InvalidMarginTag",)

TAMPERINGS: Final[tuple[Tampering, ...]] = (
    Tampering("a leaf commitment plus G", _leaf_commitment_plus_g),
    Tampering("a level-1 node hash changed", _flip_node(1, 0, HASH, 0)),
    Tampering("a byte of a level-2 proof flipped", _flip_node(2, 0, PROOF, 140)),
    Tampering("a level-1 proof one byte short", _proof_one_byte_short),
    Tampering("a level-1 proof stored as an INTEGER", _set_node(1, 0, PROOF, _i(7))),
    Tampering("a leaf with a proof", _leaf_with_a_proof),
    Tampering("a level-1 node without its proof (NULL)", _set_node(1, 1, PROOF, None)),
    Tampering("a leaf row missing", _remove_leaf),
    Tampering("an extra row at level 4", _extra_row),
    Tampering("leaf indices with a gap (4 stored as 7)", _set_node(0, 4, IDX, _i(7))),
    Tampering("two level-1 nodes swapped", _swap_level_one),
    Tampering("another generator digest", _set_meta("generator_digest", _t("00" * 32))),
    Tampering("range_bits 32", _set_meta("range_bits", _t("32"))),
    Tampering("arity 3", _set_meta("arity", _t("3"))),
    Tampering("no format row", _set_meta("format", None)),
    Tampering("format 'zkpor-audit-v3'", _set_meta("format", _t("zkpor-audit-v3"))),
    Tampering(
        "format 'zkpor-audit-v1' (before margin tags)",
        _set_meta("format", _t("zkpor-audit-v1")),
        ("OldFormat",),
    ),
    Tampering("a leaf's tag NULL", _set_node(0, 2, TAG, None), _TAG),
    Tampering("a leaf's tag of 7 bytes", _set_node(0, 2, TAG, _b(bytes(7))), _TAG),
    Tampering(
        "a leaf's tag not canonical (account 1, 0 inputs)",
        _set_node(0, 2, TAG, _b(bytes.fromhex("0000000100000000"))),
        _TAG,
    ),
    Tampering("a tag on a level-1 node", _set_node(1, 0, TAG, _b(bytes(8))), _TAG),
    Tampering(
        "a leaf's tag changed to account 0 with 1 input (the level-1 hash no longer matches)",
        _set_node(0, 2, TAG, _b(MarginTag(0, 1).to_bytes())),
    ),
    Tampering(
        "a leaf tagged as an input of margin account 0, in a round without margin accounts",
        _pledge_leaf,
        ("PledgedLeaf",),
    ),
    Tampering(
        "round id with a LF inside",
        _set_meta("round_id", _t("2026-12\n31")),
        ("InvalidIdentifier",),
    ),
    Tampering("depth 4 in assets", _set_asset(DEPTH, _i(4))),
    Tampering("decimals as TEXT 'six'", _set_asset(DECIMALS, _t("six"))),
    Tampering("root hash in assets changed", lambda a: _flip(a.tables["assets"][0][ROOT_HASH], 5)),
    Tampering(
        "published roots: another root hash", _set_root("root_hash", "11" * 32), ("WrongRoot",)
    ),
    Tampering(
        "published roots: another round",
        lambda a: a.roots.__setitem__("round_id", "2026-12-30"),
        ("WrongRoundOrArity",),
    ),
    Tampering("published roots: another leaf count", _set_root("leaf_count", 6), ("WrongRoot",)),
)


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile("audit", "zkpor audit file (docs/spec.md 9.3-9.6), as rows", HEADER)
    tree = seeded_trees(gens.point_type.backend_name)["usdt"]
    nodes = _node_rows(tree)
    tables: dict[str, Any] = {"meta": _meta_rows(), "assets": [_asset_row(tree)], "nodes": nodes}
    roots: Any = roots_json(ROUND_B, TREE_INPUTS["usdt"].arity, [tree])
    proofs = sum(len(n.proofs) for row in tree.levels[1:] for n in row)
    g = f.group("AuditFileTest", sql=AUDIT_SQL)
    checked = {"nodes": len(nodes), "range_proofs": proofs}
    g.add(
        "the USDT tree, with its published roots",
        ["Valid"],
        "valid",
        tables=tables,
        roots=roots,
        **checked,
    )
    g.add(
        "the same without published roots", ["Valid"], "valid", tables=tables, roots=None, **checked
    )
    shuffled = {
        "meta": tables["meta"][::-1],
        "assets": tables["assets"],
        "nodes": nodes[::-1],
    }
    g.add(
        "the same rows inserted in reverse order (leaves last; a verifier reads them by idx, "
        "9.5); nodes counts every row, leaves included, range_proofs one per chunk proof",
        ["Valid", "RowOrder"],
        "valid",
        tables=shuffled,
        roots=roots,
        **checked,
    )
    for t in TAMPERINGS:
        a = AuditInputs(copy.deepcopy(tables), copy.deepcopy(roots), tree, gens)
        t.change(a)
        g.add(t.comment, list(t.flags), "invalid", tables=a.tables, roots=a.roots)
    from tools.vectors.audit_margin import margin_group  # it imports this module's row helpers

    margin_group(f, gens)
    return f.to_json()


_CELL = _nullable(OBJ)

SPECS: dict[str, tuple[str, dict[str, GroupSpec]]] = {
    "audit": (
        "audit file vectors",
        {
            "AuditFileTest": (
                {"sql": _arr(STR)},
                {
                    "tables": {
                        "type": "object",
                        "properties": {k: _arr(_arr(_CELL)) for k in AUDIT_COLUMNS},
                        "required": sorted(AUDIT_COLUMNS),
                        "additionalProperties": False,
                    },
                    "roots": _nullable(OBJ),
                },
                {"nodes": NAT, "range_proofs": NAT},
            ),
            "MarginAuditFileTest": (
                {"sql": _arr(STR)},
                {
                    "tables": {
                        "type": "object",
                        "properties": {
                            k: _nullable(_arr(_arr(_CELL))) for k in MARGIN_AUDIT_COLUMNS
                        },
                        "required": sorted(MARGIN_AUDIT_COLUMNS),
                        "additionalProperties": False,
                    },
                    "roots": OBJ,
                },
                {"nodes": NAT, "range_proofs": NAT, "margin_accounts": NAT},
            ),
        },
    )
}

NAME: Final = "audit"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of audit.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
