"""Computations the vector generator and checker share: what a test's outputs are.

The generator records these values and the checker recomputes them with the same code
paths of zkpor (hash-to-curve internals, generator messages, the transcript's framing of
docs/spec/transcript.md section 5, seeded range-proof traces, a whole tree's levels and openings).
"""

from __future__ import annotations

import hashlib

from zkpor.crypto.drbg import SeededRandom
from zkpor.crypto.generators import (
    DIGEST_LABEL,
    G_VECTOR_PREFIX,
    GENERATOR_DST,
    H_MESSAGE,
    H_VECTOR_PREFIX,
    GeneratorSet,
)
from zkpor.crypto.group import (
    IDENTITY_ENCODING,
    SUITE_ID,
    N,
    Point,
    hash_to_curve,
    hash_to_field,
    scalar_from_bytes,
)
from zkpor.crypto.group.hash_to_curve import map_to_curve
from zkpor.crypto.rangeproof import RangeProof
from zkpor.crypto.rangeproof.prover import prove
from zkpor.crypto.rangeproof.statement import delta
from zkpor.crypto.transcript import TRANSCRIPT_DOMAIN, Transcript
from zkpor.errors import VerificationError
from zkpor.vectors.checkbase import Json, MalformedTest, _decimal, _get, _hex, _obj, _str
from zkpor.vectors.common import hexpt, hexsc
from zkpor.vectors.tree import Tree

__all__ = [
    "generator_digest_preimage",
    "generator_outputs",
    "hash_to_curve_outputs",
    "replay_transcript",
    "trace_proof",
    "tree_outputs",
]


def _record(tag: bytes, label: bytes, data: bytes) -> bytes:
    return tag + len(label).to_bytes(4, "big") + label + len(data).to_bytes(8, "big") + data


def _encode_affine(xy: tuple[int, int] | None, pt: type[Point]) -> str:
    return IDENTITY_ENCODING.hex() if xy is None else hexpt(pt.from_affine(*xy))


# --- shared computations (also used by the generator) ------------------------------------


def hash_to_curve_outputs(msg: bytes, dst: bytes, pt: type[Point]) -> Json:
    """u0, u1 (hash_to_field), Q0, Q1 (map_to_curve) and P = hash_to_curve(msg)."""
    u0, u1 = hash_to_field(msg, dst, 2)
    return {
        "u0": f"{u0:064x}",
        "u1": f"{u1:064x}",
        "q0": _encode_affine(map_to_curve(u0), pt),
        "q1": _encode_affine(map_to_curve(u1), pt),
        "p": hexpt(hash_to_curve(msg, dst, pt)),
    }


def generator_outputs(name: str, index: int | None, gens: GeneratorSet) -> Json:
    """The message hashed for one generator and its encoding, cross-checked against the
    generator set's own (cached) points where it has them."""
    pt = gens.point_type
    if name == "G":
        if index is not None:
            raise MalformedTest("G has no index")
        return {"msg": None, "point": hexpt(pt.generator())}
    if name == "H":
        if index is not None:
            raise MalformedTest("H has no index")
        point = hash_to_curve(H_MESSAGE, GENERATOR_DST, pt)
        if point != gens.H:
            raise VerificationError("H differs from the generator set's")
        return {"msg": H_MESSAGE.hex(), "point": hexpt(point)}
    if name not in ("G_i", "H_i") or index is None or not 0 <= index < 2**32:
        raise MalformedTest(f"unknown generator {name!r} / index {index!r}")
    prefix = G_VECTOR_PREFIX if name == "G_i" else H_VECTOR_PREFIX
    msg = prefix + index.to_bytes(4, "big")
    point = hash_to_curve(msg, GENERATOR_DST, pt)
    if index < 1024:  # the part of the set range proofs of these vectors use
        cached = gens.vector_g(index) if name == "G_i" else gens.vector_h(index)
        if cached != point:
            raise VerificationError(f"{name}[{index}] differs from the generator set's")
    return {"msg": msg.hex(), "point": hexpt(point)}


def generator_digest_preimage(gens: GeneratorSet) -> bytes:
    """The bytes whose SHA-256 is the generator digest (docs/spec/group-and-commitments.md section 3)."""
    parts = [DIGEST_LABEL, SUITE_ID, GENERATOR_DST, H_MESSAGE, G_VECTOR_PREFIX, H_VECTOR_PREFIX]
    out = b"".join(len(p).to_bytes(4, "big") + p for p in parts)
    for point in (gens.G, gens.H, gens.vector_g(0), gens.vector_h(0)):
        out += point.to_bytes()
    return out


def replay_transcript(
    domain: bytes, protocol: bytes, operations: list[object], pt: type[Point]
) -> Json:
    """Run the operations through :class:`~zkpor.crypto.transcript.Transcript` and, alongside,
    frame the absorbed bytes as docs/spec/transcript.md section 5 specifies; returns the operations
    with each challenge's ``digest`` and ``challenge`` filled in, and ``absorbed``.

    Raises what the transcript raises for a refused operation, and VerificationError when
    the transcript's challenge is not the specified one."""
    if domain != TRANSCRIPT_DOMAIN:
        raise VerificationError("transcript domain differs from this implementation's")
    t = Transcript(protocol)
    absorbed = _record(b"I", domain, protocol)
    out: list[Json] = []
    for raw in operations:
        op = _obj(raw, "operation")
        kind = _str(op, "op")
        label = _hex(op, "label")
        if kind == "message":
            data = _hex(op, "data")
            t.append_message(label, data)
            absorbed += _record(b"M", label, data)
            out.append({"op": kind, "label": label.hex(), "data": data.hex()})
        elif kind == "u64":
            value = _decimal(_get(op, "value"), "u64 value")
            t.append_u64(label, value)
            absorbed += _record(b"M", label, value.to_bytes(8, "big"))
            out.append({"op": kind, "label": label.hex(), "value": str(value)})
        elif kind == "scalar":
            raw_s = _hex(op, "value")
            scalar = scalar_from_bytes(raw_s)
            t.append_scalar(label, scalar)
            absorbed += _record(b"M", label, raw_s)
            out.append({"op": kind, "label": label.hex(), "value": raw_s.hex()})
        elif kind == "point":
            point = pt.from_bytes(_hex(op, "point"), allow_identity=True)
            t.append_point(label, point)
            absorbed += _record(b"M", label, point.to_bytes())
            out.append({"op": kind, "label": label.hex(), "point": hexpt(point)})
        elif kind == "challenge":
            c = t.challenge_scalar(label)
            absorbed += _record(b"C", label, b"")
            digest = hashlib.sha512(absorbed).digest()
            absorbed += digest
            if int.from_bytes(digest, "big") % N != c:
                raise VerificationError("challenge differs from the specified framing")
            out.append(
                {"op": kind, "label": label.hex(), "digest": digest.hex(), "challenge": hexsc(c)}
            )
        else:
            raise MalformedTest(f"unknown transcript operation {kind!r}")
    return {"operations": out, "absorbed": absorbed.hex()}


def trace_proof(
    values: list[int], blindings: list[int], bits: int, seed: bytes, gens: GeneratorSet
) -> tuple[RangeProof, Json]:
    """A seeded range proof and its trace (plus ``delta``, which only the verifier uses)."""
    trace: dict[str, object] = {}
    proof = prove(values, blindings, bits, rng=SeededRandom(seed), gens=gens, trace=trace)
    y = int(str(trace["y"]), 16)
    z = int(str(trace["z"]), 16)
    trace["delta"] = hexsc(delta(bits, len(values), y, z))
    return proof, trace


def tree_outputs(tree: Tree) -> Json:
    """The recorded outputs of a tree test (docs/vectors.md, sumtree.json)."""
    levels: list[list[Json]] = []
    for nodes in tree.levels[1:]:
        levels.append(
            [
                {
                    "hash": n.hash.hex(),
                    "commitment": hexpt(n.commitment),
                    "proofs": [p.hex() for p in n.proofs],
                }
                for n in nodes
            ]
        )
    return {
        "leaf_count": len(tree.leaf_ids),
        "depth": tree.depth,
        "leaves": [
            {
                "leaf_id": leaf_id,
                "units": str(leaf.value),
                "blinding": f"{leaf.blinding:064x}",
                "salt": salt.hex(),
                "placement": placement.hex(),
                "hash": leaf.hash.hex(),
                "commitment": hexpt(leaf.commitment),
            }
            for leaf_id, salt, placement, leaf in zip(
                tree.leaf_ids, tree.salts, tree.placements, tree.levels[0]
            )
        ],
        "levels": levels,
        "root_hash": tree.root.hash.hex(),
        "root_commitment": hexpt(tree.root.commitment),
        "root_opening": {"units": str(tree.root.value), "blinding": f"{tree.root.blinding:064x}"},
    }
