"""solvency.json (docs/spec/ section 11, solvency-and-manifest.md): seeded proofs of
q R >= p L and their failures (wrong reserves, ratio, context, an insolvent prover).

Cases as tables: :data:`SOLVENT` (the valid proofs) and :data:`TAMPERINGS` (a valid case
with some of its inputs changed); the insolvent prover's proof is built by
:func:`_insolvent_case`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, NamedTuple

from tools.vectors.base import Group, Json, VectorFile, _offsets, _scalar_plus_one, _splice
from tools.vectors.schemaparts import Schema
from zkpor.crypto.drbg import SeededRandom
from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.group import N, Point, random_scalar
from zkpor.crypto.pedersen import Opening, commit
from zkpor.crypto.rangeproof.testing import prove_unchecked
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.common import hexpt, hexsc, seed, seeded

HEADER: Final[list[str]] = [
    "Inputs reserves R (decimal), root_commitment C_L, ratio p/q, the context the range",
    "proof's transcript binds (hex: in a manifest, its statement digest || asset symbol)",
    "and proof (C_hi || range proof, 787 bytes). Valid tests add the root opening",
    "('liabilities') and the prover's seed, and the outputs D = (q R) G - p C_L, C_hi and",
    "C_lo = D - 2^64 C_hi.",
]


class Solvent(NamedTuple):
    """A valid test; seeds solvency/KEY/liabilities (the root's blinding) and .../prover."""

    key: str
    comment: str
    flags: tuple[str, ...]
    reserves: int
    liabilities: int
    p: int
    q: int
    empty_context: bool = False  # step 1a of 6.3 absent: the context is the empty string


SOLVENT: Final[tuple[Solvent, ...]] = (
    Solvent("exact", "R = L: d = 0", ("Valid", "EdgeCase"), 150000000, 150000000, 1, 1),
    Solvent("btc", "R = 2.5 BTC, L = 2.00345678 BTC", ("Valid",), 250000000, 200345678, 1, 1),
    Solvent(
        "ratio",
        "R = 2.5 BTC, L = 2.00345678 BTC, ratio 21/20",
        ("Valid",),
        250000000,
        200345678,
        21,
        20,
    ),
    Solvent("max", "R = 2^64 - 1, L = 0", ("Valid", "EdgeCase"), 2**64 - 1, 0, 1, 1),
    Solvent(
        "high",
        "R = 2^64 - 1, ratio (2^32 - 1)/(2^32 - 1), d >= 2^64",
        ("Valid", "EdgeCase"),
        2**64 - 1,
        2**64 - 1 - 2**40,
        2**32 - 1,
        2**32 - 1,
    ),
    Solvent("zero", "R = 0, L = 0", ("Valid", "EdgeCase"), 0, 0, 1, 1),
    Solvent(
        "empty-context",
        "an empty context: step 1a of 6.3 absorbs nothing (as for tree node proofs)",
        ("Valid", "EmptyContext"),
        250000000,
        200345678,
        1,
        1,
        empty_context=True,
    ),
)


def _add_solvent(g: Group, case: Solvent, gens: GeneratorSet) -> Json:
    """Adds the valid test; returns its inputs, which the tamperings change."""
    from zkpor.prover.solvency import prove_solvency

    r_l = random_scalar(seeded(f"solvency/{case.key}/liabilities"))
    prover_seed = seed(f"solvency/{case.key}/prover")
    context = hashlib.sha256(f"solvency/{case.key}/statement".encode()).digest() + b"BTC"
    if case.empty_context:
        context = b""
    proof = prove_solvency(
        case.reserves,
        Opening(case.liabilities, r_l),
        case.p,
        case.q,
        gens=gens,
        rng=SeededRandom(prover_seed),
        context=context,
    )
    root = commit(case.liabilities, r_l, gens)
    d = gens.G * (case.q * case.reserves % N) - root * case.p
    inputs: Json = {
        "reserves": str(case.reserves),
        "root_commitment": hexpt(root),
        "p": case.p,
        "q": case.q,
        "context": context.hex(),
        "proof": proof.to_bytes().hex(),
    }
    g.add(
        case.comment,
        [*case.flags, "SeededProof"],
        "valid",
        **inputs,
        liabilities={"units": str(case.liabilities), "blinding": hexsc(r_l)},
        seed=prover_seed.hex(),
        difference_commitment=hexpt(d),
        c_hi=hexpt(proof.c_hi),
        c_lo=hexpt(d - proof.c_hi * 2**64),
    )
    return inputs


@dataclass(frozen=True)
class Proven:
    """What the tamperings start from: every valid case's inputs, by key."""

    cases: dict[str, Json]
    gens: GeneratorSet

    @property
    def raw(self) -> bytes:
        """The btc case's proof: C_hi (33 bytes) || range proof."""
        return bytes.fromhex(str(self.cases["btc"]["proof"]))

    @property
    def root(self) -> Point:
        """The btc case's root commitment."""
        return self.gens.point_type.from_bytes(
            bytes.fromhex(str(self.cases["btc"]["root_commitment"]))
        )


# the range proof's field offsets (k = 7: n = 64, m = 2), after C_hi
RANGE_PROOF: Final = _offsets(7)


def _proof(edit: Callable[[bytes], bytes]) -> Callable[[Proven], Json]:
    """A change of the btc case's proof bytes."""
    return lambda proven: {"proof": edit(proven.raw).hex()}


def _c_hi_plus_g(proven: Proven) -> Json:
    raw = proven.raw
    c_hi = proven.gens.point_type.from_bytes(raw[:33], allow_identity=True)
    return {"proof": ((c_hi + proven.gens.G).to_bytes() + raw[33:]).hex()}


def _c_lo_identity(proven: Proven) -> Json:
    """C_hi = D / 2^64, which makes C_lo = D - 2^64 C_hi the identity (D of the btc case:
    R = 2.5 BTC, ratio 1)."""
    d = proven.gens.G * (250000000 % N) - proven.root
    c_hi = d * pow(2**64, -1, N)
    return {"proof": (c_hi.to_bytes() + proven.raw[33:]).hex()}


def _flip_l3_byte(raw: bytes) -> bytes:
    at = 33 + RANGE_PROOF["L[3]"] + 10
    return raw[:at] + bytes((raw[at] ^ 0x40,)) + raw[at + 1 :]


class Tampering(NamedTuple):
    """An invalid test: the case ``base`` with ``changes`` (fixed, or from the valid cases)."""

    comment: str
    flags: tuple[str, ...]
    changes: Json | Callable[[Proven], Json]
    base: str = "btc"


TAMPERINGS: Final[tuple[Tampering, ...]] = (
    Tampering(
        "the context of another manifest",
        ("WrongContext",),
        {"context": hashlib.sha256(b"another manifest").hexdigest() + b"BTC".hex()},
    ),
    Tampering(
        "the context's asset symbol changed",
        ("WrongContext",),
        lambda proven: {"context": proven.cases["btc"]["context"][:-2] + "44"},
    ),
    Tampering(
        "a proof made with an empty context checked with the context 00 (one byte)",
        ("WrongContext", "EmptyContext"),
        {"context": "00"},
        "empty-context",
    ),
    Tampering(
        "a proof made with a context checked with the empty context",
        ("WrongContext", "EmptyContext"),
        {"context": ""},
    ),
    Tampering("R + 1", ("WrongReserves",), {"reserves": str(250000001)}),
    Tampering("R - 1", ("WrongReserves",), {"reserves": str(249999999)}),
    Tampering("a proof for ratio 1 checked with 21/20", ("WrongRatio",), {"p": 21, "q": 20}),
    Tampering("a proof for 21/20 checked with ratio 1", ("WrongRatio",), {"p": 1, "q": 1}, "ratio"),
    Tampering("a proof for 21/20 checked with 42/40", ("WrongRatio",), {"p": 42, "q": 40}, "ratio"),
    Tampering(
        "root commitment + G",
        ("WrongRootCommitment",),
        lambda proven: {"root_commitment": hexpt(proven.root + proven.gens.G)},
    ),
    Tampering(
        "the root commitment of another case",
        ("WrongRootCommitment",),
        lambda proven: {"root_commitment": proven.cases["exact"]["root_commitment"]},
    ),
    Tampering("C_hi + G", ("TamperedField",), _c_hi_plus_g),
    Tampering(
        "C_hi negated", ("TamperedField",), _proof(lambda raw: bytes((raw[0] ^ 1,)) + raw[1:])
    ),
    Tampering(
        "t_x + 1 in the range proof",
        ("TamperedField",),
        _proof(lambda raw: raw[:33] + _scalar_plus_one(raw[33:], RANGE_PROOF["t_x"])),
    ),
    Tampering("a byte of L[3] flipped", ("TamperedField",), _proof(_flip_l3_byte)),
    Tampering("C_hi is the identity", ("IdentityPoint",), _proof(lambda raw: bytes(33) + raw[33:])),
    Tampering("C_hi = D / 2^64, so that C_lo is the identity", ("IdentityPoint",), _c_lo_identity),
    Tampering(
        "a scalar of the range proof encoded as n",
        ("NonCanonicalScalar",),
        _proof(lambda raw: raw[:33] + _splice(raw[33:], RANGE_PROOF["mu"], N.to_bytes(32, "big"))),
    ),
    Tampering(
        "C_hi with prefix 0x04", ("InvalidPointEncoding",), _proof(lambda raw: b"\x04" + raw[1:])
    ),
    Tampering("proof truncated by one byte", ("WrongLength",), _proof(lambda raw: raw[:-1])),
    Tampering("C_hi only", ("WrongLength",), _proof(lambda raw: raw[:33])),
    Tampering(
        "a range proof for m = 1 after C_hi",
        ("WrongLength",),
        _proof(lambda raw: raw[:33] + raw[33 : 33 + 292 + 66 * 6 - 64] + raw[-64:]),
    ),
    Tampering("R = 2^64", ("InvalidParameters",), {"reserves": str(2**64)}, "max"),
    Tampering("ratio 1/2 (below 1)", ("InvalidParameters",), {"p": 1, "q": 2}),
    Tampering("ratio 2^32 / 1", ("InvalidParameters",), {"p": 2**32, "q": 1}),
    Tampering("ratio 1/0", ("InvalidParameters",), {"p": 1, "q": 0}),
)


def _insolvent_case(gens: GeneratorSet) -> Json:
    """L = R + 1, 'proven' by a prover that skips its checks: C_hi || a range proof of
    d = -1 mod n split into its low and high 64-bit words."""
    reserves, liab = 250000000, 250000001
    r_l = random_scalar(seeded("solvency/insolvent/liabilities"))
    rng = seeded("solvency/insolvent/prover")
    d_mod = (reserves - liab) % N
    d_lo, d_hi = d_mod % 2**64, d_mod >> 64
    r_hi = random_scalar(rng)
    r_lo = (-r_l - 2**64 * r_hi) % N
    context = hashlib.sha256(b"solvency/insolvent/statement").digest() + b"BTC"
    forged = prove_unchecked([d_lo, d_hi], [r_lo, r_hi], 64, rng=rng, gens=gens, context=context)
    return {
        "reserves": str(reserves),
        "root_commitment": hexpt(commit(liab, r_l, gens)),
        "p": 1,
        "q": 1,
        "context": context.hex(),
        "proof": (commit(d_hi, r_hi, gens).to_bytes() + forged.to_bytes()).hex(),
    }


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile("solvency", "zkpor solvency proof v1 (docs/spec.md section 11)", HEADER)
    g = f.group("SolvencyTest")
    proven = Proven({case.key: _add_solvent(g, case, gens) for case in SOLVENT}, gens)
    for t in TAMPERINGS:
        changes = t.changes(proven) if callable(t.changes) else t.changes
        g.add(t.comment, list(t.flags), "invalid", **{**proven.cases[t.base], **changes})
    g.add(
        "L = R + 1 (d = -1), proven without the range check",
        ["Insolvent", "ValueOutOfRange"],
        "invalid",
        **_insolvent_case(gens),
    )
    return f.to_json()


NAME: Final = "solvency"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of solvency.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
