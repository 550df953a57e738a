"""Building blocks of the vector files' JSON Schemas: hex and decimal strings, objects
without extra properties, and a group's (parameters, test fields, valid-test fields).
"""

from __future__ import annotations

from typing import Final

Schema = dict[str, object]


def _s(pattern: str, description: str = "") -> Schema:
    out: Schema = {"type": "string", "pattern": pattern}
    if description:
        out["description"] = description
    return out


HEX = _s("^([0-9a-f]{2})*$", "bytes as lowercase hex")

HEX32 = _s("^[0-9a-f]{64}$", "32 bytes (a scalar, hash or field element) as lowercase hex")

HEX33 = _s("^[0-9a-f]{66}$", "a 33-byte point encoding (docs/spec.md 1.2) as lowercase hex")

HEX64 = _s("^[0-9a-f]{128}$", "64 bytes as lowercase hex")

DEC = _s("^[0-9]+$", "a non-negative integer in decimal")

STR: Final[Schema] = {"type": "string"}

INT: Final[Schema] = {"type": "integer"}

NAT: Final[Schema] = {"type": "integer", "minimum": 0}

OBJ: Final[Schema] = {"type": "object"}


def _opt(pattern: str) -> Schema:
    return _s(f"^({pattern})?$", "lowercase hex, empty in invalid tests")


def _arr(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def _obj(props: dict[str, Schema], required: list[str] | None = None) -> Schema:
    return {
        "type": "object",
        "properties": props,
        "required": sorted(props) if required is None else required,
        "additionalProperties": False,
    }


def _nullable(s: Schema) -> Schema:
    return {"anyOf": [s, {"type": "null"}]}


_TRIPLE: Final[Schema] = {"type": "array", "prefixItems": [NAT, NAT, DEC], "items": False}

_PAIR: Final[Schema] = {"type": "array", "prefixItems": [NAT, DEC], "items": False}

# group type -> (group parameters, test fields always present, test fields of valid tests)
GroupSpec = tuple[dict[str, Schema], dict[str, Schema], dict[str, Schema]]
