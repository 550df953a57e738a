"""``python -m tools.vectors generate DIR`` (from the root of a source checkout): write a
release folder (check it with ``zkpor vectors check DIR``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools.vectors.release import RELEASE, generate_dir

ROOT = Path(__file__).resolve().parent.parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.vectors", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write every vector file, schema and README into DIR")
    gen.add_argument("directory", metavar="DIR", type=Path)
    gen.add_argument(
        "--force",
        action="store_true",
        help="write into a folder that already holds vector files (never a frozen release)",
    )
    ns = parser.parse_args(argv)
    out: Path = ns.directory
    if out.exists() and not out.is_dir():
        parser.error(f"{out}: not a directory")
    released = (ROOT / "vectors").resolve()
    if out.resolve().parent == released and (out / "README.md").exists():
        parser.error(f"{out}: a released folder is never rewritten (vectors/README.md)")
    if out.is_dir() and any(out.glob("*.json")) and not ns.force:
        parser.error(f"{out}: already holds vector files (--force to overwrite)")
    written = generate_dir(out)
    print(f"wrote {len(written)} files of release {RELEASE} to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
