"""The specification's split (issue 22): one note per protocol in docs/spec/, numbered as
before, with an index whose section map names every section's note and heading, and relative
links in the docs that lead somewhere."""

from __future__ import annotations

import re
from pathlib import Path

from tests.spec_notes import INDEX, ROOT, SPEC_DIR, notes, section

HEADING = re.compile(r"^(#{2,}) (\d+(?:\.\d+[a-z]?)*)\.? (.*)$", re.M)
LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading's text: lower case, punctuation dropped but ``-`` and
    ``_``, spaces as ``-``."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {anchor(m.group(1)) for m in re.finditer(r"^#+ (.*)$", path.read_text(), re.M)}


def headings() -> list[tuple[str, str, str]]:
    """(number, title, note name) of every numbered heading, in the notes' order."""
    return [
        (m.group(2), m.group(3), path.name)
        for path in notes()
        for m in HEADING.finditer(path.read_text())
    ]


def test_the_notes_are_the_folder() -> None:
    assert sorted(notes()) == sorted(p for p in SPEC_DIR.glob("*.md") if p != INDEX)


def test_numbers_are_unique_and_complete() -> None:
    numbers = [n for n, _, _ in headings()]
    assert len(numbers) == len(set(numbers))
    assert [n for n in numbers if "." not in n] == [str(i) for i in range(1, 18)]
    for inserted in ("7.7a", "8.1a", "12.3a", "15.7.1", "15.7.2"):
        assert inserted in numbers
    # each section's text is found by its number, in exactly one note
    assert section("7.7a").startswith("### 7.7a Amount text")
    assert section("16.8").startswith("### 16.8 Inclusion proofs")


def test_the_map_names_every_section() -> None:
    index = INDEX.read_text()
    table = index.split("## Section map", 1)[1]
    rows = re.findall(
        r"^\| ([0-9.a-z]+) \| \[(.*?)\]\(([a-z0-9-]+\.md)#([^)]+)\) \| ([^|]+) \|$", table, re.M
    )
    mapped = [(number, title, note) for number, title, note, _, _ in rows]
    assert mapped == headings()
    for number, title, note, link, column in rows:
        level = "## " if "." not in number else "#" * (number.count(".") + 2) + " "
        text = f"{number}. {title}" if "." not in number else f"{number} {title}"
        assert link == anchor(text), (number, link)
        assert link in anchors(SPEC_DIR / note), (number, link)
        assert column.startswith(note), number
        assert f"\n{level}{text}\n" in (SPEC_DIR / note).read_text(), number


def test_moved_parts_leave_pointers() -> None:
    assert "docs/cli.md" in section("14")
    assert "benchmarks.md" in section("6.6") and "benchmarks.md" in section("10.8")
    cli = (ROOT / "docs" / "cli.md").read_text()
    assert "**Exit codes and errors.**" in cli and "- `zkpor verify audit BUNDLE" in cli
    bench = (ROOT / "docs" / "benchmarks.md").read_text()
    assert "formerly spec 6.6" in bench and "was spec 10.8" in bench
    stub = (ROOT / "docs" / "spec.md").read_text()
    for path in notes():
        assert f"(spec/{path.name})" in stub, path.name


def test_relative_links_resolve() -> None:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), INDEX, *notes()]
    for path in files:
        for target in LINK.findall(path.read_text()):
            if re.match(r"[a-z]+:", target):
                continue
            name, _, fragment = target.partition("#")
            dest = (path.parent / name).resolve() if name else path
            assert dest.exists(), (path.name, target)
            if fragment and dest.suffix == ".md":
                assert fragment in anchors(dest), (path.name, target)
