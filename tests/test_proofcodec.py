"""The binary inclusion-proof encoding: round trip, strict decoding, CLI use."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from zkpor.errors import EncodingError
from zkpor.formats.zkpi import decode_inclusion, encode_inclusion
from zkpor.prover.liabilities.export import BundleReader
from zkpor.verify.inclusion import verify_inclusion

from .conftest import run_zkpor
from .liab_helpers import synthetic_path


@pytest.fixture(scope="module")
def bundle(make_round: Callable[..., Path]) -> Path:
    return make_round(24, name="codec", arity=8)


def test_round_trip_and_verify(bundle: Path) -> None:
    reader = BundleReader(bundle)
    try:
        for user in list(reader.users())[:6]:
            proof = reader.inclusion_proof(user)
            data = encode_inclusion(proof)
            assert decode_inclusion(data) == proof
            assert len(data) < 0.5 * len(proof.model_dump_json())
            verify_inclusion(
                decode_inclusion(data), reader.roots.assets, round_id="2026-11", arity=8
            )
    finally:
        reader.close()


def test_size_at_one_million_customers() -> None:
    """The encoding of a (synthesized) proof at the depth of 1M customers, arity 16."""
    proof, roots = synthetic_path([5] * 16, arity=16, leaf_count=1_000_192)
    verify_inclusion(proof, roots, round_id="r", arity=16)
    assert len(encode_inclusion(proof)) <= 12_000


def test_strict_decoding(bundle: Path) -> None:
    reader = BundleReader(bundle)
    try:
        proof = reader.inclusion_proof("user003")
    finally:
        reader.close()
    data = encode_inclusion(proof)
    for bad in (
        data[:-1],
        data + b"\x00",
        b"ZKPX" + data[4:],
        data[:4] + b"\x02" + data[5:],
        data[:20],
        b"",
    ):
        with pytest.raises((EncodingError, ValueError)):
            decode_inclusion(bad)
    # any changed byte is either refused by the decoder or by the verifier
    from zkpor.errors import VerificationError

    step = max(1, len(data) // 60)
    for pos in range(0, len(data), step):
        bad = bytearray(data)
        bad[pos] ^= 0x01
        try:
            decoded = decode_inclusion(bytes(bad))
        except (EncodingError, ValueError):
            continue
        with pytest.raises(VerificationError):
            verify_inclusion(
                decoded, BundleReader(bundle).roots.assets, round_id="2026-11", arity=8
            )


def test_cli_binary_export_and_verify(bundle: Path, tmp_path: Path) -> None:
    def zkpor(*args: str) -> subprocess.CompletedProcess[str]:
        return run_zkpor(*args, cwd=tmp_path)

    r = zkpor("export", str(bundle), "--user", "user003", "--format", "binary")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "user003.zkpi").read_bytes().startswith(b"ZKPI")
    r = zkpor("verify", "user", "user003.zkpi", "--roots", str(bundle / "roots.json"))
    assert r.returncode == 0, r.stderr
    (tmp_path / "cut.zkpi").write_bytes((tmp_path / "user003.zkpi").read_bytes()[:-3])
    r = zkpor("verify", "user", "cut.zkpi", "--roots", str(bundle / "roots.json"))
    assert r.returncode == 2 and "truncated" in r.stderr and "Traceback" not in r.stderr
    (tmp_path / "junk.bin").write_bytes(b"\xff\xfe\x00")
    r = zkpor("verify", "user", "junk.bin", "--roots", str(bundle / "roots.json"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = zkpor("export", str(bundle), "--all", "--out", "all", "--format", "binary")
    assert r.returncode == 0 and len(list((tmp_path / "all").glob("*.zkpi"))) == 24
    r = zkpor("export", str(bundle), "--user", "user003", "--format", "xml")
    assert r.returncode == 2
