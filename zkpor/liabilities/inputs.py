"""Reading the exchange's inputs: the asset list and the balances CSV.

``assets`` file (JSON or TOML)::

    {"assets": [{"symbol": "BTC", "decimals": 8}, {"symbol": "ETH", "decimals": 18}]}

    [[assets]]
    symbol = "BTC"
    decimals = 8

``balances.csv``: header ``user_id,asset,amount``; ``amount`` a non-negative decimal string
in the asset's display unit with at most ``decimals`` fractional digits, converted exactly to
integer base units (never through floats). Rows are streamed; every bad row is reported with
file, line and reason (up to a limit), and nothing is written when any row is bad.
"""

from __future__ import annotations

import csv
import json
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..amounts import U64_MAX, parse_amount
from ..errors import InputError
from ..identifiers import check_text
from ..sumtree import MAX_USER_ID_BYTES

__all__ = [
    "AssetSpec",
    "AssetsFile",
    "BalanceRow",
    "InputErrors",
    "MAX_REPORTED_ERRORS",
    "U64_MAX",
    "load_assets",
    "parse_amount",
    "read_balances",
]

MAX_REPORTED_ERRORS: Final[int] = 50


class InputErrors(InputError):
    """Several input errors at once; ``errors`` lists them (up to a limit)."""

    def __init__(self, errors: list[InputError], truncated: bool = False) -> None:
        self.errors = errors
        self.truncated = truncated
        lines = [str(e) for e in errors]
        if truncated:
            lines.append(f"(stopped after {len(errors)} errors)")
        super().__init__("\n".join(lines))

    def _render(self) -> str:
        return self.reason


class AssetSpec(BaseModel):
    """One asset: its ticker symbol and how many decimals its display unit has."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    symbol: str = Field(pattern=r"^[A-Z0-9][A-Z0-9._-]{0,15}$")
    decimals: int = Field(ge=0, le=30)


class AssetsFile(BaseModel):
    """The assets file: a non-empty list of assets with distinct symbols."""

    model_config = ConfigDict(extra="forbid")
    assets: list[AssetSpec] = Field(min_length=1)

    @field_validator("assets")
    @classmethod
    def _distinct(cls, v: list[AssetSpec]) -> list[AssetSpec]:
        seen: set[str] = set()
        for a in v:
            if a.symbol in seen:
                raise ValueError(f"asset {a.symbol} listed twice")
            seen.add(a.symbol)
        return v

    def by_symbol(self) -> dict[str, AssetSpec]:
        return {a.symbol: a for a in self.assets}


def load_assets(path: Path) -> AssetsFile:
    """Parse and validate an assets file (``.toml`` or JSON)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read assets file: {exc.strerror}", source=str(path)) from None
    try:
        data = tomllib.loads(raw.decode()) if path.suffix == ".toml" else json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(
            f"assets file is not valid {'TOML' if path.suffix == '.toml' else 'JSON'}: {exc}",
            source=str(path),
        ) from None
    try:
        return AssetsFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise InputError(
            f"assets file: {first['msg']}", source=str(path), field=loc or None
        ) from None


def check_user_id(user_id: str) -> None:
    """The identifier rules (:mod:`zkpor.identifiers`), at most MAX_USER_ID_BYTES of UTF-8."""
    check_text(user_id, "user id", MAX_USER_ID_BYTES)


@dataclass(frozen=True, slots=True)
class BalanceRow:
    line: int
    user_id: str
    asset: str
    units: int


def read_balances(
    path: Path, assets: dict[str, AssetSpec], errors: list[InputError]
) -> Iterator[BalanceRow]:
    """Yield valid rows; append an InputError per bad row to ``errors`` (caller stops at the
    limit). Raises InputError at once for an unreadable file or a wrong header."""
    src = str(path)
    try:
        fh = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read balances: {exc.strerror}", source=src) from None
    with fh:
        reader = csv.reader(fh)
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(f"not a CSV file: {exc}", source=src, line=1) from None
        if header != ["user_id", "asset", "amount"]:
            raise InputError(
                f"header must be user_id,asset,amount; got {','.join(header or [])[:60]!r}",
                source=src,
                line=1,
            )
        try:
            for row in reader:
                line = reader.line_num
                if len(row) != 3:
                    errors.append(
                        InputError(f"expected 3 fields, got {len(row)}", source=src, line=line)
                    )
                    continue
                user_id, asset, amount = row
                try:
                    check_user_id(user_id)
                except ValueError as exc:
                    errors.append(InputError(str(exc), source=src, line=line, field="user_id"))
                    continue
                spec = assets.get(asset)
                if spec is None:
                    errors.append(
                        InputError(
                            f"unknown asset {asset[:20]!r}", source=src, line=line, field="asset"
                        )
                    )
                    continue
                try:
                    units = parse_amount(amount, spec.decimals)
                except ValueError as exc:
                    errors.append(InputError(str(exc), source=src, line=line, field="amount"))
                    continue
                yield BalanceRow(line, user_id, asset, units)
        except (csv.Error, UnicodeDecodeError) as exc:
            errors.append(
                InputError(f"unreadable CSV: {exc}", source=src, line=reader.line_num + 1)
            )
