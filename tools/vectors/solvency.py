"""solvency.json (docs/spec.md section 11): seeded proofs of q R >= p L and
their failures (wrong reserves, ratio, context, an insolvent prover).
"""

from __future__ import annotations

import hashlib
from typing import Final

from tools.vectors.base import Json, VectorFile, _offsets, _scalar_plus_one, _splice
from tools.vectors.schemaparts import Schema
from zkpor.crypto.drbg import SeededRandom
from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.group import N, random_scalar
from zkpor.crypto.pedersen import Opening, commit
from zkpor.crypto.rangeproof.testing import prove_unchecked
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.common import hexpt, hexsc, seed, seeded


def generate(gens: GeneratorSet) -> Json:
    from zkpor.prover.solvency import prove_solvency

    f = VectorFile(
        "solvency",
        "zkpor solvency proof v1 (docs/spec.md section 11)",
        [
            "Inputs reserves R (decimal), root_commitment C_L, ratio p/q, the context the range",
            "proof's transcript binds (hex: in a manifest, its statement digest || asset symbol)",
            "and proof (C_hi || range proof, 787 bytes). Valid tests add the root opening",
            "('liabilities') and the prover's seed, and the outputs D = (q R) G - p C_L, C_hi and",
            "C_lo = D - 2^64 C_hi.",
        ],
    )
    pt = gens.point_type
    g = f.group("SolvencyTest")
    made: dict[str, Json] = {}
    for key, comment, flags, reserves, liab, p, q in (
        ("exact", "R = L: d = 0", ["Valid", "EdgeCase"], 150000000, 150000000, 1, 1),
        ("btc", "R = 2.5 BTC, L = 2.00345678 BTC", ["Valid"], 250000000, 200345678, 1, 1),
        (
            "ratio",
            "R = 2.5 BTC, L = 2.00345678 BTC, ratio 21/20",
            ["Valid"],
            250000000,
            200345678,
            21,
            20,
        ),
        ("max", "R = 2^64 - 1, L = 0", ["Valid", "EdgeCase"], 2**64 - 1, 0, 1, 1),
        (
            "high",
            "R = 2^64 - 1, ratio (2^32 - 1)/(2^32 - 1), d >= 2^64",
            ["Valid", "EdgeCase"],
            2**64 - 1,
            2**64 - 1 - 2**40,
            2**32 - 1,
            2**32 - 1,
        ),
        ("zero", "R = 0, L = 0", ["Valid", "EdgeCase"], 0, 0, 1, 1),
    ):
        r_l = random_scalar(seeded(f"solvency/{key}/liabilities"))
        opening = Opening(liab, r_l)
        prover_seed = seed(f"solvency/{key}/prover")
        context = hashlib.sha256(f"solvency/{key}/statement".encode()).digest() + b"BTC"
        proof = prove_solvency(
            reserves, opening, p, q, gens=gens, rng=SeededRandom(prover_seed), context=context
        )
        root = commit(liab, r_l, gens)
        d = gens.G * (q * reserves % N) - root * p
        case: Json = {
            "reserves": str(reserves),
            "root_commitment": hexpt(root),
            "p": p,
            "q": q,
            "context": context.hex(),
            "proof": proof.to_bytes().hex(),
        }
        made[key] = case
        g.add(
            comment,
            [*flags, "SeededProof"],
            "valid",
            **case,
            liabilities={"units": str(liab), "blinding": hexsc(r_l)},
            seed=prover_seed.hex(),
            difference_commitment=hexpt(d),
            c_hi=hexpt(proof.c_hi),
            c_lo=hexpt(d - proof.c_hi * 2**64),
        )

    def bad(comment: str, flags: list[str], base: str = "btc", **changes: object) -> None:
        case = {**made[base], **changes}
        g.add(comment, flags, "invalid", **case)

    btc = made["btc"]
    raw = bytes.fromhex(str(btc["proof"]))
    root = pt.from_bytes(bytes.fromhex(str(btc["root_commitment"])))
    bad(
        "the context of another manifest",
        ["WrongContext"],
        context=hashlib.sha256(b"another manifest").hexdigest() + b"BTC".hex(),
    )
    bad("the context's asset symbol changed", ["WrongContext"], context=btc["context"][:-2] + "44")
    bad("R + 1", ["WrongReserves"], reserves=str(250000001))
    bad("R - 1", ["WrongReserves"], reserves=str(249999999))
    bad("a proof for ratio 1 checked with 21/20", ["WrongRatio"], p=21, q=20)
    bad("a proof for 21/20 checked with ratio 1", ["WrongRatio"], base="ratio", p=1, q=1)
    bad("a proof for 21/20 checked with 42/40", ["WrongRatio"], base="ratio", p=42, q=40)
    bad("root commitment + G", ["WrongRootCommitment"], root_commitment=hexpt(root + gens.G))
    bad(
        "the root commitment of another case",
        ["WrongRootCommitment"],
        root_commitment=made["exact"]["root_commitment"],
    )
    c_hi = pt.from_bytes(raw[:33], allow_identity=True)
    bad("C_hi + G", ["TamperedField"], proof=((c_hi + gens.G).to_bytes() + raw[33:]).hex())
    bad("C_hi negated", ["TamperedField"], proof=(bytes((raw[0] ^ 1,)) + raw[1:]).hex())
    off = _offsets(7)
    bad(
        "t_x + 1 in the range proof",
        ["TamperedField"],
        proof=(raw[:33] + _scalar_plus_one(raw[33:], off["t_x"])).hex(),
    )
    bad(
        "a byte of L[3] flipped",
        ["TamperedField"],
        proof=(
            raw[: 33 + off["L[3]"] + 10]
            + bytes((raw[33 + off["L[3]"] + 10] ^ 0x40,))
            + raw[33 + off["L[3]"] + 11 :]
        ).hex(),
    )
    bad("C_hi is the identity", ["IdentityPoint"], proof=(bytes(33) + raw[33:]).hex())
    d = gens.G * (250000000 % N) - root
    c_hi_bad = d * pow(2**64, -1, N)  # makes C_lo = D - 2^64 C_hi the identity
    bad(
        "C_hi = D / 2^64, so that C_lo is the identity",
        ["IdentityPoint"],
        proof=(c_hi_bad.to_bytes() + raw[33:]).hex(),
    )
    bad(
        "a scalar of the range proof encoded as n",
        ["NonCanonicalScalar"],
        proof=(raw[:33] + _splice(raw[33:], off["mu"], N.to_bytes(32, "big"))).hex(),
    )
    bad("C_hi with prefix 0x04", ["InvalidPointEncoding"], proof=(b"\x04" + raw[1:]).hex())
    bad("proof truncated by one byte", ["WrongLength"], proof=raw[:-1].hex())
    bad("C_hi only", ["WrongLength"], proof=raw[:33].hex())
    bad(
        "a range proof for m = 1 after C_hi",
        ["WrongLength"],
        proof=(raw[:33] + raw[33 : 33 + 292 + 66 * 6 - 64] + raw[-64:]).hex(),
    )
    bad("R = 2^64", ["InvalidParameters"], base="max", reserves=str(2**64))
    bad("ratio 1/2 (below 1)", ["InvalidParameters"], p=1, q=2)
    bad("ratio 2^32 / 1", ["InvalidParameters"], p=2**32, q=1)
    bad("ratio 1/0", ["InvalidParameters"], p=1, q=0)
    # insolvent: L = R + 1, 'proven' by a prover that skips its checks
    reserves, liab = 250000000, 250000001
    r_l = random_scalar(seeded("solvency/insolvent/liabilities"))
    rng = seeded("solvency/insolvent/prover")
    d_mod = (reserves - liab) % N
    d_lo, d_hi = d_mod % 2**64, d_mod >> 64
    r_hi = random_scalar(rng)
    r_lo = (-r_l - 2**64 * r_hi) % N
    context = hashlib.sha256(b"solvency/insolvent/statement").digest() + b"BTC"
    forged = prove_unchecked([d_lo, d_hi], [r_lo, r_hi], 64, rng=rng, gens=gens, context=context)
    g.add(
        "L = R + 1 (d = -1), proven without the range check",
        ["Insolvent", "ValueOutOfRange"],
        "invalid",
        reserves=str(reserves),
        root_commitment=hexpt(commit(liab, r_l, gens)),
        p=1,
        q=1,
        context=context.hex(),
        proof=(commit(d_hi, r_hi, gens).to_bytes() + forged.to_bytes()).hex(),
    )
    return f.to_json()


NAME: Final = "solvency"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of solvency.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
