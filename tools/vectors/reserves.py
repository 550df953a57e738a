"""reserves.json: reserve addresses and their ownership signatures
(docs/spec/reserves.md, 10.2 to 10.5).

``OwnershipSignatureTest``: one address on one chain with its signature over the ownership
message of (exchange, round, address). A valid test gives the message and what the address
designates (the duplicate-address key of 10.5); an invalid one must be refused. The cases
are the tables :data:`BITCOIN_CASES` and :data:`ETHEREUM_CASES`: an address by name and how
its signature is made (:mod:`.reserves_signing`).

``MessageDiagnosisTest``: a well-formed signature checked as ``zkpor prove`` checks a
snapshot (10.5 step 3.5): ``diagnosis`` is the first wrong message it verifies over, in the
spec's order, ``"expected"`` when it verifies over the expected message, or null. The cases
are the table :data:`DIAGNOSES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from tools.vectors.base import EXCHANGE, ROUND_A, VectorFile
from tools.vectors.reserves_bip322 import bip322_cases
from tools.vectors.reserves_signing import (
    Signed,
    addresses,
    btc_sign,
    eth_v,
    header_tweak,
    high_s_btc,
    high_s_eth,
    key,
    ownership,
    raw_tweak,
    url_safe,
    v_is_other_recid,
    v_is_recid,
)
from tools.vectors.reserves_snapshot import snapshot_group
from tools.vectors.schemaparts import OBJ, STR, GroupSpec, Schema, _nullable
from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.group import N
from zkpor.vectors.checkbase import Json
from zkpor.vectors.checkers import CHECKERS

OTHER_ROUND: Final = "2026-10-31"

HEADER: Final = [
    "OwnershipSignatureTest: inputs exchange, round_id, chain, address, signature. A",
    "valid test's outputs: 'message', the ownership message (10.2), and 'designates',",
    "what the address stands for in the duplicate rule of 10.5 (Bitcoin: TYPE:HASH160",
    "hex, TYPE p2pkh, p2sh or p2wpkh; Ethereum: the address in lower case).",
    "MessageDiagnosisTest: header_exchange, header_round as a snapshot names them;",
    "output 'diagnosis' (10.5 step 3.5).",
]


@dataclass(frozen=True)
class SignatureCase:
    """An OwnershipSignatureTest: ``address`` (a name of :func:`addresses`) on ``chain``,
    signed as ``signed`` says; valid when flagged "Valid". In ``comment``, ``{recid}`` and
    ``{other_recid}`` stand for the recovery id of eth0's signature and the other one."""

    comment: str
    flags: tuple[str, ...]
    chain: str
    address: str
    signed: Signed


VALID: Final = ("Valid",)
EDGE: Final = ("Valid", "EdgeCase")
BAD_ENCODING: Final = ("InvalidSignatureEncoding",)

BITCOIN_CASES: Final[tuple[SignatureCase, ...]] = (
    SignatureCase(
        "P2PKH, header 31-34 (docs/spec.md 10.1)",
        ("Valid", "KnownAnswer"),
        "bitcoin",
        "p2pkh",
        Signed("btc0", 31),
    ),
    SignatureCase(
        "P2SH-P2WPKH, BIP 137 header 35-38", VALID, "bitcoin", "p2sh-p2wpkh", Signed("btc1", 35)
    ),
    SignatureCase("P2WPKH, BIP 137 header 39-42", VALID, "bitcoin", "p2wpkh", Signed("btc2", 39)),
    SignatureCase(
        "P2WPKH signed with header 31-34 (Electrum)", EDGE, "bitcoin", "p2wpkh", Signed("btc2", 31)
    ),
    SignatureCase(
        "P2SH-P2WPKH signed with header 31-34", EDGE, "bitcoin", "p2sh-p2wpkh", Signed("btc1", 31)
    ),
    SignatureCase(
        "P2PKH of an uncompressed key, header 27-30",
        EDGE,
        "bitcoin",
        "uncompressed",
        Signed("btc3", 27),
    ),
    SignatureCase(
        "P2PKH with a high s (n - s, recovery id flipped)",
        EDGE,
        "bitcoin",
        "p2pkh",
        Signed("btc0", 31, tweak=high_s_btc),
    ),
    SignatureCase(
        "P2WPKH in upper case, the upper-case text signed",
        EDGE,
        "bitcoin",
        "p2wpkh-upper",
        Signed("btc2", 39),
    ),
    *(
        SignatureCase(
            f"testnet {kind.upper()} on chain bitcoin-testnet",
            VALID,
            "bitcoin-testnet",
            f"testnet-{kind}",
            Signed("btc0", header),
        )
        for kind, header in (("p2pkh", 31), ("p2sh-p2wpkh", 35), ("p2wpkh", 39))
    ),
    SignatureCase(
        "testnet P2PKH of an uncompressed key",
        EDGE,
        "bitcoin-testnet",
        "testnet-uncompressed",
        Signed("btc3", 27),
    ),
    # invalid Bitcoin addresses and chains
    SignatureCase(
        "mixed-case bech32, the mixed text signed",
        ("InvalidAddress",),
        "bitcoin",
        "p2wpkh-mixed-case",
        Signed("btc2", 39),
    ),
    SignatureCase(
        "a testnet P2WPKH (tb1) on chain bitcoin",
        ("WrongChain",),
        "bitcoin",
        "testnet-p2wpkh",
        Signed("btc0", 39),
    ),
    SignatureCase(
        "a testnet P2PKH (m/n) on chain bitcoin",
        ("WrongChain",),
        "bitcoin",
        "testnet-p2pkh",
        Signed("btc0", 31),
    ),
    SignatureCase(
        "a mainnet P2WPKH (bc1) on chain bitcoin-testnet",
        ("WrongChain",),
        "bitcoin-testnet",
        "p2wpkh",
        Signed("btc2", 39),
    ),
    SignatureCase(
        "a mainnet P2PKH on chain bitcoin-testnet",
        ("WrongChain",),
        "bitcoin-testnet",
        "p2pkh",
        Signed("btc0", 31),
    ),
    SignatureCase(
        "an Ethereum address on chain bitcoin", ("WrongChain",), "bitcoin", "eth", Signed("eth0")
    ),
    SignatureCase(
        "a Bitcoin P2PKH address on chain ethereum",
        ("WrongChain",),
        "ethereum",
        "p2pkh",
        Signed("btc0", 31),
    ),
    SignatureCase(
        "a Bitcoin P2WPKH address on chain ethereum",
        ("WrongChain",),
        "ethereum",
        "p2wpkh",
        Signed("btc2", 39),
    ),
    SignatureCase(
        "P2PKH with a bad Base58Check checksum",
        ("InvalidAddress",),
        "bitcoin",
        "p2pkh-bad-checksum",
        Signed("btc0", 31),
    ),
    # invalid Bitcoin signatures
    SignatureCase(
        "an uncompressed key's P2PKH with a compressed header (31-34)",
        ("BadSignature",),
        "bitcoin",
        "uncompressed",
        Signed("btc3", 31),
    ),
    SignatureCase(
        "a compressed key's P2PKH with an uncompressed header (27-30)",
        ("BadSignature",),
        "bitcoin",
        "p2pkh",
        Signed("btc0", 27),
    ),
    SignatureCase(
        "P2WPKH with an uncompressed header (27-30)",
        BAD_ENCODING,
        "bitcoin",
        "p2wpkh",
        Signed("btc2", 27),
    ),
    SignatureCase(
        "P2PKH with a P2WPKH header (39-42)", BAD_ENCODING, "bitcoin", "p2pkh", Signed("btc0", 39)
    ),
    SignatureCase(
        "P2WPKH with a P2SH-P2WPKH header (35-38)",
        BAD_ENCODING,
        "bitcoin",
        "p2wpkh",
        Signed("btc2", 35),
    ),
    *(
        SignatureCase(
            f"header {header}",
            BAD_ENCODING,
            "bitcoin",
            "p2pkh",
            Signed("btc0", 31, tweak=header_tweak(header)),
        )
        for header in (26, 43, 0, 255)
    ),
    *(
        SignatureCase(comment, BAD_ENCODING, "bitcoin", "p2pkh", Signed("btc0", 31, tweak=tweak))
        for comment, tweak in (
            ("r = 0", raw_tweak(lambda raw: raw[:1] + bytes(32) + raw[33:])),
            ("s = n", raw_tweak(lambda raw: raw[:33] + N.to_bytes(32, "big"))),
            ("base64 without its '=' padding", lambda sig: sig.rstrip("=")),
            ("base64 with an extra '='", lambda sig: sig + "="),
            ("base64 with a LF inside", lambda sig: sig[:40] + "\n" + sig[40:]),
            ("base64 with a leading space", lambda sig: " " + sig),
            ("base64 with a trailing LF", lambda sig: sig + "\n"),
            ("the URL-safe base64 alphabet ('-', '_')", url_safe),
            ("64 bytes (the header dropped)", raw_tweak(lambda raw: raw[1:])),
            ("66 bytes (a zero byte appended)", raw_tweak(lambda raw: raw + b"\x00")),
        )
    ),
    SignatureCase(
        "over the message with a trailing LF",
        ("BadSignature",),
        "bitcoin",
        "p2pkh",
        Signed("btc0", 31, suffix="\n"),
    ),
    SignatureCase(
        "another key's signature", ("BadSignature",), "bitcoin", "p2pkh", Signed("btc9", 31)
    ),
)

ETHEREUM_CASES: Final[tuple[SignatureCase, ...]] = (
    SignatureCase(
        "EIP-55 checksummed address, v = 27/28 (docs/spec.md 10.1)",
        ("Valid", "KnownAnswer"),
        "ethereum",
        "eth",
        Signed("eth0"),
    ),
    SignatureCase(
        "all lower-case address (no checksum), that text signed",
        EDGE,
        "ethereum",
        "eth-lower",
        Signed("eth0"),
    ),
    SignatureCase(
        "all upper-case hex digits (no checksum), that text signed",
        EDGE,
        "ethereum",
        "eth-upper",
        Signed("eth0"),
    ),
    SignatureCase(
        "v = {recid} (the recovery id itself)",
        EDGE,
        "ethereum",
        "eth",
        Signed("eth0", tweak=v_is_recid),
    ),
    SignatureCase(
        "a high s (n - s, v flipped)", EDGE, "ethereum", "eth", Signed("eth0", tweak=high_s_eth)
    ),
    SignatureCase(
        "a high s with v = {other_recid}",
        EDGE,
        "ethereum",
        "eth",
        Signed("eth0", tweak=lambda sig: v_is_recid(high_s_eth(sig))),
    ),
    SignatureCase(
        "the signature's hex digits in upper case",
        EDGE,
        "ethereum",
        "eth",
        Signed("eth0", tweak=lambda sig: "0x" + sig[2:].upper()),
    ),
    SignatureCase(
        "one letter's case changed: an invalid EIP-55 checksum",
        ("InvalidAddress",),
        "ethereum",
        "eth-bad-checksum",
        Signed("eth0"),
    ),
    SignatureCase("'0X' prefix", ("InvalidAddress",), "ethereum", "eth-0X", Signed("eth0")),
    SignatureCase(
        "an address of 39 hex digits",
        ("InvalidAddress",),
        "ethereum",
        "eth-39-digits",
        Signed("eth0"),
    ),
    SignatureCase(
        "the other recovery id as v",
        ("BadSignature",),
        "ethereum",
        "eth",
        Signed("eth0", tweak=v_is_other_recid),
    ),
    *(
        SignatureCase(comment, BAD_ENCODING, "ethereum", "eth", Signed("eth0", tweak=eth_v(v)))
        for v, comment in ((2, "v = 2"), (29, "v = 29"), (37, "v = 37 (EIP-155, chain id 1)"))
    ),
    SignatureCase(
        "signature without '0x'",
        BAD_ENCODING,
        "ethereum",
        "eth",
        Signed("eth0", tweak=lambda sig: sig[2:]),
    ),
    SignatureCase(
        "signature of 64 bytes",
        BAD_ENCODING,
        "ethereum",
        "eth",
        Signed("eth0", tweak=lambda sig: sig[:-2]),
    ),
    SignatureCase(
        "a signature made for another round",
        ("BadSignature",),
        "ethereum",
        "eth",
        Signed("eth0", round_id=OTHER_ROUND),
    ),
)


# --- MessageDiagnosisTest ------------------------------------------------------------------

# (comment, the message signed for an address, the diagnosis of 10.5 step 3.5)
DIAGNOSES: Final[tuple[tuple[str, Callable[[str], str], str | None], ...]] = (
    ("the expected message", ownership, "expected"),
    ("a trailing LF", lambda a: ownership(a) + "\n", "a trailing LF"),
    ("a trailing CRLF", lambda a: ownership(a) + "\r\n", "a trailing CRLF"),
    ("CRLF line ends", lambda a: ownership(a).replace("\n", "\r\n"), "CRLF line ends"),
    (
        "the snapshot header's round",
        lambda a: ownership(a, round_id=OTHER_ROUND),
        f"round '{OTHER_ROUND}' of the snapshot header",
    ),
    (
        "the snapshot header's round and a trailing LF",
        lambda a: ownership(a, round_id=OTHER_ROUND) + "\n",
        f"round '{OTHER_ROUND}' of the snapshot header and a trailing LF",
    ),
    (
        "the snapshot header's exchange",
        lambda a: ownership(a, exchange="Other Exchange"),
        "exchange 'Other Exchange' of the snapshot header",
    ),
    (
        "the header's exchange and round",
        lambda a: ownership(a, "Other Exchange", OTHER_ROUND),
        f"round '{OTHER_ROUND}' of the snapshot header and exchange 'Other Exchange' of "
        "the snapshot header",
    ),
    (
        "the header's exchange and round and a trailing CRLF: round first, then exchange",
        lambda a: ownership(a, "Other Exchange", OTHER_ROUND) + "\r\n",
        f"round '{OTHER_ROUND}' of the snapshot header and exchange 'Other Exchange' of "
        "the snapshot header and a trailing CRLF",
    ),
    (
        "the exchange name in lower case (a case variant, tried after the header variants)",
        lambda a: ownership(a, exchange=EXCHANGE.lower()),
        f"the exchange name as '{EXCHANGE.lower()}'",
    ),
    (
        "the whole text in lower case",
        lambda a: ownership(a).lower(),
        "the whole text in lower case",
    ),
    ("a trailing space: not one of the tried variants", lambda a: ownership(a) + " ", None),
    ("a LF in front: not tried", lambda a: "\n" + ownership(a), None),
)


def generate(gens: GeneratorSet) -> Json:
    from zkpor.reserves.addresses import address_key

    f = VectorFile(
        "reserves",
        "zkpor reserve addresses and ownership signatures (docs/spec.md 10.2-10.5)",
        HEADER,
    )
    g = f.group("OwnershipSignatureTest")
    eth_v = bytes.fromhex(Signed("eth0").sign(addresses()["eth"])[2:])[64]
    recids = {"recid": eth_v - 27, "other_recid": 1 - (eth_v - 27)}
    for case in (*BITCOIN_CASES, *ETHEREUM_CASES):
        address = addresses()[case.address]
        fields: Json = {
            "exchange": EXCHANGE,
            "round_id": ROUND_A,
            "chain": case.chain,
            "address": address,
            "signature": case.signed.sign(address),
        }
        valid = "Valid" in case.flags
        if valid:
            fields["message"] = ownership(address)
            fields["designates"] = address_key(case.chain, address)
        comment = case.comment.format(**recids)
        g.add(comment, list(case.flags), "valid" if valid else "invalid", **fields)
    for comment, flags, chain, address, signature in bip322_cases():  # 10.9
        fields = {
            "exchange": EXCHANGE,
            "round_id": ROUND_A,
            "chain": chain,
            "address": address,
            "signature": signature,
        }
        if "Valid" in flags:
            fields.update(message=ownership(address), designates=address_key(chain, address))
        g.add(comment, list(flags), "valid" if "Valid" in flags else "invalid", **fields)

    g = f.group("MessageDiagnosisTest")
    address = addresses()["p2pkh"]
    for comment, message, diagnosis in DIAGNOSES:
        g.add(
            comment,
            ["Valid"],
            "valid",
            exchange=EXCHANGE,
            round_id=ROUND_A,
            header_exchange="Other Exchange",
            header_round=OTHER_ROUND,
            chain="bitcoin",
            address=address,
            signature=btc_sign(key("btc0"), message(address), 31),
            diagnosis=diagnosis,
        )
    snapshot_group(f)  # 10.1, 10.5 (issue 24, rule 15)
    return f.to_json()


_ADDRESS_FIELDS = {"exchange": STR, "round_id": STR, "chain": STR, "address": STR, "signature": STR}

SPECS: dict[str, tuple[str, dict[str, GroupSpec]]] = {
    "reserves": (
        "reserve ownership signature vectors",
        {
            "OwnershipSignatureTest": ({}, _ADDRESS_FIELDS, {"message": STR, "designates": STR}),
            "MessageDiagnosisTest": (
                {},
                {**_ADDRESS_FIELDS, "header_exchange": STR, "header_round": STR},
                {"diagnosis": _nullable(STR)},
            ),
            "ReservesSnapshotTest": (
                {},
                {"snapshot": OBJ, "exchange": STR, "round_id": STR, "decimals": OBJ},
                {"totals": OBJ},
            ),
        },
    )
}

NAME: Final = "reserves"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of reserves.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
