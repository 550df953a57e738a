"""The gadget library, the bracket haircut and the collateral statement: completeness over
inputs including their bounds (hypothesis, through the galois satisfiability check and real
proofs), and soundness against witnesses a cheating prover would choose."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zkpor.circuits import (
    AssetTerms,
    BracketTable,
    build_circuit,
    collateral,
    collateral_gate_count,
    demo_assets,
    get_statement,
    haircut_hundredths,
    is_equal,
    is_zero,
    less_than_flag,
    maximum,
    minimum,
    range_check,
    reference_hundredths,
    select,
    to_bits,
)
from zkpor.circuits.brackets import gate_count
from zkpor.circuits.registry import DEMO_TABLE

from zkpor.crypto.group import N
from zkpor.crypto.r1cs import ConstraintSystem, prove, verify
from zkpor.crypto.r1cs.field import check_input_rank, check_witness
from zkpor.crypto.r1cs.testing import prove_unchecked
from zkpor.errors import ParameterError, VerificationError

U64 = st.integers(0, 2**64 - 1)
FAST = settings(max_examples=60, deadline=None)
SLOW = settings(max_examples=4, deadline=None)


def satisfied(build: Callable[[ConstraintSystem], object], values: list[int]) -> bool:
    cs = ConstraintSystem(values=values)
    build(cs)
    try:
        check_witness(cs.circuit(), cs.witness())
    except ParameterError:
        return False
    return True


def same_circuit(build: Callable[[ConstraintSystem], object], values: list[int]) -> None:
    """Prover and verifier build the same constraints whatever the values."""
    p = ConstraintSystem(values=values)
    build(p)
    v = ConstraintSystem(inputs=len(values))
    build(v)
    assert p.circuit().digest() == v.circuit().digest()


# --- basic gadgets -----------------------------------------------------------------------


@FAST
@given(st.integers(0, 2**70))
def test_range_check_exact(x: int) -> None:
    def build(cs: ConstraintSystem) -> None:
        range_check(cs, cs.inputs[0], 64)

    assert satisfied(build, [x]) == (x < 2**64)


@pytest.mark.parametrize("x", [-1, N - 2**64, 2**64, 2**65 - 1])
def test_range_check_rejects_wrapped(x: int) -> None:
    assert not satisfied(lambda cs: range_check(cs, cs.inputs[0], 64), [x])


def test_range_gadget_counts() -> None:
    cs = ConstraintSystem(inputs=1)
    bits = to_bits(cs, cs.inputs[0], 16)
    assert (cs.gates, cs.constraint_count, len(bits)) == (16, 33, 16)


@FAST
@given(st.one_of(st.just(0), st.integers(-5, 5), st.integers(0, N - 1)), U64)
def test_is_zero_and_is_equal(x: int, y: int) -> None:
    def build(cs: ConstraintSystem) -> None:
        f = is_zero(cs, cs.inputs[0])
        cs.constrain(f - cs.inputs[1])  # the flag equals the claimed input

    assert satisfied(build, [x, int(x % N == 0)])
    assert not satisfied(build, [x, 1 - int(x % N == 0)])

    def build_eq(cs: ConstraintSystem) -> None:
        cs.constrain(is_equal(cs, cs.inputs[0], cs.inputs[1]) - 1)

    assert satisfied(build_eq, [y, y])
    assert not satisfied(build_eq, [y, y + 1])


def test_is_zero_cannot_be_forced() -> None:
    """Whatever 'inverse' a cheating prover picks, the flag of a non-zero x stays 0."""

    class Cheat(ConstraintSystem):
        def allocate_multiplier(self, values):  # type: ignore[no-untyped-def]
            if values is not None and self.gates == 0:
                values = (values[0], 0)  # inv = 0, so o_1 = 0 and the flag would be 1
            return super().allocate_multiplier(values)

    cs = Cheat(values=[5])
    f = is_zero(cs, cs.inputs[0])
    cs.constrain(f - 1)
    with pytest.raises(ParameterError, match="does not satisfy"):
        check_witness(cs.circuit(), cs.witness())


def _pair_build(gadget: Callable[..., object]) -> Callable[[ConstraintSystem], None]:
    def build(cs: ConstraintSystem) -> None:
        gadget(cs, cs.inputs[0], cs.inputs[1], 64)

    return build


@FAST
@given(st.one_of(U64, st.sampled_from([0, 2**64 - 1])), st.one_of(U64, st.sampled_from([0, 1])))
def test_comparisons(a: int, b: int) -> None:
    for name, holds in (("le64", a <= b), ("lt64", a < b)):
        assert satisfied(get_statement(name).build, [a, b]) == holds
    assert satisfied(get_statement("le64").build, [a, a])
    assert not satisfied(get_statement("lt64").build, [a, a])

    def build(cs: ConstraintSystem) -> None:
        lo = minimum(cs, cs.inputs[0], cs.inputs[1], 64)
        hi = maximum(cs, cs.inputs[0], cs.inputs[1], 64)
        flag = less_than_flag(cs, cs.inputs[0], cs.inputs[1], 64)
        cs.constrain(lo - min(a, b))
        cs.constrain(hi - max(a, b))
        cs.constrain(flag - int(a < b))
        cs.constrain(select(cs, flag, 10, 20) - (10 if a < b else 20))

    assert satisfied(build, [a, b])
    same_circuit(_pair_build(minimum), [a, b])


def test_wrong_min_rejected() -> None:
    def build(cs: ConstraintSystem) -> None:
        cs.constrain(minimum(cs, cs.inputs[0], cs.inputs[1], 64) - 9)

    assert satisfied(build, [9, 10])
    assert not satisfied(build, [10, 9 + 2])


# --- the bracket function ----------------------------------------------------------------

BOUNDARIES = sorted({0, 1, 2**64 - 1} | {b + d for b in DEMO_TABLE.bounds for d in (-1, 0, 1)})


def _haircut_build(price: int, table: BracketTable) -> Callable[[ConstraintSystem], None]:
    def build(cs: ConstraintSystem) -> None:
        s = haircut_hundredths(cs, cs.inputs[0], price=price, x_bits=64, table=table)
        cs.constrain(s - cs.inputs[1])

    return build


def test_bracket_boundaries() -> None:
    build = _haircut_build(1, DEMO_TABLE)
    for x in BOUNDARIES:
        cs = ConstraintSystem(values=[x, reference_hundredths(DEMO_TABLE, x)])
        build(cs)
        check_witness(cs.circuit(), cs.witness())
        assert not satisfied(build, [x, reference_hundredths(DEMO_TABLE, x) + 1])
        assert not satisfied(build, [x, reference_hundredths(DEMO_TABLE, x) - 1])


@FAST
@given(
    st.one_of(U64, st.sampled_from(BOUNDARIES), st.integers(0, 10**14)),
    st.sampled_from([1, 3, 600, 10**6]),
)
def test_bracket_matches_reference(x: int, price: int) -> None:
    cs = ConstraintSystem(values=[x])
    s = haircut_hundredths(cs, cs.inputs[0], price=price, x_bits=64, table=DEMO_TABLE)
    assert cs.value(s) == reference_hundredths(DEMO_TABLE, x * price)
    check_witness(cs.circuit(), cs.witness())
    assert cs.gates == gate_count(DEMO_TABLE, 64) == 12 + 2 * 45 + 64 + 3


@FAST
@given(
    st.lists(st.integers(1, 10**6), min_size=0, max_size=5),
    st.data(),
)
def test_bracket_random_tables(steps: list[int], data: st.DataObject) -> None:
    bounds = []
    acc = 0
    for s in steps:
        acc += s
        bounds.append(acc)
    percents = data.draw(
        st.lists(st.integers(0, 100), min_size=len(bounds) + 1, max_size=len(bounds) + 1)
    )
    table = BracketTable(tuple(bounds), tuple(percents))
    x = data.draw(st.one_of(st.integers(0, acc + 10), st.sampled_from([0, 2**20 - 1])))
    build = _haircut_build(1, table)

    def build20(cs: ConstraintSystem) -> None:
        s = haircut_hundredths(cs, cs.inputs[0], price=1, x_bits=20, table=table)
        cs.constrain(s - cs.inputs[1])

    assert satisfied(build20, [x, reference_hundredths(table, x)])
    assert not satisfied(build20, [x, reference_hundredths(table, x) + 1])
    same_circuit(build, [x, reference_hundredths(table, x)])


def test_bracket_table_validation() -> None:
    with pytest.raises(ParameterError, match="percents"):
        BracketTable((10,), (100,))
    with pytest.raises(ParameterError, match="above"):
        BracketTable((10, 10), (1, 2, 3))
    with pytest.raises(ParameterError, match=r"\[0, 100\]"):
        BracketTable((10,), (101, 0))
    cs = ConstraintSystem(inputs=1)
    with pytest.raises(ParameterError, match="price"):
        haircut_hundredths(cs, cs.inputs[0], price=0, x_bits=64, table=DEMO_TABLE)


class OneHotCheat(ConstraintSystem):
    """A prover that picks its own one-hot bracket flags (the first K gates) and computes
    every other wire honestly from them: the bracket-bypass attacks."""

    def __init__(self, flags: list[int], **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.flags = flags

    def allocate_multiplier(self, values):  # type: ignore[no-untyped-def]
        i = self.gates
        if values is not None and i < len(self.flags):
            values = (self.flags[i], 1 - self.flags[i])
        return super().allocate_multiplier(values)


def _one_hot(k: int, count: int = 12) -> list[int]:
    return [int(i == k) for i in range(count)]


@pytest.mark.parametrize(
    ("x", "flags", "why"),
    [
        (20_000 * 10**6, _one_hot(11), "small value claimed in the top bracket"),
        (20_000 * 10**6, _one_hot(11), "saturation flag set without reaching the last bracket"),
        (20_000 * 10**6, _one_hot(0), "value claimed in a lower bracket"),
        (20_000 * 10**6, _one_hot(2), "value claimed in a higher bracket"),
        (60_000_000 * 10**6, _one_hot(10), "top value claimed below the top"),
        (10_000 * 10**6, _one_hot(0), "boundary with remainder = width (<= instead of <)"),
        (20_000 * 10**6, [1, 1] + [0] * 10, "two brackets at once"),
        (20_000 * 10**6, [0] * 12, "no bracket"),
    ],
)
def test_bracket_bypass_rejected(x: int, flags: list[int], why: str) -> None:
    build = get_statement("haircut12").build
    # claim whatever haircut the cheated flags give
    from zkpor.circuits.brackets import haircut_hundredths as hh

    probe = OneHotCheat(flags, values=[x])
    s = hh(probe, probe.inputs[0], price=1, x_bits=64, table=DEMO_TABLE)
    claimed = (probe.value(s) or 0) // 100 % N
    cs = OneHotCheat(flags, values=[x, claimed])
    build(cs)
    witness = cs.witness()
    with pytest.raises(ParameterError, match="does not satisfy"):
        check_witness(cs.circuit(), witness)
    proof, commitments = prove_unchecked(cs.circuit(), witness, [3, 4], rng=None, gens=None)
    with pytest.raises(VerificationError):
        verify(build_circuit("haircut12"), proof, commitments)


@pytest.mark.parametrize("delta", [1, -1, 100])
def test_wrong_bracket_sum_rejected(delta: int) -> None:
    x = 123_456 * 10**6
    h = reference_hundredths(DEMO_TABLE, x) // 100
    proof, commitments, _ = prove(get_statement("haircut12").build, [x, h], [5, 6])
    verify(build_circuit("haircut12"), proof, commitments)
    with pytest.raises(ParameterError, match="does not satisfy"):
        prove(get_statement("haircut12").build, [x, h + delta], [5, 6])
    cs = ConstraintSystem(values=[x, h + delta])
    get_statement("haircut12").build(cs)
    bad, bad_cs = prove_unchecked(cs.circuit(), cs.witness(), [5, 6], rng=None, gens=None)
    with pytest.raises(VerificationError):
        verify(build_circuit("haircut12"), bad, bad_cs)
    with pytest.raises(VerificationError):
        verify(build_circuit("haircut12"), proof, commitments[::-1])


# --- the collateral statement ------------------------------------------------------------


def _max_debt(equities: list[int], assets: list[AssetTerms]) -> int:
    """The largest debt in asset 0's units that the equities cover."""
    total = sum(reference_hundredths(a.table, e * a.price) for e, a in zip(equities, assets))
    return total // (100 * assets[0].price)


def _coll_values(equities: list[int], debts: list[int]) -> list[int]:
    return [x for e, d in zip(equities, debts) for x in (e, d)]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.one_of(U64, st.integers(0, 10**12), st.just(2**64 - 1)), min_size=2, max_size=2))
def test_collateral_bound_is_exact(equities: list[int]) -> None:
    assets = demo_assets(2)

    def build(cs: ConstraintSystem) -> None:
        collateral(cs, assets)

    d = _max_debt(equities, assets)
    if d < 2**64:
        assert satisfied(build, _coll_values(equities, [d, 0]))
        assert not satisfied(build, _coll_values(equities, [d + 1, 0]))
    assert satisfied(build, _coll_values(equities, [0, 0]))


@SLOW
@given(st.lists(st.integers(0, 10**13), min_size=2, max_size=2))
def test_collateral_proof_complete(equities: list[int]) -> None:
    assets = demo_assets(2)
    d = _max_debt(equities, assets)
    values = _coll_values(equities, [d, 0])
    proof, commitments, circuit = prove(get_statement("collateral2x12").build, values, [1, 2, 3, 4])
    verify(build_circuit("collateral2x12"), proof, commitments)
    assert circuit.gates == collateral_gate_count(assets) == 419


def test_collateral_over_debt_rejected() -> None:
    assets = demo_assets(2)
    equities = [10**9, 5 * 10**9]
    d = _max_debt(equities, assets)
    build = get_statement("collateral2x12").build
    with pytest.raises(ParameterError, match="does not satisfy"):
        prove(build, _coll_values(equities, [d + 1, 0]), [1, 2, 3, 4])
    cs = ConstraintSystem(values=_coll_values(equities, [d + 1, 0]))
    build(cs)
    bad, bad_cs = prove_unchecked(cs.circuit(), cs.witness(), [1, 2, 3, 4], rng=None, gens=None)
    with pytest.raises(VerificationError):
        verify(build_circuit("collateral2x12"), bad, bad_cs)
    # the debt moved to another account's slot: other commitments
    proof, commitments, _ = prove(build, _coll_values(equities, [d, 0]), [1, 2, 3, 4])
    swapped = [commitments[0], commitments[3], commitments[2], commitments[1]]
    with pytest.raises(VerificationError):
        verify(build_circuit("collateral2x12"), proof, swapped)


def test_collateral_inputs_and_rank() -> None:
    for name in ("collateral1x12", "collateral4x12", "haircut12", "le64", "range64"):
        check_input_rank(build_circuit(name))
    cs = ConstraintSystem(inputs=3)
    with pytest.raises(ParameterError, match="2 committed inputs"):
        collateral(cs, demo_assets(1))
    # constraints: sum_a (2K + 4W + 139) + 2D + 1, D = 80 bits for these prices
    assert len(build_circuit("collateral2x12").constraints) == 2 * (24 + 180 + 139) + 161
    assert len(build_circuit("haircut12").constraints) == 2 * 12 + 4 * 45 + 2 * 64 + 10 + 30
    assert [collateral_gate_count(demo_assets(a)) for a in (1, 2, 4, 16)] == [
        build_circuit(f"collateral{a}x12").gates for a in (1, 2, 4, 16)
    ]


# --- CLI and installation ----------------------------------------------------------------


def _zkpor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zkpor", *args], capture_output=True, text=True, check=False
    )


def test_cli_list_and_inspect() -> None:
    r = _zkpor("circuits", "list", "--json")
    assert r.returncode == 0, r.stderr
    rows = {row["name"]: row for row in json.loads(r.stdout)}
    assert rows["range64"]["gates"] == 64 and rows["collateral2x12"]["gates"] == 419
    r = _zkpor("circuits", "inspect", "haircut12", "--json")
    data = json.loads(r.stdout)
    assert data["digest"] == build_circuit("haircut12").digest().hex()
    assert data["inputs"] == ["x", "h"]
    r = _zkpor("circuits", "inspect", "haircut12")
    assert r.returncode == 0 and "digest" in r.stdout
    r = _zkpor("circuits", "inspect", "no-such")
    assert r.returncode == 2 and "unknown circuit" in r.stderr and "Traceback" not in r.stderr


def test_every_package_is_installed() -> None:
    """pyproject lists packages explicitly (zkpor.circuits is mapped from circuits/): every
    package directory under zkpor/ must be in the list."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    conf = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(conf["packages"])
    found = {
        ".".join(p.parent.relative_to(root).parts) for p in (root / "zkpor").rglob("__init__.py")
    }
    assert found <= listed
    assert conf["package-dir"] == {
        "zkpor.circuits": "circuits",
        "zkpor.vectors.releases_data": "vectors",  # data only: the frozen vector releases
    }
    assert not any(name.split(".")[0] == "tools" for name in listed)  # the generator
    import zkpor.circuits

    assert Path(zkpor.circuits.__file__).parent.name == "circuits"
