"""Inputs for the browser benchmark: a synthesized 1M-customer inclusion proof (one asset,
arity 16, depth 5: leaf 0's path with fresh sibling commitments and real range proofs, as
benchmarks/liabilities.py synthesizes it) and a manifest for it (one signed Bitcoin reserve
address, a solvency proof bound to the statement digest). Writes OUT/{proof.json,
proof.zkpi, manifest.json, digest}. Run with the repo's Python: python web/bench/synth.py OUT
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from pathlib import Path

from zkpor.crypto.generators import generator_digest
from zkpor.crypto.group import N, active_backend
from zkpor.crypto.pedersen import Opening, commit
from zkpor.crypto.rangeproof import prove
from zkpor.formats.amounts import format_units
from zkpor.formats.manifest import (
    MANIFEST_FORMAT,
    Manifest,
    manifest_digest,
    solvency_context,
    statement_digest,
)
from zkpor.formats.models import (
    INCLUSION_FORMAT,
    AssetInclusion,
    ChildNode,
    InclusionProof,
    PathStep,
)
from zkpor.formats.zkpi import encode_inclusion
from zkpor.protocol.sumtree import (
    NO_TAG_BYTES,
    child_chunks,
    children_of,
    leaf_hash,
    level_sizes,
    node_hash,
)
from zkpor.prover.solvency import prove_solvency
from zkpor.reserves.message import ownership_message
from zkpor.reserves.signing import bitcoin_address, sign_bitcoin

ROUND, EXCHANGE, ASSET, DECIMALS, USER = "bench-1m", "Bench Exchange", "BTC", 8, "user-00000000"


def synth(customers: int, arity: int, rng: random.Random) -> tuple[InclusionProof, dict, Opening]:
    leaf_count = max(256, -(-customers // 256) * 256)
    sizes = level_sizes(leaf_count, arity)
    units, blinding, salt = rng.randrange(1, 10**9), rng.randrange(1, N), rng.randbytes(32)
    c = commit(units, blinding)
    cur = (leaf_hash(ROUND, ASSET, salt, USER, c.to_bytes()), c, units, blinding)
    steps, index = [], 0
    for level in range(1, len(sizes)):
        parent = index // arity
        nodes = []
        for pos in children_of(parent, sizes[level - 1], arity):
            if pos == index:
                nodes.append(cur)
            else:
                v, r = rng.randrange(2**40), rng.randrange(1, N)
                nodes.append((rng.randbytes(32), commit(v, r), v, r))
        proofs, off = [], 0
        for m in child_chunks(len(nodes)):
            part = nodes[off : off + m]
            off += m
            proofs.append(prove([n[2] for n in part], [n[3] for n in part], 64).to_bytes().hex())
        children = [(n[0], n[1].to_bytes()) for n in nodes]
        steps.append(
            PathStep(
                level=level,
                index=parent,
                children=[ChildNode(hash=h.hex(), commitment=cb.hex()) for h, cb in children],
                proofs=proofs,
            )
        )
        total = active_backend().Point.sum(n[1] for n in nodes)
        # level 1: the leaves' margin tags (7.4), all none in a round without debts
        tags = [NO_TAG_BYTES] * len(children) if level == 1 else None
        cur = (node_hash(ROUND, ASSET, level, children, tags), total, sum(n[2] for n in nodes),
               sum(n[3] for n in nodes) % N)  # fmt: skip
        index = parent
    entry = AssetInclusion(
        asset=ASSET, decimals=DECIMALS, amount=format_units(units, DECIMALS), units=str(units),
        blinding=f"{blinding:064x}", salt=salt.hex(), leaf_index=0, leaf_count=leaf_count,
        path=steps,
    )  # fmt: skip
    proof = InclusionProof(
        format=INCLUSION_FORMAT, round_id=ROUND, user_id=USER, arity=arity, assets=[entry]
    )
    root = {
        "decimals": DECIMALS, "leaf_count": leaf_count, "depth": len(sizes) - 1,
        "root_hash": cur[0].hex(), "root_commitment": cur[1].to_bytes().hex(),
    }  # fmt: skip
    return proof, root, Opening(cur[2], cur[3])


def main(out: Path) -> None:
    rng = random.Random(2026)
    proof, root, opening = synth(1_000_000, 16, rng)
    secret = hashlib.sha256(b"bench-btc0").digest()
    address = bitcoin_address(secret, "p2wpkh")
    reserves_units = opening.value + 10**8
    balance = format_units(reserves_units, DECIMALS)
    signature = sign_bitcoin(secret, ownership_message(EXCHANGE, ROUND, address), "p2wpkh")
    data = {
        "format": MANIFEST_FORMAT, "exchange": EXCHANGE, "round_id": ROUND,
        "created": "2026-12-01T00:00:00Z",
        "parameters": {
            "curve": "secp256k1", "hash": "SHA-256",
            "hash_to_curve": "secp256k1_XMD:SHA-256_SSWU_RO_",
            "generator_digest": generator_digest().hex(), "arity": 16, "range_bits": 64,
        },
        "assets": {ASSET: {**root, "reserves": {
            "chain": "bitcoin", "block_height": 880000, "block_hash": None, "total": balance,
            "total_units": str(reserves_units),
            "addresses": [{"address": address, "balance": balance, "signature": signature}],
        }, "solvency": {"min_ratio": "1/1", "proof": "00", "liabilities": None}}},
    }  # fmt: skip
    statement = statement_digest(Manifest.model_validate(data))
    sp = prove_solvency(reserves_units, opening, 1, 1, asset=ASSET,
                        context=solvency_context(statement, ASSET))  # fmt: skip
    data["assets"][ASSET]["solvency"]["proof"] = sp.to_bytes().hex()
    manifest = Manifest.model_validate(data, strict=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "proof.json").write_text(json.dumps(proof.model_dump(mode="json"), indent=1) + "\n")
    (out / "proof.zkpi").write_bytes(encode_inclusion(proof))
    (out / "manifest.json").write_text(
        json.dumps(manifest.model_dump(mode="json"), indent=2) + "\n"
    )
    (out / "digest").write_text(manifest_digest(manifest) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
