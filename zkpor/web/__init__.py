"""The browser verifier: one self-contained HTML page, shipped as package data.

``verifier.html`` is built from ``web/`` (TypeScript on @noble/curves, @noble/hashes and
@scure/base, bundled by esbuild; ``cd web && npm ci && npm run build``) and committed, so
``pip install`` needs no Node. tests/test_web_page.py rebuilds it and checks the bytes are
identical. The page does what ``zkpor verify user`` does, offline: its Content-Security-Policy
forbids every connection (docs/customers.md, "In your browser").
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from zkpor.atomicfile import write_atomic

__all__ = ["PAGE_NAME", "page_bytes", "write_page"]

PAGE_NAME = "index.html"


def page_bytes() -> bytes:
    """The built page, byte for byte as committed."""
    return files(__package__).joinpath("verifier.html").read_bytes()


def write_page(directory: Path) -> Path:
    """Write the page as ``directory/index.html`` (mode 0644, through a temporary file and a
    rename), creating the directory if needed. Returns the path."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / PAGE_NAME
    write_atomic(target, page_bytes(), 0o644)
    return target
