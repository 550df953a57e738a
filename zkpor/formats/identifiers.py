"""Rules for identifiers: the text fields an exchange controls and a verifier prints.

User ids, round ids, exchange names, asset symbols, chain names and addresses are data. A
verifier prints them, so an exchange that could put terminal controls, line breaks or bidi
overrides into them could forge the verdict a customer reads. Every identifier, on the
prover's input side and on every verifier's read side, must satisfy :func:`check_text`:

- it is in Unicode Normalization Form C (so two ids cannot differ only by NFC/NFD);
- it holds no character of general category Cc (C0 and C1 controls, DEL), Cf (format:
  bidi overrides and isolates, zero-width joiners and spaces, BOM), Cs (surrogates), Zl or
  Zp (line and paragraph separators), or Cn (unassigned, noncharacters included: a code
  point a later Unicode version may assign a category or decomposition to, so that every
  implementation, whatever its tables, gives the same answer);
- its length, counted in bytes of UTF-8, is within the field's limit.

Categories are those of Python's ``unicodedata`` (Unicode 14.0.0 in Python 3.11); the spec
lists them (docs/spec/solvency-and-manifest.md, "Identifiers"). :func:`shown` renders any text for a terminal or
log with non-printable characters escaped, for the error messages about refused text.
"""

from __future__ import annotations

import unicodedata
from typing import Final

__all__ = ["FORBIDDEN_CATEGORIES", "check_text", "identifier_problem", "shown"]

FORBIDDEN_CATEGORIES: Final[frozenset[str]] = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp", "Cn"})


def identifier_problem(text: str, max_bytes: int | None = None) -> str | None:
    """Why ``text`` is not an acceptable identifier, or None when it is."""
    if not text:
        return "is empty"
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in FORBIDDEN_CATEGORIES:
            kind = "control" if cat == "Cc" else "format" if cat == "Cf" else "line-break"
            if cat == "Cs":
                kind = "surrogate"
            elif cat == "Cn":
                kind = "unassigned"
            return f"contains a {kind} character (U+{ord(ch):04X})"
    if not unicodedata.is_normalized("NFC", text):
        return "is not in Unicode normalization form NFC"
    if max_bytes is not None:
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError:
            return "is not valid Unicode text"
        if size > max_bytes:
            return f"is longer than {max_bytes} bytes of UTF-8"
    return None


def check_text(text: str, what: str, max_bytes: int | None = None) -> str:
    """Return ``text`` if it is an acceptable identifier; else raise ValueError naming
    ``what`` and the first problem."""
    problem = identifier_problem(text, max_bytes)
    if problem is not None:
        raise ValueError(f"{what} {problem}")
    return text


def shown(text: str, limit: int = 80) -> str:
    """``text`` for display: non-printable and non-ASCII-space characters escaped as
    ``\\xNN``, ``\\uNNNN`` or ``\\UNNNNNNNN``, backslashes doubled, cut at ``limit``
    characters with an ellipsis. The result holds only printable characters."""
    out: list[str] = []
    for ch in text[:limit]:
        if ch == "\\":
            out.append("\\\\")
        elif ch == " " or (
            ch.isprintable() and unicodedata.category(ch) not in FORBIDDEN_CATEGORIES
        ):
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    if len(text) > limit:
        out.append("…")
    return "".join(out)
