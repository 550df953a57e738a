"""Checking private_assets.json: anonymity set files, private proofs of assets and the
comparison of two proofs' tags (docs/spec/private-reserves.md, section 17).

Each checker runs zkpor's own code: the set file through :class:`AnonSetReader` (17.1), the
proof through :func:`verify_assets` exactly as :func:`verify_private_assets` does on files
(the set read as a stream without decoding keys, the verifier decoding each one), the
comparison through :func:`compare_tags` after verifying both proofs (17.7). A valid proof is
re-made by the seeded prover from the recorded seed, secret keys and tag secret and must
equal the recorded one byte for byte.

See docs/vectors.md.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator

from zkpor.crypto.drbg import SeededRandom
from zkpor.crypto.group import Point, scalar_from_bytes
from zkpor.crypto.private_assets import AssetsContext
from zkpor.crypto.private_assets_verifier import (
    VerifiedAssets,
    compare_tags,
    iter_tags,
    verify_assets,
)
from zkpor.errors import InputError
from zkpor.formats.anonset import AnonSetReader, Member
from zkpor.reserves.private_assets import anonset_context
from zkpor.vectors.checkbase import (
    CheckContext,
    Json,
    MalformedTest,
    _get,
    _hex,
    _list,
    _obj,
    _str,
)

__all__ = ["check_anonset", "check_private_assets", "check_tag_compare"]


def _reader(data: bytes, pt: type[Point], check_keys: bool = True) -> AnonSetReader:
    return AnonSetReader("set", stream=io.BytesIO(data), point_type=pt, check_keys=check_keys)


def check_anonset(group: Json, test: Json, ctx: CheckContext) -> Json:
    """A set file's bytes read by every rule of 17.1: its digest, count and total."""
    with _reader(_hex(test, "data"), ctx.point) as reader:
        count = sum(1 for _ in reader)
        return {"digest": reader.digest.hex(), "count": count, "total": str(reader.total)}


def _pairs(members: Iterator[Member]) -> Iterator[tuple[bytes, int]]:
    for m in members:
        yield m.key, m.balance


def _verify(item: Json, ctx: CheckContext) -> tuple[VerifiedAssets, AssetsContext, list[bytes]]:
    """Verify one (set, exchange, round_id, proof) as verify_private_assets does; the
    context and the set's keys in order."""
    data = _hex(item, "set")
    digest = hashlib.sha256(data).digest()
    keys: list[bytes] = []
    with _reader(data, ctx.point, check_keys=False) as reader:
        actx = anonset_context(
            reader.header, digest, _str(item, "exchange"), _str(item, "round_id")
        )

        def members() -> Iterator[tuple[bytes, int]]:
            for k, b in _pairs(iter(reader)):
                keys.append(k)
                yield k, b

        verified = verify_assets(
            members(), io.BytesIO(_hex(item, "proof")), actx, point_type=ctx.point
        )
        if reader.digest != digest:
            raise InputError("the set file changed while it was read", source="set")
    return verified, actx, keys


def _reprove(test: Json, actx: AssetsContext, ctx: CheckContext) -> bytes:
    """The proof of the seeded prover (17.3) for the recorded seed, secrets, tag secret."""
    from zkpor.crypto.private_assets_prover import prove_assets

    secrets = {}
    for raw in _list(test, "secrets"):
        x = scalar_from_bytes(bytes.fromhex(str(raw)))
        secrets[(ctx.gens.G * x).to_bytes()] = x
    tag_secret = _get(test, "tag_secret")
    if tag_secret is not None and not isinstance(tag_secret, str):
        raise MalformedTest("tag_secret must be hex or null")
    with _reader(_hex(test, "set"), ctx.point, check_keys=False) as reader:
        out = io.BytesIO()
        prove_assets(
            _pairs(iter(reader)),
            secrets,
            actx,
            out,
            gens=ctx.gens,
            rng=SeededRandom(_hex(test, "seed")),
            tag_secret=None if tag_secret is None else bytes.fromhex(tag_secret),
        )
    return out.getvalue()


def check_private_assets(group: Json, test: Json, ctx: CheckContext) -> Json:
    """Verify the proof (17.6); a valid one gives the context digest, J, the reserves
    commitment and the tags, and is re-made by the seeded prover."""
    verified, actx, _ = _verify(test, ctx)
    if _get(test, "result") != "valid":
        return {}
    proof = _hex(test, "proof")
    return {
        "context_digest": verified.context_digest.hex(),
        "J": verified.J.to_bytes().hex(),
        "commitment": verified.commitment.to_bytes().hex(),
        "tags": [t.hex() for t in iter_tags(io.BytesIO(proof), actx)],
        "proof": _reprove(test, actx, ctx).hex(),
    }


def check_tag_compare(group: Json, test: Json, ctx: CheckContext) -> Json:
    """Verify both proofs, then compare their tags (17.7): the keys both claim."""
    a, b = _obj(_get(test, "a"), "a"), _obj(_get(test, "b"), "b")
    _, ctx_a, keys_a = _verify(a, ctx)
    _, ctx_b, keys_b = _verify(b, ctx)
    hits = compare_tags(
        keys_a,
        io.BytesIO(_hex(a, "proof")),
        ctx_a,
        keys_b,
        io.BytesIO(_hex(b, "proof")),
        ctx_b,
    )
    return {
        "collisions": [
            {"key": h.key.hex(), "index_a": h.index_a, "index_b": h.index_b} for h in hits
        ]
    }
