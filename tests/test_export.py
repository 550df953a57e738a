"""Export (issue 10, item 9): file names always valid and injective, exclusive temporary
files that planted symlinks cannot redirect, and index.csv beside the proofs."""

from __future__ import annotations

import csv
import io
import os
import stat
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkpor.atomicfile import atomic_writer, write_atomic
from zkpor.formats.identifiers import identifier_problem
from zkpor.formats.models import InclusionProof
from zkpor.protocol.sumtree import MAX_USER_ID_BYTES
from zkpor.prover.liabilities.export import INDEX_NAME, BundleReader, export_all, safe_filename
from zkpor.prover.liabilities.prover import ProveOptions, prove_liabilities
from zkpor.verify.inclusion import verify_inclusion

from .liab_helpers import ASSETS_JSON, SECRET, zkpor


def _fill(stem: str, size: int, pad: str = "x") -> str:
    """``stem`` padded with ``pad`` to exactly ``size`` bytes of UTF-8."""
    out = stem
    while len((out + pad).encode()) <= size:
        out += pad
    assert len(out.encode()) == size, (stem, size)
    return out


# Ids of 121-128 bytes that are not plain lower case (each one aborted the old `export
# --all`: its hex name was over 255 bytes), plus short ones that test injectivity.
HOSTILE_IDS = [
    _fill("Mixed-Case-", 121, "Ab"),
    _fill("mixed-case-", 121, "a"),  # differs from the next one only in case
    _fill("MIXED-CASE-", 121, "A"),
    _fill("slash/../etc/passwd/", 124),
    _fill('comma,and"quote",', 125),
    _fill("ü", 128, "ü"),  # 64 x U+00FC (NFC)
    _fill("中", 126, "中"),
    _fill("😀", 128, "😀"),
    _fill(".hidden-", 127),
    _fill("-dash ", 122),
    _fill("a" * 100 + "~", 123, "b"),
    "a" * 128,
    "Alice",
    "alice",
    "ALICE",
    "con",
    "nul.txt",
    "hex-616c696365",
    "bob@example.com",
    "a b",
    "ä",
    "x,y",
    '"q"',
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A bundle whose customers have HOSTILE_IDS, exported with `zkpor export --all`."""
    tmp = tmp_path_factory.mktemp("export")
    for uid in HOSTILE_IDS:
        assert identifier_problem(uid, MAX_USER_ID_BYTES) is None, uid
    assert len(set(HOSTILE_IDS)) == len(HOSTILE_IDS)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["user_id", "asset", "amount"])
    for i, uid in enumerate(HOSTILE_IDS):
        writer.writerow([uid, "BTC", f"0.{i + 1:08d}"])
        if i % 4 == 0:
            writer.writerow([uid, "ETH", f"{i}.5"])
    (tmp / "balances.csv").write_text(buf.getvalue())
    (tmp / "assets.json").write_text(ASSETS_JSON)
    opts = ProveOptions(round_id="r-export", arity=4, pad_granularity=16, chunk_height=1)
    with ThreadPoolExecutor(2) as ex:
        prove_liabilities(
            tmp / "balances.csv", tmp / "assets.json", SECRET, opts, tmp / "bundle", ex
        )
    r = zkpor("export", "bundle", "--all", "--out", "proofs", cwd=tmp)
    assert r.returncode == 0, r.stderr
    return tmp / "bundle", tmp / "proofs"


def read_index(folder: Path) -> list[list[str]]:
    with (folder / INDEX_NAME).open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_every_hostile_id_gets_a_valid_distinct_file(exported: tuple[Path, Path]) -> None:
    _, proofs = exported
    # export --all also writes the browser verifier, index.html (tests/test_web_page.py)
    names = sorted(p.name for p in proofs.iterdir() if p.name not in (INDEX_NAME, "index.html"))
    assert len(names) == len(HOSTILE_IDS)
    assert len({n.casefold() for n in names}) == len(names)  # case-insensitive file systems
    for name in names:
        assert len(name.encode()) <= 255 and name.isascii() and name.endswith(".json")
        assert "/" not in name and "\\" not in name and "\x00" not in name
        assert not name.startswith((".", "-"))
        assert stat.S_IMODE((proofs / name).stat().st_mode) == 0o600
    assert not [p for p in proofs.iterdir() if p.name.endswith(".tmp")]


def test_index_maps_each_id_to_its_file(exported: tuple[Path, Path]) -> None:
    _, proofs = exported
    rows = read_index(proofs)
    assert rows[0] == ["user_id", "file"]
    body = rows[1:]
    assert [uid for uid, _ in body] == sorted(HOSTILE_IDS)  # code-point order
    assert {uid: name for uid, name in body} == {u: safe_filename(u) for u in HOSTILE_IDS}
    assert stat.S_IMODE((proofs / INDEX_NAME).stat().st_mode) == 0o600
    raw = (proofs / INDEX_NAME).read_text(encoding="utf-8")
    assert '"x,y",' in raw and '"""q""",' in raw  # CSV quoting
    for uid, name in body:  # the file named for an id holds that id's proof
        proof = InclusionProof.model_validate_json((proofs / name).read_text())
        assert proof.user_id == uid
        assert unicodedata.is_normalized("NFC", proof.user_id)


def test_every_exported_proof_verifies(exported: tuple[Path, Path]) -> None:
    bundle, proofs = exported
    roots = str(bundle / "roots.json")
    for _, name in read_index(proofs)[1:]:
        r = zkpor("verify", "user", name, "--roots", roots, "--json", cwd=proofs)
        assert r.returncode == 0, (name, r.stderr)


def test_binary_export_names_and_index(exported: tuple[Path, Path], tmp_path: Path) -> None:
    bundle, _ = exported
    count = export_all(bundle, tmp_path / "bin", fmt="binary")
    assert count == len(HOSTILE_IDS)
    rows = read_index(tmp_path / "bin")[1:]
    assert {name for _, name in rows} == {
        p.name for p in (tmp_path / "bin").iterdir() if p.name != INDEX_NAME
    }
    assert all(name.endswith(".zkpi") for _, name in rows)


def test_planted_symlinks_receive_nothing(exported: tuple[Path, Path], tmp_path: Path) -> None:
    """Symlinks at the old predictable temporary names (and at the final names) pointing
    outside the folder: the export writes through none of them."""
    bundle, _ = exported
    out = tmp_path / "proofs"
    out.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    targets = []
    for name in [safe_filename(u) for u in HOSTILE_IDS] + [INDEX_NAME]:
        victim = outside / f"victim-{len(targets)}"
        (out / f".{name}.tmp").symlink_to(victim)
        targets.append(victim)
    final_victim = outside / "final-victim"
    final_victim.write_text("untouched")
    (out / "alice.json").symlink_to(final_victim)
    assert export_all(bundle, out) == len(HOSTILE_IDS)
    assert not any(v.exists() for v in targets)  # no opening left the folder
    assert final_victim.read_text() == "untouched"
    assert list(outside.iterdir()) == [final_victim]
    alice = out / "alice.json"
    assert alice.is_file() and not alice.is_symlink()
    assert stat.S_IMODE(alice.stat().st_mode) == 0o600
    proof = InclusionProof.model_validate_json(alice.read_text())
    reader = BundleReader(bundle)
    try:
        verify_inclusion(proof, reader.roots.assets, round_id="r-export", arity=4)
    finally:
        reader.close()
    assert proof.user_id == "alice"


def test_single_export_with_planted_symlink(exported: tuple[Path, Path], tmp_path: Path) -> None:
    bundle, _ = exported
    victim = tmp_path / "victim"
    (tmp_path / ".alice.json.tmp").symlink_to(victim)
    r = zkpor("export", str(bundle), "--user", "alice", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert not victim.exists()
    r = zkpor("verify", "user", "alice.json", "--roots", str(bundle / "roots.json"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr


def test_default_single_export_name_for_a_long_id(
    exported: tuple[Path, Path], tmp_path: Path
) -> None:
    bundle, _ = exported
    uid = HOSTILE_IDS[5]  # 128 bytes of "ü"
    r = zkpor("export", str(bundle), "--user", uid, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / safe_filename(uid)).is_file()


# --- the naming rule itself ------------------------------------------------------------

ids = st.text(
    st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), min_size=1, max_size=40
).map(lambda s: unicodedata.normalize("NFC", s))


@settings(max_examples=300, deadline=None)
@given(st.lists(ids, min_size=2, max_size=12, unique=True))
def test_names_always_valid_and_injective(user_ids: list[str]) -> None:
    variants = set(user_ids)
    for uid in user_ids:  # case variants too
        variants |= {uid.upper(), uid.lower(), uid.swapcase()}
    variants = {v for v in variants if identifier_problem(v, MAX_USER_ID_BYTES) is None}
    for fmt in ("json", "binary"):
        names = [safe_filename(v, fmt) for v in variants]
        assert len({n.casefold() for n in names}) == len(variants)
        for name in names:
            assert 1 <= len(name.encode()) <= 255 and name.isascii()
            assert "/" not in name and "\x00" not in name and not name.startswith(".")


@pytest.mark.parametrize(
    ("uid", "name"),
    [
        ("alice", "alice.json"),
        ("bob@x.io", "bob@x.io.json"),
        ("hex-612062", "hex-612062.json"),
        ("a" * 100, "a" * 100 + ".json"),
    ],
)
def test_plain_ids_keep_their_name(uid: str, name: str) -> None:
    assert safe_filename(uid) == name


@pytest.mark.parametrize("uid", ["a" * 101, "Alice", "con", "CON", "nul.txt", ".x", "-x", "a~b"])
def test_other_ids_get_a_hashed_name(uid: str) -> None:
    name = safe_filename(uid)
    stem, digest = name.removesuffix(".json").rsplit("~", 1)
    assert len(digest) == 64 and stem.split(".")[0] not in {"con", "nul"}
    assert not stem.startswith((".", "-"))


# --- the atomic writer ---------------------------------------------------------------------


def test_write_atomic_mode_and_no_leftovers(tmp_path: Path) -> None:
    target = tmp_path / ("n" * 250)  # a long name still gets a valid temporary name
    write_atomic(target, b"data", 0o600)
    assert target.read_bytes() == b"data"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    write_atomic(target, b"new", 0o644)
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o644
    assert os.listdir(tmp_path) == [target.name]


def test_atomic_writer_failure_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "f"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_writer(target, 0o600) as fh:
        fh.write(b"half")
        raise RuntimeError("disk full")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f"]


def test_export_failure_leaves_no_index(exported: tuple[Path, Path], tmp_path: Path) -> None:
    """A proof that cannot be written (a directory in its place) stops the export with an
    OSError and leaves no index.csv or temporary file behind."""
    bundle, _ = exported
    out = tmp_path / "p"
    out.mkdir()
    (out / "alice.json").mkdir()
    with pytest.raises(OSError):
        export_all(bundle, out)
    assert not (out / INDEX_NAME).exists()
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
