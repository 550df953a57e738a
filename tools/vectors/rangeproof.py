"""rangeproof.json (docs/spec.md section 6): seeded proofs over every n and m, tampered
fields and out-of-range values (made with zkpor.crypto.rangeproof.testing.prove_unchecked).
"""

from __future__ import annotations

from typing import Final

from tools.vectors.base import (
    Json,
    VectorFile,
    _not_on_curve_x,
    _offsets,
    _point_plus_g,
    _scalar_plus_one,
    _splice,
)
from tools.vectors.schemaparts import Schema
from zkpor.crypto.drbg import SeededRandom
from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.group import N, random_scalar
from zkpor.crypto.group.params import P
from zkpor.crypto.pedersen import commit
from zkpor.crypto.rangeproof.prover import prove
from zkpor.crypto.rangeproof.testing import prove_unchecked
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.common import hexpt, hexsc, seed, seeded


def _proof_case(
    values: list[int], bits: int, tag: str, gens: GeneratorSet, *, check_range: bool = True
) -> Json:
    """A seeded proof: blindings from seed tag/blindings, prover randomness from tag/prover."""
    rng = seeded(f"{tag}/blindings")
    blindings = [random_scalar(rng) for _ in values]
    prover_seed = seed(f"{tag}/prover")
    prover = prove if check_range else prove_unchecked
    proof = prover(values, blindings, bits, rng=SeededRandom(prover_seed), gens=gens)
    return {
        "values": [str(v) for v in values],
        "blindings": [hexsc(b) for b in blindings],
        "seed": prover_seed.hex(),
        "commitments": [hexpt(commit(v, b, gens)) for v, b in zip(values, blindings)],
        "proof": proof.to_bytes().hex(),
    }


RANGEPROOF_BITS: Final[tuple[int, ...]] = (8, 16, 32, 64)

RANGEPROOF_M: Final[tuple[int, ...]] = (1, 2, 4, 16)


def _edge_values(bits: int, m: int) -> list[int]:
    top = 2**bits - 1
    pattern = [0, top, 1, 2 ** (bits - 1), top - 1, 2 ** (bits - 1) - 1, 2, 3]
    return [pattern[i % len(pattern)] for i in range(m)]


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile(
        "rangeproof",
        "zkpor range proof v1: aggregated Bulletproofs on secp256k1 (docs/spec.md section 6)",
        [
            "Group parameters n (bits) and m (the number of commitments, which the verifier",
            "takes from its own context). Inputs commitments and proof; valid tests add the",
            "openings (values, blindings) and the prover's DRBG seed, with which the seeded",
            "prover reproduces the proof byte for byte.",
        ],
    )
    pt = gens.point_type
    groups = {
        (n, m): f.group("RangeProofVerify", n=n, m=m) for n in RANGEPROOF_BITS for m in RANGEPROOF_M
    }
    base: dict[tuple[int, int], Json] = {}
    for n in RANGEPROOF_BITS:
        for m in RANGEPROOF_M:
            rng = seeded(f"rangeproof/{n}/{m}/values")
            values = [int.from_bytes(rng.randbytes(8), "big") % 2**n for _ in range(m)]
            case = _proof_case(values, n, f"rangeproof/{n}/{m}/random", gens)
            base[(n, m)] = case
            groups[(n, m)].add(
                f"n = {n}, m = {m}, seeded random values", ["Valid", "SeededProof"], "valid", **case
            )
            case = _proof_case(_edge_values(n, m), n, f"rangeproof/{n}/{m}/edge", gens)
            groups[(n, m)].add(
                f"n = {n}, m = {m}, boundary values (0, 2^n - 1, ...)",
                ["Valid", "SeededProof", "EdgeCase"],
                "valid",
                **case,
            )

    def invalid(
        n: int,
        m: int,
        comment: str,
        flags: list[str],
        commitments: list[str],
        proof: bytes,
        **extra: object,
    ) -> None:
        groups[(n, m)].add(
            comment, flags, "invalid", commitments=commitments, proof=proof.hex(), **extra
        )

    for n, m in ((64, 2), (8, 1)):
        case = base[(n, m)]
        cs = list(case["commitments"])
        data = bytes.fromhex(str(case["proof"]))
        k = (n * m).bit_length() - 1
        off = _offsets(k)
        point_fields = ["A", "S", "T1", "T2", "L[0]", "R[0]", f"L[{k - 1}]", f"R[{k - 1}]"]
        scalar_fields = ["t_x", "tau_x", "mu", "a", "b"]
        if (n, m) == (8, 1):
            point_fields, scalar_fields = ["A", "L[0]"], ["t_x", "a"]
        for name in point_fields:
            invalid(
                n,
                m,
                f"{name} replaced by {name} + G",
                ["TamperedField"],
                cs,
                _point_plus_g(data, off[name], pt),
            )
        for name in scalar_fields:
            invalid(
                n,
                m,
                f"{name} replaced by {name} + 1",
                ["TamperedField"],
                cs,
                _scalar_plus_one(data, off[name]),
            )
        ident_fields = ["A", "S", "T1", "T2", "L[0]", "R[0]"] if n == 64 else ["A"]
        for name in ident_fields:
            invalid(
                n,
                m,
                f"{name} is the identity",
                ["IdentityPoint"],
                cs,
                _splice(data, off[name], bytes(33)),
            )
        if n == 64:
            for name, value in (
                ("t_x", N),
                ("tau_x", N + 1),
                ("mu", 2**256 - 1),
                ("a", N),
                ("b", N + 5),
            ):
                invalid(
                    n,
                    m,
                    f"{name} encoded as a value >= n",
                    ["NonCanonicalScalar"],
                    cs,
                    _splice(data, off[name], value.to_bytes(32, "big")),
                )
            a_bytes = data[:33]
            for comment, enc in (
                ("A with prefix 0x04", b"\x04" + a_bytes[1:]),
                ("A with prefix 0x00 and a non-zero x", b"\x00" + a_bytes[1:]),
                ("A with x = p", a_bytes[:1] + P.to_bytes(32, "big")),
                ("A with an x off the curve", a_bytes[:1] + _not_on_curve_x()),
            ):
                invalid(n, m, comment, ["InvalidPointEncoding"], cs, _splice(data, 0, enc))
            invalid(
                n,
                m,
                "commitment 0 with prefix 0x05",
                ["InvalidPointEncoding"],
                ["05" + cs[0][2:], cs[1]],
                data,
            )
            invalid(
                n, m, "commitment 0 is the identity", ["IdentityPoint"], ["00" * 33, cs[1]], data
            )
            invalid(n, m, "commitments swapped", ["ModifiedCommitment"], [cs[1], cs[0]], data)
            c0 = pt.from_bytes(bytes.fromhex(cs[0]))
            invalid(
                n,
                m,
                "commitment 0 + G (value + 1)",
                ["ModifiedCommitment"],
                [hexpt(c0 + gens.G), cs[1]],
                data,
            )
            invalid(
                n,
                m,
                "commitment 1 negated",
                ["ModifiedCommitment"],
                [cs[0], hexpt(-pt.from_bytes(bytes.fromhex(cs[1])))],
                data,
            )
            invalid(
                n,
                m,
                "commitment 0 replaced by commitment 1",
                ["ModifiedCommitment"],
                [cs[1], cs[1]],
                data,
            )
        for comment, bad in (
            ("truncated by one byte", data[:-1]),
            ("one byte appended", data + b"\x00"),
            (
                "the last round (L, R) repeated",
                data[: off["a"]] + data[off["a"] - 66 : off["a"]] + data[off["a"] :],
            ),
            ("the last round removed", data[: off["a"] - 66] + data[off["a"] :]),
            ("empty", b""),
        ):
            invalid(n, m, f"proof {comment}", ["WrongLength"], cs, bad)
    # wrong m: the verifier's m is the number of commitments it is given
    c64_2 = base[(64, 2)]
    p64_2 = bytes.fromhex(str(c64_2["proof"]))
    cs64_2 = list(c64_2["commitments"])
    invalid(
        64,
        1,
        "a proof for m = 2 checked with its first commitment only",
        ["WrongM", "WrongLength"],
        cs64_2[:1],
        p64_2,
    )
    invalid(
        64,
        4,
        "a proof for m = 2 checked with its commitments twice",
        ["WrongM", "WrongLength"],
        cs64_2 * 2,
        p64_2,
    )
    c64_1 = base[(64, 1)]
    p64_1 = bytes.fromhex(str(c64_1["proof"]))
    cs64_1 = list(c64_1["commitments"])
    invalid(
        64,
        2,
        "a proof for m = 1 checked with its commitment twice",
        ["WrongM", "WrongLength"],
        cs64_1 * 2,
        p64_1,
    )
    # wrong n
    invalid(
        32, 1, "a proof for n = 64 checked with n = 32", ["WrongN", "WrongLength"], cs64_1, p64_1
    )
    c8_1 = base[(8, 1)]
    invalid(
        16,
        1,
        "a proof for n = 8 checked with n = 16",
        ["WrongN", "WrongLength"],
        list(c8_1["commitments"]),
        bytes.fromhex(str(c8_1["proof"])),
    )
    invalid(
        32, 2, "a proof for n = 64 checked with n = 32", ["WrongN", "WrongLength"], cs64_2, p64_2
    )
    c16_2 = base[(16, 2)]
    invalid(
        32,
        1,
        "a proof for n = 16, m = 2 checked as n = 32, m = 1 (same length: k = 5)",
        ["WrongN", "WrongM"],
        list(c16_2["commitments"])[:1],
        bytes.fromhex(str(c16_2["proof"])),
    )
    c32_2 = base[(32, 2)]
    invalid(
        64,
        1,
        "a proof for n = 32, m = 2 checked as n = 64, m = 1 (same length: k = 6)",
        ["WrongN", "WrongM"],
        list(c32_2["commitments"])[:1],
        bytes.fromhex(str(c32_2["proof"])),
    )
    c16_4 = base[(16, 4)]
    invalid(
        32,
        2,
        "a proof for n = 16, m = 4 checked as n = 32, m = 2 with two of its commitments (k = 6)",
        ["WrongN", "WrongM"],
        list(c16_4["commitments"])[:2],
        bytes.fromhex(str(c16_4["proof"])),
    )
    # values out of range, from a prover without its range check
    for i, (n, m, values, comment) in enumerate(
        (
            (8, 1, [256], "value 2^8"),
            (16, 1, [2**16 + 3], "value 2^16 + 3"),
            (32, 1, [2**32], "value 2^32"),
            (64, 1, [2**64], "value 2^64"),
            (64, 1, [N - 1], "value n - 1 (-1)"),
            (64, 2, [5, N - 150000000], "values 5 and n - 150000000 (-1.5 BTC)"),
            (64, 2, [2**64 + 7, 3], "values 2^64 + 7 and 3"),
            (8, 4, [1, 2, 300, 3], "values 1, 2, 300, 3"),
            (64, 16, [*range(15), 2**65], "fifteen small values and 2^65"),
        )
    ):
        tag = f"rangeproof/{n}/{m}/out-of-range-{i}"
        case = _proof_case(values, n, tag, gens, check_range=False)
        groups[(n, m)].add(
            f"{comment}: made without the range check",
            ["ValueOutOfRange"],
            "invalid",
            **case,
        )
    return f.to_json()


NAME: Final = "rangeproof"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of rangeproof.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
