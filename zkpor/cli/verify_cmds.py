"""Customer and auditor commands: verify user, verify audit.

Manual: docs/cli.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from zkpor.cli.app import app, command_group
from zkpor.cli.common import Bars, read_bytes_file
from zkpor.cli.verify_text import audit_lines, decimal, say, user_lines
from zkpor.errors import InputError

if TYPE_CHECKING:
    from zkpor.formats.manifest import Manifest
    from zkpor.formats.models import InclusionProof, Roots
    from zkpor.verify.inclusion import VerifiedAsset
    from zkpor.verify.recipes import AuditReport, UserReport

verify_app = command_group("Verify a customer's inclusion proof or audit a whole bundle.")
app.add_typer(
    verify_app, name="verify", short_help="Verify a customer's proof, or audit a whole round."
)

__all__ = ["verify_app"]


def _load_inclusion(path: Path) -> InclusionProof:
    """An inclusion proof file, JSON or binary (told apart by the binary magic)."""
    from zkpor.verify.recipes import MAX_PROOF_BYTES, load_inclusion

    return load_inclusion(read_bytes_file(path, "proof", MAX_PROOF_BYTES), str(path))


def load_manifest(path: Path) -> Manifest:
    from zkpor.verify.recipes import MAX_MANIFEST_BYTES
    from zkpor.verify.recipes import load_manifest as parse

    return parse(read_bytes_file(path, "manifest", MAX_MANIFEST_BYTES), str(path))


def _load_roots(path: Path) -> Roots:
    from zkpor.verify.recipes import MAX_ROOTS_BYTES, load_roots

    return load_roots(read_bytes_file(path, "roots file", MAX_ROOTS_BYTES), str(path))


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
    from zkpor.verify.recipes import verify_user as check

    if (manifest is None) == (roots is None):
        raise InputError("give exactly one of --manifest FILE or --roots FILE")
    if digest is not None and manifest is None:
        raise InputError("--digest needs --manifest: a roots file has no digest to compare")
    try:
        report = check(
            _load_inclusion(proof),
            load_manifest(manifest) if manifest is not None else None,
            roots=_load_roots(roots) if roots is not None else None,
            digest=digest,
        )
    except InputError as exc:
        exc.failed = "input"  # a file or the digest cannot be read: said as the customer reads it
        raise
    if as_json:
        typer.echo(json.dumps(user_json(report), indent=2))
        return
    say(user_lines(report))


def user_json(report: UserReport) -> dict[str, object]:
    """``verify user --json`` on success."""
    m = report.manifest
    return {
        "ok": True,
        "user_id": report.user_id,
        "exchange": report.exchange,
        "exchange_named_by_proof": report.exchange_named_by_proof,
        "round_id": report.round_id,
        "manifest_digest": m.digest if m else None,
        "digest_matched": m.digest_matched if m else None,
        "assets": [_asset_json(r) for r in report.equity],
        **(
            {
                "debts": [_asset_json(r) for r in report.debts],
                "collateral_check": "passed",
                "margin_account": report.margin_account,
            }
            if report.debts
            else {}
        ),
        "margin_tags_checked": True,
        "audit_only": report.audit_only,
        "reserves": {s: a.to_json() for s, a in m.assets.items()} if m else None,
        "warnings": report.warnings,
        "not_checked": report.not_checked,
    }


def _asset_json(r: VerifiedAsset) -> dict[str, object]:
    return {
        "asset": r.asset,
        "amount": decimal(r.amount),
        "units": str(r.units),
        "root_hash": r.root_hash,
    }


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
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Worker processes [default: one per available core]."),
    ] = None,
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
    from zkpor.verify.recipes import audit

    if not bundle.exists():
        raise InputError("not found", source=str(bundle))
    if manifest is not None and roots is not None:
        raise InputError("give at most one of --manifest FILE or --roots FILE")
    folder = bundle if bundle.is_dir() else bundle.parent
    if manifest is None and roots is None and (folder / "manifest.json").is_file():
        manifest = folder / "manifest.json"
    if roots is None and manifest is None and (folder / "roots.json").is_file():
        roots = folder / "roots.json"
    m = load_manifest(manifest) if manifest is not None else None
    pub = _load_roots(roots) if roots is not None else None
    with Bars(not quiet and not as_json) as bars:
        report = audit(
            bundle,
            m,
            roots=pub,
            digest=digest,
            eth_rpc=eth_rpc,
            manifest_source=str(manifest),
            workers=workers,
            progress=bars,
        )
    if as_json:
        typer.echo(json.dumps(audit_json(report), indent=2))
        return
    say(audit_lines(report))
    if report.chain is not None:
        say(
            [
                f"Reserves on chain (Ethereum node {report.chain.node}):",
                *(f"  {line}" for line in report.chain.lines()),
            ]
        )


def audit_json(report: AuditReport) -> dict[str, object]:
    """``verify audit --json`` on success."""
    t, m = report.trees, report.manifest
    return {
        "ok": True,
        "round_id": t.round_id,
        "arity": t.arity,
        "nodes": t.nodes,
        "range_proofs": t.proofs,
        "margin_accounts": t.margin_accounts,
        "seconds": round(t.seconds, 2),
        "assets": t.assets,
        "manifest_digest": m.digest if m else None,
        "digest_matched": m.digest_matched if m else None,
        "reserves": {s: a.to_json() for s, a in m.assets.items()} if m else None,
        "warnings": report.warnings,
        **({"chain": report.chain.to_json()} if report.chain is not None else {}),
        "not_checked": report.not_checked,
    }
