"""The identifier rule (docs/spec.md 12.7), code point by code point."""

from __future__ import annotations

import unicodedata

import pytest

from zkpor.formats.identifiers import identifier_problem


def test_unicode_version_is_the_specs() -> None:
    # the spec fixes Unicode 14.0.0; the vectors and these tests are made on Python 3.11
    assert unicodedata.unidata_version == "14.0.0"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("exchange\u0378", "unassigned character (U+0378)"),  # unassigned in 14.0.0
        ("a\uffff", "unassigned character (U+FFFF)"),  # noncharacter
        ("a\U0010fffe", "unassigned character (U+10FFFE)"),
        ("a\U000e0001", "format character (U+E0001)"),
        ("a\u2028b", "line-break character (U+2028)"),
        ("a\x1bb", "control character (U+001B)"),
        ("e\u0301", "not in Unicode normalization form NFC"),
        ("", "is empty"),
    ],
)
def test_refused(text: str, problem: str) -> None:
    found = identifier_problem(text, 100)
    assert found is not None and problem in found


@pytest.mark.parametrize("text", ["Exchange", "Börse \U0001f680", "交易所", "é", "a b"])
def test_accepted(text: str) -> None:
    assert identifier_problem(text, 100) is None


def test_every_code_point_agrees_with_the_category_table() -> None:
    refused = {"Cc", "Cf", "Cs", "Zl", "Zp", "Cn"}
    for cp in range(0, 0x110000, 7):
        ch = chr(cp)
        if not unicodedata.is_normalized("NFC", ch):
            continue
        bad = identifier_problem(ch) is not None
        assert bad == (unicodedata.category(ch) in refused), hex(cp)
