"""audit.json's MarginAuditFileTest group: a margin round's audit file as rows (docs/spec/margin.md
16.7, with 9.3-9.6 of docs/spec/bundle-and-audit.md).

The round (``audit-margin-2026-12``, arity 4, margin.json's terms for BTC and USDT):

- BTC: alice 1.5, bob 0.2, carol 0.03 (and one padding leaf);
- USDT: alice 2,000, carol 7 (two padding leaves);
- USDT/debt: alice 50,000, bob 5,000 (two padding leaves).

Margin accounts, numbered as listed (the prover's order is a secret permutation; any order
is valid): 0 the dummy account of the debt tree's first padding leaf, 1 alice (BTC, USDT,
USDT/debt), 2 bob (BTC, USDT/debt), 3 the dummy of the second padding leaf. Every input leaf
carries its account's tag (account, number of inputs), which the trees bind.

The invalid tests (:data:`CASES`) each change the round before its tables are written: an
account's inputs, its proof (re-made with the leaves' openings wherever the rule under test
should fail alone), a leaf's tag (the trees and roots rebuilt with it), or a table dropped.

Seeds: ``audit-margin/tree/TREE`` (the trees) and ``audit-margin/ACCOUNT/prover``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Final, NamedTuple

from tools.vectors.audit import _asset_row, _b, _i, _node_rows, _t
from tools.vectors.base import MASTER, RUN_NONCE, VectorFile
from tools.vectors.margin import TERMS
from tools.vectors.margin_cases import leaf_collateral_proof
from zkpor.crypto.generators import GeneratorSet, generator_digest
from zkpor.formats.auditfile import MARGIN_TABLES_SQL, TREE_TABLES_SQL
from zkpor.protocol.margin import collateral_hundredths, debt_hundredths
from zkpor.protocol.sumtree import DEBT_SUFFIX, MarginTag
from zkpor.prover.liabilities.keys import pad_leaf_id
from zkpor.vectors.checkbase import Json
from zkpor.vectors.circuit_checks import terms_from_json
from zkpor.vectors.common import seeded
from zkpor.vectors.tree import Tree, build_tree, roots_json

ROUND: Final[str] = "audit-margin-2026-12"
ARITY: Final[int] = 4

# the statements of the code's schema (zkpor.formats.auditfile), one per table
MARGIN_AUDIT_SQL: Final[list[str]] = [
    " ".join(s.split()) for s in (TREE_TABLES_SQL + MARGIN_TABLES_SQL).split(";") if s.strip()
]

# tree -> (decimals, [(customer, units)])
HOLDINGS: Final[dict[str, tuple[int, list[tuple[str, int]]]]] = {
    "BTC": (8, [("alice", 150_000_000), ("bob", 20_000_000), ("carol", 3_000_000)]),
    "USDT": (6, [("alice", 2_000_000_000), ("carol", 7_000_000)]),
    "USDT/debt": (6, [("alice", 50_000_000_000), ("bob", 5_000_000_000)]),
}

HEADER: Final[list[str]] = [
    "Group MarginAuditFileTest: a margin round (16.7). Parameter 'sql': the CREATE TABLE",
    "statements of the code's schema, margin_accounts and margin_inputs included. Inputs",
    "'tables' (every table's rows, or null: the table does not exist, DROP it after 'sql')",
    "and 'roots' (with the margin terms). Outputs of the valid test: 'nodes', 'range_proofs'",
    "and 'margin_accounts' (collateral proofs verified). Round audit-margin-2026-12, arity 4:",
    "BTC, USDT and USDT/debt trees of 4 leaves; accounts 0 and 3 the dummies of the debt",
    "tree's padding leaves, 1 alice (BTC, USDT, USDT/debt), 2 bob (BTC, USDT/debt).",
]


@dataclass(frozen=True)
class Account:
    """A margin account: its name (a customer, or ``dummy0``/``dummy1``), its inputs
    ((tree, owner of the leaf) in stored order) and the owners whose leaves its proof is
    made over, in circuit order (default: the inputs)."""

    name: str
    inputs: tuple[tuple[str, str], ...]
    proved_over: tuple[tuple[str, str], ...] | None = None


def _dummy(j: int) -> Account:
    return Account(f"dummy{j}", (("USDT/debt", pad_leaf_id(j)),))


ACCOUNTS: Final[tuple[Account, ...]] = (
    _dummy(0),
    Account("alice", (("BTC", "alice"), ("USDT", "alice"), ("USDT/debt", "alice"))),
    Account("bob", (("BTC", "bob"), ("USDT/debt", "bob"))),
    _dummy(1),
)


@dataclass
class Round:
    """A round's accounts and tag overrides ((tree, owner) -> tag), then the rows and roots
    it makes, which a case may change further."""

    accounts: list[Account]
    retag: dict[tuple[str, str], MarginTag] = field(default_factory=dict)
    tables: Any = None
    roots: Any = None
    range_proofs: int = 0


def _tags(r: Round) -> dict[str, dict[str, MarginTag]]:
    """Each account's tag on every leaf it uses (the first account wins a shared leaf),
    then the overrides."""
    tags: dict[str, dict[str, MarginTag]] = {tree: {} for tree in HOLDINGS}
    for number, acc in enumerate(r.accounts):
        for tree, owner in acc.inputs:
            tags[tree].setdefault(owner, MarginTag(number, len(acc.inputs)))
    for (tree, owner), tag in r.retag.items():
        tags[tree][owner] = tag
    return tags


def _trees(gens: GeneratorSet, tags: dict[str, dict[str, MarginTag]]) -> dict[str, Tree]:
    return {
        name: build_tree(
            master=MASTER,
            run_nonce=RUN_NONCE,
            round_id=ROUND,
            asset=name,
            decimals=decimals,
            arity=ARITY,
            granularity=ARITY,
            customers=customers,
            gens=gens,
            rng=seeded(f"audit-margin/tree/{name}"),
            tags=tags[name],
        )
        for name, (decimals, customers) in HOLDINGS.items()
    }


def _roots(trees: dict[str, Tree]) -> Json:
    """roots.json of the round: the equity roots with margin.json's terms, USDT's debt root."""
    roots: Json = roots_json(ROUND, ARITY, [trees["BTC"], trees["USDT"]])
    assets: Any = roots["assets"]
    roots["quote"] = TERMS["quote"]
    for sym in ("BTC", "USDT"):
        terms = TERMS["assets"][sym]
        assets[sym].update(price=terms["price"], tiers=terms["tiers"])
    debt_root = trees["USDT/debt"].root_json()
    del debt_root["decimals"]
    assets["USDT"]["debt"] = debt_root
    return roots


def _prove(gens: GeneratorSet, trees: dict[str, Tree], acc: Account) -> bytes:
    """The account's collateral proof over the leaves it is proved over, in that order
    (equity trees, then debt trees, in the order given)."""
    over = acc.proved_over or acc.inputs
    leaves = [trees[t].levels[0][trees[t].index_of(owner)] for t, owner in over]
    equity = [t for t, _ in over if not t.endswith(DEBT_SUFFIX)]
    debt = [t.removesuffix(DEBT_SUFFIX) for t, _ in over if t.endswith(DEBT_SUFFIX)]
    terms = terms_from_json(TERMS)
    values = [n.value for n in leaves]
    cover = collateral_hundredths(terms, dict(zip(equity, values)))
    assert debt_hundredths(terms, dict(zip(debt, values[len(equity) :]))) <= cover, acc
    proof = leaf_collateral_proof(
        terms, equity, debt, leaves, f"audit-margin/{acc.name}/prover", gens
    )
    return proof.to_bytes()


def _meta_rows() -> list[list[Json]]:
    meta = {
        "format": "zkpor-audit-v2",
        "round_id": ROUND,
        "arity": str(ARITY),
        "range_bits": "64",
        "generator_digest": generator_digest().hex(),
        "curve": "secp256k1",
        "hash": "SHA-256",
    }
    return [[_t(k), _t(v)] for k, v in meta.items()]


def _write(r: Round, gens: GeneratorSet) -> Round:
    """The rows of every table and the published roots of round ``r``."""
    trees = _trees(gens, _tags(r))
    inputs: list[list[Json]] = []
    accounts: list[list[Json]] = []
    for number, acc in enumerate(r.accounts):
        accounts.append([_i(number), _b(_prove(gens, trees, acc))])
        for pos, (tree, owner) in enumerate(acc.inputs):
            inputs.append([_i(number), _i(pos), _t(tree), _i(trees[tree].index_of(owner))])
    r.tables = {
        "meta": _meta_rows(),
        "assets": [_asset_row(t) for t in trees.values()],
        "nodes": [row for t in trees.values() for row in _node_rows(t)],
        "margin_accounts": accounts,
        "margin_inputs": inputs,
    }
    r.roots = _roots(trees)
    r.range_proofs = sum(len(n.proofs) for t in trees.values() for row in t.levels[1:] for n in row)
    return r


def _alice_unordered(accounts: list[Account]) -> None:
    """alice's equity inputs as USDT, BTC, with her proof made for that order."""
    order = (("USDT", "alice"), ("BTC", "alice"), ("USDT/debt", "alice"))
    accounts[1] = replace(accounts[1], inputs=order)


def _bob_on_alice_btc(accounts: list[Account]) -> None:
    """bob's BTC input is alice's BTC leaf (his proof re-made over it): an input of
    accounts 1 and 2; its tag names account 1."""
    accounts[2] = replace(accounts[2], inputs=(("BTC", "alice"), ("USDT/debt", "bob")))


def _bob_removed(accounts: list[Account]) -> None:
    """bob's account removed (the dummy after it becomes account 2, retagged): no account
    uses his debt leaf and his BTC leaf, so they are untagged and only the coverage rule
    fails."""
    del accounts[2]


class Case(NamedTuple):
    """An invalid test: the round's accounts after ``accounts``, its leaves retagged by
    ``retag``, then its written rows and roots after ``tables``."""

    comment: str
    flags: tuple[str, ...]
    reason: str  # in the audit's message: the rule that refuses it
    accounts: Callable[[list[Account]], None] = lambda a: None
    retag: tuple[tuple[tuple[str, str], MarginTag], ...] = ()
    tables: Callable[[Any], None] = lambda t: None


def _flip_proof(account: int, pos: int) -> Callable[[Any], None]:
    def change(tables: Any) -> None:
        cell = tables["margin_accounts"][account][1]
        raw = bytearray(bytes.fromhex(cell["blob"]))
        raw[pos] ^= 1
        cell["blob"] = raw.hex()

    return change


CASES: Final[tuple[Case, ...]] = (
    Case(
        "alice's inputs in the order USDT, BTC, USDT/debt (not ascending byte order of the "
        "symbols), with a collateral proof made for that order: only the order rule fails",
        ("WrongInputOrder",),
        "inputs must be in increasing asset order",
        accounts=_alice_unordered,
    ),
    Case(
        "bob's account removed (and his leaves untagged, the trees and roots rebuilt): his "
        "debt leaf is an input of no account",
        ("MissingCollateral",),
        "debt leaves are counted without a collateral proof",
        accounts=_bob_removed,
    ),
    Case(
        "alice's BTC leaf an input of both alice's account (1) and bob's (2), bob's proof "
        "re-made over it: refused as a shared input; its tag names account 1 only, so the "
        "tag rule refuses it too (a leaf's tag names one account: this cannot fail alone)",
        ("SharedInput", "InputTagMismatch"),
        "is an input of another account",
        accounts=_bob_on_alice_btc,
        retag=((("BTC", "bob"), MarginTag(2, 2)),),  # as many tagged leaves as inputs
    ),
    Case(
        "alice's BTC leaf tagged (account 2, 3 inputs) instead of (1, 3), the trees and roots "
        "rebuilt: only the tag rule fails",
        ("InputTagMismatch",),
        "is an input, but its margin tag is account 2",
        retag=((("BTC", "alice"), MarginTag(2, 3)),),
    ),
    Case(
        "a byte of bob's collateral proof flipped (account 2)",
        ("TamperedAuditFile",),
        "margin account 2: collateral proof",
        tables=_flip_proof(2, -5),
    ),
    Case(
        "no margin_inputs table (margin_accounts kept)",
        ("TamperedAuditFile",),
        "margin_inputs is missing",
        tables=lambda t: t.__setitem__("margin_inputs", None),
    ),
)


def _refused(params: Json, test: Json, case: Case, gens: GeneratorSet) -> None:
    """Check that the audit refuses the case for its own reason (``case.reason``)."""
    from zkpor.crypto.group import get_backend
    from zkpor.errors import VerificationError
    from zkpor.vectors.audit_checks import check_margin_audit
    from zkpor.vectors.checkbase import CheckContext

    ctx = CheckContext(get_backend(gens.point_type.backend_name))
    try:
        check_margin_audit(params, test, ctx)
    except VerificationError as exc:
        if case.reason not in str(exc):
            raise AssertionError(f"{case.comment}: refused for another reason: {exc}") from None
    else:
        raise AssertionError(f"{case.comment}: accepted")


def margin_group(f: VectorFile, gens: GeneratorSet) -> None:
    """Add the MarginAuditFileTest group (and its lines of the file's header) to audit.json."""
    f.header.extend(HEADER)
    g = f.group("MarginAuditFileTest", sql=MARGIN_AUDIT_SQL)
    valid = _write(Round(list(ACCOUNTS)), gens)
    g.add(
        "a margin round: 3 trees of 4 leaves, 4 accounts (2 borrowers, 2 dummies), with its "
        "published roots and terms",
        ["Valid", "Margin"],
        "valid",
        tables=valid.tables,
        roots=valid.roots,
        nodes=len(valid.tables["nodes"]),
        range_proofs=valid.range_proofs,
        margin_accounts=len(ACCOUNTS),
    )
    for case in CASES:
        accounts = list(ACCOUNTS)
        case.accounts(accounts)
        if accounts == list(ACCOUNTS) and not case.retag:
            r = Round(accounts, tables=copy.deepcopy(valid.tables), roots=valid.roots)
        else:
            r = _write(Round(accounts, dict(case.retag)), gens)
        case.tables(r.tables)
        _refused(g.params, {"tables": r.tables, "roots": r.roots}, case, gens)
        g.add(case.comment, list(case.flags), "invalid", tables=r.tables, roots=r.roots)
