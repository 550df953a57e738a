"""Customer and auditor commands: verify user, verify audit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import InputError, VerificationError
from .app import app, command_group
from .common import Bars, data_console, read_bytes_file, shown_line

if TYPE_CHECKING:
    from ..manifest import Manifest
    from ..models import InclusionProof, Roots
    from ..verify.manifest import ManifestReport

verify_app = command_group("Verify a customer's inclusion proof or audit a whole bundle.")
app.add_typer(verify_app, name="verify")

__all__ = ["verify_app"]


def _load_inclusion(path: Path) -> InclusionProof:
    """An inclusion proof file, JSON or binary (told apart by the binary magic)."""
    from pydantic import ValidationError

    from ..errors import EncodingError
    from ..models import InclusionProof
    from ..proofcodec import MAGIC, decode_inclusion
    from ..publicjson import parse_public, validation_message

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
    from ..manifest import Manifest
    from ..publicjson import parse_public

    data = read_bytes_file(path, "manifest", MAX_MANIFEST_BYTES)
    return parse_public(Manifest, data, str(path), MAX_MANIFEST_BYTES)


def _load_roots(path: Path) -> Roots:
    from ..generators import generator_digest
    from ..models import Roots
    from ..publicjson import parse_public

    data = read_bytes_file(path, "roots file", MAX_ROOTS_BYTES)
    pub = parse_public(Roots, data, str(path), MAX_ROOTS_BYTES)
    if pub.generator_digest != generator_digest().hex():
        raise VerificationError(f"{path}: roots file uses another generator set")
    return pub


# Size limits of the files a verifier reads (a verifier's memory stays a small multiple).
MAX_PROOF_BYTES = 8 * 1024 * 1024
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_ROOTS_BYTES = 4 * 1024 * 1024

NOT_CHECKABLE = (
    "that the reserve balances are on chain at the stated blocks (look each address up "
    "in a block explorer or your own node)",
    "that no customer was left out of the trees (every customer checking their own "
    "proof is what shows it)",
)
WIDTH = 80


def _digest_lines(report: ManifestReport) -> list[str]:
    lines = [f"manifest digest {report.digest}"]
    if report.digest_matched:
        lines.append("  matches the digest you gave (--digest)")
    else:
        lines += _wrapped(
            "NOT compared with a published digest: pass --digest with the value the "
            "exchange published, or compare it yourself",
            "  ",
        )
    return lines


def _wrapped(text: str, indent: str, first: str | None = None) -> list[str]:
    """``text`` wrapped to 80 columns (identifiers are never broken)."""
    import textwrap

    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent + ("  " if first is not None else ""),
        break_long_words=False,
        break_on_hyphens=False,
    )


def _reserve_lines(report: ManifestReport, *, addresses: bool) -> list[str]:
    lines = []
    for sym, info in report.assets.items():
        ratio = "" if info.min_ratio == "1/1" else f" x {info.min_ratio}"
        net = " (equity minus debt)" if info.net else ""
        count = len(info.addresses)
        lines += _wrapped(
            f"{sym}: reserves {info.reserves} cover liabilities{net}{ratio} (proven)", "  "
        )
        lines.append(
            f"    chain {info.chain}, block {info.block_height}, "
            f"{count} signed address{'es' if count != 1 else ''}"
        )
        if info.chain.endswith("-testnet"):
            lines.append("    WARNING: testnet coins have no value; these are not real reserves")
        if info.liabilities is not None:
            lines.append(f"    liabilities disclosed: {info.liabilities} (opening checked)")
        if info.debt is not None:
            lines.append(f"    debt disclosed: {info.debt} (opening checked)")
        if addresses:
            lines += [f"    {address}  {balance}" for address, balance in info.addresses]
    return lines


def _say(lines: list[str]) -> None:
    """Print lines of text as data: no markup, no emoji codes, no highlighting."""
    for line in lines:
        data_console.print(
            shown_line(line), markup=False, emoji=False, highlight=False, soft_wrap=True
        )


@verify_app.command("user")
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
    Example: zkpor verify user alice.json --manifest manifest.json --digest D
    """
    from ..verify.inclusion import verify_inclusion
    from ..verify.manifest import manifest_roots, normalize_digest, verify_manifest

    if (manifest is None) == (roots is None):
        raise InputError("give exactly one of --manifest FILE or --roots FILE")
    if digest is not None and manifest is None:
        raise InputError("--digest needs --manifest: a roots file has no digest to compare")
    expected = normalize_digest(digest) if digest is not None else None
    incl = _load_inclusion(proof)
    report = None
    if manifest is not None:
        m = load_manifest(manifest)
        report = verify_manifest(m, expected_digest=expected)
        pub = manifest_roots(m)
    else:
        assert roots is not None
        pub = _load_roots(roots)
    from ..verify.margin import terms_of

    results = verify_inclusion(
        incl, pub.assets, round_id=pub.round_id, arity=pub.arity, terms=terms_of(pub)
    )
    equity = [r for r in results if r.kind == "equity"]
    debts = [r for r in results if r.kind == "debt"]
    not_checked = list(NOT_CHECKABLE)
    if report is None:
        not_checked.insert(0, "reserves and solvency (no manifest given)")
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": True,
                    "user_id": incl.user_id,
                    "exchange": report.exchange if report else None,
                    "round_id": pub.round_id,
                    "manifest_digest": report.digest if report else None,
                    "digest_matched": report.digest_matched if report else None,
                    "assets": [
                        {"asset": r.asset, "amount": r.amount, "root_hash": r.root_hash}
                        for r in equity
                    ],
                    **(
                        {
                            "debts": [
                                {"asset": r.asset, "amount": r.amount, "root_hash": r.root_hash}
                                for r in debts
                            ],
                            "collateral_check": "passed",
                        }
                        if debts
                        else {}
                    ),
                    "reserves": {s: a.to_json() for s, a in report.assets.items()}
                    if report
                    else None,
                    "not_checked": not_checked,
                },
                indent=2,
            )
        )
        return
    who = f" at {report.exchange}" if report else ""
    lines = [f"OK: {incl.user_id}{who}: balances counted in round {pub.round_id}"]
    lines += [f"  {r.asset:8} {r.amount}" for r in equity]
    if debts:
        lines.append("Debts counted (in each asset's debt tree):")
        lines += [f"  {r.asset:8} {r.amount}" for r in debts]
        lines.append(
            "  collateral check passed: your debts' value is at most your collateral's "
            "after the published haircuts (proof over your own leaves)"
        )
    if report is not None:
        lines.append("Every asset of the manifest, with its ownership signatures, verified:")
        lines += _reserve_lines(report, addresses=True)
        lines += _digest_lines(report)
    lines.append("Not checked (no verifier can, from these files):")
    for text in not_checked:
        lines += _wrapped(text, "  ", first="  - ")
    _say(lines)


@verify_app.command("audit")
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
) -> None:
    """Check everything: the manifest (parameters, reserves signatures, totals, solvency
    proofs) and every node and range proof of the audit file.

    The manifest is the one given, else manifest.json beside the audit file.
    Example: zkpor verify audit bundle --digest D
    """
    from ..verify.audit import audit_bundle
    from ..verify.manifest import manifest_roots, normalize_digest, verify_manifest

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
    expected = normalize_digest(digest) if digest is not None else None
    pub = None
    report_m = None
    if manifest is not None:
        m = load_manifest(manifest)
        report_m = verify_manifest(m, expected_digest=expected)
        pub = manifest_roots(m)
    elif roots is not None:
        pub = _load_roots(roots)
    with Bars(not quiet and not as_json) as bars:
        report = audit_bundle(bundle, roots=pub, workers=workers, progress=bars)
    not_checked = list(NOT_CHECKABLE)
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
            "not_checked": not_checked,
        }
        typer.echo(json.dumps(data, indent=2))
        return
    lines = [
        f"OK: audit of round {report.round_id}: {report.nodes} nodes, "
        f"{report.proofs} range proofs, {report.seconds:.1f} s"
    ]
    if report.margin_accounts:
        lines.append(
            f"  {report.margin_accounts} margin accounts: every collateral proof verified, "
            "every debt leaf an input of exactly one of them, no leaf used twice"
        )
    if report_m is not None:
        lines.append(f"Manifest of {report_m.exchange}, every asset and signature verified:")
        lines += _reserve_lines(report_m, addresses=False)
        lines += _digest_lines(report_m)
    lines.append("Not checked (no verifier can, from these files):")
    for text in not_checked:
        lines += _wrapped(text, "  ", first="  - ")
    _say(lines)
