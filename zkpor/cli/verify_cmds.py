"""Customer and auditor commands: verify user, verify audit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import InputError, VerificationError
from .app import app
from .common import Bars, console, first_error, read_text_file

if TYPE_CHECKING:
    from ..manifest import Manifest
    from ..models import InclusionProof, Roots

verify_app = typer.Typer(
    help="Verify a customer's inclusion proof or audit a whole bundle.", no_args_is_help=True
)
app.add_typer(verify_app, name="verify")

__all__ = ["verify_app"]


def _load_inclusion(path: Path) -> InclusionProof:
    """An inclusion proof file, JSON or binary (told apart by the binary magic)."""
    from ..errors import EncodingError
    from ..models import InclusionProof
    from ..proofcodec import MAGIC, decode_inclusion

    if not path.is_file():
        raise InputError("proof not found", source=str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read proof: {exc.strerror}", source=str(path)) from None
    if data.startswith(MAGIC):
        try:
            return decode_inclusion(data)
        except EncodingError as exc:
            raise InputError(str(exc), source=str(path)) from None
    try:
        text = data.decode()
    except UnicodeDecodeError:
        raise InputError(
            "proof is neither JSON nor a binary zkpor proof", source=str(path)
        ) from None
    return InclusionProof.model_validate_json(text)


def _load_manifest(path: Path) -> Manifest:
    from pydantic import ValidationError

    from ..manifest import Manifest

    try:
        return Manifest.model_validate_json(read_text_file(path, "manifest"))
    except ValidationError as exc:
        raise InputError(first_error(exc), source=str(path)) from None


def _manifest_roots(manifest: Manifest) -> Roots:
    from ..verify.manifest import manifest_roots

    return manifest_roots(manifest)


@verify_app.command("user")
def verify_user(
    proof: Annotated[
        Path, typer.Argument(help="The customer's inclusion proof (JSON or binary .zkpi).")
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
    """Check that a customer's balances are counted, and that each of those assets is
    covered by reserves (solvency proof). Prints the manifest digest: compare it with the
    value the exchange published everywhere.

    Exit 0 when everything verifies, 1 when any check fails, 2 for unreadable input.
    Example: zkpor verify user alice.json --manifest manifest.json
    """
    from pydantic import ValidationError

    from ..models import Roots
    from ..verify.inclusion import verify_inclusion
    from ..verify.manifest import verify_manifest

    if (manifest is None) == (roots is None):
        raise InputError("give exactly one of --manifest FILE or --roots FILE")
    try:
        incl = _load_inclusion(proof)
    except ValidationError as exc:
        raise InputError(first_error(exc), source=str(proof)) from None
    solvency: dict[str, dict[str, object]] = {}
    manifest_digest = None
    exchange = None
    if manifest is not None:
        m = _load_manifest(manifest)
        report = verify_manifest(m, assets=[a.asset for a in incl.assets], expected_digest=digest)
        solvency = report.assets
        manifest_digest = report.digest
        exchange = m.exchange
        pub = _manifest_roots(m)
    else:
        assert roots is not None
        try:
            pub = Roots.model_validate_json(read_text_file(roots, "roots file"))
        except ValidationError as exc:
            raise InputError(first_error(exc), source=str(roots)) from None
        from ..generators import generator_digest

        if pub.generator_digest != generator_digest().hex():
            raise VerificationError("roots file uses another generator set")
    results = verify_inclusion(incl, pub.assets, round_id=pub.round_id, arity=pub.arity)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": True,
                    "user_id": incl.user_id,
                    "exchange": exchange,
                    "round_id": pub.round_id,
                    "manifest_digest": manifest_digest,
                    "assets": [
                        {
                            "asset": r.asset,
                            "amount": r.amount,
                            "root_hash": r.root_hash,
                            "solvency": solvency.get(r.asset),
                        }
                        for r in results
                    ],
                },
                indent=2,
            )
        )
        return
    who = f" at {exchange}" if exchange else ""
    console.print(f"[green]OK[/] {incl.user_id}{who}: counted in round {pub.round_id}")
    for r in results:
        line = f"  {r.asset:8} {r.amount:>24}"
        if r.asset in solvency:
            info = solvency[r.asset]
            ratio = str(info["min_ratio"])
            cover = "covered" if ratio == "1/1" else f"covered x {ratio}"
            line += f"   reserves {info['reserves']} ({cover})"
        console.print(line)
    if manifest_digest:
        console.print("(reserve ownership signatures are checked by `zkpor verify audit`)")
        console.print(f"manifest digest {manifest_digest}")
        if digest is None:
            console.print("compare it with the digest the exchange published (or pass --digest)")
    else:
        console.print("[yellow]no manifest: solvency not checked[/]")


@verify_app.command("audit")
def verify_audit(
    bundle: Annotated[Path, typer.Argument(help="Bundle directory or audit.sqlite.")],
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

    Example: zkpor verify audit bundle
    """
    from pydantic import ValidationError

    from ..models import Roots
    from ..verify.audit import audit_bundle
    from ..verify.manifest import verify_manifest

    if not bundle.exists():
        raise InputError("not found", source=str(bundle))
    in_bundle = bundle.is_dir()
    manifest_path = manifest or (bundle / "manifest.json" if in_bundle else None)
    roots_path = roots or (bundle / "roots.json" if in_bundle else None)
    pub = None
    report_m = None
    if manifest_path is not None and manifest_path.exists():
        m = _load_manifest(manifest_path)
        report_m = verify_manifest(m, check_signatures=True, expected_digest=digest)
        pub = _manifest_roots(m)
    elif roots_path is not None and roots_path.exists():
        try:
            pub = Roots.model_validate_json(read_text_file(roots_path, "roots file"))
        except ValidationError as exc:
            raise InputError(first_error(exc), source=str(roots_path)) from None
    with Bars(not quiet and not as_json) as bars:
        report = audit_bundle(bundle, roots=pub, workers=workers, progress=bars)
    data = {
        "ok": True,
        "round_id": report.round_id,
        "arity": report.arity,
        "nodes": report.nodes,
        "range_proofs": report.proofs,
        "seconds": round(report.seconds, 2),
        "assets": report.assets,
        "manifest_digest": report_m.digest if report_m else None,
        "solvency": report_m.assets if report_m else None,
    }
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    console.print(
        f"[green]OK[/] audit of round {report.round_id}: {report.nodes} nodes, "
        f"{report.proofs} range proofs, {report.seconds:.1f} s"
    )
    if report_m:
        for sym, info in report_m.assets.items():
            console.print(
                f"  {sym:8} reserves {info['reserves']} from {info['addresses']} signed addresses, "
                f"covered x {info['min_ratio']}"
            )
        console.print(f"manifest digest {report_m.digest}")
    else:
        console.print("[yellow]no manifest: reserves and solvency not checked[/]")
