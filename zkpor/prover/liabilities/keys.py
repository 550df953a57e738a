"""The master secret and everything derived from it (HKDF-SHA256, RFC 5869).

One 32-byte master secret per exchange. Per proving run::

    round_key = HKDF(IKM = master, salt = "zkpor-round-v2", info = f(round_id) f(run_nonce), L = 32)

where ``run_nonce`` is 32 fresh random bytes drawn when a run starts (kept in the private
store, so a resumed run reuses it). Proving twice under one round id therefore gives
unrelated blindings, salts and placement: two public audit files of the same round share no
leaf commitment, and the differences of two commitments to one customer's balances reveal
nothing. The nonce is key material: never in public files or logs.

and from the round key (``HKDF-Expand`` with the info strings below, f = u32be length prefix):

| derived value | info | bytes | use |
|---|---|---|---|
| leaf blinding | "blinding" f(asset) f(leaf id) | 64 | reduced mod n |
| leaf salt | "salt" f(asset) f(leaf id) | 32 | in the leaf hash |
| placement key | "placement" f(asset) f(leaf id) | 32 | leaves sorted by it |

The leaf id is the user id for a customer and ``"\\x00pad:" + index`` for padding leaf
``index`` (the NUL byte keeps the two apart: user ids never contain control characters).
Sorting leaves by their placement keys is a secret, reproducible permutation. A fresh round id
or run nonce gives unrelated blindings, salts and placement, so rounds (and reruns of one
round) cannot be linked. From the round key also derive::

    checkpoint key = HKDF-Expand(round_key, "checkpoint", 32)   MACs the resumable state

and, from the master secret alone, the resume fingerprint
``HMAC-SHA256(master, "zkpor-resume-v2" f(round_id))`` that tells a rerun whether an
unfinished run was started with the same secret (it reveals nothing about the secret).

Spec: docs/spec/liabilities-tree.md (section 7) and bundle-and-audit.md (section 9).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Final

from zkpor.crypto.group import N
from zkpor.errors import InputError

__all__ = [
    "MASTER_SECRET_BYTES",
    "RUN_NONCE_BYTES",
    "RoundKeys",
    "hkdf_expand",
    "hkdf_extract",
    "pad_leaf_id",
    "new_run_nonce",
    "read_master_secret",
    "resume_fingerprint",
    "write_master_secret",
]

MASTER_SECRET_BYTES: Final[int] = 32
RUN_NONCE_BYTES: Final[int] = 32
_ROUND_SALT: Final[bytes] = b"zkpor-round-v2"
_SECRET_HEADER: Final[str] = "zkpor-master-secret-v1"


def hkdf_extract(salt: bytes, ikm: bytes) -> bytes:
    """RFC 5869 HKDF-Extract with SHA-256."""
    return hmac.new(salt, ikm, hashlib.sha256).digest()


def hkdf_expand(prk: bytes, info: bytes, length: int) -> bytes:
    """RFC 5869 HKDF-Expand with SHA-256 (length <= 8160)."""
    if not 0 < length <= 255 * 32:
        raise ValueError("HKDF-Expand length out of range")
    out = b""
    block = b""
    counter = 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes((counter,)), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def _f(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def pad_leaf_id(index: int) -> str:
    """The internal id of padding leaf ``index`` (never a valid user id)."""
    return f"\x00pad:{index}"


class RoundKeys:
    """Derivations for one round. Holds secret key material: never log or print it."""

    __slots__ = ("_key", "round_id")

    def __init__(self, round_key: bytes, round_id: str) -> None:
        self._key = round_key
        self.round_id = round_id

    @classmethod
    def derive(cls, master: bytes, round_id: str, run_nonce: bytes) -> RoundKeys:
        """The keys of one run of ``round_id`` (module doc); ``run_nonce`` is 32 bytes."""
        if len(run_nonce) != RUN_NONCE_BYTES:
            raise ValueError("run nonce must be 32 bytes")
        prk = hkdf_extract(_ROUND_SALT, master)
        return cls(hkdf_expand(prk, _f(round_id.encode()) + _f(run_nonce), 32), round_id)

    @property
    def round_key(self) -> bytes:
        """The per-round key: what workers receive instead of the master secret."""
        return self._key

    def blinding(self, asset: str, leaf_id: str) -> int:
        raw = hkdf_expand(self._key, b"blinding" + _f(asset.encode()) + _f(leaf_id.encode()), 64)
        return int.from_bytes(raw, "big") % N or 1

    def salt(self, asset: str, leaf_id: str) -> bytes:
        return hkdf_expand(self._key, b"salt" + _f(asset.encode()) + _f(leaf_id.encode()), 32)

    def placement(self, asset: str, leaf_id: str) -> bytes:
        return hkdf_expand(self._key, b"placement" + _f(asset.encode()) + _f(leaf_id.encode()), 32)

    def checkpoint_key(self) -> bytes:
        """The key that authenticates this run's resumable state (prover checkpoints)."""
        return hkdf_expand(self._key, b"checkpoint", 32)

    def __repr__(self) -> str:
        return f"RoundKeys(round_id={self.round_id!r}, <secret>)"


def new_run_nonce() -> bytes:
    """32 fresh random bytes from the OS for a new proving run (module doc)."""
    return secrets.token_bytes(RUN_NONCE_BYTES)


def resume_fingerprint(master: bytes, round_id: str) -> str:
    """Tells whether an unfinished run used this master secret and round (module doc)."""
    return hmac.new(master, b"zkpor-resume-v2" + _f(round_id.encode()), hashlib.sha256).hexdigest()


def write_master_secret(path: Path, *, force: bool = False) -> None:
    """Write a fresh master secret to ``path`` with mode 0600 (atomically; refuses to
    overwrite an existing file unless ``force``)."""
    if path.exists() and not force:
        raise InputError("file exists; refusing to overwrite a master secret", source=str(path))
    secret = secrets.token_bytes(MASTER_SECRET_BYTES)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(f"{_SECRET_HEADER}\n{secret.hex()}\n")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_master_secret(path: Path) -> bytes:
    """Read a master secret file written by :func:`write_master_secret`."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise InputError(f"cannot read master secret: {exc.strerror}", source=str(path)) from None
    lines = text.split()
    if len(lines) != 2 or lines[0] != _SECRET_HEADER:
        raise InputError("not a zkpor master secret file", source=str(path))
    try:
        secret = bytes.fromhex(lines[1])
    except ValueError:
        raise InputError("master secret is not hex", source=str(path), line=2) from None
    if len(secret) != MASTER_SECRET_BYTES:
        raise InputError("master secret must be 32 bytes", source=str(path), line=2)
    return secret
