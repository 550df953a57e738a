"""Customer and auditor commands: verify user, verify audit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from zkpor.cli.app import app, command_group
from zkpor.cli.common import Bars, read_bytes_file
from zkpor.cli.verify_text import (
    FAILED_INCLUSION,
    FAILED_MANIFEST,
    NOT_CHECKABLE,
    audit_lines,
    audit_only,
    decimal,
    say,
    user_lines,
    warnings,
)
from zkpor.errors import InputError, VerificationError

if TYPE_CHECKING:
    from zkpor.formats.manifest import Manifest
    from zkpor.formats.models import InclusionProof, Roots
    from zkpor.reserves.chaincheck import ChainCheck
    from zkpor.verify.inclusion import VerifiedAsset
    from zkpor.verify.manifest import ManifestReport

verify_app = command_group("Verify a customer's inclusion proof or audit a whole bundle.")
app.add_typer(
    verify_app, name="verify", short_help="Verify a customer's proof, or audit a whole round."
)

__all__ = ["verify_app"]


def _load_inclusion(path: Path) -> InclusionProof:
    """An inclusion proof file, JSON or binary (told apart by the binary magic)."""
    from pydantic import ValidationError

    from zkpor.errors import EncodingError
    from zkpor.formats.models import InclusionProof
    from zkpor.formats.strictjson import parse_public, validation_message
    from zkpor.formats.zkpi import MAGIC, decode_inclusion

    data = read_bytes_file(path, "proof", MAX_PROOF_BYTES)
    if data.startswith(MAGIC):
        try:
            return decode_inclusion(data)
        except EncodingError as exc:
            raise InputError(str(exc), source=str(path)) from None
        except ValidationError as exc:
            reason, loc = validation_message(exc)
            raise InputError(reason, source=str(path), field=loc) from None
    return parse_public(InclusionProof, data, str(path), MAX_PROOF_BYTES)


def load_manifest(path: Path) -> Manifest:
    from zkpor.formats.manifest import Manifest
    from zkpor.formats.strictjson import parse_public

    data = read_bytes_file(path, "manifest", MAX_MANIFEST_BYTES)
    return parse_public(Manifest, data, str(path), MAX_MANIFEST_BYTES)


def _load_roots(path: Path) -> Roots:
    from zkpor.crypto.generators import generator_digest
    from zkpor.formats.models import Roots
    from zkpor.formats.strictjson import parse_public

    data = read_bytes_file(path, "roots file", MAX_ROOTS_BYTES)
    pub = parse_public(Roots, data, str(path), MAX_ROOTS_BYTES)
    if pub.generator_digest != generator_digest().hex():
        raise VerificationError(f"{path}: roots file uses another generator set")
    return pub


# Size limits of the files a verifier reads (a verifier's memory stays a small multiple).
MAX_PROOF_BYTES = 8 * 1024 * 1024
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_ROOTS_BYTES = 4 * 1024 * 1024


@verify_app.command("user", short_help="Check a customer's proof and the whole manifest.")
def verify_user(
    proof: Annotated[
        Path,
        typer.Argument(
            metavar="PROOF", help="The customer's inclusion proof (JSON or binary .zkpi)."
        ),
    ],
    manifest: Annotated[
        Path | None, typer.Option("--manifest", help="The published manifest.json.")
    ] = None,
    roots: Annotated[
        Path | None, typer.Option("--roots", help="roots.json of a bundle without a manifest.")
    ] = None,
    digest: Annotated[
        str | None, typer.Option("--digest", help="The manifest digest the exchange published.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable result.")] = False,
) -> None:
    """Check that a customer's balances are counted, and the whole published manifest:
    every asset's solvency proof, every reserve ownership signature, the totals.

    Exit 0 when everything verifies, 1 when any check fails, 2 for unreadable input.

    Example:

    \b
      zkpor verify user alice.json --manifest manifest.json \\
        --digest "$(cat manifest.sha256)"
    """
    from zkpor.verify.inclusion import verify_inclusion
    from zkpor.verify.manifest import manifest_roots, normalize_digest

    if (manifest is None) == (roots is None):
        raise InputError("give exactly one of --manifest FILE or --roots FILE")
    if digest is not None and manifest is None:
        raise InputError("--digest needs --manifest: a roots file has no digest to compare")
    expected = normalize_digest(digest) if digest is not None else None
    incl = _load_inclusion(proof)
    report = None
    if manifest is not None:
        m = load_manifest(manifest)
        report = _checked_manifest(m, expected)
        pub = manifest_roots(m)
    else:
        assert roots is not None
        pub = _load_roots(roots)
    from zkpor.verify.margin import terms_of

    proof_exchange = getattr(incl, "exchange", None)
    try:
        results = verify_inclusion(
            incl,
            pub.assets,
            round_id=pub.round_id,
            arity=pub.arity,
            terms=terms_of(pub),
            exchange=report.exchange if report else None,
        )
    except VerificationError as exc:
        raise VerificationError(f"{exc}\n{FAILED_INCLUSION}") from None
    equity = [r for r in results if r.kind == "equity"]
    debts = [r for r in results if r.kind == "debt"]
    exchange = report.exchange if report else proof_exchange
    debt_assets = [sym for sym, root in pub.assets.items() if root.debt is not None]
    audit_checks = audit_only(debt_assets, report.digest if report else None)
    account = incl.collateral.account if incl.collateral is not None else None
    if as_json:
        not_checked = [*(report.not_known_tokens if report else []), *NOT_CHECKABLE]
        if report is None:
            not_checked.insert(0, "reserves and solvency (no manifest given)")
            if proof_exchange:
                not_checked.insert(
                    1, f"that this is exchange {proof_exchange!r}, as the proof says"
                )
        typer.echo(
            json.dumps(
                {
                    "ok": True,
                    "user_id": incl.user_id,
                    "exchange": report.exchange if report else None,
                    "exchange_named_by_proof": proof_exchange,
                    "round_id": pub.round_id,
                    "manifest_digest": report.digest if report else None,
                    "digest_matched": report.digest_matched if report else None,
                    "assets": [_asset_json(r) for r in equity],
                    **(
                        {
                            "debts": [_asset_json(r) for r in debts],
                            "collateral_check": "passed",
                            "margin_account": account,
                        }
                        if debts
                        else {}
                    ),
                    "margin_tags_checked": True,
                    "audit_only": audit_checks,
                    "reserves": {s: a.to_json() for s, a in report.assets.items()}
                    if report
                    else None,
                    "warnings": warnings(report),
                    "not_checked": not_checked,
                },
                indent=2,
            )
        )
        return
    say(
        user_lines(
            incl.user_id,
            pub.round_id,
            exchange,
            equity,
            debts,
            report,
            account=account,
            audit_checks=audit_checks,
        )
    )


def _asset_json(r: VerifiedAsset) -> dict[str, object]:
    return {
        "asset": r.asset,
        "amount": decimal(r.amount),
        "units": str(r.units),
        "root_hash": r.root_hash,
    }


def _checked_manifest(m: Manifest, expected: str | None) -> ManifestReport:
    """verify_manifest, with what a failure means said in plain words."""
    from zkpor.verify.manifest import verify_manifest

    try:
        return verify_manifest(m, expected_digest=expected)
    except VerificationError as exc:
        raise VerificationError(f"{exc}\n{FAILED_MANIFEST}") from None


@verify_app.command("audit", short_help="Check a whole round: manifest, every node and proof.")
def verify_audit(
    bundle: Annotated[
        Path, typer.Argument(metavar="BUNDLE", help="Bundle directory or audit.sqlite.")
    ],
    manifest: Annotated[
        Path | None,
        typer.Option("--manifest", help="Published manifest.json (default: the bundle's)."),
    ] = None,
    roots: Annotated[Path | None, typer.Option("--roots", help="Published roots.json.")] = None,
    digest: Annotated[
        str | None, typer.Option("--digest", help="The manifest digest the exchange published.")
    ] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable result.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bars.")] = False,
    eth_rpc: Annotated[
        str | None,
        typer.Option(
            "--eth-rpc",
            metavar="URL",
            help="An Ethereum node (an archive node for old blocks): check every Ethereum "
            "reserve balance, the block hash and token contracts at the manifest's block.",
        ),
    ] = None,
) -> None:
    """Check everything: the manifest (parameters, reserves signatures, totals, solvency
    proofs) and every node and range proof of the audit file.

    The manifest is the one given, else manifest.json beside the audit file. With
    --eth-rpc URL, every Ethereum reserve balance is also compared with the node's at the
    manifest's block (exit 1 if a claim exceeds the chain's, 2 if the node cannot answer).

    Example:

    \b
      zkpor verify audit bundle --digest "$(cat bundle/manifest.sha256)"
    """
    from zkpor.verify.audit import audit_bundle
    from zkpor.verify.manifest import manifest_roots, normalize_digest

    if not bundle.exists():
        raise InputError("not found", source=str(bundle))
    if manifest is not None and roots is not None:
        raise InputError("give at most one of --manifest FILE or --roots FILE")
    folder = bundle if bundle.is_dir() else bundle.parent
    if manifest is None and roots is None and (folder / "manifest.json").is_file():
        manifest = folder / "manifest.json"
    if roots is None and manifest is None and (folder / "roots.json").is_file():
        roots = folder / "roots.json"
    if digest is not None and manifest is None:
        raise InputError(
            "--digest needs a manifest: none given with --manifest and none beside the audit file"
        )
    if eth_rpc is not None and manifest is None:
        raise InputError(
            "--eth-rpc needs a manifest: none given with --manifest and none beside the audit file"
        )
    expected = normalize_digest(digest) if digest is not None else None
    pub = None
    report_m = None
    chain = None
    if manifest is not None:
        m = load_manifest(manifest)
        report_m = _checked_manifest(m, expected)
        pub = manifest_roots(m)
        if eth_rpc is not None:
            chain = _manifest_on_chain(m, manifest, eth_rpc)
    elif roots is not None:
        pub = _load_roots(roots)
    with Bars(not quiet and not as_json) as bars:
        report = audit_bundle(bundle, roots=pub, workers=workers, progress=bars)
    if chain is not None:
        chain.raise_if_failed()
    not_checked = list(NOT_CHECKABLE)
    if chain is not None:
        not_checked = [t for t in not_checked if t != NOT_CHECKABLE[0]]
        not_checked[:0] = _chain_unchecked(chain.unchecked)
    if report_m is not None:
        not_checked[:0] = report_m.not_known_tokens
    if report_m is None:
        not_checked.insert(0, "reserves and solvency (no manifest found)")
    if pub is None:
        not_checked.insert(0, "that the audit file's roots are the published ones (no roots)")
    if as_json:
        data = {
            "ok": True,
            "round_id": report.round_id,
            "arity": report.arity,
            "nodes": report.nodes,
            "range_proofs": report.proofs,
            "margin_accounts": report.margin_accounts,
            "seconds": round(report.seconds, 2),
            "assets": report.assets,
            "manifest_digest": report_m.digest if report_m else None,
            "digest_matched": report_m.digest_matched if report_m else None,
            "reserves": {s: a.to_json() for s, a in report_m.assets.items()} if report_m else None,
            "warnings": warnings(report_m),
            **({"chain": chain.to_json()} if chain is not None else {}),
            "not_checked": not_checked,
        }
        typer.echo(json.dumps(data, indent=2))
        return
    say(
        audit_lines(
            report.round_id,
            report.nodes,
            report.proofs,
            report.seconds,
            report.margin_accounts,
            report_m,
            not_checked,
        )
    )
    if chain is not None:
        say(
            [
                f"Reserves on chain (Ethereum node {chain.node}):",
                *(f"  {line}" for line in chain.lines()),
            ]
        )


def _chain_unchecked(unchecked: list[str]) -> list[str]:
    """The not-checked line for the assets --eth-rpc cannot check (Bitcoin ones)."""
    if not unchecked:
        return []
    return [
        f"the balances of {', '.join(unchecked)} on chain (no Bitcoin node: "
        "`zkpor reserves list` prints each address, balance and block to look up)"
    ]


def _manifest_on_chain(m: Manifest, path: Path, url: str) -> ChainCheck:
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
                where=f"{path}: asset {sym} reserves",
            )
            for sym, a in m.assets.items()
        ],
    )
