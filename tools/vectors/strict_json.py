"""strict_json.json: the strict JSON rules at the level of bytes (docs/spec/
solvency-and-manifest.md 12.8).

The other files embed parsed JSON, which cannot carry a duplicate key, a byte-order mark,
``1.0`` or an integer a double would round. Here each input is a file's exact bytes (hex):
``StrictJsonTest`` parses them (valid: the canonical JSON of what was parsed, 12.3's
serialisation, so every integer is shown exactly); ``StrictJsonLimitTest`` gives the largest
file a verifier reads of each kind, one byte more being refused before parsing.
"""

from __future__ import annotations

import json
from typing import Final

from tools.vectors.base import Json, VectorFile
from tools.vectors.schemaparts import HEX, NAT, STR, GroupSpec, Schema
from zkpor.crypto.generators import GeneratorSet
from zkpor.vectors.checkers import CHECKERS

HEADER: Final[list[str]] = [
    "StrictJsonTest: input 'data', the exact bytes of a file (hex). Parse them by the strict",
    "rules of 12.8; a valid test outputs 'canonical', the canonical JSON (12.3: sorted keys,",
    "no white space, UTF-8) of what was parsed; an invalid one must be refused. Only the",
    "text level is tested: no file model is applied. StrictJsonLimitTest: input 'file'",
    "(inclusion, manifest, roots, reserves); output 'max_bytes', the largest file a",
    "verifier reads of that kind; a file of max_bytes + 1 bytes is refused unparsed.",
]

_DEEP_OK = '{"a":' + "[" * 31 + "]" * 31 + "}"  # the object is depth 1: 32 in all
_DEEP_BAD = '{"a":' + "[" * 32 + "]" * 32 + "}"

_VALID: Final[tuple[tuple[str, bytes, tuple[str, ...]], ...]] = (
    ("a small object", b'{"b": 1, "a": [true, null, "x"]}', ()),
    (
        "white space of all four kinds around tokens, a final newline",
        b' \t\r\n{ "a" :\n[ 1 ,\t2 ] }\r\n',
        ("EdgeCase",),
    ),
    ("nested exactly 32 deep", _DEEP_OK.encode(), ("EdgeCase",)),
    ("20 digits", b'{"a": 12345678901234567890}', ("EdgeCase",)),
    ("-20 digits", b'{"a": -12345678901234567890}', ("EdgeCase",)),
    (
        "2^53 + 1 kept exactly (a double gives 2^53)",
        b'{"leaf_count": 9007199254740993}',
        ("ExactInteger",),
    ),
    ("2^64 - 1 kept exactly", b'{"a": 18446744073709551615}', ("ExactInteger",)),
    ("an escaped surrogate pair is one code point (U+1F680)", b'{"a": "\\ud83d\\ude80"}', ()),
    (
        "non-ASCII UTF-8 kept as UTF-8 (2-, 3- and 4-byte)",
        '{"a": "\u00f6\u53d6\U0001f680"}'.encode(),
        ("EdgeCase",),
    ),
    ("keys equal after escapes are not unequal keys: 'a' and 'b'", b'{"\\u0061": 1, "b": 2}', ()),
)

_INVALID: Final[tuple[tuple[str, bytes], ...]] = (
    ("a key twice", b'{"a": 1, "a": 1}'),
    ("a key twice, once escaped ('a' and '\\u0061')", b'{"a": 1, "\\u0061": 2}'),
    ("a key twice in a nested object", b'{"x": {"a": 1, "b": 2, "a": 3}}'),
    ("nested 33 deep", _DEEP_BAD.encode()),
    ("a UTF-8 byte-order mark", b'\xef\xbb\xbf{"a": 1}'),
    ("1.0 (a fraction, though integral)", b'{"a": 1.0}'),
    ("1e2 (an exponent)", b'{"a": 1e2}'),
    ("-0", b'{"a": -0}'),
    ("21 digits", b'{"a": 123456789012345678901}'),
    ("a leading zero", b'{"a": 01}'),
    ("NaN", b'{"a": NaN}'),
    ("Infinity", b'{"a": Infinity}'),
    ("a lone surrogate escape", b'{"a": "\\ud800"}'),
    ("a lone surrogate escape in a key", b'{"\\udc00": 1}'),
    ("not UTF-8 (0xff in a string)", b'{"a": "\xff"}'),
    ("UTF-16 (little endian, with its byte-order mark)", '{"a": 1}'.encode("utf-16")),
    ("a second value after the object", b'{"a": 1} {"b": 2}'),
    ("a top-level array", b'[{"a": 1}]'),
    ("a trailing comma", b'{"a": 1,}'),
    ("a single-quoted string", b"{'a': 1}"),
    ("a raw control character in a string", b'{"a": "x\ty"}'),
    ("the empty file", b""),
)

LIMITS: Final[tuple[tuple[str, int], ...]] = (
    ("inclusion", 8 * 1024 * 1024),
    ("manifest", 64 * 1024 * 1024),
    ("roots", 4 * 1024 * 1024),
    ("reserves", 256 * 1024 * 1024),
)


def canonical(data: bytes) -> str:
    """12.3's serialisation of the strictly parsed ``data``."""
    from zkpor.formats.strictjson import load_strict_json

    obj = load_strict_json(data, "vector")
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile("strict_json", "zkpor strict JSON at the byte level (docs/spec.md 12.8)", HEADER)
    g = f.group("StrictJsonTest")
    for comment, data, flags in _VALID:
        g.add(
            comment,
            ["Valid", "StrictJson", *flags],
            "valid",
            data=data.hex(),
            canonical=canonical(data),
        )
    for comment, data in _INVALID:
        g.add(comment, ["NonStrictJson"], "invalid", data=data.hex())
    g = f.group("StrictJsonLimitTest")
    for kind, limit in LIMITS:
        g.add(
            f"the largest {kind} file read",
            ["Valid", "SizeLimit"],
            "valid",
            file=kind,
            max_bytes=limit,
        )
    return f.to_json()


SPECS: dict[str, tuple[str, dict[str, GroupSpec]]] = {
    "strict_json": (
        "strict JSON vectors",
        {
            "StrictJsonTest": ({}, {"data": HEX}, {"canonical": STR}),
            "StrictJsonLimitTest": ({}, {"file": STR}, {"max_bytes": NAT}),
        },
    )
}

NAME: Final = "strict_json"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of strict_json.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
