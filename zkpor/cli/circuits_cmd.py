"""Commands: circuits list, circuits inspect (the named statements of zkpor.circuits).

Manual: docs/cli.md.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from zkpor.cli.app import app, command_group

circuits_app = command_group("Arithmetic-circuit statements (zkpor.circuits; docs/circuits.md).")
app.add_typer(
    circuits_app, name="circuits", short_help="Arithmetic-circuit statements (docs/circuits.md)."
)


def _summary(name: str) -> dict[str, Any]:
    from zkpor.circuits import build_circuit, get_statement
    from zkpor.crypto.r1cs import proof_size, rounds_for

    st = get_statement(name)
    c = build_circuit(name)
    return {
        "name": st.name,
        "description": st.description,
        "inputs": list(st.inputs),
        "gates": c.gates,
        "padded_gates": c.padded_gates,
        "constraints": len(c.constraints),
        "terms": c.term_count(),
        "proof_bytes": proof_size(rounds_for(c.gates)),
        "digest": c.digest().hex(),
    }


@circuits_app.command("list")
def circuits_list(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List the named statements with their sizes.

    Example:

    \b
      zkpor circuits list --json
    """
    from zkpor.circuits import STATEMENTS

    rows = [_summary(name) for name in STATEMENTS]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    typer.echo(f"{'name':18} {'inputs':>6} {'gates':>6} {'constraints':>11}  description")
    for r in rows:
        typer.echo(
            f"{r['name']:18} {len(r['inputs']):6} {r['gates']:6} {r['constraints']:11}  "
            f"{r['description']}"
        )


@circuits_app.command("inspect", short_help="One statement: inputs, gates, constraints, digest.")
def circuits_inspect(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A name from `zkpor circuits list`.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Show one statement: committed inputs, gates (and padded), constraints, terms, proof
    size and the circuit digest the transcript binds.

    Example:

    \b
      zkpor circuits inspect collateral2x12
    """
    data = _summary(name)
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    for key, value in data.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        typer.echo(f"{key:14} {shown}")


__all__ = ["circuits_app"]
