"""inclusion_exchange.json (docs/spec/inclusion-proofs.md, 8.1 and 8.2 step 1): a proof that
names its exchange, checked against the exchange of the manifest the customer was given
(``exchange`` input).

Every test is alice's BTC and ETH proof of inclusion.json, naming the exchange, with one
change: the table :data:`CASES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from tools.vectors.base import EXCHANGE, ROUND_A, Json, VectorFile
from tools.vectors.inclusion import inclusion_proof, verified_assets
from tools.vectors.mutations import Mutation, drop, mutated, put
from tools.vectors.schemaparts import Schema
from tools.vectors.sumtree import seeded_trees
from tools.vectors.zkpi import NON_ASCII_EXCHANGE
from zkpor.crypto.generators import GeneratorSet
from zkpor.formats.models import InclusionProof
from zkpor.formats.zkpi import encode_inclusion
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.tree import roots_json

HEADER: Final = [
    "Inputs 'roots' (9.2), 'exchange' (the exchange of the manifest the customer",
    "verifies against, 12.2) and 'inclusion' (8.1). A proof that has an 'exchange'",
    "field must name exactly that exchange (code point for code point); one without",
    "it is checked as in inclusion.json. Outputs of a valid test: as in",
    "inclusion.json ('binary' has flags 1 when the proof names its exchange).",
]


@dataclass(frozen=True)
class ExchangeCase:
    """A test: alice's proof naming :data:`EXCHANGE`, edited by ``change``, checked against
    a manifest of ``exchange``; valid when flagged "Valid"."""

    comment: str
    flags: tuple[str, ...]
    exchange: str = EXCHANGE
    change: Mutation | None = None


# the manifest names another exchange than the proof
_OTHER_EXCHANGES: Final = (
    ("Other Exchange", "another exchange"),
    ("example exchange", "the same name in lower case"),
    ("Example Exchange ", "the name with a trailing space"),
    ("Example  Exchange", "two spaces inside"),
)

# the proof names an exchange that is not an identifier (docs/spec.md 12.7)
_NOT_IDENTIFIERS: Final = (
    ("", "an empty exchange"),
    ("E" * 101, "an exchange of 101 bytes"),
    ("Bo\u0308rse", "an exchange not in NFC"),
    ("Example\u200bExchange", "a zero-width space (Cf)"),
    ("Example\u2028Exchange", "a line separator (Zl)"),
)

CASES: Final[tuple[ExchangeCase, ...]] = (
    ExchangeCase("alice, the manifest's exchange", ("Valid",)),
    ExchangeCase(
        "a proof without the optional 'exchange' field",
        ("Valid", "EdgeCase"),
        change=drop("exchange"),
    ),
    ExchangeCase(
        "a non-ASCII exchange name, equal",
        ("Valid", "NonAscii"),
        NON_ASCII_EXCHANGE,
        put("exchange", NON_ASCII_EXCHANGE),
    ),
    *(
        ExchangeCase(f"the manifest names {what}", ("WrongExchange",), exchange)
        for exchange, what in _OTHER_EXCHANGES
    ),
    *(
        ExchangeCase(
            f"the proof names {what}", ("InvalidIdentifier",), change=put("exchange", name)
        )
        for name, what in _NOT_IDENTIFIERS
    ),
    ExchangeCase("the proof's exchange is a number", ("MalformedFile",), change=put("exchange", 7)),
    ExchangeCase(
        "right exchange, another round",
        ("WrongRoundOrArity",),
        change=put("round_id", "2026-12-01"),
    ),
)


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile(
        "inclusion_exchange",
        "zkpor inclusion proof naming its exchange (docs/spec.md 8.1, 8.2)",
        HEADER,
    )
    trees = seeded_trees(gens.point_type.backend_name)
    btc, eth = trees["btc"], trees["eth"]
    roots = roots_json(ROUND_A, 4, [btc, eth])
    alice = {**inclusion_proof(ROUND_A, 4, "alice", [btc, eth]), "exchange": EXCHANGE}
    g = f.group("InclusionExchangeTest")
    for case in CASES:
        incl = alice if case.change is None else mutated(alice, case.change, gens)
        fields: Json = {"roots": roots, "exchange": case.exchange, "inclusion": incl}
        valid = "Valid" in case.flags
        if valid:
            fields["verified"] = verified_assets([btc, eth], "alice")
            fields["binary"] = encode_inclusion(InclusionProof.model_validate(incl)).hex()
        g.add(case.comment, list(case.flags), "valid" if valid else "invalid", **fields)
    return f.to_json()


NAME: Final = "inclusion_exchange"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of inclusion_exchange.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
