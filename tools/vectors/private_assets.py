"""private_assets.json: private reserves over an anonymity set (docs/spec/private-reserves.md,
section 17).

``AnonSetTest``: a set file's exact bytes; valid sets give their digest, count and total,
each invalid one breaks one reader rule of 17.1 (checked here to fail for that reason).
``PrivateAssetsTest``: a set file, exchange, round and proof file; a valid proof gives the
context digest, J, the reserves commitment sum(P_i) and the tags, and is re-made from the
recorded seed and secret keys; the invalid ones tamper with every field of a record, come
from a dishonest prover (:mod:`zkpor.crypto.private_assets_testing`), or break the file.
``TagCompareTest``: two (set, exchange, round, proof) at one block; the keys both claim.

Keys are ``SHA-256("anonset key I")`` (:mod:`.anonset_cases`); every random scalar of a
proof comes from ``SeededRandom(seed("private_assets/NAME"))``.
"""

from __future__ import annotations

import hashlib
import io
import json
from typing import Final

from tools.vectors.anonset_cases import (
    BLOCK_HASH,
    ETH_HEIGHT,
    USDT,
    AnonSet,
    add_set_tests,
    key,
    make_set,
    secret,
)
from tools.vectors.base import EXCHANGE, ROUND_A, ROUND_B, Group, VectorFile
from tools.vectors.schemaparts import (
    DEC,
    HEX,
    HEX32,
    HEX33,
    NAT,
    STR,
    GroupSpec,
    Schema,
    _arr,
    _nullable,
    _obj,
)
from zkpor.crypto.drbg import SeededRandom
from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.group import N, Point, get_backend
from zkpor.crypto.private_assets import (
    HEADER_BYTES,
    MAGIC,
    RECORD_BYTES,
    RECORD_FIELDS,
    AssetsContext,
)
from zkpor.crypto.private_assets_prover import prove_assets
from zkpor.crypto.private_assets_testing import assemble_proof, prove_key_unchecked
from zkpor.errors import ZkporError
from zkpor.reserves.private_assets import anonset_context
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.common import seed

HEADER: Final[list[str]] = [
    "AnonSetTest: input 'data', an anonymity set file's exact bytes (hex, 17.1). Valid",
    "outputs: 'digest' (SHA-256 of the bytes), 'count' and 'total' (decimal) of the members.",
    "PrivateAssetsTest: inputs 'set' (hex), 'exchange', 'round_id', 'proof' (hex, 17.5);",
    "verify (17.6). Valid outputs: 'context_digest' (17.4), 'J' (17.2), 'commitment'",
    "(sum of the P_i) and 'tags' (each record's T, in set order); valid tests also give the",
    "prover's 'seed', 'secrets' (the secret keys claimed) and 'tag_secret' (or null), from",
    "which the proof is re-made byte for byte. TagCompareTest: inputs 'a' and 'b', each",
    "{set, exchange, round_id, proof}; verify both, then compare their tags (17.7). Valid",
    "output 'collisions': each key both tag alike, with its index in each set.",
]

OTHER_EXCHANGE: Final[str] = "Second Exchange"
SET_A: Final[list[int]] = [0, 1, 2, 3]
SET_B: Final[list[int]] = [2, 3, 4, 5]
CLAIM_A: Final[list[int]] = [0, 3]
TAG_SECRET: Final[bytes] = hashlib.sha256(b"private_assets tag secret").digest()


def _ctx(s: AnonSet, exchange: str = EXCHANGE, round_id: str = ROUND_A) -> AssetsContext:
    from zkpor.formats.anonset import AnonSetReader

    with AnonSetReader("set", stream=io.BytesIO(s.data), check_keys=False) as reader:
        header = reader.header
    return anonset_context(header, hashlib.sha256(s.data).digest(), exchange, round_id)


def _prove(
    s: AnonSet,
    claims: list[int],
    name: str,
    gens: GeneratorSet,
    exchange: str = EXCHANGE,
    round_id: str = ROUND_A,
    tag_secret: bytes | None = None,
) -> tuple[bytes, bytes]:
    """(proof, seed) of the honest seeded prover."""
    pt = gens.point_type
    out = io.BytesIO()
    sd = seed(f"private_assets/{name}")
    prove_assets(
        s.members,
        {key(i, pt): secret(i) for i in claims},
        _ctx(s, exchange, round_id),
        out,
        gens=gens,
        rng=SeededRandom(sd),
        tag_secret=tag_secret,
    )
    return out.getvalue(), sd


def _outputs(
    s: AnonSet, proof: bytes, exchange: str, round_id: str, pt: type[Point]
) -> dict[str, object]:
    from zkpor.crypto.private_assets_verifier import iter_tags, verify_assets

    ctx = _ctx(s, exchange, round_id)
    v = verify_assets(s.members, io.BytesIO(proof), ctx, point_type=pt)
    return {
        "context_digest": v.context_digest.hex(),
        "J": v.J.to_bytes().hex(),
        "commitment": v.commitment.to_bytes().hex(),
        "tags": [t.hex() for t in iter_tags(io.BytesIO(proof), ctx)],
    }


def _valid_proof(
    g: Group,
    comment: str,
    flags: list[str],
    s: AnonSet,
    claims: list[int],
    name: str,
    gens: GeneratorSet,
    tag_secret: bytes | None = None,
) -> bytes:
    proof, sd = _prove(s, claims, name, gens, tag_secret=tag_secret)
    g.add(
        comment,
        ["Valid", "PrivateAssets", "SeededProof", *flags],
        "valid",
        set=s.data.hex(),
        exchange=EXCHANGE,
        round_id=ROUND_A,
        proof=proof.hex(),
        seed=sd.hex(),
        secrets=[f"{secret(i):064x}" for i in claims],
        tag_secret=None if tag_secret is None else tag_secret.hex(),
        **_outputs(s, proof, EXCHANGE, ROUND_A, gens.point_type),
    )
    return proof


def _record(proof: bytes, index: int) -> tuple[int, int]:
    start = HEADER_BYTES + RECORD_BYTES * index
    return start, start + RECORD_BYTES


def _replace(proof: bytes, index: int, rec: bytes) -> bytes:
    a, b = _record(proof, index)
    return proof[:a] + rec + proof[b:]


def _field_cases(proof: bytes, s: AnonSet) -> list[tuple[str, list[str], bytes]]:
    """Every field of a claimed key's record with a bit flipped (a point's prefix bit: the
    negated point), every scalar of an unclaimed key's record replaced by n."""
    out = []
    claimed, unclaimed = s.index(3), s.index(1)
    a, _ = _record(proof, claimed)
    for name, (start, end) in RECORD_FIELDS.items():
        pos = a + start if end - start == 33 else a + end - 1
        what = "prefix bit flipped (the negated point)" if end - start == 33 else "last bit flipped"
        data = proof[:pos] + bytes([proof[pos] ^ 1]) + proof[pos + 1 :]
        out.append((f"claimed key 3 (index {claimed}): {name}: {what}", ["TamperedField"], data))
    u, _ = _record(proof, unclaimed)
    for name, (start, end) in RECORD_FIELDS.items():
        if end - start == 32:
            data = proof[: u + start] + N.to_bytes(32, "big") + proof[u + end :]
            out.append(
                (f"unclaimed key 1 (index {unclaimed}): {name} = n", ["NonCanonicalScalar"], data)
            )
    return out


def _dishonest(
    s: AnonSet,
    ctx: AssetsContext,
    name: str,
    gens: GeneratorSet,
    claims: dict[int, int] | None = None,
    **change: object,
) -> bytes:
    """The proof of CLAIM_A (or ``claims``: index -> secret) on ``s`` for ``ctx``, every
    record made by the unchecked prover, the one at ``change["index"]`` with the other
    arguments of ``change`` (claim, secret, value, tag, balance)."""
    rng = SeededRandom(seed(f"private_assets/{name}"))
    records = []
    if claims is None:
        claims = {s.index(i): secret(i) for i in CLAIM_A}
    target = change.pop("index", -1)
    for i, (k, b) in enumerate(s.members):
        kw: dict[str, object] = {"claim": i in claims, "secret": claims.get(i)}
        if i == target:
            b = int(change.pop("balance", b))  # type: ignore[call-overload]
            kw |= change
        rec, _ = prove_key_unchecked(ctx, i, k, b, rng=rng, gens=gens, **kw)  # type: ignore[arg-type]
        records.append(rec)
    return assemble_proof(ctx, records)


def _cheat_cases(
    s: AnonSet, proof: bytes, gens: GeneratorSet
) -> list[tuple[str, list[str], bytes, bytes]]:
    """(comment, flags, set, proof) of a dishonest prover and of another statement."""
    pt = gens.point_type
    ctx = _ctx(s)
    i2, i3, i0 = s.index(2), s.index(3), s.index(0)
    raised = make_set(pt, SET_A, balances={0: s.members[i0][1] + 1})
    later = make_set(pt, SET_A, height=s_height(s) + 1)
    lines = s.data.split(b"\n")[:-1]
    twice = AnonSet(
        _bump_count(
            b"".join(x + b"\n" for x in [*lines[: 2 + i3], lines[1 + i3], *lines[2 + i3 :]])
        ),
        [*s.members[: i3 + 1], *s.members[i3:]],
        [*s.labels[: i3 + 1], *s.labels[i3:]],
    )
    claims_twice = {i0 + (i0 > i3): secret(0), i3: secret(3), i3 + 1: secret(3)}
    other_proof, _ = _prove(s, CLAIM_A, "other-exchange", gens, exchange=OTHER_EXCHANGE)
    round_proof, _ = _prove(s, CLAIM_A, "other-round", gens, round_id=ROUND_B)
    later_proof, _ = _prove(later, CLAIM_A, "other-block", gens)
    bad_key = _off_curve_first(s)
    return [
        (f"key 2 (index {i2}) claimed with key 6's secret, not its own", ["UnownedKey"],
         s.data, _dishonest(s, ctx, "unowned", gens, index=i2, claim=True, secret=secret(6))),
        (f"claimed key 3 (index {i3}): tag x_0 J, claimed key 0's tag", ["WrongTag"], s.data,
         _dishonest(s, ctx, "tag-other", gens, index=i3, tag=secret(0))),
        (f"claimed key 3 (index {i3}): tag (x_3 + 1) J", ["WrongTag"], s.data,
         _dishonest(s, ctx, "tag-plus-one", gens, index=i3, tag=secret(3) + 1)),
        (f"claimed key 3 (index {i3}): commits its balance + 1", ["OverClaim"], s.data,
         _dishonest(s, ctx, "over-claim", gens, index=i3, value=s.members[i3][1] + 1)),
        (f"unclaimed key 2 (index {i2}): branch 'not owned' commits its balance", ["OverClaim"],
         s.data,
         _dishonest(s, ctx, "not-owned-value", gens, index=i2, value=s.members[i2][1])),
        (f"the set raises claimed key 0's balance (index {i0}) by 1 after proving",
         ["ForgedBalance"],
         raised.data, proof),
        (f"proof over the raised set, key 0's record (index {i0}) proven for the old balance",
         ["ForgedBalance"], raised.data,
         _dishonest(raised, _ctx(raised), "old-balance", gens, index=i0,
                    balance=s.members[i0][1])),
        (f"key 3 twice in the set (indexes {i3}, {i3 + 1}), claimed twice", ["DuplicateKey"],
         twice.data,
         _dishonest(twice, _ctx(twice), "twice", gens, claims=claims_twice)),
        (f"proof for exchange {OTHER_EXCHANGE!r}", ["WrongProofContext"], s.data, other_proof),
        (f"proof for round {ROUND_B}", ["WrongProofContext"], s.data, round_proof),
        ("proof for the same keys at the next block", ["WrongProofContext"], s.data,
         later_proof),
        ("the set's first key replaced by an x with no point; the records unchanged",
         ["InvalidPointEncoding"], bad_key.data,
         assemble_proof(_ctx(bad_key), [proof[HEADER_BYTES:]])),
    ]  # fmt: skip


def s_height(s: AnonSet) -> int:
    return int(json.loads(s.data.split(b"\n", 1)[0])["block_height"])


def _bump_count(data: bytes) -> bytes:
    head, rest = data.split(b"\n", 1)
    obj = json.loads(head)
    obj["count"] += 1
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode() + b"\n" + rest


def _off_curve_first(s: AnonSet) -> AnonSet:
    """``s`` with its first key replaced by 02 || the smallest x with no point."""
    from tools.vectors.base import _not_on_curve_x

    bad = b"\x02" + _not_on_curve_x()
    lines = s.data.split(b"\n")
    lines[1] = bad.hex().encode() + b" " + lines[1].split(b" ", 1)[1]
    return AnonSet(b"\n".join(lines), [(bad, s.members[0][1]), *s.members[1:]], s.labels)


def _file_cases(proof: bytes) -> list[tuple[str, list[str], bytes]]:
    count = int.from_bytes(proof[24:32], "big")
    last = proof[-RECORD_BYTES:]

    def header(n: int) -> bytes:
        return proof[:24] + n.to_bytes(8, "big") + proof[32:HEADER_BYTES]

    return [
        ("the last byte cut", ["WrongLength"], proof[:-1]),
        ("the header alone", ["WrongLength"], proof[:HEADER_BYTES]),
        ("the header cut short (63 bytes)", ["InvalidProofHeader"], proof[: HEADER_BYTES - 1]),
        ("one byte after the last record", ["WrongLength"], proof + b"\x00"),
        ("the last record twice", ["WrongLength"], proof + last),
        ("header count + 1", ["WrongProofContext"], header(count + 1) + proof[HEADER_BYTES:]),
        ("header count - 1, the last record dropped", ["WrongProofContext"],
         header(count - 1) + proof[HEADER_BYTES:-RECORD_BYTES]),
        ("magic zkpor-private-assets-v2", ["InvalidProofHeader"],
         MAGIC.replace(b"v1", b"v2") + proof[24:]),
        ("the header's context digest with a bit flipped", ["WrongProofContext"],
         proof[: HEADER_BYTES - 1] + bytes([proof[HEADER_BYTES - 1] ^ 1])
         + proof[HEADER_BYTES:]),
    ]  # fmt: skip


def _side(s: AnonSet, exchange: str, proof: bytes) -> dict[str, str]:
    return {"set": s.data.hex(), "exchange": exchange, "round_id": ROUND_A, "proof": proof.hex()}


def _compare_tests(f: VectorFile, a: AnonSet, proof_a: bytes, gens: GeneratorSet) -> None:
    from zkpor.crypto.private_assets_verifier import compare_tags

    pt = gens.point_type
    b = make_set(pt, SET_B)
    later = make_set(pt, SET_A, height=s_height(a) + 1)
    proof_b, _ = _prove(b, [3, 5], "compare/shared", gens, exchange=OTHER_EXCHANGE)
    proof_c, _ = _prove(a, [1, 2], "compare/none", gens, exchange=OTHER_EXCHANGE)
    proof_d, _ = _prove(later, [3], "compare/later", gens, exchange=OTHER_EXCHANGE)
    g = f.group("TagCompareTest")
    cases = [
        ("keys 0 and 3 against keys 3 and 5 of another set at the block: key 3 shared",
         ["Valid", "TagCollision"], b, proof_b, "valid"),
        ("keys 0 and 3 against keys 1 and 2 of the same set: none shared", ["Valid"], a,
         proof_c, "valid"),
        ("key 3 claimed by both, the second at the next block", ["NotComparable"], later,
         proof_d, "invalid"),
    ]  # fmt: skip
    for comment, flags, other, proof, result in cases:
        fields: dict[str, object] = {}
        if result == "valid":
            hits = compare_tags(
                (k for k, _ in a.members),
                io.BytesIO(proof_a),
                _ctx(a),
                (k for k, _ in other.members),
                io.BytesIO(proof),
                _ctx(other, OTHER_EXCHANGE),
            )
            fields["collisions"] = [
                {"key": h.key.hex(), "index_a": h.index_a, "index_b": h.index_b} for h in hits
            ]
        g.add(
            comment,
            flags,
            result,
            a=_side(a, EXCHANGE, proof_a),
            b=_side(other, OTHER_EXCHANGE, proof),
            **fields,
        )


def _proof_tests(f: VectorFile, a: AnonSet, gens: GeneratorSet) -> bytes:
    pt = gens.point_type
    g = f.group("PrivateAssetsTest")
    proof = _valid_proof(g, "4 keys on bitcoin, keys 0 and 3 claimed", [], a, CLAIM_A, "a", gens)
    _valid_proof(g, "no key claimed", ["EdgeCase"], a, [], "none", gens)
    _valid_proof(g, "every key claimed", ["EdgeCase"], a, SET_A, "all", gens)
    one = make_set(pt, [5])
    _valid_proof(g, "a set of one key, claimed", ["EdgeCase"], one, [5], "one", gens)
    eth = make_set(pt, [0, 1, 2, 3], chain="ethereum", height=ETH_HEIGHT)
    _valid_proof(
        g, "4 keys holding ether, key 2 claimed, with a tag secret", ["TagSecret"], eth, [2],
        "eth", gens, tag_secret=TAG_SECRET,
    )  # fmt: skip
    bad = [(c, fl, a.data, p) for c, fl, p in _field_cases(proof, a)]
    bad += _cheat_cases(a, proof, gens)
    bad += [(c, fl, a.data, p) for c, fl, p in _file_cases(proof)]
    for comment, flags, data, p in bad:
        _refused_for(flags[0], comment, data, p, gens)
        g.add(
            comment, flags, "invalid", set=data.hex(), exchange=EXCHANGE, round_id=ROUND_A,
            proof=p.hex(),
        )  # fmt: skip
    return proof


# What the verifier's refusal says, per flag of an invalid PrivateAssetsTest case.
_REASONS: Final[dict[str, tuple[str, ...]]] = {
    "TamperedField": ("does not hold",),
    "NonCanonicalScalar": ("non-canonical scalar",),
    "UnownedKey": ("z_x1 G = A_Y1 + c1 Y does not hold",),
    "WrongTag": ("z_x1 J = A_T1 + c1 T does not hold",),
    "OverClaim": ("A_P0 + c0 P does not hold", "A_P1 + c1 (P - b G) does not hold"),
    "ForgedBalance": ("another context", "A_P1 + c1 (P - b G) does not hold"),
    "DuplicateKey": ("appears twice",),
    "WrongProofContext": ("another context", "records and the set"),
    "InvalidPointEncoding": ("the set's public key",),
    "WrongLength": ("ends inside", "extra bytes"),
    "InvalidProofHeader": ("proof header",),
}


def _refused_for(flag: str, comment: str, data: bytes, proof: bytes, gens: GeneratorSet) -> None:
    """The installed checker refuses the case for the reason its flag names."""
    from zkpor.vectors.checkbase import CheckContext
    from zkpor.vectors.private_checks import check_private_assets

    test = {"set": data.hex(), "exchange": EXCHANGE, "round_id": ROUND_A, "proof": proof.hex()}
    try:
        check_private_assets(
            {},
            {**test, "result": "invalid"},
            CheckContext(get_backend(gens.point_type.backend_name)),
        )
    except (ValueError, ZkporError) as exc:
        if not any(words in str(exc) for words in _REASONS[flag]):
            raise AssertionError(f"{comment}: refused for another reason: {exc}") from None
        return
    raise AssertionError(f"{comment}: accepted")


def generate(gens: GeneratorSet) -> dict[str, object]:
    pt = gens.point_type
    f = VectorFile(
        "private_assets",
        "zkpor private reserves: anonymity sets, proofs of assets, tags "
        "(docs/spec/private-reserves.md 17)",
        HEADER,
    )
    a = make_set(pt, SET_A)
    eth = make_set(pt, [0, 1, 2, 3], chain="ethereum", height=ETH_HEIGHT)
    top = max(range(4, 8), key=lambda i: key(i, pt))
    more = make_set(pt, [*SET_A, top])
    assert more.labels[-1] == top, "the added key must sort last"
    sets = [
        ("4 keys on bitcoin", [], a.data),
        ("4 keys holding ether, with their addresses", [], eth.data),
        ("4 keys holding an ERC-20 token, with a block hash", [],
         make_set(pt, [4, 5, 6, 7], chain="ethereum", height=ETH_HEIGHT, asset="USDT",
                  decimals=6, token_contract=USDT, block_hash=BLOCK_HASH).data),
        ("one key of balance 0 on bitcoin-testnet", ["EdgeCase"],
         make_set(pt, [1], chain="bitcoin-testnet", height=0).data),
        ("two keys whose total is 2^64 - 1", ["EdgeCase"],
         make_set(pt, [0, 1], balances={0: 2**63, 1: 2**63 - 1}).data),
    ]  # fmt: skip
    add_set_tests(f.group("AnonSetTest"), sets, more.data, pt)
    proof = _proof_tests(f, a, gens)
    _compare_tests(f, a, proof, gens)
    return f.to_json()


_SIDE: Final[Schema] = _obj({"set": HEX, "exchange": STR, "round_id": STR, "proof": HEX})
_HIT: Final[Schema] = _obj({"key": HEX33, "index_a": NAT, "index_b": NAT})

SPECS: dict[str, tuple[str, dict[str, GroupSpec]]] = {
    "private_assets": (
        "private reserves vectors",
        {
            "AnonSetTest": ({}, {"data": HEX}, {"digest": HEX32, "count": NAT, "total": DEC}),
            "PrivateAssetsTest": (
                {},
                {"set": HEX, "exchange": STR, "round_id": STR, "proof": HEX},
                {
                    "seed": HEX,
                    "secrets": _arr(HEX32),
                    "tag_secret": _nullable(HEX),
                    "context_digest": HEX32,
                    "J": HEX33,
                    "commitment": HEX33,
                    "tags": _arr(HEX33),
                },
            ),
            "TagCompareTest": ({}, {"a": _SIDE, "b": _SIDE}, {"collisions": _arr(_HIT)}),
        },
    )
}

NAME: Final = "private_assets"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of private_assets.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
