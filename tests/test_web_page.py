"""The browser verifier's page (zkpor/web/verifier.html, issue 14): committed as package data,
rebuilt byte for byte from web/, written by ``zkpor verifier-page`` and ``export --all``.

The page's own checks (every vector file, headless Chromium end to end) run in web/:
``cd web && npm ci && npm test && npm run e2e`` (.ci/run runs them).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from zkpor.web import page_bytes, write_page

from .conftest import run_zkpor
from .liab_helpers import sample_rows, write_inputs

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
COMMITTED = ROOT / "zkpor" / "web" / "verifier.html"


zkpor = run_zkpor


def test_page_is_package_data_and_self_contained() -> None:
    page = page_bytes()
    assert page == COMMITTED.read_bytes()
    text = page.decode("utf-8")
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', text)
    assert csp is not None
    policy = dict(
        (part.split()[0], part.split()[1:]) for part in csp.group(1).split(";") if part.strip()
    )
    assert policy["default-src"] == ["'none'"]
    assert policy["connect-src"] == ["'none'"]
    assert policy["form-action"] == ["'none'"]
    assert len(policy["script-src"]) == 1 and policy["script-src"][0].startswith("'sha256-")
    # One inline script, no external resource of any kind, no inline event handler.
    assert text.count("<script>") == 1 and "<script src" not in text
    assert not re.search(r"<(link|img|iframe|object|embed)\b", text)
    assert not re.search(r"\son[a-z]+=", text.split("<script>")[0])
    for hook in ('id="proof"', 'id="manifest"', 'id="digest"', 'id="verify"', 'id="result"'):
        assert hook in text
    assert "pyproject" not in text and "web/verifier.html" in (ROOT / "pyproject.toml").read_text()


def test_script_hash_matches_csp() -> None:
    import base64
    import hashlib

    text = page_bytes().decode("utf-8")
    script = text.split("<script>", 1)[1].rsplit("</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in text
    # A changed script no longer matches: the browser would refuse to run it.
    other = base64.b64encode(hashlib.sha256((script + " ").encode()).digest()).decode()
    assert f"'sha256-{other}'" not in text


def test_page_embeds_the_pinned_generator_table() -> None:
    """The page carries zkpor's shipped vector generators (base64) and the same pin as
    zkpor.crypto.generators, so both verifiers start from one checked table (docs/spec.md 3)."""
    import base64
    import hashlib
    from importlib import resources

    from zkpor.crypto.generators import SHIPPED_FILE, SHIPPED_SHA256, SHIPPED_VECTOR_GENERATORS

    text = page_bytes().decode("utf-8")
    table = resources.files("zkpor.data").joinpath(SHIPPED_FILE).read_bytes()
    assert hashlib.sha256(table).hexdigest() == SHIPPED_SHA256
    assert len(table) == 66 * SHIPPED_VECTOR_GENERATORS
    assert base64.b64encode(table).decode() in text
    assert SHIPPED_SHA256 in text
    # margin rounds are checked by the page now, not refused
    assert "cannot check yet" not in text


def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node/npm not installed: cannot rebuild web/ (CI has them: .ci/run)")
    if not (WEB / "node_modules" / "esbuild").exists():
        r = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, capture_output=True, text=True
        )
        if r.returncode != 0:
            pytest.fail(f"npm ci in web/ failed:\n{r.stdout}\n{r.stderr}")
    out = tmp_path / "verifier.html"
    r = subprocess.run([node, "build.mjs", str(out)], cwd=WEB, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == COMMITTED.read_bytes(), (
        "zkpor/web/verifier.html is stale: run `cd web && node build.mjs ../zkpor/web/verifier.html`"
    )


def test_verifier_page_command(tmp_path: Path) -> None:
    target = tmp_path / "site" / "sub"
    r = zkpor("verifier-page", str(target))
    assert r.returncode == 0, r.stderr
    page = target / "index.html"
    assert page.read_bytes() == page_bytes()
    assert oct(page.stat().st_mode & 0o777) == "0o644"
    assert [p.name for p in target.iterdir()] == ["index.html"]  # no temporary file left
    # Overwrites (atomically) an old page.
    page.write_bytes(b"old")
    assert zkpor("verifier-page", str(target)).returncode == 0
    assert page.read_bytes() == page_bytes()


def test_verifier_page_bad_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = zkpor("verifier-page", str(blocker / "site"))
    assert r.returncode == 2
    assert r.stderr.startswith("error: ") and "Traceback" not in r.stderr
    r = zkpor("verifier-page")
    assert r.returncode == 2 and "Missing argument 'DIR'" in r.stderr


def test_write_page_refuses_nothing_half_written(tmp_path: Path) -> None:
    path = write_page(tmp_path)
    assert path == tmp_path / "index.html" and path.read_bytes() == page_bytes()


def test_export_all_writes_index_html(tmp_path: Path) -> None:
    write_inputs(tmp_path, sample_rows(6))
    assert zkpor("keygen", "--out", str(tmp_path / "s.key")).returncode == 0
    r = zkpor(
        "prove", "--balances", str(tmp_path / "balances.csv"), "--assets",
        str(tmp_path / "assets.json"), "--secret", str(tmp_path / "s.key"), "--round", "r1",
        "--out", str(tmp_path / "b"), "--pad-granularity", "4", "--workers", "1", "--quiet",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = zkpor("export", str(tmp_path / "b"), "--all", "--out", str(tmp_path / "all"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "all" / "index.html").read_bytes() == page_bytes()
    assert oct((tmp_path / "all" / "index.html").stat().st_mode & 0o777) == "0o644"
    assert (tmp_path / "all" / "index.csv").exists()
    # A failed export leaves no page either.
    r = zkpor("export", str(tmp_path / "nope"), "--all", "--out", str(tmp_path / "x"))
    assert r.returncode == 2 and not (tmp_path / "x" / "index.html").exists()


def test_unicode14_tables_are_pythons() -> None:
    """web/src/unicode14.ts (the page's Unicode 14.0.0 categories, docs/spec.md 12.7) is what
    web/tools/unicode14.py writes from this Python's unicodedata: regenerated, it is equal."""
    import unicodedata

    assert unicodedata.unidata_version == "14.0.0"
    r = subprocess.run(
        [sys.executable, str(WEB / "tools" / "unicode14.py")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert r.stdout == (WEB / "src" / "unicode14.ts").read_text(encoding="utf-8")
    # The table says what unicodedata says, for a sample of each kind.
    text = r.stdout
    assert "export const UNASSIGNED_14 = '" in text and "export const REFUSED_14 = '" in text
    refused = text.split("REFUSED_14 = '")[1].split("'")[0].split(",")
    first = refused[0].split("-")
    assert (int(first[0], 36), int(first[1], 36)) == (0, 0x1F)
    assert all(
        unicodedata.category(chr(int(p.split("-")[0], 36))) in {"Cc", "Cf", "Cs", "Zl", "Zp"}
        for p in refused
    )
