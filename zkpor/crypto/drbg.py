"""A deterministic random byte generator, for reproducible test vectors only.

Production provers take randomness from the operating system (``secrets``). Test vectors must
be reproducible byte for byte by other implementations, so the seeded mode draws from this
generator instead:

    block_i = SHA-512("zkpor-drbg-v1" || u32be(len(seed)) || seed || u64be(i)),  i = 0, 1, ...

and ``randbytes(k)`` returns the next k bytes of block_0 || block_1 || ... Never use it for
real proofs: anyone who knows the seed can recompute every blinding factor.

See docs/vectors.md.
"""

from __future__ import annotations

import hashlib

__all__ = ["SeededRandom"]


class SeededRandom:
    """SHA-512 counter-mode byte stream from a seed (see module doc)."""

    __slots__ = ("_buf", "_counter", "_prefix")

    def __init__(self, seed: bytes) -> None:
        self._prefix = b"zkpor-drbg-v1" + len(seed).to_bytes(4, "big") + seed
        self._counter = 0
        self._buf = b""

    def randbytes(self, n: int) -> bytes:
        """The next ``n`` bytes of the stream."""
        while len(self._buf) < n:
            block = hashlib.sha512(self._prefix + self._counter.to_bytes(8, "big")).digest()
            self._buf += block
            self._counter += 1
        out, self._buf = self._buf[:n], self._buf[n:]
        return out
