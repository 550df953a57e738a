"""zkpor publish: the folder of public files, never the private store."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.demo_round import cli, demo_copy

PUBLIC = {"manifest.json", "manifest.sha256", "roots.json", "audit.sqlite", "index.html"}


@pytest.fixture()
def demo(tmp_path: Path) -> Path:
    return demo_copy(tmp_path / "demo")


def test_publish_writes_the_public_files_only(demo: Path) -> None:
    code, out, err = cli("publish", "bundle", "--out", "site", cwd=demo)
    assert code == 0, err
    site = demo / "site"
    assert {p.name for p in site.iterdir()} == PUBLIC
    for name in PUBLIC - {"index.html"}:
        assert (site / name).read_bytes() == (demo / "bundle" / name).read_bytes()
        assert stat.S_IMODE((site / name).stat().st_mode) == 0o644
    digest = (demo / "bundle" / "manifest.sha256").read_text().strip()
    assert f"manifest digest {digest}" in out and "private" not in out
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
