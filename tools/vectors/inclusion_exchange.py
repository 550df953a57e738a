"""inclusion_exchange.json (docs/spec.md 8.1, 8.2 step 1): a proof that names its exchange,
checked against the exchange of the manifest the customer was given (``exchange`` input).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Final

from tools.vectors.base import EXCHANGE, ROUND_A, Json, VectorFile
from tools.vectors.inclusion import _inclusion, _verified
from tools.vectors.schemaparts import Schema
from tools.vectors.sumtree import _trees
from tools.vectors.zkpi import NON_ASCII_EXCHANGE, _encode
from zkpor.crypto.generators import GeneratorSet
from zkpor.vectors.checkers import CHECKERS


def generate(gens: GeneratorSet) -> Json:
    from zkpor.vectors.tree import roots_json

    f = VectorFile(
        "inclusion_exchange",
        "zkpor inclusion proof naming its exchange (docs/spec.md 8.1, 8.2)",
        [
            "Inputs 'roots' (9.2), 'exchange' (the exchange of the manifest the customer",
            "verifies against, 12.2) and 'inclusion' (8.1). A proof that has an 'exchange'",
            "field must name exactly that exchange (code point for code point); one without",
            "it is checked as in inclusion.json. Outputs of a valid test: as in",
            "inclusion.json ('binary' has flags 1 when the proof names its exchange).",
        ],
    )
    t = _trees(gens.point_type.backend_name)
    btc, eth = t["btc"], t["eth"]
    roots = roots_json(ROUND_A, 4, [btc, eth])
    alice = {**_inclusion(ROUND_A, 4, "alice", [btc, eth]), "exchange": EXCHANGE}
    verified = _verified([btc, eth], "alice")
    g = f.group("InclusionExchangeTest")

    def add(comment: str, flags: list[str], result: str, exchange: str, incl: Json) -> None:
        fields: Json = {"roots": roots, "exchange": exchange, "inclusion": incl}
        if result == "valid":
            fields["verified"] = verified
            fields["binary"] = _encode(incl).hex()
        g.add(comment, flags, result, **fields)

    def changed(change: Callable[[Json], object]) -> Json:
        incl = copy.deepcopy(alice)
        change(incl)
        return incl

    add("alice, the manifest's exchange", ["Valid"], "valid", EXCHANGE, alice)
    add(
        "a proof without the optional 'exchange' field",
        ["Valid", "EdgeCase"],
        "valid",
        EXCHANGE,
        changed(lambda i: i.pop("exchange")),
    )
    add(
        "a non-ASCII exchange name, equal",
        ["Valid", "NonAscii"],
        "valid",
        NON_ASCII_EXCHANGE,
        changed(lambda i: i.__setitem__("exchange", NON_ASCII_EXCHANGE)),
    )
    for exchange, comment in (
        ("Other Exchange", "another exchange"),
        ("example exchange", "the same name in lower case"),
        ("Example Exchange ", "the name with a trailing space"),
        ("Example  Exchange", "two spaces inside"),
    ):
        add(f"the manifest names {comment}", ["WrongExchange"], "invalid", exchange, alice)
    for value, comment in (
        ("", "an empty exchange"),
        ("E" * 101, "an exchange of 101 bytes"),
        ("Bo\u0308rse", "an exchange not in NFC"),
        ("Example\u200bExchange", "a zero-width space (Cf)"),
        ("Example\u2028Exchange", "a line separator (Zl)"),
    ):
        add(
            f"the proof names {comment}",
            ["InvalidIdentifier"],
            "invalid",
            EXCHANGE,
            changed(lambda i, v=value: i.__setitem__("exchange", v)),  # type: ignore[misc]
        )
    add(
        "the proof's exchange is a number",
        ["MalformedFile"],
        "invalid",
        EXCHANGE,
        changed(lambda i: i.__setitem__("exchange", 7)),
    )
    add(
        "right exchange, another round",
        ["WrongRoundOrArity"],
        "invalid",
        EXCHANGE,
        changed(lambda i: i.__setitem__("round_id", "2026-12-01")),
    )
    return f.to_json()


NAME: Final = "inclusion_exchange"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of inclusion_exchange.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
