"""Checking a whole manifest: what a customer's and an auditor's verifier both run.

Spec: docs/spec/solvency-and-manifest.md, 12.4 ("Verification: customer and auditor"); one
function per step, in its order:

1. the digest, when the customer gives the published one (else the caller says it was not
   compared) (:func:`_check_digest`);
2. the parameters: generator set, arity (:func:`_check_parameters`);
3. per asset (:func:`_check_asset`): depth against leaf count, reserves total equal to the
   sum of the balances, the root, proof and private reserves commitment decode, the
   solvency proof (with C_P added when the asset has private reserves, 11.9; bound to the
   manifest's statement digest, so no other field can have changed), the disclosed
   liabilities opening the root when present;
4. across assets: no holding (the native coin or one token contract, at one address, on
   one chain) claimed by two assets, and no known token symbol naming another contract
   (:mod:`zkpor.reserves.holdings`); a token contract the known table cannot vouch for
   is listed in :attr:`ManifestReport.not_known_tokens` (:func:`_check_across_assets`);
5. every reserve ownership signature over the exchange and round, each address valid on
   the asset's chain, no address twice (:mod:`zkpor.reserves`,
   :func:`_check_reserve_signatures`).

What no verifier can check from the manifest: that the balances are on chain at the block
height, that no customer was left out of the trees (docs/threat-model.md), and that the
private reserves commitment is what the per-key proof over the set yields (the audit checks
that: :mod:`zkpor.verify.private_reserves`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zkpor.crypto.generators import GeneratorSet, generator_digest, generators
from zkpor.crypto.group import N, Point, active_backend
from zkpor.crypto.pedersen import commit
from zkpor.errors import EncodingError, InputError, VerificationError
from zkpor.formats.amounts import format_units, parse_amount
from zkpor.formats.manifest import (
    Manifest,
    ManifestAsset,
    manifest_digest,
    solvency_context,
    statement_digest,
)
from zkpor.formats.models import ROOTS_FORMAT, AssetRoot, Roots
from zkpor.protocol.solvency import SolvencyProof, verify_solvency
from zkpor.protocol.sumtree import SUPPORTED_ARITIES, level_sizes
from zkpor.verify.margin import terms_of

__all__ = [
    "AssetReport",
    "ManifestReport",
    "manifest_roots",
    "normalize_digest",
    "roots_of",
    "verify_manifest",
]


@dataclass(frozen=True)
class AssetReport:
    """What was checked for one asset: its reserves (chain, block, signed addresses with
    their balances), the proven ratio and, when disclosed, the liabilities."""

    chain: str
    block_height: int
    block_hash: str | None
    reserves: str
    min_ratio: str
    liabilities: str | None
    addresses: list[tuple[str, str]]
    net: bool = False  # liabilities are equity minus debt (the asset has a debt tree)
    debt: str | None = None  # disclosed debt total
    token_contract: str | None = None  # the ERC-20 contract (absent: the chain's native coin)
    chain_id: int | None = None
    token_known: bool = False  # token_contract is the known contract of the symbol (10.5)
    private_keys: int | None = None  # reserves also proven among this many keys (17.11)

    @property
    def private(self) -> bool:
        """The asset's reserves include a private proof of assets (checked by the audit)."""
        return self.private_keys is not None

    def to_json(self) -> dict[str, object]:
        return {
            "chain": self.chain,
            "block_height": self.block_height,
            "block_hash": self.block_hash,
            "reserves": self.reserves,
            "min_ratio": self.min_ratio,
            "liabilities": self.liabilities,
            **({"net_of_debt": True, "debt": self.debt} if self.net else {}),
            **(
                {"token_contract": self.token_contract, "token_known": self.token_known}
                if self.token_contract
                else {}
            ),
            **({"chain_id": self.chain_id} if self.chain_id is not None else {}),
            "signed_addresses": [{"address": a, "balance": b} for a, b in self.addresses],
            **(
                {"private_reserves": {"keys": self.private_keys, "block_height": self.block_height}}
                if self.private_keys is not None
                else {}
            ),
        }


@dataclass
class ManifestReport:
    """A verified manifest: its digest (and whether it matched the published one: None when
    none was given), and per asset what was checked."""

    digest: str
    exchange: str
    round_id: str
    digest_matched: bool | None = None
    signatures_checked: bool = True
    assets: dict[str, AssetReport] = field(default_factory=dict)
    # "not checked" lines: token contracts the known table cannot vouch for (10.5)
    not_known_tokens: list[str] = field(default_factory=list)


def roots_of(manifest: Manifest) -> dict[str, AssetRoot]:
    """The per-asset tree roots of a manifest, for :func:`verify_inclusion`."""
    return {
        sym: AssetRoot(
            decimals=a.decimals,
            leaf_count=a.leaf_count,
            depth=a.depth,
            root_hash=a.root_hash,
            root_commitment=a.root_commitment,
            price=a.price,
            tiers=a.tiers,
            debt=a.debt,
        )
        for sym, a in manifest.assets.items()
    }


def manifest_roots(manifest: Manifest) -> Roots:
    """The manifest's tree part as a :class:`Roots` (for :func:`audit_bundle`)."""
    return Roots(
        format=ROOTS_FORMAT,
        round_id=manifest.round_id,
        arity=manifest.parameters.arity,
        range_bits=64,
        generator_digest=manifest.parameters.generator_digest,
        quote=manifest.quote,
        assets=roots_of(manifest),
    )


def _check_reserve_signatures(manifest: Manifest) -> None:
    """Every asset's reserves through the checks ``zkpor prove`` runs on the snapshot
    (:func:`zkpor.reserves.verify_asset_reserves`: ownership signatures over the exchange and
    round, each address valid on the asset's chain, no address twice, balances); every
    problem of every asset is listed."""
    from zkpor.reserves.verify import verify_asset_reserves

    problems: list[str] = []
    for sym, entry in manifest.assets.items():
        try:
            verify_asset_reserves(
                sym,
                entry.reserves.chain,
                entry.reserves.addresses,
                exchange=manifest.exchange,
                round_id=manifest.round_id,
                decimals=entry.decimals,
            )
        except VerificationError as exc:
            problems.append(str(exc))
    if problems:
        raise VerificationError("\n".join(problems))


def _check_across_assets(manifest: Manifest) -> list[str]:
    """The rules across assets (10.5): no holding claimed by two assets, no known token
    symbol naming another contract; VerificationError listing every problem. Returns the
    "not checked" line of each token contract the known table cannot vouch for."""
    from zkpor.reserves import holdings

    claims = holdings.manifest_claims(manifest)
    problems = holdings.cross_asset_problems(claims) + holdings.token_problems(claims)
    if problems:
        raise VerificationError("\n".join(problems))
    return holdings.unknown_token_notes(claims)


def normalize_digest(text: str) -> str:
    """A pasted manifest digest: surrounding white space removed, lower case, exactly 64 hex
    digits; InputError otherwise."""
    digest = text.strip().lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise InputError("--digest must be the 64 hex digits of a manifest digest")
    return digest


@dataclass(frozen=True)
class _Decoded:
    """One asset's decoded points and proof (step 3.3): the root commitment, the debt root
    commitment (None without a debt tree), the solvency proof and the private reserves'
    commitment C_P (None without private reserves)."""

    root: Point
    debt_root: Point | None
    proof: SolvencyProof
    private: Point | None = None


def _check_digest(manifest: Manifest, expected_digest: str | None) -> tuple[str, bool | None]:
    """Step 1: the manifest's digest, and whether it matched ``expected_digest`` (None when
    none was given); VerificationError when it differs."""
    digest = manifest_digest(manifest)
    if expected_digest is None:
        return digest, None
    expected = normalize_digest(expected_digest)
    if expected != digest:
        raise VerificationError(f"manifest digest {digest} differs from the published {expected}")
    return digest, True


def _check_parameters(manifest: Manifest) -> None:
    """Step 2: the generator set is this verifier's and the arity is supported."""
    params = manifest.parameters
    if params.generator_digest != generator_digest().hex():
        raise VerificationError("manifest uses another generator set")
    if params.arity not in SUPPORTED_ARITIES:
        raise VerificationError(f"unsupported arity {params.arity}")


def _check_depth(where: str, entry: ManifestAsset, arity: int) -> None:
    """Step 3.1: the depth follows from the leaf count and arity."""
    if entry.depth != len(level_sizes(entry.leaf_count, arity)) - 1:
        raise VerificationError(f"{where}: depth does not match the leaf count")


def _reserves_total(where: str, entry: ManifestAsset) -> int:
    """Step 3.2: ``R``, the sum of the listed balances; ``total_units`` and ``total`` must
    state exactly that sum."""
    res = entry.reserves
    try:
        total = sum(parse_amount(a.balance, entry.decimals) for a in res.addresses)
    except ValueError as exc:
        raise VerificationError(f"{where}: reserves balance: {exc}") from None
    if str(total) != res.total_units or format_units(total, entry.decimals) != res.total:
        raise VerificationError(f"{where}: reserves total is not the sum of the balances")
    return total


def _decode(where: str, entry: ManifestAsset) -> _Decoded:
    """Step 3.3: the root commitment, the debt root commitment and the solvency proof
    decode (11.4)."""
    pt = active_backend().Point
    try:
        root = pt.from_bytes(bytes.fromhex(entry.root_commitment))
        proof = SolvencyProof.from_bytes(bytes.fromhex(entry.solvency.proof), pt)
        debt_root = (
            pt.from_bytes(bytes.fromhex(entry.debt.root_commitment))
            if entry.debt is not None
            else None
        )
    except EncodingError as exc:
        raise VerificationError(f"{where}: {exc}") from None
    private = None
    if entry.private_reserves is not None:
        try:
            private = pt.from_bytes(bytes.fromhex(entry.private_reserves.commitment))
        except EncodingError as exc:
            raise VerificationError(f"{where}: private reserves commitment: {exc}") from None
    return _Decoded(root=root, debt_root=debt_root, proof=proof, private=private)


def _check_debt_shape(where: str, entry: ManifestAsset, arity: int) -> None:
    """The debt tree's depth follows from its leaf count (16.6), and the debt total is
    disclosed exactly when there is a debt tree and the liabilities are disclosed."""
    if entry.debt is not None and entry.debt.depth != (
        len(level_sizes(entry.debt.leaf_count, arity)) - 1
    ):
        raise VerificationError(f"{where}: debt tree depth does not match its leaf count")
    if (entry.solvency.debt is not None) != (
        entry.debt is not None and entry.solvency.liabilities is not None
    ):
        raise VerificationError(
            f"{where}: the debt total is disclosed exactly when there is a debt tree "
            "and the liabilities are disclosed"
        )


def _check_solvency(
    where: str,
    *,
    total: int,
    decoded: _Decoded,
    ratio: tuple[int, int],
    gens: GeneratorSet,
    context: bytes,
) -> None:
    """Step 3.4: the solvency proof verifies (11.5) for the reserves total, the root (net
    of the debt root when there is one), the ratio ``p/q`` and the asset's context."""
    root, debt_root = decoded.root, decoded.debt_root
    net_root = root - debt_root if debt_root is not None else root
    p, q = ratio
    try:
        verify_solvency(
            total, net_root, decoded.proof, p, q, gens, context=context, private=decoded.private
        )
    except VerificationError as exc:
        raise VerificationError(f"{where}: solvency proof: {exc}") from None


def _check_disclosed(
    where: str, entry: ManifestAsset, decoded: _Decoded, gens: GeneratorSet
) -> None:
    """Step 3.5: disclosed liabilities open the root and disclosed debt the debt root
    (11.8, 16.6), each with its amount exactly its units at the asset's decimals."""
    disclosed = entry.solvency.liabilities
    if disclosed is not None:
        units = int(disclosed.units)
        blinding = int(disclosed.blinding, 16)
        if blinding >= N or commit(units, blinding, gens) != decoded.root:
            raise VerificationError(f"{where}: disclosed liabilities do not open the root")
        if format_units(units, entry.decimals) != disclosed.amount:
            raise VerificationError(f"{where}: disclosed amount does not match its units")
    disclosed_debt = entry.solvency.debt
    if disclosed_debt is not None and decoded.debt_root is not None:
        units = int(disclosed_debt.units)
        blinding = int(disclosed_debt.blinding, 16)
        if blinding >= N or commit(units, blinding, gens) != decoded.debt_root:
            raise VerificationError(f"{where}: disclosed debt does not open the debt root")
        if format_units(units, entry.decimals) != disclosed_debt.amount:
            raise VerificationError(f"{where}: disclosed debt does not match its units")


def _asset_report(sym: str, entry: ManifestAsset) -> AssetReport:
    """What was checked for one asset, as the report lists it."""
    from zkpor.reserves.holdings import is_known_contract

    res = entry.reserves
    disclosed = entry.solvency.liabilities
    disclosed_debt = entry.solvency.debt
    return AssetReport(
        chain=res.chain,
        block_height=res.block_height,
        block_hash=res.block_hash,
        reserves=res.total,
        min_ratio=entry.solvency.min_ratio,
        liabilities=disclosed.amount if disclosed else None,
        addresses=[(a.address, a.balance) for a in res.addresses],
        net=entry.debt is not None,
        debt=disclosed_debt.amount if disclosed_debt else None,
        token_contract=res.token_contract,
        chain_id=res.chain_id,
        token_known=is_known_contract(sym, res.chain, res.chain_id, res.token_contract),
        private_keys=entry.private_reserves.keys if entry.private_reserves is not None else None,
    )


def _check_asset(
    sym: str, entry: ManifestAsset, *, arity: int, statement: bytes, gens: GeneratorSet
) -> AssetReport:
    """Step 3 for one asset, in the spec's order (3.1 to 3.5, the debt tree's shape before
    the solvency proof); returns its report."""
    where = f"asset {sym}"
    _check_depth(where, entry, arity)
    total = _reserves_total(where, entry)
    p_str, q_str = entry.solvency.min_ratio.split("/")
    ratio = (int(p_str), int(q_str))
    decoded = _decode(where, entry)
    _check_debt_shape(where, entry, arity)
    _check_solvency(
        where,
        total=total,
        decoded=decoded,
        ratio=ratio,
        gens=gens,
        context=solvency_context(statement, sym),
    )
    _check_disclosed(where, entry, decoded, gens)
    return _asset_report(sym, entry)


def verify_manifest(
    manifest: Manifest,
    *,
    check_signatures: bool = True,
    expected_digest: str | None = None,
) -> ManifestReport:
    """Verify every asset of ``manifest`` (module doc). Raises VerificationError.

    ``check_signatures=False`` skips the reserve ownership signatures (for tests and tools
    that check them elsewhere); the verifiers always check them."""
    digest, matched = _check_digest(manifest, expected_digest)
    _check_parameters(manifest)
    gens = generators()
    statement = statement_digest(manifest)
    terms_of(manifest_roots(manifest))  # prices, tiers and debt trees consistent
    report = ManifestReport(
        digest=digest,
        exchange=manifest.exchange,
        round_id=manifest.round_id,
        digest_matched=matched,
        signatures_checked=check_signatures,
    )
    for sym, entry in manifest.assets.items():
        report.assets[sym] = _check_asset(
            sym, entry, arity=manifest.parameters.arity, statement=statement, gens=gens
        )
    report.not_known_tokens = _check_across_assets(manifest)
    if check_signatures:
        _check_reserve_signatures(manifest)
    return report
