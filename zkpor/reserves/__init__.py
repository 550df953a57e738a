"""Proof of reserves: the snapshot file, ownership signatures, per-asset totals.

- :mod:`.models`: the reserves snapshot (pydantic).
- :mod:`.message`: the ownership message every address signs (names exchange and round).
- :mod:`.bitcoin`: Bitcoin signed messages (legacy ``signmessage`` format; P2PKH,
  P2SH-P2WPKH, P2WPKH), :mod:`.ethereum`: EIP-191 ``personal_sign``.
- :mod:`.bip322`: BIP-322 signatures for Taproot (P2TR) and P2WSH addresses (bip322-core,
  imported only when such an address appears).
- :mod:`.ethnode`, :mod:`.chaincheck`: balances, block hash and token contracts compared
  with an Ethereum node (web3, the ``chain`` extra; only for ``--eth-rpc``).
- :mod:`.ecrecover`: ECDSA public-key recovery (libsecp256k1 through coincurve, or zkpor's
  group API when coincurve is absent), shared by both chains.
- :mod:`.verify`: checks a snapshot (:func:`verify_reserves`) or one asset's addresses
  (:func:`verify_asset_reserves`, for the verifier) and returns the totals in base units.

Verification needs neither eth-account nor coincurve; :mod:`.signing` (making signatures)
uses both.

Spec: docs/spec/reserves.md (section 10).
"""

from __future__ import annotations

from zkpor.formats.reserves import AssetReserves, ReserveAddress, ReservesSnapshot
from zkpor.reserves.message import ownership_message
from zkpor.reserves.verify import (
    ReservesReport,
    load_reserves,
    verify_asset_reserves,
    verify_reserves,
)

__all__ = [
    "AssetReserves",
    "ReserveAddress",
    "ReservesReport",
    "ReservesSnapshot",
    "load_reserves",
    "ownership_message",
    "verify_asset_reserves",
    "verify_reserves",
]
