"""One test per rule of docs/spec.md that issue 13 asked to state (items 1-18), each naming
its section: the spec's text, the code and the vectors must agree, and each test fails when
one of them changes (the checks compare values, or run the vector checker on a mutated
vector and require a failure)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from tests.spec_notes import section
from zkpor.crypto.group import N, get_backend
from zkpor.errors import EncodingError, ParameterError, VerificationError
from zkpor.vectors import CheckContext, check_data

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "vectors"
SPEC = (ROOT / "docs" / "spec.md").read_text()
VECTORS = ROOT / "vectors" / "v1"


def vectors(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((VECTORS / f"{name}.json").read_text())  # type: ignore[no-any-return]


def all_tests(data: dict) -> list[dict]:  # type: ignore[type-arg]
    return [t for g in data["testGroups"] for t in g["tests"]]


@pytest.fixture(scope="module")
def ctx() -> CheckContext:
    return CheckContext(get_backend("fast"))


def passes(name: str, data: dict, ctx: CheckContext) -> bool:  # type: ignore[type-arg]
    report = check_data(name, data, ctx)
    return report.ok


def mutated_fails(name: str, ctx: CheckContext, pick, change) -> None:  # type: ignore[no-untyped-def]
    """The file passes as it is, and fails once ``change`` is applied to the first test
    ``pick`` selects: the vectors carry the rule."""
    data = vectors(name)
    assert passes(name, data, ctx)
    bad = copy.deepcopy(data)
    test = next(t for t in all_tests(bad) if pick(t))
    change(test)
    assert not passes(name, bad, ctx)


# --- 1. hash-to-curve constants (2) -------------------------------------------------------


def test_item1_spec2_constants_are_the_codes() -> None:
    import importlib

    h2c = importlib.import_module("zkpor.crypto.group.hash_to_curve")

    text = section("2.")
    assert f"A' = 0x{h2c.A_PRIME:064x}" in text
    assert f"B' = {h2c.B_PRIME}" in text and "Z  = p - 11" in text
    for i, table in enumerate((h2c._K1, h2c._K2, h2c._K3, h2c._K4), start=1):
        for j, value in enumerate(table):
            assert f"k_({i},{j}) = 0x{value:064x}" in text, (i, j)


# --- 2. what expand_message_xmd refuses (2) ------------------------------------------------


def test_item2_spec2_expand_message_xmd_refusals(ctx: CheckContext) -> None:
    from zkpor.crypto.group import expand_message_xmd

    for length in (0, 8161, 65535, 65536):
        with pytest.raises(ParameterError):
            expand_message_xmd(b"m", b"DST", length)
    with pytest.raises(ParameterError):
        expand_message_xmd(b"m", b"", 32)
    assert len(expand_message_xmd(b"", b"DST", 8160)) == 8160
    assert len(expand_message_xmd(b"m", b"D" * 256, 32)) == 32
    mutated_fails(
        "expand_message_xmd",
        ctx,
        lambda t: "EmptyDst" in t["flags"] or "InvalidLength" in t["flags"],
        lambda t: t.update(result="valid", flags=["Valid"], uniform_bytes=""),
    )


# --- 3. every transcript label in the table (6.3) ------------------------------------------


def test_item3_spec6_3_labels_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    from zkpor.crypto.rangeproof import prove, verify
    from zkpor.crypto.transcript import Transcript

    rows = re.findall(r"^\| \d+a? \| [^|]+\| `([^`]+)` \|", section("6.3"), re.M)
    assert rows[:3] == ["gens", "context", "n"] and rows[-3:] == ["L", "R", "u"]
    seen: list[bytes] = []
    for op in ("append_message",):  # the other appends go through it
        orig = getattr(Transcript, op)

        def record(self, label, *a, _orig=orig, **kw):  # type: ignore[no-untyped-def]
            seen.append(bytes(label))
            return _orig(self, label, *a, **kw)

        monkeypatch.setattr(Transcript, op, record)
    orig_c = Transcript.challenge_scalar

    def challenge(self, label):  # type: ignore[no-untyped-def]
        seen.append(bytes(label))
        return orig_c(self, label)

    monkeypatch.setattr(Transcript, "challenge_scalar", challenge)
    from zkpor.crypto.pedersen import commit

    proof = prove([5, 6], [7, 8], 8)
    commitments = [commit(5, 7), commit(6, 8)]
    seen.clear()
    verify(proof, commitments, 8)
    k = 4  # log2(8 * 2)
    spec_order = [r for r in rows if r != "context"]  # no context for this proof
    expected = spec_order[:3] + ["V"] * 2 + spec_order[4:16] + ["L", "R", "u"] * k
    assert [s.decode() for s in seen] == expected


# --- 4. one 0-based index convention (6.5) -------------------------------------------------


def test_item4_spec6_5_zero_based_s_i() -> None:
    from zkpor.crypto.rangeproof.ipa import verification_scalars

    us = [3, 5, 7, 11]  # u_0 .. u_3
    k, nm = len(us), 16
    spec = []
    for i in range(nm):
        s = 1
        for j in range(k):
            e = 1 if (i >> (k - 1 - j)) & 1 else -1
            s = s * pow(us[j], e, N) % N
        spec.append(s)
    assert verification_scalars(us, nm) == spec
    assert "L_0 || R_0 || ... || L_(k-1) || R_(k-1)" in section("6.4")


# --- 5. the seeded byte stream and its draw order (6.2) ------------------------------------


def test_item5_spec6_2_seeded_stream_and_draw_order() -> None:
    import hashlib

    from zkpor.crypto.drbg import SeededRandom

    def stream(seed: bytes, size: int) -> bytes:
        out, i = b"", 0
        while len(out) < size:
            prefix = b"zkpor-drbg-v1" + len(seed).to_bytes(4, "big") + seed
            out += hashlib.sha512(prefix + i.to_bytes(8, "big")).digest()
            i += 1
        return out[:size]

    seed = b"spec-item-5"
    rng = SeededRandom(seed)
    assert rng.randbytes(10) + rng.randbytes(100) == stream(seed, 110)
    for group in vectors("rangeproof_trace")["testGroups"]:
        n, m = group["n"], group["m"]
        for test in group["tests"]:
            raw = stream(bytes.fromhex(test["seed"]), 64 * (4 + 2 * n * m) + 64 * 8)
            draws, pos = [], 0
            while len(draws) < 4 + 2 * n * m:
                s = int.from_bytes(raw[pos : pos + 64], "big") % N
                pos += 64
                if s:
                    draws.append(f"{s:064x}")
            tr = test["trace"]
            spec_order = [tr["alpha"], *tr["s_l"], *tr["s_r"], tr["rho"], tr["tau1"], tr["tau2"]]
            assert draws == spec_order


# --- 6. the test-only prover's bits of an out-of-range value (6.2) -------------------------


def test_item6_spec6_2_out_of_range_bits_reproduce_the_vectors() -> None:
    from zkpor.crypto.drbg import SeededRandom
    from zkpor.crypto.generators import generators
    from zkpor.crypto.rangeproof.testing import prove_unchecked

    gens = generators(get_backend("fast"))
    done = 0
    for group in vectors("rangeproof")["testGroups"]:
        for test in group["tests"]:
            if "ValueOutOfRange" not in test["flags"] or group["n"] * group["m"] > 64:
                continue
            values = [int(v) for v in test["values"]]
            blindings = [int(b, 16) for b in test["blindings"]]
            proof = prove_unchecked(
                values,
                blindings,
                group["n"],
                rng=SeededRandom(bytes.fromhex(test["seed"])),
                gens=gens,
            )
            assert proof.to_bytes().hex() == test["proof"]
            done += 1
    assert done >= 2


# --- 7. the roots file's generator-digest check (9.2) --------------------------------------


def test_item7_spec9_2_roots_generator_digest(tmp_path: Path) -> None:
    from zkpor.cli.verify_cmds import _load_roots

    assert "MUST compare its `generator_digest`" in section("9.2")
    roots = next(t["roots"] for t in all_tests(vectors("inclusion")) if t["result"] == "valid")
    path = tmp_path / "roots.json"
    path.write_text(json.dumps(roots))
    assert _load_roots(path).generator_digest == roots["generator_digest"]
    path.write_text(json.dumps(dict(roots, generator_digest="00" * 32)))
    with pytest.raises(VerificationError, match="another generator set"):
        _load_roots(path)


# --- 8. the Bitcoin duplicate-address rule (10.5) ------------------------------------------


def test_item8_spec10_5_duplicate_keys(ctx: CheckContext) -> None:
    from zkpor.reserves.addresses import address_key

    valid = [t for t in all_tests(vectors("reserves")) if "designates" in t]
    by_key: dict[str, set[str]] = {}
    for t in valid:
        key = t["designates"]
        if t["chain"] == "ethereum":
            assert key == t["address"].lower()
        else:
            assert re.fullmatch(r"(p2pkh|p2sh|p2wpkh):[0-9a-f]{40}", key), key
        assert address_key(t["chain"], t["address"]) == key
        by_key.setdefault(key, set()).add(t["address"])
    assert any(len(v) == 2 for v in by_key.values())  # bc1q... and BC1Q...: one address
    mutated_fails(
        "reserves",
        ctx,
        lambda t: "designates" in t and t["designates"].startswith("p2wpkh:"),
        lambda t: t.update(designates=t["address"]),
    )


# --- 9. block_hash: spec, models and schemas agree (10.1, 12.2) ----------------------------


def test_item9_spec12_2_block_hash_pattern() -> None:
    pattern = "^(0x)?[0-9a-fA-F]{64}$"
    assert f"`{pattern}`" in section("10.1") and f"`{pattern}`" in section("12.2")
    for name in ("manifest", "reserves"):
        text = (ROOT / "docs" / f"{name}.schema.json").read_text()
        assert json.dumps(pattern) in text, name
    from zkpor.formats.manifest import ManifestReserves

    base = {"chain": "bitcoin", "block_height": 1, "total": "0", "total_units": "0"}
    ManifestReserves.model_validate({**base, "addresses": [], "block_hash": "0x" + "aB" * 32})
    with pytest.raises(ValueError):
        ManifestReserves.model_validate({**base, "addresses": [], "block_hash": "0X" + "ab" * 32})


# --- 10. user_id length in bytes of UTF-8 (7.2, 8.1) ---------------------------------------


def test_item10_spec7_2_user_id_counts_bytes() -> None:
    from zkpor.formats.models import InclusionProof

    base = next(t["inclusion"] for t in all_tests(vectors("inclusion")) if t["result"] == "valid")
    InclusionProof.model_validate(dict(base, user_id="€" * 42 + "ab"))  # 128 bytes, 44 chars
    with pytest.raises(ValueError, match="128 bytes"):
        InclusionProof.model_validate(dict(base, user_id="€" * 43))  # 129 bytes, 43 chars
    assert "1 to 128" in section("7.2") and "bytes, not characters" in section("7.2")


def test_item10_spec9_5_audit_round_id_counts_bytes(ctx: CheckContext) -> None:
    """The auditor's 64-byte limit on the round id is in bytes too (33 x 'é' = 66 bytes)."""
    from zkpor.vectors.audit_checks import check_audit

    group = vectors("audit")["testGroups"][0]
    test = copy.deepcopy(next(t for t in group["tests"] if t["result"] == "valid"))
    test["roots"] = None
    check_audit(group, test, ctx)
    row = next(r for r in test["tables"]["meta"] if r[0]["text"] == "round_id")
    row[1] = {"text": "\u00e9" * 33}
    with pytest.raises(VerificationError, match="64 bytes"):
        check_audit(group, test, ctx)


# --- 11. the amount grammar (7.7a) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "decimals", "units"),
    [
        ("007.5", 1, 75),
        ("1.50", 2, 150),
        ("5", 0, 5),
        ("0", 8, 0),
        ("18446744073709551615", 0, 2**64 - 1),
        ("1.", 8, None),
        (".5", 8, None),
        (".", 8, None),
        ("5.0", 0, None),
        ("1.500000000", 8, None),
        ("-1", 8, None),
        ("+1", 8, None),
        (" 1", 8, None),
        ("1e3", 8, None),
        ("1,000", 8, None),
        ("\u0661", 8, None),
        ("18446744073709551616", 0, None),
    ],
)
def test_item11_spec7_7a_amount_grammar(text: str, decimals: int, units: int | None) -> None:
    from zkpor.formats.amounts import parse_amount

    assert "`1.` (a point without fraction digits), `.5`" in section("7.7a")
    if units is None:
        with pytest.raises(ValueError):
            parse_amount(text, decimals)
    else:
        assert parse_amount(text, decimals) == units


# --- 12. the customer's manifest checks (12.4) ---------------------------------------------


def test_item12_spec12_4_every_asset_checked(ctx: CheckContext) -> None:
    """A manifest with one bad asset is refused as a whole, whichever asset a customer holds."""
    mutated_fails(
        "manifest",
        ctx,
        lambda t: t["result"] == "valid" and t["check_signatures"] and "Margin" not in t["flags"],
        lambda t: t["manifest"]["assets"]["ETH"]["reserves"]["addresses"][0].update(balance="21"),
    )
    assert "for\n**every** asset of the manifest" in section("12.4")


# --- 13. signature edge cases (10.3, 10.4, 10.7) -------------------------------------------


def test_item13_spec10_signature_edge_cases(ctx: CheckContext) -> None:
    data = vectors("reserves")
    comments = {t["comment"]: t["result"] for t in all_tests(data)}
    assert [r for c, r in comments.items() if c.endswith("(the recovery id itself)")] == ["valid"]
    assert comments["a high s (n - s, v flipped)"] == "valid"
    assert comments["v = 29"] == "invalid" and comments["s = n"] == "invalid"
    mutated_fails(
        "reserves",
        ctx,
        lambda t: t["comment"].startswith("a high s with v"),
        lambda t: t.update(signature=t["signature"][:-2] + "1d"),  # v = 29
    )
    assert "**recovery failures** are refusals" in section("10.3")


# --- 14. JSON strictness and exact integers (12.8) -----------------------------------------


def test_item14_spec12_8_strict_json_exact_integers() -> None:
    from zkpor.formats.models import Roots
    from zkpor.formats.strictjson import parse_public

    roots = next(t["roots"] for t in all_tests(vectors("inclusion")) if t["result"] == "valid")
    big = dict(roots)
    big["assets"] = {k: dict(v, leaf_count=2**53 + 1) for k, v in roots["assets"].items()}
    parsed = parse_public(Roots, json.dumps(big).encode(), "roots.json")
    assert {a.leaf_count for a in parsed.assets.values()} == {2**53 + 1}
    text = json.dumps(roots)
    for bad in (
        text.replace('"arity": 4', '"arity": 4.0'),
        text.replace('"arity": 4', '"arity": true'),
        text.replace('"arity": 4', '"arity": 4, "arity": 4'),
        text.replace('"arity": 4', '"arity": 1e0'),
    ):
        assert bad != text
        with pytest.raises(Exception, match=r"roots\.json"):
            parse_public(Roots, bad.encode(), "roots.json")
    assert "JavaScript's\n  `JSON.parse` rounds" in section("12.8")


# --- 15. the optional manifest fields (12.2) -----------------------------------------------


def test_item15_spec12_2_optional_fields_in_canonical_json() -> None:
    from zkpor.formats.manifest import Manifest, canonical_json

    data = next(t for t in all_tests(vectors("manifest")) if "Disclosed" in t["flags"])
    m = copy.deepcopy(data["manifest"])
    for asset in m["assets"].values():
        asset["reserves"].pop("block_hash")
        asset["solvency"].pop("liabilities")
    text = canonical_json(Manifest.model_validate(m, strict=True)).decode()
    assert '"block_hash":null' in text and '"liabilities":null' in text
    for margin_field in ('"quote"', '"price"', '"tiers"', '"debt"'):
        assert margin_field not in text
    m["quote"] = None
    assert canonical_json(Manifest.model_validate(m, strict=True)).decode() == text
    assert "**Optional fields, the complete list.**" in section("12.2")


# --- 16. the .zkpi decoder rules (8.1a) ----------------------------------------------------


def test_item16_spec8_1a_decoder_rules(ctx: CheckContext) -> None:
    from zkpor.formats.zkpi import decode_inclusion

    text = section("8.1a")
    for rule in ("depth of 0", "child count of 0 or above the arity", "any byte after"):
        assert rule in text
    comments = {t["comment"] for t in all_tests(vectors("zkpi")) if t["result"] == "invalid"}
    for needed in ("depth 0", "child count 0", "child count 5 at arity 4 (over the arity)",
                   "one trailing byte", "round id is not UTF-8 (0xff)",
                   "flags 1: an empty exchange"):  # fmt: skip
        assert needed in comments
    valid = next(t for t in all_tests(vectors("zkpi")) if t["result"] == "valid")
    data = bytes.fromhex(valid["binary"])
    with pytest.raises(EncodingError):
        decode_inclusion(data + b"\x00")
    mutated_fails(
        "zkpi",
        ctx,
        lambda t: t["comment"] == "depth 0",
        lambda t: t.update(result="valid", flags=["Valid"], inclusion={}),
    )


# --- 17. proofs per step: the real maximum (8.1) -------------------------------------------


def test_item17_spec8_1_at_most_six_proofs_per_step() -> None:
    from zkpor.formats.models import PathStep
    from zkpor.protocol.sumtree import child_chunks

    assert max(len(child_chunks(c)) for c in range(1, 65)) == 6
    assert "array of 1-6 hex strings" in section("8.1")
    step = {"level": 1, "index": 0, "children": [{"hash": "00" * 32, "commitment": "02" * 33}]}
    PathStep.model_validate({**step, "proofs": ["00" * 688] * 6})
    with pytest.raises(ValueError):
        PathStep.model_validate({**step, "proofs": ["00" * 688] * 7})
    with pytest.raises(ValueError):
        PathStep.model_validate({**step, "proofs": ["00" * 689]})


# --- 18. batch weights never 0, order irrelevant, k, zero scalars (6.5) --------------------


def test_item18_spec6_5_batch_weights_and_order(monkeypatch: pytest.MonkeyPatch) -> None:
    import secrets

    from zkpor.crypto.pedersen import commit
    from zkpor.crypto.rangeproof import RangeProof, prove, verify, verify_batch

    good = [(prove([i + 1], [i + 2], 8), [commit(i + 1, i + 2)]) for i in range(3)]
    bad_proof, bad_commitments = prove([9], [10], 8), [commit(9, 10)]
    raw = bytearray(bad_proof.to_bytes())
    raw[140] ^= 1  # t_x
    bad = (RangeProof.from_bytes(bytes(raw)), bad_commitments)
    items = [(p, c, 8) for p, c in good]
    verify_batch(items)
    verify_batch(list(reversed(items)))
    for order in ([*items, (*bad, 8)], [(*bad, 8), *items]):
        with pytest.raises(VerificationError):
            verify_batch(order)
    # a random source returning 0 still gives weight 1: the bad proof cannot drop out
    monkeypatch.setattr(secrets, "randbits", lambda bits: 0)
    with pytest.raises(VerificationError):
        verify_batch([*items, (*bad, 8)])
    # k follows from n and m: an 8-bit proof (k = 3) is refused as a 16-bit one
    with pytest.raises(VerificationError):
        verify(good[0][0], good[0][1], 16)
    assert "odd 128-bit integer" in section("6.5")
