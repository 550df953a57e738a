"""One checker per vector file: run zkpor's own code on a test's inputs.

``CHECKERS`` maps file name -> group type -> checker. A checker returns the outputs it
recomputed (the harness compares them with the recorded ones) and raises one of
:data:`~.checkbase.REJECTIONS` when zkpor refuses the input.

See docs/vectors.md.
"""

from __future__ import annotations

import hashlib
from typing import Any

from zkpor.crypto.drbg import SeededRandom
from zkpor.crypto.generators import (
    G_VECTOR_PREFIX,
    GENERATOR_DST,
    H_MESSAGE,
    H_VECTOR_PREFIX,
    generator_digest,
)
from zkpor.crypto.group import SUITE_ID, N, Point, expand_message_xmd, scalar_from_bytes
from zkpor.crypto.pedersen import Opening, commit, verify_opening
from zkpor.crypto.rangeproof import RangeProof, proof_size, verify, verify_batch
from zkpor.crypto.rangeproof.prover import prove
from zkpor.errors import ParameterError, VerificationError
from zkpor.protocol.sumtree import (
    RANGE_BITS,
    MarginTag,
    check_arity,
    child_chunks,
    leaf_hash,
    level_sizes,
    node_hash,
)
from zkpor.vectors.audit_checks import check_audit, check_margin_audit
from zkpor.vectors.checkbase import (
    CheckContext,
    Checker,
    Json,
    MalformedTest,
    _decimal,
    _get,
    _hex,
    _int,
    _list,
    _obj,
    _str,
    verified_json,
)
from zkpor.vectors.circuit_checks import (
    check_margin,
    check_margin_inclusion,
    check_margin_terms,
    check_r1cs,
)
from zkpor.vectors.common import hexpt
from zkpor.vectors.format_checks import (
    check_diagnosis,
    check_exchange,
    check_multisig_address,
    check_multisig_bip322,
    check_multisig_keys,
    check_ownership,
    check_ratio,
    check_size_limit,
    check_snapshot,
    check_strict_json,
    check_zkpi,
    check_zkpi_verify,
)
from zkpor.vectors.outputs import (
    generator_digest_preimage,
    generator_outputs,
    hash_to_curve_outputs,
    replay_transcript,
    trace_proof,
    tree_outputs,
)
from zkpor.vectors.private_checks import (
    check_anonset,
    check_private_assets,
    check_tag_compare,
)
from zkpor.vectors.tree import build_tree

__all__ = ["CHECKERS"]


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
        proof = prove(values, blindings, bits, rng=rng, gens=ctx.gens)
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
    from zkpor.prover.liabilities.keys import RoundKeys

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
    tags: list[bytes] | None = []
    for t in _list(test, "tags"):
        tag = bytes.fromhex(str(t))
        MarginTag.from_bytes(tag)  # refuses a wrong length or a non-canonical tag
        tags.append(tag)  # type: ignore[union-attr]
    tags = tags or None  # no tags: the children are not leaves
    h = node_hash(_str(test, "round_id"), _str(test, "asset"), _int(test, "level"), children, tags)
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
    from zkpor.formats.models import InclusionProof, Roots
    from zkpor.verify.inclusion import verify_inclusion

    roots = Roots.model_validate(_get(test, "roots"))
    proof = InclusionProof.model_validate(_get(test, "inclusion"))
    if roots.generator_digest != generator_digest().hex():
        raise VerificationError("roots file uses another generator set")
    results = verify_inclusion(proof, roots.assets, round_id=roots.round_id, arity=roots.arity)
    from zkpor.formats.zkpi import decode_inclusion, encode_inclusion

    binary = encode_inclusion(proof)  # compared with the recorded "binary" by the harness
    if "binary" in test:
        recorded = _hex(test, "binary")
        if encode_inclusion(decode_inclusion(recorded)) != recorded:
            raise VerificationError("the recorded binary encoding does not round-trip")
    return {
        "binary": binary.hex(),
        "verified": verified_json(results),
    }


def _check_solvency(group: Json, test: Json, ctx: CheckContext) -> Json:
    from zkpor.protocol.solvency import (
        SolvencyProof,
        solvency_commitment,
        verify_solvency,
    )
    from zkpor.prover.solvency import prove_solvency

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


def _reprove_manifest(manifest: Any, inputs: Json, ctx: CheckContext) -> None:
    """Each asset's solvency proof is re-made from its recorded seed, reserves and root
    opening (docs/vectors.md, manifest.json) and must equal the manifest's byte for byte;
    the opening must open the root commitment (or equity minus debt, 16.5)."""
    from zkpor.formats.manifest import solvency_context, statement_digest
    from zkpor.prover.solvency import prove_solvency

    if set(inputs) != set(manifest.assets):
        raise MalformedTest("solvency_inputs must name every asset of the manifest")
    statement = statement_digest(manifest)
    for sym, raw in inputs.items():
        entry = manifest.assets[sym]
        item = _obj(raw, f"solvency_inputs {sym}")
        liab = _obj(_get(item, "liabilities"), "liabilities")
        opening = Opening(
            _decimal(_get(liab, "units"), "units"), scalar_from_bytes(_hex(liab, "blinding"))
        )
        root = ctx.point.from_bytes(bytes.fromhex(entry.root_commitment))
        if entry.debt is not None:
            root = root - ctx.point.from_bytes(bytes.fromhex(entry.debt.root_commitment))
        if commit(opening.value, opening.blinding, ctx.gens) != root:
            raise VerificationError(f"{sym}: the recorded opening does not open the root")
        reserves = _decimal(_get(item, "reserves"), "reserves")
        if str(reserves) != entry.reserves.total_units:
            raise VerificationError(f"{sym}: recorded reserves differ from total_units")
        if not ctx.reprove(64, 2):
            continue
        p, q = (int(x) for x in entry.solvency.min_ratio.split("/"))
        proof = prove_solvency(
            reserves,
            opening,
            p,
            q,
            gens=ctx.gens,
            rng=SeededRandom(_hex(item, "seed")),
            context=solvency_context(statement, sym),
        )
        if proof.to_bytes().hex() != entry.solvency.proof:
            raise VerificationError(f"{sym}: the seeded solvency proof differs from the manifest's")


def _check_manifest(group: Json, test: Json, ctx: CheckContext) -> Json:
    from zkpor.formats.manifest import Manifest, canonical_json, manifest_digest, statement_digest
    from zkpor.verify.manifest import verify_manifest

    manifest = Manifest.model_validate(_get(test, "manifest"), strict=True)
    check_signatures = _get(test, "check_signatures")
    expected = _get(test, "expected_digest")
    if not isinstance(check_signatures, bool) or not (
        expected is None or isinstance(expected, str)
    ):
        raise MalformedTest("check_signatures must be a boolean, expected_digest a string or null")
    verify_manifest(manifest, check_signatures=check_signatures, expected_digest=expected)
    if "solvency_inputs" in test:
        _reprove_manifest(manifest, _obj(test["solvency_inputs"], "solvency_inputs"), ctx)
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
        "MarginTermsTest": check_margin_terms,
    },
    "ratio": {"RatioParseTest": check_ratio},
    "zkpi": {"ZkpiDecodeTest": check_zkpi, "ZkpiVerifyTest": check_zkpi_verify},
    "inclusion_exchange": {"InclusionExchangeTest": check_exchange},
    "reserves": {
        "OwnershipSignatureTest": check_ownership,
        "MessageDiagnosisTest": check_diagnosis,
        "ReservesSnapshotTest": check_snapshot,
    },
    "audit": {"AuditFileTest": check_audit, "MarginAuditFileTest": check_margin_audit},
    "strict_json": {"StrictJsonTest": check_strict_json, "StrictJsonLimitTest": check_size_limit},
    "multisig": {
        "MultisigAddressTest": check_multisig_address,
        "MultisigKeysTest": check_multisig_keys,
        "MultisigBip322Test": check_multisig_bip322,
    },
    "private_assets": {
        "AnonSetTest": check_anonset,
        "PrivateAssetsTest": check_private_assets,
        "TagCompareTest": check_tag_compare,
    },
}
