"""audit.json: small audit files, valid and tampered, as portable rows (docs/spec.md 9.3-9.6).

A test does not ship an SQLite file: it lists the rows of ``meta``, ``assets`` and
``nodes``, each cell typed (``{"integer": 5}``, ``{"text": "x"}``, ``{"blob": "hex"}`` or
null for SQL NULL). A consumer creates an empty database with the group's ``sql`` (the
CREATE TABLE statements of 9.3), inserts the rows in order, and audits the file (9.5),
with the published ``roots`` when they are not null. A valid test gives the number of nodes
checked and range proofs verified. Rows as JSON rather than binary files: every
implementation can read them, diff them and see what a tampered case changed, and the same
rows also serve a verifier that checks the table contents without SQLite.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, Final

from tools.vectors.base import ROUND_B, VectorFile
from tools.vectors.schemaparts import NAT, OBJ, STR, GroupSpec, Schema, _arr, _nullable
from tools.vectors.sumtree import _trees
from zkpor.crypto.generators import GeneratorSet, generator_digest
from zkpor.protocol.sumtree import MarginTag
from zkpor.vectors.checkbase import Json
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.common import hexpt, seeded
from zkpor.vectors.format_checks import AUDIT_COLUMNS

AUDIT_SQL: list[str] = [
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE assets(asset TEXT PRIMARY KEY, decimals INTEGER NOT NULL, "
    "leaf_count INTEGER NOT NULL, depth INTEGER NOT NULL, root_hash BLOB NOT NULL, "
    "root_commitment BLOB NOT NULL)",
    "CREATE TABLE nodes(asset TEXT NOT NULL, level INTEGER NOT NULL, idx INTEGER NOT NULL, "
    "hash BLOB NOT NULL, commitment BLOB NOT NULL, proof BLOB, tag BLOB, "
    "PRIMARY KEY(asset, level, idx)) WITHOUT ROWID",
]


def _i(v: int) -> Json:
    return {"integer": v}


def _t(v: str) -> Json:
    return {"text": v}


def _b(v: bytes) -> Json:
    return {"blob": v.hex()}


def _node_rows(tree: Any) -> list[list[Json | None]]:
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


def generate(gens: GeneratorSet) -> Json:
    from tools.vectors.base import MASTER, RUN_NONCE
    from tools.vectors.sumtree import TREE_INPUTS
    from zkpor.vectors.tree import build_tree, roots_json

    f = VectorFile(
        "audit",
        "zkpor audit file (docs/spec.md 9.3-9.6), as rows",
        [
            "Group parameter 'sql': the CREATE TABLE statements of 9.3. Inputs 'tables' (meta,",
            "assets, nodes: rows of typed cells, inserted in order) and 'roots' (a roots.json",
            "object, or null for an audit without published roots). Outputs of a valid test:",
            "'nodes' (rows checked) and 'range_proofs' (proofs verified). The tree is",
            "sumtree.json's USDT tree (round 2026-12-31, arity 2, 5 leaves, depth 3).",
        ],
    )
    tree = _trees(gens.point_type.backend_name)["usdt"]
    meta = [
        [_t("format"), _t("zkpor-audit-v2")],
        [_t("round_id"), _t(ROUND_B)],
        [_t("arity"), _t("2")],
        [_t("range_bits"), _t("64")],
        [_t("generator_digest"), _t(generator_digest().hex())],
        [_t("curve"), _t("secp256k1")],
        [_t("hash"), _t("SHA-256")],
    ]
    assets = [
        [
            _t(tree.asset),
            _i(tree.decimals),
            _i(len(tree.leaf_ids)),
            _i(tree.depth),
            _b(tree.root.hash),
            _b(tree.root.commitment.to_bytes()),
        ]
    ]
    nodes = _node_rows(tree)
    base: dict[str, Any] = {"meta": meta, "assets": assets, "nodes": nodes}
    roots: Any = roots_json(ROUND_B, 2, [tree])
    proofs = sum(len(n.proofs) for row in tree.levels[1:] for n in row)
    g = f.group("AuditFileTest", sql=AUDIT_SQL)
    valid_out = {"nodes": len(nodes), "range_proofs": proofs}
    g.add("the USDT tree, with its published roots", ["Valid"], "valid",
          tables=base, roots=roots, **valid_out)  # fmt: skip
    g.add("the same without published roots", ["Valid"], "valid",
          tables=base, roots=None, **valid_out)  # fmt: skip

    def node(t: Any, level: int, idx: int) -> Any:
        return next(r for r in t["nodes"] if r[1]["integer"] == level and r[2]["integer"] == idx)

    def bad(
        comment: str, change: Callable[[Any, Any], object], flags: list[str] | None = None
    ) -> None:
        t, r = copy.deepcopy(base), copy.deepcopy(roots)
        change(t, r)
        g.add(comment, flags or ["TamperedAuditFile"], "invalid", tables=t, roots=r)

    pt = gens.point_type

    def plus_g(cell: Any) -> None:
        cell["blob"] = hexpt(pt.from_bytes(bytes.fromhex(cell["blob"])) + gens.G)

    def flip(cell: Any, pos: int) -> None:
        raw = bytearray(bytes.fromhex(cell["blob"]))
        raw[pos] ^= 1
        cell["blob"] = raw.hex()

    bad("a leaf commitment plus G", lambda t, r: plus_g(node(t, 0, 0)[4]))
    bad("a level-1 node hash changed", lambda t, r: flip(node(t, 1, 0)[3], 0))
    bad("a byte of a level-2 proof flipped", lambda t, r: flip(node(t, 2, 0)[5], 140))
    bad("a level-1 proof one byte short",
        lambda t, r: node(t, 1, 0)[5].__setitem__("blob", node(t, 1, 0)[5]["blob"][:-2]))  # fmt: skip
    bad("a level-1 proof stored as an INTEGER",
        lambda t, r: node(t, 1, 0).__setitem__(5, _i(7)))  # fmt: skip
    bad("a leaf with a proof", lambda t, r: node(t, 0, 1).__setitem__(5, node(t, 1, 0)[5]))
    bad("a level-1 node without its proof (NULL)",
        lambda t, r: node(t, 1, 1).__setitem__(5, None))  # fmt: skip
    bad("a leaf row missing", lambda t, r: t["nodes"].remove(node(t, 0, 4)))
    bad("an extra row at level 4", lambda t, r: t["nodes"].append(
        [_t("USDT"), _i(4), _i(0), *copy.deepcopy(node(t, 3, 0)[3:])]))  # fmt: skip
    bad("leaf indices with a gap (4 stored as 7)",
        lambda t, r: node(t, 0, 4).__setitem__(2, _i(7)))  # fmt: skip

    def swap(t: Any, r: Any) -> None:
        a, b = node(t, 1, 0), node(t, 1, 1)
        a[2], b[2] = _i(1), _i(0)

    bad("two level-1 nodes swapped", swap)

    def set_meta(key: str, value: Json | None) -> Callable[[Any, Any], None]:
        def change(t: Any, r: Any) -> None:
            row = next(m for m in t["meta"] if m[0]["text"] == key)
            if value is None:
                t["meta"].remove(row)
            else:
                row[1] = value

        return change

    bad("another generator digest", set_meta("generator_digest", _t("00" * 32)))
    bad("range_bits 32", set_meta("range_bits", _t("32")))
    bad("arity 3", set_meta("arity", _t("3")))
    bad("no format row", set_meta("format", None))
    bad("format 'zkpor-audit-v3'", set_meta("format", _t("zkpor-audit-v3")))
    bad("format 'zkpor-audit-v1' (before margin tags)", set_meta("format", _t("zkpor-audit-v1")),
        ["OldFormat"])  # fmt: skip
    bad("a leaf's tag NULL", lambda t, r: node(t, 0, 2).__setitem__(6, None), ["InvalidMarginTag"])
    bad("a leaf's tag of 7 bytes", lambda t, r: node(t, 0, 2).__setitem__(6, _b(bytes(7))),
        ["InvalidMarginTag"])  # fmt: skip
    bad("a leaf's tag not canonical (account 1, 0 inputs)",
        lambda t, r: node(t, 0, 2).__setitem__(6, _b(bytes.fromhex("0000000100000000"))),
        ["InvalidMarginTag"])  # fmt: skip
    bad("a tag on a level-1 node", lambda t, r: node(t, 1, 0).__setitem__(6, _b(bytes(8))),
        ["InvalidMarginTag"])  # fmt: skip
    bad("a leaf's tag changed to account 0 with 1 input (the level-1 hash no longer matches)",
        lambda t, r: node(t, 0, 2).__setitem__(6, _b(MarginTag(0, 1).to_bytes())))  # fmt: skip
    # the same tree built with that tag: every hash consistent, but no margin account uses it
    tagged = build_tree(
        master=MASTER,
        run_nonce=RUN_NONCE,
        round_id=ROUND_B,
        asset="USDT",
        decimals=tree.decimals,
        arity=2,
        granularity=5,
        customers=list(TREE_INPUTS["usdt"][5]),
        gens=gens,
        rng=seeded("tree/usdt-tagged"),
        tags={tree.leaf_ids[2]: MarginTag(0, 1)},
    )
    t_base = copy.deepcopy(base)
    t_base["nodes"] = _node_rows(tagged)
    t_base["assets"][0][4] = _b(tagged.root.hash)
    t_base["assets"][0][5] = _b(tagged.root.commitment.to_bytes())
    g.add(
        "a leaf tagged as an input of margin account 0, in a round without margin accounts",
        ["PledgedLeaf"],
        "invalid",
        tables=t_base,
        roots=roots_json(ROUND_B, 2, [tagged]),
    )
    bad("round id with a LF inside", set_meta("round_id", _t("2026-12\n31")), ["InvalidIdentifier"])
    bad("depth 4 in assets", lambda t, r: t["assets"][0].__setitem__(3, _i(4)))
    bad("decimals as TEXT 'six'", lambda t, r: t["assets"][0].__setitem__(1, _t("six")))
    bad("root hash in assets changed", lambda t, r: flip(t["assets"][0][4], 5))
    bad("published roots: another root hash",
        lambda t, r: r["assets"]["USDT"].__setitem__("root_hash", "11" * 32), ["WrongRoot"])  # fmt: skip
    bad("published roots: another round",
        lambda t, r: r.__setitem__("round_id", "2026-12-30"), ["WrongRoundOrArity"])  # fmt: skip
    bad("published roots: another leaf count",
        lambda t, r: r["assets"]["USDT"].__setitem__("leaf_count", 6), ["WrongRoot"])  # fmt: skip
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
            )
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
