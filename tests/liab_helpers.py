"""Helpers for the liabilities tests: small bundles and hand-built (malicious) trees."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import sqlite3
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path

from zkpor.crypto.generators import generators
from zkpor.crypto.group import N
from zkpor.crypto.pedersen import commit
from zkpor.crypto.rangeproof.testing import prove_unchecked
from zkpor.formats.models import (
    AssetInclusion,
    AssetRoot,
    ChildNode,
    InclusionProof,
    PathStep,
    Roots,
)
from zkpor.protocol.sumtree import children_of, leaf_hash, level_sizes, split_child_proofs
from zkpor.prover.liabilities.build import LevelNode, build_levels
from zkpor.prover.liabilities.export import BundleReader
from zkpor.prover.liabilities.inputs import parse_amount
from zkpor.prover.liabilities.prover import (
    ProveOptions,
    ProverHooks,
    ProveSummary,
    prove_liabilities,
)
from zkpor.verify import audit_bundle, verify_inclusion

from .conftest import run_zkpor as zkpor  # noqa: F401  (re-exported; the runner lives in conftest)

SECRET = bytes(range(32))
NONCE = bytes(range(32, 64))  # a fixed run nonce, for tests that compare two runs' trees
FIXED_NONCE = ProverHooks(run_nonce=NONCE)  # the hooks of a fresh run with that nonce
PROVE_BASE = ["prove", "--balances", "balances.csv", "--assets", "assets.json", "--secret", "s.key"]
ASSETS_JSON = '{"assets": [{"symbol": "BTC", "decimals": 8}, {"symbol": "ETH", "decimals": 6}]}'


def write_inputs(
    tmp: Path, rows: list[tuple[str, str, str]], assets: str = ASSETS_JSON
) -> tuple[Path, Path]:
    csv_path = tmp / "balances.csv"
    csv_path.write_text("user_id,asset,amount\n" + "".join(f"{u},{a},{m}\n" for u, a, m in rows))
    assets_path = tmp / "assets.json"
    assets_path.write_text(assets)
    return csv_path, assets_path


def sample_rows(users: int, seed: int = 1) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(users):
        rows.append((f"user{i:03d}", "BTC", f"{rng.randrange(0, 10**9) / 10**8:.8f}"))
        if i % 3 == 0:
            rows.append(
                (f"user{i:03d}", "ETH", f"{rng.randrange(0, 10**9)}.{rng.randrange(10**6):06d}")
            )
    return rows


_OPTION_FIELDS = {f.name for f in dataclasses.fields(ProveOptions)} - {"round_id"}


def run_prove(
    tmp: Path,
    rows: list[tuple[str, str, str]],
    *,
    out: str = "bundle",
    round_id: str = "2026-11",
    executor: Executor | None = None,
    secret: bytes = SECRET,
    **kwargs: object,
) -> ProveSummary:
    csv_path, assets_path = write_inputs(tmp, rows)
    options: dict[str, object] = {"arity": 4, "pad_granularity": 16, "chunk_height": 1}
    options.update({k: kwargs.pop(k) for k in _OPTION_FIELDS & kwargs.keys()})
    opts = ProveOptions(round_id=round_id, **options)  # type: ignore[arg-type]
    if executor is None:
        with ThreadPoolExecutor(2) as ex:
            return prove_liabilities(csv_path, assets_path, secret, opts, tmp / out, ex, **kwargs)  # type: ignore[arg-type]
    return prove_liabilities(csv_path, assets_path, secret, opts, tmp / out, executor, **kwargs)  # type: ignore[arg-type]


DECIMALS = {"BTC": 8, "ETH": 6}  # of the assets write_inputs declares


def csv_totals(rows: list[tuple[str, str, str]]) -> dict[str, int]:
    totals = dict.fromkeys(DECIMALS, 0)
    for _, asset, amount in rows:
        totals[asset] += parse_amount(amount, DECIMALS[asset])
    return totals


def check_published(bundle: Path, rows: list[tuple[str, str, str]]) -> Roots:
    """The bundle audits; every customer verifies with their CSV amount and appears once per
    asset; each root opening is the CSV total (nothing counted twice, nothing lost)."""
    roots = Roots.model_validate_json((bundle / "roots.json").read_text())
    audit_bundle(bundle, roots=roots, workers=1)
    expected = {(u, a): parse_amount(m, DECIMALS[a]) for u, a, m in rows}
    seen: list[tuple[str, str]] = []
    reader = BundleReader(bundle)
    try:
        for user in reader.users():
            proof = reader.inclusion_proof(user)
            verify_inclusion(proof, roots.assets, round_id=roots.round_id, arity=roots.arity)
            for entry in proof.assets:
                assert int(entry.units) == expected[(user, entry.asset)]
                seen.append((user, entry.asset))
    finally:
        reader.close()
    assert sorted(seen) == sorted(expected)
    conn = sqlite3.connect(bundle / "private" / "private.sqlite")
    openings = dict(conn.execute("SELECT asset, value FROM root_openings").fetchall())
    conn.close()
    assert {a: int(v) for a, v in openings.items()} == csv_totals(rows)
    return roots


def synthetic_path(
    values: list[int],
    *,
    arity: int = 4,
    leaf_count: int | None = None,
    round_id: str = "r",
    asset: str = "BTC",
    malicious: bool = False,
) -> tuple[InclusionProof, dict[str, AssetRoot]]:
    """An inclusion proof for leaf 0 of a tree whose level-0 siblings hold ``values[1:]``
    (values may be "negative", i.e. n - x). Higher-level siblings are fresh commitments to
    small values. ``malicious`` makes range proofs without the range check, as a cheating
    exchange would. Returns (proof, roots)."""
    gens = generators()
    count = leaf_count or len(values)
    sizes = level_sizes(count, arity)
    rng = random.Random(7)

    def unchecked(vals: list[int], blinds: list[int]) -> bytes:
        return prove_unchecked(vals, blinds, 64, rng=None, gens=gens).to_bytes()

    salt = hashlib.sha256(b"salt").digest()
    user = "alice"
    steps: list[PathStep] = []
    level_nodes: list[LevelNode] = []
    for i, v in enumerate(values[: len(children_of(0, sizes[0], arity))]):
        r = rng.randrange(1, N)
        c = commit(v, r, gens)
        h = leaf_hash(round_id, asset, salt, user, c.to_bytes()) if i == 0 else rng.randbytes(32)
        level_nodes.append(LevelNode(h, c, v, r))
    user_blinding = level_nodes[0].blinding
    for level in range(1, len(sizes)):
        built, proofs = build_levels(
            round_id,
            asset,
            arity,
            tuple(sizes),
            level - 1,
            0,
            level_nodes,
            level,
            prove_chunk=unchecked if malicious else None,
        )
        steps.append(
            PathStep(
                level=level,
                index=0,
                children=[
                    ChildNode(hash=n.hash.hex(), commitment=n.commitment.to_bytes().hex())
                    for n in level_nodes
                ],
                proofs=_split(proofs[0][0], len(level_nodes)),
            )
        )
        node = built[0][0]
        if level + 1 < len(sizes):
            siblings = []
            for _ in range(len(children_of(0, sizes[level], arity)) - 1):
                v = rng.randrange(0, 1000)
                r = rng.randrange(1, N)
                siblings.append(LevelNode(rng.randbytes(32), commit(v, r, gens), v, r))
            level_nodes = [node, *siblings]
        else:
            level_nodes = [node]
    root = level_nodes[0]
    entry = AssetInclusion(
        asset=asset,
        decimals=8,
        amount=_fmt(values[0]),
        units=str(values[0]),
        blinding=f"{user_blinding:064x}",
        salt=salt.hex(),
        leaf_index=0,
        leaf_count=count,
        path=steps,
    )
    proof = InclusionProof(
        format="zkpor-inclusion-v2", round_id=round_id, user_id=user, arity=arity, assets=[entry]
    )
    roots = {
        asset: AssetRoot(
            decimals=8,
            leaf_count=count,
            depth=len(sizes) - 1,
            root_hash=root.hash.hex(),
            root_commitment=root.commitment.to_bytes().hex(),
        )
    }
    return proof, roots


def _fmt(units: int) -> str:
    from zkpor.verify.inclusion import format_units

    return format_units(units, 8)


def _split(blob: bytes, count: int) -> list[str]:
    return [part.hex() for _, part in split_child_proofs(blob, count)]


def make_reserves(
    tmp: Path,
    exchange: str,
    round_id: str,
    amounts: dict[str, list[str]],
    *,
    name: str = "reserves.json",
) -> Path:
    """A reserves snapshot with real keys and signatures: BTC-like assets on bitcoin (one
    address of each kind, cycling), others on ethereum; one address per listed balance."""
    from zkpor.reserves.message import ownership_message
    from zkpor.reserves.signing import (
        bitcoin_address,
        ethereum_address,
        sign_bitcoin,
        sign_ethereum,
    )

    assets = []
    counter = 1
    for asset, balances in amounts.items():
        addresses = []
        for i, balance in enumerate(balances):
            secret = hashlib.sha256(f"{asset}-{counter}".encode()).digest()
            counter += 1
            if asset == "BTC":
                kind = ("p2wpkh", "p2pkh", "p2sh-p2wpkh")[i % 3]
                addr = bitcoin_address(secret, kind)
                sig = sign_bitcoin(secret, ownership_message(exchange, round_id, addr), kind)
            else:
                addr = ethereum_address(secret)
                sig = sign_ethereum(secret, ownership_message(exchange, round_id, addr))
            addresses.append({"address": addr, "balance": balance, "signature": sig})
        assets.append(
            {
                "asset": asset,
                "chain": "bitcoin" if asset == "BTC" else "ethereum",
                "block_height": 870000 if asset == "BTC" else 21000000,
                "addresses": addresses,
            }
        )
    path = tmp / name
    path.write_text(
        json.dumps(
            {
                "format": "zkpor-reserves-v1",
                "exchange": exchange,
                "round_id": round_id,
                "assets": assets,
            },
            indent=1,
        )
    )
    return path
