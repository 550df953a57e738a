"""Publishing a finished bundle: its public files, checked, into a new folder with the page.

Spec: docs/spec/bundle-and-audit.md (9.1, the bundle's files) and docs/operators.md
(publishing). ``zkpor publish BUNDLE --out DIR`` copies manifest.json, manifest.sha256,
roots.json, audit.sqlite and the private reserves' set and proof files the manifest binds
(docs/spec/private-reserves.md 17.11), never ``private/``; checks the copies agree with one
another; writes the browser verifier beside them; and renames the folder into place.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from zkpor.formats.auditfile import AUDIT_FORMAT, AUDIT_TABLES
from zkpor.formats.manifest import Manifest, manifest_digest
from zkpor.formats.models import Roots
from zkpor.protocol.sumtree import debt_tree
from zkpor.verify.private_reserves import PRIVATE_DIR, private_files

__all__ = ["PUBLISHED_FILES", "check_published", "publish_folder"]

# What a finished bundle publishes, in this order; never ``private/`` (every balance and
# opening in clear) nor anything else the folder may hold.
PUBLISHED_FILES = ("manifest.json", "manifest.sha256", "roots.json", "audit.sqlite")


def publish_folder(bundle: Path, out: Path) -> list[Path]:
    """Copy the public files of ``bundle`` into the new folder ``out`` and write the
    browser verifier (index.html) beside them; return the paths written.

    Refuses (InputError) an unfinished or missing bundle, an ``out`` inside the bundle (or
    the bundle inside ``out``), and an ``out`` that exists and is not an empty folder. The
    files are copied into a temporary sibling folder that is renamed to ``out`` at the
    end: ``out`` never holds part of a round. manifest.sha256 must be the digest of
    manifest.json (a stale digest would be published as the round's)."""
    import shutil
    import tempfile

    from zkpor.errors import InputError
    from zkpor.web import PAGE_NAME, write_page

    src = bundle.resolve()
    if src.name.endswith(".partial"):
        raise InputError(
            "an unfinished run (BUNDLE.partial): finish it with zkpor prove first",
            source=str(bundle),
        )
    if not (src / "audit.sqlite").is_file() or not (src / "roots.json").is_file():
        raise InputError(
            "not a finished bundle (no audit.sqlite and roots.json)", source=str(bundle)
        )
    dest = out.resolve()
    if dest == src or src in dest.parents or dest in src.parents:
        raise InputError(
            "the publish folder must be outside the bundle (the bundle holds private/)",
            source=str(out),
        )
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError("exists and is not an empty folder; choose a new one", source=str(out))
    names = [n for n in PUBLISHED_FILES if os.path.lexists(src / n)]
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        # copy first, then check the copies: what is checked is what is published
        for name in names:
            _copy_regular(src / name, staging / name, bundle)
        names += _copy_private(src, staging, bundle)
        check_published(staging, str(bundle))
        write_page(staging)
        os.chmod(staging, 0o755)
        if out.exists():
            out.rmdir()  # empty (checked above)
        staging.rename(dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out / n for n in [*names, PAGE_NAME]]


def _copy_private(src: Path, staging: Path, bundle: Path) -> list[str]:
    """Copy the private reserves' set and proof files the manifest binds (17.11)."""
    if not (src / "manifest.json").is_file():
        return []
    manifest = Manifest.model_validate_json((src / "manifest.json").read_bytes())
    names = [
        path.relative_to(src).as_posix()
        for sym, a in sorted(manifest.assets.items())
        if a.private_reserves is not None
        for path in private_files(src, sym)
    ]
    if names:
        (staging / PRIVATE_DIR).mkdir()
    for name in names:
        _copy_regular(src / name, staging / name, bundle)
    return names


def _copy_regular(path: Path, target: Path, bundle: Path) -> None:
    """Copy ``path`` to ``target`` (mode 0644) only if it is a regular file, not followed
    through a symbolic link (a link could point at the private store or a key file)."""
    import stat

    from zkpor.errors import InputError

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError(
            f"{path.name}: not a regular file of the bundle ({exc.strerror})", source=str(bundle)
        ) from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise InputError(f"{path.name}: not a regular file", source=str(bundle))
        with open(target, "xb") as dst:
            while chunk := fh.read(1 << 20):
                dst.write(chunk)
    os.chmod(target, 0o644)


# The tables of a published audit file (docs/spec/bundle-and-audit.md 9.3; margin tables 16.7): nothing else,
# so a private store (leaves, root_openings, chunk_roots ...) can never pass as one.


def check_published(folder: Path, source: str) -> None:
    """The files about to be published agree with each other and are what they claim:
    roots.json parses as roots; audit.sqlite is a finished audit file (only the audit
    tables, no ``progress`` table of an unfinished run, the round and the roots of
    roots.json); a manifest is the digest's, and names the same round and roots."""
    from zkpor.errors import InputError
    from zkpor.formats.strictjson import parse_public
    from zkpor.verify.manifest import manifest_roots
    from zkpor.verify.trees import check_schema, connect_readonly

    roots = parse_public(Roots, (folder / "roots.json").read_bytes(), f"{source}/roots.json")
    audit_source = f"{source}/audit.sqlite"
    try:
        conn = connect_readonly(folder / "audit.sqlite")
        try:
            check_schema(conn, audit_source)
            tables = {
                str(n).lower()
                for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if "progress" in tables:
                raise InputError("an unfinished run (progress table present)", source=audit_source)
            if not tables <= AUDIT_TABLES:
                extra = ", ".join(sorted(tables - AUDIT_TABLES))
                raise InputError(
                    f"not a published audit file (tables {extra})", source=audit_source
                )
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            rows = conn.execute(
                "SELECT asset, leaf_count, depth, root_hash, root_commitment FROM assets"
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        reason = " ".join(str(exc).split())  # SQLite may quote a multi-line schema
        raise InputError(f"not a SQLite audit file ({reason})", source=audit_source) from None
    if meta.get("format") != AUDIT_FORMAT or meta.get("round_id") != roots.round_id:
        raise InputError(
            "audit file and roots.json are not of the same finished round", source=audit_source
        )
    in_audit = {str(a): (int(n), int(d), bytes(h).hex(), bytes(c).hex()) for a, n, d, h, c in rows}
    in_roots = _root_tuples(roots)
    if in_audit != in_roots:
        raise InputError("audit.sqlite and roots.json hold different roots", source=source)
    if (folder / "manifest.json").exists():
        manifest = parse_public(
            Manifest, (folder / "manifest.json").read_bytes(), f"{source}/manifest.json"
        )
        digest_file = folder / "manifest.sha256"
        stated = digest_file.read_text().strip() if digest_file.exists() else ""
        if stated != manifest_digest(manifest):
            raise InputError("manifest.sha256 is not the digest of manifest.json", source=source)
        stated_roots = manifest_roots(manifest)
        if _root_tuples(stated_roots) != in_roots or (
            stated_roots.round_id,
            stated_roots.arity,
        ) != (roots.round_id, roots.arity):
            raise InputError("manifest.json and roots.json hold different roots", source=source)


def _root_tuples(roots: Roots) -> dict[str, tuple[int, int, str, str]]:
    """Every tree's (leaf count, depth, root hash, root commitment), debt trees as SYM/debt."""
    out = {
        sym: (r.leaf_count, r.depth, r.root_hash, r.root_commitment)
        for sym, r in roots.assets.items()
    }
    for sym, r in roots.assets.items():
        if r.debt is not None:
            d = r.debt
            out[debt_tree(sym)] = (d.leaf_count, d.depth, d.root_hash, d.root_commitment)
    return out
