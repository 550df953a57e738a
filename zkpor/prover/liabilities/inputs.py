"""Reading the exchange's inputs: the asset list and the balances CSV.

``assets`` file (JSON or TOML)::

    {"assets": [{"symbol": "BTC", "decimals": 8}, {"symbol": "ETH", "decimals": 18}]}

    [[assets]]
    symbol = "BTC"
    decimals = 8

Margin (optional): a top-level ``quote`` {symbol, decimals} and per asset ``price`` (quote
units per display unit, a decimal string) with ``tiers`` (haircut brackets ``{up_to, ratio}``,
the last without ``up_to``); :mod:`zkpor.protocol.margin` turns them into the circuit's integers.

``balances.csv``: header ``user_id,asset,amount`` or ``user_id,asset,amount,debt``; ``amount``
(equity) and ``debt`` non-negative decimal strings in the asset's display unit with at most
``decimals`` fractional digits, converted exactly to integer base units (never through
floats); an empty debt field is 0; a debt needs a priced asset. Rows are streamed; every
bad row is reported with file, line and reason (up to a limit), and nothing is written when
any row is bad.

Spec: docs/spec/liabilities-tree.md (7.7a the amount grammar), docs/spec/margin.md (16.1
inputs); docs/operators.md section 1.
"""

from __future__ import annotations

import csv
import json
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from zkpor.errors import InputError, InputErrors, ParameterError
from zkpor.formats.amounts import U64_MAX, parse_amount
from zkpor.formats.identifiers import check_text
from zkpor.protocol.margin import MarginTerms, Tier
from zkpor.protocol.sumtree import MAX_USER_ID_BYTES

__all__ = [
    "AssetSpec",
    "AssetsFile",
    "BalanceRow",
    "InputErrors",
    "QuoteSpec",
    "TierSpec",
    "MAX_REPORTED_ERRORS",
    "U64_MAX",
    "load_assets",
    "parse_amount",
    "read_balances",
]

MAX_REPORTED_ERRORS: Final[int] = 50


_DECIMAL = r"^[0-9]{1,60}(\.[0-9]{1,30})?$"


class TierSpec(BaseModel):
    """A haircut bracket: ``up_to`` a quote value (absent on the last), ``ratio`` a percent."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    up_to: str | None = Field(default=None, pattern=_DECIMAL)
    ratio: int = Field(ge=0, le=100, strict=True)


class QuoteSpec(BaseModel):
    """The quote currency of prices and tier bounds."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    symbol: str = Field(pattern=r"^[A-Z0-9][A-Z0-9._-]{0,15}$")
    decimals: int = Field(ge=0, le=18)


class AssetSpec(BaseModel):
    """One asset: its ticker symbol and how many decimals its display unit has; for margin,
    its price (quote units per display unit) and haircut tiers, given together."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    symbol: str = Field(pattern=r"^[A-Z0-9][A-Z0-9._-]{0,15}$")
    decimals: int = Field(ge=0, le=30)
    price: str | None = Field(default=None, pattern=_DECIMAL)
    tiers: tuple[TierSpec, ...] | None = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _together(self) -> AssetSpec:
        if (self.price is None) != (self.tiers is None):
            raise ValueError(f"asset {self.symbol}: price and tiers go together")
        return self


class AssetsFile(BaseModel):
    """The assets file: a non-empty list of assets with distinct symbols (and, for margin,
    the quote currency)."""

    model_config = ConfigDict(extra="forbid")
    quote: QuoteSpec | None = None
    assets: list[AssetSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _quoted(self) -> AssetsFile:
        if self.quote is None and any(a.price is not None for a in self.assets):
            raise ValueError("prices need a top-level quote {symbol, decimals}")
        return self

    def margin_terms(self, source: str = "") -> MarginTerms | None:
        """The margin terms (None without a quote); InputError for a bad price or tier."""
        if self.quote is None:
            return None
        priced = {
            a.symbol: (a.decimals, a.price, [Tier(t.up_to, t.ratio) for t in a.tiers])
            for a in self.assets
            if a.price is not None and a.tiers is not None
        }
        try:
            return MarginTerms.build(self.quote.symbol, self.quote.decimals, priced)
        except ParameterError as exc:
            raise InputError(f"assets file: {exc}", source=source or None) from None

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
        raise _assets_file_error(exc, str(path)) from None


#: What each pattern-checked field of the assets file accepts, in a user's words.
_PATTERN_WORDS: Final[dict[str, str]] = {
    "price": 'a decimal number of quote units, at least 0, written as a string (e.g. "3000.5")',
    "up_to": 'a decimal number of quote units, at least 0, written as a string (e.g. "100000")',
    "symbol": "1 to 16 characters A-Z, 0-9, '.', '_' or '-', starting with a letter or digit",
}


def _assets_file_error(exc: ValidationError, source: str) -> InputError:
    """The first problem of an assets file in a user's words: an unknown key before anything
    else (a typo such as ``decimal`` also makes ``decimals`` missing; the typo is the
    cause), with the nearest known key; a value that does not match says what is accepted,
    never the regular expression."""
    import difflib

    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    first = errors[0]
    loc = ".".join(str(p) for p in first["loc"])
    name = str(first["loc"][-1]) if first["loc"] else ""
    value = first.get("input")
    msg = first["msg"]
    if first["type"] == "extra_forbidden":
        known = _known_keys(first["loc"][:-1])
        near = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else f" (known keys: {', '.join(known)})"
        msg = f"unknown key {name!r}{hint}"
    elif first["type"] == "string_pattern_mismatch" and name in _PATTERN_WORDS:
        msg = f"{name} must be {_PATTERN_WORDS[name]}, not {value!r}"
        if name == "symbol" and isinstance(value, str) and value != value.upper():
            msg += f" (symbols are upper case: write {value.upper()!r})"
    elif first["type"] == "string_type" and name in ("price", "up_to"):
        msg = f"{name} must be {_PATTERN_WORDS[name]}, not the {type(value).__name__} {value!r}"
    return InputError(f"assets file: {msg}", source=source, field=loc or None)


def _known_keys(loc: tuple[int | str, ...]) -> list[str]:
    """The keys the assets file allows at ``loc`` (the table holding an unknown key)."""
    named = [p for p in loc if isinstance(p, str)]
    tables: dict[str, type[BaseModel]] = {
        "quote": QuoteSpec,
        "assets": AssetSpec,
        "tiers": TierSpec,
    }
    model: type[BaseModel] = AssetsFile
    for key in named:
        model = tables.get(key, model)
    return list(model.model_fields)


def _symbol_hint(asset: str, assets: dict[str, AssetSpec]) -> str:
    """A hint for a symbol that differs from a listed one only in case (or spaces)."""
    near = asset.strip().upper()
    if near in assets:
        return f" (symbols are exact and upper case: did you mean {near}?)"
    return ""


def check_user_id(user_id: str) -> None:
    """The identifier rules (:mod:`zkpor.formats.identifiers`), at most MAX_USER_ID_BYTES of UTF-8."""
    check_text(user_id, "user id", MAX_USER_ID_BYTES)


@dataclass(frozen=True, slots=True)
class BalanceRow:
    line: int
    user_id: str
    asset: str
    units: int
    debt: int = 0


_HEADERS: Final[tuple[list[str], ...]] = (
    ["user_id", "asset", "amount"],
    ["user_id", "asset", "amount", "debt"],
)


def read_balances(
    path: Path, assets: dict[str, AssetSpec], errors: list[InputError]
) -> Iterator[BalanceRow]:
    """Yield valid rows; append an InputError per bad row to ``errors`` (caller stops at the
    limit). Raises InputError at once for an unreadable file or a wrong header.

    Every physical line is one row (no field may hold a line break: identifiers forbid
    them), so a quote left open is reported on the line where its field starts, as an
    unterminated quote, and the next line is read as the next row."""
    src = str(path)
    try:
        fh = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read balances: {exc.strerror}", source=src) from None
    with fh:
        lines = iter(fh)
        number = 1
        try:
            width = _header_width(_csv_line(next(lines, ""), 1, src), src)
            for number, text in enumerate(lines, start=2):
                try:
                    row = _csv_line(text, number, src)
                except InputError as exc:
                    errors.append(exc)
                    continue
                parsed = _parse_row(row, width, number, src, assets)
                if isinstance(parsed, InputError):
                    errors.append(parsed)
                else:
                    yield parsed
        except UnicodeDecodeError as exc:  # the line after the last one read
            line = number + 1 if number > 1 else 1
            raise InputError(
                f"unreadable CSV: not UTF-8 text ({exc.reason})", source=src, line=line
            ) from None


def _csv_line(text: str, number: int, src: str) -> list[str]:
    """The fields of one physical line of the CSV (RFC 4180 quoting within the line)."""
    body = text.removesuffix("\n").removesuffix("\r")
    try:
        return next(csv.reader([body], strict=True), [])
    except csv.Error as exc:
        if "end of data" in str(exc) or body.count('"') % 2:
            start = body.find('"')
            raise InputError(
                f"unterminated quote: the quoted field starting at column {start + 1} does not "
                "end on this line (a field cannot hold a line break)",
                source=src,
                line=number,
            ) from None
        raise InputError(f"unreadable CSV: {exc}", source=src, line=number) from None


def _header_width(header: list[str] | None, src: str) -> int:
    """The number of columns the header names; InputError unless it is one of _HEADERS."""
    if not header or header not in _HEADERS:
        raise InputError(
            "header must be user_id,asset,amount or user_id,asset,amount,debt; "
            f"got {','.join(header or [])[:60]!r}",
            source=src,
            line=1,
        )
    return len(header)


def _parse_row(
    row: list[str], width: int, line: int, src: str, assets: dict[str, AssetSpec]
) -> BalanceRow | InputError:
    """One data row of ``width`` fields: its BalanceRow, or the error that says what is
    wrong with it (file, line, field)."""

    def bad(reason: str, field: str | None = None) -> InputError:
        return InputError(reason, source=src, line=line, field=field)

    if not row or (len(row) == 1 and not row[0].strip()):
        return bad("blank line: every line after the header is one row; remove it")
    if len(row) != width:
        return bad(f"expected {width} fields, got {len(row)}")
    user_id, asset, amount = row[:3]
    try:
        check_user_id(user_id)
    except ValueError as exc:
        return bad(str(exc), "user_id")
    spec = assets.get(asset)
    if spec is None:
        return bad(f"unknown asset {asset[:20]!r}{_symbol_hint(asset, assets)}", "asset")
    if amount.strip() == "":
        return bad("empty amount: write 0 for a zero balance", "amount")
    try:
        units = parse_amount(amount, spec.decimals)
    except ValueError as exc:
        return bad(str(exc), "amount")
    debt_text = row[3] if width == 4 else ""
    debt = 0
    if debt_text != "":
        try:
            debt = parse_amount(debt_text, spec.decimals)
        except ValueError as exc:
            return bad(str(exc), "debt")
        if debt and spec.price is None:
            return bad(f"asset {asset} has no price: it cannot be borrowed", "debt")
    return BalanceRow(line, user_id, asset, units, debt)
