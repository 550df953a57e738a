"""``zkpor demo``: a synthetic exchange, proven and verified end to end.

Generates customers with log-normal balances in several assets (about 10% of them margin
customers owing one or two assets against collateral in the others, always within the
published haircuts), reserve wallets with real
keys and real ownership signatures (Bitcoin P2WPKH, P2SH-P2WPKH and P2PKH signed messages,
a Taproot (P2TR) address with a BIP-322 signature; Ethereum), then
runs the real pipeline: prove (trees, solvency, manifest), export a few customers' proofs,
verify them as a customer would, and audit the whole bundle. Nothing here is a shortcut:
the demo calls the same functions as ``zkpor prove``, ``zkpor export`` and ``zkpor verify``.

Spec: docs/spec/margin.md (16.1 inputs, 16.2 the haircut tiers the debts stay within),
docs/spec/reserves.md (10.1 snapshot, 10.2-10.4 and 10.9 the signatures). With a seed, the
random draws come in a fixed order, so every file but the trees' secrets is reproducible.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from zkpor.errors import InputError
from zkpor.formats.amounts import format_units
from zkpor.prover.demo_private import PRIVATE_ASSET, write_private_reserves
from zkpor.prover.liabilities.options import DEFAULT_DEBT_PAD_GRANULARITY
from zkpor.prover.private_reserves import PrivateInput

if TYPE_CHECKING:
    from zkpor.formats.manifest import Manifest

__all__ = ["DEMO_ASSETS", "DemoResult", "run_demo"]

# symbol: (decimals, chain, median balance in display units, share of customers holding it)
DEMO_ASSETS: Final[dict[str, tuple[int, str, float, float]]] = {
    "BTC": (8, "bitcoin", 0.02, 0.7),
    "ETH": (9, "ethereum", 0.8, 0.5),  # gwei: 18 decimals would overflow 64-bit totals
    "USDT": (6, "ethereum", 400.0, 0.6),
}
# the ERC-20 contracts of the demo's tokens: USDT's on Ethereum mainnet (Tether's published
# address; the demo's balances are not on chain, so --eth-rpc against mainnet would fail)
DEMO_TOKENS: Final[dict[str, str]] = {"USDT": "0xdAC17F958D2ee523a2206206994597C13D831ec7"}
# USD prices and haircut tiers (illustrative): the demo's margin terms
DEMO_PRICES: Final[dict[str, str]] = {"BTC": "60000.00", "ETH": "3000.00", "USDT": "1.00"}
DEMO_TIERS: Final[list[dict[str, object]]] = [
    {"up_to": "10000", "ratio": 100},
    {"up_to": "100000", "ratio": 95},
    {"up_to": "1000000", "ratio": 85},
    {"ratio": 60},
]
MARGIN_SHARE: Final[float] = 0.1
_MARKER: Final[str] = ".zkpor-demo"
_EXCHANGE: Final[str] = "Demo Exchange"


@dataclass
class DemoResult:
    """What the demo did, for the summary."""

    out: Path
    round_id: str
    customers: int
    entries: int
    assets: dict[str, dict[str, Any]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    manifest_digest: str = ""
    verified_customers: list[str] = field(default_factory=list)
    audit_range_proofs: int = 0
    margin_customers: int = 0
    audit_margin_accounts: int = 0
    debtors_verified: list[str] = field(default_factory=list)
    #: the padding the demo proves with (a small round: equity trees padded less than
    #: zkpor prove's default of 256; debt trees at the default)
    pad_granularity: int = 64
    debt_pad_granularity: int = DEFAULT_DEBT_PAD_GRANULARITY


def _prepare_dir(out: Path) -> None:
    if out.exists():
        if not (out / _MARKER).exists():
            raise InputError(
                "exists and is not a zkpor demo directory; choose another --out", source=str(out)
            )
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / _MARKER).write_text("created by zkpor demo; safe to delete\n")


def _assets_file(assets: list[str], margin: bool = True) -> dict[str, object]:
    """The demo's assets file: with prices and haircut tiers, or (a spot exchange without
    lending, ``margin=False``) symbols and decimals only."""
    if not margin:
        return {"assets": [{"symbol": a, "decimals": DEMO_ASSETS[a][0]} for a in assets]}
    return {
        "quote": {"symbol": "USD", "decimals": 2},
        "assets": [
            {
                "symbol": a,
                "decimals": DEMO_ASSETS[a][0],
                "price": DEMO_PRICES[a],
                "tiers": DEMO_TIERS,
            }
            for a in assets
        ],
    }


def _debts(
    held: dict[str, int], assets: list[str], terms: Any, rng: random.Random
) -> dict[str, int]:
    """One or two debts for a margin customer: in assets they do not hold when there are,
    worth 20-60% of their collateral value after haircuts (so always covered)."""
    from zkpor.protocol.margin import collateral_hundredths

    cover = collateral_hundredths(terms, held)
    others = [a for a in assets if a not in held] or list(held)
    owed = rng.sample(others, min(len(others), rng.choice((1, 2))))
    budget = cover * rng.uniform(0.2, 0.6) / len(owed)
    out = {}
    for a in owed:
        units = int(budget) // (100 * terms.prices[a])
        if units:
            out[a] = units
    return out


@dataclass
class _Book:
    """The generated customers: balances.csv's entries (rows); per asset the equity total,
    the holders (customers with a row) and the debt total; the customers who owe."""

    entries: int
    totals: dict[str, int]
    holders: dict[str, int]
    debts: dict[str, int]
    margin_users: list[str]
    #: the assets with private reserves (demo_private): their input and owned total
    private: dict[str, tuple[PrivateInput, int]] = field(default_factory=dict)


def _generate(
    out: Path,
    users: int,
    assets: list[str],
    rng: random.Random,
    round_id: str,
    with_margin: bool = True,
    seeded: bool = False,
) -> _Book:
    """balances.csv, assets.json, reserves.json and the reserve wallets' keys, drawn from
    ``rng`` in this order (so a seed gives the same files). The keys are fresh random keys,
    or drawn from ``rng`` when the demo is ``seeded`` (reproducible output for the guides'
    examples; demo keys only)."""
    from zkpor.prover.liabilities.inputs import AssetsFile

    spec = _assets_file(assets, with_margin)
    terms = AssetsFile.model_validate(spec).margin_terms()
    book = _write_balances(out / "balances.csv", users, assets, rng, terms, with_margin)
    (out / "assets.json").write_text(json.dumps(spec, indent=1))
    wallet_keys: dict[str, str] = {}
    reserve_entries = []
    for a in assets:
        net = max(book.totals[a] - book.debts[a], 0)
        reserves = net * rng.randint(102, 125) // 100 + 1
        reserve_entries.append(_reserve_entry(a, reserves, rng, round_id, seeded, wallet_keys))
    (out / "reserves.json").write_text(
        json.dumps(
            {
                "format": "zkpor-reserves-v1",
                "exchange": _EXCHANGE,
                "round_id": round_id,
                "assets": reserve_entries,
            },
            indent=1,
        )
    )
    fd = os.open(out / "reserve-wallets.secret.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(wallet_keys, fh, indent=1)
    if PRIVATE_ASSET in assets:
        # a stream of its own (the state of ``rng`` seeds it; ``rng`` does not advance)
        prng = random.Random(hash(rng.getstate()))
        entry = next(e for e in reserve_entries if e["asset"] == PRIVATE_ASSET)
        net = max(book.totals[PRIVATE_ASSET] - book.debts[PRIVATE_ASSET], 0)
        decimals = DEMO_ASSETS[PRIVATE_ASSET][0]
        book.private[PRIVATE_ASSET] = write_private_reserves(out, entry, net, decimals, prng)
    return book


def _write_balances(
    path: Path,
    users: int,
    assets: list[str],
    rng: random.Random,
    terms: Any,
    with_margin: bool,
) -> _Book:
    """balances.csv: each customer holds a random subset of ``assets`` (at least the first)
    with log-normal balances; about MARGIN_SHARE of them, and at least the last customer
    when none did, owe debts within their collateral (:func:`_debts`)."""
    book = _Book(
        0, dict.fromkeys(assets, 0), dict.fromkeys(assets, 0), dict.fromkeys(assets, 0), []
    )
    with path.open("w") as fh:
        fh.write("user_id,asset,amount,debt\n")
        for i in range(users):
            uid = f"customer-{i:06d}"
            chosen = [a for a in assets if rng.random() < DEMO_ASSETS[a][3]] or [assets[0]]
            held = {}
            for a in chosen:
                decimals, _, median, _ = DEMO_ASSETS[a]
                held[a] = int(median * 10**decimals * math.exp(rng.gauss(0, 1.6)))
            margin = with_margin and (
                rng.random() < MARGIN_SHARE or (i == users - 1 and not book.margin_users)
            )
            debts = _debts(held, assets, terms, rng) if margin and users > 1 else {}
            if debts:
                book.margin_users.append(uid)
            for a in assets:
                if a not in held and a not in debts:
                    continue
                decimals = DEMO_ASSETS[a][0]
                units = held.get(a, 0)
                book.totals[a] += units
                book.holders[a] += 1
                book.debts[a] += debts.get(a, 0)
                book.entries += 1
                debt = format_units(debts[a], decimals) if a in debts else ""
                fh.write(f"{uid},{a},{format_units(units, decimals)},{debt}\n")
    return book


def _reserve_entry(
    asset: str,
    reserves: int,
    rng: random.Random,
    round_id: str,
    seeded: bool,
    wallet_keys: dict[str, str],
) -> dict[str, object]:
    """One asset of reserves.json: ``reserves`` base units split at random over wallets
    with real keys and ownership signatures (three Bitcoin kinds and a Taproot wallet, or
    two Ethereum ones); each wallet's key goes into ``wallet_keys``."""
    chain = DEMO_ASSETS[asset][1]
    kinds = ["p2wpkh", "p2sh-p2wpkh", "p2pkh"] if chain == "bitcoin" else ["eth", "eth"]
    shares = [rng.random() + 0.2 for _ in kinds]
    parts = [reserves * int(1000 * s / sum(shares)) // 1000 for s in shares]
    parts[-1] = reserves - sum(parts[:-1])
    addresses = []
    for kind, amount in zip(kinds, parts):
        key = rng.randbytes(32) if seeded else secrets.token_bytes(32)
        addresses += _wallets(asset, chain, kind, key, amount, round_id, wallet_keys)
    entry: dict[str, object] = {
        "asset": asset,
        "chain": chain,
        "block_height": rng.randint(800_000, 900_000)
        if chain == "bitcoin"
        else rng.randint(20_000_000, 22_000_000),
    }
    if chain == "ethereum":
        entry["chain_id"] = 1
        if asset in DEMO_TOKENS:
            entry["token_contract"] = DEMO_TOKENS[asset]
    entry["addresses"] = addresses
    return entry


def _wallets(
    asset: str,
    chain: str,
    kind: str,
    key: bytes,
    amount: int,
    round_id: str,
    wallet_keys: dict[str, str],
) -> list[dict[str, object]]:
    """The reserve addresses of one key holding ``amount``: its address of ``kind``; for a
    P2WPKH key also a Taproot wallet (its key derived from this one, so the seeded random
    stream is unchanged; BIP-322 signature) holding half of the amount, for a P2SH-P2WPKH
    key a 2-of-3 P2SH-P2WSH cold wallet (:func:`_cold_wallet`) holding half."""
    from zkpor.reserves.bip322 import p2tr_address, sign_p2tr
    from zkpor.reserves.message import ownership_message
    from zkpor.reserves.signing import (
        bitcoin_address,
        ethereum_address,
        sign_bitcoin,
        sign_ethereum,
    )

    decimals = DEMO_ASSETS[asset][0]
    if chain == "bitcoin":
        addr = bitcoin_address(key, kind)
        sig = sign_bitcoin(key, ownership_message(_EXCHANGE, round_id, addr), kind)
    else:
        addr = ethereum_address(key)
        sig = sign_ethereum(key, ownership_message(_EXCHANGE, round_id, addr))
    wallet_keys[f"{asset}:{addr}"] = key.hex()
    if kind == "p2sh-p2wpkh":
        half = amount // 2
        cold = _cold_wallet(key, chain, round_id, wallet_keys, asset)
        cold["balance"] = format_units(half, decimals)
        balance = format_units(amount - half, decimals)
        own: dict[str, object] = {"address": addr, "balance": balance, "signature": sig}
        return [own, cold]
    if kind != "p2wpkh":
        return [{"address": addr, "balance": format_units(amount, decimals), "signature": sig}]
    taproot = hashlib.sha256(b"zkpor demo p2tr\x00" + key).digest()
    half = amount // 2
    tr_addr = p2tr_address(taproot, chain)
    tr_sig = sign_p2tr(taproot, ownership_message(_EXCHANGE, round_id, tr_addr), chain)
    wallet_keys[f"{asset}:{tr_addr}"] = taproot.hex()
    return [
        {"address": addr, "balance": format_units(amount - half, decimals), "signature": sig},
        {"address": tr_addr, "balance": format_units(half, decimals), "signature": tr_sig},
    ]


def _cold_wallet(
    key: bytes, chain: str, round_id: str, wallet_keys: dict[str, str], asset: str
) -> dict[str, object]:
    """A 2-of-3 P2SH-P2WSH cold wallet (docs/spec/reserves.md 10.11), its three keys derived
    from ``key`` (the seeded random stream is unchanged), signed the second way: the
    script and two legacy signed messages, by keys 1 and 3."""
    from zkpor.reserves.message import ownership_message
    from zkpor.reserves.multisig import script_address
    from zkpor.reserves.multisig_signing import multisig_script, public_key, sign_keys

    cold = [hashlib.sha256(b"zkpor demo cold %d\x00" % i + key).digest() for i in range(3)]
    script = multisig_script([public_key(k) for k in cold], 2)
    address = script_address(script, "p2sh-p2wsh", chain)
    wallet_keys[f"{asset}:{address}"] = ",".join(k.hex() for k in cold)
    signatures = sign_keys([cold[0], cold[2]], ownership_message(_EXCHANGE, round_id, address))
    multisig = {"form": "p2sh-p2wsh", "script": script.hex(), "signatures": signatures}
    return {"address": address, "multisig": multisig}


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    """Record the stage's wall time in ``timings`` when it finishes."""
    t0 = time.perf_counter()
    yield
    timings[stage] = time.perf_counter() - t0


def run_demo(
    out: Path,
    *,
    users: int = 1000,
    assets: list[str] | None = None,
    executor: Executor,
    seed: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    show: int = 3,
    margin: bool = True,
    round_id: str | None = None,
) -> DemoResult:
    """Run the whole demo into ``out`` (see module doc). ``round_id`` defaults to
    ``demo-YYYY-MM-DD`` (today, UTC); with ``seed`` and ``round_id`` every file but the
    trees' secrets (a fresh master secret) is reproducible."""
    from zkpor.prover.liabilities.keys import write_master_secret

    chosen = assets or list(DEMO_ASSETS)
    unknown = [a for a in chosen if a not in DEMO_ASSETS]
    if unknown or not chosen:
        raise InputError(f"demo assets must be among {', '.join(DEMO_ASSETS)}", field="assets")
    if not 1 <= users <= 1_000_000:
        raise InputError("--users must be between 1 and 1,000,000", field="users")
    rng = random.Random(seed if seed is not None else secrets.randbits(64))
    if round_id is None:
        round_id = time.strftime("demo-%Y-%m-%d", time.gmtime())
    _prepare_dir(out)
    result = DemoResult(out=out, round_id=round_id, customers=users, entries=0)
    with _timed(result.timings, "generate"):
        book = _generate(out, users, chosen, rng, round_id, margin, seeded=seed is not None)
        result.entries, result.margin_customers = book.entries, len(book.margin_users)
        write_master_secret(out / "exchange.secret")
    bundle = out / "bundle"
    with _timed(result.timings, "prove"):
        private = [item for item, _ in book.private.values()]
        digest = _prove(out, bundle, round_id, executor, progress, private)
    result.manifest_digest = digest
    proofs_dir = out / "proofs"
    with _timed(result.timings, "export"):
        picked = _export(bundle, proofs_dir, users, show, book.margin_users, rng)
    with _timed(result.timings, "verify_customers"):
        manifest = _verify_customers(bundle, proofs_dir, picked, digest, result)
    with _timed(result.timings, "audit"):
        covered = _audit(bundle, manifest, digest, executor, progress, result)
    for sym in chosen:
        result.assets[sym] = _asset_summary(sym, manifest, book, sym in covered)
    result.sizes = {
        "manifest_json": (bundle / "manifest.json").stat().st_size,
        "audit_sqlite": (bundle / "audit.sqlite").stat().st_size,
        "proof_json_max": max(p.stat().st_size for p in proofs_dir.iterdir()),
    }
    return result


def _prove(
    out: Path,
    bundle: Path,
    round_id: str,
    executor: Executor,
    progress: Callable[[str, int, int], None] | None,
    private: list[PrivateInput],
) -> str:
    """``zkpor prove`` on the generated files, with reserves (and the private reserves of
    :mod:`zkpor.prover.demo_private`); the manifest digest."""
    from zkpor.prover.liabilities.keys import read_master_secret
    from zkpor.prover.liabilities.prover import ProveOptions
    from zkpor.prover.publish import prove_round

    _, digest = prove_round(
        out / "balances.csv",
        out / "assets.json",
        read_master_secret(out / "exchange.secret"),
        ProveOptions(round_id=round_id, pad_granularity=DemoResult.pad_granularity),
        bundle,
        executor,
        reserves=out / "reserves.json",
        exchange=_EXCHANGE,
        progress=progress,
        private=private,
    )
    assert digest is not None
    return digest


def _export(
    bundle: Path,
    proofs_dir: Path,
    users: int,
    show: int,
    margin_users: list[str],
    rng: random.Random,
) -> list[str]:
    """``zkpor export`` of ``show`` customers drawn from ``rng`` (one with a debt, when any
    customer owes) into ``proofs_dir``; returns their ids."""
    from zkpor.prover.liabilities.export import BundleReader, safe_filename, write_proof

    proofs_dir.mkdir(mode=0o700)
    reader = BundleReader(bundle)
    try:
        picked = [f"customer-{i:06d}" for i in sorted(rng.sample(range(users), min(show, users)))]
        if margin_users and not set(picked) & set(margin_users):
            picked[-1] = rng.choice(margin_users)  # at least one exported proof has a debt
        for uid in picked:
            write_proof(proofs_dir / safe_filename(uid), reader.inclusion_proof(uid))
    finally:
        reader.close()
    return picked


def _verify_customers(
    bundle: Path, proofs_dir: Path, picked: list[str], digest: str, result: DemoResult
) -> Manifest:
    """``zkpor verify user`` for each exported proof, as a customer would (the manifest and
    its digest, then the proof); records them in ``result``. Returns the manifest."""
    from zkpor.formats.manifest import Manifest
    from zkpor.formats.models import InclusionProof
    from zkpor.formats.strictjson import parse_public
    from zkpor.prover.liabilities.export import safe_filename
    from zkpor.verify.inclusion import verify_inclusion
    from zkpor.verify.manifest import manifest_roots, verify_manifest
    from zkpor.verify.margin import terms_of

    manifest = parse_public(Manifest, (bundle / "manifest.json").read_bytes(), "manifest.json")
    for uid in picked:
        path = proofs_dir / safe_filename(uid)
        proof = parse_public(InclusionProof, path.read_bytes(), str(path))
        verify_manifest(manifest, expected_digest=digest)
        pub = manifest_roots(manifest)
        checked = verify_inclusion(
            proof, pub.assets, round_id=pub.round_id, arity=pub.arity, terms=terms_of(pub)
        )
        result.verified_customers.append(uid)
        if any(r.kind == "debt" for r in checked):
            result.debtors_verified.append(uid)
    return manifest


def _audit(
    bundle: Path,
    manifest: Manifest,
    digest: str,
    executor: Executor,
    progress: Callable[[str, int, int], None] | None,
    result: DemoResult,
) -> set[str]:
    """``zkpor verify audit``: the manifest with its signatures, then the whole bundle;
    records the proof counts in ``result``. Returns the assets the reserves cover."""
    from zkpor.verify.manifest import manifest_roots, verify_manifest
    from zkpor.verify.private_reserves import check_private_reserves
    from zkpor.verify.trees import audit_bundle

    report_m = verify_manifest(manifest, check_signatures=True, expected_digest=digest)
    check_private_reserves(bundle, manifest)
    report = audit_bundle(
        bundle, roots=manifest_roots(manifest), executor=executor, progress=progress
    )
    result.audit_range_proofs = report.proofs
    result.audit_margin_accounts = report.margin_accounts
    return set(report_m.assets)


def _asset_summary(sym: str, manifest: Manifest, book: _Book, covered: bool) -> dict[str, Any]:
    """One asset's line of the summary: holders, tree size, liabilities, debt, net,
    reserves and their ratio to the net liabilities."""
    decimals = DEMO_ASSETS[sym][0]
    m = manifest.assets[sym]
    liabilities, debt = book.totals[sym], book.debts[sym]
    private = book.private[sym][1] if sym in book.private else 0
    held = int(m.reserves.total_units) + private
    return {
        "holders": book.holders[sym],
        "leaf_count": m.leaf_count,
        "depth": m.depth,
        "liabilities": format_units(liabilities, decimals),
        "debt": format_units(debt, decimals),
        "net": ("-" if debt > liabilities else "")
        + format_units(abs(liabilities - debt), decimals),
        "reserves": format_units(held, decimals),
        "private_reserves": format_units(private, decimals) if private else None,
        # the size of the set the private reserves are proven among (17.11)
        "private_keys": m.private_reserves.keys if m.private_reserves is not None else None,
        "ratio": round(held / (liabilities - debt), 4) if liabilities > debt else None,
        "addresses": len(m.reserves.addresses),
        "covered": covered,
    }
