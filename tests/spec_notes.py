"""The specification's text, for tests that check it: one note per protocol in docs/spec/
(docs/spec.md is a stub pointing there). Section numbers are unique across the notes, so a
section is found by its number whatever note holds it."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT / "docs" / "spec"
INDEX = SPEC_DIR / "README.md"


@cache
def notes() -> tuple[Path, ...]:
    """The notes in the index's order (its table "The notes")."""
    table = INDEX.read_text().split("## The notes", 1)[1].split("\n## ", 1)[0]
    names = re.findall(r"^\| \[[^]]+\]\(([a-z0-9-]+\.md)\)", table, re.M)
    assert names, "docs/spec/README.md lists no notes"
    return tuple(SPEC_DIR / name for name in names)


@cache
def spec_text() -> str:
    """Every note, in the index's order: the whole specification."""
    return "\n".join(path.read_text() for path in notes())


def section(number: str) -> str:
    """The text of spec section ``number`` (``"8.1a"``; ``"2."`` or ``"2"`` for section 2),
    from its heading up to the next heading of any level; the section must be in exactly one
    note."""
    if number.isdigit():
        number += "."
    pattern = re.compile(rf"^#+ {re.escape(number)} .*?(?=^#+ |\Z)", re.S | re.M)
    found = [m.group(0) for path in notes() for m in pattern.finditer(path.read_text())]
    assert len(found) == 1, (number, len(found))
    return found[0]
