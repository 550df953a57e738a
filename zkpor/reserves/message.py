"""The message each reserve address signs.

    zkpor proof of reserves
    exchange: <exchange name>
    round: <round id>
    address: <the address itself>

Lines end with a single LF, no trailing newline; UTF-8. Naming the exchange and round means
a signature made for another exchange or an earlier round does not verify here.

Spec: docs/spec/reserves.md (section 10).
"""

from __future__ import annotations

__all__ = ["ownership_message"]


def ownership_message(exchange: str, round_id: str, address: str) -> str:
    """The text an address must sign for ``exchange`` in ``round_id``."""
    return f"zkpor proof of reserves\nexchange: {exchange}\nround: {round_id}\naddress: {address}"
