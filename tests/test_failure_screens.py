"""What a customer reads when `zkpor verify user` fails (docs/customers.md, "When a check
fails"; docs/spec/errors.md 13): a headline naming what failed (the digest, the manifest or
the proof, or a file that cannot be read), what it means for the customer, the technical
reason and the next step, compared exactly; --json adds them as fields; the browser page says
the same words (web/src/failures.ts)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.demo_round import cli, demo_copy
from zkpor.errors import CustomerCheckFailed, InputError, VerificationError
from zkpor.verify.recipes import FAILURES, load_inclusion, load_manifest, verify_user

ROOT = Path(__file__).resolve().parent.parent
USER = "customer-000014"


def _flip(hexdigits: str) -> str:
    return ("1" if hexdigits[0] == "0" else "0") + hexdigits[1:]


@pytest.fixture(autouse=True)
def terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a terminal: sentences wrapped to 80 columns (docs/cli.md, "Output")."""
    monkeypatch.setenv("COLUMNS", "80")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The guides' demo round, with the three failures of web/tools/failure-screens.mjs: a
    neighbour's hash changed in the customer's BTC path, the first asset's block height
    raised in the manifest."""
    demo = demo_copy(tmp_path_factory.mktemp("screens") / "demo")
    proof = json.loads((demo / "proofs" / f"{USER}.json").read_text())
    step = proof["assets"][0]["path"][0]
    mine = proof["assets"][0]["leaf_index"] % len(step["children"])
    sibling = next(i for i in range(len(step["children"])) if i != mine)
    step["children"][sibling]["hash"] = _flip(step["children"][sibling]["hash"])
    (demo / "tampered-proof.json").write_text(json.dumps(proof))
    manifest = json.loads((demo / "bundle" / "manifest.json").read_text())
    manifest["assets"][next(iter(manifest["assets"]))]["reserves"]["block_height"] += 1
    (demo / "tampered-manifest.json").write_text(json.dumps(manifest))
    return demo


def _digest(demo: Path) -> str:
    return (demo / "bundle" / "manifest.sha256").read_text().strip()


def _reason(err: str) -> str:
    """The technical reason's first line, as printed."""
    return next(x for x in err.splitlines() if x.startswith("  technical reason: "))[20:]


def _verify(demo: Path, proof: str, manifest: str, *more: str) -> tuple[int, str, str]:
    return cli("verify", "user", proof, "--manifest", manifest, *more, cwd=demo)


PROOF = f"proofs/{USER}.json"
MANIFEST = "bundle/manifest.json"

WRONG_DIGEST = """\
verification failed: the digest does not match: this is not the manifest the exchange published
  The manifest you chose is not the one whose digest you gave, so nothing else
  was checked: the digest was copied wrongly, or you were shown another manifest
  than the one the exchange published for everyone.
  technical reason: manifest digest {digest} differs from the published {given}
  next step: Check that you copied the digest from the place where the exchange
    published it, for this round. If it still does not match, keep the proof and
    the manifest, and ask the exchange.
"""

TAMPERED_PROOF = """\
verification failed: your proof does not verify
  Your proof does not match the totals the exchange published: your balance may
  not be counted in this round.
  technical reason: asset BTC, level 2: the node below is not the child at its position
  next step: Keep the proof and the manifest, and ask the exchange.
"""

TAMPERED_MANIFEST = """\
verification failed: the manifest does not verify
  This round does not show that the exchange's reserves cover what it owes its
  customers, and your balance cannot be checked against a manifest that fails.
  technical reason: asset BTC: solvency proof: range proof does not verify
  next step: Keep the proof and the manifest, and ask the exchange.
"""

UNREADABLE = """\
error: could not check: a file or the digest cannot be read
  Nothing was checked: a file is missing, damaged or not an inclusion proof or a
  manifest, or the digest is not the 64 hex digits of a manifest digest.
  technical reason: {reason}
  next step: Check that you chose the proof and the manifest the exchange gave
    you, and copied the whole digest. If these are the exchange's files: keep
    them, and ask the exchange.
"""


def test_wrong_digest(demo: Path) -> None:
    digest = _digest(demo)
    code, out, err = _verify(demo, PROOF, MANIFEST, "--digest", _flip(digest))
    assert (code, out) == (1, "")
    assert err == WRONG_DIGEST.format(digest=digest, given=_flip(digest))


def test_tampered_proof(demo: Path) -> None:
    code, out, err = _verify(demo, "tampered-proof.json", MANIFEST, "--digest", _digest(demo))
    assert (code, out, err) == (1, "", TAMPERED_PROOF)


def test_tampered_manifest(demo: Path) -> None:
    code, out, err = _verify(demo, PROOF, "tampered-manifest.json")
    assert (code, out, err) == (1, "", TAMPERED_MANIFEST)


def test_tampered_manifest_with_the_published_digest_is_the_digest(demo: Path) -> None:
    """With the published digest, a changed manifest is first of all not the published one."""
    digest = _digest(demo)
    code, _, err = _verify(demo, PROOF, "tampered-manifest.json", "--digest", digest)
    changed = re.search(r"manifest digest ([0-9a-f]{64}) differs", err)
    assert code == 1 and changed, err
    assert err == WRONG_DIGEST.format(digest=changed[1], given=digest)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ((PROOF, MANIFEST, "--digest", "abc"), "--digest must be the 64 hex digits of a manifest digest"),
        (("missing.json", MANIFEST), "missing.json: proof not found"),
        ((PROOF, "bundle/manifest.sha256"), None),
    ],
)  # fmt: skip
def test_unreadable_input(demo: Path, args: tuple[str, ...], reason: str | None) -> None:
    code, out, err = _verify(demo, *args)
    assert (code, out) == (2, "")
    got = _reason(err)
    # the digest file given as the manifest: where JSON stops depends on the digest (a
    # digest such as "42e7..." reads as a number with an exponent, refused as such)
    if reason is None:
        assert re.match(r"bundle/manifest\.sha256(:1: not JSON: |: strict JSON: number )", got), got
    else:
        assert got == reason
    assert err == UNREADABLE.format(reason=got)


def test_usage_errors_are_not_customer_failures(demo: Path) -> None:
    code, _, err = cli("verify", "user", PROOF, cwd=demo)
    assert code == 2 and err == "error: give exactly one of --manifest FILE or --roots FILE\n"


@pytest.mark.parametrize(
    ("case", "failed"),
    [("digest", "digest"), ("proof", "proof"), ("manifest", "manifest"), ("input", "input")],
)
def test_json_adds_what_failed(demo: Path, case: str, failed: str) -> None:
    """--json keeps ok, error (the reason's first line), errors (the message's lines: the
    reason, then the meaning and the next step on one line) and exit_code, and adds failed,
    headline, meaning, reason and next_step."""
    digest = _digest(demo)
    args = {
        "digest": (PROOF, MANIFEST, "--digest", _flip(digest)),
        "proof": ("tampered-proof.json", MANIFEST, "--digest", digest),
        "manifest": (PROOF, "tampered-manifest.json"),
        "input": (PROOF, MANIFEST, "--digest", "abc"),
    }[case]
    code, out, err = _verify(demo, *args, "--json")
    data = json.loads(out)
    f = FAILURES[failed]
    reason = _reason(err)
    said = [] if failed == "input" else [f"{f.meaning} {f.next_step}"]
    assert data == {
        "ok": False,
        "error": reason,
        "errors": [reason, *said],
        "exit_code": code,
        "failed": failed,
        "headline": f.headline,
        "meaning": f.meaning,
        "reason": reason,
        "next_step": f.next_step,
    }
    assert code == (2 if failed == "input" else 1)


def test_the_library_says_what_failed(demo: Path) -> None:
    proof = load_inclusion((demo / PROOF).read_bytes(), PROOF)
    tampered = load_inclusion((demo / "tampered-proof.json").read_bytes(), "tampered")
    manifest = load_manifest((demo / MANIFEST).read_bytes(), MANIFEST)
    changed = load_manifest((demo / "tampered-manifest.json").read_bytes(), "tampered")
    digest = _digest(demo)
    for args, kwargs, failed in [
        ((proof, manifest), {"digest": _flip(digest)}, "digest"),
        ((proof, changed), {"digest": digest}, "digest"),
        ((proof, changed), {}, "manifest"),
        ((tampered, manifest), {"digest": digest}, "proof"),
    ]:
        with pytest.raises(CustomerCheckFailed) as info:
            verify_user(*args, **kwargs)
        exc = info.value
        assert isinstance(exc, VerificationError) and exc.failed == failed
        assert str(exc) == f"{exc.reason}\n{FAILURES[failed].said}"
    with pytest.raises(InputError) as bad:
        verify_user(proof, manifest, digest="abc")
    assert bad.value.failed is None  # only the CLI says "input" (it read the files)


def _web_table() -> dict[str, dict[str, str]]:
    source = (ROOT / "web" / "src" / "failures.ts").read_text()
    literal = re.search(r"// FAILURES: begin\n[^=]*=\s*(\{.*\});\n// FAILURES: end", source, re.S)
    assert literal, "web/src/failures.ts: the FAILURES literal between its markers"
    table: dict[str, dict[str, str]] = json.loads(literal[1])
    return table


def test_the_page_says_the_same_words() -> None:
    assert _web_table() == {
        failed: {"headline": f.headline, "meaning": f.meaning, "next_step": f.next_step}
        for failed, f in FAILURES.items()
    }


def test_to_a_pipe_each_sentence_is_one_line(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a terminal (and no COLUMNS) the same screen, every sentence on one line."""
    monkeypatch.delenv("COLUMNS")
    code, out, err = _verify(demo, "tampered-proof.json", MANIFEST)
    assert (code, out) == (1, "")
    assert err == (
        "verification failed: your proof does not verify\n"
        "  Your proof does not match the totals the exchange published: your balance may not "
        "be counted in this round.\n"
        "  technical reason: asset BTC, level 2: the node below is not the child at its position\n"
        "  next step: Keep the proof and the manifest, and ask the exchange.\n"
    )
