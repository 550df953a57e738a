"""zkpor.circuits: statements over committed values, for the R1CS proof system.

Installed with the package as ``zkpor.circuits`` (top-level folder ``circuits/``). Gadgets
(:mod:`.gadgets`), the marginal bracket function (:mod:`.brackets`), the multi-asset
collateral statement (:mod:`.collateral`) and named statements (:mod:`.registry`). Each
gadget's docstring states its gates and constraints. Writing a circuit: docs/circuits.md.
"""

from __future__ import annotations

from .brackets import BracketTable, haircut_hundredths, haircut_value, reference_hundredths
from .collateral import (
    AssetTerms,
    account_collateral,
    account_gate_count,
    collateral,
    collateral_gate_count,
)
from .gadgets import (
    assert_equal,
    bind,
    boolean,
    is_equal,
    is_zero,
    less_or_equal,
    less_than,
    less_than_flag,
    maximum,
    minimum,
    range_check,
    select,
    to_bits,
)
from .registry import STATEMENTS, Statement, build_circuit, demo_assets, get_statement

__all__ = [
    "STATEMENTS",
    "AssetTerms",
    "BracketTable",
    "Statement",
    "account_collateral",
    "account_gate_count",
    "assert_equal",
    "bind",
    "boolean",
    "build_circuit",
    "collateral",
    "collateral_gate_count",
    "demo_assets",
    "get_statement",
    "haircut_hundredths",
    "haircut_value",
    "is_equal",
    "is_zero",
    "less_or_equal",
    "less_than",
    "less_than_flag",
    "maximum",
    "minimum",
    "range_check",
    "reference_hundredths",
    "select",
    "to_bits",
]
