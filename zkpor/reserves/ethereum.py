"""Ethereum ``personal_sign`` (EIP-191, version 0x45) ownership signatures.

The signer is recovered with eth-account (``Account.recover_message`` over
``encode_defunct(text=message)``) and compared with the address. A mixed-case address must
carry a valid EIP-55 checksum.
"""

from __future__ import annotations

import re

from ..errors import VerificationError

__all__ = ["verify_personal_sign"]

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_SIG = re.compile(r"0x[0-9a-fA-F]{130}")


def verify_personal_sign(address: str, message: str, signature: str) -> None:
    """Raise VerificationError unless ``signature`` is ``address``'s personal_sign of
    ``message``."""
    from eth_account import Account
    from eth_account.messages import encode_defunct
    from eth_utils.address import is_checksum_address

    if not _ADDRESS.fullmatch(address):
        raise VerificationError("address: not a 0x-prefixed 20-byte hex address")
    body = address[2:]
    if body != body.lower() and body != body.upper() and not is_checksum_address(address):
        raise VerificationError("address: bad EIP-55 checksum")
    if not _SIG.fullmatch(signature):
        raise VerificationError("signature must be 0x-prefixed hex of 65 bytes")
    try:
        signer = Account.recover_message(
            encode_defunct(text=message), signature=bytes.fromhex(signature[2:])
        )
    except Exception:  # eth-account raises several types for malformed signatures
        raise VerificationError("signature does not recover a signer") from None
    if signer.lower() != address.lower():
        raise VerificationError("signature was not made by this address's key")
