"""JSON Schemas (draft 2020-12) of the vector files, written to ``vectors/schemas/``.

Each describes the wycheproof envelope, the file's group types and its tests. Inputs that a
test may deliberately malform (an inclusion proof or manifest object) are only required to
be objects; their own schemas are docs/inclusion-proof.schema.json, docs/roots.schema.json
and docs/manifest.schema.json.
"""

from __future__ import annotations

from typing import Final

from tools.vectors.audit import SPECS as _AUDIT_SPECS
from tools.vectors.base import render
from tools.vectors.multisig import SPECS as _MULTISIG_SPECS
from tools.vectors.private_assets import SPECS as _PRIVATE_ASSETS_SPECS
from tools.vectors.ratio import SPECS as _RATIO_SPECS
from tools.vectors.reserves import SPECS as _RESERVES_SPECS
from tools.vectors.schemaparts import (
    _PAIR,
    _TRIPLE,
    DEC,
    HEX,
    HEX32,
    HEX33,
    HEX64,
    NAT,
    OBJ,
    STR,
    GroupSpec,
    Schema,
    _arr,
    _nullable,
    _obj,
    _opt,
)
from tools.vectors.strict_json import SPECS as _STRICT_JSON_SPECS
from tools.vectors.zkpi import SPECS as _ZKPI_SPECS
from zkpor.vectors.common import VECTORS_VERSION

_TRACE_SCALARS = (
    "alpha rho tau1 tau2 y z t1 t2 x t_x tau_x mu w a b delta".split()  # noqa: SIM905
)
TRACE = _obj(
    {
        **{k: HEX32 for k in _TRACE_SCALARS},
        **{k: HEX33 for k in ("A", "S", "T1", "T2")},
        **{k: _arr(HEX32) for k in ("s_l", "s_r", "l", "r")},
        "rounds": _arr(_obj({"size": NAT, "L": HEX33, "R": HEX33, "u": HEX32})),
    }
)

_OPERATION: Schema = {
    "oneOf": [
        _obj({"op": {"const": "message"}, "label": HEX, "data": HEX}),
        _obj({"op": {"const": "u64"}, "label": HEX, "value": DEC}),
        _obj({"op": {"const": "scalar"}, "label": HEX, "value": HEX32}),
        _obj({"op": {"const": "point"}, "label": HEX, "point": HEX33}),
        _obj({"op": {"const": "challenge"}, "label": HEX, "digest": HEX64, "challenge": HEX32}),
    ]
}

_RP_OPENINGS: dict[str, Schema] = {"values": _arr(DEC), "blindings": _arr(HEX32), "seed": HEX}
_BITS: Final[Schema] = {"enum": [8, 16, 32, 64]}
_M: Final[Schema] = {"type": "integer", "minimum": 1, "maximum": 256}

_CORE_SPECS: Final[dict[str, tuple[str, dict[str, GroupSpec]]]] = {
    "expand_message_xmd": (
        "expand_message_xmd vectors",
        {
            "ExpandMessageXmdTest": (
                {"hash": {"const": "SHA-256"}, "dst": HEX},
                {"msg": HEX, "len_in_bytes": NAT, "uniform_bytes": HEX},
                {},
            )
        },
    ),
    "hash_to_curve": (
        "hash_to_curve vectors",
        {
            "HashToCurveTest": (
                {"suite": {"const": "secp256k1_XMD:SHA-256_SSWU_RO_"}, "dst": HEX},
                {
                    "msg": HEX,
                    "u0": _opt("[0-9a-f]{64}"),
                    "u1": _opt("[0-9a-f]{64}"),
                    "q0": _opt("[0-9a-f]{66}"),
                    "q1": _opt("[0-9a-f]{66}"),
                    "p": _opt("[0-9a-f]{66}"),
                },
                {},
            )
        },
    ),
    "generators": (
        "generator set vectors",
        {
            "GeneratorTest": (
                {
                    "suite": {"const": "secp256k1_XMD:SHA-256_SSWU_RO_"},
                    "dst": HEX,
                    "h_message": HEX,
                    "g_prefix": HEX,
                    "h_prefix": HEX,
                },
                {
                    "name": {"enum": ["G", "H", "G_i", "H_i"]},
                    "index": _nullable({"type": "integer", "minimum": 0, "maximum": 2**32 - 1}),
                    "msg": _nullable(HEX),
                    "point": HEX33,
                },
                {},
            ),
            "GeneratorDigestTest": ({"label": HEX}, {"preimage": HEX, "digest": HEX32}, {}),
        },
    ),
    "transcript": (
        "transcript vectors",
        {
            "TranscriptTest": (
                {"hash": {"const": "SHA-512"}, "domain": HEX},
                {"protocol": HEX, "operations": _arr(_OPERATION), "absorbed": HEX},
                {},
            )
        },
    ),
    "pedersen": (
        "Pedersen commitment vectors",
        {
            "PedersenCommitmentTest": (
                {"g": HEX33, "h": HEX33},
                {"value": DEC, "blinding": HEX32, "commitment": HEX33},
                {},
            )
        },
    ),
    "rangeproof": (
        "range proof vectors",
        {
            "RangeProofVerify": (
                {"n": _BITS, "m": _M},
                {"commitments": _arr(HEX33), "proof": HEX},
                _RP_OPENINGS,
            )
        },
    ),
    "rangeproof_trace": (
        "range proof trace vectors",
        {
            "RangeProofTrace": (
                {"n": _BITS, "m": _M},
                {**_RP_OPENINGS, "commitments": _arr(HEX33), "proof": HEX, "trace": TRACE},
                {},
            )
        },
    ),
    "sumtree": (
        "sum tree vectors",
        {
            "RoundKeysTest": (
                {},
                {
                    "master": HEX32,
                    "run_nonce": HEX32,
                    "round_id": STR,
                    "asset": STR,
                    "leaf_id": STR,
                    "round_key": HEX32,
                    "blinding": HEX32,
                    "salt": HEX32,
                    "placement": HEX32,
                },
                {},
            ),
            "LeafHashTest": (
                {},
                {
                    "round_id": STR,
                    "asset": STR,
                    "salt": HEX,
                    "user_id": STR,
                    "commitment": HEX,
                    "hash": _opt("[0-9a-f]{64}"),
                },
                {},
            ),
            "NodeHashTest": (
                {},
                {
                    "round_id": STR,
                    "asset": STR,
                    "level": NAT,
                    "children": _arr(_obj({"hash": HEX32, "commitment": HEX33})),
                    "tags": _arr(HEX),
                },
                {"hash": HEX32, "commitment": HEX33},
            ),
            "LevelSizesTest": (
                {},
                {"leaf_count": NAT, "arity": NAT, "sizes": _arr(NAT), "depth": NAT},
                {},
            ),
            "ChildChunksTest": (
                {},
                {"count": NAT, "chunks": _arr(NAT), "proof_sizes": _arr(NAT)},
                {},
            ),
            "TreeTest": (
                {},
                {
                    "master": HEX32,
                    "run_nonce": HEX32,
                    "round_id": STR,
                    "asset": STR,
                    "decimals": NAT,
                    "arity": NAT,
                    "pad_granularity": NAT,
                    "customers": _arr(_obj({"user_id": STR, "units": DEC})),
                    "seed": HEX,
                    "leaf_count": NAT,
                    "depth": NAT,
                    "leaves": _arr(
                        _obj(
                            {
                                "leaf_id": STR,
                                "units": DEC,
                                "blinding": HEX32,
                                "salt": HEX32,
                                "placement": HEX32,
                                "hash": HEX32,
                                "commitment": HEX33,
                            }
                        )
                    ),
                    "levels": _arr(
                        _arr(_obj({"hash": HEX32, "commitment": HEX33, "proofs": _arr(HEX)}))
                    ),
                    "root_hash": HEX32,
                    "root_commitment": HEX33,
                    "root_opening": _obj({"units": DEC, "blinding": HEX32}),
                },
                {},
            ),
        },
    ),
    "inclusion": (
        "inclusion proof vectors",
        {
            "InclusionTest": (
                {},
                {
                    "roots": {**OBJ, "description": "a roots.json object (docs/roots.schema.json)"},
                    "inclusion": {
                        **OBJ,
                        "description": "an inclusion proof (docs/inclusion-proof.schema.json)",
                    },
                },
                {
                    "binary": HEX,
                    "verified": _arr(
                        _obj(
                            {
                                "asset": STR,
                                "amount": STR,
                                "units": DEC,
                                "leaf_count": NAT,
                                "root_hash": HEX32,
                            }
                        )
                    ),
                },
            )
        },
    ),
    "solvency": (
        "solvency proof vectors",
        {
            "SolvencyTest": (
                {},
                {
                    "reserves": DEC,
                    "root_commitment": HEX33,
                    "p": NAT,
                    "q": NAT,
                    "context": HEX,
                    "proof": HEX,
                },
                {
                    "liabilities": _obj({"units": DEC, "blinding": HEX32}),
                    "seed": HEX,
                    "difference_commitment": HEX33,
                    "c_hi": HEX33,
                    "c_lo": HEX33,
                },
            )
        },
    ),
    "manifest": (
        "manifest vectors",
        {
            "ManifestTest": (
                {},
                {
                    "manifest": {
                        **OBJ,
                        "description": "a manifest (docs/manifest.schema.json)",
                    },
                    "check_signatures": {"type": "boolean"},
                    "expected_digest": _nullable(STR),
                },
                {
                    "canonical_json": STR,
                    "digest": HEX32,
                    "statement_digest": HEX32,
                    "solvency_inputs": {
                        "type": "object",
                        "description": "per asset: the solvency prover's seed, the reserves "
                        "and the root's opening (equity minus debt with debts)",
                        "additionalProperties": _obj(
                            {
                                "seed": HEX,
                                "reserves": DEC,
                                "liabilities": _obj({"units": DEC, "blinding": HEX32}),
                            }
                        ),
                    },
                },
            )
        },
    ),
    "r1cs": (
        "R1CS proof vectors",
        {
            "R1CSProofVerify": (
                {
                    "circuit": STR,
                    **{k: NAT for k in ("gates", "padded_gates", "inputs", "constraints")},
                    "digest": HEX32,
                    "matrices": _obj(
                        {
                            **{k: _arr(_TRIPLE) for k in ("W_L", "W_R", "W_O", "W_V")},
                            "c": _arr(_PAIR),
                        }
                    ),
                },
                {"commitments": _arr(HEX33), "proof": HEX},
                {
                    "values": _arr(DEC),
                    "blindings": _arr(HEX32),
                    "seed": HEX,
                    "challenges": _obj({**{k: HEX32 for k in "yzxw"}, "u": _arr(HEX32)}),
                },
            )
        },
    ),
    "margin": (
        "margin collateral proof vectors",
        {
            "CollateralProofVerify": (
                {
                    "account": STR,
                    "terms": {
                        **OBJ,
                        "description": "quote and per-asset decimals, price and tiers",
                    },
                    "equity_assets": _arr(STR),
                    "debt_assets": _arr(STR),
                    "gates": NAT,
                    "digest": HEX32,
                },
                {"commitments": _arr(HEX33), "proof": HEX},
                {"values": _arr(DEC), "blindings": _arr(HEX32), "seed": HEX},
            ),
            "MarginInclusionTest": (
                {},
                {
                    "roots": {**OBJ, "description": "a roots.json object with margin terms"},
                    "inclusion": {**OBJ, "description": "an inclusion proof with debts"},
                },
                {"verified": _arr(OBJ)},
            ),
            "MarginTermsTest": (
                {},
                {"roots": {**OBJ, "description": "a roots.json object with margin terms"}},
                {
                    "terms": {
                        **OBJ,
                        "description": "scale D; per priced asset price and bounds in margin "
                        "units (decimal strings) and percents",
                    }
                },
            ),
        },
    ),
}

SPECS: Final[dict[str, tuple[str, dict[str, GroupSpec]]]] = {
    **_CORE_SPECS,
    **_RATIO_SPECS,
    **_ZKPI_SPECS,
    **_RESERVES_SPECS,
    **_STRICT_JSON_SPECS,
    **_AUDIT_SPECS,
    **_MULTISIG_SPECS,
    **_PRIVATE_ASSETS_SPECS,
}


def schema(name: str) -> Schema:
    """The JSON Schema of vector file ``name``."""
    title, groups = SPECS[name]
    defs: dict[str, Schema] = {
        "Note": _obj(
            {"bugType": STR, "description": STR, "effect": STR}, ["bugType", "description"]
        )
    }
    for gtype, (params, fields, valid_fields) in groups.items():
        test_props: dict[str, Schema] = {
            "tcId": {"type": "integer", "minimum": 1},
            "comment": STR,
            "flags": _arr(STR),
            "result": {"enum": ["valid", "invalid"]},
            **fields,
            **valid_fields,
        }
        test: Schema = _obj(test_props, ["tcId", "comment", "flags", "result", *sorted(fields)])
        if valid_fields:
            test["if"] = {"properties": {"result": {"const": "valid"}}}
            test["then"] = {"required": sorted(valid_fields)}
        defs[f"{gtype}Vector"] = test
        defs[gtype] = _obj(
            {
                "type": {"const": gtype},
                **params,
                "tests": _arr({"$ref": f"#/$defs/{gtype}Vector"}),
            }
        )
    top = _obj(
        {
            "algorithm": STR,
            "schema": {"const": f"{name}.schema.json"},
            "numberOfTests": NAT,
            "header": _arr(STR),
            "notes": {"type": "object", "additionalProperties": {"$ref": "#/$defs/Note"}},
            "testGroups": _arr({"oneOf": [{"$ref": f"#/$defs/{g}"} for g in groups]}),
        }
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://zkpor.invalid/vectors/schemas/{name}.schema.json",
        "title": f"zkpor {title} ({VECTORS_VERSION})",
        **top,
        "$defs": defs,
    }


SCHEMAS: Final[tuple[str, ...]] = tuple(SPECS)


def schema_text(name: str) -> str:
    """The exact text of ``vectors/schemas/<name>.schema.json``."""
    return render(schema(name))
