"""ratio.json: how a minimum reserve ratio text is read (docs/spec.md 11.7).

The prover's ``--min-ratio`` text becomes ``p/q`` in lowest terms, which the manifest records
and every solvency proof is made for; two implementations that read one text differently
would prove different statements. Each test is one text: a valid one gives ``p``, ``q`` and
the manifest's ``min_ratio``; an invalid one must be refused.
"""

from __future__ import annotations

from typing import Final

from tools.vectors.base import VectorFile
from tools.vectors.schemaparts import NAT, STR, GroupSpec, Schema
from zkpor.crypto.generators import GeneratorSet
from zkpor.vectors.checkbase import Json
from zkpor.vectors.checkers import CHECKERS

_VALID: list[tuple[str, int, int, str, list[str]]] = [
    ("1", 1, 1, "the default", ["Valid", "KnownAnswer"]),
    ("2", 2, 1, "an integer", ["Valid"]),
    ("1.05", 21, 20, "a decimal, reduced", ["Valid", "KnownAnswer"]),
    ("105/100", 21, 20, "a fraction, reduced", ["Valid", "KnownAnswer"]),
    ("21/20", 21, 20, "a fraction in lowest terms", ["Valid"]),
    ("1.0", 1, 1, "a decimal equal to 1", ["Valid", "EdgeCase"]),
    ("01.50", 3, 2, "leading and trailing zeros are digits like others", ["Valid", "EdgeCase"]),
    ("007/7", 1, 1, "leading zeros in a fraction", ["Valid", "EdgeCase"]),
    (" 1.5\t\n", 3, 2, "surrounding ASCII white space is ignored", ["Valid", "EdgeCase"]),
    ("\r\x0b\x0c2", 2, 1, "CR, VT and FF are ASCII white space too", ["Valid", "EdgeCase"]),
    ("4294967295", 4294967295, 1, "p = 2^32 - 1", ["Valid", "EdgeCase"]),
    ("4294967295/4294967295", 1, 1, "both terms 2^32 - 1, reduced to 1", ["Valid", "EdgeCase"]),
    ("4294967296/2", 2147483648, 1, "2^32 / 2: the bound applies after reduction", ["Valid"]),
    ("9999999999/9999999999", 1, 1, "10-digit terms, reduced", ["Valid", "EdgeCase"]),
    ("1.0000000000", 1, 1, "10 fraction digits", ["Valid", "EdgeCase"]),
    ("1.2500000000", 5, 4, "10 fraction digits, reduced", ["Valid"]),
    ("0000000002", 2, 1, "an integer of 10 digits, leading zeros counted", ["Valid", "EdgeCase"]),
]

_INVALID: list[tuple[str, str, str]] = [
    ("", "empty", "RatioSyntax"),
    ("   ", "only blanks", "RatioSyntax"),
    ("1.", "a point without fraction digits", "RatioSyntax"),
    (".5", "a point without integer digits", "RatioSyntax"),
    ("1,05", "a comma", "RatioSyntax"),
    ("+1", "a sign", "RatioSyntax"),
    ("-1", "a negative sign", "RatioSyntax"),
    ("1e2", "an exponent", "RatioSyntax"),
    ("1e99999999", "a huge exponent (refused at once)", "RatioSyntax"),
    ("1 / 2", "spaces inside a fraction", "RatioSyntax"),
    ("1/2/3", "two slashes", "RatioSyntax"),
    ("1.5/2", "a decimal numerator", "RatioSyntax"),
    ("/2", "a fraction without numerator", "RatioSyntax"),
    ("2/", "a fraction without denominator", "RatioSyntax"),
    ("12345678901", "11 integer digits", "RatioSyntax"),
    ("1.12345678901", "11 fraction digits", "RatioSyntax"),
    ("12345678901/3", "an 11-digit numerator", "RatioSyntax"),
    ("00000000002", "an integer of 11 digits: the limit counts digits, not value", "RatioSyntax"),
    ("00000000001.5", "11 integer digits before the point (value 1.5)", "RatioSyntax"),
    ("3/00000000002", "an 11-digit denominator (value 2)", "RatioSyntax"),
    ("9999999999", "the largest 10-digit integer: read, then too large", "RatioTooLarge"),
    ("\u0661", "an Arabic-Indic digit one", "RatioSyntax"),
    ("\uff12", "a fullwidth digit two", "RatioSyntax"),
    ("\u00a02", "a no-break space is not ASCII white space", "RatioSyntax"),
    ("2\u2003", "an em space is not ASCII white space", "RatioSyntax"),
    ("0x2", "hexadecimal", "RatioSyntax"),
    ("inf", "infinity", "RatioSyntax"),
    ("1/0", "a zero denominator", "RatioSyntax"),
    ("0/0", "zero over zero", "RatioSyntax"),
    ("0.99", "below 1", "RatioBelowOne"),
    ("0", "zero", "RatioBelowOne"),
    ("1/2", "a half", "RatioBelowOne"),
    ("4294967295/4294967296", "just below 1, terms too large too", "RatioBelowOne"),
    ("4294967296", "p = 2^32", "RatioTooLarge"),
    ("4294967297/2", "p = 2^32 + 1 in lowest terms", "RatioTooLarge"),
    ("1.0000000001", "p = 10000000001 in lowest terms", "RatioTooLarge"),
]


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile(
        "ratio",
        "zkpor minimum reserve ratio text (docs/spec.md 11.7)",
        [
            "Input 'text': what the operator passes as --min-ratio. Outputs of a valid test:",
            "p and q in lowest terms (1 <= q <= p < 2^32) and 'min_ratio', the manifest's",
            "'p/q' (12.2). An invalid text must be refused.",
        ],
    )
    g = f.group("RatioParseTest")
    for text, p, q, comment, flags in _VALID:
        g.add(comment, flags, "valid", text=text, p=p, q=q, min_ratio=f"{p}/{q}")
    for text, comment, flag in _INVALID:
        g.add(comment, [flag], "invalid", text=text)
    return f.to_json()


SPECS: dict[str, tuple[str, dict[str, GroupSpec]]] = {
    "ratio": (
        "minimum reserve ratio vectors",
        {"RatioParseTest": ({}, {"text": STR}, {"p": NAT, "q": NAT, "min_ratio": STR})},
    )
}

NAME: Final = "ratio"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of ratio.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
