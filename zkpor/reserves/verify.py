"""Checking a reserves snapshot: signatures, addresses, balances, totals.

Every problem is collected and reported (asset, address index, reason), not only the first.
:func:`verify_reserves` checks a whole snapshot (the prover, before proving);
:func:`verify_asset_reserves` checks one asset's addresses (the verifier, per manifest
asset). Both run :func:`check_asset`. A signature that does not verify over the expected
message is tried over the usual wrong ones (a trailing LF or CRLF, CRLF line ends, the
snapshot header's other round or exchange) so the report can say "signed a different
message"; the header's round or exchange is reported once per snapshot, not per address.
No eth-account, eth-utils or coincurve is needed (:mod:`.ecrecover`). P2TR and P2WSH
addresses (:func:`.bip322.needs_bip322`) are checked with BIP-322 signatures; the library
for those (bip322-core) is imported only when such an address appears.
What this cannot check: that the balances are really on chain at ``block_height`` (the
auditor compares them with a node), and that the reserves are not borrowed for the snapshot
or owed to someone else (docs/threat-model.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from zkpor.errors import InputError, VerificationError
from zkpor.formats.amounts import U64_MAX, parse_amount
from zkpor.formats.identifiers import identifier_problem, shown
from zkpor.formats.reserves import CHAINS, ReservesSnapshot, address_problem
from zkpor.reserves import bitcoin, ethereum
from zkpor.reserves.addresses import AddressEntry, AddressLabel, address_key
from zkpor.reserves.bip322 import uses_bip322
from zkpor.reserves.message import ownership_message

__all__ = [
    "AssetCheck",
    "ReservesReport",
    "check_asset",
    "entry_check",
    "diagnose_wrong_message",
    "load_reserves",
    "verify_asset_reserves",
    "verify_reserves",
]

MAX_ERRORS = 50


@dataclass
class ReservesReport:
    """Per-asset totals in base units, and address counts."""

    totals: dict[str, int] = field(default_factory=dict)
    addresses: dict[str, int] = field(default_factory=dict)
    # the "not checked" line of each token contract the known table cannot vouch for
    not_known_tokens: list[str] = field(default_factory=list)


def load_reserves(path: Path) -> ReservesSnapshot:
    """Parse a reserves snapshot file strictly (:mod:`zkpor.formats.strictjson`); InputError naming
    the file and field on failure."""
    from zkpor.formats.strictjson import parse_public

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read reserves file: {exc.strerror}", source=str(path)) from None
    return parse_public(ReservesSnapshot, data, str(path))


def _bip322_check(chain: str, address: str, signature: str) -> Callable[[str], bool]:
    """``signed(message)`` for a P2TR or P2WSH address: BIP-322 (:mod:`.bip322`). The
    address and the signature's form are checked first (VerificationError), so that a
    wrong-message diagnosis only ever asks about the message."""
    from zkpor.reserves import bip322, multisig

    kind = bip322.address_kind(address, chain)
    bip322.verify_form(signature)
    if kind == "p2sh" and not signature.startswith("ful"):
        raise VerificationError(
            "signature: a P2SH address needs a full (ful) BIP-322 signature; simple (smp) "
            "signatures are for native segwit addresses"
        )
    try:
        multisig.bip322_spend(kind, signature)
    except ValueError as exc:
        raise VerificationError(
            f"signature: the script this signature spends with is not a standard m-of-n: {exc}"
        ) from None

    def signed(message: str) -> bool:
        return bip322.verify(address, message, signature, chain=chain)

    return signed


def signature_check(chain: str, address: str, signature: str) -> Callable[[str], bool]:
    """``signed(message)`` for ``address`` on ``chain`` (see the chain modules' ``prepare``;
    BIP-322 for P2TR and P2WSH addresses); raises VerificationError for an address not of
    ``chain`` or a malformed signature."""
    if chain not in CHAINS:
        raise VerificationError(f"unknown chain {shown(chain)}")
    if uses_bip322(address, signature, chain):
        return _bip322_check(chain, address, signature)
    if chain == "ethereum":
        if not address.startswith("0x"):
            other = bitcoin.network_of(address)
            if other is not None:
                raise VerificationError(
                    f"address: a {other} address cannot hold reserves on chain ethereum"
                )
        return ethereum.prepare(address, signature)
    return bitcoin.prepare(address, signature, chain)


def entry_check(
    chain: str, addr: AddressEntry
) -> tuple[Callable[[str], bool], Callable[[str], str] | None]:
    """``signed(message)`` for one listed address, and for a multisig entry signed the
    second way (10.11) ``shortfall(message)``, the line saying which keys signed and which
    did not. VerificationError for a malformed entry, address or signature."""
    ms = getattr(addr, "multisig", None)
    if ms is not None:
        if addr.signature is not None:
            raise VerificationError("give either signature or multisig, not both")
        from zkpor.reserves import multisig

        check = multisig.prepare(addr.address, chain, ms.form, ms.script, ms.signatures)
        return check.signed, lambda message: check.tally(message).shortfall()
    if addr.signature is None:
        raise VerificationError("no signature: give signature, or multisig (10.11)")
    return signature_check(chain, addr.address, addr.signature), None


def check_signature(chain: str, address: str, message: str, signature: str) -> None:
    """Verify one ownership signature on ``chain``; raises VerificationError."""
    if not signature_check(chain, address, signature)(message):
        raise VerificationError("signature was not made by this address's key over this message")


@dataclass
class AssetCheck:
    """What :func:`check_asset` found: the total in base units, the address count, the
    problems (one line each), and per snapshot-header variant the number of signatures
    made over it (reported once by :func:`verify_reserves`)."""

    total: int = 0
    count: int = 0
    problems: list[str] = field(default_factory=list)
    header_signed: dict[str, int] = field(default_factory=dict)


def _quoted(text: str, limit: int = 64) -> str:
    return "'" + shown(text, limit) + "'"


def _message(text: str) -> str:
    """An ownership message as one readable line: its line ends written ``\\n`` (any other
    control character escaped), e.g. 'zkpor proof of reserves\\nexchange: X\\n...'."""
    return "'" + "\\n".join(shown(line, 200) for line in text.split("\n")) + "'"


def _wrong_messages(
    exchange: str,
    round_id: str,
    header: tuple[str, str],
    address: str,
    others: Sequence[str] = (),
) -> list[tuple[str, bool, str]]:
    """(description, names a header value, message) for the wrong messages tried."""
    out: list[tuple[str, bool, str]] = []
    pairs = [(exchange, round_id)]
    for pair in ((exchange, header[1]), (header[0], round_id), header):
        if pair not in pairs:
            pairs.append(pair)
    endings = (("", ""), ("a trailing LF", "\n"), ("a trailing CRLF", "\r\n"))
    for ex, rd in pairs:
        parts = []
        if rd != round_id:
            parts.append(f"round {_quoted(rd)} of the snapshot header")
        if ex != exchange:
            parts.append(f"exchange {_quoted(ex)} of the snapshot header")
        base = ownership_message(ex, rd, address)
        for label, tail in endings:
            variant = parts + ([label] if label else [])
            if variant:
                out.append((" and ".join(variant), bool(parts), base + tail))
        if not parts:
            out.append(("CRLF line ends", False, base.replace("\n", "\r\n")))
    out.extend(_case_variants(exchange, round_id, address))
    for other in others:
        if other != address:
            out.append(
                (
                    f"address {_quoted(other, 100)} (another listed address)",
                    False,
                    ownership_message(exchange, round_id, other),
                )
            )
    return out


def _case_variants(exchange: str, round_id: str, address: str) -> list[tuple[str, bool, str]]:
    """Messages that differ from the expected one only in letter case (exchange, round,
    address, the first line, the whole text): a signer who retyped the text."""
    out: list[tuple[str, bool, str]] = []
    expected = ownership_message(exchange, round_id, address)
    seen = {expected}

    def add(desc: str, message: str) -> None:
        if message not in seen:
            seen.add(message)
            out.append((desc, False, message))

    for fold in (str.lower, str.upper):
        add(
            f"the exchange name as {_quoted(fold(exchange))}",
            ownership_message(fold(exchange), round_id, address),
        )
        add(
            f"the round as {_quoted(fold(round_id))}",
            ownership_message(exchange, fold(round_id), address),
        )
        add(
            f"the address as {_quoted(fold(address), 100)}",
            ownership_message(exchange, round_id, fold(address)),
        )
    if address.startswith("0x") and len(address) == 42:
        checksummed = ethereum.to_checksum_address(address)
        add(
            f"the address as {_quoted(checksummed, 100)}",
            ownership_message(exchange, round_id, checksummed),
        )
    add("the first line capitalised", "Z" + expected[1:])
    add("the whole text in lower case", expected.lower())
    return out


def diagnose_wrong_message(
    signed: Callable[[str], bool],
    exchange: str,
    round_id: str,
    header: tuple[str, str],
    address: str,
    others: Sequence[str] = (),
) -> tuple[str, bool] | None:
    """(description, names a header value) of the first wrong message that ``signed``
    accepts, or None. Each candidate is a real check (the key recovered from the signature
    over that text is the address's), so a description printed is a fact, not a guess."""
    for desc, from_header, message in _wrong_messages(exchange, round_id, header, address, others):
        try:
            if signed(message):
                return desc, from_header
        except VerificationError:
            continue
    return None


def _signature_of_other(
    chain: str,
    addr: AddressEntry,
    near: Sequence[AddressEntry],
    exchange: str,
    round_id: str,
) -> str | None:
    """The other listed address whose own valid signature ``addr`` carries, or None (each
    candidate is checked: the key recovered over that address's message is its key)."""
    if addr.signature is None:
        return None
    for other in near:
        if other.address == addr.address or other is addr:
            continue
        try:
            if signature_check(chain, other.address, addr.signature)(
                ownership_message(exchange, round_id, other.address)
            ):
                return other.address
        except VerificationError:
            continue
    return None


def check_asset(
    chain: str,
    addresses: Sequence[AddressEntry],
    *,
    exchange: str,
    round_id: str,
    decimals: int,
    where: str,
    header: tuple[str, str] | None = None,
    limit: int = MAX_ERRORS,
    check_total: bool = True,
) -> AssetCheck:
    """Check one asset's addresses: address text and chain, duplicates, balances (with
    ``decimals``), ownership signatures over ``ownership_message(exchange, round_id,
    address)``, and the total below 2^64. ``header`` is the (exchange, round) a snapshot
    names, when it may differ from the expected ones; ``where`` prefixes each problem.
    Stops after ``limit`` problems."""
    out = AssetCheck(count=len(addresses))
    hdr = header if header is not None else (exchange, round_id)
    seen: set[str] = set()
    for i, addr in enumerate(addresses):
        if len(out.problems) >= limit:
            break
        at = AddressLabel(where, i, addr.address)
        problem = identifier_problem(addr.address) or address_problem(addr.address)
        if problem is not None:
            out.problems.append(f"{at}: address {problem.removeprefix('address ')}")
            continue
        key = address_key(chain, addr.address)
        if key in seen:
            out.problems.append(f"{at}: duplicate address")
            continue
        seen.add(key)
        try:
            out.total += parse_amount(addr.balance, decimals)
        except ValueError as exc:
            out.problems.append(f"{at}: balance: {exc}")
        expected = ownership_message(exchange, round_id, addr.address)
        try:
            signed, shortfall = entry_check(chain, addr)
            if signed(expected):
                continue
        except VerificationError as exc:
            out.problems.append(f"{at}: {exc}")
            continue
        near = addresses if len(addresses) <= 64 else addresses[max(0, i - 4) : i + 5]
        found = diagnose_wrong_message(
            signed, exchange, round_id, hdr, addr.address, [a.address for a in near]
        )
        owner = None
        if found is None and shortfall is None:
            owner = _signature_of_other(chain, addr, near, exchange, round_id)
        if found is None and shortfall is not None:
            out.problems.append(f"{at}: {shortfall(expected)}")
        elif owner is not None:
            out.problems.append(
                f"{at}: signature is the one of another listed address, {shown(owner, 100)} "
                "(its valid signature over its own message): signatures swapped or copied"
            )
        elif found is None:
            out.problems.append(
                f"{at}: signature was not made by this address's key over the expected message"
            )
        elif found[1]:
            out.header_signed[found[0]] = out.header_signed.get(found[0], 0) + 1
        else:
            out.problems.append(
                f"{at}: signed a different message: the expected text with {found[0]}; "
                f"expected {_message(expected)}"
            )
    if check_total and out.total > U64_MAX:
        out.problems.append(f"{where}: total does not fit in 64 bits of base units")
    return out


def verify_asset_reserves(
    asset: str,
    chain: str,
    addresses: Sequence[AddressEntry],
    *,
    exchange: str,
    round_id: str,
    decimals: int,
    source: str = "manifest",
) -> int:
    """Check one asset's reserve addresses (as :func:`check_asset`, problems prefixed
    ``SOURCE: asset ASSET``) and return its total in base units. Raises
    VerificationError listing every problem (up to 50). For the verifier: a manifest
    asset's ``reserves.chain`` and ``reserves.addresses`` with the manifest's exchange and
    round."""
    check = check_asset(
        chain,
        addresses,
        exchange=exchange,
        round_id=round_id,
        decimals=decimals,
        where=f"{source}: asset {asset} reserves",
    )
    if check.problems:
        raise VerificationError("\n".join(check.problems[:MAX_ERRORS]))
    return check.total


def verify_reserves(
    snapshot: ReservesSnapshot,
    *,
    exchange: str,
    round_id: str,
    decimals: dict[str, int],
    source: str = "reserves",
    limit: int = MAX_ERRORS,
    check_totals: bool = True,
) -> ReservesReport:
    """Check ``snapshot`` for ``exchange`` and ``round_id``; ``decimals`` lists the assets
    (each needs exactly one reserves entry). Raises VerificationError listing every problem
    (bad signatures, addresses, duplicates, balances, totals over 64 bits, missing or
    unknown assets; one holding claimed by two assets and a known token symbol naming
    another contract, :mod:`.holdings`; signatures over the snapshot header's other round
    or exchange, once), up to ``limit`` problems. ``check_totals=False`` skips the 64-bit total check (when the
    decimals are not the assets file's but inferred, as ``zkpor reserves check`` without
    ``--assets`` does)."""
    from zkpor.reserves import holdings

    problems: list[str] = []
    report = ReservesReport()
    header_signed: dict[str, int] = {}
    seen_assets: set[str] = set()
    claims: list[holdings.Claim] = []
    for ai, entry in enumerate(snapshot.assets):
        if len(problems) >= limit:
            break
        where = f"{source}: assets[{ai}] ({entry.asset})"
        if entry.asset in seen_assets:
            problems.append(f"{where}: asset listed twice")
            continue
        seen_assets.add(entry.asset)
        if entry.asset not in decimals:
            problems.append(f"{where}: not one of the round's assets")
            continue
        check = check_asset(
            entry.chain,
            entry.addresses,
            exchange=exchange,
            round_id=round_id,
            decimals=decimals[entry.asset],
            where=where,
            header=(snapshot.exchange, snapshot.round_id),
            limit=limit - len(problems),
            check_total=check_totals,
        )
        problems.extend(check.problems)
        for desc, n in check.header_signed.items():
            header_signed[desc] = header_signed.get(desc, 0) + n
        report.totals[entry.asset] = check.total
        report.addresses[entry.asset] = check.count
        claims.append(holdings.snapshot_claim(entry, ai, source))
    # across assets (10.5): one holding backs one asset; a known symbol names its contract
    problems.extend(holdings.cross_asset_problems(claims))
    problems.extend(holdings.token_problems(claims))
    report.not_known_tokens = holdings.unknown_token_notes(claims)
    for asset in decimals:
        if asset not in seen_assets and len(problems) < limit:
            problems.append(f"{source}: no reserves entry for asset {asset}")
    first: list[str] = []
    if snapshot.exchange != exchange:
        first.append(
            f"{source}: snapshot is for exchange {_quoted(snapshot.exchange)}, "
            f"not {_quoted(exchange)}"
        )
    if snapshot.round_id != round_id:
        first.append(
            f"{source}: snapshot is for round {_quoted(snapshot.round_id)}, not {_quoted(round_id)}"
        )
    for desc, n in header_signed.items():
        example = ownership_message(exchange, round_id, "<address>")
        first.append(
            f"{source}: {n} signature{'s are' if n != 1 else ' is'} over the message with "
            f"{desc}; each address must sign {_message(example)}"
        )
    problems = first + problems
    if problems:
        raise VerificationError("\n".join(problems[: limit + len(first)]))
    return report
