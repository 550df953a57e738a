"""zkpor publish: the folder of public files, never the private store."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.demo_round import cli, demo_copy

PUBLIC = {
    "manifest.json",
    "manifest.sha256",
    "roots.json",
    "audit.sqlite",
    "index.html",
    "private-reserves",
}


@pytest.fixture()
def demo(tmp_path: Path) -> Path:
    return demo_copy(tmp_path / "demo")


def test_publish_writes_the_public_files_only(demo: Path) -> None:
    code, out, err = cli("publish", "bundle", "--out", "site", cwd=demo)
    assert code == 0, err
    site = demo / "site"
    assert {p.name for p in site.iterdir()} == PUBLIC
    # the demo's ETH has private reserves: their set and proof files (17.11), nothing else
    assert {p.name for p in (site / "private-reserves").iterdir()} == {"ETH.set", "ETH.proof"}
    files = PUBLIC - {"index.html", "private-reserves"} | {
        "private-reserves/ETH.set",
        "private-reserves/ETH.proof",
    }
    for name in files:
        assert (site / name).read_bytes() == (demo / "bundle" / name).read_bytes()
        assert stat.S_IMODE((site / name).stat().st_mode) == 0o644
    digest = (demo / "bundle" / "manifest.sha256").read_text().strip()
    assert f"manifest digest {digest}" in out and "private/" not in out
    assert b"<html" in (site / "index.html").read_bytes()[:2000].lower()


def test_an_empty_folder_is_filled(demo: Path) -> None:
    (demo / "empty").mkdir()
    assert cli("publish", "bundle", "--out", "empty", cwd=demo)[0] == 0
    assert {p.name for p in (demo / "empty").iterdir()} == PUBLIC


@pytest.mark.parametrize(
    ("out", "needle"),
    [
        ("bundle/site", "outside the bundle"),
        ("bundle", "outside the bundle"),
        ("bundle/private", "outside the bundle"),
        ("proofs", "not an empty folder"),
        ("balances.csv", "not an empty folder"),
    ],
)
def test_refusals_write_nothing(demo: Path, out: str, needle: str) -> None:
    before = sorted(p.relative_to(demo) for p in demo.rglob("*"))
    code, stdout, err = cli("publish", "bundle", "--out", out, cwd=demo)
    assert code == 2 and stdout == "" and needle in err and "Traceback" not in err
    assert sorted(p.relative_to(demo) for p in demo.rglob("*")) == before


def test_an_unfinished_or_inconsistent_bundle_is_refused(demo: Path) -> None:
    code, _, err = cli("publish", "proofs", "--out", "site", cwd=demo)
    assert code == 2 and "not a finished bundle" in err
    (demo / "bundle" / "manifest.sha256").write_text("0" * 64 + "\n")
    code, _, err = cli("publish", "bundle", "--out", "site", cwd=demo)
    assert code == 2 and "manifest.sha256 is not the digest of manifest.json" in err
    assert not (demo / "site").exists()
    assert not [p for p in demo.iterdir() if p.name.startswith(".site.")]


def _refused(demo: Path, needle: str, bundle: str = "bundle") -> None:
    code, stdout, err = cli("publish", bundle, "--out", "site", cwd=demo)
    assert code == 2 and stdout == "" and needle in err and "Traceback" not in err, err
    assert not (demo / "site").exists()
    assert not [p for p in demo.iterdir() if p.name.startswith(".site.")]  # no staging left


def test_symlinked_files_are_never_followed(demo: Path) -> None:
    b = demo / "bundle"
    private = next((b / "private").iterdir())
    (b / "audit.sqlite").unlink()
    (b / "audit.sqlite").symlink_to(private)
    _refused(demo, "audit.sqlite: not a regular file")


def test_a_private_store_renamed_as_the_audit_file_is_refused(demo: Path) -> None:
    b = demo / "bundle"
    private = next(p for p in (b / "private").iterdir() if p.suffix == ".sqlite")
    (b / "audit.sqlite").write_bytes(private.read_bytes())
    _refused(demo, "not a zkpor audit file")


def test_an_audit_file_with_an_extra_table_is_refused(demo: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(demo / "bundle" / "audit.sqlite")
    conn.execute("CREATE TABLE leaves(user_id TEXT, units TEXT)")
    conn.commit()
    conn.close()
    _refused(demo, "not a published audit file (tables leaves)")


def test_an_unfinished_run_is_refused(demo: Path) -> None:
    import shutil
    import sqlite3

    shutil.copytree(demo / "bundle", demo / "b.partial")
    _refused(demo, "unfinished run", "b.partial")
    conn = sqlite3.connect(demo / "bundle" / "audit.sqlite")
    conn.execute("CREATE TABLE progress(asset TEXT, chunk INTEGER, tag BLOB)")
    conn.commit()
    conn.close()
    _refused(demo, "unfinished run (progress table present)")


def test_roots_that_disagree_with_the_audit_file_are_refused(demo: Path) -> None:
    import json

    path = demo / "bundle" / "roots.json"
    roots = json.loads(path.read_text())
    sym = next(iter(roots["assets"]))
    roots["assets"][sym]["root_hash"] = "00" * 32
    path.write_text(json.dumps(roots, indent=2) + "\n")
    _refused(demo, "audit.sqlite and roots.json hold different roots")


def test_a_roots_file_that_is_not_roots_is_refused(demo: Path) -> None:
    (demo / "bundle" / "roots.json").write_text('{"secret_keys": ["00"]}\n')
    _refused(demo, "roots.json")
