"""The two things zkpor's users verify, as one call each: a customer's proof, a whole round.

    from zkpor.verify import trees, load_inclusion, load_manifest, verify_user

    manifest = load_manifest(Path("manifest.json").read_bytes(), "manifest.json")
    proof = load_inclusion(Path("alice.json").read_bytes(), "alice.json")   # JSON or .zkpi
    report = verify_user(proof, manifest, digest="<the digest the exchange published>")
    report.equity, report.debts, report.not_checked         # every claim, every gap

    round_report = audit(Path("bundle"), manifest, digest="<digest>")

Both raise :class:`~zkpor.errors.VerificationError` when a check fails (its message names
the check and where; the causes are those of docs/spec/inclusion-proofs.md 8.2, 9.5, 12.4 and 16.7-16.8) and
:class:`~zkpor.errors.InputError` when an input cannot be read (a file too large, not strict
JSON, not a proof, a malformed digest). ``verify_user`` raises the subclass
:class:`~zkpor.errors.CustomerCheckFailed`, whose ``failed`` says what failed (the digest,
the manifest or the proof); :data:`FAILURES` holds what each failure, and unreadable input,
means for the customer, in the words the CLI and the browser page print
(web/src/failures.ts says the same). On success the report holds every claim the verifier
checked and every item it could not check, in the words the CLI and the page print
(:mod:`zkpor.cli.verify_text` only formats them). Nothing here imports the prover.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from zkpor.crypto.generators import generator_digest
from zkpor.errors import CustomerCheckFailed, EncodingError, InputError, VerificationError
from zkpor.formats.manifest import Manifest, manifest_digest
from zkpor.formats.models import InclusionProof, Roots
from zkpor.formats.strictjson import parse_public, validation_message
from zkpor.formats.zkpi import MAGIC, decode_inclusion
from zkpor.verify.inclusion import VerifiedAsset, verify_inclusion
from zkpor.verify.manifest import (
    ManifestReport,
    manifest_roots,
    normalize_digest,
    verify_manifest,
)
from zkpor.verify.margin import terms_of
from zkpor.verify.private_reserves import CheckedPrivateReserves, check_private_reserves
from zkpor.verify.trees import TreeReport, audit_bundle

if TYPE_CHECKING:
    from zkpor.reserves.chaincheck import ChainCheck
    from zkpor.reserves.ethnode import ChainReport

__all__ = [
    "FAILED_INCLUSION",
    "FAILED_MANIFEST",
    "FAILURES",
    "MAX_MANIFEST_BYTES",
    "MAX_PROOF_BYTES",
    "MAX_ROOTS_BYTES",
    "NOT_CHECKABLE",
    "AuditReport",
    "Failed",
    "Failure",
    "UserReport",
    "audit",
    "audit_only",
    "load_inclusion",
    "load_manifest",
    "load_roots",
    "verify_user",
]

# Size limits of the files a verifier reads (a verifier's memory stays a small multiple).
MAX_PROOF_BYTES: Final[int] = 8 * 1024 * 1024
MAX_MANIFEST_BYTES: Final[int] = 64 * 1024 * 1024
MAX_ROOTS_BYTES: Final[int] = 4 * 1024 * 1024

#: What no verifier can check from the published files.
NOT_CHECKABLE: Final[tuple[str, ...]] = (
    "that the reserve balances are on chain at the stated blocks (look each address up "
    "in a block explorer or your own node)",
    "that no customer was left out of the trees (every customer checking their own "
    "proof is what shows it)",
)

#: What failed in a customer's check: the digest (the manifest is not the one whose digest
#: the customer gave), the manifest (its own checks), the proof (against the manifest's
#: roots), or the input (a file or the digest could not be read).
Failed = Literal["digest", "manifest", "proof", "input"]


@dataclass(frozen=True)
class Failure:
    """What a failed customer's check says: a headline naming what failed, what it means
    for the customer, and the next step. The failed check's own message (the technical
    reason) goes between the meaning and the next step."""

    headline: str
    meaning: str
    next_step: str

    @property
    def said(self) -> str:
        """The meaning and the next step as one line (the last line of the error's message)."""
        return f"{self.meaning} {self.next_step}"


_ASK: Final[str] = "Keep the proof and the manifest, and ask the exchange."

#: The customer's words for each failure (docs/spec/errors.md 13). The browser page says the
#: same (web/src/failures.ts; tests/test_failure_screens.py compares the two tables).
FAILURES: Final[dict[Failed, Failure]] = {
    "digest": Failure(
        headline="The digest does not match: this is not the manifest the exchange published",
        meaning="The manifest you chose is not the one whose digest you gave, so nothing else "
        "was checked: the digest was copied wrongly, or you were shown another manifest than "
        "the one the exchange published for everyone.",
        next_step="Check that you copied the digest from the place where the exchange "
        "published it, for this round. If it still does not match, keep the proof and the "
        "manifest, and ask the exchange.",
    ),
    "manifest": Failure(
        headline="The manifest does not verify",
        meaning="This round does not show that the exchange's reserves cover what it owes its "
        "customers, and your balance cannot be checked against a manifest that fails.",
        next_step=_ASK,
    ),
    "proof": Failure(
        headline="Your proof does not verify",
        meaning="Your proof does not match the totals the exchange published: your balance "
        "may not be counted in this round.",
        next_step=_ASK,
    ),
    "input": Failure(
        headline="Could not check: a file or the digest cannot be read",
        meaning="Nothing was checked: a file is missing, damaged or not an inclusion proof or "
        "a manifest, or the digest is not the 64 hex digits of a manifest digest.",
        next_step="Check that you chose the proof and the manifest the exchange gave you, "
        "and copied the whole digest. If these are the exchange's files: keep them, and ask "
        "the exchange.",
    ),
}
#: What a failed inclusion proof means, in the customer's words (the last line of the
#: message of ``verify_user``'s error when the proof failed).
FAILED_INCLUSION: Final[str] = FAILURES["proof"].said
#: What a failed manifest means to an auditor (``audit``; printed after the reason).
FAILED_MANIFEST: Final[str] = (
    "the manifest does not verify: this round does not show that the exchange's reserves "
    "cover what it owes. Keep the manifest, and ask the exchange."
)
_OWN_AMOUNTS: Final[str] = (
    "that these amounts are what you hold: compare them with your account statement for this round"
)


def load_inclusion(data: bytes, source: str) -> InclusionProof:
    """An inclusion proof, JSON (strict, 12.8) or binary ``.zkpi`` (told apart by the magic);
    InputError naming ``source`` otherwise."""
    from pydantic import ValidationError

    if len(data) > MAX_PROOF_BYTES:
        raise InputError(f"proof larger than {MAX_PROOF_BYTES} bytes", source=source)
    if data.startswith(MAGIC):
        try:
            return decode_inclusion(data)
        except EncodingError as exc:
            raise InputError(str(exc), source=source) from None
        except ValidationError as exc:
            reason, loc = validation_message(exc)
            raise InputError(reason, source=source, field=loc) from None
    return parse_public(InclusionProof, data, source, MAX_PROOF_BYTES)


def load_manifest(data: bytes, source: str) -> Manifest:
    """A manifest (strict JSON, 12.8); InputError naming ``source`` otherwise."""
    return parse_public(Manifest, data, source, MAX_MANIFEST_BYTES)


def load_roots(data: bytes, source: str) -> Roots:
    """A roots file (strict JSON); VerificationError when it uses another generator set
    (9.2)."""
    pub = parse_public(Roots, data, source, MAX_ROOTS_BYTES)
    if pub.generator_digest != generator_digest().hex():
        raise VerificationError(f"{source}: roots file uses another generator set")
    return pub


def audit_only(
    debt_assets: Sequence[str], digest: str | None, private_assets: Sequence[str] = ()
) -> list[str]:
    """What a customer's check rests on the full audit for: for each asset with a debt tree,
    the debt total (docs/spec/margin.md 16.8); for each asset with private reserves, the
    per-key proof over its set (docs/spec/private-reserves.md 17.11)."""
    d = digest or "D"
    return [
        f"{sym}: the debt total (reserves cover equity minus debt) is checked only by a full "
        f"audit: zkpor verify audit BUNDLE --digest {d}"
        for sym in debt_assets
    ] + [
        f"{sym}: that the private reserves commitment is what the per-key proof over the "
        f"set yields (the solvency proof uses it): zkpor verify audit BUNDLE --digest {d}"
        for sym in private_assets
    ]


def _warnings(report: ManifestReport | None) -> list[str]:
    """What passed but must not be read as reserves: assets held on a test network."""
    if report is None:
        return []
    return [
        f"{sym}: testnet coins have no value; these are not reserves"
        for sym, info in report.assets.items()
        if info.chain.endswith("-testnet")
    ]


def _digest_unmatched(report: ManifestReport) -> list[str]:
    if report.digest_matched:
        return []
    return [
        "the manifest was NOT compared with a published digest: pass --digest with the "
        f"value the exchange published, or compare it yourself: {report.digest}"
    ]


def _checked_manifest(manifest: Manifest, digest: str | None) -> ManifestReport:
    """The auditor's manifest check (a failure says FAILED_MANIFEST after the reason)."""
    expected = normalize_digest(digest) if digest is not None else None
    try:
        return verify_manifest(manifest, expected_digest=expected)
    except VerificationError as exc:
        raise VerificationError(f"{exc}\n{FAILED_MANIFEST}") from None


def _failed(failed: Failed, exc: VerificationError) -> CustomerCheckFailed:
    """``exc`` as a customer's failure: its message (the reason), then what it means."""
    return CustomerCheckFailed(failed, str(exc), FAILURES[failed].said)


def _customer_manifest(manifest: Manifest, digest: str | None) -> ManifestReport:
    """The customer's manifest check: a failure is the digest's when the manifest's digest
    is not the one given (checked first, 12.4 step 1), else the manifest's."""
    expected = normalize_digest(digest) if digest is not None else None
    try:
        return verify_manifest(manifest, expected_digest=expected)
    except VerificationError as exc:
        wrong = expected is not None and manifest_digest(manifest) != expected
        raise _failed("digest" if wrong else "manifest", exc) from None


@dataclass
class UserReport:
    """A verified customer proof: who, which round, each balance and debt counted, the
    collateral account, the manifest's report, and what was not checked.

    ``exchange`` is the manifest's name (a checked fact), None without a manifest;
    ``exchange_named_by_proof`` is what the proof itself says. ``audit_only`` lists what
    only a full audit checks (16.8), ``not_checked`` what no verifier can check from these
    files or what this call was not given (no manifest, no digest)."""

    user_id: str
    round_id: str
    exchange: str | None
    exchange_named_by_proof: str | None
    equity: list[VerifiedAsset]
    debts: list[VerifiedAsset]
    margin_account: int | None
    manifest: ManifestReport | None
    audit_only: list[str] = field(default_factory=list)
    not_checked: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def verify_user(
    proof: InclusionProof,
    manifest: Manifest | None = None,
    *,
    roots: Roots | None = None,
    digest: str | None = None,
) -> UserReport:
    """A customer's check (docs/spec/inclusion-proofs.md 8.2 and 12.4): the whole manifest (every solvency
    proof, every signature, the digest when given), then the proof's paths, collateral proof
    and margin tags against the manifest's roots. Give exactly one of ``manifest`` and
    ``roots`` (a round without reserves); ``digest`` needs a manifest.

    A failed check raises :class:`~zkpor.errors.CustomerCheckFailed` saying what failed:
    "digest", "manifest" or "proof" (:data:`FAILURES`)."""
    if (manifest is None) == (roots is None):
        raise InputError("give exactly one of a manifest and a roots file")
    if digest is not None and manifest is None:
        raise InputError("--digest needs --manifest: a roots file has no digest to compare")
    report = None
    if manifest is not None:
        report = _customer_manifest(manifest, digest)
        pub = manifest_roots(manifest)
    else:
        assert roots is not None
        pub = roots
    try:
        results = verify_inclusion(
            proof,
            pub.assets,
            round_id=pub.round_id,
            arity=pub.arity,
            terms=terms_of(pub),
            exchange=report.exchange if report else None,
        )
    except VerificationError as exc:
        raise _failed("proof", exc) from None
    not_checked = [_OWN_AMOUNTS]
    if report is None:
        not_checked.append("reserves and solvency (no manifest given)")
        if proof.exchange:
            not_checked.append(f"that this is exchange {proof.exchange!r}, as the proof says")
    else:
        not_checked += _digest_unmatched(report) + report.not_known_tokens
    debt_assets = [sym for sym, root in pub.assets.items() if root.debt is not None]
    return UserReport(
        user_id=proof.user_id,
        round_id=pub.round_id,
        exchange=report.exchange if report else None,
        exchange_named_by_proof=proof.exchange,
        equity=[r for r in results if r.kind == "equity"],
        debts=[r for r in results if r.kind == "debt"],
        margin_account=proof.collateral.account if proof.collateral is not None else None,
        manifest=report,
        audit_only=audit_only(
            debt_assets,
            report.digest if report else None,
            [s for s, a in report.assets.items() if a.private] if report else (),
        ),
        not_checked=[*not_checked, *NOT_CHECKABLE],
        warnings=_warnings(report),
    )


@dataclass
class AuditReport:
    """A whole round audited: the trees' report (every node, range proof and margin account),
    the manifest's (None without one), the on-chain check when asked, and what was not
    checked."""

    trees: TreeReport
    manifest: ManifestReport | None
    chain: ChainCheck | None = None
    not_checked: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    private: list[CheckedPrivateReserves] = field(default_factory=list)


def audit(
    bundle: Path,
    manifest: Manifest | None = None,
    *,
    roots: Roots | None = None,
    digest: str | None = None,
    eth_rpc: str | None = None,
    manifest_source: str = "manifest",
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> AuditReport:
    """An auditor's check (docs/spec/bundle-and-audit.md 9.5, 12.4, 16.7): the manifest (when given), then
    every node, range proof and collateral proof of the bundle's audit file against the
    manifest's roots (or ``roots``); with ``eth_rpc``, every Ethereum reserve balance at the
    manifest's block (10.10; needs the ``chain`` extra)."""
    if manifest is not None and roots is not None:
        raise InputError("give at most one of --manifest FILE or --roots FILE")
    if digest is not None and manifest is None:
        raise InputError(
            "--digest needs a manifest: none given with --manifest and none beside the audit file"
        )
    if eth_rpc is not None and manifest is None:
        raise InputError(
            "--eth-rpc needs a manifest: none given with --manifest and none beside the audit file"
        )
    report_m = None
    chain = None
    private: list[CheckedPrivateReserves] = []
    pub = roots
    if manifest is not None:
        if progress:
            progress("check the manifest", 0, 1)
        report_m = _checked_manifest(manifest, digest)
        if progress:
            progress("check the manifest", 1, 1)
        private = _checked_private(bundle, manifest, progress)
        pub = manifest_roots(manifest)
        if eth_rpc is not None:
            chain = _on_chain(manifest, manifest_source, eth_rpc)
    trees = audit_bundle(bundle, roots=pub, executor=executor, workers=workers, progress=progress)
    if chain is not None and manifest is not None and eth_rpc is not None:
        chain.reports += _private_on_chain(manifest, private, eth_rpc)
    if chain is not None:
        chain.raise_if_failed()
    not_checked = list(NOT_CHECKABLE)
    if chain is not None:
        not_checked = [t for t in not_checked if t != NOT_CHECKABLE[0]]
        not_checked[:0] = _chain_unchecked(chain.unchecked)
    if report_m is not None:
        not_checked[:0] = report_m.not_known_tokens
        not_checked += _digest_unmatched(report_m)
    else:
        not_checked.insert(0, "reserves and solvency (no manifest found)")
    if pub is None:
        not_checked.insert(0, "that the audit file's roots are the published ones (no roots)")
    on_chain = {r.asset for r in chain.reports} if chain is not None else set()
    not_checked[:0] = [
        (
            f"that the keys of the private set of {c.asset} ({c.keys} keys) are real, "
            "independent holders"
            if f"{c.asset} (private set)" in on_chain
            else f"that the balances in the private set of {c.asset} ({c.keys} keys) are "
            f"those on chain at block {c.block_height}, and that its keys are real, "
            "independent holders"
        )
        for c in private
    ]
    return AuditReport(trees, report_m, chain, not_checked, _warnings(report_m), private)


def _checked_private(
    bundle: Path, manifest: Manifest, progress: Callable[[str, int, int], None] | None
) -> list[CheckedPrivateReserves]:
    """The private reserves of every asset that has them (17.11)."""
    count = sum(1 for a in manifest.assets.values() if a.private_reserves is not None)
    if not count:
        return []
    if progress:
        progress("check the private reserves", 0, count)
    # BUNDLE may be the audit file itself: the private reserves' files are beside it
    checked = check_private_reserves(bundle if bundle.is_dir() else bundle.parent, manifest)
    if progress:
        progress("check the private reserves", count, count)
    return checked


def _private_on_chain(
    m: Manifest, private: list[CheckedPrivateReserves], url: str
) -> list[ChainReport]:
    """The --eth-rpc check of the members of every Ethereum private set (17.11)."""
    from zkpor.reserves.chaincheck import PrivateSet, check_private_sets

    sets = []
    for c in private:
        res = m.assets[c.asset].reserves
        if res.chain == "ethereum":
            sets.append(
                PrivateSet(
                    asset=c.asset,
                    decimals=m.assets[c.asset].decimals,
                    block_height=res.block_height,
                    block_hash=res.block_hash,
                    token_contract=res.token_contract,
                    chain_id=res.chain_id,
                    set_path=c.set_path,
                )
            )
    return check_private_sets(url, sets)


def _chain_unchecked(unchecked: list[str]) -> list[str]:
    """The not-checked line for the assets --eth-rpc cannot check (Bitcoin ones)."""
    if not unchecked:
        return []
    return [
        f"the balances of {', '.join(unchecked)} on chain (no Bitcoin node: "
        "`zkpor reserves list` prints each address, balance and block to look up)"
    ]


def _on_chain(m: Manifest, source: str, url: str) -> ChainCheck:
    """The --eth-rpc check of a (verified) manifest's reserves."""
    from zkpor.reserves.chaincheck import ChainAsset, check_on_chain

    return check_on_chain(
        url,
        [
            ChainAsset(
                asset=sym,
                chain=a.reserves.chain,
                decimals=a.decimals,
                block_height=a.reserves.block_height,
                block_hash=a.reserves.block_hash,
                token_contract=a.reserves.token_contract,
                chain_id=a.reserves.chain_id,
                addresses=a.reserves.addresses,
                where=f"{source}: asset {sym} reserves",
            )
            for sym, a in m.assets.items()
        ],
    )
