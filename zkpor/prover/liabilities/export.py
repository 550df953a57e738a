"""Exporting customers' inclusion proofs from a bundle (needs the private store).

File names (docs/spec/inclusion-proofs.md, "Export names"): :func:`safe_filename` maps every user id to a
name that is valid on common file systems and injective, also where names are compared
case-insensitively. ``export_all`` also writes ``index.csv`` (user id -> file name). Every
file goes through :func:`zkpor.atomicfile.write_atomic` (exclusive temporary file, rename).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from zkpor.atomicfile import atomic_writer, write_atomic
from zkpor.errors import InputError
from zkpor.formats.models import (
    INCLUSION_FORMAT,
    AssetInclusion,
    ChildNode,
    CollateralInclusion,
    InclusionProof,
    LeafMargin,
    LeafPosition,
    PathStep,
    Roots,
)
from zkpor.formats.zkpi import encode_inclusion
from zkpor.protocol.sumtree import (
    MarginTag,
    asset_of_tree,
    children_of,
    debt_tree,
    is_debt_tree,
    level_sizes,
    split_child_proofs,
)
from zkpor.prover.liabilities.store import open_audit, open_private, private_path
from zkpor.verify.inclusion import format_units

__all__ = [
    "INDEX_NAME",
    "BundleReader",
    "export_all",
    "export_user",
    "safe_filename",
    "write_proof",
]

INDEX_NAME = "index.csv"


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to ``path`` atomically with ``mode`` (kept for callers of the old
    name; see :func:`zkpor.atomicfile.write_atomic`)."""
    write_atomic(path, data, mode)


def _manifest_exchange(bundle: Path, round_id: str) -> str | None:
    """The ``exchange`` of the bundle's manifest.json, or None for a bundle without one
    (a round proved without reserves); the manifest must be of the bundle's round."""
    path = bundle / "manifest.json"
    if not path.exists():
        return None
    from zkpor.formats.manifest import Manifest

    try:
        manifest = Manifest.model_validate_json(path.read_bytes())
    except ValueError as exc:
        raise InputError(f"invalid manifest.json: {exc}", source=str(path)) from None
    if manifest.round_id != round_id:
        raise InputError(
            f"manifest.json is for round {manifest.round_id!r}, roots.json for {round_id!r}",
            source=str(path),
        )
    return manifest.exchange


class BundleReader:
    """Reads a finished bundle: roots, audit nodes and (for exports) the private store."""

    def __init__(self, bundle: Path) -> None:
        roots_path = bundle / "roots.json"
        if not bundle.is_dir() or not roots_path.exists():
            raise InputError("not a zkpor bundle (no roots.json)", source=str(bundle))
        try:
            self.roots = Roots.model_validate_json(roots_path.read_text())
        except ValueError as exc:
            raise InputError(f"invalid roots.json: {exc}", source=str(roots_path)) from None
        self.bundle = bundle
        self.exchange = _manifest_exchange(bundle, self.roots.round_id)
        self.audit = open_audit(bundle / "audit.sqlite")
        ppath = private_path(bundle)
        if not ppath.exists():
            raise InputError("bundle has no private store (export needs it)", source=str(ppath))
        self.private = open_private(ppath)

    def close(self) -> None:
        self.audit.close()
        self.private.close()

    def users(self) -> Iterator[str]:
        """Every customer id in the bundle (padding leaves excluded), sorted."""
        for (uid,) in self.private.execute(
            "SELECT DISTINCT user_id FROM leaves WHERE line IS NOT NULL ORDER BY user_id"
        ):
            yield uid

    def _path(self, asset: str, leaf: int, leaf_count: int) -> list[PathStep]:
        arity = self.roots.arity
        sizes = level_sizes(leaf_count, arity)
        steps = []
        index = leaf
        for level in range(1, len(sizes)):
            parent = index // arity
            kids = children_of(parent, sizes[level - 1], arity)
            rows = self.audit.execute(
                "SELECT hash, commitment, tag FROM nodes WHERE asset = ? AND level = ? "
                "AND idx >= ? AND idx < ? ORDER BY idx",
                (asset, level - 1, kids.start, kids.stop),
            ).fetchall()
            (proof_blob,) = self.audit.execute(
                "SELECT proof FROM nodes WHERE asset = ? AND level = ? AND idx = ?",
                (asset, level, parent),
            ).fetchone()
            proofs = [part.hex() for _, part in split_child_proofs(bytes(proof_blob), len(rows))]
            steps.append(
                PathStep(
                    level=level,
                    index=parent,
                    children=[_child(h, c, t) for h, c, t in rows],
                    proofs=proofs,
                )
            )
            index = parent
        return steps

    def inclusion_proof(self, user_id: str) -> InclusionProof:
        """The inclusion proof of ``user_id`` over every asset they hold."""
        rows = self.private.execute(
            "SELECT asset, leaf, units, blinding, salt FROM leaves WHERE user_id = ? ORDER BY asset",
            (user_id,),
        ).fetchall()
        if not rows or user_id.startswith("\x00"):
            raise InputError(f"no customer {user_id!r} in this bundle", field="user")
        entries: list[AssetInclusion] = []
        debts: list[AssetInclusion] = []
        for tree, leaf, units, blinding, salt in rows:
            asset = asset_of_tree(tree)
            root = self.roots.assets[asset]
            leaf_count = root.leaf_count
            if is_debt_tree(tree):
                assert root.debt is not None
                leaf_count = root.debt.leaf_count
            entry = AssetInclusion(
                asset=asset,
                decimals=root.decimals,
                amount=format_units(int(units), root.decimals),
                units=str(units),
                blinding=f"{int(blinding, 16):064x}",
                salt=bytes(salt).hex(),
                leaf_index=leaf,
                leaf_count=leaf_count,
                path=self._path(tree, leaf, leaf_count),
            )
            (debts if is_debt_tree(tree) else entries).append(entry)
        # 8.1: ascending symbol bytes per kind (the SQL order is by tree name, and
        # "A-/debt" sorts before "A/debt" while "A" sorts before "A-")
        entries.sort(key=lambda e: e.asset.encode())
        debts.sort(key=lambda e: e.asset.encode())
        return InclusionProof(
            format=INCLUSION_FORMAT,
            round_id=self.roots.round_id,
            exchange=self.exchange,
            user_id=user_id,
            arity=self.roots.arity,
            assets=entries,
            debts=debts or None,
            collateral=self._collateral(debts[0]) if debts else None,
        )

    def _collateral(self, debt: AssetInclusion) -> CollateralInclusion:
        """The margin account holding this debt leaf: its inputs and proof."""
        (account,) = self.audit.execute(
            "SELECT account FROM margin_inputs WHERE tree = ? AND leaf = ?",
            (debt_tree(debt.asset), debt.leaf_index),
        ).fetchone()
        inputs = [
            LeafPosition(
                asset=asset_of_tree(tree),
                tree="debt" if is_debt_tree(tree) else "equity",
                leaf=leaf,
            )
            for tree, leaf in self.audit.execute(
                "SELECT tree, leaf FROM margin_inputs WHERE account = ? ORDER BY position",
                (account,),
            )
        ]
        (proof,) = self.audit.execute(
            "SELECT proof FROM margin_accounts WHERE account = ?", (account,)
        ).fetchone()
        return CollateralInclusion(account=account, inputs=inputs, proof=bytes(proof).hex())


def _child(hash_: bytes, commitment: bytes, tag: bytes | None) -> ChildNode:
    """A child as its parent's path step shows it; a leaf with its margin tag."""
    margin = None
    if tag is not None:
        t = MarginTag.from_bytes(bytes(tag))
        margin = None if t.is_none else LeafMargin(account=t.account, inputs=t.inputs)
    return ChildNode(hash=bytes(hash_).hex(), commitment=bytes(commitment).hex(), margin=margin)


FORMATS = ("json", "binary")


def write_proof(path: Path, proof: InclusionProof, fmt: str = "json") -> None:
    """Write ``proof`` as JSON or as the compact binary encoding (:mod:`zkpor.formats.zkpi`),
    atomically and with mode 0600 (it holds the customer's opening)."""
    if fmt == "binary":
        data = encode_inclusion(proof)
    else:
        data = (proof.model_dump_json(indent=1) + "\n").encode()
    write_atomic(path, data, 0o600)


def export_user(bundle: Path, user_id: str, out: Path, fmt: str = "json") -> None:
    """Write one customer's inclusion proof (mode 0600: it holds their opening)."""
    reader = BundleReader(bundle)
    try:
        proof = reader.inclusion_proof(user_id)
    finally:
        reader.close()
    write_proof(out, proof, fmt)


_PLAIN_NAME = re.compile(r"[a-z0-9_@][a-z0-9_.@-]{0,99}")
_KEEP = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.@-")
_PREFIX_CHARS = 64
# Names Windows reserves for devices, whatever the extension ("con.json" cannot be created).
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{d}{i}" for d in ("com", "lpt") for i in range(10)]
)


def _readable_prefix(user_id: str) -> str:
    """The id folded to lowercase ``[a-z0-9_.@-]`` (anything else becomes ``_``), at most 64
    characters, leading dots and dashes removed, ``_`` in front of a Windows device name
    before the first dot, ``id`` when nothing is left. Only for reading: not injective."""
    folded = "".join(ch.lower() if ch.isascii() and ch.lower() in _KEEP else "_" for ch in user_id)
    prefix = folded[:_PREFIX_CHARS].lstrip(".-") or "id"
    return "_" + prefix if prefix.split(".", 1)[0] in _RESERVED else prefix


def safe_filename(user_id: str, fmt: str = "json") -> str:
    """The file name of ``user_id``'s proof (``EXT`` = ``json``, or ``zkpi`` for binary).

    - ``ID.EXT`` when the id is plain: lowercase ``[a-z0-9_.@-]``, 1-100 characters, not
      starting with ``.`` or ``-``, and not a Windows device name before its first dot;
    - otherwise ``PREFIX~HASH.EXT``: PREFIX the id folded to ``[a-z0-9_.@-]`` (1-65
      characters, see :func:`_readable_prefix`), HASH the 64 lowercase hex digits of SHA-256 of the id's UTF-8.

    Always ASCII, at most 135 bytes, never holding ``/``, ``\\``, NUL or a leading dot.
    Injective, also under case folding: plain names have no ``~`` and are already lower
    case; every other name carries the hash of the exact id (distinct ids, distinct hashes).
    """
    ext = "zkpi" if fmt == "binary" else "json"
    if _PLAIN_NAME.fullmatch(user_id) and user_id.split(".", 1)[0] not in _RESERVED:
        return f"{user_id}.{ext}"
    digest = hashlib.sha256(user_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{_readable_prefix(user_id)}~{digest}.{ext}"


def _index_row(user_id: str, name: str) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([user_id, name])
    return buf.getvalue().encode()


def export_all(
    bundle: Path,
    out_dir: Path,
    progress: Callable[[str, int, int], None] | None = None,
    fmt: str = "json",
) -> int:
    """Write every customer's proof into ``out_dir`` (created 0700), named by
    :func:`safe_filename`, and ``out_dir/index.csv`` (header ``user_id,file``, one row per
    customer in user-id order, CSV quoting, mode 0600). Returns the count.

    Streams the customer list from the private store: memory does not grow with it. The
    index is written through a temporary file alongside and appears only once every proof
    is written."""
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    reader = BundleReader(bundle)
    count = 0
    (total,) = reader.private.execute(
        "SELECT count(DISTINCT user_id) FROM leaves WHERE line IS NOT NULL"
    ).fetchone()
    try:
        with atomic_writer(out_dir / INDEX_NAME, 0o600) as index:
            index.write(b"user_id,file\n")
            for uid in reader.users():
                name = safe_filename(uid, fmt)
                write_proof(out_dir / name, reader.inclusion_proof(uid), fmt)
                index.write(_index_row(uid, name))
                count += 1
                if progress and (count % 100 == 0 or count == total):
                    progress("export", count, total)
    finally:
        reader.close()
    return count
