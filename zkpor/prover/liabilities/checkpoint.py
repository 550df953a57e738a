"""The resumable state of an unfinished run (``BUNDLE.partial``): starting it, and
checking it before a rerun trusts it.

A fresh run creates ``BUNDLE.partial`` with its private store and draws the run nonce
(:func:`start_run`); a rerun reads the nonce back only if the inputs and the secret are the
same (:func:`resumed_nonce`) and discards an audit file SQLite cannot read
(:func:`open_audit_checked`).

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
differs, or a missing row, makes the chunk be rebuilt (:func:`check_loaded`,
:func:`finished_chunks`). The tags cover rows, not files: a file SQLite cannot read is
discarded or refused as above (docs/spec/bundle-and-audit.md 9.4, "Resume").
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from zkpor.errors import InputError
from zkpor.prover.liabilities.build import ChunkResult
from zkpor.prover.liabilities.keys import RUN_NONCE_BYTES, new_run_nonce
from zkpor.prover.liabilities.store import (
    get_meta,
    open_audit,
    open_private,
    private_path,
    set_meta,
)

__all__ = [
    "check_loaded",
    "finished_chunks",
    "input_parts",
    "leaves_tag",
    "naming_inputs",
    "open_audit_checked",
    "result_tag",
    "resumed_nonce",
    "start_run",
    "stored_chunk_tag",
]

# level, idx, hash, commitment, proof, margin tag (leaves only)
_Node = tuple[int, int, bytes, bytes, bytes | None, bytes | None]
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
        "SELECT leaf, user_id, units, line, placement, tag FROM leaves WHERE asset = ? "
        "ORDER BY leaf",
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
    """The tag of a chunk as :func:`zkpor.prover.liabilities.prover` stores it."""
    h = res.height
    nodes: list[_Node] = list(res.rows(arity))
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
            (
                level,
                idx,
                bytes(nh),
                bytes(nc),
                None if proof is None else bytes(proof),
                None if tag is None else bytes(tag),
            )
            for idx, nh, nc, proof, tag in audit.execute(
                "SELECT idx, hash, commitment, proof, tag FROM nodes "
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


# What each input of a run is, by name (for a refused resume to say which one differs):
# set by the caller around the prover (:func:`naming_inputs`), stored by :func:`start_run`.
_INPUT_PARTS: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "zkpor_input_parts", default=None
)


def _file_sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def input_parts(balances: Path, assets_file: Path, params: Mapping[str, object]) -> dict[str, str]:
    """Each input the run's input digest covers, by the name a user knows it by: the two
    files (SHA-256 of their bytes) and the options (``params``, e.g. {"--arity": 16})."""
    parts = {
        f"balances file ({balances.name})": _file_sha256(balances),
        f"assets file ({assets_file.name})": _file_sha256(assets_file),
    }
    parts.update({name: json.dumps(value) for name, value in params.items()})
    return parts


@contextmanager
def naming_inputs(parts: Mapping[str, str]) -> Iterator[None]:
    """Within this block a new run records ``parts`` and a refused resume names the ones
    that differ (the input digest still decides: the parts only explain)."""
    token = _INPUT_PARTS.set(dict(parts))
    try:
        yield
    finally:
        _INPUT_PARTS.reset(token)


def _differing(stored: str | None) -> list[str]:
    """The names of the inputs that differ from the unfinished run's ([] if unknown)."""
    now = _INPUT_PARTS.get()
    if now is None or stored is None:
        return []
    try:
        then = json.loads(stored)
    except ValueError:
        return []
    if not isinstance(then, dict):
        return []
    names = list(dict.fromkeys([*then, *now]))
    return [
        name if name in now else f"{name} (not an input now)"
        for name in names
        if then.get(name) != now.get(name)
    ]


def start_run(
    partial: Path, digest: str, fingerprint: str, round_id: str, nonce: bytes | None
) -> bytes:
    """Create ``partial`` with its private store; return the new run nonce."""
    nonce = nonce or new_run_nonce()
    partial.mkdir(parents=True)
    priv = open_private(private_path(partial), create=True)
    meta = {
        "input_digest": digest,
        "fingerprint": fingerprint,
        "round_id": round_id,
        "run_nonce": nonce.hex(),
    }
    parts = _INPUT_PARTS.get()
    if parts is not None:
        meta["input_parts"] = json.dumps(parts)
    try:
        set_meta(priv, meta)
    finally:
        priv.close()
    return nonce


def resumed_nonce(partial: Path, digest: str, fingerprint_of: Callable[[str], str]) -> bytes:
    """Check that ``partial`` is an unfinished run of these inputs and secret; return its
    run nonce. ``fingerprint_of(round_id)`` is this secret's resume fingerprint for a round:
    the secret is compared at the unfinished run's own round, so a different ``--round`` is
    named as such and never reported as a different secret."""
    where = str(partial)
    try:
        priv = open_private(private_path(partial))
        try:
            meta = get_meta(priv)
        finally:
            priv.close()
    except (OSError, sqlite3.Error) as exc:
        raise InputError(
            f"the unfinished run's private store cannot be read ({exc}); remove it to start over",
            source=where,
        ) from None
    reasons: list[str] = []
    if meta.get("input_digest") != digest:
        differ = _differing(meta.get("input_parts"))
        reasons.append(
            ", ".join(differ) + (" differ" if len(differ) > 1 else " differs")
            if differ
            else "its inputs differ (balances file, assets file, --round, --arity, "
            "--pad-granularity, --debt-pad-granularity or --chunk-height)"
        )
    then = fingerprint_of(meta.get("round_id", ""))
    if not hmac.compare_digest(meta.get("fingerprint", ""), then):
        reasons.append("the master secret (--secret) differs")
    if reasons:
        raise InputError(
            "an unfinished run of other inputs is in the way: "
            + "; ".join(reasons)
            + ". Rerun with the same inputs to resume it, or remove it to start over",
            source=where,
        )
    try:
        nonce = bytes.fromhex(meta["run_nonce"])
    except (KeyError, ValueError):
        nonce = b""
    if len(nonce) != RUN_NONCE_BYTES:
        raise InputError(
            "the unfinished run's private store has no valid run nonce; remove it to start over",
            source=where,
        )
    return nonce


def open_audit_checked(path: Path) -> tuple[sqlite3.Connection, bool]:
    """Open the unfinished run's audit file; one SQLite cannot read (truncated, damaged) is
    discarded, so every chunk is rebuilt (no progress rows). Returns the connection and
    whether the file was discarded."""
    if path.exists():
        conn: sqlite3.Connection | None = None
        try:
            conn = open_audit(path, create=True)
            ok = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        except sqlite3.Error:
            ok = False
        if ok and conn is not None:
            return conn, False
        if conn is not None:
            conn.close()
        for suffix in ("", "-journal", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        return open_audit(path, create=True), True
    return open_audit(path, create=True), False


def check_loaded(
    priv: sqlite3.Connection, assets: list[str], tag_key: bytes, partial: Path
) -> None:
    """A resumed run's loaded leaves must be the ones loaded (their tags, module doc);
    raises InputError naming the first asset that differs."""
    meta = get_meta(priv)
    for asset in assets:
        if not hmac.compare_digest(
            meta.get(f"leaves_tag:{asset}", ""), leaves_tag(tag_key, priv, asset)
        ):
            raise InputError(
                f"the unfinished run's leaves of asset {asset} differ from the ones loaded "
                "(changed, added or deleted rows); remove it to start over",
                source=str(partial),
            )


def finished_chunks(
    key: bytes,
    audit: sqlite3.Connection,
    priv: sqlite3.Connection,
    asset: str,
    chunks: int,
    arity: int,
    height: int,
) -> tuple[set[int], int]:
    """The chunks of ``asset`` whose progress row and stored rows agree with their tag, and
    the number of progress rows rejected (their chunks are to be rebuilt)."""
    done: set[int] = set()
    rejected = 0
    for chunk, tag in audit.execute(
        "SELECT chunk, tag FROM progress WHERE asset = ?", (asset,)
    ).fetchall():
        if 0 <= chunk < chunks and hmac.compare_digest(
            bytes(tag), stored_chunk_tag(key, audit, priv, asset, chunk, arity, height)
        ):
            done.add(chunk)
        else:
            rejected += 1
    return done, rejected
