"""Hostile audit.sqlite files (issue 10, item 5b): each gets a clean one-line error naming the
file, exit 1 (content wrong) or 2 (unreadable), no traceback, bounded memory, and the
auditor never writes to the file or beside it."""

from __future__ import annotations

import resource
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zkpor.errors import InputError, VerificationError
from zkpor.verify.trees import MAX_VALUE_BYTES, audit_bundle

from .liab_helpers import run_prove, sample_rows

MEMORY_LIMIT = 1536 << 20  # RLIMIT_AS of the auditor in the 3.9 GB case


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real bundle: BTC and ETH trees of 16 leaves each, arity 4 (levels 16, 4, 1)."""
    tmp = tmp_path_factory.mktemp("hostile")
    run_prove(tmp, sample_rows(10))
    return tmp / "bundle"


def audit_cli(
    target: Path, *extra: str, limit: int | None = None
) -> subprocess.CompletedProcess[str]:
    def cap() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "zkpor", "verify", "audit", str(target), "--quiet", *extra],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=cap,
        timeout=300,
    )


def assert_clean_failure(
    r: subprocess.CompletedProcess[str], target: Path, codes: set[int], needle: str = ""
) -> None:
    assert r.returncode in codes, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert str(target) in lines[0], r.stderr
    assert needle in lines[0], r.stderr
    assert "OK" not in r.stdout


def mutated(good: Path, tmp: Path, *sql: str) -> Path:
    """A copy of the audit file with ``sql`` applied (constraints dropped first when asked)."""
    path = tmp / "audit.sqlite"
    shutil.copyfile(good / "audit.sqlite", path)
    conn = sqlite3.connect(path, isolation_level=None)
    for stmt in sql:
        if stmt == "LOOSEN":  # the same tables without NOT NULL or a primary key
            for table in ("nodes", "assets", "meta"):
                conn.execute(f"CREATE TABLE loose AS SELECT * FROM {table}")
                conn.execute(f"DROP TABLE {table}")
                conn.execute(f"ALTER TABLE loose RENAME TO {table}")
        else:
            conn.execute(stmt)
    conn.close()
    return path


LEAF = "asset = 'BTC' AND level = 0 AND idx = 3"
NODE = "asset = 'BTC' AND level = 1 AND idx = 2"

# (id, SQL, exit codes, text the message must hold)
CASES: list[tuple[str, tuple[str, ...], set[int], str]] = [
    ("integer-in-proof", (f"UPDATE nodes SET proof = 3900000000 WHERE {NODE}",), {1}, "proof"),
    ("text-hash", (f"UPDATE nodes SET hash = hex(hash) WHERE {LEAF}",), {1}, "hash is text"),
    (
        "text-commitment",
        (f"UPDATE nodes SET commitment = hex(commitment) WHERE {NODE}",),
        {1},
        "commitment is text",
    ),
    (
        "long-proof",
        (f"UPDATE nodes SET proof = CAST(proof || x'00' AS BLOB) WHERE {NODE}",),
        {1},
        "range proof is blob",
    ),
    (
        "huge-proof",
        (f"UPDATE nodes SET proof = zeroblob({4 * MAX_VALUE_BYTES}) WHERE {NODE}",),
        {1},
        "range proof is blob",
    ),
    (
        "short-hash",
        (f"UPDATE nodes SET hash = substr(hash, 1, 31) WHERE {LEAF}",),
        {1},
        "hash is blob of length 31",
    ),
    ("null-proof", (f"UPDATE nodes SET proof = NULL WHERE {NODE}",), {1}, "range proof is NULL"),
    (
        "null-hash",
        ("LOOSEN", f"UPDATE nodes SET hash = NULL WHERE {LEAF}"),
        {1},
        "hash is NULL",
    ),
    (
        "null-leaf-count",
        ("LOOSEN", "UPDATE assets SET leaf_count = NULL WHERE asset = 'ETH'"),
        {1},
        "leaf_count",
    ),
    (
        "null-meta",
        ("LOOSEN", "UPDATE meta SET value = NULL WHERE key = 'round_id'"),
        {1},
        "round_id",
    ),
    ("text-index", ("LOOSEN", f"UPDATE nodes SET idx = 'x' WHERE {LEAF}"), {1}, "node 3"),
    (
        "blob-index-last",
        ("LOOSEN", "UPDATE nodes SET idx = x'3135' WHERE asset = 'BTC' AND level = 0 AND idx = 15"),
        {1},
        "index is blob",
    ),
    (
        "real-index",
        ("LOOSEN", f"UPDATE nodes SET idx = 3.5 WHERE {LEAF}"),
        {1},
        "",
    ),
    ("negative-leaf-count", ("UPDATE assets SET leaf_count = -1 WHERE asset = 'BTC'",), {1}, ""),
    (
        "huge-leaf-count",
        ("UPDATE assets SET leaf_count = 9223372036854775807 WHERE asset = 'BTC'",),
        {1},
        "depth",
    ),
    ("bad-decimals", ("UPDATE assets SET decimals = 99 WHERE asset = 'BTC'",), {1}, "decimals"),
    (
        "blob-asset",
        ("UPDATE assets SET asset = x'1b5b326a' WHERE asset = 'BTC'",),
        {1},
        "asset must be",
    ),
    (
        "escape-in-round",
        ("UPDATE meta SET value = 'r' || char(27) || '[2J' WHERE key = 'round_id'",),
        {1},
        "round id contains a control character",
    ),
    ("blob-arity", ("UPDATE meta SET value = x'34' WHERE key = 'arity'",), {1}, "meta arity"),
    ("missing-nodes", ("DROP TABLE nodes",), {2}, "no table nodes"),
    ("missing-meta", ("DROP TABLE meta",), {2}, "no table meta"),
    ("dropped-proof-column", ("ALTER TABLE nodes DROP COLUMN proof",), {2}, "no column proof"),
    ("dropped-depth-column", ("ALTER TABLE assets DROP COLUMN depth",), {2}, "no column depth"),
    (
        "view-for-nodes",
        (
            "ALTER TABLE nodes RENAME TO real_nodes",
            "CREATE VIEW nodes AS SELECT * FROM real_nodes",
        ),
        {2},
        "not a plain table",
    ),
    (
        "generated-proof",
        (
            "ALTER TABLE nodes RENAME TO real_nodes",
            "CREATE TABLE nodes(asset, level, idx, hash, commitment, "
            "proof GENERATED ALWAYS AS (zeroblob(900000000)) VIRTUAL)",
            "INSERT INTO nodes SELECT asset, level, idx, hash, commitment FROM real_nodes",
        ),
        {2},
        "no column proof",
    ),
    (
        "extra-leaf",
        (
            "INSERT INTO nodes SELECT asset, level, 16, hash, commitment, proof, tag FROM nodes "
            f"WHERE {LEAF}",
        ),
        {1},
        "nodes has 43 rows",
    ),
    (
        "extra-asset-rows",
        (
            "INSERT INTO nodes SELECT 'XYZ', level, idx, hash, commitment, proof, tag FROM nodes "
            f"WHERE {LEAF}",
        ),
        {1},
        "rows",
    ),
    ("missing-leaf", (f"DELETE FROM nodes WHERE {LEAF}",), {1}, ""),
    (
        "duplicate-leaf",
        (
            "LOOSEN",
            "DELETE FROM nodes WHERE asset = 'BTC' AND level = 0 AND idx = 4",
            f"INSERT INTO nodes SELECT * FROM nodes WHERE {LEAF}",
        ),
        {1},
        "node 4",
    ),
    (
        "node-hash-changed",
        (f"UPDATE nodes SET hash = zeroblob(32) WHERE {NODE}",),
        {1},
        "hash does not match",
    ),
    (
        "leaf-commitment-swapped",  # found in a worker process
        (
            "UPDATE nodes SET commitment = (SELECT commitment FROM nodes WHERE asset = 'BTC' "
            f"AND level = 0 AND idx = 7) WHERE {LEAF}",
        ),
        {1},
        "not the sum",
    ),
    (
        "proof-swapped",  # found by the batch verification in a worker process
        (
            "UPDATE nodes SET proof = (SELECT proof FROM nodes WHERE asset = 'BTC' AND level = 1 "
            f"AND idx = 1) WHERE {NODE}",
        ),
        {1},
        "asset BTC, level 1",
    ),
]


@pytest.mark.parametrize(
    ("sql", "codes", "needle"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_hostile_cells_rows_and_tables(
    good: Path, tmp_path: Path, sql: tuple[str, ...], codes: set[int], needle: str
) -> None:
    path = mutated(good, tmp_path, *sql)
    assert_clean_failure(audit_cli(path, "--workers", "1"), path, codes, needle)


def test_integer_proof_under_memory_limit(good: Path, tmp_path: Path) -> None:
    """The 3.9 GB case: an integer where a node's proof belongs, audited with 1.5 GB of
    address space (the old auditor called bytes(3900000000))."""
    path = mutated(good, tmp_path, f"UPDATE nodes SET proof = 3900000000 WHERE {NODE}")
    r = audit_cli(path, "--workers", "1", limit=MEMORY_LIMIT)
    assert_clean_failure(r, path, {1}, "range proof is integer")
    ok = audit_cli(good / "audit.sqlite", "--workers", "1", limit=MEMORY_LIMIT)
    assert ok.returncode == 0, ok.stderr  # the limit itself leaves room for an honest audit


def corrupt_bytes(data: bytes) -> bytes:
    mid = len(data) // 2
    return data[:mid] + b"\xa5" * 4096 + data[mid + 4096 :]


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("truncated", lambda data: data[: len(data) // 2]),
        ("truncated-header", lambda data: data[:60]),
        ("damaged-pages", corrupt_bytes),
        ("not-sqlite", lambda data: b"this is not a database\n" * 300),
        ("empty", lambda data: b""),
    ],
)
def test_damaged_files(
    good: Path, tmp_path: Path, name: str, make: Callable[[bytes], bytes]
) -> None:
    path = tmp_path / "audit.sqlite"
    path.write_bytes(make((good / "audit.sqlite").read_bytes()))
    r = audit_cli(path, "--workers", "1")
    assert_clean_failure(r, path, {1, 2})


def test_damaged_pages_in_a_bundle_directory(good: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "b"
    shutil.copytree(good, bundle)
    audit = bundle / "audit.sqlite"
    audit.write_bytes(corrupt_bytes(audit.read_bytes()))
    assert_clean_failure(audit_cli(bundle, "--workers", "2"), audit, {1, 2})


def test_auditor_never_writes(good: Path, tmp_path: Path) -> None:
    """A file left in WAL mode with a hot journal beside it: the auditor (read-only,
    immutable) neither changes the file nor creates -wal, -shm or -journal files."""
    path = mutated(good, tmp_path, "PRAGMA journal_mode = WAL")
    (tmp_path / "audit.sqlite-journal").write_bytes(
        b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + bytes(504)
    )
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    r = audit_cli(path, "--workers", "1")
    assert r.returncode == 0, r.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_in_process_errors_are_typed(good: Path, tmp_path: Path) -> None:
    """The library raises the same clean errors (the CLI only renders them)."""
    path = mutated(good, tmp_path, f"UPDATE nodes SET proof = 3900000000 WHERE {NODE}")
    with pytest.raises(VerificationError, match="range proof is integer") as exc:
        audit_bundle(path, executor=ThreadPoolExecutor(1))
    assert str(path) in str(exc.value)
    path.write_bytes(b"junk" * 100)
    with pytest.raises(InputError, match="unreadable audit file"):
        audit_bundle(path, executor=ThreadPoolExecutor(1))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.data())
def test_random_byte_flips(good: Path, tmp_path: Path, data: st.DataObject) -> None:
    """Random byte flips anywhere in the file: the audit passes (the flip hit unused space)
    or raises VerificationError / InputError, nothing else."""
    raw = bytearray((good / "audit.sqlite").read_bytes())
    for _ in range(data.draw(st.integers(1, 4), label="flips")):
        pos = data.draw(st.integers(0, len(raw) - 1), label="position")
        raw[pos] ^= data.draw(st.integers(1, 255), label="xor")
    path = tmp_path / "flipped.sqlite"
    path.write_bytes(bytes(raw))
    with ThreadPoolExecutor(1) as pool:
        try:
            audit_bundle(path, executor=pool)
        except (VerificationError, InputError) as exc:
            assert str(path) in str(exc)
            assert "\n" not in str(exc)


def test_a_malformed_schema_is_named_on_one_line(good: Path, tmp_path: Path) -> None:
    """SQLite quotes a malformed table's CREATE statement, line breaks included (found by
    test_random_byte_flips): the error stays one line, naming the file."""
    path = tmp_path / "schema.sqlite"
    shutil.copy(good / "audit.sqlite", path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = 'CREATE TABLE nodes(asset TEXT, ''evel INTEGER,\n  "
        "idx INTEGER,\n  hash BLOB)' WHERE name = 'nodes'"
    )
    conn.close()
    with ThreadPoolExecutor(1) as pool, pytest.raises((InputError, VerificationError)) as info:
        audit_bundle(path, executor=pool)
    message = str(info.value)
    assert str(path) in message and "\n" not in message, message
