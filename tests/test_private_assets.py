"""Private proof of assets over an anonymity set (docs/spec/private-reserves.md, 17): valid
proofs on both backends, and the exchange as the adversary, refused every way it can cheat."""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkpor.crypto.drbg import SeededRandom
from zkpor.crypto.generators import generators
from zkpor.crypto.group import Backend, N, P, Point, get_backend
from zkpor.crypto.pedersen import Opening
from zkpor.crypto.private_assets import (
    HEADER_BYTES,
    RECORD_BYTES,
    RECORD_FIELDS,
    AssetsContext,
    KeyProof,
    tag_base,
)
from zkpor.crypto.private_assets_prover import prove_assets
from zkpor.crypto.private_assets_testing import prove_key_unchecked
from zkpor.crypto.private_assets_verifier import compare_tags, verify_assets
from zkpor.errors import InputError, InsolventError, ParameterError, VerificationError
from zkpor.formats.anonset import AnonSetReader
from zkpor.protocol.solvency import verify_solvency
from zkpor.prover.solvency import prove_solvency
from zkpor.reserves.anonset_build import build_anonset
from zkpor.reserves.private_assets import (
    compare_private_assets,
    prove_private_assets,
    verify_private_assets,
)

SECRETS = [0x1111, 0x2222, 0x3333, 0x4444, 0x5555]
BALANCES = [50, 0, 700, 9, 2**40]
OWNED = (0x2222, 0x4444)  # balance 0 and 9


class World:
    """A five-key set on one backend: members in set order, the secrets owned."""

    def __init__(self, be: Backend, secrets: list[int] = SECRETS, owned: tuple[int, ...] = OWNED):
        self.be = be
        self.pt = be.Point
        self.gens = generators(be)
        g = self.pt.generator()
        pairs = sorted(((g * x).to_bytes(), b, x) for x, b in zip(secrets, BALANCES))
        self.members = [(k, b) for k, b, _ in pairs]
        self.secret_of = {k: x for k, _, x in pairs}
        self.owned = {k: x for k, _, x in pairs if x in owned}
        self.index_of = {k: i for i, (k, _) in enumerate(self.members)}

    def context(self, exchange: str = "Ex A", height: int = 870000, **kw: object) -> AssetsContext:
        base = dict(
            set_digest=hashlib.sha256(b"the set").digest(),
            exchange=exchange,
            round_id="2026-12",
            chain="bitcoin",
            chain_id=None,
            block_height=height,
            count=len(self.members),
        )
        base.update(kw)
        return AssetsContext(**base)  # type: ignore[arg-type]

    def prove(
        self,
        ctx: AssetsContext | None = None,
        owned: dict[bytes, int] | None = None,
        seed: bytes = b"s",
    ) -> tuple[bytes, Opening, Point]:
        out = io.BytesIO()
        res = prove_assets(
            self.members,
            self.owned if owned is None else owned,
            ctx or self.context(),
            out,
            gens=self.gens,
            rng=SeededRandom(seed),
        )
        return out.getvalue(), res.opening, res.commitment

    def verify(
        self,
        proof: bytes,
        ctx: AssetsContext | None = None,
        members: list[tuple[bytes, int]] | None = None,
        batch_keys: int = 4096,
    ) -> Point:
        return verify_assets(
            members or self.members,
            io.BytesIO(proof),
            ctx or self.context(),
            point_type=self.pt,
            batch_keys=batch_keys,
        ).commitment


_worlds: dict[str, World] = {}


@pytest.fixture
def world(backend: Backend) -> World:
    if backend.name not in _worlds:
        _worlds[backend.name] = World(backend)
    return _worlds[backend.name]


@pytest.fixture(scope="module")
def fast_world() -> World:
    return World(get_backend("fast"))


def _record(proof: bytes, i: int) -> bytes:
    return proof[HEADER_BYTES + i * RECORD_BYTES : HEADER_BYTES + (i + 1) * RECORD_BYTES]


def _with_record(proof: bytes, i: int, rec: bytes) -> bytes:
    start = HEADER_BYTES + i * RECORD_BYTES
    return proof[:start] + rec + proof[start + RECORD_BYTES :]


def _refused(w: World, proof: bytes, words: str, **kw: object) -> VerificationError:
    with pytest.raises(VerificationError) as info:
        w.verify(proof, **kw)  # type: ignore[arg-type]
    assert words in str(info.value), str(info.value)
    return info.value


# --- honest proofs -----------------------------------------------------------------------


def test_valid_proof_opens_to_the_owned_total(world: World) -> None:
    proof, opening, commitment = world.prove()
    assert len(proof) == HEADER_BYTES + 5 * RECORD_BYTES
    assert RECORD_BYTES == 391
    assert opening.value == sum(b for k, b in world.members if k in world.owned) == 9
    assert world.verify(proof) == commitment
    assert commitment == world.gens.G * opening.value + world.gens.H * opening.blinding
    # batches of one or two keys: the same answer
    assert world.verify(proof, batch_keys=1) == commitment
    assert world.verify(proof, batch_keys=2) == commitment


def test_both_backends_make_the_same_bytes() -> None:
    ref, fast = World(get_backend("reference")), World(get_backend("fast"))
    a, oa, _ = ref.prove()
    b, ob, _ = fast.prove()
    assert a == b and oa == ob
    assert ref.context().digest() == fast.context().digest()


def test_no_key_owned_and_every_key_owned(world: World) -> None:
    proof, opening, commitment = world.prove(owned={})
    assert opening.value == 0 and world.verify(proof) == commitment
    proof, opening, commitment = world.prove(owned=dict(world.secret_of))
    assert opening.value == sum(BALANCES) and world.verify(proof) == commitment


def test_records_decode(world: World) -> None:
    proof, _, _ = world.prove()
    rec = _record(proof, 1)
    kp = KeyProof.from_bytes(rec, world.pt)
    assert kp.to_bytes() == rec


def test_prover_refuses_bad_inputs(fast_world: World) -> None:
    w = fast_world
    wrong = {w.members[0][0]: w.secret_of[w.members[1][0]]}
    with pytest.raises(ParameterError, match="not this key's"):
        w.prove(owned=wrong)
    outsider = (Point.generator() * 99).to_bytes()
    with pytest.raises(ParameterError, match="not keys of the set"):
        w.prove(owned={outsider: 99})
    with pytest.raises(ParameterError, match="holds 5 keys, not the 6"):
        w.prove(ctx=w.context(count=6))


# --- the exchange as the adversary -------------------------------------------------------


def _forged(w: World, index: int, *, claim: bool, secret: int | None = None, **kw: object) -> bytes:
    """The honest proof with key ``index``'s record replaced by a forged one."""
    proof, _, _ = w.prove()
    key, balance = w.members[index]
    rec, _ = prove_key_unchecked(
        w.context(),
        index,
        key,
        balance,
        claim=claim,
        secret=secret,
        gens=w.gens,
        rng=SeededRandom(b"forge"),
        **kw,  # type: ignore[arg-type]
    )
    return _with_record(proof, index, rec)


def test_unchecked_prover_matches_the_honest_one(fast_world: World) -> None:
    w = fast_world
    key, balance = w.members[2]
    ctx = w.context()
    a, _ = prove_key_unchecked(
        ctx,
        2,
        key,
        balance,
        claim=True,
        secret=w.secret_of[key],
        gens=w.gens,
        rng=SeededRandom(b"x"),
    )
    proof = w.verify(_with_record(w.prove()[0], 2, a))
    assert not proof.is_identity()


def test_claiming_a_key_without_its_secret(world: World) -> None:
    # an exchange that tries branch "owned" for a key it does not own has no x: any
    # scalar it uses instead fails equation (4) (or (5) with the tag x J of that scalar)
    i = next(i for i, (k, _) in enumerate(world.members) if k not in world.owned)
    for guess in (1, 12345, N - 1):
        _refused(world, _forged(world, i, claim=True, secret=guess), f"key {i}: ")


def test_committing_more_than_the_balance(world: World) -> None:
    i = next(i for i, (k, _) in enumerate(world.members) if k in world.owned)
    key, balance = world.members[i]
    x = world.secret_of[key]
    err = _refused(world, _forged(world, i, claim=True, secret=x, value=balance + 1), f"key {i}: ")
    assert "P - b G" in str(err)
    # nor can a key it does not claim commit anything but 0
    j = next(j for j, (k, b) in enumerate(world.members) if k not in world.owned and b)
    _refused(world, _forged(world, j, claim=False, value=world.members[j][1]), f"key {j}: ")
    _refused(world, _forged(world, j, claim=False, value=N - 1), f"key {j}: ")


def test_a_tag_for_another_key(world: World) -> None:
    i = next(i for i, (k, _) in enumerate(world.members) if k in world.owned)
    x = world.secret_of[world.members[i][0]]
    other = next(v for k, v in world.secret_of.items() if v != x)
    _refused(world, _forged(world, i, claim=True, secret=x, tag=other), f"key {i}: ")


def test_a_copied_tag_cannot_frame_another_exchange(fast_world: World) -> None:
    # B does not own key i but copies A's tag x J into its record: branch "not owned" now
    # needs log_J(T) = x, which B does not know
    w = fast_world
    i = next(i for i, (k, _) in enumerate(w.members) if k in w.owned)
    proof_a, _, _ = w.prove(ctx=w.context("Ex A"))
    tag_a = _record(proof_a, i)[33:66]
    ctx_b = w.context("Ex B")
    proof_b, _, _ = w.prove(ctx=ctx_b, owned={})
    rec = bytearray(_record(proof_b, i))
    rec[33:66] = tag_a
    _refused(w, _with_record(proof_b, i, bytes(rec)), f"key {i}: ", ctx=ctx_b)


def test_a_forged_balance_in_the_set(world: World) -> None:
    proof, _, _ = world.prove()
    i = next(i for i, (k, _) in enumerate(world.members) if k in world.owned)
    raised = list(world.members)
    raised[i] = (raised[i][0], raised[i][1] + 1000)
    # the same context (digest included): b_i enters the challenge and B_i
    _refused(world, proof, f"key {i}: ", members=raised)


def test_a_key_twice_is_refused_by_the_set(tmp_path: Path) -> None:
    g = Point.generator()
    with pytest.raises(InputError, match="twice"):
        build_anonset(
            [(g * 5, 1), (g * 5, 1)], asset="BTC", chain="bitcoin", block_height=1, decimals=8
        )
    data = build_anonset(
        [(g * 5, 1), (g * 6, 1)], asset="BTC", chain="bitcoin", block_height=1, decimals=8
    )
    lines = data.split(b"\n")
    path = tmp_path / "s.txt"
    path.write_bytes(b"\n".join([lines[0], lines[1], lines[1], b""]))
    with pytest.raises(InputError, match="twice"):
        list(AnonSetReader(path))


# --- tampered, truncated, non-canonical ----------------------------------------------


@pytest.mark.parametrize("field", list(RECORD_FIELDS))
def test_every_field_tampered(fast_world: World, field: str) -> None:
    w = fast_world
    proof, _, _ = w.prove()
    start, end = RECORD_FIELDS[field]
    for i in (0, 3):
        rec = bytearray(_record(proof, i))
        if end - start == 33:
            # another valid point (the key's own Y), then one flipped byte
            rec[start:end] = w.members[i][0]
            _refused(w, _with_record(proof, i, bytes(rec)), f"key {i}: ")
            rec = bytearray(_record(proof, i))
            rec[end - 1] ^= 1
        else:
            s = int.from_bytes(rec[start:end], "big")
            rec[start:end] = ((s + 1) % N).to_bytes(32, "big")
        _refused(w, _with_record(proof, i, bytes(rec)), f"key {i}: ")


@pytest.mark.parametrize("field", ["c0", "z_r0", "z_u0", "z_r1", "z_x1"])
def test_non_canonical_scalars(world: World, field: str) -> None:
    proof, _, _ = world.prove()
    start, end = RECORD_FIELDS[field]
    rec = bytearray(_record(proof, 2))
    s = int.from_bytes(rec[start:end], "big")
    if s + N >= 2**256:
        s = 0
    rec[start:end] = (s + N).to_bytes(32, "big")
    _refused(world, _with_record(proof, 2, bytes(rec)), f"key 2: {field}: non-canonical")


@pytest.mark.parametrize(
    "encoding, words",
    [
        (bytes(33), "identity"),
        (b"\x04" + bytes(32), "prefix"),
        (b"\x02" + P.to_bytes(32, "big"), "x >= field prime"),
        (b"\x02" + (P + 5).to_bytes(32, "big"), "x >= field prime"),
        (b"\x02" + (5).to_bytes(32, "big"), "not the abscissa"),
    ],
)
def test_non_canonical_points(world: World, encoding: bytes, words: str) -> None:
    proof, _, _ = world.prove()
    for field in ("P", "T", "A_Y1"):
        start, _ = RECORD_FIELDS[field]
        rec = bytearray(_record(proof, 1))
        rec[start : start + 33] = encoding
        err = _refused(world, _with_record(proof, 1, bytes(rec)), f"key 1: {field}: ")
        assert words in str(err)


def test_truncated_and_extra_bytes(fast_world: World) -> None:
    w = fast_world
    proof, _, _ = w.prove()
    _refused(w, proof[:-1], "key 4: the proof ends inside")
    _refused(w, proof[:-RECORD_BYTES], "key 4: the proof ends inside")
    _refused(w, proof[:HEADER_BYTES], "key 0: the proof ends inside")
    _refused(w, proof[:10], "proof header")
    _refused(w, proof + b"\x00", "extra bytes")
    _refused(w, proof + _record(proof, 0), "extra bytes")
    _refused(w, b"X" + proof[1:], "bad magic")
    count = (6).to_bytes(8, "big")
    _refused(w, proof[:24] + count + proof[32:], "6 records")
    _refused(w, proof, "another context", ctx=w.context("Ex B"))
    _refused(w, proof, "another context", ctx=w.context(round_id="2027-01"))
    _refused(w, proof, "another context", ctx=w.context(height=870001))
    _refused(w, proof, "another context", ctx=w.context(set_digest=bytes(32)))
    _refused(w, proof, "more than the 5 keys", members=[*w.members, w.members[0]])
    _refused(w, proof, "holds 4 keys", members=w.members[:4])


def test_a_failed_batch_names_the_first_bad_key(fast_world: World) -> None:
    w = fast_world
    proof, _, _ = w.prove()
    bad = proof
    for i in (3, 4):
        rec = bytearray(_record(proof, i))
        s = int.from_bytes(rec[-32:], "big")
        rec[-32:] = ((s + 1) % N).to_bytes(32, "big")
        bad = _with_record(bad, i, bytes(rec))
    for batch in (1, 2, 4096):
        err = _refused(w, bad, "key 3: ", batch_keys=batch)
        assert "z_x1" in str(err)


# --- collusion: one key, two exchanges, one block ------------------------------------------


def test_two_exchanges_claiming_one_key_collide(fast_world: World) -> None:
    w = fast_world
    shared = next(k for k in w.owned)
    ctx_a, ctx_b = w.context("Ex A"), w.context("Ex B")
    proof_a, _, _ = w.prove(ctx=ctx_a, seed=b"a")
    proof_b, _, _ = w.prove(ctx=ctx_b, owned={shared: w.owned[shared]}, seed=b"b")
    w.verify(proof_a, ctx=ctx_a)
    w.verify(proof_b, ctx=ctx_b)
    keys = [k for k, _ in w.members]
    found = compare_tags(keys, io.BytesIO(proof_a), ctx_a, keys, io.BytesIO(proof_b), ctx_b)
    assert [(c.key, c.index_a, c.index_b) for c in found] == [
        (shared, w.index_of[shared], w.index_of[shared])
    ]
    x = w.owned[shared]
    assert found[0].tag == (tag_base("bitcoin", None, 870000, w.pt) * x).to_bytes()
    # not claimed by B: no collision
    proof_c, _, _ = w.prove(ctx=ctx_b, owned={}, seed=b"c")
    assert compare_tags(keys, io.BytesIO(proof_a), ctx_a, keys, io.BytesIO(proof_c), ctx_b) == []


def test_another_block_has_another_tag_base(fast_world: World) -> None:
    w = fast_world
    j1 = tag_base("bitcoin", None, 870000, w.pt)
    assert j1 != tag_base("bitcoin", None, 870001, w.pt)
    assert j1 != tag_base("bitcoin-testnet", None, 870000, w.pt)
    assert tag_base("ethereum", 1, 5, w.pt) != tag_base("ethereum", 11155111, 5, w.pt)
    assert j1 not in (w.gens.G, w.gens.H)
    ctx_a, ctx_b = w.context("Ex A"), w.context("Ex B", height=870001)
    proof_a, _, _ = w.prove(ctx=ctx_a)
    proof_b, _, _ = w.prove(ctx=ctx_b)
    i = w.index_of[next(iter(w.owned))]
    assert _record(proof_a, i)[33:66] != _record(proof_b, i)[33:66]
    keys = [k for k, _ in w.members]
    with pytest.raises(ParameterError, match="same block"):
        compare_tags(keys, io.BytesIO(proof_a), ctx_a, keys, io.BytesIO(proof_b), ctx_b)


def test_tag_secret_keeps_unclaimed_tags_stable(fast_world: World) -> None:
    # two proofs by one exchange at one block: with fresh u only the claimed tags repeat
    # (which would reveal them); with a tag secret every tag repeats
    w = fast_world
    keys = [k for k, _ in w.members]

    def tags(seed: bytes, tag_secret: bytes | None) -> list[bytes]:
        out = io.BytesIO()
        prove_assets(
            w.members,
            w.owned,
            w.context(),
            out,
            gens=w.gens,
            rng=SeededRandom(seed),
            tag_secret=tag_secret,
        )
        p = out.getvalue()
        return [_record(p, i)[33:66] for i in range(len(keys))]

    fresh = [a == b for a, b in zip(tags(b"1", None), tags(b"2", None))]
    assert fresh == [k in w.owned for k in keys]
    assert tags(b"1", b"secret") == tags(b"2", b"secret")


# --- the reserves commitment in the solvency proof ----------------------------------------


def test_reserves_commitment_enters_the_solvency_proof(fast_world: World) -> None:
    w = fast_world
    proof, opening, _ = w.prove(owned=dict(w.secret_of))
    c_r = w.verify(proof)  # the verifier's reserves commitment
    reserves = opening.value  # sum of every balance: 2^40 + 759
    liabilities = Opening(reserves - 59, 0x1234567)
    c_l = w.gens.G * liabilities.value + w.gens.H * liabilities.blinding
    # D = C_R - C_L opens to R - L: the public API's R = 0 with root C_L - C_R
    combined = liabilities - opening
    solvency = prove_solvency(0, combined, gens=w.gens, context=b"ctx")
    verify_solvency(0, c_l - c_r, solvency, gens=w.gens, context=b"ctx")
    with pytest.raises(VerificationError):
        verify_solvency(0, c_l - c_r + w.gens.G, solvency, gens=w.gens, context=b"ctx")
    short = Opening(reserves + 1, 77)
    with pytest.raises(InsolventError):
        prove_solvency(0, short - opening, gens=w.gens)


# --- on files ----------------------------------------------------------------------------


def test_files_prove_verify_compare(tmp_path: Path) -> None:
    g = Point.generator()
    secrets = [1000 + i for i in range(40)]
    set_path = tmp_path / "set.txt"
    set_path.write_bytes(
        build_anonset(
            [(g * x, 10 * i) for i, x in enumerate(secrets)],
            asset="ETH",
            chain="ethereum",
            chain_id=1,
            block_height=21_000_000,
            decimals=18,
        )
    )
    mine = {(g * x).to_bytes(): x for x in secrets[:3]}
    theirs = {(g * x).to_bytes(): x for x in secrets[2:4]}
    pa, pb = tmp_path / "a.zkpa", tmp_path / "b.zkpa"
    ra = prove_private_assets(set_path, pa, mine, exchange="A", round_id="r1", tag_secret=b"a")
    rb = prove_private_assets(set_path, pb, theirs, exchange="B", round_id="r1")
    assert ra.opening.value == 0 + 10 + 20 and ra.claimed == 3
    assert rb.opening.value == 20 + 30
    rep = verify_private_assets(set_path, pa, exchange="A", round_id="r1")
    assert rep.commitment == ra.commitment and rep.count == 40
    assert rep.set_total == sum(10 * i for i in range(40))
    with pytest.raises(VerificationError, match="another context"):
        verify_private_assets(set_path, pa, exchange="B", round_id="r1")
    verify_private_assets(set_path, pb, exchange="B", round_id="r1")
    found = compare_private_assets(
        set_path, pa, set_path, pb, exchange_a="A", round_a="r1", exchange_b="B", round_b="r1"
    )
    assert [c.key for c in found] == [(g * secrets[2]).to_bytes()]
    # a set with one balance raised is another file: the proof was not made for it
    lines = set_path.read_bytes().split(b"\n")
    key, bal, addr = lines[5].split(b" ")
    lines[5] = b" ".join([key, str(int(bal) + 1).encode(), addr])
    forged = tmp_path / "forged.txt"
    forged.write_bytes(b"\n".join(lines))
    with pytest.raises(VerificationError, match="another context"):
        verify_private_assets(forged, pa, exchange="A", round_id="r1")


def test_context_checks() -> None:
    ok = dict(
        set_digest=bytes(32),
        exchange="A",
        round_id="r",
        chain="bitcoin",
        chain_id=None,
        block_height=1,
        count=1,
    )
    AssetsContext(**ok)  # type: ignore[arg-type]
    for bad in (
        {"set_digest": b"x"},
        {"exchange": ""},
        {"count": 0},
        {"block_height": -1},
        {"chain_id": 0},
        {"chain": ""},
    ):
        with pytest.raises(ParameterError):
            AssetsContext(**{**ok, **bad})  # type: ignore[arg-type]
    ctx = AssetsContext(**ok)  # type: ignore[arg-type]
    assert replace(ctx, exchange="B").digest() != ctx.digest()


def test_a_bad_key_in_the_members(fast_world: World) -> None:
    w = fast_world
    proof, _, _ = w.prove()
    members = list(w.members)
    members[2] = (b"\x02" + (5).to_bytes(32, "big"), members[2][1])
    _refused(w, proof, "key 2: the set's public key: invalid point", members=members)


def test_key_challenger_is_the_transcript(fast_world: World) -> None:
    from zkpor.crypto.private_assets import KeyChallenger, key_challenge, start_transcript

    ctx = fast_world.context()
    digest = ctx.digest()
    fast = KeyChallenger(digest)
    base = start_transcript(digest)
    for i, (key, balance) in enumerate(fast_world.members):
        commitments = bytes([i]) * 231
        assert fast(i, key, balance, commitments) == key_challenge(
            base, i, key, balance, commitments
        )


def test_msm_batch_matches_msm(backend: Backend) -> None:
    import random

    from zkpor.crypto.group.bucket_msm import TermEncodingError, msm_batch

    pt = backend.Point
    rng = random.Random(9)
    pts = [pt.generator() * rng.randrange(1, N) for _ in range(12)]
    scalars = [rng.randrange(N), 0, N, rng.randrange(2**128), 1, 2**255, *range(6)]
    batch = msm_batch(pt, 12)
    first = batch.add_many([p.to_bytes() for p in pts[:6]], scalars[:6])
    for p, s in zip(pts[6:], scalars[6:]):
        batch.add_encoded(p.to_bytes(), s)
    assert first == 0 and len(batch) == 12
    assert batch.evaluate() == pt.msm(scalars, pts)
    assert batch.point(7) == pts[7]
    assert batch.sum_points([0, 3, 11]) == pts[0] + pts[3] + pts[11]
    with pytest.raises(ValueError, match="full"):
        batch.add_encoded(pts[0].to_bytes(), 1)
    batch.reset()
    assert batch.evaluate().is_identity() and len(batch) == 0
    with pytest.raises(TermEncodingError) as info:
        batch.add_many([pts[0].to_bytes(), bytes(33)], [1, 1])
    assert info.value.position == 1 and "identity" in info.value.reason
    assert len(batch) == 0


def test_known_answers_of_the_spec(backend: Backend) -> None:
    from tests.spec_notes import section

    j = tag_base("bitcoin", None, 870000, backend.Point).to_bytes().hex()
    j_eth = tag_base("ethereum", 1, 21_000_000, backend.Point).to_bytes().hex()
    ctx = AssetsContext(
        hashlib.sha256(b"").digest(), "Example Exchange", "2026-12", "bitcoin", None, 870000, 3
    )
    text = section("17.2") + section("17.4")
    assert j == "029145f59395051f1192504c4ef684ff01a1f7ed1b61b4bb3500eaeefeeaedc732" and j in text
    assert j_eth in text
    assert ctx.digest().hex() in text


def test_the_spec_example_set_is_canonical(tmp_path: Path) -> None:
    from tests.spec_notes import section

    text = section("17.1")
    lines = [line.strip() for line in text.splitlines() if line.startswith("    ")]
    example = [line for line in lines if line.startswith(("{", "02", "03"))][:4]
    path = tmp_path / "example.txt"
    path.write_bytes("".join(line + "\n" for line in example).encode())
    g = Point.generator()
    assert path.read_bytes() == build_anonset(
        [(g * 1, 10**18), (g * 2, 0), (g * 3, 7)],
        asset="ETH",
        chain="ethereum",
        chain_id=1,
        block_height=21_000_000,
        decimals=18,
    )
    assert [m.balance for m in AnonSetReader(path)] == [10**18, 0, 7]


@settings(max_examples=12, deadline=None)
@given(
    balances=st.lists(st.integers(min_value=0, max_value=2**62), min_size=1, max_size=6),
    owned=st.lists(st.booleans(), min_size=6, max_size=6),
    seed=st.binary(min_size=1, max_size=8),
)
def test_any_subset_verifies_and_opens_to_its_total(
    balances: list[int], owned: list[bool], seed: bytes
) -> None:
    be = get_backend("fast")
    g = be.Point.generator()
    secrets = [7 + 1000 * i for i in range(len(balances))]
    pairs = sorted(((g * x).to_bytes(), b, x) for x, b in zip(secrets, balances))
    members = [(k, b) for k, b, _ in pairs]
    mine = {k: x for (k, _, x), o in zip(pairs, owned) if o}
    ctx = AssetsContext(bytes(32), "E", "r", "bitcoin", None, 1, len(members))
    out = io.BytesIO()
    res = prove_assets(members, mine, ctx, out, gens=generators(be), rng=SeededRandom(seed))
    got = verify_assets(members, io.BytesIO(out.getvalue()), ctx, point_type=be.Point)
    assert res.opening.value == sum(b for k, b in members if k in mine)
    assert got.commitment == generators(be).G * res.opening.value + generators(be).H * (
        res.opening.blinding
    )


def test_a_balance_out_of_range_in_the_members(fast_world: World) -> None:
    w = fast_world
    proof, _, _ = w.prove()
    members = list(w.members)
    members[1] = (members[1][0], 2**64)
    _refused(w, proof, "key 1: the set's balance", members=members)
