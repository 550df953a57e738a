"""Checking this implementation against the vector files: one checker per file.

For each test the checker runs zkpor's own code on the test's inputs, on a chosen backend:

- a ``valid`` test must be accepted, and every output the checker recomputes (hash-to-curve
  points, commitments, challenges, node hashes, seeded proofs...) must equal the recorded
  one;
- an ``invalid`` test must be rejected: zkpor raises one of its errors (``EncodingError``,
  ``VerificationError``, ``ParameterError``...) or, for a file that does not follow its
  format, pydantic's ``ValidationError`` (a ``ValueError``).

Any other exception (a missing field, a wrong type) is reported as a failure of that test.
A file that cannot be read or does not have the vector-file layout raises ``InputError``.

``reprove_limit`` bounds the seeded proofs the checker re-makes: a proof over ``n * m``
bits is re-made (and compared byte for byte) only when ``n * m <= reprove_limit`` (None: all).
Verification always covers every proof. The test suite uses a limit on the slow reference
backend.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..drbg import SeededRandom
from ..errors import InputError, ParameterError, VerificationError, ZkporError
from ..generators import (
    _DIGEST_LABEL,
    G_VECTOR_PREFIX,
    GENERATOR_DST,
    H_MESSAGE,
    H_VECTOR_PREFIX,
    GeneratorSet,
    generator_digest,
    generators,
)
from ..group import (
    IDENTITY_ENCODING,
    SUITE_ID,
    Backend,
    N,
    Point,
    active_backend,
    expand_message_xmd,
    hash_to_curve,
    hash_to_field,
    scalar_from_bytes,
)
from ..group.hash_to_curve import map_to_curve
from ..pedersen import Opening, commit, verify_opening
from ..rangeproof import RangeProof, proof_size, verify, verify_batch
from ..rangeproof.prover import _prove
from ..rangeproof.statement import delta
from ..sumtree import RANGE_BITS, check_arity, child_chunks, leaf_hash, level_sizes, node_hash
from ..transcript import TRANSCRIPT_DOMAIN, Transcript
from .common import FILE_NAMES, hexpt, hexsc
from .margin import check_margin, check_margin_inclusion
from .r1cs import check_r1cs
from .tree import Tree, build_tree

__all__ = [
    "CheckContext",
    "FileReport",
    "check_data",
    "check_dir",
    "generator_outputs",
    "hash_to_curve_outputs",
    "replay_transcript",
    "trace_proof",
    "using_backend",
]

# What counts as a rejection of an invalid test (ValueError covers pydantic's errors).
REJECTIONS = (ZkporError, ValueError)

Json = dict[str, object]
Checker = Callable[[Json, Json, "CheckContext"], Json]


class MalformedTest(Exception):
    """A test that does not have the fields its file format requires."""


@dataclass
class CheckContext:
    """The backend checked, its generator set, and how many proofs to re-make."""

    backend: Backend
    reprove_limit: int | None = None
    gens: GeneratorSet = field(init=False)

    def __post_init__(self) -> None:
        self.gens = generators(self.backend)

    @property
    def point(self) -> type[Point]:
        return self.backend.Point

    def reprove(self, bits: int, m: int) -> bool:
        return self.reprove_limit is None or bits * m <= self.reprove_limit


@dataclass
class Failure:
    tc_id: int
    comment: str
    reason: str


@dataclass
class FileReport:
    """The outcome of checking one file."""

    name: str
    algorithm: str
    tests: int = 0
    valid: int = 0
    invalid: int = 0
    passed: int = 0
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and self.passed == self.tests

    def to_json(self) -> Json:
        return {
            "file": f"{self.name}.json",
            "algorithm": self.algorithm,
            "tests": self.tests,
            "valid": self.valid,
            "invalid": self.invalid,
            "passed": self.passed,
            "failed": [
                {"tcId": f.tc_id, "comment": f.comment, "reason": f.reason} for f in self.failures
            ],
        }


@contextlib.contextmanager
def using_backend(backend: Backend) -> Iterator[None]:
    """Make ``backend`` the active one for the duration (not thread-safe).

    The inclusion and manifest verifiers work on the active backend, like the CLI; this lets
    a check of the reference backend run in the same process as the fast one.
    """
    from ..group import backend as backend_mod

    saved = backend_mod._active
    backend_mod._active = backend
    try:
        yield
    finally:
        backend_mod._active = saved


# --- small helpers -----------------------------------------------------------------------


def _get(obj: Json, key: str) -> object:
    if key not in obj:
        raise MalformedTest(f"missing field {key!r}")
    return obj[key]


def _str(obj: Json, key: str) -> str:
    v = _get(obj, key)
    if not isinstance(v, str):
        raise MalformedTest(f"field {key!r} must be a string")
    return v


def _int(obj: Json, key: str) -> int:
    v = _get(obj, key)
    if not isinstance(v, int) or isinstance(v, bool):
        raise MalformedTest(f"field {key!r} must be an integer")
    return v


def _hex(obj: Json, key: str) -> bytes:
    text = _str(obj, key)
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise MalformedTest(f"field {key!r} is not hex") from None


def _list(obj: Json, key: str) -> list[object]:
    v = _get(obj, key)
    if not isinstance(v, list):
        raise MalformedTest(f"field {key!r} must be an array")
    return v


def _obj(v: object, what: str) -> Json:
    if not isinstance(v, dict):
        raise MalformedTest(f"{what} must be an object")
    return v


def _decimal(text: object, what: str) -> int:
    """A non-negative integer written in decimal without leading zeros."""
    if not isinstance(text, str) or not text.isdigit() or not text.isascii():
        raise MalformedTest(f"{what} must be a decimal string")
    if len(text) > 1 and text[0] == "0":
        raise ParameterError(f"{what}: leading zero")
    return int(text)


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
    """The bytes whose SHA-256 is the generator digest (docs/spec.md section 3)."""
    parts = [_DIGEST_LABEL, SUITE_ID, GENERATOR_DST, H_MESSAGE, G_VECTOR_PREFIX, H_VECTOR_PREFIX]
    out = b"".join(len(p).to_bytes(4, "big") + p for p in parts)
    for point in (gens.G, gens.H, gens.vector_g(0), gens.vector_h(0)):
        out += point.to_bytes()
    return out


def replay_transcript(
    domain: bytes, protocol: bytes, operations: list[object], pt: type[Point]
) -> Json:
    """Run the operations through :class:`~zkpor.transcript.Transcript` and, alongside,
    frame the absorbed bytes as docs/spec.md section 5 specifies; returns the operations
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
    proof = _prove(
        values, blindings, bits, rng=SeededRandom(seed), gens=gens, check_range=True, trace=trace
    )
    y = int(str(trace["y"]), 16)
    z = int(str(trace["z"]), 16)
    trace["delta"] = hexsc(delta(bits, len(values), y, z))
    return proof, trace


# --- one checker per file ----------------------------------------------------------------


def _check_xmd(group: Json, test: Json, ctx: CheckContext) -> Json:
    out = expand_message_xmd(_hex(test, "msg"), _hex(group, "dst"), _int(test, "len_in_bytes"))
    return {"uniform_bytes": out.hex()}


def _check_h2c(group: Json, test: Json, ctx: CheckContext) -> Json:
    if _str(group, "suite") != SUITE_ID.decode():
        raise MalformedTest("unknown suite")
    return hash_to_curve_outputs(_hex(test, "msg"), _hex(group, "dst"), ctx.point)


def _check_generator(group: Json, test: Json, ctx: CheckContext) -> Json:
    expected = {
        "dst": GENERATOR_DST.hex(),
        "h_message": H_MESSAGE.hex(),
        "g_prefix": G_VECTOR_PREFIX.hex(),
        "h_prefix": H_VECTOR_PREFIX.hex(),
    }
    for key, value in expected.items():
        if _str(group, key) != value:
            raise VerificationError(f"group {key} differs from this implementation's")
    index = _get(test, "index")
    if index is not None and (not isinstance(index, int) or isinstance(index, bool)):
        raise MalformedTest("index must be an integer or null")
    return generator_outputs(_str(test, "name"), index, ctx.gens)


def _check_generator_digest(group: Json, test: Json, ctx: CheckContext) -> Json:
    preimage = generator_digest_preimage(ctx.gens)
    digest = generator_digest()
    if hashlib.sha256(preimage).digest() != digest:
        raise VerificationError("generator digest is not the SHA-256 of its preimage")
    return {"preimage": preimage.hex(), "digest": digest.hex()}


def _check_transcript(group: Json, test: Json, ctx: CheckContext) -> Json:
    if _str(group, "hash") != "SHA-512":
        raise MalformedTest("unknown hash")
    return replay_transcript(
        _hex(group, "domain"), _hex(test, "protocol"), _list(test, "operations"), ctx.point
    )


def _check_pedersen(group: Json, test: Json, ctx: CheckContext) -> Json:
    if _str(group, "g") != hexpt(ctx.gens.G) or _str(group, "h") != hexpt(ctx.gens.H):
        raise VerificationError("group generators differ from this implementation's")
    value = _decimal(_get(test, "value"), "value")
    if value >= N:
        raise ParameterError("value must be below n")
    blinding = scalar_from_bytes(_hex(test, "blinding"))
    commitment = ctx.point.from_bytes(_hex(test, "commitment"))
    verify_opening(commitment, Opening(value, blinding), ctx.gens)
    return {"commitment": hexpt(commit(value, blinding, ctx.gens))}


def _openings(test: Json) -> tuple[list[int], list[int]]:
    values = [_decimal(v, "value") for v in _list(test, "values")]
    blindings = [scalar_from_bytes(bytes.fromhex(str(b))) for b in _list(test, "blindings")]
    return values, blindings


def _commitments(test: Json, m: int, pt: type[Point]) -> list[Point]:
    raw = _list(test, "commitments")
    if len(raw) != m:
        raise MalformedTest(f"group m = {m} but {len(raw)} commitments")
    return [pt.from_bytes(bytes.fromhex(str(c))) for c in raw]


def _check_rangeproof(group: Json, test: Json, ctx: CheckContext) -> Json:
    bits, m = _int(group, "n"), _int(group, "m")
    commitments = _commitments(test, m, ctx.point)
    data = _hex(test, "proof")
    verify(RangeProof.from_bytes(data, ctx.point), commitments, bits)
    if _get(test, "result") != "valid":
        return {}
    if RangeProof.from_bytes(data, ctx.point, bits=bits, m=m).to_bytes() != data:
        raise VerificationError("proof does not re-encode to the same bytes")
    values, blindings = _openings(test)
    out: Json = {"commitments": [hexpt(commit(v, r, ctx.gens)) for v, r in zip(values, blindings)]}
    if ctx.reprove(bits, m):
        rng = SeededRandom(_hex(test, "seed"))
        proof = _prove(values, blindings, bits, rng=rng, gens=ctx.gens, check_range=True)
        out["proof"] = proof.to_bytes().hex()
    return out


def _check_trace(group: Json, test: Json, ctx: CheckContext) -> Json:
    bits, m = _int(group, "n"), _int(group, "m")
    commitments = _commitments(test, m, ctx.point)
    values, blindings = _openings(test)
    proof, trace = trace_proof(values, blindings, bits, _hex(test, "seed"), ctx.gens)
    verify(RangeProof.from_bytes(_hex(test, "proof"), ctx.point), commitments, bits)
    return {
        "commitments": [hexpt(commit(v, r, ctx.gens)) for v, r in zip(values, blindings)],
        "proof": proof.to_bytes().hex(),
        "trace": trace,
    }


def _check_round_keys(group: Json, test: Json, ctx: CheckContext) -> Json:
    from ..liabilities.keys import RoundKeys

    keys = RoundKeys.derive(_hex(test, "master"), _str(test, "round_id"), _hex(test, "run_nonce"))
    asset, leaf_id = _str(test, "asset"), _str(test, "leaf_id")
    return {
        "round_key": keys.round_key.hex(),
        "blinding": f"{keys.blinding(asset, leaf_id):064x}",
        "salt": keys.salt(asset, leaf_id).hex(),
        "placement": keys.placement(asset, leaf_id).hex(),
    }


def _check_leaf_hash(group: Json, test: Json, ctx: CheckContext) -> Json:
    h = leaf_hash(
        _str(test, "round_id"),
        _str(test, "asset"),
        _hex(test, "salt"),
        _str(test, "user_id"),
        _hex(test, "commitment"),
    )
    return {"hash": h.hex()}


def _check_node_hash(group: Json, test: Json, ctx: CheckContext) -> Json:
    children = []
    for raw in _list(test, "children"):
        child = _obj(raw, "child")
        children.append((_hex(child, "hash"), _hex(child, "commitment")))
    h = node_hash(_str(test, "round_id"), _str(test, "asset"), _int(test, "level"), children)
    points = [ctx.point.from_bytes(c) for _, c in children]
    return {"hash": h.hex(), "commitment": hexpt(ctx.point.sum(points))}


def _check_level_sizes(group: Json, test: Json, ctx: CheckContext) -> Json:
    arity = _int(test, "arity")
    check_arity(arity)
    sizes = level_sizes(_int(test, "leaf_count"), arity)
    return {"sizes": sizes, "depth": len(sizes) - 1}


def _check_child_chunks(group: Json, test: Json, ctx: CheckContext) -> Json:
    count = _int(test, "count")
    if not 1 <= count <= 64:
        raise ParameterError("child count must be 1..64")
    chunks = child_chunks(count)
    return {
        "chunks": chunks,
        "proof_sizes": [proof_size((RANGE_BITS * c).bit_length() - 1) for c in chunks],
    }


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


def _check_tree(group: Json, test: Json, ctx: CheckContext) -> Json:
    customers = []
    for raw in _list(test, "customers"):
        c = _obj(raw, "customer")
        customers.append((_str(c, "user_id"), _decimal(_get(c, "units"), "units")))
    arity = _int(test, "arity")
    check_arity(arity)
    reprove = ctx.reprove(RANGE_BITS, arity)
    tree = build_tree(
        master=_hex(test, "master"),
        run_nonce=_hex(test, "run_nonce"),
        round_id=_str(test, "round_id"),
        asset=_str(test, "asset"),
        decimals=_int(test, "decimals"),
        arity=arity,
        granularity=_int(test, "pad_granularity"),
        customers=customers,
        gens=ctx.gens,
        rng=SeededRandom(_hex(test, "seed")) if reprove else None,
    )
    recorded = _list(test, "levels")
    if len(recorded) != tree.depth:
        raise VerificationError("recorded tree has another depth")
    batch: list[tuple[RangeProof | bytes, list[Point], int]] = []
    for level, nodes in enumerate(tree.levels[1:], start=1):
        rec_nodes = recorded[level - 1]
        if not isinstance(rec_nodes, list) or len(rec_nodes) != len(nodes):
            raise VerificationError(f"recorded level {level} has another size")
        for i, node in enumerate(nodes):
            rec_proofs = [
                bytes.fromhex(str(p)) for p in _list(_obj(rec_nodes[i], "node"), "proofs")
            ]
            if not reprove:
                node.proofs = rec_proofs
            kids = tree.levels[level - 1][i * arity : i * arity + arity]
            chunks = child_chunks(len(kids))
            if len(rec_proofs) != len(chunks):
                raise VerificationError(f"level {level} node {i}: wrong number of proofs")
            offset = 0
            for size, proof in zip(chunks, rec_proofs):
                rp = RangeProof.from_bytes(proof, ctx.point, bits=RANGE_BITS, m=size)
                batch.append((rp, [c.commitment for c in kids[offset : offset + size]], RANGE_BITS))
                offset += size
    verify_batch(batch)
    return tree_outputs(tree)


def _check_inclusion(group: Json, test: Json, ctx: CheckContext) -> Json:
    from ..models import InclusionProof, Roots
    from ..verify.inclusion import verify_inclusion

    roots = Roots.model_validate(_get(test, "roots"))
    proof = InclusionProof.model_validate(_get(test, "inclusion"))
    if roots.generator_digest != generator_digest().hex():
        raise VerificationError("roots file uses another generator set")
    results = verify_inclusion(proof, roots.assets, round_id=roots.round_id, arity=roots.arity)
    from ..proofcodec import decode_inclusion, encode_inclusion

    binary = encode_inclusion(proof)  # compared with the recorded "binary" by the harness
    if "binary" in test:
        recorded = _hex(test, "binary")
        if encode_inclusion(decode_inclusion(recorded)) != recorded:
            raise VerificationError("the recorded binary encoding does not round-trip")
    return {
        "binary": binary.hex(),
        "verified": [
            {
                "asset": r.asset,
                "amount": r.amount,
                "units": str(r.units),
                "leaf_count": r.leaf_count,
                "root_hash": r.root_hash,
            }
            for r in results
        ],
    }


def _check_solvency(group: Json, test: Json, ctx: CheckContext) -> Json:
    from ..solvency import SolvencyProof, prove_solvency, solvency_commitment, verify_solvency

    reserves = _decimal(_get(test, "reserves"), "reserves")
    p, q = _int(test, "p"), _int(test, "q")
    root = ctx.point.from_bytes(_hex(test, "root_commitment"))
    data = _hex(test, "proof")
    context = _hex(test, "context")
    proof = SolvencyProof.from_bytes(data, ctx.point)
    verify_solvency(reserves, root, proof, p, q, ctx.gens, context=context)
    if _get(test, "result") != "valid":
        return {}
    d = solvency_commitment(reserves, root, p, q, ctx.gens)
    out: Json = {
        "difference_commitment": hexpt(d),
        "c_hi": hexpt(proof.c_hi),
        "c_lo": hexpt(d - proof.c_hi * 2**64),
    }
    liab = _obj(_get(test, "liabilities"), "liabilities")
    opening = Opening(
        _decimal(_get(liab, "units"), "units"), scalar_from_bytes(_hex(liab, "blinding"))
    )
    out["root_commitment"] = hexpt(commit(opening.value, opening.blinding, ctx.gens))
    if ctx.reprove(64, 2):
        again = prove_solvency(
            reserves,
            opening,
            p,
            q,
            gens=ctx.gens,
            rng=SeededRandom(_hex(test, "seed")),
            context=context,
        )
        out["proof"] = again.to_bytes().hex()
    return out


def _check_manifest(group: Json, test: Json, ctx: CheckContext) -> Json:
    from ..manifest import Manifest, canonical_json, manifest_digest, statement_digest
    from ..verify.manifest import verify_manifest

    manifest = Manifest.model_validate(_get(test, "manifest"), strict=True)
    check_signatures = _get(test, "check_signatures")
    expected = _get(test, "expected_digest")
    if not isinstance(check_signatures, bool) or not (
        expected is None or isinstance(expected, str)
    ):
        raise MalformedTest("check_signatures must be a boolean, expected_digest a string or null")
    verify_manifest(manifest, check_signatures=check_signatures, expected_digest=expected)
    return {
        "canonical_json": canonical_json(manifest).decode(),
        "digest": manifest_digest(manifest),
        "statement_digest": statement_digest(manifest).hex(),
    }


CHECKERS: dict[str, dict[str, Checker]] = {
    "expand_message_xmd": {"ExpandMessageXmdTest": _check_xmd},
    "hash_to_curve": {"HashToCurveTest": _check_h2c},
    "generators": {
        "GeneratorTest": _check_generator,
        "GeneratorDigestTest": _check_generator_digest,
    },
    "transcript": {"TranscriptTest": _check_transcript},
    "pedersen": {"PedersenCommitmentTest": _check_pedersen},
    "rangeproof": {"RangeProofVerify": _check_rangeproof},
    "rangeproof_trace": {"RangeProofTrace": _check_trace},
    "r1cs": {"R1CSProofVerify": check_r1cs},
    "sumtree": {
        "RoundKeysTest": _check_round_keys,
        "LeafHashTest": _check_leaf_hash,
        "NodeHashTest": _check_node_hash,
        "LevelSizesTest": _check_level_sizes,
        "ChildChunksTest": _check_child_chunks,
        "TreeTest": _check_tree,
    },
    "inclusion": {"InclusionTest": _check_inclusion},
    "solvency": {"SolvencyTest": _check_solvency},
    "manifest": {"ManifestTest": _check_manifest},
    "margin": {
        "CollateralProofVerify": check_margin,
        "MarginInclusionTest": check_margin_inclusion,
    },
}


# --- the harness -------------------------------------------------------------------------


def _short(value: object) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 80 else text[:38] + "..." + text[-38:]


def _run_test(
    checker: Checker, group: Json, test: Json, ctx: CheckContext, report: FileReport
) -> None:
    tc_id = test.get("tcId")
    comment = str(test.get("comment", ""))
    result = test.get("result")
    if not isinstance(tc_id, int) or result not in ("valid", "invalid"):
        raise InputError(f"{report.name}.json: a test without tcId or valid/invalid result")
    report.tests += 1
    if result == "valid":
        report.valid += 1
    else:
        report.invalid += 1

    def fail(reason: str) -> None:
        report.failures.append(Failure(tc_id, comment, reason))

    try:
        outputs = checker(group, test, ctx)
    except REJECTIONS as exc:
        if result == "invalid":
            report.passed += 1
        else:
            fail(f"valid vector rejected: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        return
    except (MalformedTest, KeyError, TypeError, IndexError, AttributeError) as exc:
        fail(f"malformed test: {type(exc).__name__}: {exc}")
        return
    if result == "invalid":
        fail("invalid vector accepted")
        return
    for key, value in outputs.items():
        if test.get(key) != value:
            fail(f"{key}: recorded {_short(test.get(key))}, computed {_short(value)}")
            return
    report.passed += 1


def check_data(
    name: str, data: object, ctx: CheckContext, *, only: set[int] | None = None
) -> FileReport:
    """Check the parsed vector file ``name`` (tests whose tcId is in ``only``, or all)."""
    if name not in CHECKERS:
        raise InputError(f"unknown vector file {name!r}")
    where = f"{name}.json"
    if not isinstance(data, dict) or data.get("schema") != f"{name}.schema.json":
        raise InputError(f"{where}: not a zkpor vector file of this name")
    groups = data.get("testGroups")
    if not isinstance(groups, list):
        raise InputError(f"{where}: testGroups is not an array")
    report = FileReport(name, str(data.get("algorithm", "")))
    count = 0
    with using_backend(ctx.backend):
        for group in groups:
            if not isinstance(group, dict) or group.get("type") not in CHECKERS[name]:
                raise InputError(f"{where}: unknown test group type")
            checker = CHECKERS[name][str(group["type"])]
            tests = group.get("tests")
            if not isinstance(tests, list):
                raise InputError(f"{where}: a group's tests is not an array")
            for test in tests:
                if not isinstance(test, dict):
                    raise InputError(f"{where}: a test is not an object")
                count += 1
                if only is None or test.get("tcId") in only:
                    _run_test(checker, group, test, ctx, report)
    if data.get("numberOfTests") != count:
        report.failures.append(Failure(0, "", f"numberOfTests is not {count}"))
    return report


def check_dir(
    directory: Path,
    backend: Backend | None = None,
    *,
    names: list[str] | None = None,
    reprove_limit: int | None = None,
) -> list[FileReport]:
    """Check every vector file of ``directory`` (or those in ``names``) on ``backend`` (the
    active one by default). Raises InputError for a missing or unreadable file."""
    if not directory.is_dir():
        raise InputError("not a directory", source=str(directory))
    ctx = CheckContext(backend or active_backend(), reprove_limit)
    reports = []
    for name in names or list(FILE_NAMES):
        path = directory / f"{name}.json"
        if not path.is_file():
            raise InputError("vector file not found", source=str(path))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read vector file: {exc}", source=str(path)) from None
        reports.append(check_data(name, data, ctx))
    return reports
