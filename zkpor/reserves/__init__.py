"""Proof of reserves: the snapshot file, ownership signatures, per-asset totals.

- :mod:`.models`: the reserves snapshot (pydantic).
- :mod:`.message`: the ownership message every address signs (names exchange and round).
- :mod:`.bitcoin`: Bitcoin signed messages (legacy ``signmessage`` format; P2PKH,
  P2SH-P2WPKH, P2WPKH), :mod:`.ethereum`: EIP-191 ``personal_sign``.
- :mod:`.verify`: checks a snapshot and returns each asset's total in base units.
"""

from __future__ import annotations

from .message import ownership_message
from .models import AssetReserves, ReserveAddress, ReservesSnapshot
from .verify import ReservesReport, load_reserves, verify_reserves

__all__ = [
    "AssetReserves",
    "ReserveAddress",
    "ReservesReport",
    "ReservesSnapshot",
    "load_reserves",
    "ownership_message",
    "verify_reserves",
]
