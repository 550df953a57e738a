"""The one strict base of every public file model (docs/spec/solvency-and-manifest.md, 12.8).

A model that derives from :class:`StrictModel` refuses unknown fields, coerces no types (an
integer field takes only a JSON integer, a string field only a string) and is immutable once
parsed, so what a verifier checked is what it later reads.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["StrictModel"]


class StrictModel(BaseModel):
    """Unknown fields refused; no type coercion; immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
