"""JSON Schemas of the public file formats (generated from the pydantic models).

``python -m zkpor.formats.schemas DIR`` writes ``DIR/<name>.schema.json`` for each; docs/ holds the
committed copies and a test checks they are current.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from zkpor.formats.manifest import Manifest
from zkpor.formats.models import InclusionProof, Roots
from zkpor.formats.reserves import ReservesSnapshot

__all__ = ["SCHEMAS", "schema_text"]

SCHEMAS: dict[str, type[BaseModel]] = {
    "manifest": Manifest,
    "inclusion-proof": InclusionProof,
    "reserves": ReservesSnapshot,
    "roots": Roots,
}


def schema_text(name: str) -> str:
    """The JSON Schema of format ``name``, as committed in docs/."""
    schema = SCHEMAS[name].model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://zkpor.invalid/schemas/{name}.schema.json"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else Path("docs")
    for name in SCHEMAS:
        (out / f"{name}.schema.json").write_text(schema_text(name))


if __name__ == "__main__":
    main(sys.argv[1:])
