"""The prover of a private proof of assets (docs/spec/private-reserves.md, 17.3); what it
shares with the verifier is :mod:`zkpor.crypto.private_assets`.

For key i of the set (public key Y, balance b, B = b G) the prover publishes a commitment
P = s b G + r H (s = 1 for a key it owns and claims, else 0), a tag T and a CDS OR-proof of

    branch "not owned":  know (r, u) with  P = r H  and  T = u J
    branch "owned":      know (r, x) with  P - B = r H,  Y = x G  and  T = x J

with one challenge c = c0 + c1 (mod n) split between the branches: the true branch is proven
with fresh nonces, the other is simulated with a chosen challenge and responses. A claimed
key's tag is x J; any other key's is u J, u a fresh random scalar, or, when the caller gives
a ``tag_secret``, u = HMAC-SHA512(tag_secret, "zkpor:private-assets:tag:v1" || J || Y)
mod n, so that the tag of a key not claimed is the same in every proof the exchange makes at
that block (two proofs made with fresh u at one block would show which tags stay: the
claimed ones).

Cost per key: every multiplication is by a fixed base (G, H, J, with byte tables) except,
for a key not claimed, one multiplication of Y (the simulated branch's announcement
z G - c1 Y). Records are written as they are made: memory does not grow with the set.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import BinaryIO, Final

from zkpor.crypto.generators import GeneratorSet, generators
from zkpor.crypto.group import N, Point, random_scalar
from zkpor.crypto.group.scalar import RandomSource
from zkpor.crypto.pedersen import Opening
from zkpor.crypto.private_assets import AssetsContext, KeyChallenger, ProofHeader
from zkpor.errors import ParameterError, TranscriptError

__all__ = ["TAG_LABEL", "AssetsProofResult", "KeyProver", "prove_assets"]

TAG_LABEL: Final[bytes] = b"zkpor:private-assets:tag:v1"
_SUM_CHUNK: Final[int] = 4096
#: Build J's fixed-base table only for sets at least this large (it costs ~8,000 additions).
_J_TABLE_MIN: Final[int] = 64


@dataclass(frozen=True)
class AssetsProofResult:
    """What the prover keeps: the reserves commitment sum(P_i), its opening (the claimed
    total and the blinding sum; secret), the number of keys and of claimed keys."""

    commitment: Point
    opening: Opening
    count: int
    claimed: int


class KeyProver:
    """Makes key records for one context. ``prove`` is the honest prover; ``record`` takes
    the choices a test may falsify (:mod:`.testing`)."""

    def __init__(
        self,
        context: AssetsContext,
        *,
        gens: GeneratorSet | None = None,
        rng: RandomSource | None = None,
        tag_secret: bytes | None = None,
    ) -> None:
        self.gens = gens or generators()
        self.pt = self.gens.point_type
        j = context.tag_base(self.pt)
        self.J = j.precomputed() if context.count >= _J_TABLE_MIN else j
        self._j_bytes = j.to_bytes()
        self.context = context
        self.context_digest = context.digest()
        self.challenge = KeyChallenger(self.context_digest)
        self.rng = rng
        self.tag_secret = tag_secret

    def _rs(self) -> int:
        return random_scalar(self.rng)

    def tag_scalar(self, key: bytes) -> int:
        """u for a key not claimed (module doc)."""
        if self.tag_secret is None:
            return self._rs()
        mac = hmac.new(self.tag_secret, TAG_LABEL + self._j_bytes + key, hashlib.sha512)
        return int.from_bytes(mac.digest(), "big") % N or 1

    def prove(
        self, index: int, key: bytes, balance: int, secret: int | None
    ) -> tuple[bytes, Point, Opening]:
        """The record of key ``index`` (claimed when ``secret`` is its secret key), its
        commitment P and P's opening. ParameterError if ``secret`` is not ``key``'s."""
        y = self.pt.from_bytes(key)
        if secret is not None and (not 0 < secret < N or self.gens.G * secret != y):
            raise ParameterError(f"key {index}: the secret given is not this key's")
        if secret is None:
            return self.record(index, key, y, balance, claim=False)
        return self.record(index, key, y, balance, claim=True, secret=secret)

    def record(
        self,
        index: int,
        key: bytes,
        y: Point,
        balance: int,
        *,
        claim: bool,
        secret: int | None = None,
        value: int | None = None,
        tag: int | None = None,
    ) -> tuple[bytes, Point, Opening]:
        """A record proving branch "owned" (``claim``, with ``secret`` as x) or "not owned",
        committing ``value`` (default b_i if claimed, else 0) with tag ``tag`` J (default x,
        or u). Nothing is checked: an honest caller passes the defaults."""
        if not 0 <= balance < 2**64:
            raise ParameterError(f"key {index}: balance must be in [0, 2^64)")
        g, h, jb = self.gens.G, self.gens.H, self.J
        msm = self.pt.msm
        rs = self._rs
        r = rs()
        if claim:
            if secret is None:
                raise ParameterError("a claimed key needs its secret")
            v = balance if value is None else value
            t = secret if tag is None else tag
        else:
            v = 0 if value is None else value
            t = self.tag_scalar(key) if tag is None else tag
        p = msm((v % N, r), (g, h))
        tp = jb * t
        if claim:
            assert secret is not None
            k_r, k_x = rs(), rs()
            c0, z_r0, z_u0 = rs(), rs(), rs()
            a_p1 = h * k_r
            a_y1 = g * k_x
            a_t1 = jb * k_x
            # simulated "not owned": A_P0 = z_r0 H - c0 P, A_T0 = z_u0 J - c0 T
            a_p0 = msm(((-c0 * v) % N, (z_r0 - c0 * r) % N), (g, h))
            a_t0 = jb * ((z_u0 - c0 * t) % N)
        else:
            k_r, k_u = rs(), rs()
            c1, z_r1, z_x1 = rs(), rs(), rs()
            a_p0 = h * k_r
            a_t0 = jb * k_u
            # simulated "owned": A_P1 = z_r1 H - c1 (P - B), A_Y1 = z_x1 G - c1 Y,
            # A_T1 = z_x1 J - c1 T
            a_p1 = msm(((c1 * (balance - v)) % N, (z_r1 - c1 * r) % N), (g, h))
            a_y1 = msm((z_x1, (-c1) % N), (g, y))
            a_t1 = jb * ((z_x1 - c1 * t) % N)
        points = b"".join(q.to_bytes() for q in (p, tp, a_p0, a_t0, a_p1, a_y1, a_t1))
        c = self.challenge(index, key, balance, points)
        if c == 0:  # probability 2^-256
            raise TranscriptError(f"key {index}: zero challenge")
        if claim:
            assert secret is not None
            c1 = (c - c0) % N
            z_r1 = (k_r + c1 * r) % N
            z_x1 = (k_x + c1 * secret) % N
        else:
            c0 = (c - c1) % N
            z_r0 = (k_r + c0 * r) % N
            z_u0 = (k_u + c0 * t) % N
        scalars = b"".join(s.to_bytes(32, "big") for s in (c0, z_r0, z_u0, z_r1, z_x1))
        return points + scalars, p, Opening(v, r)


def prove_assets(
    members: Iterable[tuple[bytes, int]],
    secrets: Mapping[bytes, int],
    context: AssetsContext,
    out: BinaryIO,
    *,
    gens: GeneratorSet | None = None,
    rng: RandomSource | None = None,
    tag_secret: bytes | None = None,
) -> AssetsProofResult:
    """Write the proof of assets for ``members`` (each (33-byte key, balance), in the set's
    order) to ``out``: header, then one record per key. ``secrets`` maps the compressed keys
    the exchange owns and claims to their secret keys.

    ParameterError if the set does not hold ``context.count`` keys, if a secret does not
    match its key, or if a key of ``secrets`` is not in the set. ``rng`` (None: the OS) is
    for test vectors only; ``tag_secret`` (module doc) should be a per-exchange secret.
    """
    prover = KeyProver(context, gens=gens, rng=rng, tag_secret=tag_secret)
    pt = prover.pt
    out.write(ProofHeader(context.count, prover.context_digest).to_bytes())
    total = pt.identity()
    chunk: list[Point] = []
    value = blinding = 0
    claimed = 0
    count = 0
    for index, (key, balance) in enumerate(members):
        if index >= context.count:
            raise ParameterError(f"the set holds more than the {context.count} keys announced")
        secret = secrets.get(key)
        rec, p, opening = prover.prove(index, key, balance, secret)
        out.write(rec)
        claimed += secret is not None
        value += opening.value
        blinding = (blinding + opening.blinding) % N
        chunk.append(p)
        if len(chunk) >= _SUM_CHUNK:
            total = total + pt.sum(chunk)
            chunk = []
        count = index + 1
    if count != context.count:
        raise ParameterError(f"the set holds {count} keys, not the {context.count} announced")
    if claimed != len(secrets):
        raise ParameterError(
            f"{len(secrets) - claimed} of the secrets given are not keys of the set"
        )
    total = total + pt.sum(chunk)
    return AssetsProofResult(total, Opening(value, blinding), count, claimed)
